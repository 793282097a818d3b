"""One daemon thread of the hall's background workers (the text messages, the device reports,
the kiosk's outbox, the cases' deadlines): started, woken and stopped the same way everywhere."""

from __future__ import annotations

import threading


class BackgroundThread:
    """A worker whose ``_run`` loops in a daemon thread until ``stop``.

    ``_run`` ends when ``_stop`` is set and may sleep on ``_wake`` (``wake`` sets it: something new
    to do). Subclasses call ``__init__`` with the thread's name and how long ``stop`` waits."""

    def __init__(self, name: str, join_s: float = 5.0):
        self._thread_name = name
        self._join_s = join_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run in a daemon thread until ``stop`` (again after a stop; once while running)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Something new to do: look now rather than at the next interval."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the thread; the work under way is given ``timeout`` (default: the worker's) to finish."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self._join_s if timeout is None else timeout)
            self._thread = None

    def _run(self) -> None:
        raise NotImplementedError
