"""The display's voice: a ``drivers.voice`` Announcer chosen from the ``[voice]`` config.

``qt`` uses the system text-to-speech where it has a voice, ``clips`` joins recorded clips and
plays them through a player program; whichever cannot work falls back to the next (clips, then
silent), so a hall without speakers still shows its calls. The announcer queues and plays on its
own threads: ``announce`` returns at once and the GUI never waits for sound.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from drivers.voice import (
    ALL_CLIPS,
    Announcer,
    AnnouncerSettings,
    AnnouncerStatus,
    AudioSink,
    Chime,
    ClipLibrary,
    ClipsBackend,
    CommandSink,
    SilentBackend,
    UtteranceError,
    VoiceBackend,
    WavFileSink,
    default_clip_folders,
)
from kiosk.config import VoiceSettings
from kiosk.models import Call
from ui.calling.help import HelpNotice

log = logging.getLogger(__name__)


def utterance_lang(languages: list[str]) -> str:
    """The announcer's language for the configured list: ``zh``, ``en`` or ``both``."""
    langs = set(languages)
    if langs >= {"zh", "en"}:
        return "both"
    return "en" if langs == {"en"} else "zh"


def clip_library(settings: VoiceSettings) -> ClipLibrary:
    """The hall's clips (``clips_dir``) before the project's recorded and generated ones."""
    folders = ([settings.clips_dir] if settings.clips_dir else []) + default_clip_folders()
    return ClipLibrary(folders)


def sink_for(settings: VoiceSettings) -> AudioSink | None:
    """Where sound goes: WAV files in ``output_dir`` when set, else the first player program
    found (None: no player here)."""
    if settings.output_dir:
        return WavFileSink(settings.output_dir)
    return CommandSink.detect()


def choose_backend(settings: VoiceSettings, sink: AudioSink | None = None,
                   qt_factory: Callable[[], VoiceBackend | None] | None = None) -> VoiceBackend:
    """The best backend that can work here, following the configured preference."""
    if settings.backend == "silent":
        return SilentBackend()
    if settings.backend == "qt" and qt_factory is not None:
        backend = qt_factory()
        if backend is not None:
            return backend
        log.warning("voice: no text-to-speech voice found; falling back to clips")
    library = clip_library(settings)
    missing = library.missing(ALL_CLIPS)
    if missing:
        log.warning("voice: %d clip(s) missing (e.g. %s); announcements are silent",
                    len(missing), missing[0])
        return SilentBackend()
    sink = sink or sink_for(settings)
    if sink is None:
        log.warning("voice: no audio player found (aplay, paplay, play); announcements are silent")
        return SilentBackend()
    return ClipsBackend(library, sink)


class CallVoice:
    """Speaks every call once per configured repeat, in order, in the configured languages."""

    def __init__(self, backend: VoiceBackend, settings: VoiceSettings,
                 announcer_settings: AnnouncerSettings | None = None,
                 on_status: Callable[[AnnouncerStatus], None] | None = None) -> None:
        self.lang = utterance_lang(settings.languages)
        self.announcer = Announcer(
            backend, announcer_settings or AnnouncerSettings(repeat=settings.repeat),
            on_status=on_status, name="display-voice")

    def announce(self, call: Call) -> bool:
        """Queue ``call``; False when it was queued before (a replayed event) or is malformed."""
        try:
            return self.announcer.announce_call(call.model_dump(mode="json"), self.lang)
        except UtteranceError as exc:
            log.warning("voice: cannot announce call %s: %s", call.seq, exc)
            return False

    def chime(self, notice: HelpNotice) -> bool:
        """Queue the chime for a kiosk's call for staff (once per call, not repeated); False
        when it was queued before."""
        return self.announcer.announce(Chime(notice.device, self.lang), key=("help", *notice.key))

    def status(self) -> AnnouncerStatus:
        """The announcer's status."""
        return self.announcer.status()

    def close(self) -> None:
        """Stop speaking."""
        self.announcer.close()
