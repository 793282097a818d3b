"""``BytePipe``: the few byte primitives every device driver needs, whatever the line is.

The printer writes tickets and asks one-byte status questions, the sign bus writes frames, the
ID card reader writes commands and reads framed replies. All of that is ``open``, ``write`` with a
deadline, ``read`` with a timeout, ``discard_input`` and ``close``; the line's speed
(``byte_time``) and whether it can carry an answer back (``can_answer``) are the only facts a
driver asks about. Failures come out as ``PipeError`` subclasses and nothing else, so a driver
translates one family of errors into its own.
"""

from __future__ import annotations

import time

#: Bytes handed to the line per call, so a failure tells roughly how much went out.
CHUNK = 1024


class PipeError(OSError):
    """The pipe could not be opened, was lost, or timed out; the message names the line.

    ``bytes_written`` is how much of the failed ``write`` went out before it failed, which tells a
    printer whether part of a ticket may be on paper.
    """

    def __init__(self, message: str, bytes_written: int = 0) -> None:
        super().__init__(message)
        self.bytes_written = bytes_written


class PipeUnavailable(PipeError):
    """The device cannot be opened, vanished, or the pipe is not open."""


class PipeTimeout(PipeError):
    """A write did not finish before its deadline (the device stopped taking bytes)."""


class BytePipe:
    """A byte stream to one device, opened lazily and reopenable after a failure.

    Subclasses implement ``_open``, ``_write_some`` and ``_close``; those that can hear the device
    also implement ``_read`` and ``_discard``. Not thread-safe: one owner (a device worker) at a
    time, as with a serial port.
    """

    #: Whether the device can send bytes back on this line (a file or a print queue cannot).
    can_answer: bool = True
    #: Seconds one byte takes on the wire; 0 where the line is much faster than the device.
    byte_time: float = 0.0

    def __init__(self, description: str) -> None:
        self.description = description
        self._is_open = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.description}>"

    @property
    def is_open(self) -> bool:
        """Whether ``open`` succeeded and no ``close`` came since."""
        return self._is_open

    def open(self, timeout: float) -> None:
        """Connect unless connected; raise ``PipeUnavailable`` naming the line and the cause."""
        if not self._is_open:
            self._open(timeout)
            self._is_open = True

    def write(self, data: bytes, timeout: float) -> int:
        """Send all of ``data`` within ``timeout`` seconds and return the byte count.

        Raises ``PipeTimeout`` when the deadline passes and ``PipeUnavailable`` when the line
        fails, both carrying ``bytes_written``.
        """
        self._require_open()
        deadline = time.monotonic() + timeout
        sent = 0
        while sent < len(data):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PipeTimeout(
                    f"{self.description}: sent {sent} of {len(data)} bytes in {timeout:.1f} s",
                    bytes_written=sent,
                )
            try:
                sent += self._write_some(data[sent : sent + CHUNK], remaining)
            except PipeError as exc:
                exc.bytes_written = sent
                raise
        return sent

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes: returns once at least one byte is there (with whatever else has
        arrived), or ``b""`` when nothing came within ``timeout`` seconds."""
        self._require_open()
        return self._read(size, max(0.0, timeout))

    def discard_input(self) -> None:
        """Drop bytes received but not read, so a stale answer is not taken for the next one."""
        self._require_open()
        self._discard()

    def unsent(self) -> int:
        """Bytes the operating system still holds for the line (0 when it cannot tell)."""
        return 0

    def close(self) -> None:
        """Release the device; never raises, and the pipe may be opened again."""
        if self._is_open:
            self._is_open = False
            try:
                self._close()
            except Exception:  # closing a vanished device may fail any way it likes
                pass

    def _require_open(self) -> None:
        if not self._is_open:
            raise PipeUnavailable(f"{self.description} is not open")

    def _open(self, timeout: float) -> None:
        """Open the device; raise ``PipeUnavailable``."""
        raise NotImplementedError

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        """Write some of ``chunk`` within ``timeout``; return how many bytes went out."""
        raise NotImplementedError

    def _read(self, size: int, timeout: float) -> bytes:
        """Nothing ever comes back on a line that cannot answer: wait out the timeout."""
        time.sleep(timeout)
        return b""

    def _discard(self) -> None:
        """Nothing to discard on a line that cannot answer."""

    def _close(self) -> None:
        """Release what ``_open`` took."""


def one_line(exc: BaseException) -> str:
    """An exception as one line for a status message (pyserial's may span several)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
