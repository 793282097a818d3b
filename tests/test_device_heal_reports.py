"""What the hall hears of a device that goes away and comes back: the program's status report
says "reconnecting" while its worker looks for the device, then the state it finds."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from drivers.sign import open_sign_bus
from kiosk import __version__, device_status
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.device_reporter import StatusReporter, sign_probe
from kiosk.hall import LocalHall, open_engine
from tests import polling


def wait_for(predicate, timeout: float = 10.0) -> bool:  # noqa: ANN001
    """``tests.polling.wait_for`` with this file's longer default."""
    return polling.wait_for(predicate, timeout)


def test_a_sign_controller_away_is_reported_reconnecting_then_ok(tmp_path: Path) -> None:
    hall = LocalHall(open_engine(PROJECT_CONFIG_DIR / "hall.toml", tmp_path / "hall", dev=True))
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there yet: the controller is switched off
    bus = open_sign_bus(f"tcp://127.0.0.1:{port}?gap_ms=0", reconnect_interval=0.05, reconnect_limit=0.3)
    reporter = StatusReporter(hall, "display", device="D1", window=1, probes=[sign_probe([bus])])
    received = bytearray()
    server = None
    try:
        bus.show(1, "A001")
        assert wait_for(lambda: bus.status().failures >= 1)
        assert reporter.report_now()
        (view,) = [d for d in device_status.devices(hall.engine) if d.program == "display"]
        assert view.version == __version__
        assert view.parts["sign"].state == "offline" and view.parts["sign"].detail.startswith("reconnecting")

        server = socket.create_server(("127.0.0.1", port))  # switched on again

        def serve() -> None:
            conn, _ = server.accept()
            with conn:
                while data := conn.recv(4096):
                    received.extend(data)

        threading.Thread(target=serve, daemon=True).start()
        assert wait_for(lambda: b"A001" in received)  # the call waiting for it is shown
        assert reporter.report_now()
        (view,) = [d for d in device_status.devices(hall.engine) if d.program == "display"]
        assert view.parts["sign"].state == "ok"
    finally:
        bus.close()
        if server is not None:
            server.close()
