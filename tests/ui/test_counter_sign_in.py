"""A clerk signs in at the counter on its number pad, is recorded on the tickets the window
serves, and is shown on the window's screen (issue 14). The counter and the screen run offscreen
over the real engine, in-process and through a real server on loopback."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.clerk_models import NewClerk
from kiosk.client import HallClient
from tests.ui.fit import fit_problems
from tests.ui.test_calling_display import make_display
from tests.ui.test_calling_shapes import SHAPES, shown
from tests.ui.test_calling_support import dev_hall, issue  # noqa: F401 - fixtures
from tests.ui.test_kiosk_fixtures import qm_dir  # noqa: F401 - fixture
from ui.calling.counter import CounterWindow
from ui.i18n import Languages

PIN = "482916"


@pytest.fixture
def clerk(dev_hall):  # noqa: F811
    dev_hall.engine.add_clerk(NewClerk(code="0123", name="张三", pin=PIN))
    return dev_hall


def make_counter(qtbot, hall, window: int) -> CounterWindow:  # noqa: ANN001
    counter = CounterWindow(hall, window)
    qtbot.addWidget(counter)
    counter.resize(1280, 800)
    counter.show()
    counter.start()
    qtbot.waitUntil(lambda: counter.state.catalog is not None, timeout=5000)
    return counter


def wait_idle(qtbot, counter: CounterWindow) -> None:
    qtbot.waitUntil(lambda: counter.lane.pending == 0, timeout=10000)


def type_on_pad(qtbot, counter: CounterWindow, code: str, pin: str) -> None:
    """The clerk taps the 工号, then the PIN field, then the PIN, on the on-screen pad."""
    panel = counter.sign_in
    panel.target = panel.code
    for key in code:
        qtbot.mouseClick(panel.keys[key], Qt.MouseButton.LeftButton)
    panel.target = panel.pin  # what touching the PIN field does (focus is not given offscreen)
    for key in pin:
        qtbot.mouseClick(panel.keys[key], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, counter)


def test_a_clerk_signs_in_on_the_pad_and_is_recorded_on_the_ticket(qtbot, clerk) -> None:
    counter = make_counter(qtbot, clerk, 1)
    try:
        assert counter.clerk_label.text() == "Nobody is signed in at this window."
        qtbot.mouseClick(counter.sign_button, Qt.MouseButton.LeftButton)
        assert counter.pages.currentWidget() is counter.sign_in

        type_on_pad(qtbot, counter, "0123", "1111")
        assert counter.sign_in.error.text() == "Staff number or PIN is wrong. Check both and try again."
        assert counter.sign_in.pin.text() == ""  # cleared for the next try
        qtbot.mouseClick(counter.sign_in.keys["clear"], Qt.MouseButton.LeftButton)

        counter.sign_in.code.setText("")
        type_on_pad(qtbot, counter, "0123", PIN)
        assert counter.pages.currentIndex() == 0
        assert counter.clerk_label.text() == "Clerk: 张三 (0123)"
        assert counter.sign_button.text() == "Sign out"

        ticket = issue(clerk, "SS01")
        qtbot.mouseClick(counter.buttons["call-next"], Qt.MouseButton.LeftButton)
        wait_idle(qtbot, counter)
        assert clerk.ticket(ticket.id).clerk == "0123"

        qtbot.mouseClick(counter.sign_button, Qt.MouseButton.LeftButton)
        wait_idle(qtbot, counter)
        assert counter.clerk_label.text() == "Nobody is signed in at this window."
        assert clerk.window_clerk(1) is None
    finally:
        counter.stop()


def test_the_pad_shows_the_lockout_in_plain_words(qtbot, clerk) -> None:
    counter = make_counter(qtbot, clerk, 1)
    try:
        counter.open_sign_in()
        for _ in range(5):
            counter.sign_in.code.setText("")
            type_on_pad(qtbot, counter, "0123", "0000")
        assert counter.sign_in.error.text() == "Too many wrong PINs: sign-in is locked for 5 more minute(s)."
        counter.sign_in.code.setText("")
        type_on_pad(qtbot, counter, "0123", PIN)  # the right PIN, still locked
        assert "locked" in counter.sign_in.error.text()
        assert counter.state.clerk is None
    finally:
        counter.stop()


def test_a_counter_through_the_server_signs_in_with_its_token(qtbot, engine, live_server) -> None:
    engine.add_clerk(NewClerk(code="0123", name="张三", pin=PIN))
    hall = HallClient(live_server.url, "test-counter")  # window 18's token
    counter = make_counter(qtbot, hall, 18)
    try:
        counter.open_sign_in()
        type_on_pad(qtbot, counter, "0123", PIN)
        assert counter.clerk_label.text() == "Clerk: 张三 (0123)"
        assert engine.window_clerk(18).code == "0123"
        engine.sign_out(18)  # a guide signs the clerk out: the counter hears it from the stream
        qtbot.waitUntil(lambda: counter.state.clerk is None, timeout=5000)
        assert counter.sign_button.text() == "Sign in"
    finally:
        counter.stop()
        hall.close()


def test_the_window_screen_shows_the_clerk_from_the_stream_and_on_connect(qtbot, clerk) -> None:
    display = make_display(qtbot, clerk, window=1)
    try:
        assert "0123" not in " ".join(display.matrix.texts().values())
        clerk.sign_in(1, "0123", PIN)
        qtbot.waitUntil(lambda: "工号0123 张三" in display.matrix.texts().values(), timeout=5000)
        call = (issue(clerk, "SS01"), clerk.call_next(1))[1]
        qtbot.waitUntil(lambda: display.matrix.texts().get("latest") == call.number, timeout=5000)
        shown = " ".join(display.matrix.texts().values())
        assert "工号0123 张三" in shown and "请到本窗口办理" in shown
        assert display.matrix.problems() == []
    finally:
        display.stop()
    # A screen that starts (or reconnects) later reads who is there from the catalog.
    later = make_display(qtbot, clerk, window=1, lang="en")
    try:
        assert "Clerk 0123 张三" in " ".join(later.matrix.texts().values())
        clerk.sign_out(1)
        qtbot.waitUntil(lambda: "0123" not in " ".join(later.matrix.texts().values()), timeout=5000)
    finally:
        later.stop()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sign_in_page_and_the_clerk_fit_every_shape(qtbot, dev_hall, qm_dir, lang) -> None:  # noqa: F811
    dev_hall.engine.add_clerk(NewClerk(code="ZW-20260001", name="欧阳玉兰·阿卜杜热合曼", pin=PIN))
    dev_hall.sign_in(6, "ZW-20260001", PIN)
    languages = Languages(QApplication.instance(), qm_dir)
    counter = CounterWindow(dev_hall, 6, languages=languages)
    qtbot.addWidget(counter)
    counter.start()
    try:
        qtbot.waitUntil(lambda: counter.state.clerk is not None and counter.lane.pending == 0, timeout=5000)
        languages.set(lang)
        counter.retranslate()
        assert "ZW-20260001" in counter.clerk_label.text()
        for page in ("caller", "sign-in"):
            if page == "sign-in":
                counter.open_sign_in()
                counter.sign_in.show_error(counter.sign_in.tr(
                    "Too many wrong PINs: sign-in is locked for %1 more minute(s).").replace("%1", "5"))
            for size in [*SHAPES, (640, 720)]:
                shown(qtbot, counter, size)
                assert fit_problems(counter) == [], f"counter {page} {lang} {size}"
        assert lang == "en" or counter.sign_in.sign_in_button.text() == "签到"
    finally:
        counter.stop()
        languages.set("en")


def test_a_hall_requiring_sign_in_opens_the_pad_when_a_call_is_refused(qtbot, tmp_path) -> None:
    from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
    from kiosk.hall import LocalHall, open_engine

    config = load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")
    config = config.model_copy(update={"policy": config.policy.model_copy(update={"clerk_sign_in": "required"})})
    hall = LocalHall(open_engine(config, tmp_path / "hall", dev=True))
    hall.engine.add_clerk(NewClerk(code="0123", name="张三", pin=PIN))
    ticket = issue(hall, "SS01")
    counter = make_counter(qtbot, hall, 1)
    try:
        qtbot.mouseClick(counter.buttons["call-next"], Qt.MouseButton.LeftButton)
        wait_idle(qtbot, counter)
        assert counter.pages.currentWidget() is counter.sign_in
        assert counter.sign_in.error.text() == "Sign in first: this hall calls only with a clerk signed in."
        assert hall.ticket(ticket.id).state == "waiting"
        type_on_pad(qtbot, counter, "0123", PIN)
        qtbot.mouseClick(counter.buttons["call-next"], Qt.MouseButton.LeftButton)
        wait_idle(qtbot, counter)
        assert hall.ticket(ticket.id).clerk == "0123"
    finally:
        counter.stop()
