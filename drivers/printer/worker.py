"""One thread and one job queue per printer, so jobs never interleave and no caller blocks.

Callers get a ``Future``; the GUI turns its completion into a signal. While idle, the worker
can poll the printer's status and report changes (paper out, paper refilled, unplugged,
back), which is how staff learn of a problem before a citizen meets it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from drivers.printer.errors import PrinterError
from drivers.printer.model import PrinterStatus, PrintResult, TicketData
from drivers.printer.printer import Printer

log = logging.getLogger(__name__)
_STOP = object()


class PrinterWorker:
    """Runs every job for one ``Printer`` on its own named thread.

    ``poll_s``: when set, query the status after that many idle seconds and call
    ``on_status`` (on the worker thread) whenever the state changes.
    """

    def __init__(
        self,
        printer: Printer,
        *,
        poll_s: float | None = None,
        on_status: Callable[[PrinterStatus], None] | None = None,
    ) -> None:
        self.printer = printer
        self.poll_s = poll_s
        self.on_status = on_status
        self._jobs: queue.Queue = queue.Queue()
        self._last_state = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"printer {printer.transport.description}", daemon=True
        )
        self._thread.start()

    def submit(self, data: TicketData) -> Future[PrintResult]:
        """Queue a ticket; the future holds a ``PrintResult`` or a ``PrinterError``."""
        return self._queue(lambda: self.printer.print_ticket(data))

    def submit_bytes(self, payload: bytes) -> Future[PrintResult]:
        """Queue a prepared ESC/POS stream (test pages, reprints)."""
        return self._queue(lambda: self.printer.print_bytes(payload))

    def query_status(self) -> Future[PrinterStatus]:
        """Queue a status query behind any pending prints."""
        return self._queue(self.printer.status)

    def stop(self, timeout: float | None = None) -> None:
        """Finish queued jobs, then stop the thread and close the printer."""
        if not self._stopped.is_set():
            self._stopped.set()
            self._jobs.put(_STOP)
        self._thread.join(timeout)

    def _queue(self, job: Callable[[], object]) -> Future:
        future: Future = Future()
        if self._stopped.is_set():
            future.set_exception(PrinterError("printer worker stopped"))
            return future
        self._jobs.put((job, future))
        return future

    def _run(self) -> None:
        while True:
            try:
                item = self._jobs.get(timeout=self.poll_s)
            except queue.Empty:
                self._report(self.printer.status())
                continue
            if item is _STOP:
                break
            job, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = job()
            except PrinterError as exc:
                future.set_exception(exc)
            except Exception as exc:  # a bug must not kill the printer's only thread
                log.exception("printer job failed unexpectedly")
                future.set_exception(exc)
            else:
                future.set_result(result)
            if self.printer.last_status is not None:
                self._report(self.printer.last_status)
        self.printer.close()

    def _report(self, status: PrinterStatus) -> None:
        if self.on_status is None or status.state == self._last_state:
            return
        self._last_state = status.state
        try:
            self.on_status(status)
        except Exception:  # the listener's bug is not the printer's
            log.exception("printer status listener failed")
