"""Time as the hall sees it: a clock that tests can fake, and the hall's calendar day."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo


class Clock:
    """Wall-clock time in seconds since the epoch."""

    def now(self) -> float:
        """The current time."""
        return time.time()


class FakeClock(Clock):
    """A clock that moves only when told to; thread-safe."""

    def __init__(self, start: float | datetime):
        self._now = start.timestamp() if isinstance(start, datetime) else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        """The faked current time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        with self._lock:
            self._now += seconds

    def set(self, when: float | datetime) -> None:
        """Jump to ``when``."""
        with self._lock:
            self._now = when.timestamp() if isinstance(when, datetime) else float(when)


def local(ts: float, tz: ZoneInfo) -> datetime:
    """An epoch time as an aware datetime in the hall's time zone."""
    return datetime.fromtimestamp(ts, tz)


def hall_day(ts: float, tz: ZoneInfo) -> str:
    """The hall's calendar day of ``ts`` (numbers restart when it changes: no cron needed)."""
    return local(ts, tz).date().isoformat()
