"""The kiosk's offline pipeline against a real hall server that goes away and comes back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.kiosk_app import build_terminal
from drivers.printer import PrinterSettings, open_printer
from kiosk.client import HallUnreachable
from kiosk.config import PROJECT_CONFIG_DIR, HallLink, load_kiosk_config
from kiosk.domain import HallError, parse_number
from kiosk.models import IssueRequest
from kiosk.offline import OfflinePlan, OfflineUnavailable, load_plan
from kiosk.outbox import OutboxError
from kiosk.server import add_token, create_app
from tests.conftest import LiveServer
from tests.kiosk_files import hall_file, kiosk_file


def kiosk_config(url: str, kiosk_id: str = "K01"):
    base = load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml")
    return base.model_copy(update={
        "link": HallLink(mode="server", url=url, token="test-kiosk", timeout_s=2),
        "kiosk": base.kiosk.model_copy(update={"id": kiosk_id}),
    })


class Hall:
    """A server that can be stopped and started again on the same port and database."""

    def __init__(self, engine):
        # Each kiosk's token is bound to its id: the server takes the device from the token.
        add_token(engine.store, "test-kiosk", "kiosk", "K01", 0)
        add_token(engine.store, "test-guide", "guide", "guide-1", 0)
        self.engine = engine
        self.server = LiveServer(create_app(engine)).start()
        self.port, self.url = self.server.port, self.server.url

    def stop(self):
        self.server.stop()

    def start(self):
        self.server = LiveServer(create_app(self.engine), port=self.port).start()

    def tickets(self):
        return self.engine.tickets()


@pytest.fixture
def hall(engine):
    h = Hall(engine)
    yield h
    h.stop()


def make_terminal(hall, tmp_path, clock, kiosk_id="K01", hall_file=None):
    """The kiosk's pipeline built as ``kiosk run`` builds it, from a kiosk file pointing at
    ``hall``; the same folder again is the same kiosk after a restart."""
    folder = tmp_path / kiosk_id
    path = kiosk_file(folder, server=hall.url, kiosk_id=kiosk_id, timeout_s=2, hall_file=hall_file)
    return build_terminal(load_kiosk_config(path), path, folder / "data", clock=clock, start=False)


def issue_a_number_the_server_will_refuse(hall, terminal):
    """An offline ticket whose number reached the server another way meanwhile (a kiosk
    restored from an old backup): the server will refuse it with ``number_taken``."""
    hall.stop()
    offline = terminal.issue("GC01").ticket
    # Taken before the server answers again: a running sender would otherwise deliver it first.
    hall.engine.issue(IssueRequest(service="GC01", number=offline.number, device="K01",
                                   issued_at=offline.issued_at), "restored-kiosk")
    hall.start()
    return offline


def test_online_issue_is_recorded_sent_and_printed(hall, tmp_path, clock):
    terminal = make_terminal(hall, tmp_path, clock)
    outcome = terminal.issue("GC01")
    assert outcome.printed and not outcome.ticket.offline
    (entry,) = terminal.outbox.entries()
    assert entry.state == "sent" and entry.printed == 1 and entry.ticket.id == outcome.ticket.id
    assert terminal.online and terminal.outbox_length() == 0
    assert outcome.ticket.number.encode() in terminal.printer.output


def test_server_down_issues_offline_from_the_range_and_syncs_by_issue_time(hall, tmp_path, clock):
    terminal = make_terminal(hall, tmp_path, clock)
    before = terminal.issue("GC01").ticket
    hall.stop()
    clock.advance(60)
    offline = terminal.issue("GC01")
    assert offline.printed and offline.ticket.offline
    prefix, seq = parse_number(offline.ticket.number)
    assert prefix == "K" and seq == 900
    assert not terminal.online and terminal.outbox_length() == 1
    assert "离线".encode("gb18030") in terminal.printer.output  # the paper says it is offline
    clock.advance(60)
    second = terminal.issue("GC01").ticket  # straight offline: no 2-second wait on a dead server
    assert parse_number(second.number)[1] == 901
    hall.start()
    clock.advance(60)
    after = hall.engine.issue(IssueRequest(service="GC01"), "x")
    report = terminal.sync()
    assert report.complete and sorted(report.sent) == sorted([offline.ticket.number, second.number])
    assert terminal.online and terminal.outbox_length() == 0
    on_server = {t.number: t for t in hall.tickets()}
    assert on_server[offline.ticket.number].offline and on_server[offline.ticket.number].device == "K01"
    assert on_server[offline.ticket.number].id == offline.ticket.id  # same id, same status URL
    # The phone page's address the paper's QR code holds is the one the hall serves.
    assert "/p/" in offline.ticket.status_url and offline.ticket.status_url != second.status_url
    assert on_server[offline.ticket.number].status_url == offline.ticket.status_url
    assert on_server[second.number].status_url == second.status_url
    order = [t.number for t in sorted(on_server.values(), key=lambda t: t.issued_at)]
    assert order == [before.number, offline.ticket.number, second.number, after.number]
    waiting = sorted(on_server.values(), key=lambda t: t.ahead)
    assert [t.number for t in waiting] == order  # the server queues them by issue time


def test_a_restarted_kiosk_never_reuses_an_offline_number(hall, tmp_path, clock):
    hall.stop()
    first = make_terminal(hall, tmp_path, clock)
    numbers = [first.issue("TX01").ticket.number for _ in range(3)]
    first.outbox.close()
    again = make_terminal(hall, tmp_path, clock)
    numbers.append(again.issue("TX01").ticket.number)
    assert numbers == ["E900", "E901", "E902", "E903"]
    assert again.outbox_length() == 4


def test_offline_numbers_restart_each_day_and_the_range_can_run_out(hall, tmp_path, clock, hall_config):
    def two_numbers(doc):
        for r in doc["offline_ranges"]:
            if r["kiosk"] == "K01":
                r["end"] = r["start"] + 1

    hall.stop()
    terminal = make_terminal(hall, tmp_path, clock, hall_file=hall_file(tmp_path / "hall", two_numbers))
    assert [terminal.issue("GC01").ticket.number for _ in range(2)] == ["K900", "K901"]
    with pytest.raises(OfflineUnavailable, match="used up"):
        terminal.issue("GC01")
    assert terminal.outbox_length() == 2  # the refused request left nothing to send
    clock.advance(timedelta(days=1).total_seconds())
    assert terminal.issue("GC01").ticket.number == "K900"


def test_a_kiosk_without_a_range_refuses_offline_with_the_reason(hall, tmp_path, clock):
    hall.stop()
    terminal = make_terminal(hall, tmp_path, clock, kiosk_id="K77")
    with pytest.raises(OfflineUnavailable, match="no \\[\\[offline_ranges\\]\\] for kiosk K77"):
        terminal.issue("GC01")
    assert terminal.outbox.entries()[0].state == "refused"


def test_offline_the_kiosk_prints_no_ticket_its_token_could_not_get(hall, tmp_path, clock):
    """The server refuses staff-only priorities and unproven seniors from a kiosk token; the
    kiosk offline applies the same rule, so it never prints a ticket that sync would refuse."""
    terminal = make_terminal(hall, tmp_path, clock)
    hall.stop()
    with pytest.raises(HallError, match="given by staff only"):
        terminal.issue("GC01", priority="green", channel="staff")
    with pytest.raises(HallError, match="aged 65 or more"):
        terminal.issue("GC01", priority="elderly")
    assert b"GC01" not in terminal.printer.output and not terminal.printer.output
    assert {e.state for e in terminal.outbox.entries()} <= {"refused"}  # nothing waits to be sent
    assert terminal.issue("GC01").ticket.offline  # a normal ticket still prints offline


def test_offline_catalog_has_no_estimates_and_follows_the_hours(hall, tmp_path, clock):
    terminal = make_terminal(hall, tmp_path, clock)
    online = terminal.catalog()
    assert online.service("GC01").eta_minutes is not None
    hall.stop()
    clock.advance(2.5 * 3600)  # 12:30, lunch break
    offline = terminal.catalog()
    assert not terminal.online
    assert all(s.eta_minutes is None for s in offline.services)
    assert not offline.service("GC01").open and offline.service("GC01").closed_reason == "lunch"
    with pytest.raises(HallError) as refused:
        terminal.issue("GC01")
    assert refused.value.code == "service_closed"
    clock.advance(3600)
    assert terminal.catalog().service("GC01").open


def test_catalog_cache_survives_a_restart(hall, tmp_path, clock):
    terminal = make_terminal(hall, tmp_path, clock)
    name = terminal.catalog().hall.name.zh
    terminal.outbox.close()
    hall.stop()
    again = make_terminal(hall, tmp_path, clock)
    assert again.catalog().hall.name.zh == name and not again.online


def test_without_hall_file_or_cache_offline_is_refused_plainly(tmp_path, clock):
    config = kiosk_config("http://127.0.0.1:9")
    plan = load_plan(config.model_copy(update={"kiosk": config.kiosk.model_copy(
        update={"hall_config": "missing.toml"})}), tmp_path)
    assert "missing.toml" in plan.problem
    with pytest.raises(OfflineUnavailable, match="never reached"):
        plan.catalog(None, clock.now())


def test_a_lost_answer_then_offline_ticket_leaves_one_live_ticket(hall, tmp_path, clock):
    """The server commits the online request but its answer is lost: the kiosk prints an
    offline ticket, and on sync the server voids the unprinted online one."""
    terminal = make_terminal(hall, tmp_path, clock)
    real = terminal.hall

    class LosesAnswers:
        def __getattr__(self, name):
            return getattr(real, name)

        def issue(self, req, key=None):
            real.issue(req, key)  # reaches the server and commits
            raise HallUnreachable("read timed out")

    terminal.hall = LosesAnswers()
    outcome = terminal.issue("GC01")
    assert outcome.ticket.offline
    terminal.hall = real
    terminal.sender.hall = real
    assert terminal.sync().complete
    live = [t for t in hall.tickets() if t.state != "void"]
    void = [t for t in hall.tickets() if t.state == "void"]
    assert [t.number for t in live] == [outcome.ticket.number] and len(void) == 1
    assert terminal.sync().sent == []  # nothing left; replaying gives nothing new
    entry = terminal.outbox.entries()[0]  # replayed as the kiosk sends it: with its token
    assert real.issue(terminal.outbox.get(entry.id).request, entry.id).id == outcome.ticket.id


def test_a_full_outbox_refuses_to_issue_and_no_ticket_exists(hall, tmp_path, clock):
    terminal = make_terminal(hall, tmp_path, clock)
    terminal.outbox._db.execute("PRAGMA max_page_count=8")  # the disk fills up
    with pytest.raises(OutboxError, match="full"):
        for _ in range(200):
            terminal.issue("GC01")
    on_server = hall.tickets()
    assert on_server  # some went through before the file filled up
    # every ticket the server holds was printed; the refused request made none
    assert all(t.number.encode() in terminal.printer.output for t in on_server)
    hall.stop()
    with pytest.raises(OutboxError, match="cannot record"):
        terminal.issue("GC01")  # offline too: no ticket it could not record
    assert len(terminal.printer.output.split(b"K9")) == 1


def test_printing_failure_leaves_a_ticket_to_reprint(hall, tmp_path, clock):
    terminal = make_terminal(hall, tmp_path, clock)
    hall.stop()
    terminal.printer = open_printer(PrinterSettings(uri=f"file://{tmp_path}/no/such/dir/lp0"))
    outcome = terminal.issue("GC01")
    assert not outcome.printed and outcome.print_error is not None
    assert [t.number for t in terminal.unprinted()] == [outcome.ticket.number]
    terminal.printer = open_printer(PrinterSettings(uri="dummy:"))
    assert terminal.reprint(outcome.ticket.id).printed  # printed from the outbox while offline
    assert terminal.unprinted() == []


def test_plan_numbers_use_the_service_prefix_and_digits(hall_config):
    plan = OfflinePlan(hall_config, "K02")
    assert plan.range == (950, 999) and plan.number("SS01", 950) == "A950"


def test_an_offline_ticket_the_server_refuses_is_kept_and_reported(hall, tmp_path, clock):
    terminal = make_terminal(hall, tmp_path, clock)
    heard = []
    terminal.sender.rejected_listeners.append(lambda number, reason: heard.append((number, reason)))
    offline = issue_a_number_the_server_will_refuse(hall, terminal)
    report = terminal.sync()
    assert not report.complete and report.rejected[0][0] == offline.number
    assert heard == report.rejected and "number_taken" in heard[0][1]
    ((ticket, reason),) = terminal.rejected()
    assert ticket.number == offline.number and "number_taken" in reason
    assert terminal.outbox_length() == 0  # refused is not pending: it is never resent


def test_a_refused_offline_ticket_gets_a_new_number_and_keeps_its_place(hall, tmp_path, clock):
    terminal = make_terminal(hall, tmp_path, clock)
    offline = issue_a_number_the_server_will_refuse(hall, terminal)
    clock.advance(120)
    later = hall.engine.issue(IssueRequest(service="GC01"), "later")  # came after the offline one
    terminal.sync()
    (refused,) = terminal.refused_offline()
    outcome = terminal.renumber(refused.id)
    assert outcome.printed and outcome.ticket.number == "K901"
    assert outcome.ticket.issued_at == offline.issued_at  # same place in the queue
    assert outcome.ticket.number.encode() in terminal.printer.output
    report = terminal.sync()
    assert report.complete and report.sent == ["K901"]
    assert terminal.refused_offline() == [] and terminal.outbox.get(refused.id).state == "renumbered"
    on_server = {t.number: t for t in hall.tickets()}
    assert on_server["K901"].issued_at == offline.issued_at
    assert on_server["K901"].ahead < on_server[later.number].ahead
    with pytest.raises(HallError):  # only once
        terminal.renumber(refused.id)
