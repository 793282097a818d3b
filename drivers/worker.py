"""One thread per device, waking on one condition: the skeleton the sign bus and the voice
announcer share.

A subclass keeps its own queue under ``self._cond``, sets ``self._busy`` while it works on an
item, replaces ``self._status`` (an immutable snapshot) and implements ``_run`` and
``_has_work``. Callers never block on the device: they queue and return.
"""

from __future__ import annotations

import threading
import time
from typing import Any


class DeviceWorker:
    """The thread, the condition and the idle/stop handshake of a queued device."""

    def __init__(self, name: str, status: Any):
        self._name = name
        self._cond = threading.Condition()
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._status = status

    def _run(self) -> None:
        raise NotImplementedError

    def _has_work(self) -> bool:
        """Whether items wait in the queue (called with ``self._cond`` held)."""
        raise NotImplementedError

    def status(self) -> Any:
        """The current status snapshot."""
        with self._cond:
            return self._status

    def wait_idle(self, timeout: float) -> bool:
        """Wait until the queue is empty and nothing is in progress; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._has_work() or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def start(self) -> None:
        """Start the worker thread (done by the first queued item)."""
        with self._cond:
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _stop_thread(self, timeout: float, interrupt=lambda: None) -> None:  # noqa: ANN001
        """Ask the thread to stop, ``interrupt`` what it is doing, and wait up to ``timeout``."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
        interrupt()
        if thread is not None:
            thread.join(timeout)
