"""Generate the placeholder clip set with espeak-ng and sox (good enough to demo, not to ship).

Chinese clips use espeak-ng's ``cmn-latn-pinyin`` voice with pinyin input (its Han-character
voice reads badly); English words and the letters use ``en``. sox converts each to 16 kHz mono
16-bit PCM and trims the silence espeak leaves around words. The chime is synthesised here.
Idempotent: clips already present in the right format are kept, so a second run costs
milliseconds.
"""

from __future__ import annotations

import array
import math
import os
import shutil
import string
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from drivers.voice.backend import VoiceError
from drivers.voice.clips import ASSETS_VOICE, RATE, ClipError, read_clip, wav_bytes

_ZH_PINYIN = {
    "zh_qing": "qing3",
    "zh_hao": "hao4",
    "zh_dao": "dao4",
    "zh_chuangkou": "chuang1 kou3",
    "zh_zixuntai": "zi1 xun2 tai2",
    "zh_banli": "ban4 li3",
    "zh_10": "shi2",
    "zh_100": "bai3",
} | {f"zh_{i}": p for i, p in enumerate(
    "ling2 yi1 er4 san1 si4 wu3 liu4 qi1 ba1 jiu3".split())}
_EN_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()

#: clip name → (espeak-ng voice, text) for every clip but the chime.
SOURCES: dict[str, tuple[str, str]] = (
    {name: ("cmn-latn-pinyin", text) for name, text in _ZH_PINYIN.items()}
    | {f"letter_{c}": ("en", c.upper()) for c in string.ascii_lowercase}
    | {f"en_{i}": ("en", w) for i, w in enumerate(_EN_WORDS)}
    | {f"en_{10 * (i + 2)}": ("en", w) for i, w in enumerate(_EN_TENS)}
    | {"en_100": ("en", "hundred"), "en_number": ("en", "number"),
       "en_please_go_to_window": ("en", "please go to window"),
       "en_please_go_to_help_desk": ("en", "please go to help desk")}
)
GENERATED = ASSETS_VOICE / "generated"
_SPEED = "150"  # words per minute: halls speak slowly and clearly
# Trim leading and trailing silence, then leave a short natural gap on both sides.
_TRIM = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse",
         "pad", "0.04", "0.06"]


class ClipGenerationError(VoiceError):
    """The clip set could not be generated; the message names the missing tool or the clip."""


def ensure_clips(dest: Path | str | None = None) -> Path:
    """Make sure every clip exists in ``dest`` (default ``assets/voice/generated``); return it.

    Only missing or malformed clips are made, several at a time.
    """
    folder = Path(dest) if dest is not None else GENERATED
    if not _usable(folder / "chime.wav"):
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(folder / "chime.wav", wav_bytes(chime_frames()))
    return make_clips(SOURCES, folder)


def make_clips(sources: dict[str, tuple[str, str]], folder: Path) -> Path:
    """Make each clip of ``sources`` (name → espeak-ng voice and text) missing from ``folder``."""
    todo = [name for name in sources if not _usable(folder / f"{name}.wav")]
    if todo:
        folder.mkdir(parents=True, exist_ok=True)
        espeak, sox = _tool("espeak-ng"), _tool("sox")
        with ThreadPoolExecutor(max_workers=min(8, 2 * (os.cpu_count() or 1))) as pool:
            list(pool.map(lambda n: _speak_clip(espeak, sox, sources[n], n, folder / f"{n}.wav"), todo))
    return folder


def chime_frames(seconds: float = 1.2) -> bytes:
    """A two-tone 'ding-dong' (E5 then C5) with soft harmonics and a bell-like decay."""
    samples = array.array("h")
    half = int(RATE * seconds / 2)
    for freq in (659.25, 523.25):
        for i in range(half):
            t = i / RATE
            envelope = math.exp(-4.0 * t) * min(1.0, t / 0.005)  # 5 ms attack avoids a click
            wave_ = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            samples.append(int(9000 * envelope * wave_))
    return samples.tobytes()


def _usable(path: Path) -> bool:
    try:
        return len(read_clip(path)) > 0
    except ClipError:
        return False


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ClipGenerationError(
            f"{name} is not installed; it is needed to generate the placeholder voice clips"
            " (apt-get install espeak-ng sox)"
        )
    return path


def _speak_clip(espeak: str, sox: str, source: tuple[str, str], name: str, dest: Path) -> None:
    voice, text = source
    with tempfile.TemporaryDirectory(prefix="kiosk-clip-") as tmp:
        raw, out = Path(tmp) / "raw.wav", Path(tmp) / "out.wav"
        _run([espeak, "-v", voice, "-s", _SPEED, "-w", str(raw), text], name)
        _run([sox, str(raw), "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer",
              str(out), *_TRIM], name)
        _write_atomic(dest, out.read_bytes())


def _run(command: list[str], name: str) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise ClipGenerationError(
            f"making clip {name}: {Path(command[0]).name} failed: {exc} {detail.decode(errors='replace')}"
        ) from exc


def _write_atomic(dest: Path, data: bytes) -> None:
    """Write via a temporary name so a concurrent reader never sees half a clip."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
