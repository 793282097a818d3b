# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""Voice guidance: each screen's title and main action read aloud, in elderly mode or always."""

from __future__ import annotations

import threading
import time

from drivers.voice import AudioSink, ClipLibrary, default_clip_folders
from drivers.voice.guide import GUIDE_PHRASES, Guide, guide_clip
from tests.ui.test_kiosk_fixtures import click, hall, make_kiosk, qm_dir, to_identify, wait_screen


def spoken(folder) -> list[str]:
    """The clips written to the voice's WAV folder, in order (``NNNN-guide-home-zh.wav``)."""
    return [p.stem.split("-", 1)[1] for p in sorted(folder.glob("*.wav"))]


def guided_kiosk(make_kiosk, tmp_path, mode):
    out = tmp_path / "voice"
    rig = make_kiosk(file_options={"voice_guidance": mode, "voice": {"output_dir": str(out)}})
    return rig, out


def test_elderly_mode_reads_each_screen_aloud(qtbot, make_kiosk, hall, tmp_path):
    rig, out = guided_kiosk(make_kiosk, tmp_path, "elderly")
    w = rig.window
    qtbot.wait(300)
    assert spoken(out) == []  # standard mode: silent
    click(qtbot, w.screens["home"].elderly_button)
    qtbot.waitUntil(lambda: spoken(out) == ["guide-home-zh"], timeout=5000)
    w.set_language("en")
    to_identify(qtbot, w, "GC01")
    qtbot.waitUntil(lambda: spoken(out)[-1:] == ["guide-identify-en"], timeout=5000)
    assert "guide-materials-en" in spoken(out)
    click(qtbot, w.help_button)
    qtbot.waitUntil(lambda: spoken(out)[-1:] == ["guide-help-en"], timeout=5000)


def test_always_reads_in_standard_mode_too(qtbot, make_kiosk, hall, tmp_path):
    rig, out = guided_kiosk(make_kiosk, tmp_path, "always")
    to_identify(qtbot, rig.window, "GC01")
    qtbot.waitUntil(lambda: spoken(out)[-1:] == ["guide-identify-zh"], timeout=5000)


def test_every_screen_and_language_has_its_clip():
    library = ClipLibrary(default_clip_folders())
    screens = {"home", "materials", "identify", "booking", "priority", "printing", "done", "eticket",
               "error", "unavailable", "help"}
    assert set(GUIDE_PHRASES) == screens
    assert library.missing([guide_clip(s, lang) for s in screens for lang in ("zh", "en")]) == []


class SlowSink(AudioSink):
    """Plays for ``seconds`` unless cancelled; records what finished and what was cut off."""

    def __init__(self, seconds: float):
        self.seconds, self.finished, self.cut = seconds, [], []
        self._cancel = threading.Event()

    def play(self, wav: bytes, label: str) -> None:
        self._cancel.clear()
        (self.cut if self._cancel.wait(self.seconds) else self.finished).append(label)

    def cancel(self) -> None:
        self._cancel.set()

    def describe(self) -> str:
        return "slow"


def test_a_new_screen_cuts_off_the_last_and_skips_what_was_not_yet_said():
    sink = SlowSink(0.5)
    guide = Guide(ClipLibrary(default_clip_folders()), sink)
    try:
        assert guide.say("home", "zh")
        time.sleep(0.1)  # "home" is being spoken
        for screen in ("materials", "identify", "done"):  # the citizen taps on quickly
            guide.say(screen, "zh")
        assert guide.wait_idle(5)
        # The screen the citizen is on is heard out, last; the first was cut off. (A screen in
        # between may get out a word or two before its successor arrives.)
        assert sink.finished[-1] == "guide_done_zh" and sink.cut[0] == "guide_home_zh"
        assert "guide_home_zh" not in sink.finished
        assert not guide.say("nowhere", "zh")  # no clip: silent, not an error
    finally:
        guide.close()
