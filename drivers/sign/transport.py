"""Sign transports: where a bus's frames go (a serial port, a TCP controller, a simulator).

A transport has three primitives, ``open``, ``write`` and ``close``; anything that goes wrong is
raised as :class:`SignTransportError` so the bus worker can report it and reconnect.
"""

from __future__ import annotations

import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import serial


class SignTransportError(OSError):
    """The bus could not be opened or written; the message says which port and why."""


class SignTransport(ABC):
    """One physical bus to the signs."""

    #: Seconds one byte takes on the wire (0 when the transport is not a slow line); the bus adds
    #: the frame's wire time to the inter-frame gap because ``write`` returns before the last
    #: byte has left the UART.
    byte_time: float = 0.0

    @abstractmethod
    def open(self) -> None:
        """Open the bus; raises :class:`SignTransportError`."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send one whole frame; raises :class:`SignTransportError`."""

    @abstractmethod
    def close(self) -> None:
        """Release the bus; never raises."""

    @property
    @abstractmethod
    def is_open(self) -> bool:
        """Whether :meth:`open` succeeded and no failure closed it since."""

    @abstractmethod
    def describe(self) -> str:
        """A short name for status lines and messages, e.g. ``serial /dev/ttyUSB2``."""


class SerialTransport(SignTransport):
    """A serial port (RS-485 adapter) opened with pyserial's ``serial_for_url``.

    Any pyserial URL works, so tests use pty paths and ``loop://``.
    """

    def __init__(self, url: str, baudrate: int = 9600, write_timeout: float = 2.0) -> None:
        self.url = url
        self.baudrate = baudrate
        self.write_timeout = write_timeout
        # 8N1: start bit, 8 data bits, stop bit.
        self.byte_time = 10.0 / baudrate
        self._port: serial.SerialBase | None = None

    def open(self) -> None:
        """Open the port (idempotent)."""
        if self._port is not None:
            return
        try:
            self._port = serial.serial_for_url(
                self.url, baudrate=self.baudrate, timeout=0, write_timeout=self.write_timeout
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise SignTransportError(f"cannot open {self.describe()}: {exc}") from exc

    def write(self, data: bytes) -> None:
        """Write one frame; a timeout or I/O error closes the port and raises."""
        if self._port is None:
            raise SignTransportError(f"{self.describe()} is not open")
        try:
            self._port.write(data)
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise SignTransportError(f"write to {self.describe()} failed: {exc}") from exc

    def close(self) -> None:
        """Close the port, ignoring errors from a port that has already gone."""
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def describe(self) -> str:
        return f"serial {self.url} at {self.baudrate} baud"


class TcpTransport(SignTransport):
    """A TCP sign controller (or a serial server in front of an RS-485 bus)."""

    def __init__(self, host: str, port: int, timeout: float = 3.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._sock: socket.socket | None = None

    def open(self) -> None:
        """Connect (idempotent)."""
        if self._sock is not None:
            return
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise SignTransportError(f"cannot connect to {self.describe()}: {exc}") from exc

    def write(self, data: bytes) -> None:
        """Send one frame; any socket error closes the connection and raises."""
        if self._sock is None:
            raise SignTransportError(f"{self.describe()} is not connected")
        try:
            self._sock.sendall(data)
        except OSError as exc:
            self.close()
            raise SignTransportError(f"send to {self.describe()} failed: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def describe(self) -> str:
        return f"tcp {self.host}:{self.port}"


@dataclass(frozen=True)
class SimFrame:
    """One frame the simulator received, with the monotonic time it arrived."""

    at: float
    data: bytes


class SimTransport(SignTransport):
    """A simulated bus that records every frame with a timestamp (tests and the demo).

    ``failing`` makes it behave like a port that has gone: opens and writes raise until it is
    set back to False.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._frames: list[SimFrame] = []
        self._open = False
        self.failing = False
        self.opens = 0

    def open(self) -> None:
        if self.failing:
            raise SignTransportError(f"cannot open {self.describe()}: simulated failure")
        self._open = True
        self.opens += 1

    def write(self, data: bytes) -> None:
        if self.failing or not self._open:
            self._open = False
            raise SignTransportError(f"write to {self.describe()} failed: simulated failure")
        with self._lock:
            self._frames.append(SimFrame(self._clock(), bytes(data)))

    def close(self) -> None:
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open

    @property
    def frames(self) -> list[SimFrame]:
        """A copy of the frames received so far, oldest first."""
        with self._lock:
            return list(self._frames)

    def describe(self) -> str:
        return "simulated sign bus"
