"""Build the generated assets (compiled translations, placeholder voice clips) when missing.

Run by the set-up script; every step is idempotent and skips itself when its output is newer
than its input, so running it again costs almost nothing. Nothing built here is committed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "ui" / "i18n"


def compile_translations() -> list[Path]:
    """``ui/i18n/*.ts`` → ``.qm`` with pyside6-lrelease, for each stale or missing catalogue."""
    lrelease = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    built = []
    for ts in sorted(I18N.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
        built.append(qm)
    return built


def make_voice_clips() -> None:
    """The placeholder voice clips (espeak-ng), unless recorded ones or a previous run made them."""
    from drivers.voice.generate import ClipGenerationError, ensure_clips
    from drivers.voice.guide import ensure_guide_clips

    try:
        ensure_clips()
        ensure_guide_clips()
    except ClipGenerationError as exc:  # espeak-ng or sox missing: voice falls back to silent
        print(f"buildassets: placeholder voice clips skipped: {exc}")


def main() -> int:
    """Build every generated asset that is missing or stale."""
    built = compile_translations()
    if built:
        print(f"buildassets: compiled {len(built)} translation catalogue(s)")
    make_voice_clips()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
