"""A printer on a serial line, faked by the pty simulator that answers status queries."""

from __future__ import annotations

import threading
import time

import pytest

from drivers.printer import (
    CoverOpen,
    PaperOut,
    PrinterNotResponding,
    PrinterOffline,
    PrinterSettings,
    PrinterState,
    PrinterUnavailable,
    PrinterWorker,
    PrintTimeout,
    open_printer,
    render_ticket,
)
from drivers.printer.simulator import SerialPrinterSimulator
from tests.drivers.escpos_decode import decode
from tests.drivers.printer_samples import STATUS_URL, ticket
from tests.polling import wait_for


@pytest.fixture
def sim():
    with SerialPrinterSimulator() as simulator:
        yield simulator


def settings_for(sim: SerialPrinterSimulator, **changes: object) -> PrinterSettings:
    # A generous status timeout: a loaded machine may be slow to run the simulator's thread.
    # Only silent printers wait it out, once per print.
    values: dict[str, object] = {"status_timeout_s": 1.0, "write_timeout_s": 3.0, **changes}
    return PrinterSettings(uri=sim.uri, **values)




def test_print_over_serial_is_done_and_confirmed(sim) -> None:
    printer = open_printer(settings_for(sim))
    result = printer.print_ticket(ticket())
    assert result.confirmed and result.status.state is PrinterState.OK
    assert wait_for(lambda: len(sim.received) >= result.bytes_written + 12)
    out = decode(bytes(sim.received))
    assert "A012" in out.text and out.qr_payloads == [STATUS_URL]
    assert out.queries[:2] == [1, 4] and out.queries[-2:] == [1, 4]  # before and after
    printer.close()


def test_paper_near_end_prints_but_says_so(sim) -> None:
    sim.paper = "near_end"
    result = open_printer(settings_for(sim)).print_ticket(ticket())
    assert result.status.state is PrinterState.PAPER_NEAR_END and result.confirmed


@pytest.mark.parametrize(
    ("paper", "error", "state"),
    [
        ("out", PaperOut, PrinterState.PAPER_OUT),
        ("cover_open", CoverOpen, PrinterState.COVER_OPEN),
        ("error", PrinterOffline, PrinterState.OFFLINE),
    ],
)
def test_printer_states_refuse_the_ticket(sim, paper, error, state) -> None:
    sim.paper = paper
    printer = open_printer(settings_for(sim))
    with pytest.raises(error) as caught:
        printer.print_ticket(ticket())
    assert caught.value.bytes_written == 0 and not caught.value.maybe_printed
    assert caught.value.status.state is state
    assert caught.value.citizen_message("zh") and caught.value.citizen_message("en")
    assert state.value in str(caught.value)  # the staff message is precise
    assert printer.status().state is state
    assert b"\x1b@" not in sim.received  # nothing was sent to a printer that cannot print


def test_paper_running_out_during_the_ticket(sim) -> None:
    """Fine before, out after: the ticket is not done and may be half on paper."""
    sim.stall_after = 10  # hold the ticket so the state can change while it is sent

    printer = open_printer(settings_for(sim))
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = printer.print_ticket(ticket())
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion below
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    assert wait_for(lambda: sim.stall)
    sim.paper = "out"
    sim.stall = False
    thread.join(10)
    error = outcome.get("error")
    assert isinstance(error, PaperOut) and error.maybe_printed


def test_silent_printer_is_unknown_and_nothing_counts_as_done(sim) -> None:
    sim.paper = "silent"
    printer = open_printer(settings_for(sim, status_timeout_s=0.3))
    status = printer.status()
    assert status.state is PrinterState.UNKNOWN and status.answerable and not status.fine
    with pytest.raises(PrinterNotResponding):
        printer.print_ticket(ticket())


def test_silent_after_the_ticket_is_not_done(sim) -> None:
    sim.stall_after = 10
    printer = open_printer(settings_for(sim))
    outcome: dict[str, object] = {}
    thread = threading.Thread(
        target=lambda: outcome.update(error=_catch(lambda: printer.print_ticket(ticket())))
    )
    thread.start()
    assert wait_for(lambda: sim.stall)
    sim.paper = "silent"
    sim.stall = False
    thread.join(10)
    assert isinstance(outcome["error"], PrinterNotResponding)
    assert outcome["error"].maybe_printed


def _catch(call):
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - returned for the assertion
        return exc
    return None


def test_unplugged_mid_ticket_then_back(sim) -> None:
    settings = settings_for(sim, mode="raster")  # tens of KB: the pty fills while sending
    printer = open_printer(settings)
    sim.unplug_after = 4000
    with pytest.raises(PrinterUnavailable) as caught:
        printer.print_ticket(ticket())
    assert caught.value.maybe_printed
    assert not sim.plugged
    assert printer.status().state is PrinterState.OFFLINE
    with pytest.raises(PrinterUnavailable):
        printer.print_ticket(ticket())  # still gone: fails fast, typed
    sim.replug()
    sim.clear()
    result = printer.print_ticket(ticket())  # the same Printer, no restart
    assert result.confirmed
    assert wait_for(lambda: len(sim.received) >= result.bytes_written)
    assert decode(bytes(sim.received)).image_qr_texts() == [STATUS_URL]


def test_stalled_printer_times_out_within_bound() -> None:
    # A fast line, so the bound is the 0.5 s timeout plus a few ms of wire time.
    with SerialPrinterSimulator(baudrate=4_000_000) as sim:
        printer = open_printer(settings_for(sim, mode="raster", write_timeout_s=0.5))
        sim.stall_after = 100
        started = time.monotonic()
        with pytest.raises(PrintTimeout) as caught:
            printer.print_ticket(ticket())
        assert time.monotonic() - started < 5  # bounded by the timeout, generous for a busy box
        assert caught.value.maybe_printed


def test_write_timeout_allows_for_the_line_speed(sim) -> None:
    """A raster ticket needs seconds at 115200 baud: the timeout must not count that as a
    stall (the bound grows by 10 bits per byte at the line's rate)."""
    transport = open_printer(settings_for(sim)).transport
    assert 46080 * transport.byte_time == pytest.approx(4.0)


def test_worker_never_interleaves_jobs_and_reports_status(sim) -> None:
    seen: list[PrinterState] = []
    worker = PrinterWorker(
        open_printer(settings_for(sim)), poll_s=0.05, on_status=lambda s: seen.append(s.state)
    )
    numbers = [f"B{i:03d}" for i in range(8)]
    futures = []
    lock = threading.Lock()

    def submit(number: str) -> None:
        future = worker.submit(ticket(number=number))
        with lock:
            futures.append(future)

    threads = [threading.Thread(target=submit, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results = [future.result(timeout=30) for future in futures]
    assert all(r.confirmed for r in results)
    total = sum(r.bytes_written for r in results)
    assert wait_for(lambda: len(sim.received) >= total)
    out = decode(bytes(sim.received))
    printed = [line.text for line in out.lines if line.text in numbers]
    assert sorted(printed) == numbers and out.inits == out.cuts == 8
    # Each ticket is whole: between two inits there is exactly one cut and one number.
    events = [e for e in out.events if e in ("init", "cut")]
    assert events == ["init", "cut"] * 8
    sim.paper = "out"
    assert wait_for(lambda: PrinterState.PAPER_OUT in seen)
    sim.paper = "ok"
    assert wait_for(lambda: seen[-1] is PrinterState.OK)
    worker.stop(5)


def test_status_query_through_the_worker_waits_for_prints(sim) -> None:
    worker = PrinterWorker(open_printer(settings_for(sim)))
    job = worker.submit(ticket())
    status = worker.query_status()
    assert status.result(10).state is PrinterState.OK
    assert job.done()
    worker.stop(5)


def test_raw_bytes_job(sim) -> None:
    settings = settings_for(sim)
    printer = open_printer(settings)
    payload = render_ticket(ticket(number="C001"), settings)
    assert printer.print_bytes(payload).bytes_written == len(payload)
