"""A simulated serial ticket printer on a pseudo-terminal, for tests and the demo
(``drivers.printer.simpipe`` is the same printer in-process, for ``sim:`` URIs).

It sits on a pty master, records every byte it receives, walks the command stream (so a
``10 04`` inside image or QR data is not taken for a query) and answers ``DLE EOT n`` as a
printer in the configured ``paper`` state would. ``path`` is a stable symlink to the current
pty, like a udev name, so unplugging and plugging back in keeps the printer's URI.

    with SerialPrinterSimulator() as sim:
        printer = open_printer(sim.uri)
        sim.paper = "out"          # ok, near_end, out, cover_open, error, silent
        sim.unplug(); sim.replug()
"""

from __future__ import annotations

import os
import select
import shutil
import tempfile
import threading
import tty

# Answers to DLE EOT 1..4 per state; every answer keeps the fixed bits 0x12.
ANSWERS = {
    "ok": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "near_end": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    "out": {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    "cover_open": {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
    "error": {1: 0x1A, 2: 0x52, 3: 0x1A, 4: 0x12},
}
PAPER_STATES = (*ANSWERS, "silent")


def status_answers(paper: str, queries: list[int]) -> bytes:
    """What a printer whose paper is in state ``paper`` sends back for these ``DLE EOT n``
    queries (nothing when it is ``silent``)."""
    answers = ANSWERS.get(paper, {})
    return bytes(answers[n] for n in queries if n in answers)

# Argument bytes after ESC x / GS x / FS x for the commands we may meet (others: none).
_ARGS = {
    0x1B: {b"a": 1, b"E": 1, b"d": 1, b"!": 1, b"3": 1, b"-": 1, b"M": 1, b"J": 1, b"t": 1,
           b"R": 1, b"G": 1, b"{": 1, b"V": 1, b"p": 3, b"c": 2},
    0x1D: {b"!": 1, b"B": 1, b"a": 1, b"H": 1, b"h": 1, b"w": 1, b"f": 1, b"L": 2, b"W": 2,
           b"r": 1, b"I": 1},
    0x1C: {b"!": 1, b"C": 1, b"W": 1, b"S": 2},
}


class CommandWalker:
    """Splits an ESC/POS stream into commands just far enough to find real-time queries."""

    def __init__(self) -> None:
        self._head = bytearray()
        self._skip = 0

    def feed(self, data: bytes) -> list[int]:
        """Consume ``data``; return the ``n`` of every ``DLE EOT n`` found."""
        queries: list[int] = []
        i = 0
        while i < len(data):
            if self._skip:
                step = min(self._skip, len(data) - i)
                self._skip -= step
                i += step
                continue
            self._head.append(data[i])
            i += 1
            query = self._step()
            if query is not None:
                queries.append(query)
        return queries

    def _step(self) -> int | None:
        head = self._head
        if head[0] not in (0x10, 0x1B, 0x1C, 0x1D):
            head.clear()
            return None
        if len(head) < 2:
            return None
        if head[0] == 0x10:
            if head[1] != 0x04:
                head.clear()
                return None
            if len(head) < 3:
                return None
            n = head[2]
            head.clear()
            return n
        need = self._length(bytes(head))
        if need is not None and len(head) >= need:
            self._skip = self._payload(bytes(head))
            head.clear()
        return None

    @staticmethod
    def _length(head: bytes) -> int | None:
        """Header length of the command starting ``head`` (None: not known yet)."""
        lead, code = head[0], head[1:2]
        if lead == 0x1D and code == b"v":
            return 8  # GS v 0 m xL xH yL yH
        if lead == 0x1D and code in (b"(", b"8"):
            return 5  # GS ( k pL pH
        if lead == 0x1D and code == b"V":
            return 3 if len(head) < 3 or head[2] < 65 else 4
        if lead == 0x1D and code == b"k":
            return 3 if len(head) < 3 or head[2] > 6 else None  # NUL-ended forms: rare, skip
        if lead == 0x1B and code == b"*":
            return 5  # ESC * m nL nH
        return 2 + _ARGS.get(lead, {}).get(code, 0)

    @staticmethod
    def _payload(head: bytes) -> int:
        lead, code = head[0], head[1:2]
        if lead == 0x1D and code == b"v":
            return (head[4] + 256 * head[5]) * (head[6] + 256 * head[7])
        if lead == 0x1D and code in (b"(", b"8"):
            return head[3] + 256 * head[4]
        if lead == 0x1D and code == b"k":
            return head[3] if len(head) > 3 else 0
        if lead == 0x1B and code == b"*":
            dots = head[3] + 256 * head[4]
            return dots * (3 if head[2] in (32, 33) else 1)
        return 0


class SerialPrinterSimulator:
    """A printer on a pty: records bytes, answers status as ``paper`` says."""

    def __init__(self, paper: str = "ok", baudrate: int = 115200) -> None:
        self.paper = paper
        self.baudrate = baudrate
        self.received = bytearray()
        self.queries: list[int] = []
        self.stall = False  # stop reading, like a printer whose buffer is full
        self.unplug_after: int | None = None  # vanish once this many bytes arrived
        self.stall_after: int | None = None  # stop reading once this many bytes arrived
        self._dir = tempfile.mkdtemp(prefix="printer-sim-")
        self.path = os.path.join(self._dir, "ttyPRINTER")
        self._lock = threading.Lock()
        self._fds: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.replug()

    @property
    def uri(self) -> str:
        """The printer URI pointing at this simulator."""
        return f"serial://{self.path}?baudrate={self.baudrate}"

    @property
    def plugged(self) -> bool:
        """True while the pty exists."""
        return self._fds is not None

    def replug(self) -> None:
        """Create a fresh pty behind ``path`` (the device comes back)."""
        self.unplug()
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        tmp = self.path + ".new"
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, self.path)
        self._walker = CommandWalker()
        self._fds = (master, slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(master, self._stop),
                                        name="printer simulator", daemon=True)
        self._thread.start()

    def unplug(self) -> None:
        """Close the pty and remove ``path``, as pulling the cable does."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2)
        self._close_fds()

    def close(self) -> None:
        """Unplug and remove the temporary directory."""
        self.unplug()
        shutil.rmtree(self._dir, ignore_errors=True)

    def clear(self) -> None:
        """Forget the bytes and queries received so far."""
        with self._lock:
            self.received.clear()
            self.queries.clear()

    def __enter__(self) -> SerialPrinterSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _close_fds(self) -> None:
        with self._lock:
            fds, self._fds = self._fds, None
        if fds is None:
            return
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def _serve(self, master: int, stop: threading.Event) -> None:
        while not stop.is_set():
            if self.stall:
                stop.wait(0.02)
                continue
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                data = os.read(master, self._read_size()) if ready else b""
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return
            if data:
                self._receive(master, data)
            if self.stall_after is not None and len(self.received) >= self.stall_after:
                self.stall, self.stall_after = True, None
            if self.unplug_after is not None and len(self.received) >= self.unplug_after:
                self.unplug_after = None
                stop.set()
                self._close_fds()

    def _read_size(self) -> int:
        """Read no further than a pending stall or unplug point, so it happens there."""
        limits = [x - len(self.received) for x in (self.stall_after, self.unplug_after) if x]
        return max(1, min([65536, *limits]))

    def _receive(self, master: int, data: bytes) -> None:
        with self._lock:
            self.received += data
            queries = self._walker.feed(data)
            self.queries.extend(queries)
        reply = status_answers(self.paper, queries)
        if reply:
            try:
                os.write(master, reply)
            except OSError:
                return
