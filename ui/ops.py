"""Running slow work off the GUI thread (STYLE.md §2, §3, §6).

``Lane`` is one worker thread with a queue: one per device (printer, reader, hall link), so a
jammed printer never stalls the card reader and two prints never interleave. Results come back
to the GUI thread through a Qt signal, and the success or failure callback runs there; no
widget is ever touched from another thread.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class Lane(QObject):
    """A named single-thread executor whose results are delivered on the GUI thread."""

    _finished = Signal(object, object, object)  # callback, value, is_error

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"lane-{name}")
        self._finished.connect(self._deliver)
        self.pending = 0
        self._closed = False

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None) -> Future | None:
        """Run ``fn`` on this lane; then ``on_success(value)`` or ``on_failure(exc)`` on the GUI
        thread. After ``shutdown`` (the program is ending) the work is dropped: None."""
        if self._closed:
            log.debug("lane %s is shut down: %s dropped", self.name, getattr(fn, "__name__", fn))
            return None
        self.pending += 1

        def job() -> Any:
            try:
                value = fn()
            except BaseException as exc:  # every failure goes back to the GUI as a value
                log.debug("lane %s: %s", self.name, "".join(traceback.format_exception_only(exc)).strip())
                self._finished.emit(on_failure, exc, True)
                raise
            self._finished.emit(on_success, value, False)
            return value

        return self._executor.submit(job)

    def _deliver(self, callback: Callable | None, value: Any, is_error: bool) -> None:
        self.pending -= 1
        if callback is not None:
            callback(value)
        elif is_error:
            log.warning("lane %s: unhandled failure: %s", self.name, value)

    def shutdown(self, wait: bool = False) -> None:
        """Stop taking work; queued jobs are dropped, the running one finishes."""
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=True)
