"""The printer: a transport chosen by URI, rendering, status checks and typed failures.

Connection is lazy and self-healing: any transport failure closes the transport, and the next
call opens it again, so a printer that comes back is used without restarting anything.
A ticket counts as printed only when every byte was written and, where the transport can
answer, the status read afterwards is fine.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

from drivers.pipe import BytePipe
from drivers.printer.errors import (
    CoverOpen,
    PaperOut,
    PrinterError,
    PrinterNotResponding,
    PrinterOffline,
    PrinterUnavailable,
    PrintTimeout,
    pipe_failures,
)
from drivers.printer.model import (
    PrinterSettings,
    PrinterState,
    PrinterStatus,
    PrintResult,
    TicketData,
)
from drivers.printer.status import query_status
from drivers.printer.transports import DummyTransport
from drivers.printer.uri import parse_uri, printer_pipe

log = logging.getLogger(__name__)


class Printer:
    """One ticket printer. Thread-safe; calls are serialised and bounded by the timeouts.

    ``transport`` (a ``BytePipe``) may be given to put the printer on a prepared transport
    (tests, demo); otherwise the settings' URI names it.
    """

    def __init__(self, settings: PrinterSettings, transport: BytePipe | None = None) -> None:
        self.settings = settings
        self.transport = transport or printer_pipe(settings.uri)
        self._lock = threading.Lock()
        self.last_status: PrinterStatus | None = None

    @property
    def output(self) -> bytes:
        """Bytes kept by a ``dummy:`` printer (empty for other transports)."""
        return bytes(self.transport.output) if isinstance(self.transport, DummyTransport) else b""

    def print_ticket(self, data: TicketData) -> PrintResult:
        """Render and print one ticket; raise a ``PrinterError`` subclass on any failure."""
        # Imported here, not at the top: opening a printer (at every kiosk start) needs no
        # python-escpos or Pillow; a kiosk loads them on its printer lane after its first frame.
        from drivers.printer.render import render_ticket

        return self.print_bytes(render_ticket(data, self.settings))

    def print_bytes(self, payload: bytes) -> PrintResult:
        """Send a prepared ESC/POS stream with the same checks as a ticket."""
        with self._locked():
            started = time.monotonic()
            try:
                with pipe_failures():
                    self._open()
                    self._require_fine(self._status(), before=True)
                    # The timeout covers the wait for the printer; the line's own time is added,
                    # or a raster ticket (5 s at 115200 baud) could never finish on serial.
                    wire = len(payload) * self.transport.byte_time
                    written = self.transport.write(payload, self.settings.write_timeout_s + wire)
                    after = self._status(extra=self._drain_time())
                    self._require_fine(after, before=False, written=written)
            except PrinterError as exc:
                self._on_failure(exc)
                raise
            return PrintResult(written, after, time.monotonic() - started)

    def status(self) -> PrinterStatus:
        """Query the printer now. Never raises: a missing device reads as ``offline``, a
        printer busy with a long job as ``unknown``."""
        try:
            with self._locked():
                try:
                    with pipe_failures():
                        self._open()
                        return self._status()
                except PrinterError as exc:
                    self._on_failure(exc)
                    return self.last_status
        except PrintTimeout as exc:
            return PrinterStatus(PrinterState.UNKNOWN, self.transport.can_answer, str(exc))

    def close(self) -> None:
        """Release the device (the next call opens it again)."""
        with self._locked():
            self.transport.close()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The printer lock, waited for no longer than one full print could take."""
        limit = self.settings.write_timeout_s + 6 * self.settings.status_timeout_s
        if not self._lock.acquire(timeout=limit):
            raise PrintTimeout(f"{self.transport.description}: busy for over {limit:.1f} s")
        try:
            yield
        finally:
            self._lock.release()

    def _open(self) -> None:
        if not self.transport.is_open:
            self.transport.open(self.settings.write_timeout_s)
            log.info("printer %s connected", self.transport.description)

    def _status(self, extra: float = 0.0) -> PrinterStatus:
        if not self.settings.check_status:
            status = PrinterStatus(PrinterState.UNKNOWN, False, "status checks turned off")
        else:
            status = query_status(self.transport, self.settings.status_timeout_s + extra)
        self.last_status = status
        return status

    def _drain_time(self) -> float:
        """On a slow serial line the OS may still hold bytes that must go before the query."""
        return self.transport.unsent() * self.transport.byte_time

    def _require_fine(self, status: PrinterStatus, *, before: bool, written: int = 0) -> None:
        if status.fine:
            return
        where = "before printing" if before else f"after sending {written} bytes"
        text = f"{self.transport.description}: {status.state.value} {where}"
        if status.detail:
            text += f" ({status.detail})"
        kind = {
            PrinterState.PAPER_OUT: PaperOut,
            PrinterState.COVER_OPEN: CoverOpen,
            PrinterState.OFFLINE: PrinterOffline,
        }.get(status.state, PrinterNotResponding)
        raise kind(text, bytes_written=written, status=status)

    def _on_failure(self, exc: PrinterError) -> None:
        log.warning("printer failure: %s", exc)
        if exc.status is not None:
            self.last_status = exc.status
        else:
            state = PrinterState.UNKNOWN if isinstance(exc, PrintTimeout) else PrinterState.OFFLINE
            self.last_status = PrinterStatus(state, self.transport.can_answer, str(exc))
        if isinstance(exc, PrinterUnavailable | PrintTimeout):
            # The line may be dead or hold half a ticket: reopen from scratch next time.
            self.transport.close()


def open_printer(uri_or_settings: str | PrinterSettings) -> Printer:
    """A ``Printer`` from a URI string (other settings default) or from full settings."""
    if isinstance(uri_or_settings, PrinterSettings):
        return Printer(uri_or_settings)
    parse_uri(uri_or_settings)  # a bad URI raises PrinterConfigError naming the problem
    return Printer(PrinterSettings(uri=uri_or_settings))
