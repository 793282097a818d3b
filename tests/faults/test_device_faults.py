"""Devices failing while a citizen is served: the printer dies mid-ticket, the card reader is
unplugged mid-read. The ticket is never lost or doubled, and both recover by themselves."""

from __future__ import annotations

import queue
import time

import pytest

from drivers.idcard import EventKind, ReaderWorker
from drivers.idcard.simulator import forget_sim, sim_device
from drivers.printer import PrinterSettings, open_printer
from drivers.printer.simulator import SerialPrinterSimulator
from tests.faults.harness import account, terminal_for


@pytest.fixture
def sim_printer():
    with SerialPrinterSimulator(paper="ok") as sim:
        yield sim


@pytest.mark.parametrize("server_up", [True, False], ids=["online", "offline"])
def test_printer_fails_mid_ticket(hall, tmp_path, clock, sim_printer, server_up):
    printer = open_printer(PrinterSettings(uri=sim_printer.uri, status_timeout_s=0.3, write_timeout_s=2))
    terminal = terminal_for(hall.config_dir, "K01", hall.url, tmp_path / "kiosks", printer, clock=clock.now)
    terminal.catalog()  # seen once online, as a running kiosk has
    if not server_up:
        hall.stop()
    sim_printer.unplug_after = 120  # the cable comes out while the ticket is on its way
    outcome = terminal.issue("GC01")
    assert not outcome.printed and outcome.print_error is not None
    assert len(sim_printer.received) >= 120  # part of it reached the printer before it died
    assert outcome.ticket.offline is not server_up
    assert [t.id for t in terminal.unprinted()] == [outcome.ticket.id]  # re-offered, not lost
    sim_printer.replug()
    sim_printer.clear()
    again = terminal.reprint(outcome.ticket.id)
    assert again.printed and again.reprint
    assert outcome.ticket.number.encode() in bytes(sim_printer.received)
    assert terminal.unprinted() == []
    if not server_up:
        hall.start()
    assert terminal.sync().complete
    tickets = hall.tickets()
    assert [t.number for t in tickets] == [outcome.ticket.number]
    assert account([terminal.outbox], tickets, {"K01"}) == (0, 0)
    terminal.close()


def wait_for(events: queue.Queue, kind: EventKind, timeout: float = 10.0) -> list:
    """Events up to and including the first of ``kind``."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=0.1)
        except queue.Empty:
            continue
        seen.append(event)
        if event.kind == kind:
            return seen
    raise AssertionError(f"no {kind} within {timeout} s; saw {[e.kind for e in seen]}")


def test_reader_unplugged_mid_read(hall, tmp_path, clock):
    uri = "sim:resident?instance=fault-unplug&fault=slow&delay=0.4"
    forget_sim(uri)
    device = sim_device(uri)
    worker = ReaderWorker(uri, poll_interval=0.05, reopen_interval=0.2, health_interval=0.2)
    worker.start()
    worker.start_polling()
    terminal = terminal_for(hall.config_dir, "K01", hall.url, tmp_path / "kiosks",
                            open_printer(PrinterSettings(uri="dummy:")), clock=clock.now)
    try:
        deadline = time.monotonic() + 5
        while not device.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # a slow reply is on its way: pull the cable now
        device.unplug()
        before = wait_for(worker.events, EventKind.READER_LOST)
        assert not any(e.kind == EventKind.CARD_READ for e in before)  # no half-read card
        device.clear_faults()
        device.plug()
        after = wait_for(worker.events, EventKind.CARD_READ)
        assert EventKind.READER_BACK in [e.kind for e in after]
        card = after[-1].card
        terminal.catalog()  # as the kiosk does before its first citizen: it brings the sealing key
        outcome = terminal.issue("SS01", citizen=terminal.citizen(card))
        assert outcome.printed and "*" in (outcome.ticket.id_mask or "")
        tickets = hall.tickets()
        assert [t.id for t in tickets] == [outcome.ticket.id]
        assert account([terminal.outbox], tickets, {"K01"}) == (0, 0)
    finally:
        worker.stop()
        forget_sim(uri)
        terminal.close()
