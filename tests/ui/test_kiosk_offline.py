# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""The touch screen on a hall server, built as ``kiosk run`` builds it: with the server down the
citizen still takes a ticket (printed, marked offline, sent when the server is back), a reprint
goes through the server, staff are told, and the clock keeps hall time."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kiosk import store as db
from kiosk.server import create_app
from tests.conftest import LiveServer, free_port
from tests.test_offline import issue_a_number_the_server_will_refuse
from tests.ui.test_kiosk_fixtures import (
    click,
    hall,
    make_kiosk,
    qm_dir,
    same_service_twice,
    to_identify,
    wait_screen,
)

OFFLINE_MARK = "【离线取号】".encode("gb18030")


class Server:
    """The hall server over the test's engine, on one port, stoppable and restartable."""

    def __init__(self, engine):
        self.engine = engine
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.live: LiveServer | None = None

    def start(self) -> None:
        self.live = LiveServer(create_app(self.engine, dev=True), port=self.port).start()

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    # what tests.test_offline's helpers expect of a hall
    def tickets(self):
        return self.engine.tickets()


@pytest.fixture
def server(hall):
    s = Server(hall.engine)
    s.start()
    yield s
    s.stop()


def served(make_kiosk, server, tmp_path, **options):
    """A kiosk whose file links it to ``server`` (dev token, 1 s timeout), printing to a file."""
    printed = tmp_path / "printed.bin"
    rig = make_kiosk(printer=f"file://{printed}", server=server.url,
                     file_options={"token": "dev-kiosk", "timeout_s": 1.0}, **options)
    rig.kiosk.terminal.link.retry_after = 0.3  # look for the server again soon
    return rig, printed


def take_ticket(qtbot, window, code="GC01"):
    to_identify(qtbot, window, code)
    click(qtbot, window.screens["identify"].skip)
    wait_screen(qtbot, window, "done")
    return window.screens["done"].outcome


def test_server_down_the_citizen_gets_a_printed_offline_ticket_sent_later(qtbot, make_kiosk, hall,
                                                                          server, tmp_path):
    rig, printed = served(make_kiosk, server, tmp_path, retry_ms=300)
    w = rig.window
    assert w.screen_name() == "home" and rig.kiosk.terminal.online
    server.stop()
    outcome = take_ticket(qtbot, w)
    ticket = outcome.ticket
    assert ticket.offline and ticket.number == "K900" and outcome.printed
    data = printed.read_bytes()
    assert ticket.number.encode() in data and OFFLINE_MARK in data  # marked offline on paper
    qtbot.waitUntil(lambda: rig.services.alerts.has("server_down"), timeout=5000)
    click(qtbot, w.screens["done"].finish)
    wait_screen(qtbot, w, "home")  # the usual tiles, not "out of service"
    assert w.screens["home"].tile("GC01") is not None and w.screens["home"].tile("GC01").isEnabled()
    assert all(t.number != "K900" for t in hall.tickets())
    server.start()
    qtbot.waitUntil(lambda: any(t.number == "K900" for t in hall.tickets()), timeout=20_000)
    qtbot.waitUntil(lambda: not rig.services.alerts.has("server_down"), timeout=10_000)
    qtbot.waitUntil(lambda: rig.kiosk.terminal.outbox_length() == 0, timeout=10_000)  # acknowledged


def test_a_kiosk_started_while_the_server_is_down_shows_the_hall_files_tiles(qtbot, make_kiosk, hall,
                                                                            server, tmp_path):
    server.stop()
    rig, printed = served(make_kiosk, server, tmp_path)
    w = rig.window
    wait_screen(qtbot, w, "home")
    assert w.catalog is not None and w.screens["home"].tile("GC01") is not None
    shanghai = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    w._tick_clock()
    assert w.clock.text() == shanghai or w.clock.text() >= shanghai  # hall time, not UTC
    outcome = take_ticket(qtbot, w)
    assert outcome.ticket.offline and outcome.printed and OFFLINE_MARK in printed.read_bytes()


def test_reprint_of_the_card_holders_ticket_goes_through_the_server(qtbot, make_kiosk, hall, server,
                                                                    tmp_path):
    rig, printed = served(make_kiosk, server, tmp_path)
    w = rig.window
    first = same_service_twice(qtbot, rig)
    click(qtbot, w.screens["error"].reprint)
    wait_screen(qtbot, w, "done")
    again = w.screens["done"].outcome
    assert again.reprint and again.printed and again.ticket.id == first.id
    assert printed.read_bytes().count(first.number.encode()) >= 2
    with hall.engine.store.read() as conn:
        actions = [r.action for r in conn.execute(
            select(db.ticket_events).where(db.ticket_events.c.ticket_id == first.id))]
    assert "reprint" in actions  # the server recorded it: a kiosk token may reprint this one


def test_a_kiosk_token_may_not_reprint_another_citizens_ticket(hall, server):
    from kiosk.client import HallClient
    from kiosk.domain import HallError
    from kiosk.models import ActionRequest, IssueRequest
    from kiosk.terminal import citizen_from_id

    kiosk = HallClient(server.url, "dev-kiosk", timeout=5)
    seal_key = kiosk.catalog().id_seal_key
    holder = citizen_from_id("11010519491231002X", seal_key)
    ticket = hall.issue(IssueRequest(service="SS01", citizen=holder))
    other = citizen_from_id("110105194912310038", seal_key).id_sealed
    for proof in (None, other, "A" * 108):  # no card, another card, not a sealed number
        with pytest.raises(HallError) as refused:
            kiosk.act(ticket.id, "reprint", ActionRequest(id_sealed=proof))
        assert refused.value.code == "forbidden"
    same_card = citizen_from_id("11010519491231002X", seal_key).id_sealed  # sealed anew, as a kiosk does
    with pytest.raises(HallError, match="may not void"):
        kiosk.act(ticket.id, "void", ActionRequest(id_sealed=same_card))
    assert kiosk.act(ticket.id, "reprint", ActionRequest(id_sealed=same_card)).id == ticket.id


def test_offline_ticket_refused_by_the_server_alerts_staff(qtbot, make_kiosk, hall, server, tmp_path):
    rig, _printed = served(make_kiosk, server, tmp_path)
    terminal, alerts = rig.kiosk.terminal, rig.services.alerts
    offline = issue_a_number_the_server_will_refuse(server, terminal)
    sync = threading.Thread(target=terminal.sync)  # as the sender thread does
    sync.start()
    sync.join()
    qtbot.waitUntil(lambda: alerts.has("offline_rejected"), timeout=5000)
    alert = next(a for a in alerts.active() if a.kind == "offline_rejected")
    assert offline.number in alert.staff_message and "number_taken" in alert.staff_message
    assert alert.severity == "error"


def test_staff_give_a_refused_offline_ticket_a_new_number(qtbot, make_kiosk, hall, server, tmp_path):
    from PySide6.QtCore import Qt

    from ui.staff.alerts_page import AlertsPage

    rig, printed = served(make_kiosk, server, tmp_path)
    terminal, controller = rig.kiosk.terminal, rig.kiosk.staff.controller
    controller.open("staff", "staff")
    page = AlertsPage(controller)
    qtbot.addWidget(page)
    offline = issue_a_number_the_server_will_refuse(server, terminal)
    terminal.sync()
    page.show()
    box = page.refused
    qtbot.waitUntil(lambda: box.list.count() == 1, timeout=5000)
    assert box.isVisible() and offline.number in box.list.item(0).text()
    qtbot.mouseClick(box.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.status.text().startswith("新号票"), timeout=5000)  # the kiosk speaks zh
    assert "新号票 K901 已打印" in box.status.text() and offline.number in box.status.text()
    qtbot.waitUntil(lambda: box.list.count() == 0, timeout=5000)
    qtbot.waitUntil(lambda: any(t.number == "K901" for t in hall.tickets()), timeout=10_000)
    entry = controller.audit.entries()[-1]
    assert entry["action"] == "renumber" and entry["ticket"] == offline.number
    assert entry["detail"]["new_number"] == "K901" and controller.audit.verify().ok


def test_what_the_link_learnt_before_the_window_was_built_reaches_staff(qtbot, qm_dir, tmp_path):
    # kiosk run opens the pipeline before Qt and hands it to build_kiosk; the link reports only
    # changes, so a server lost in between must still become the staff alert, and the sender
    # (which may find the server away, or an offline ticket refused) starts once staff listen.
    from PySide6.QtWidgets import QApplication

    from app.kiosk_app import build_kiosk, build_terminal
    from kiosk.config import load_kiosk_config
    from tests.kiosk_files import kiosk_file
    from ui.i18n import Languages

    path = kiosk_file(tmp_path, server=f"http://127.0.0.1:{free_port()}", timeout_s=0.5)
    terminal = build_terminal(load_kiosk_config(path), path, tmp_path / "data", start=False)
    terminal.link.down("connection refused")
    kiosk = build_kiosk(path, data_dir=tmp_path / "data", terminal=terminal,
                        languages=Languages(QApplication.instance(), qm_dir))
    qtbot.addWidget(kiosk.window)
    try:
        assert kiosk.services.alerts.has("server_down")
        assert terminal.sender._thread is not None and terminal.sender._thread.is_alive()
    finally:
        kiosk.window.languages.set("en")
        kiosk.window.unlock_exit()
        kiosk.window.close()
        kiosk.close()
