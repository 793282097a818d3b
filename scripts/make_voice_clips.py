#!/usr/bin/env python3
"""Generate the placeholder voice clips (espeak-ng + sox) into assets/voice/generated/.

Idempotent: clips already present are kept. Usage: ``python scripts/make_voice_clips.py [DEST]``.
The work is done by :func:`drivers.voice.generate.ensure_clips`, which the set-up script calls too.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without install

from drivers.voice.generate import ClipGenerationError, ensure_clips  # noqa: E402


def main(argv: list[str]) -> int:
    """Generate the clips into ``argv[0]`` or the default folder; print where they are."""
    try:
        folder = ensure_clips(Path(argv[0]) if argv else None)
    except ClipGenerationError as exc:
        print(f"make_voice_clips: {exc}", file=sys.stderr)
        return 1
    print(f"voice clips ready in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
