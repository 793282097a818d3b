"""The hall-wide event stream: stored in the database, waited on in memory.

Events are appended in the same transaction as the change they describe, so the stream and
the state never disagree. After each commit the engine calls ``EventFeed.notify``: waiters in
this process are woken at once, and so are the feed's listeners (the hall server's
``kiosk.event_hub.EventHub``, which reads the new events once for all its subscribers). Events
written by another process sharing the database are picked up by a short poll.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from kiosk import queries as q
from kiosk import store as db
from kiosk.models import HallEvent

POLL_SECONDS = 0.25


def sse_frame(seq: int, kind: str, data: str) -> bytes:
    """One Server-Sent Events frame. ``data`` is the stored JSON text: written by json.dumps it
    holds no line break, but a line break would end the field, so each line gets its own."""
    body = data.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\ndata: ")
    return f"id: {seq}\nevent: {kind}\ndata: {body}\n\n".encode()


class EventFeed:
    """Reads and waits for hall events after a sequence number."""

    def __init__(self, store: db.Store):
        self.store = store
        self._changed = threading.Condition()
        self._version = 0
        self._listeners: list[Callable[[], None]] = []

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the writer's thread, so it must be quick and thread-safe)
        after every commit that added events."""
        self._listeners.append(listener)

    def notify(self) -> None:
        """Wake every waiter and listener: new events were committed."""
        with self._changed:
            self._version += 1
            self._changed.notify_all()
        for listener in self._listeners:
            listener()

    def last_seq(self) -> int:
        """The newest event's sequence number (0 when there is none)."""
        with self.store.read() as conn:
            return int(conn.execute(q.LAST_EVENT_SEQ).scalar() or 0)

    def after(self, seq: int, limit: int = 500) -> list[HallEvent]:
        """Stored events with a sequence number above ``seq``, oldest first."""
        with self.store.read() as conn:
            rows = conn.execute(q.EVENTS_AFTER, {"seq": seq, "limit": limit}).all()
        return [HallEvent(seq=r.seq, type=r.type, data=json.loads(r.data)) for r in rows]

    def frames_after(self, seq: int, limit: int = 500) -> list[tuple[int, str, bytes]]:
        """Stored events above ``seq`` as (seq, type, SSE frame), oldest first: the stored JSON
        text is sent as it is, never parsed and encoded again."""
        with self.store.read() as conn:
            rows = conn.execute(q.EVENTS_AFTER, {"seq": seq, "limit": limit}).all()
        return [(r.seq, r.type, sse_frame(r.seq, r.type, r.data)) for r in rows]

    def wait(self, seq: int, timeout: float) -> list[HallEvent]:
        """Events after ``seq``, waiting up to ``timeout`` seconds for at least one.

        For the few in-process followers (a standalone kiosk's board and counter): each waiter
        reads the database itself. The hall server's streams use ``EventHub`` instead.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._changed:
                version = self._version
            events = self.after(seq)
            remaining = deadline - time.monotonic()
            if events or remaining <= 0:
                return events
            with self._changed:
                if self._version == version:
                    self._changed.wait(min(remaining, POLL_SECONDS))
