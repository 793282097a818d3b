"""The link to the hall server misbehaving: 500s, answers that never come, clocks apart."""

from __future__ import annotations

import pytest

from drivers.printer import PrinterSettings, open_printer
from kiosk.clock import FakeClock
from tests.faults.harness import FaultProxy, account, assert_queue_order, terminal_for


@pytest.fixture
def proxy(hall):
    p = FaultProxy(hall.url, delay=1.5)
    yield p
    p.close()


def kiosk(hall, url, tmp_path, clock, name="K01"):
    return terminal_for(hall.config_dir, name, url, tmp_path / "kiosks",
                        open_printer(PrinterSettings(uri="dummy:")), timeout=0.5, clock=clock)


@pytest.mark.parametrize("mode", ["500", "500_after", "slow", "hang"])
def test_server_errors_and_timeouts_fall_back_offline_without_duplicates(hall, proxy, tmp_path, clock, mode):
    """``500_after`` and ``slow`` are the hard ones: the server made the ticket but the kiosk
    never heard; the offline ticket it printed instead replaces that one on sync."""
    terminal = kiosk(hall, proxy.url, tmp_path, clock.now)
    first = terminal.issue("GC01").ticket  # all well
    proxy.mode = mode
    clock.advance(30)
    handed = [first] + [terminal.issue("GC01").ticket for _ in range(3)]
    assert all(t.offline for t in handed[1:]) and not terminal.online
    assert terminal.outbox_length() == 3
    proxy.mode = "pass"
    clock.advance(30)
    report = terminal.sync()
    assert report.complete and terminal.online
    tickets = hall.tickets()
    live = [t for t in tickets if t.state != "void"]
    assert [t.number for t in live] == [t.number for t in handed]
    made_by_server_unheard = 1 if mode in ("500_after", "slow") else 0
    assert sum(t.state == "void" for t in tickets) == made_by_server_unheard
    assert_queue_order(live)
    assert account([terminal.outbox], tickets, {"K01"}) == (0, 0)
    terminal.close()


@pytest.mark.parametrize("skew", [+300, -300], ids=["kiosk_ahead", "kiosk_behind"])
def test_clocks_five_minutes_apart(hall, tmp_path, clock, skew):
    """Offline tickets carry the kiosk's time: a time in the server's future is clamped to its
    now; the queue still follows issue times, and each kiosk's tickets keep their order."""
    kiosk_clock = FakeClock(clock.now() + skew)
    skewed = kiosk(hall, hall.url, tmp_path, kiosk_clock.now, "K01")
    exact = kiosk(hall, hall.url, tmp_path, clock.now, "K02")
    skewed.catalog()
    exact.catalog()
    hall.stop()
    order = []
    for _ in range(3):
        for terminal in (skewed, exact):
            order.append((terminal.config.kiosk.id, terminal.issue("GC01").ticket))
            clock.advance(20)
            kiosk_clock.advance(20)
    hall.start()
    sync_time = clock.now()
    assert skewed.sync().complete and exact.sync().complete
    tickets = hall.tickets()
    by_id = {t.id: t for t in tickets}
    assert all(t.issued_at.timestamp() <= sync_time for t in tickets)  # never in the future
    for kiosk_id, ticket in order:
        stored = by_id[ticket.id].issued_at.timestamp()
        if kiosk_id == "K02" or skew < 0:
            assert stored == pytest.approx(ticket.issued_at.timestamp())  # the kiosk's own time
        else:
            assert stored == pytest.approx(min(ticket.issued_at.timestamp(), sync_time))  # clamped
    for kiosk_id in ("K01", "K02"):
        mine = [by_id[t.id] for k, t in order if k == kiosk_id]
        assert [t.issued_at for t in mine] == sorted(t.issued_at for t in mine)
        ahead = [t.ahead for t in mine]
        assert ahead == sorted(ahead)  # and they queue in the order they were issued
    assert_queue_order(tickets)
    assert account([skewed.outbox, exact.outbox], tickets, {"K01", "K02"}) == (0, 0)
    skewed.close()
    exact.close()
