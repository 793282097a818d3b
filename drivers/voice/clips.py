"""The clips backend: announcements built by joining short recorded WAV clips.

Clips are looked up by name in a list of folders, first match wins, so a hall's recorded clips in
``assets/voice/`` take precedence over the generated placeholders in ``assets/voice/generated/``
clip by clip. Every clip must be 16 kHz mono 16-bit PCM; joining needs nothing but ``wave``.
"""

from __future__ import annotations

import io
import threading
import wave
from collections.abc import Sequence
from pathlib import Path

from drivers.voice.backend import PlaybackError, VoiceBackend, VoiceError
from drivers.voice.sinks import AudioSink
from drivers.voice.utterance import Announcement, Pause, Segment

RATE = 16000
CHANNELS = 1
SAMPLE_WIDTH = 2
#: The voice assets folder of a source checkout.
ASSETS_VOICE = Path(__file__).resolve().parents[2] / "assets" / "voice"


class ClipError(VoiceError):
    """A clip that is missing or not in the required format; the message names the file."""


def default_clip_folders() -> list[Path]:
    """Recorded clips first, generated placeholders second."""
    return [ASSETS_VOICE, ASSETS_VOICE / "generated"]


def wav_bytes(frames: bytes) -> bytes:
    """16 kHz mono 16-bit PCM ``frames`` wrapped in a WAV header."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(CHANNELS)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(RATE)
        wav.writeframes(frames)
    return out.getvalue()


def read_clip(path: Path) -> bytes:
    """The PCM frames of a clip file, checking its format; raises :class:`ClipError`."""
    try:
        with wave.open(str(path), "rb") as wav:
            fmt = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getcomptype())
            if fmt != (CHANNELS, SAMPLE_WIDTH, RATE, "NONE"):
                raise ClipError(
                    f"clip {path} is {fmt[2]} Hz, {fmt[0]} channel(s), {8 * fmt[1]}-bit {fmt[3]};"
                    f" clips must be {RATE} Hz mono 16-bit PCM"
                )
            return wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise ClipError(f"cannot read clip {path}: {exc}") from exc


class ClipLibrary:
    """Named clips found in a list of folders, loaded once and kept in memory."""

    def __init__(self, folders: Sequence[Path | str] | None = None) -> None:
        self.folders = [Path(f) for f in (folders or default_clip_folders())]
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Path, int, bytes]] = {}

    def path(self, name: str) -> Path:
        """The file for clip ``name``: the first folder that has ``name.wav``."""
        for folder in self.folders:
            candidate = folder / f"{name}.wav"
            if candidate.is_file():
                return candidate
        where = ", ".join(str(f) for f in self.folders)
        raise ClipError(f"voice clip {name}.wav not found in {where}")

    def missing(self, names: Sequence[str]) -> list[str]:
        """The names among ``names`` that no folder has."""
        return [n for n in names if not any((f / f"{n}.wav").is_file() for f in self.folders)]

    def frames(self, name: str) -> bytes:
        """PCM frames of clip ``name``; reloaded when the file changes (a hall re-records it)."""
        path = self.path(name)
        mtime = path.stat().st_mtime_ns
        with self._lock:
            cached = self._cache.get(name)
            if cached and cached[0] == path and cached[1] == mtime:
                return cached[2]
        data = read_clip(path)
        with self._lock:
            self._cache[name] = (path, mtime, data)
        return data

    def join(self, plan: Sequence[Segment]) -> bytes:
        """PCM frames of clips and pauses in ``plan``, in order."""
        parts = []
        for segment in plan:
            if isinstance(segment, Pause):
                parts.append(bytes(SAMPLE_WIDTH * (RATE * segment.ms // 1000)))
            else:
                parts.append(self.frames(segment))
        return b"".join(parts)

    def seconds(self, plan: Sequence[Segment]) -> float:
        """Length of ``plan`` in seconds."""
        return len(self.join(plan)) / (SAMPLE_WIDTH * RATE)


class ClipsBackend(VoiceBackend):
    """Speaks by joining clips and handing the WAV to an audio sink (a player or a file)."""

    name = "clips"

    def __init__(self, library: ClipLibrary, sink: AudioSink | None = None) -> None:
        self.library = library
        #: None renders only (``render_wav``); ``play`` then raises.
        self.sink = sink

    def render_wav(self, utterance: Announcement) -> bytes:
        """The whole announcement as one WAV file."""
        return wav_bytes(self.library.join(utterance.plan()))

    def play(self, utterance: Announcement) -> None:
        """Render and play through the sink, blocking until it has finished."""
        if self.sink is None:
            raise PlaybackError("the clips backend has no audio sink to play through")
        self.sink.play(self.render_wav(utterance), utterance.text)

    def duration(self, utterance: Announcement) -> float:
        return self.library.seconds(utterance.plan())

    def cancel(self) -> None:
        if self.sink is not None:
            self.sink.cancel()
