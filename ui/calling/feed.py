"""The hall's live events, followed on a worker thread and delivered to the GUI by signals.

``HallFeed`` iterates ``hall.follow`` (``HallClient`` resumes with Last-Event-ID after a
disconnect; ``LocalHall`` follows the engine in-process). Every time the stream (re)connects it
also fetches the calls made since the last one it knows, so a call made while the link was down
or before the first event arrived is never lost; the receiver drops the duplicates by call
sequence number. Nothing here touches a widget.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from kiosk.client import HallUnreachable
from kiosk.domain import HallError
from kiosk.models import Call

log = logging.getLogger(__name__)

FETCH_LIMIT = 200


def last_call_seq(hall) -> int:  # noqa: ANN001 - any Hall
    """The newest call's sequence number, found with a few tiny ``calls`` queries.

    The API lists calls after a number, oldest first; an exponential then binary search finds
    the end without reading the whole history.
    """
    if not hall.calls(0, 1):
        return 0
    low, high = 0, 1
    while hall.calls(high, 1):
        low, high = high, high * 2
    while high - low > 1:  # some call is after low; none is after high
        middle = (low + high) // 2
        if hall.calls(middle, 1):
            low = middle
        else:
            high = middle
    return high


def recent_calls(hall, count: int, day: str | None = None) -> list[Call]:  # noqa: ANN001
    """The last ``count`` calls (of ``day`` when given), oldest first."""
    end = last_call_seq(hall)
    calls = hall.calls(max(0, end - count), min(500, max(1, count)))
    if day is not None:
        calls = [c for c in calls if c.called_at.date().isoformat() == day]
    return calls


class HallFeed(QObject):
    """Follows the hall on a thread; ``calls`` (a list of Call), ``event`` (type, data) and
    ``status`` (``connected``/``reconnecting``) arrive on the GUI thread, in stream order."""

    calls = Signal(object, bool)  # calls, initial (the history fetched at start: not announced)
    event = Signal(str, object)
    status = Signal(str)

    def __init__(self, hall, recent: int = 8, parent: QObject | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.hall = hall
        self.recent = recent
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._known = -1  # newest call sequence fetched; -1: nothing fetched yet
        self._day: str | None = None

    def start(self, day: str | None = None) -> None:
        """Start following; ``day`` limits the first fetch to today's calls."""
        self._day = day
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="hall-feed", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop following (the stream notices within its poll interval)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for event in self.hall.follow(None, self._stop, self._on_status):
                    if event.type == "call":
                        self._known = max(self._known, int(event.data.get("seq", 0)))
                    self.event.emit(event.type, event.data)
            except Exception as exc:  # the follower must outlive any failure of the link
                log.warning("hall feed: %s", exc)
                self.status.emit("reconnecting")
                self._stop.wait(1.0)

    def _on_status(self, status: str) -> None:
        if status == "connected":
            self._catch_up()
        self.status.emit(status)

    def _catch_up(self) -> None:
        """Fetch the calls since the newest known one (the last few on the first connect)."""
        initial = self._known < 0
        try:
            for entry in self.hall.queue():  # counts may have changed while the link was down
                self.event.emit("queue", entry.model_dump(mode="json"))
            if initial:
                fresh = recent_calls(self.hall, self.recent, self._day)
                self._known = max([c.seq for c in fresh], default=last_call_seq(self.hall))
            else:
                fresh = self._since(self._known)
            if fresh:
                self._known = max(self._known, fresh[-1].seq)
                self.calls.emit(fresh, initial)
        except (HallError, HallUnreachable, OSError) as exc:
            log.warning("hall feed: catching up failed: %s", exc)

    def _since(self, seq: int) -> list[Call]:
        out: list[Call] = []
        while True:
            batch = self.hall.calls(seq, FETCH_LIMIT)
            out += batch
            if len(batch) < FETCH_LIMIT:
                return out
            seq = batch[-1].seq
