"""The voice backend interface, and the silent backend for tests and headless halls.

A backend speaks one announcement (an :class:`~drivers.voice.utterance.Utterance`, or a
:class:`~drivers.voice.utterance.Chime` alone) per blocking ``play`` call. The
:class:`~drivers.voice.announcer.Announcer` serialises calls, bounds each one by a timeout derived
from :meth:`VoiceBackend.duration`, and calls :meth:`VoiceBackend.cancel` from another thread when
a playback overruns. A Qt text-to-speech backend (in ``ui/``) fits the same four methods.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod

from drivers.voice.utterance import Announcement


class VoiceError(Exception):
    """Base of the voice errors."""


class PlaybackError(VoiceError):
    """The sound could not be played; the message names the device or program and why."""


class RenderUnsupported(VoiceError):
    """The backend speaks but cannot produce a WAV file (e.g. a system TTS service)."""


class VoiceBackend(ABC):
    """Speaks utterances. Implementations need only :meth:`play`."""

    name: str = "voice"

    @abstractmethod
    def play(self, utterance: Announcement) -> None:
        """Speak ``utterance`` and return when it has finished; raise on failure."""

    def render_wav(self, utterance: Announcement) -> bytes:
        """The announcement as a WAV file, where the backend can produce one."""
        raise RenderUnsupported(f"the {self.name} backend cannot write WAV files")

    def duration(self, utterance: Announcement) -> float:
        """Expected seconds of speech, used to bound playback; a rough estimate by default."""
        chime = 1.5 if utterance.chime else 0.0
        # About four Chinese syllables or two and a half English words per second.
        return chime + 0.3 * len(utterance.text)

    def cancel(self) -> None:
        """Stop the current playback if possible; called from another thread. Never raises."""
        return None  # optional: most backends have nothing to do

    def close(self) -> None:
        """Release the backend's resources."""
        return None  # optional: most backends have nothing to do


class SilentBackend(VoiceBackend):
    """Plays nothing and remembers what it was asked to say (tests, headless servers)."""

    name = "silent"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._played: list[Announcement] = []

    def play(self, utterance: Announcement) -> None:
        """Record ``utterance``."""
        with self._lock:
            self._played.append(utterance)

    def duration(self, utterance: Announcement) -> float:
        return 0.0

    @property
    def played(self) -> list[Announcement]:
        """What was 'said', oldest first."""
        with self._lock:
            return list(self._played)
