"""Transports: the one primitive a printer needs (write bytes), plus a status query.

Each transport opens lazily, bounds every call by a deadline, and turns its library's
exceptions into ``PrinterUnavailable`` or ``PrintTimeout``, carrying how many bytes went out.
USB and CUPS, which lean on python-escpos, live in ``transports_lib``.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time

import serial

from drivers.printer.errors import PrinterUnavailable, PrintTimeout
from drivers.printer.uri import DeviceUri

try:  # pyserial lets termios errors through on a vanished tty
    import termios

    LINE_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error)
except ImportError:  # Windows
    LINE_ERRORS = (serial.SerialException, OSError)

CHUNK = 1024  # small writes, so a failure tells roughly how much was sent


class Transport:
    """Base: subclasses implement ``_open``, ``_write_chunk``, ``_close`` and maybe ``query``."""

    can_answer = False

    def __init__(self, description: str) -> None:
        self.description = description
        self.is_open = False

    def open(self, timeout: float) -> None:
        """Connect if not connected; raise ``PrinterUnavailable`` when the device is missing."""
        if not self.is_open:
            self._open(timeout)
            self.is_open = True

    def write(self, data: bytes, timeout: float) -> int:
        """Send all of ``data`` within ``timeout`` seconds; return the byte count."""
        deadline = time.monotonic() + timeout
        sent = 0
        while sent < len(data):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PrintTimeout(
                    f"{self.description}: sent {sent} of {len(data)} bytes in {timeout:.1f} s",
                    bytes_written=sent,
                )
            try:
                sent += self._write_chunk(data[sent : sent + CHUNK], remaining)
            except (PrinterUnavailable, PrintTimeout) as exc:
                exc.bytes_written = sent
                raise
        return sent

    def query(self, request: bytes, timeout: float) -> bytes | None:
        """Send a real-time request and return the one-byte answer, or None when silent."""
        return None

    def wire_seconds(self, size: int) -> float:
        """Time ``size`` bytes need on the line itself (0 where the link is fast)."""
        return 0.0

    def close(self) -> None:
        """Release the device; never raises."""
        if self.is_open:
            self.is_open = False
            try:
                self._close()
            except Exception:  # closing a vanished device may fail any way it likes
                pass

    def _open(self, timeout: float) -> None:
        raise NotImplementedError

    def _write_chunk(self, chunk: bytes, timeout: float) -> int:
        raise NotImplementedError

    def _close(self) -> None:
        pass


class DummyTransport(Transport):
    """Keeps every byte in memory: ``output`` (all) and ``jobs`` (one entry per write)."""

    def __init__(self) -> None:
        super().__init__("dummy printer")
        self.output = bytearray()
        self.jobs: list[bytes] = []
        self._lock = threading.Lock()

    def _open(self, timeout: float) -> None:
        pass

    def write(self, data: bytes, timeout: float) -> int:
        with self._lock:
            self.output += data
            self.jobs.append(bytes(data))
        return len(data)


class FileTransport(Transport):
    """Appends to a file or writes to a device node (``/dev/usb/lp0``) without blocking forever."""

    def __init__(self, path: str) -> None:
        super().__init__(f"file {path}")
        self.path = path
        self._fd = -1

    def _open(self, timeout: float) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            self._fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            raise PrinterUnavailable(f"cannot open {self.path}: {exc.strerror}") from exc

    def _write_chunk(self, chunk: bytes, timeout: float) -> int:
        try:
            _, ready, _ = select.select([], [self._fd], [], timeout)
            return os.write(self._fd, chunk) if ready else 0
        except BlockingIOError:
            return 0
        except OSError as exc:
            raise PrinterUnavailable(f"writing {self.path} failed: {exc.strerror}") from exc

    def _close(self) -> None:
        os.close(self._fd)


class SerialTransport(Transport):
    """A serial line opened with pyserial's ``serial_for_url`` (paths, ``loop://``, ...)."""

    can_answer = True

    def __init__(self, target: str, options: dict[str, object]) -> None:
        super().__init__(f"serial {target}")
        self.target = target
        self.options = options
        self._port: serial.SerialBase | None = None

    def _open(self, timeout: float) -> None:
        try:
            port = serial.serial_for_url(self.target, do_not_open=True, **self.options)
            port.timeout = timeout
            port.write_timeout = timeout
            port.open()
        except (*LINE_ERRORS, ValueError) as exc:
            raise PrinterUnavailable(f"cannot open serial {self.target}: {exc}") from exc
        self._port = port

    def _write_chunk(self, chunk: bytes, timeout: float) -> int:
        assert self._port is not None
        try:
            self._port.write_timeout = timeout
            return self._port.write(chunk) or 0
        except serial.SerialTimeoutException as exc:
            raise PrintTimeout(f"serial {self.target}: write timed out") from exc
        except LINE_ERRORS as exc:
            raise PrinterUnavailable(f"serial {self.target} lost: {exc}") from exc

    def wire_seconds(self, size: int) -> float:
        """10 bits per byte at the line's baud rate: a raster ticket takes seconds."""
        baudrate = float(self.options.get("baudrate") or 115200)  # type: ignore[arg-type]
        return 10.0 * size / baudrate

    def drain_seconds(self) -> float:
        """Time the bytes still queued in the OS need on the line (0 when unknown)."""
        try:
            waiting = self._port.out_waiting if self._port else 0
            return 10.0 * waiting / float(self._port.baudrate)
        except Exception:  # not every pyserial backend can tell
            return 0.0

    def query(self, request: bytes, timeout: float) -> bytes | None:
        assert self._port is not None
        try:
            self._port.reset_input_buffer()  # drop stale or automatic status bytes
            self._port.write_timeout = timeout
            self._port.write(request)
            self._port.timeout = timeout
            answer = self._port.read(1)
        except serial.SerialTimeoutException:
            return None
        except LINE_ERRORS as exc:
            raise PrinterUnavailable(f"serial {self.target} lost: {exc}") from exc
        return answer or None

    def _close(self) -> None:
        if self._port is not None:
            self._port.close()
            self._port = None


class TcpTransport(Transport):
    """Raw TCP (JetDirect, port 9100)."""

    can_answer = True

    def __init__(self, host: str, port: int) -> None:
        super().__init__(f"tcp {host}:{port}")
        self.address = (host, port)
        self._sock: socket.socket | None = None

    def _open(self, timeout: float) -> None:
        try:
            self._sock = socket.create_connection(self.address, timeout=timeout)
        except OSError as exc:
            raise PrinterUnavailable(f"cannot connect to {self.description}: {exc}") from exc

    def _write_chunk(self, chunk: bytes, timeout: float) -> int:
        assert self._sock is not None
        try:
            self._sock.settimeout(timeout)
            self._sock.sendall(chunk)
        except TimeoutError as exc:
            raise PrintTimeout(f"{self.description}: send timed out") from exc
        except OSError as exc:
            raise PrinterUnavailable(f"{self.description} lost: {exc}") from exc
        return len(chunk)

    def query(self, request: bytes, timeout: float) -> bytes | None:
        assert self._sock is not None
        try:
            self._discard_pending()
            self._sock.settimeout(timeout)
            self._sock.sendall(request)
            answer = self._sock.recv(1)
        except TimeoutError:
            return None
        except OSError as exc:
            raise PrinterUnavailable(f"{self.description} lost: {exc}") from exc
        if not answer:
            raise PrinterUnavailable(f"{self.description} closed the connection")
        return answer

    def _discard_pending(self) -> None:
        assert self._sock is not None
        self._sock.setblocking(False)
        try:
            while self._sock.recv(256):
                pass
        except BlockingIOError:
            pass
        finally:
            self._sock.setblocking(True)

    def _close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def make_transport(device: DeviceUri) -> Transport:
    """The transport for a parsed URI (not yet open)."""
    from drivers.printer.transports_lib import CupsTransport, UsbTransport

    if device.kind == "dummy":
        return DummyTransport()
    if device.kind == "file":
        return FileTransport(device.target)
    if device.kind == "serial":
        return SerialTransport(device.target, dict(device.options))
    if device.kind == "tcp":
        return TcpTransport(device.target, device.port)
    if device.kind == "usb":
        return UsbTransport(dict(device.options))
    return CupsTransport(device.target)
