"""Waiting in a test for something another thread, process or device does."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Whether ``predicate`` came true within ``timeout`` seconds (asked every 10 ms, and once
    more at the end: a slow machine's last chance)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())
