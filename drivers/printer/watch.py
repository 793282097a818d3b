"""``PrinterWatch``: a printer that went away is reopened in the background and said to be back.

The printer itself already reopens its line at the next print (``Printer``); but a kiosk prints
only when a citizen asks, so without a watch staff would learn that the printer is back only
from the next citizen's ticket. Told that the printer was lost, the watch asks for its status
(which reopens the line) after pauses growing from 0.5 s to 10 s (``drivers.backoff``), tells
its listener "reconnecting" after each failed attempt and "back" once the line opens and the
printer answers (or, on a line that cannot answer, once it opens). Prints never wait for it
longer than one status query: both go through the printer's lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from drivers.backoff import FIRST_S, LIMIT_S, Backoff
from drivers.printer.model import PrinterState, PrinterStatus
from drivers.printer.printer import Printer
from drivers.worker import DeviceWorker

log = logging.getLogger(__name__)

RECONNECTING = "reconnecting"
BACK = "back"

Listener = Callable[[str, PrinterStatus], None]
"""Told ``(RECONNECTING | BACK, status)`` on the watch's thread."""


class PrinterWatch(DeviceWorker):
    """Watches one ``Printer`` while it is away; idle (no polling at all) while it works."""

    def __init__(self, printer: Printer, on_change: Listener, *, first: float = FIRST_S,
                 limit: float = LIMIT_S) -> None:
        super().__init__("printer-watch", None)
        self.printer = printer
        self._on_change = on_change
        self._backoff = Backoff(first, max(first, limit))
        self._watching = False

    @property
    def watching(self) -> bool:
        """True between ``lost()`` and the printer's return (or a ticket that printed)."""
        with self._cond:
            return self._watching

    def lost(self) -> None:
        """The printer could not be reached: try it again until it is back. Never blocks."""
        with self._cond:
            if self._stopping or self._watching:
                return
            self._watching = True
            self._backoff.reset()
            self._cond.notify_all()
        self.start()

    def printed(self) -> None:
        """A ticket just printed: the printer is evidently back, stop watching."""
        with self._cond:
            self._watching = False
            self._cond.notify_all()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the thread (an attempt in progress is given ``timeout`` to finish)."""
        self._stop_thread(timeout)

    def _has_work(self) -> bool:
        return self._watching

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._watching and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                pause = self._backoff.next()
            if not self._pause(pause):
                continue  # stopped, or a ticket printed meanwhile
            self._attempt()

    def _pause(self, seconds: float) -> bool:
        """Wait ``seconds``; False when the watch ended meanwhile."""
        deadline = time.monotonic() + seconds
        with self._cond:
            while self._watching and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    return True
                self._cond.wait(left)
            return False

    def _attempt(self) -> None:
        """One status query (it reopens the line); tell the listener what it found."""
        with self._cond:
            self._busy = True
        try:
            status = self.printer.status()
            back = reachable(self.printer, status)
        except Exception as exc:  # a bug must not end the watch: try again after the next pause
            log.exception("printer watch: status query failed")
            status, back = PrinterStatus(PrinterState.UNKNOWN, False, str(exc)), False
        with self._cond:
            self._busy = False
            still = self._watching
            if back:
                self._watching = False
            self._cond.notify_all()
        if still:
            if back:
                log.info("printer %s is back", self.printer.transport.description)
            self._tell(BACK if back else RECONNECTING, status)

    def _tell(self, what: str, status: PrinterStatus) -> None:
        try:
            self._on_change(what, status)
        except Exception:  # the listener's bug is not the printer's
            log.exception("printer watch listener failed")


def reachable(printer: Printer, status: PrinterStatus) -> bool:
    """Whether the status just read came from the printer itself: its line is open and, where
    the line can answer, the printer answered (paper out or cover open count: it is there)."""
    if not printer.transport.is_open:
        return False
    return not (status.answerable and status.state is PrinterState.UNKNOWN)
