"""Pick a voice backend by name, as the hall or display config names it."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

from drivers.voice.backend import SilentBackend, VoiceBackend, VoiceError
from drivers.voice.clips import ClipLibrary, ClipsBackend
from drivers.voice.sinks import AudioSink, CommandSink, WavFileSink

log = logging.getLogger(__name__)

#: Backend names this module builds (``qt`` lives in ``ui/`` and is built there).
BACKENDS = ("clips", "silent")


def default_sink(out_dir: Path | str | None = None) -> AudioSink:
    """WAV files in ``out_dir`` if given; else the first player program; else WAV files in a
    temporary folder (logged), so announcing never fails for want of a player."""
    if out_dir is not None:
        return WavFileSink(out_dir)
    player = CommandSink.detect()
    if player is not None:
        return player
    folder = Path(tempfile.gettempdir()) / "kiosk-voice"
    log.warning("no audio player (aplay, paplay, play) found; writing announcements to %s", folder)
    return WavFileSink(folder)


def open_voice_backend(
    name: str,
    *,
    clip_folders: Sequence[Path | str] | None = None,
    out_dir: Path | str | None = None,
) -> VoiceBackend:
    """The backend called ``name``; raises :class:`VoiceError` naming the known ones."""
    if name == "silent":
        return SilentBackend()
    if name == "clips":
        return ClipsBackend(ClipLibrary(clip_folders), default_sink(out_dir))
    raise VoiceError(f"unknown voice backend {name!r} (known here: {', '.join(BACKENDS)})")
