"""A kiosk's call for staff over a real hall server on loopback, with device tokens: the kiosk
asks with its own token, the board, the desk's screen and the desk's caller follow the SSE
stream; a call made while their link was down and older than ``help_seconds`` when the stream
resumes (Last-Event-ID) is not shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.client import HallClient
from kiosk.config import DisplaySettings
from kiosk.engine import HELP_REPEAT_S
from kiosk.server import create_app
from tests.conftest import LiveServer
from ui.calling.counter import CounterWindow
from ui.calling.display import CallingDisplay

SECONDS = 20
DESK = 18


@pytest.fixture
def clients(live_server):
    """Clients with the test tokens of the kiosk (device kiosk-1), a display and a counter."""
    made = {role: HallClient(live_server.url, f"test-{role}", timeout=2.0)
            for role in ("kiosk", "display", "counter")}
    yield made
    for client in made.values():
        client.close()


def shown_devices(display: CallingDisplay) -> str:
    texts = display.matrix.texts()
    return " ".join(texts[k] for k in sorted(texts) if k.startswith("help") and not k.endswith(".badge"))


def test_a_call_for_staff_over_the_server_and_no_stale_replay(qtbot, engine, clock, live_server,
                                                              clients) -> None:
    screens = []
    for window in (None, DESK, 3):
        display = CallingDisplay(clients["display"], DisplaySettings(help_seconds=SECONDS),
                                 window=window, clock=clock)
        qtbot.addWidget(display)
        display.start()
        screens.append(display)
    board, desk, window3 = screens
    counter = CounterWindow(clients["counter"], DESK, help_seconds=SECONDS, clock=clock)
    qtbot.addWidget(counter)
    counter.show()
    counter.start()
    restarted = None
    try:
        qtbot.waitUntil(lambda: all(d.linked for d in screens) and counter.help_panel.desk, timeout=10000)
        clients["kiosk"].request_help("identify")
        qtbot.waitUntil(lambda: "kiosk-1号自助机" in shown_devices(board), timeout=5000)
        qtbot.waitUntil(lambda: "kiosk-1" in shown_devices(desk), timeout=5000)
        qtbot.waitUntil(counter.help_panel.isVisible, timeout=5000)
        assert counter.help_panel.texts[0].text() == "Kiosk kiosk-1 needs help"
        qtbot.mouseClick(counter.help_panel.buttons[0], Qt.MouseButton.LeftButton)
        assert not counter.help_panel.isVisible() and "kiosk-1" in shown_devices(board)
        assert window3.helped == [] and shown_devices(window3) == ""

        live_server.stop()  # the screens lose the stream; a kiosk's call is made meanwhile
        qtbot.waitUntil(lambda: not board.linked, timeout=10000)
        engine.request_help("kiosk-2", "home")
        clock.advance(HELP_REPEAT_S + 1)  # older than help_seconds; kiosk-1 may call anew
        qtbot.waitUntil(lambda: shown_devices(board) == "" and shown_devices(desk) == "", timeout=5000)
        restarted = LiveServer(create_app(engine, dev=False, heartbeat_s=0.5), live_server.port).start()
        qtbot.waitUntil(lambda: all(d.linked for d in screens), timeout=15000)
        clients["kiosk"].request_help("home")  # a new call: it comes after the replayed one
        qtbot.waitUntil(lambda: len(board.helped) == 2 and len(desk.helped) == 2, timeout=10000)
        qtbot.waitUntil(counter.help_panel.isVisible, timeout=5000)
        for display in (board, desk):
            assert [n.device for n in display.helped] == ["kiosk-1", "kiosk-1"]
            assert "kiosk-2" not in shown_devices(display)
        assert counter.help_panel.calls.devices == ["kiosk-1"]
    finally:
        counter.stop()
        for display in screens:
            display.stop()
        if restarted is not None:
            restarted.stop()
