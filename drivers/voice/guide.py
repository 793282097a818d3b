"""Voice guidance at the kiosk (适老化): each screen's title and main action read aloud.

The phrases are fixed, so they are clips like the announcements' (a hall drops recorded ones in
``assets/voice/``; ``ensure_guide_clips`` makes placeholders with espeak-ng). ``Guide`` speaks
on its own thread: the GUI never waits for sound, and a new screen's words replace words not yet
spoken and cut off the ones being spoken (a citizen who moves on does not hear the last screen).
"""

from __future__ import annotations

import logging
from pathlib import Path

from drivers.voice.backend import VoiceError
from drivers.voice.clips import ClipLibrary, wav_bytes
from drivers.voice.sinks import AudioSink
from drivers.worker import DeviceWorker

log = logging.getLogger(__name__)

#: screen → (Chinese in pinyin for espeak-ng's cmn voice, English): the title and what to do.
GUIDE_PHRASES: dict[str, tuple[str, str]] = {
    "home": ("qing3 xuan3 ze2 ban4 li3 shi4 xiang4, an4 xia4 shi4 xiang4 de5 an4 niu3",
             "Please choose a service by touching its button."),
    "materials": ("qing3 he2 dui4 suo3 xu1 cai2 liao4, ran2 hou4 an4 ji4 xu4",
                  "Please check the documents you need, then press continue."),
    "identify": ("qing3 jiang1 shen1 fen4 zheng4 fang4 zai4 du2 ka3 qu1",
                 "Please place your ID card on the reader."),
    "booking": ("qing3 shu1 ru4 yu4 yue1 ma3, ran2 hou4 an4 qian1 dao4",
                "Please enter your booking code, then press check in."),
    "priority": ("nin2 ke3 yi3 xuan3 ze2 lao3 nian2 ren2 you1 xian1",
                 "You may choose the priority line for senior citizens."),
    "printing": ("zheng4 zai4 chu1 piao4, qing3 shao1 hou4", "Printing your ticket, please wait."),
    "done": ("qing3 qu3 zou3 nin2 de5 pai2 dui4 piao4, liu2 yi4 jiao4 hao4",
             "Please take your ticket and wait for your number."),
    "eticket": ("qing3 pai1 xia4 ping2 mu4 shang4 de5 er4 wei2 ma3",
                "Please take a photo of the code on the screen."),
    "error": ("wu2 fa3 qu3 hao4, qing3 kan4 ping2 mu4 shang4 de5 shuo1 ming2",
              "No ticket could be given. Please read the screen."),
    "unavailable": ("zan4 ting2 fu2 wu4, qing3 zhao3 gong1 zuo4 ren2 yuan2 bang1 zhu4",
                    "Service unavailable. Please ask the staff."),
    "help": ("yi3 tong1 zhi1 gong1 zuo4 ren2 yuan2, qing3 shao1 hou4",
             "Staff have been called. Please wait."),
}


def guide_clip(screen: str, lang: str) -> str:
    """The clip name of ``screen``'s guidance in ``lang``."""
    return f"guide_{screen}_{lang}"


#: clip name → (espeak-ng voice, text), for every guidance clip.
GUIDE_SOURCES: dict[str, tuple[str, str]] = {
    **{guide_clip(s, "zh"): ("cmn-latn-pinyin", zh) for s, (zh, _en) in GUIDE_PHRASES.items()},
    **{guide_clip(s, "en"): ("en", en) for s, (_zh, en) in GUIDE_PHRASES.items()},
}


def ensure_guide_clips(dest: Path | str | None = None) -> Path:
    """Make the missing guidance clips with espeak-ng and sox (``ensure_clips``' way)."""
    from drivers.voice.generate import GENERATED, make_clips

    return make_clips(GUIDE_SOURCES, Path(dest) if dest is not None else GENERATED)


class Guide(DeviceWorker):
    """Reads screens' guidance aloud through ``sink``, one at a time, the newest first."""

    def __init__(self, library: ClipLibrary, sink: AudioSink):
        super().__init__("voice-guide", status=None)
        self.library = library
        self.sink = sink
        self._next: str | None = None
        self.spoken: list[str] = []  # clip names, in order (the diagnostics and tests read it)

    def say(self, screen: str, lang: str) -> bool:
        """Speak ``screen``'s guidance in ``lang`` soon, instead of whatever was still to come;
        False when there is no such clip (the screen stays silent)."""
        clip = guide_clip(screen, lang)
        if self.library.missing([clip]):
            return False
        with self._cond:
            self._next = clip
            self._cond.notify_all()
        self.start()
        self.sink.cancel()  # cut off the last screen's words
        return True

    def _has_work(self) -> bool:
        return self._next is not None

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._next is None and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                clip, self._next = self._next, None
                self._busy = True
            try:
                self.sink.play(wav_bytes(self.library.frames(clip)), clip)
                self.spoken.append(clip)
            except VoiceError as exc:  # a missing player or a broken clip: guidance is optional
                log.warning("voice guidance: %s", exc)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def close(self) -> None:
        """Stop speaking and end the thread."""
        self._stop_thread(2.0, self.sink.cancel)
