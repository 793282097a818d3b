"""The calling screen's parts: screen placement, voice choice, Qt speech, scrolling, the feed's
history search and the PySide6 reference-count stop-gap."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QRect, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from drivers.voice import ClipsBackend, RecordingSink, SilentBackend, Utterance
from kiosk.config import VoiceSettings
from tests.ui.test_calling_support import clips, dev_hall, issue  # noqa: F401 - fixtures
from ui.calling.feed import last_call_seq, recent_calls
from ui.calling.led import MARQUEE_GAP, MARQUEE_HOLD, LedMatrix, LedText, grid_for
from ui.calling.ledfont import BADGE_PAD, FONT_PX, badge, bitmap_font, whole_words_width, wrap
from ui.calling.screens import PRIMARY, ScreenKeeper, pick_screen
from ui.calling.tts import QtSpeechBackend
from ui.calling.voice import choose_backend, utterance_lang


class FakeScreen:
    """A monitor as the screen keeper sees it."""

    def __init__(self, name: str, x: int) -> None:
        self._name, self._geometry = name, QRect(x, 0, 1920, 1080)

    def name(self) -> str:
        return self._name

    def geometry(self) -> QRect:
        return self._geometry


def test_pick_screen_prefers_the_configured_one_then_the_primary() -> None:
    a, b, c = FakeScreen("a", 0), FakeScreen("b", 1920), FakeScreen("c", 3840)
    assert pick_screen([a, b, c], 2, a) is c
    assert pick_screen([a, b], 2, b) is b
    assert pick_screen([a, b], 5, None) is a
    assert pick_screen([], 0, None) is None


def test_keeper_follows_a_monitor_unplugged_and_plugged_back(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    main, side = FakeScreen("main", 0), FakeScreen("side", 1920)
    plugged = [main, side]
    keeper = ScreenKeeper(widget, 1, screens=lambda: list(plugged), primary=lambda: main)
    assert keeper.target() is side
    plugged.remove(side)
    assert keeper.target() is main
    plugged.append(side)
    assert keeper.target() is side


def test_keeper_places_the_window_full_screen_on_a_real_screen(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    keeper = ScreenKeeper(widget, 3)  # no fourth screen: the primary one is used
    keeper.place()
    primary = QGuiApplication.primaryScreen()
    assert keeper.current is primary
    qtbot.waitUntil(widget.isFullScreen, timeout=2000)
    assert widget.screen() is primary
    keeper._changed()  # what screenAdded/screenRemoved trigger: placed again, same screen
    qtbot.wait(50)
    assert keeper.current is primary and keeper.moves == 1


class ResizingScreen(QObject):
    """The geometry signal of a monitor whose resolution or orientation changes."""

    geometryChanged = Signal(QRect)  # noqa: N815 - QScreen's name


def test_keeper_gives_the_window_its_screens_geometry_and_follows_its_changes(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    keeper = ScreenKeeper(widget, PRIMARY)
    keeper.place()
    # PySide may drop a QScreen's Python wrapper when a widget placed on it earlier goes: ask
    # for the screen each time rather than keeping a wrapper across the event loop.
    geometry = QGuiApplication.primaryScreen().geometry()
    qtbot.waitUntil(widget.isFullScreen, timeout=2000)
    assert widget.geometry() == geometry  # also where no window manager sizes it
    assert keeper._geometry_link is not None  # it follows the screen it is on
    resized = ResizingScreen()
    keeper._follow(resized)
    widget.setGeometry(10, 10, 300, 200)  # left behind by the new resolution
    resized.geometryChanged.emit(QRect(0, 0, 1080, 1920))
    qtbot.waitUntil(lambda: widget.geometry() == geometry, timeout=2000)
    keeper._follow(ResizingScreen())  # the old screen is let go: its changes move nothing now
    widget.setGeometry(10, 10, 300, 200)
    resized.geometryChanged.emit(QRect(0, 0, 1920, 1080))
    qtbot.wait(50)
    assert widget.geometry() == QRect(10, 10, 300, 200) and keeper.moves == 1


def test_a_windowed_keeper_leaves_the_size_alone(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(640, 480)
    ScreenKeeper(widget, PRIMARY, windowed=True).place()
    qtbot.waitUntil(widget.isVisible, timeout=2000)
    assert not widget.isFullScreen() and widget.size().toTuple() == (640, 480)


def test_voice_backend_choice_falls_back_to_what_works(tmp_path, clips) -> None:  # noqa: F811
    sink = RecordingSink()
    assert isinstance(choose_backend(VoiceSettings(backend="silent"), sink), SilentBackend)
    with_clips = VoiceSettings(backend="clips", clips_dir=str(clips))
    assert isinstance(choose_backend(with_clips, sink), ClipsBackend)
    qt_without_voice = VoiceSettings(backend="qt", clips_dir=str(clips))
    assert isinstance(choose_backend(qt_without_voice, sink, qt_factory=lambda: None), ClipsBackend)
    assert utterance_lang(["zh", "en"]) == "both" and utterance_lang(["en"]) == "en"
    assert utterance_lang(["zh"]) == "zh"


def test_qt_speech_backend_speaks_off_the_gui_thread(qtbot) -> None:
    backend = QtSpeechBackend.create("mock")
    assert backend is not None
    done, errors = threading.Event(), []

    def speak() -> None:
        try:
            backend.play(Utterance("A012", 3, "both"))
        except Exception as exc:  # reported below
            errors.append(exc)
        done.set()

    threading.Thread(target=speak, daemon=True).start()
    qtbot.waitUntil(done.is_set, timeout=10000)  # the GUI thread keeps running meanwhile
    assert errors == []


def test_a_marquee_holds_its_first_whole_words_then_scrolls_a_dot_a_tick_and_loops(qtbot) -> None:
    matrix = LedMatrix(64, 16)
    qtbot.addWidget(matrix)
    matrix.resize(64, 16)
    text = "Bring your ID card"  # 144 dots in a 64-dot box
    matrix.set_item("notice", LedText(text, 0, 0, "amber", width=64, scroll=True))
    matrix.grab()
    assert matrix.painted["notice"][1] == 64 and matrix.painted["notice"][2]  # it scrolls
    assert matrix._hold_width(matrix.item("notice")) == matrix.text_width("Bring")  # not "Bring yo"
    for _ in range(MARQUEE_HOLD):
        matrix.tick()
    assert matrix.scroll_offset("notice") == 0
    for _ in range(10):
        matrix.tick()
    assert matrix.scroll_offset("notice") == 10
    matrix.tick(matrix.text_width(text) + MARQUEE_GAP - 10)
    assert matrix._scroll["notice"] == 0  # round again, holding at its start
    matrix.set_item("notice", LedText("Short", 0, 0, "amber", width=64, scroll=True))
    matrix.tick(5)
    assert matrix._scroll["notice"] == 0  # a text that fits stands still


def test_a_marquee_whose_first_word_is_too_long_scrolls_at_once(qtbot) -> None:
    matrix = LedMatrix(40, 16)
    qtbot.addWidget(matrix)
    matrix.set_item("name", LedText("Unresolved Matters", 0, 0, width=40, scroll=True))
    matrix.tick(3)
    assert matrix.scroll_offset("name") == 3


def test_the_check_finds_cut_outside_and_overlapping_runs_and_what_painting_cut(qtbot) -> None:
    matrix = LedMatrix(64, 32)
    qtbot.addWidget(matrix)
    matrix.resize(64, 32)
    matrix.set_item("fits", LedText("A012", 0, 0, width=32))
    assert matrix.problems() == []
    matrix.set_item("cut", LedText("3号窗口", 0, 16, width=40))  # 56 dots of text
    matrix.set_item("out", LedText("B", 60, 16, width=8))
    matrix.set_item("over", LedText("C", 20, 0, width=8))
    found = matrix.problems()
    assert "cut '3号窗口': needs 56 dots, has 40" in found
    assert "out 'B': outside the 64x32 grid" in found
    assert "fits overlaps over" in found
    matrix.clear()
    matrix.set_item("cut", LedText("3号窗口", 0, 16, width=40))
    matrix.grab()
    assert "cut: painted 56px of text in a 40px box" in matrix.problems()
    matrix.set_item("cut", LedText("3号窗口", 0, 16, width=40, scroll=True))
    matrix.grab()
    assert matrix.problems() == []


def test_the_grid_follows_the_screen_shape_with_whole_dots(qtbot) -> None:
    assert grid_for(1920, 1080, (384, 216)) == (384, 216, 5)
    assert grid_for(1080, 1920, (384, 216)) == (216, 384, 5)
    assert grid_for(1366, 768, (384, 216)) == (455, 256, 3)
    assert grid_for(1280, 1024, (128, 72)) == (128, 102, 10)
    matrix = LedMatrix(384, 216, base=(384, 216))
    qtbot.addWidget(matrix)
    matrix.resize(1920, 1080)
    matrix.show()
    grids = []
    matrix.gridChanged.connect(lambda cols, rows: grids.append((cols, rows)))
    matrix.resize(1080, 1920)
    matrix.resize(1366, 768)
    assert grids == [(216, 384), (455, 256)]
    assert all(0 <= margin < matrix.pitch() for margin in matrix.unlit_margin())


def test_a_badge_is_the_letter_dark_on_a_lit_block() -> None:
    letter = bitmap_font().text("A")
    block = badge(letter)
    assert block.width == letter.width + 2 * BADGE_PAD
    middle = FONT_PX // 2
    assert all(block.lit(x, middle) != letter.lit(x - BADGE_PAD, middle)
               for x in range(BADGE_PAD, BADGE_PAD + letter.width))
    assert block.lit(0, middle) and not any(block.lit(x, 0) for x in range(block.width))


def test_lines_wrap_between_words_and_never_before_a_closing_bracket() -> None:
    assert wrap("Window 6 (bundles)", 72) == ["Window 6", "(bundles)"]
    assert wrap("6号窗口（主题联办）", 72) == ["6号窗口", "（主题联", "办）"]
    assert wrap("Unresolved", 40) is None
    assert whole_words_width("Quick Enquiries", 100) == bitmap_font().width("Quick")


def test_history_search_finds_the_newest_calls(dev_hall) -> None:  # noqa: F811
    assert last_call_seq(dev_hall) == 0
    numbers = []
    for i in range(13):
        issue(dev_hall, "SS01")
        numbers.append(dev_hall.call_next(1 + i % 3).number)
    everything = dev_hall.calls(0, 500)
    assert last_call_seq(dev_hall) == everything[-1].seq
    assert [c.number for c in recent_calls(dev_hall, 5)] == numbers[-5:]
    assert recent_calls(dev_hall, 5, day="1999-01-01") == []
