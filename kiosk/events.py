"""The hall-wide event stream: stored in the database, waited on in memory.

Events are appended in the same transaction as the change they describe, so the stream and
the state never disagree. Waiters in this process are woken at once; events written by another
process sharing the database are picked up by a short poll.
"""

from __future__ import annotations

import json
import threading
import time

from kiosk import queries as q
from kiosk import store as db
from kiosk.models import HallEvent

POLL_SECONDS = 0.25


class EventFeed:
    """Reads and waits for hall events after a sequence number."""

    def __init__(self, store: db.Store):
        self.store = store
        self._changed = threading.Condition()
        self._version = 0

    def notify(self) -> None:
        """Wake every waiter: new events were committed."""
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    def last_seq(self) -> int:
        """The newest event's sequence number (0 when there is none)."""
        with self.store.read() as conn:
            return int(conn.execute(q.LAST_EVENT_SEQ).scalar() or 0)

    def after(self, seq: int, limit: int = 500) -> list[HallEvent]:
        """Stored events with a sequence number above ``seq``, oldest first."""
        with self.store.read() as conn:
            rows = conn.execute(q.EVENTS_AFTER, {"seq": seq, "limit": limit}).all()
        return [HallEvent(seq=r.seq, type=r.type, data=json.loads(r.data)) for r in rows]

    def wait(self, seq: int, timeout: float) -> list[HallEvent]:
        """Events after ``seq``, waiting up to ``timeout`` seconds for at least one."""
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
