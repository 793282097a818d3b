"""Staff see when the kiosk issues offline: the hall link's changes become the server_down alert."""

from __future__ import annotations

import threading

import pytest

from kiosk.client import HallClient
from kiosk.config import PROJECT_CONFIG_DIR, load_kiosk_config
from kiosk.terminal import open_terminal
from tests.conftest import free_port
from tests.test_offline import issue_a_number_the_server_will_refuse
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


@pytest.fixture
def served_kiosk(tmp_path, engine, clock):
    """A kiosk terminal with its outbox and staff services, on a real hall server."""
    from tests.test_offline import Hall, make_terminal

    hall = Hall(engine)
    terminal = make_terminal(hall, tmp_path, clock)
    services = build_services(terminal.config, PROJECT_CONFIG_DIR / "kiosk.toml", terminal.hall,
                              terminal=terminal, start_reader=False)
    yield hall, terminal, services
    services.close()
    hall.stop()


def test_offline_ticket_refused_by_the_server_alerts_staff(qtbot, served_kiosk):
    hall, terminal, services = served_kiosk
    offline = issue_a_number_the_server_will_refuse(hall, terminal)
    sync = threading.Thread(target=terminal.sync)  # as the sender thread does
    sync.start()
    sync.join()
    qtbot.waitUntil(lambda: services.alerts.has("offline_rejected"), timeout=5000)
    alert = next(a for a in services.alerts.active() if a.kind == "offline_rejected")
    assert offline.number in alert.staff_message and "number_taken" in alert.staff_message
    assert alert.severity == "error"


def test_staff_give_a_refused_offline_ticket_a_new_number(qtbot, served_kiosk, tmp_path):
    from PySide6.QtCore import Qt

    from kiosk.audit import AuditLog
    from ui.staff.alerts_page import AlertsPage
    from ui.staff.controller import StaffController

    hall, terminal, services = served_kiosk
    controller = StaffController(services, audit=AuditLog(tmp_path / "audit.jsonl"), dev=True)
    controller.open("staff", "staff")
    page = AlertsPage(controller)
    qtbot.addWidget(page)
    offline = issue_a_number_the_server_will_refuse(hall, terminal)
    terminal.sync()
    page.show()
    box = page.refused
    qtbot.waitUntil(lambda: box.list.count() == 1, timeout=5000)
    assert box.isVisible() and offline.number in box.list.item(0).text()
    qtbot.mouseClick(box.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.status.text().startswith("New ticket"), timeout=5000)
    assert "New ticket K901 printed" in box.status.text() and offline.number in box.status.text()
    qtbot.waitUntil(lambda: box.list.count() == 0, timeout=5000)
    assert terminal.sync().sent == ["K901"]
    entry = controller.audit.entries()[-1]
    assert entry["action"] == "renumber" and entry["ticket"] == offline.number
    assert entry["detail"]["new_number"] == "K901" and controller.audit.verify().ok
