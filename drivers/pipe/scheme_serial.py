"""``serial://`` and pyserial's own URLs: a serial line opened with pyserial's ``serial_for_url``.

``serial:///dev/ttyUSB0?baudrate=9600&parity=E`` is a port (a pty or a udev symlink as well).
``loop://``, ``socket://host:port``, ``spy:///dev/ttyUSB0``, ``rfc2217://…`` (also written
``serial://loop://``) go to pyserial as they are, so its loopback and its traffic logger work
wherever a port does. Line options: ``baudrate``, ``bytesize``, ``parity``, ``stopbits``,
``rtscts``, ``dsrdtr``, ``xonxoff``; any other option of a pyserial URL stays in it for pyserial.
"""

from __future__ import annotations

from urllib.parse import urlencode

import serial

from drivers.pipe.base import BytePipe, PipeTimeout, PipeUnavailable, one_line
from drivers.pipe.registry import PYSERIAL_SCHEMES
from drivers.pipe.uri import Options, PipeUri

try:  # pyserial lets termios errors through on a vanished tty
    import termios

    LINE_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error)
except ImportError:  # Windows
    LINE_ERRORS = (serial.SerialException, OSError)


class SerialPipe(BytePipe):
    """A serial line: ``url`` is what pyserial opens, ``settings`` its line settings."""

    def __init__(self, url: str, settings: dict[str, object]) -> None:
        baudrate = int(settings["baudrate"])  # type: ignore[call-overload]
        super().__init__(f"serial {url} at {baudrate} baud")
        self.url = url
        self.settings = dict(settings)
        self.byte_time = _bits_per_byte(settings) / baudrate
        self._port: serial.SerialBase | None = None

    def unsent(self) -> int:
        """Bytes still in the OS's output queue (0 when this kind of port cannot tell)."""
        try:
            return int(self._port.out_waiting) if self._port else 0
        except Exception:  # not every pyserial backend can tell
            return 0

    def _open(self, timeout: float) -> None:
        try:
            port = serial.serial_for_url(self.url, do_not_open=True, **self.settings)
            port.timeout = timeout
            port.write_timeout = timeout
            port.open()
        except (*LINE_ERRORS, ValueError) as exc:
            raise PipeUnavailable(f"cannot open {self.description}: {one_line(exc)}") from exc
        self._port = port

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        port = self._live()
        try:
            _set(port, "write_timeout", timeout)
            return port.write(chunk) or 0
        except serial.SerialTimeoutException as exc:
            raise PipeTimeout(f"{self.description}: write timed out") from exc
        except LINE_ERRORS as exc:
            raise self._lost(exc) from exc

    def _read(self, size: int, timeout: float) -> bytes:
        port = self._live()
        try:
            _set(port, "timeout", timeout)
            # pyserial's read(n) waits for all n bytes: ask for what is there, or for one byte.
            data = port.read(min(size, max(1, port.in_waiting)))
            if data and len(data) < size and port.in_waiting:
                data += port.read(min(size - len(data), port.in_waiting))
        except LINE_ERRORS as exc:
            raise self._lost(exc) from exc
        return data

    def _discard(self) -> None:
        try:
            self._live().reset_input_buffer()
        except LINE_ERRORS as exc:
            raise self._lost(exc) from exc

    def _close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            port.close()

    def _live(self) -> serial.SerialBase:
        if self._port is None:
            raise PipeUnavailable(f"{self.description} is not open")
        return self._port

    def _lost(self, exc: BaseException) -> PipeUnavailable:
        return PipeUnavailable(f"{self.description} lost: {one_line(exc)}")


def serial_pipe(uri: PipeUri, options: Options) -> SerialPipe:
    """Handler of ``serial://``: an absolute device path, or a pyserial URL after the slashes."""
    target = uri.target
    if "://" in target and target.split("://", 1)[0].lower() in PYSERIAL_SCHEMES:
        return _pyserial(target, options)
    if not target:
        raise uri.error("no serial port given", "write serial:///dev/ttyUSB0 (three slashes)")
    if not target.startswith("/"):
        raise uri.error(f"serial port path {target!r} is not absolute",
                        "write serial:///dev/ttyUSB0 (three slashes before the path)")
    return SerialPipe(target, line_settings(options))


def pyserial_pipe(uri: PipeUri, options: Options) -> SerialPipe:
    """Handler of pyserial's own schemes (``loop://``, ``socket://``, ``spy://`` …)."""
    return _pyserial(f"{uri.scheme}://{uri.target}", options)


def line_settings(options: Options) -> dict[str, object]:
    """The line settings a URI gives, with the device's default baud rate."""
    return {
        "baudrate": options.integer("baudrate", options.default("baudrate", 115200), 50, 4_000_000),
        "bytesize": options.choice("bytesize", {"8": 8, "7": 7, "6": 6, "5": 5}, 8),
        "parity": options.choice("parity", {p: p for p in "NEOMS"}, "N"),
        "stopbits": options.choice("stopbits", {"1": 1, "1.5": 1.5, "2": 2}, 1),
        "rtscts": options.flag("rtscts", False),
        "dsrdtr": options.flag("dsrdtr", False),
        "xonxoff": options.flag("xonxoff", False),
    }


def _pyserial(url: str, options: Options) -> SerialPipe:
    settings = line_settings(options)
    rest = options.rest()  # pyserial's own URL options (loop://?logging=debug, spy://…?file=)
    return SerialPipe(f"{url}?{urlencode(rest)}" if rest else url, settings)


def _bits_per_byte(settings: dict[str, object]) -> float:
    """Start bit, data bits, parity bit and stop bits: 10 for 8N1."""
    parity = 0 if settings["parity"] == "N" else 1
    return 1 + int(settings["bytesize"]) + parity + float(settings["stopbits"])  # type: ignore[call-overload,arg-type]


def _set(port: serial.SerialBase, name: str, value: float) -> None:
    """Change a timeout only when it differs: pyserial reconfigures the tty on every set."""
    if getattr(port, name) != value:
        setattr(port, name, value)
