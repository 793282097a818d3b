"""Voice announcements: ``请A012号到3号窗口办理`` after a chime, queued, repeated, never stuck.

Typical use, once per call event::

    # clips from assets/voice/ (recorded) else assets/voice/generated/, played by aplay/paplay/play
    announcer = Announcer(open_voice_backend("clips"), AnnouncerSettings(lang="both"))
    announcer.announce_call(call)  # or announcer.announce(Utterance("A012", 3, "both"))
    announcer.announce(Chime("K01"))  # the chime alone: a kiosk calls for staff
    announcer.status()  # queued, faults, last_fault, dropped, stuck
"""

from drivers.voice.announcer import Announcer, AnnouncerSettings, AnnouncerStatus
from drivers.voice.backend import (
    PlaybackError,
    RenderUnsupported,
    SilentBackend,
    VoiceBackend,
    VoiceError,
)
from drivers.voice.clips import (
    ClipError,
    ClipLibrary,
    ClipsBackend,
    default_clip_folders,
    read_clip,
    wav_bytes,
)
from drivers.voice.factory import BACKENDS, default_sink, open_voice_backend
from drivers.voice.sinks import (
    AudioSink,
    CommandSink,
    Playback,
    RecordingSink,
    WavFileSink,
    wav_seconds,
)
from drivers.voice.utterance import (
    ALL_CLIPS,
    LANGS,
    Announcement,
    Chime,
    Pause,
    Utterance,
    UtteranceError,
    en_cardinal,
    zh_cardinal,
)

__all__ = [
    "ALL_CLIPS",
    "BACKENDS",
    "LANGS",
    "Announcement",
    "Announcer",
    "AnnouncerSettings",
    "AnnouncerStatus",
    "AudioSink",
    "Chime",
    "ClipError",
    "ClipLibrary",
    "ClipsBackend",
    "CommandSink",
    "Pause",
    "Playback",
    "PlaybackError",
    "RecordingSink",
    "RenderUnsupported",
    "SilentBackend",
    "Utterance",
    "UtteranceError",
    "VoiceBackend",
    "VoiceError",
    "WavFileSink",
    "default_clip_folders",
    "default_sink",
    "en_cardinal",
    "open_voice_backend",
    "read_clip",
    "wav_bytes",
    "wav_seconds",
    "zh_cardinal",
]
