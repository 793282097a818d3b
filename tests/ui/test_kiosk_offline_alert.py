"""Staff see when the kiosk issues offline: the hall link's changes become the server_down alert."""

from __future__ import annotations

import threading

from kiosk.client import HallClient
from kiosk.config import PROJECT_CONFIG_DIR, load_kiosk_config
from kiosk.terminal import open_terminal
from tests.conftest import free_port
from ui.kiosk.bootstrap import build_services


def test_offline_issuing_raises_and_clears_the_staff_alert(qtbot, tmp_path):
    config = load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml")
    hall = HallClient(f"http://127.0.0.1:{free_port()}", "dev-kiosk", timeout=0.5)  # nobody listens
    terminal = open_terminal(config, PROJECT_CONFIG_DIR, tmp_path, hall, None, dev=True, start=False)
    services = build_services(config, PROJECT_CONFIG_DIR / "kiosk.toml", hall, terminal=terminal)
    try:
        outcome = terminal.issue("GC01", idempotency_key="offline-1")  # the server cannot be reached
        assert outcome.ticket.offline and outcome.ticket.number == "K900"
        qtbot.waitUntil(lambda: services.alerts.has("server_down"), timeout=5000)
        (alert,) = services.alerts.active()
        assert "issues offline tickets" in alert.staff_message and alert.severity == "error"
        assert terminal.outbox_length() == 1  # what the diagnostics page shows
        back = threading.Thread(target=terminal.link.up)  # as the sender thread would
        back.start()
        back.join()
        qtbot.waitUntil(lambda: not services.alerts.has("server_down"), timeout=5000)
    finally:
        services.close()


def test_offline_ticket_refused_by_the_server_alerts_staff(qtbot, tmp_path, engine, clock):
    from kiosk.models import IssueRequest
    from tests.test_offline import Hall, make_terminal

    hall = Hall(engine)
    terminal = make_terminal(hall, tmp_path, clock)
    services = build_services(terminal.config, PROJECT_CONFIG_DIR / "kiosk.toml", terminal.hall,
                              terminal=terminal, start_reader=False)
    try:
        hall.stop()
        offline = terminal.issue("GC01").ticket
        hall.start()
        engine.issue(IssueRequest(service="GC01", number=offline.number, device="K01",
                                  issued_at=offline.issued_at), "restored-kiosk")
        sync = threading.Thread(target=terminal.sync)  # as the sender thread does
        sync.start()
        sync.join()
        qtbot.waitUntil(lambda: services.alerts.has("offline_rejected"), timeout=5000)
        alert = next(a for a in services.alerts.active() if a.kind == "offline_rejected")
        assert offline.number in alert.staff_message and "number_taken" in alert.staff_message
        assert alert.severity == "error"
    finally:
        services.close()
        hall.stop()
