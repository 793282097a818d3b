"""``sim:`` for the printer: the simulated printer in-process, on a byte pipe instead of a pty.

Like ``SerialPrinterSimulator`` it records every byte, walks the command stream (so a ``10 04``
inside image or QR data is not taken for a query) and answers ``DLE EOT n`` as a printer whose
paper is in state ``paper``: ``sim:`` or ``sim:?paper=near_end``. A test changes
``printer.transport.paper`` while it runs.
"""

from __future__ import annotations

import threading
import time

from drivers.pipe import BytePipe, Options, PipeUri
from drivers.printer.simulator import PAPER_STATES, CommandWalker, status_answers


class SimPrinterTransport(BytePipe):
    """An in-process printer: ``received`` holds every byte, ``queries`` every status query."""

    def __init__(self, paper: str = "ok") -> None:
        super().__init__("simulated printer")
        self.paper = paper
        self.received = bytearray()
        self.queries: list[int] = []
        self._answers = bytearray()
        self._walker = CommandWalker()
        self._lock = threading.Lock()  # tests read what was received from their own thread

    def _open(self, timeout: float) -> None:
        self._walker = CommandWalker()  # a reopened line starts between commands
        self._answers.clear()

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        with self._lock:
            self.received += chunk
            queries = self._walker.feed(chunk)
            self.queries.extend(queries)
        self._answers += status_answers(self.paper, queries)
        return len(chunk)

    def _read(self, size: int, timeout: float) -> bytes:
        if not self._answers:
            time.sleep(timeout)  # a silent printer: the query waits its timeout out
            return b""
        data = bytes(self._answers[:size])
        del self._answers[:size]
        return data

    def _discard(self) -> None:
        self._answers.clear()


def sim_pipe(uri: PipeUri, options: Options) -> SimPrinterTransport:
    """Handler of the printer's ``sim:``."""
    if uri.target:
        raise uri.error("the printer simulator takes no name", "write sim: or sim:?paper=out")
    return SimPrinterTransport(options.choice("paper", {s: s for s in PAPER_STATES}, "ok"))
