"""A voice backend on Qt's text-to-speech (speech-dispatcher on Linux), for halls with a voice.

The announcer plays on its own thread, but QTextToSpeech lives on the GUI thread; ``play`` asks
it to speak through a queued signal and waits (on the announcer's thread, never the GUI's) until
the engine reports it is ready again. ``create`` returns None where no engine or voice exists,
so the display falls back to the clips.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QLocale, QObject, Signal, Slot

from drivers.voice import PlaybackError, Utterance, VoiceBackend

log = logging.getLogger(__name__)


class _Speaker(QObject):
    """The GUI-thread side: owns the QTextToSpeech object."""

    say = Signal(str, str)
    halt = Signal()

    def __init__(self, engine: str | None) -> None:
        super().__init__()
        from PySide6.QtTextToSpeech import QTextToSpeech

        self._tts = QTextToSpeech(engine) if engine else QTextToSpeech()
        self._ready = threading.Event()
        self._ready.set()
        self._error = ""
        self._tts.stateChanged.connect(self._state)
        self.say.connect(self._say)
        self.halt.connect(self._tts.stop)

    def has_voice(self) -> bool:
        """Whether the engine started and offers at least one voice."""
        from PySide6.QtTextToSpeech import QTextToSpeech

        return self._tts.state() != QTextToSpeech.State.Error and bool(self._tts.availableVoices())

    @Slot(str, str)
    def _say(self, text: str, lang: str) -> None:
        locale = QLocale(QLocale.Language.Chinese if lang == "zh" else QLocale.Language.English)
        if locale in self._tts.availableLocales():
            self._tts.setLocale(locale)
        self._tts.say(text)

    def _state(self, state) -> None:  # noqa: ANN001 - QTextToSpeech.State
        from PySide6.QtTextToSpeech import QTextToSpeech

        if state == QTextToSpeech.State.Error:
            self._error = self._tts.errorString() or "text-to-speech failed"
            self._ready.set()
        elif state == QTextToSpeech.State.Ready:
            self._ready.set()


class QtSpeechBackend(VoiceBackend):
    """Speaks the call's words with the system voice (Chinese, English or both in turn)."""

    name = "qt"

    def __init__(self, speaker: _Speaker) -> None:
        self._speaker = speaker

    @classmethod
    def create(cls, engine: str | None = None) -> QtSpeechBackend | None:
        """A backend on ``engine`` (default: the platform's), or None when it has no voice.

        Must be called on the GUI thread.
        """
        try:
            speaker = _Speaker(engine)
        except Exception as exc:  # the QtTextToSpeech module or plugin may be missing
            log.warning("text-to-speech unavailable: %s", exc)
            return None
        return cls(speaker) if speaker.has_voice() else None

    def play(self, utterance: Utterance) -> None:
        """Say the words and wait until the engine is done."""
        parts = {"zh": [("zh", utterance.text_zh)], "en": [("en", utterance.text_en)]}.get(
            utterance.lang, [("zh", utterance.text_zh), ("en", utterance.text_en)])
        for lang, text in parts:
            self._speak(text, lang, timeout=self.duration(utterance) * 2 + 3)

    def _speak(self, text: str, lang: str, timeout: float) -> None:
        speaker = self._speaker
        speaker._error = ""
        speaker._ready.clear()
        speaker.say.emit(text, lang)
        if not speaker._ready.wait(timeout):
            raise PlaybackError(f"text-to-speech did not finish within {timeout:.0f} s")
        if speaker._error:
            raise PlaybackError(f"text-to-speech: {speaker._error}")

    def cancel(self) -> None:
        self._speaker.halt.emit()
        self._speaker._ready.set()
