"""A program's reports of its own state to the hall (DESIGN.md §5, "Devices").

``StatusReporter`` is one small thread per program: it reports at start, every interval, and at
once when a part's state changes (``set_part``, from any thread: the printer's lane, the card
reader's thread). It never blocks its callers and never raises: a hall that does not answer is
logged quietly and tried again at the next interval, so a server that is down never puts a
kiosk out of service. Qt-free: the kiosk, the board, the counter and the evaluator share it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kiosk import __version__
from kiosk.background import BackgroundThread
from kiosk.device_models import DeviceReport
from kiosk.domain import HallError

log = logging.getLogger(__name__)

Probe = Callable[[], "tuple[str, str, str] | None"]
"""Asked on the reporter's thread before each report: ``(part, state, detail)``, or None when
there is nothing to say (a device polled rather than told of its changes, e.g. the sign buses)."""


class StatusReporter(BackgroundThread):
    """Reports ``program``'s version and parts to ``hall`` (a HallClient or a LocalHall).

    ``device`` and ``window`` name the device to an in-process hall only (a server takes the
    token's); ``pending`` counts the outbox's unsent requests; ``probes`` are read before each
    report. ``interval_s`` is the hall's ``[policy] device_report_s`` as the program knows it.
    """

    def __init__(self, hall, program: str, *, device: str = "", window: int | None = None,  # noqa: ANN001
                 interval_s: float = 30.0, pending: Callable[[], int] | None = None,
                 probes: list[Probe] | None = None):
        self.hall = hall
        self.program = program
        self.device = device
        self.window = window
        self.interval_s = interval_s
        self.pending = pending
        self.probes = list(probes or [])
        self._parts: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        super().__init__(f"status-{program}")
        self._started = time.monotonic()
        self.sent = 0  # reports the hall took (diagnostics, tests)
        self.last_error = ""

    def set_part(self, part: str, state: str, detail: str = "") -> None:
        """The part's state now; a change of state is reported at once (a detail alone waits
        for the next report)."""
        with self._lock:
            changed = self._parts.get(part, ("",))[0] != state
            self._parts[part] = (state, detail[:160])
        if changed:
            self._wake.set()

    def drop_part(self, part: str) -> None:
        """The part is gone (no longer configured)."""
        with self._lock:
            self._parts.pop(part, None)

    def parts(self) -> dict[str, tuple[str, str]]:
        """The parts' states as they would be reported now."""
        with self._lock:
            return dict(self._parts)

    def report(self) -> DeviceReport:
        """The report as it would be sent now (the probes are not asked here)."""
        parts = {name: {"state": state, "detail": detail} for name, (state, detail) in self.parts().items()}
        pending = 0
        if self.pending is not None:
            try:
                pending = max(0, int(self.pending()))
            except Exception as exc:  # the count is a nicety: never a reason not to report
                log.debug("outbox count for the status report failed: %s", exc)
        return DeviceReport(version=__version__, program=self.program, outbox_pending=min(pending, 10_000_000),
                            uptime_s=round(min(time.monotonic() - self._started, 10 * 365 * 86400.0), 1),
                            **parts)

    def report_now(self) -> bool:
        """Ask the probes, then send one report (blocking). False, logged quietly, when the hall
        does not take it; never raises."""
        self._probe()
        try:
            self.hall.report_status(self.report(), device=self.device, window=self.window)
        except Exception as exc:  # HallUnreachable, a HallError, a bad report: all wait for the next round
            # Once per outage at info level: a hall down for a night must not fill the log.
            (log.debug if self.last_error else log.info)(
                "status report not sent (next try in %.0f s): %s", self.interval_s, exc)
            self.last_error = exc.detail if isinstance(exc, HallError) else str(exc)
            return False
        if self.last_error:
            log.info("status reports reach the hall again")
        self.sent += 1
        self.last_error = ""
        return True

    def _probe(self) -> None:
        for probe in self.probes:
            try:
                found = probe()
            except Exception as exc:  # a probe's failure is the device's problem, not the report's
                log.debug("status probe failed: %s", exc)
                continue
            if found is not None:
                self.set_part(*found)

    def _run(self) -> None:
        """A report now, then every interval and on each change."""
        while not self._stop.is_set():
            self._wake.clear()  # before the report: a change during it is reported right after
            self.report_now()
            self._wake.wait(self.interval_s)


def printer_part(status) -> tuple[str, str]:  # noqa: ANN001 - a drivers.printer.PrinterStatus
    """The report's printer state for a status reading (``paper_near_end`` is ``paper_low``;
    a printer that cannot answer at all, file: or cups:, is taken as ok)."""
    state = str(status.state)
    if state == "unknown":
        return ("error", status.detail or "the printer does not answer") if status.answerable else ("ok", "")
    return {"paper_near_end": "paper_low"}.get(state, state), status.detail


def printer_error_part(error) -> tuple[str, str]:  # noqa: ANN001 - a drivers.printer.PrinterError or None
    """The report's printer state after a failed print."""
    from drivers.printer import CoverOpen, PaperOut, PrinterOffline, PrinterUnavailable

    kind = ("paper_out" if isinstance(error, PaperOut) else "cover_open" if isinstance(error, CoverOpen)
            else "offline" if isinstance(error, (PrinterOffline, PrinterUnavailable)) else "error")
    return kind, str(error or "")


def reader_listener(reporter: StatusReporter, then: Callable[[object], None]) -> Callable[[object], None]:
    """A card reader's event callback that tells ``reporter`` of the reader's state (lost:
    offline; back or a card read: ok) and passes every event on to ``then``. Runs on the
    reader's thread: ``set_part`` only records and wakes the reporter."""

    def on_event(event) -> None:  # noqa: ANN001 - a drivers.idcard.ReaderEvent
        kind = str(event.kind)
        if kind == "reader_lost":  # the reader's thread tries it again, pausing up to 10 s
            reporter.set_part("reader", "offline", f"reconnecting: {event.reason}")
        elif kind in ("reader_back", "card_read"):
            reporter.set_part("reader", "ok")
        then(event)

    return on_event


def sign_probe(buses: list) -> Probe:
    """A probe of LED sign buses (``drivers.sign.SignBus``): ok while every bus's last attempt
    succeeded; offline when one is not connected (its worker reconnects by itself, the detail
    says so), else error, with that bus's last error."""

    def probe() -> tuple[str, str, str] | None:
        for bus in buses:
            status = bus.status()
            if not status.ok:
                if status.connected:
                    return "sign", "error", f"{status.transport}: {status.last_error}"
                return "sign", "offline", f"reconnecting: {status.transport}: {status.last_error}"
        return ("sign", "ok", "") if buses else None

    return probe
