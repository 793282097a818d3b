"""The display follows a real hall server over SSE and survives the server going away.

A uvicorn server on a loopback port serves the sample hall; it is stopped mid-stream and a new
server (a new process's engine on the same data folder) starts on the same port. Calls made on
both sides of the gap, including while no server was listening, all reach the display exactly
once and in order.
"""

from __future__ import annotations

import time

from kiosk.client import HallClient
from kiosk.hall import open_engine
from kiosk.server import create_app
from tests.conftest import LiveServer, free_port
from tests.ui.test_calling_support import HALL_TOML, issue
from ui.calling.display import CallingDisplay


def serve(data, port: int) -> tuple:  # noqa: ANN001
    engine = open_engine(HALL_TOML, data, dev=True)
    return engine, LiveServer(create_app(engine, dev=True, heartbeat_s=0.5), port).start()


def test_no_call_is_lost_or_repeated_across_a_server_restart(qtbot, tmp_path) -> None:
    from kiosk.hall import LocalHall

    data, port = tmp_path / "hall", free_port()
    engine, server = serve(data, port)
    client = HallClient(server.url, "dev-display", timeout=2.0)
    display = CallingDisplay(client)
    qtbot.addWidget(display)
    display.start()
    try:
        qtbot.waitUntil(lambda: display.linked, timeout=10000)
        hall = LocalHall(engine)
        made = []
        for window in (1, 2, 3):
            issue(hall, "SS01")
            made.append(hall.call_next(window).number)
        qtbot.waitUntil(lambda: [c.number for c in display.announced] == made, timeout=5000)

        server.stop()
        qtbot.waitUntil(lambda: not display.linked, timeout=10000)
        # A new engine on the same data, as after a server restart; calls while nothing serves.
        engine2 = open_engine(HALL_TOML, data, dev=True)
        hall2 = LocalHall(engine2)
        for window in (1, 2):
            issue(hall2, "SS01")
            made.append(hall2.call_next(window).number)
        time.sleep(0.3)
        server2 = LiveServer(create_app(engine2, dev=True, heartbeat_s=0.5), port).start()
        try:
            for window in (3, 1):
                issue(hall2, "SS01")
                made.append(hall2.call_next(window).number)
            qtbot.waitUntil(lambda: len(display.announced) >= len(made), timeout=15000)
            qtbot.wait(300)  # any duplicate would arrive now
            assert [c.number for c in display.announced] == made
            assert len({c.seq for c in display.announced}) == len(made)
            assert display.linked
        finally:
            display.stop()
            server2.stop()
    finally:
        display.stop()
        client.close()
