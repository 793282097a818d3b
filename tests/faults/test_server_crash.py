"""The hall server killed with SIGKILL in the middle of a burst of 200 tickets from 4 kiosks,
then restarted on the same data: the outboxes drain and nothing is lost or duplicated."""

from __future__ import annotations

import threading
import time

import pytest

from drivers.printer import PrinterSettings, open_printer
from tests.faults.harness import (
    KIOSKS,
    ServerProcess,
    account,
    assert_queue_order,
    terminal_for,
    write_configs,
)

SERVICES = ("GC01", "TX01", "AP01", "GC02")
PER_KIOSK = 50


@pytest.fixture
def setup(tmp_path):
    config_dir = write_configs(tmp_path / "config")
    server = ServerProcess(config_dir, tmp_path / "server").start()
    yield config_dir, server, tmp_path
    server.kill()


def test_server_killed_mid_burst_then_restarted(setup):
    config_dir, server, tmp_path = setup
    terminals = [terminal_for(config_dir, k, server.url, tmp_path / "kiosks",
                              open_printer(PrinterSettings(uri="dummy:")), start=True) for k in KIOSKS]
    issued = []
    lock = threading.Lock()
    errors = []

    def burst(terminal):
        try:
            for i in range(PER_KIOSK):
                outcome = terminal.issue(SERVICES[i % len(SERVICES)])
                assert outcome.printed
                with lock:
                    issued.append(outcome.ticket)
        except Exception as exc:  # reported below: a thread must not die silently
            errors.append(exc)

    threads = [threading.Thread(target=burst, args=(t,)) for t in terminals]
    for thread in threads:
        thread.start()
    while len(issued) < 70 and any(t.is_alive() for t in threads):
        time.sleep(0.005)
    server.kill()  # mid-burst: requests are in flight right now
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert len(issued) == len(KIOSKS) * PER_KIOSK
    offline = [t for t in issued if t.offline]
    assert offline, "the kill should have sent some kiosks offline"
    assert not any(t.online for t in terminals)

    server.start()  # same data dir: whatever it acknowledged before the kill is there
    deadline = time.monotonic() + 60
    while sum(t.outbox_length() for t in terminals) and time.monotonic() < deadline:
        time.sleep(0.1)  # the background senders notice the server and drain
    assert sum(t.outbox_length() for t in terminals) == 0
    assert all(t.online for t in terminals)
    for terminal in terminals:
        terminal.sender.stop()

    tickets = server.tickets()
    lost, duplicated = account([t.outbox for t in terminals], tickets, set(KIOSKS))
    assert (lost, duplicated) == (0, 0)
    live = {t.id: t for t in tickets if t.state != "void"}
    assert {t.id for t in issued} == set(live)  # exactly the tickets handed out, once each
    assert_queue_order(list(live.values()))
    for terminal in terminals:  # each kiosk's tickets stand in the order it issued them
        mine = [live[e.ticket.id] for e in terminal.outbox.entries() if e.ticket_json and e.state == "sent"]
        assert [t.issued_at for t in mine] == sorted(t.issued_at for t in mine)
        assert terminal.rejected() == []
    print(f"offline={len(offline)} superseded={sum(t.state == 'void' for t in tickets)}")
    assert (tmp_path / "server" / "logs" / "hall-server.log").is_file()  # kiosk serve keeps a log
    for terminal in terminals:
        terminal.close()
