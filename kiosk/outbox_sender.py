"""Delivering the outbox: the link state staff see, and the sender thread.

``Link`` is whether the kiosk currently reaches the hall server. ``OutboxSender`` sends pending
entries oldest first, each under its own id as Idempotency-Key, so a resend after any crash or
timeout returns the ticket the server already made. While the server is away it probes it
(sending the oldest entry, or fetching the catalog when nothing waits) with a growing pause.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.background import BackgroundThread
from kiosk.client import HallUnreachable
from kiosk.domain import HallError
from kiosk.outbox import Outbox, OutboxError

log = logging.getLogger(__name__)

CRASH_ENV = "KIOSK_CRASH_AT"
"""Fault tests set this to a pipeline point's name; the process kills itself (SIGKILL) there."""


def crash_point(name: str) -> None:
    """Die like a power cut at ``name`` when the fault tests ask for it (no cleanup at all)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class Link:
    """Whether the hall server answers; thread-safe, with a listener for the staff panel."""

    def __init__(self, retry_after: float = 2.0):
        self.retry_after = retry_after
        self._online = True
        self._since = time.monotonic()
        self.last_error = ""
        self._lock = threading.Lock()
        self.listeners: list[Callable[[bool, str], None]] = []

    @property
    def online(self) -> bool:
        """False from the first unanswered request until the server answers again."""
        return self._online

    def should_try(self) -> bool:
        """Online, or offline long enough that the citizen's request may try the server again."""
        return self._online or time.monotonic() - self._since >= self.retry_after

    def up(self) -> None:
        """The server answered."""
        self._set(True, "")

    def down(self, reason: str) -> None:
        """The server did not answer."""
        self._set(False, reason)

    def _set(self, online: bool, reason: str) -> None:
        with self._lock:
            changed = online != self._online
            self._since = time.monotonic()
            self._online, self.last_error = online, reason
        if changed:
            log.warning("hall server %s%s", "reachable again" if online else "unreachable: ", reason)
            for listener in list(self.listeners):
                listener(online, reason)


@dataclass
class SyncReport:
    """What one flush did."""

    sent: list[str] = field(default_factory=list)  # ticket numbers delivered
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (number, reason)
    remaining: int = 0
    error: str = ""

    @property
    def complete(self) -> bool:
        """Nothing left to send and nothing refused."""
        return self.remaining == 0 and not self.rejected and not self.error


class OutboxSender(BackgroundThread):
    """Sends the outbox to the hall; ``flush()`` in the caller's thread, or ``start()`` a thread."""

    def __init__(self, outbox: Outbox, hall, link: Link, *, clock=time.time,
                 interval: float = 0.5, max_pause: float = 5.0, on_catalog=None):
        self.outbox = outbox
        self.hall = hall
        self.link = link
        self.clock = clock
        self.interval = interval
        self.max_pause = max_pause
        self.on_catalog = on_catalog
        self.rejected_listeners: list[Callable[[str, str], None]] = []  # (number, reason), for staff
        self._flushing = threading.Lock()
        super().__init__("outbox-sender")

    def flush(self) -> SyncReport:
        """Send every pending entry now; stops at the first sign the server is away."""
        report = SyncReport()
        with self._flushing:
            while True:
                batch = self.outbox.pending(50)
                if not batch:
                    break
                for entry in batch:
                    if not self._send(entry, report):
                        report.remaining = self.outbox.length()
                        return report
        report.remaining = self.outbox.length()
        return report

    def _send(self, entry, report: SyncReport) -> bool:
        try:
            ticket = self.hall.issue(entry.request, entry.id)
        except HallUnreachable as exc:
            self.link.down(str(exc))
            self.outbox.note_attempt(entry.id, str(exc))
            report.error = str(exc)
            return False
        except HallError as exc:
            reason = f"{exc.code}: {exc.detail}"
            log.error("outbox entry %s (%s) rejected by the server: %s", entry.id, entry.number, reason)
            self.outbox.mark_rejected(entry.id, reason)
            report.rejected.append((entry.number or entry.service, reason))
            for listener in list(self.rejected_listeners):
                listener(entry.number or entry.service, reason)
            return True
        self.link.up()
        crash_point("after_send")
        self.outbox.mark_sent(entry.id, ticket, self.clock())
        report.sent.append(ticket.number)
        return True

    def probe(self) -> bool:
        """Ask the server for its catalog; True when it answered."""
        try:
            catalog = self.hall.catalog()
        except (HallUnreachable, HallError) as exc:
            self.link.down(str(exc))
            return False
        self.link.up()
        if self.on_catalog is not None:
            self.on_catalog(catalog)
        return True

    # ----- the background thread -------------------------------------------------------------

    def kick(self) -> None:
        """Something new is in the outbox: look now rather than at the next interval."""
        self.wake()

    def _run(self) -> None:
        pause = self.interval
        while not self._stop.is_set():
            try:
                ok = self._round()
            except OutboxError as exc:  # the disk is failing: keep trying, staff see the alert
                log.error("outbox sender: %s", exc)
                ok = False
            except Exception:  # never let the sender die: the outbox would silently stop draining
                log.exception("outbox sender failed; retrying")
                ok = False
            pause = self.interval if ok else min(pause * 2, self.max_pause)
            self._wake.wait(pause)
            self._wake.clear()

    def _round(self) -> bool:
        if self.outbox.length():
            return self.flush().error == ""
        if not self.link.online:
            return self.probe()
        return True
