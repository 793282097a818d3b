"""The clerk's caller drives the real engine through its buttons and shortcuts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.models import WindowChange
from tests.ui.test_calling_support import dev_hall, issue  # noqa: F401 - fixtures
from ui.calling.counter import CounterWindow
from ui.calling.display import CallingDisplay
from ui.i18n import Languages

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def counter(qtbot, dev_hall):  # noqa: F811
    """The caller of window 1, loaded and following the hall."""
    window = CounterWindow(dev_hall, 1, recall_limit=3)
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.state.catalog is not None, timeout=5000)
    yield window
    window.stop()


def click(qtbot, counter: CounterWindow, action: str) -> None:  # noqa: ANN001
    qtbot.mouseClick(counter.buttons[action], Qt.MouseButton.LeftButton)


def wait_idle(qtbot, counter: CounterWindow) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: counter.lane.pending == 0, timeout=5000)


def test_call_next_button_calls_and_the_display_shows_it(qtbot, dev_hall, counter) -> None:  # noqa: F811
    display = CallingDisplay(dev_hall)
    qtbot.addWidget(display)
    display.start()
    try:
        ticket = issue(dev_hall, "SS01")
        click(qtbot, counter, "call-next")
        qtbot.waitUntil(lambda: counter.number.text() == ticket.number, timeout=3000)
        assert dev_hall.ticket(ticket.id).state == "called"
        qtbot.waitUntil(lambda: display.shown_numbers()[:1] == [ticket.number], timeout=3000)
    finally:
        display.stop()


def test_nobody_waiting_is_said_plainly(qtbot, counter) -> None:
    click(qtbot, counter, "call-next")
    wait_idle(qtbot, counter)
    assert counter.status.text() == "Nobody is waiting for this window."
    assert counter.number.text() == "—"


def test_shortcuts_drive_start_and_finish(qtbot, dev_hall, counter) -> None:  # noqa: F811
    ticket = issue(dev_hall, "SS02")
    counter.activateWindow()
    qtbot.waitActive(counter)
    for key, state in ((Qt.Key.Key_F1, "called"), (Qt.Key.Key_F3, "serving"), (Qt.Key.Key_F4, "done")):
        qtbot.keyClick(counter, key)
        wait_idle(qtbot, counter)
        assert dev_hall.ticket(ticket.id).state == state
    assert counter.number.text() == "—"


def test_recall_counts_up_to_the_limit_then_is_refused(qtbot, dev_hall, counter) -> None:  # noqa: F811
    ticket = issue(dev_hall, "SS01")
    click(qtbot, counter, "call-next")
    qtbot.waitUntil(lambda: counter.number.text() == ticket.number, timeout=3000)
    for n in (1, 2, 3):
        click(qtbot, counter, "recall")
        wait_idle(qtbot, counter)
        assert dev_hall.ticket(ticket.id).recalls == n
        assert f"recalled {n} of 3" in counter.detail.text()
    click(qtbot, counter, "recall")
    wait_idle(qtbot, counter)
    assert dev_hall.ticket(ticket.id).recalls == 3
    assert counter.status.text().startswith("Refused:") and "limit 3" in counter.status.text()


def test_hold_lists_the_ticket_and_call_back_brings_it_back(qtbot, dev_hall, counter) -> None:  # noqa: F811
    ticket = issue(dev_hall, "SS01")
    click(qtbot, counter, "call-next")
    qtbot.waitUntil(lambda: counter.number.text() == ticket.number, timeout=3000)
    click(qtbot, counter, "hold")
    wait_idle(qtbot, counter)
    assert dev_hall.ticket(ticket.id).state == "held"
    assert counter.number.text() == "—"
    assert [counter.held_list.item(i).text().split()[0] for i in range(counter.held_list.count())] == [ticket.number]
    assert counter.buttons["call-back"].isEnabled()
    click(qtbot, counter, "call-back")
    wait_idle(qtbot, counter)
    assert dev_hall.ticket(ticket.id).state == "called"
    assert counter.number.text() == ticket.number
    assert counter.held_list.count() == 0


def test_transfer_moves_the_ticket_to_the_chosen_service(qtbot, dev_hall, counter) -> None:  # noqa: F811
    ticket = issue(dev_hall, "SS01")
    click(qtbot, counter, "call-next")
    qtbot.waitUntil(lambda: counter.number.text() == ticket.number, timeout=3000)
    counter.transfer_to.setCurrentIndex(counter.transfer_to.findData("TX01"))
    click(qtbot, counter, "transfer")
    wait_idle(qtbot, counter)
    moved = dev_hall.ticket(ticket.id)
    assert (moved.service, moved.state) == ("TX01", "waiting")
    assert counter.number.text() == "—"


def test_paused_window_refuses_call_next_in_plain_words(qtbot, dev_hall, counter) -> None:  # noqa: F811
    issue(dev_hall, "SS01")
    click(qtbot, counter, "pause")
    wait_idle(qtbot, counter)
    assert counter.state.paused and counter.buttons["pause"].text().startswith("Resume")
    click(qtbot, counter, "call-next")
    wait_idle(qtbot, counter)
    assert counter.status.text() == "This window is paused. Resume it first."
    click(qtbot, counter, "pause")
    wait_idle(qtbot, counter)
    click(qtbot, counter, "call-next")
    wait_idle(qtbot, counter)
    assert counter.number.text() != "—"


def test_changes_made_elsewhere_reach_the_counter(qtbot, dev_hall, counter) -> None:  # noqa: F811
    issue(dev_hall, "SS01")
    issue(dev_hall, "SS02")
    qtbot.waitUntil(lambda: "SS01" in counter.state.waiting and counter.state.waiting["SS02"] == 1,
                    timeout=3000)
    call = dev_hall.call_next(1)  # another caller of the same window
    qtbot.waitUntil(lambda: counter.number.text() == call.number, timeout=3000)
    dev_hall.change_window(1, WindowChange(paused=True))
    qtbot.waitUntil(lambda: counter.state.paused, timeout=3000)


def test_counter_switches_to_chinese_live(qtbot, counter, tmp_path) -> None:  # noqa: F811
    ts = ROOT / "ui" / "i18n" / "calling_zh_CN.ts"
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), str(ts), "-qm", str(tmp_path / "calling_zh_CN.qm")],
                   check=True, capture_output=True)
    languages = Languages(QApplication.instance(), tmp_path)
    counter.languages = languages
    try:
        counter.toggle_language()
        assert languages.current == "zh"
        assert counter.buttons["call-next"].text() == "叫下一位 (F1)"
        assert counter.language_button.text() == "English"
        counter.toggle_language()
        assert counter.buttons["call-next"].text() == "Call next (F1)"
    finally:
        languages.set("en")
