"""A kiosk's call for staff at the guide desk, over a real in-process hall on a fake clock: the
board and the desk's screen show it (a window's screen does not), the desk's sign and the
display's voice get it, the desk's caller can clear it, and it goes after ``help_seconds``."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from drivers.sign import Ascii485Protocol, SignBus, SimTransport
from drivers.voice import AnnouncerSettings, ClipLibrary, ClipsBackend, RecordingSink
from kiosk.config import DisplaySettings, VoiceSettings
from kiosk.hall import LocalHall, open_engine
from kiosk.models import HelpCall
from tests.conftest import SHANGHAI
from tests.ui.test_calling_support import HALL_TOML, clips, issue  # noqa: F401 - fixture
from tests.ui.test_kiosk_fixtures import qm_dir  # noqa: F401 - fixture
from ui.calling.counter import CounterWindow
from ui.calling.display import CallingDisplay
from ui.calling.help import HelpCalls
from ui.calling.signs import SignFollower
from ui.calling.voice import CallVoice
from ui.i18n import Languages

SECONDS = 30
DESK = 18
SETTINGS = DisplaySettings(help_seconds=SECONDS)


@pytest.fixture
def hall(tmp_path, clock) -> LocalHall:
    """The sample hall in-process, always open, on the fake clock."""
    return LocalHall(open_engine(HALL_TOML, tmp_path / "hall", dev=True, clock=clock))


@pytest.fixture
def make(qtbot, hall, clock):
    """Factory: a started display (``window`` None: the board) on the hall's clock."""
    made: list = []

    def build(window: int | None = None, **kwargs) -> CallingDisplay:  # noqa: ANN003
        display = CallingDisplay(hall, SETTINGS, window=window, clock=clock, **kwargs)
        qtbot.addWidget(display)
        made.append(display)
        display.resize(960, 540)
        display.start()
        qtbot.waitUntil(lambda: display.linked and display.model.catalog is not None, timeout=5000)
        return display

    yield build
    for widget in made:
        widget.stop()


def help_text(display: CallingDisplay) -> str:
    """The words of the calls for staff on a display, runs in order, spaces dropped."""
    texts = display.matrix.texts()
    return "|".join(texts[k] for k in sorted(texts) if k.startswith("help") and not k.endswith(".badge"))


def sign_frames(sim: SimTransport) -> list[tuple[int, str]]:
    return [Ascii485Protocol().decode(f.data) for f in sim.frames]


def test_a_call_for_staff_shows_chimes_and_signs_then_goes(qtbot, hall, clock, clips, make) -> None:  # noqa: F811
    sink = RecordingSink()
    voice = CallVoice(ClipsBackend(ClipLibrary([clips]), sink), VoiceSettings(languages=["zh"]),
                      AnnouncerSettings(repeat=2, repeat_gap=0.0, call_gap=0.0))
    sim = SimTransport()
    bus = SignBus(sim, Ascii485Protocol(), gap=0.0)
    board = make(voice=voice, signs=SignFollower([(bus, {DESK: 18, 3: 3})]))
    desk, window = make(DESK), make(3)
    ticket = issue(hall, "GC01")
    hall.call_next(DESK)
    qtbot.waitUntil(lambda: desk.matrix.texts().get("latest") == ticket.number, timeout=3000)

    call = hall.request_help("identify", device="K01")
    qtbot.waitUntil(lambda: help_text(board) == "K01号自助机 请求协助", timeout=3000)
    qtbot.waitUntil(lambda: help_text(desk).replace(" ", "").replace("|", "") == "K01号自助机请求协助",
                    timeout=3000)
    assert board.matrix.texts()["help.0.badge"] == "求助"
    assert board.matrix.texts()["latest.0"] == f"请{ticket.number}号到18号咨询台"  # not hidden
    assert desk.matrix.texts()["latest"] == ticket.number and "hint" not in desk.matrix.texts()
    assert [n.device for n in board.helped] == ["K01"] and board.helped[0].at == call.at
    qtbot.wait(200)  # the window's screen had the event as soon as the others
    assert window.helped == [] and help_text(window) == "" and window.matrix.texts()["hint"]
    assert voice.announcer.wait_idle(5)
    assert "K01号自助机请求协助" in [p.label for p in sink.playbacks]  # the chime, once
    assert bus.wait_idle(3)
    assert sign_frames(sim)[-1] == (18, "K01求助") and all(a != 3 for a, _ in sign_frames(sim))

    clock.advance(SECONDS - 1)
    qtbot.wait(1200)
    assert help_text(board) and help_text(desk)  # still shown a second before its time
    clock.advance(1)
    qtbot.waitUntil(lambda: help_text(board) == "" and help_text(desk) == "", timeout=3000)
    assert desk.matrix.texts()["hint"] == "请到本咨询台办理"
    assert len(board.matrix.problems()) == 0
    assert bus.wait_idle(3)
    assert sign_frames(sim)[-1] == (18, f"请{ticket.number}号")  # back to the desk's call
    assert [p.label for p in sink.playbacks].count("K01号自助机请求协助") == 1


def test_several_kiosks_are_listed_oldest_first_in_the_screen_language(qtbot, hall, make) -> None:
    sim = SimTransport()
    bus = SignBus(sim, Ascii485Protocol(), gap=0.0)
    board = make(signs=SignFollower([(bus, {DESK: 7})], lang="en"), lang="en")
    for device in ("K01", "K02", "K03"):
        hall.request_help("home", device=device)
    qtbot.waitUntil(lambda: len(board.helped) == 3, timeout=3000)
    assert help_text(board) == "Kiosk K01 needs help|Kiosks K02, K03 need help"
    assert board.matrix.texts()["help.0.badge"] == "HELP"
    assert bus.wait_idle(3)
    assert sign_frames(sim)[-1] == (7, "K03 HELP")  # the newest caller
    board.set_language("zh")
    assert help_text(board) == "K01号自助机 请求协助|K02、K03号自助机 请求协助"


def test_a_replayed_or_stale_call_is_not_shown_again(qtbot, hall, clock, make) -> None:
    board = make()
    call = hall.request_help("home", device="K01")
    qtbot.waitUntil(lambda: len(board.helped) == 1, timeout=3000)
    board._on_event("device", call.model_dump(mode="json"))  # the same event, replayed
    assert len(board.helped) == 1
    clock.advance(SECONDS)
    qtbot.waitUntil(lambda: help_text(board) == "", timeout=3000)
    board._on_event("device", call.model_dump(mode="json"))  # replayed after it went
    old = HelpCall(device="K02", at=call.at)  # made while this screen was cut off
    board._on_event("device", old.model_dump(mode="json"))
    board._on_event("device", {"event": "paper_low", "device": "K03"})  # another device event
    board._on_event("device", {"event": "help", "device": "K04", "at": "yesterday"})
    assert len(board.helped) == 1 and help_text(board) == ""
    fresh = HelpCall(device="K05", at=call.at + timedelta(seconds=SECONDS)).model_dump(mode="json")
    board._on_event("device", {**fresh, "added_later": True})  # a newer server's field: no matter
    assert [n.device for n in board.helped] == ["K01", "K05"]


def _at(clock, offset: float) -> datetime:  # noqa: ANN001
    """The fake clock's time ``offset`` seconds away, in hall time."""
    return datetime.fromtimestamp(clock.now() + offset, SHANGHAI)


def test_a_notice_is_counted_from_when_the_kiosk_called(clock) -> None:
    calls = HelpCalls(60, clock)
    call = HelpCall(device="K01", at=_at(clock, -50))
    notice = calls.take("device", call.model_dump(mode="json"))
    assert notice is not None and notice.until == pytest.approx(clock.now() + 10)
    late = HelpCall(device="K02", at=_at(clock, +5))  # the hall's clock ahead of this one
    assert calls.take("device", late.model_dump(mode="json")).until == pytest.approx(clock.now() + 60)
    clock.advance(10)
    assert [n.device for n in calls.expire()] == ["K01"] and calls.devices == ["K02"]
    assert calls.dismiss("K02") and not calls.dismiss("K02") and calls.active == []




def test_the_desk_counter_shows_the_call_and_i_am_going_clears_it(qtbot, hall, clock, make) -> None:
    board = make()
    counters = {}
    for number in (DESK, 1):
        counter = CounterWindow(hall, number, help_seconds=SECONDS, clock=clock)
        qtbot.addWidget(counter)
        counter.show()
        counter.start()
        counters[number] = counter
    try:
        for counter in counters.values():
            qtbot.waitUntil(lambda c=counter: c.state.catalog is not None and c.lane.pending == 0,
                            timeout=5000)
        desk_panel = counters[DESK].help_panel
        assert not desk_panel.isVisible()
        hall.request_help("home", device="K01")
        hall.request_help("home", device="K02")
        qtbot.waitUntil(lambda: desk_panel.isVisible() and desk_panel.buttons[1].isVisible(), timeout=3000)
        assert [t.text() for t in desk_panel.texts[:2]] == ["Kiosk K01 needs help", "Kiosk K02 needs help"]
        assert desk_panel.buttons[0].text() == "I'm going"
        qtbot.waitUntil(lambda: len(board.helped) == 2, timeout=3000)
        qtbot.mouseClick(desk_panel.buttons[0], Qt.MouseButton.LeftButton)
        assert desk_panel.calls.devices == ["K02"] and desk_panel.texts[0].text() == "Kiosk K02 needs help"
        assert not desk_panel.buttons[1].isVisible()
        assert help_text(board).count("号自助机") == 2  # only this caller was told
        qtbot.mouseClick(desk_panel.buttons[0], Qt.MouseButton.LeftButton)
        assert not desk_panel.isVisible()
        assert not counters[1].help_panel.isVisible() and counters[1].help_panel.calls.active == []
        hall.request_help("home", device="K03")
        qtbot.waitUntil(desk_panel.isVisible, timeout=3000)
        clock.advance(SECONDS)
        qtbot.waitUntil(lambda: not desk_panel.isVisible(), timeout=3000)
    finally:
        for counter in counters.values():
            counter.stop()


def test_the_desk_counter_says_it_in_chinese(qtbot, hall, clock, qm_dir) -> None:  # noqa: F811
    languages = Languages(QApplication.instance(), qm_dir)
    counter = CounterWindow(hall, DESK, help_seconds=SECONDS, clock=clock, languages=languages)
    qtbot.addWidget(counter)
    counter.start()
    try:
        qtbot.waitUntil(lambda: counter.state.catalog is not None and counter.lane.pending == 0, timeout=5000)
        for device in ("K01", "K02", "K03", "K04"):
            hall.request_help("home", device=device)
        qtbot.waitUntil(lambda: len(counter.help_panel.calls.active) == 4, timeout=3000)
        counter.toggle_language()
        panel = counter.help_panel
        assert [t.text() for t in panel.texts] == ["K01号自助机 请求协助", "K02号自助机 请求协助"]
        assert panel.buttons[0].text() == "我去处理" and panel.more.text() == "另有2台自助机请求协助"
    finally:
        counter.stop()
        languages.set("en")
