"""The calling screen against a real in-process hall: calls appear, are spoken and signed."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtGui import QImage

from drivers.sign import Ascii485Protocol, SignBus, SimTransport
from drivers.voice import AnnouncerSettings, ClipLibrary, ClipsBackend, RecordingSink
from kiosk.config import DisplaySettings, VoiceSettings
from tests.ui.test_calling_support import clips, dev_hall, issue  # noqa: F401 - fixtures
from ui.calling.display import CallingDisplay
from ui.calling.led import FONT_PX, bitmap_font
from ui.calling.signs import SignFollower
from ui.calling.voice import CallVoice


def make_display(qtbot, hall, **kwargs) -> CallingDisplay:  # noqa: ANN001
    display = CallingDisplay(hall, **kwargs)
    qtbot.addWidget(display)
    display.resize(960, 540)
    display.start()
    qtbot.waitUntil(lambda: display.linked and display.model.catalog is not None, timeout=5000)
    return display


@pytest.fixture
def stop_later():
    """Displays to stop at the end of a test (their threads must not outlive it)."""
    displays: list[CallingDisplay] = []
    yield displays.append
    for display in displays:
        display.stop()


def test_a_call_appears_on_the_board_within_one_refresh(qtbot, dev_hall, stop_later) -> None:  # noqa: F811
    display = make_display(qtbot, dev_hall)
    stop_later(display)
    ticket = issue(dev_hall, "SS01")
    call = dev_hall.call_next(1)
    assert call is not None and call.number == ticket.number
    qtbot.waitUntil(lambda: display.shown_numbers()[:1] == [ticket.number], timeout=3000)
    texts = display.matrix.texts()
    assert "".join(t for k, t in sorted(texts.items()) if k.startswith("latest.")) == \
        f"请{ticket.number}号到1号窗口"
    assert texts["recent.0.number"] == ticket.number
    assert texts["recent.0.window"] == "1号窗口"


def test_start_fills_the_list_with_recent_calls_without_announcing_them(
        qtbot, dev_hall, stop_later) -> None:  # noqa: F811
    numbers = []
    for window in (1, 2, 3):
        issue(dev_hall, "SS01")
        numbers.append(dev_hall.call_next(window).number)
    display = make_display(qtbot, dev_hall)
    stop_later(display)
    qtbot.waitUntil(lambda: display.shown_numbers() == numbers[::-1], timeout=3000)
    assert display.announced == []


def test_waiting_counts_follow_the_queue(qtbot, dev_hall, stop_later) -> None:  # noqa: F811
    display = make_display(qtbot, dev_hall)
    stop_later(display)
    for _ in range(3):
        issue(dev_hall, "TX01")
    qtbot.waitUntil(lambda: display.model.waiting.get("TX01") == 3, timeout=3000)
    display.resize(1280, 1024)  # room for every service on one page
    display.show()
    qtbot.waitUntil(lambda: display.matrix.rows == 341, timeout=3000)
    prefix = dev_hall.catalog().service("TX01").prefix
    cells = {name: text for name, text in display.matrix.texts().items() if name.startswith("waiting.")}
    badge = next(k for k, v in cells.items() if v == prefix and k.endswith(".badge"))
    assert display.matrix.item(badge).badge  # the letter apart from the name, as a badge
    assert cells[badge.replace(".badge", ".name")] == "发票申领"
    assert cells[badge.replace(".badge", ".count")] == "3人"


def test_burst_of_ten_calls_is_shown_and_announced_in_order_never_overlapping(
        qtbot, dev_hall, clips, stop_later) -> None:  # noqa: F811
    sink = RecordingSink(time_scale=0.1)  # "plays" a tenth of each WAV's length
    voice = CallVoice(ClipsBackend(ClipLibrary([clips]), sink), VoiceSettings(languages=["zh"], repeat=2),
                      AnnouncerSettings(repeat=2, repeat_gap=0.0, call_gap=0.0))
    display = make_display(qtbot, dev_hall, settings=DisplaySettings(recent_calls=10), voice=voice)
    stop_later(display)
    for _ in range(10):
        issue(dev_hall, "SS01")
    windows = [1, 2, 3] * 4
    calls = []
    # All ten calls land while the GUI thread is busy elsewhere: they arrive as one burst.
    worker = threading.Thread(target=lambda: calls.extend(dev_hall.call_next(w) for w in windows[:10]))
    worker.start()
    worker.join()
    order = [c.number for c in calls]
    qtbot.waitUntil(lambda: [c.number for c in display.announced] == order, timeout=5000)
    assert display.shown_numbers() == order[::-1]
    assert voice.announcer.wait_idle(10)
    played = sink.playbacks
    expected = [f"请{c.number}号到{c.window}号窗口办理" for c in calls for _ in range(2)]
    assert [p.label for p in played] == expected
    for before, after in zip(played, played[1:], strict=False):
        assert before.ended is not None and after.started >= before.ended


def test_a_replayed_call_event_is_neither_shown_nor_spoken_twice(qtbot, dev_hall, stop_later) -> None:  # noqa: F811
    display = make_display(qtbot, dev_hall)
    stop_later(display)
    issue(dev_hall, "SS01")
    call = dev_hall.call_next(1)
    qtbot.waitUntil(lambda: len(display.announced) == 1, timeout=3000)
    display._on_event("call", call.model_dump(mode="json"))
    display._on_calls([call], False)
    assert [c.seq for c in display.announced] == [call.seq]
    assert display.shown_numbers() == [call.number]


def test_a_recall_is_shown_and_announced_again(qtbot, dev_hall, stop_later) -> None:  # noqa: F811
    display = make_display(qtbot, dev_hall)
    stop_later(display)
    issue(dev_hall, "SS01")
    call = dev_hall.call_next(1)
    from kiosk.models import ActionRequest

    dev_hall.act(call.ticket, "recall", ActionRequest(window=1))
    qtbot.waitUntil(lambda: len(display.announced) == 2, timeout=3000)
    assert [c.number for c in display.announced] == [call.number] * 2
    assert display.announced[1].repeat == 1


def test_the_window_sign_gets_the_call_for_its_address(qtbot, dev_hall, stop_later) -> None:  # noqa: F811
    sim = SimTransport()
    bus = SignBus(sim, Ascii485Protocol(), gap=0.0)
    signs = SignFollower([(bus, {1: 11, 3: 13})])
    display = make_display(qtbot, dev_hall, signs=signs)
    stop_later(display)
    issue(dev_hall, "SS01")
    issue(dev_hall, "SS01")
    issue(dev_hall, "TX01")
    first, second = dev_hall.call_next(3), dev_hall.call_next(1)
    third = dev_hall.call_next(8)  # window 8 has no sign on this bus
    qtbot.waitUntil(lambda: len(display.announced) == 3, timeout=3000)
    assert bus.wait_idle(3)
    frames = [Ascii485Protocol().decode(f.data) for f in sim.frames]
    assert sorted(frames) == sorted([(13, f"请{first.number}号"), (11, f"请{second.number}号")])
    assert third.window == 8 and all(address not in (8,) for address, _ in frames)


def test_window_screen_shows_only_its_window_and_pause(qtbot, dev_hall, stop_later) -> None:  # noqa: F811
    display = make_display(qtbot, dev_hall, window=3)
    stop_later(display)
    issue(dev_hall, "SS01")
    issue(dev_hall, "SS01")
    other, mine = dev_hall.call_next(1), dev_hall.call_next(3)
    qtbot.waitUntil(lambda: display.matrix.texts().get("latest") == mine.number, timeout=3000)
    assert [c.number for c in display.announced] == [mine.number]
    assert other.number not in display.shown_numbers()
    assert display.matrix.texts()["window"] == "3号窗口"
    from kiosk.models import WindowChange

    dev_hall.change_window(3, WindowChange(paused=True))
    qtbot.waitUntil(lambda: display.matrix.texts().get("hint") == "暂停服务", timeout=3000)


def test_reconnecting_mark_follows_the_link_status(qtbot, dev_hall, stop_later) -> None:  # noqa: F811
    display = make_display(qtbot, dev_hall)
    stop_later(display)
    assert "link" not in display.matrix.texts()
    display.feed.status.emit("reconnecting")
    assert display.matrix.texts()["link"] == "重连中"
    display.feed.status.emit("connected")
    assert "link" not in display.matrix.texts()


def test_board_dots_are_exactly_the_bitmap_font_pixels(qtbot, dev_hall) -> None:  # noqa: F811
    display = CallingDisplay(dev_hall)
    qtbot.addWidget(display)
    display.resize(1920, 1080)
    display.show()
    qtbot.waitExposed(display)
    display.model.set_catalog(dev_hall.catalog())
    display.relayout()
    matrix = display.matrix
    pitch = matrix.pitch()
    assert pitch == 5
    image = QImage(matrix.size(), QImage.Format.Format_RGB32)
    matrix.render(image)
    item = matrix.item("hall")
    bitmap = bitmap_font().text(item.text)
    assert bitmap.width == 16 * len(item.text)  # Chinese glyphs are 16 pixels wide
    mismatches = 0
    for y in range(FONT_PX):
        for x in range(bitmap.width):
            colour = image.pixelColor((item.x + x) * pitch + pitch // 2, (item.y + y) * pitch + pitch // 2)
            lit = colour.red() > 150 and colour.green() > 100  # amber
            mismatches += lit != bitmap.lit(x, y)
    assert mismatches == 0
    assert sum(bin(r).count("1") for r in bitmap.rows) > 100  # not a blank bitmap


def test_glyph_and_text_pixmaps_are_cached(qtbot, dev_hall) -> None:  # noqa: F811
    display = CallingDisplay(dev_hall)
    qtbot.addWidget(display)
    display.resize(1920, 1080)
    display.model.set_catalog(dev_hall.catalog())
    display.relayout()
    image = QImage(display.size(), QImage.Format.Format_RGB32)
    display.render(image)
    renders = display.matrix.cache.renders
    for _ in range(5):
        display.frame()
        display.render(image)
    assert display.matrix.cache.renders == renders


def test_a_desk_is_called_a_desk_on_the_board_and_its_own_screen(qtbot, dev_hall, stop_later) -> None:  # noqa: F811
    board = make_display(qtbot, dev_hall)
    desk = make_display(qtbot, dev_hall, window=18)
    stop_later(board)
    stop_later(desk)
    ticket = issue(dev_hall, "GC01")
    dev_hall.call_next(18)
    qtbot.waitUntil(lambda: desk.matrix.texts().get("latest") == ticket.number, timeout=3000)
    qtbot.waitUntil(lambda: board.shown_numbers()[:1] == [ticket.number], timeout=3000)
    texts = board.matrix.texts()
    assert texts["recent.0.window"] == "18号咨询台" and texts["recent.0.service"] == "综合咨询"
    assert "".join(t for k, t in sorted(texts.items()) if k.startswith("latest.")) == \
        f"请{ticket.number}号到18号咨询台"
    assert [texts[f"recent.head.{k}"] for k in ("number", "window", "service")] == ["号码", "窗口", "业务"]
    assert desk.matrix.texts()["hint"] == "请到本咨询台办理" and desk.matrix.texts()["window"] == "18号咨询台"
    desk.set_language("en")
    assert desk.matrix.texts()["window"] == "Help desk 18"
    board.set_language("en")
    texts = board.matrix.texts()
    assert texts["recent.0.window"] == "Help desk 18" and texts["recent.0.service"] == "Quick Enquiries"
    assert [texts[f"recent.head.{k}"] for k in ("number", "window", "service")] == ["No.", "Window", "Service"]
