"""Opening the reader's port from a URI.

``sim:…`` opens the built-in simulator in-process (no OS port). ``serial:///dev/ttyUSB1?baudrate=N``
is our spelling of a plain serial device with options. Anything else (``/dev/ttyUSB0``, a pty path,
``loop://``, ``socket://host:port``, ``spy://…``) goes to pyserial's ``serial_for_url`` as is.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import parse_qs, urlsplit

import serial

from drivers.idcard.errors import ReaderUnavailable

DEFAULT_BAUDRATE = 115200


class Port(Protocol):
    """The part of a pyserial port the driver uses; the in-process simulator offers the same."""

    timeout: float | None

    @property
    def in_waiting(self) -> int: ...

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes) -> int | None: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


def open_port(uri: str, read_timeout: float = 0.02) -> Port:
    """Open the port named by ``uri``; ``read_timeout`` bounds one ``read`` call.

    Raises ``ReaderUnavailable`` naming the URI and the cause when it cannot be opened.
    """
    if not isinstance(uri, str) or not uri.strip():
        raise ReaderUnavailable("no reader port configured")
    if uri.startswith("sim:"):
        from drivers.idcard.simulator import open_sim  # the simulator is only loaded when asked

        return open_sim(uri, read_timeout=read_timeout)
    target, options = _pyserial_target(uri)
    try:
        return serial.serial_for_url(target, timeout=read_timeout, write_timeout=1.0, **options)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise ReaderUnavailable(f"cannot open {uri}: {_short(exc)}") from None


def _pyserial_target(uri: str) -> tuple[str, dict[str, object]]:
    """The pyserial URL and keyword options for a URI (``serial://`` is unwrapped here)."""
    if not uri.startswith("serial://"):
        return uri, {"baudrate": DEFAULT_BAUDRATE}
    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    unknown = set(query) - {"baudrate"}
    if unknown:
        raise ReaderUnavailable(f"unknown option(s) {sorted(unknown)} in {uri}")
    try:
        baudrate = int(query.get("baudrate", [DEFAULT_BAUDRATE])[0])
    except ValueError:
        raise ReaderUnavailable(f"baudrate in {uri} is not a number") from None
    path = (parts.netloc + parts.path) or ""
    if not path:
        raise ReaderUnavailable(f"no device path in {uri}")
    return path, {"baudrate": baudrate}


def _short(exc: BaseException) -> str:
    """An exception as one line."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
