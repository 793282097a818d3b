"""A kiosk process killed with SIGKILL at each point of its pipeline; on restart its outbox
delivers the ticket exactly once and offers a reprint of what never reached paper."""

from __future__ import annotations

import json

import pytest

from kiosk.outbox import Outbox
from tests.faults.harness import ServerProcess, account, run_kiosk, write_configs

DEAD = "http://127.0.0.1:9"  # nothing listens there: the kiosk is offline

# (crash point, service, server reachable while issuing, state found on restart, printed)
CASES = [
    ("before_request", "GC01", True, "pending", False),  # online request recorded, never sent
    ("after_ack", "TX01", True, "sent", False),  # server made the ticket, died before printing
    ("after_record", "AP01", False, "pending", False),  # offline ticket recorded, not printed
    ("after_print", "GC02", False, "pending", True),  # offline ticket printed, not delivered
]


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kiosk-crash")
    config_dir = write_configs(tmp / "config")
    server = ServerProcess(config_dir, tmp / "server").start()
    yield config_dir, server, tmp
    server.kill()


@pytest.mark.parametrize(("point", "service", "online", "state", "printed"), CASES)
def test_kiosk_killed_inside_the_pipeline(hall, point, service, online, state, printed, tmp_path):
    config_dir, server, _ = hall
    data, paper = tmp_path / "data", tmp_path / "paper.bin"
    url = server.url if online else DEAD
    died = run_kiosk(["issue", "--service", service, "--printer", f"file://{paper}", "--json"],
                     config_dir, "K01", data, url, crash_at=point)
    assert died.returncode == -9, died.stderr
    outbox = Outbox(data / "K01" / "outbox.db")  # the restarted kiosk's view
    (entry,) = outbox.entries()
    assert entry.state == state  # recorded before the crash: pending ones are sent again
    synced = run_kiosk(["sync"], config_dir, "K01", data, server.url)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    outbox = Outbox(data / "K01" / "outbox.db")
    (entry,) = outbox.entries()
    assert entry.state == "sent"
    mine = [t for t in server.tickets() if t.service == service and t.device == "K01"]
    assert [t.id for t in mine if t.state != "void"] == [entry.ticket.id]
    assert (paper.exists() and entry.ticket.number.encode() in paper.read_bytes()) == printed
    # Nothing recorded the print before the crash: the kiosk offers a reprint of the ticket.
    assert [e.ticket.id for e in outbox.unprinted()] == [entry.ticket.id]
    assert account([outbox], mine, {"K01"}) == (0, 0)


def test_kiosk_killed_between_delivery_and_its_acknowledgement(hall, tmp_path):
    config_dir, server, _ = hall
    data = tmp_path / "data"
    issued = run_kiosk(["issue", "--service", "AP02", "--printer", "dummy:", "--json"], config_dir, "K02", data, DEAD)
    assert issued.returncode == 0, issued.stderr
    ticket = json.loads(issued.stdout)
    assert ticket["offline"] and ticket["number"] == "D925"
    died = run_kiosk(["sync"], config_dir, "K02", data, server.url, crash_at="after_send")
    assert died.returncode == -9
    assert Outbox(data / "K02" / "outbox.db").entries()[0].state == "pending"  # ack never recorded
    again = run_kiosk(["sync"], config_dir, "K02", data, server.url)
    assert again.returncode == 0 and "D925" in again.stdout
    mine = [t for t in server.tickets() if t.device == "K02"]
    assert [t.number for t in mine] == ["D925"]  # the replay gave the same ticket, not a second
    assert account([Outbox(data / "K02" / "outbox.db")], mine, {"K02"}) == (0, 0)


def test_sync_reports_failure_plainly_while_the_server_is_away(hall, tmp_path):
    config_dir, _, _ = hall
    data = tmp_path / "data"
    assert run_kiosk(["issue", "--service", "GC01", "--printer", "dummy:"], config_dir, "K03", data, DEAD).returncode == 0
    result = run_kiosk(["sync"], config_dir, "K03", data, DEAD)
    assert result.returncode == 1 and "1 ticket(s) not sent" in result.stderr
