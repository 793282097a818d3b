"""``tcp://host:port``: raw TCP to a network printer (JetDirect), a sign controller or a
serial-device server in front of an RS-485 bus.

The port may be left out only where the device has a default (a printer's 9100).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from drivers.pipe.base import BytePipe, PipeTimeout, PipeUnavailable
from drivers.pipe.uri import Options, PipeUri


class TcpPipe(BytePipe):
    """One TCP connection, made on ``open`` and made again after ``close``."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(f"tcp {host}:{port}")
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None

    def _open(self, timeout: float) -> None:
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as exc:
            raise PipeUnavailable(f"cannot connect to {self.description}: {exc}") from exc

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        sock = self._live()
        try:
            sock.settimeout(timeout)
            sock.sendall(chunk)
        except TimeoutError as exc:
            raise PipeTimeout(f"{self.description}: send timed out") from exc
        except OSError as exc:
            raise PipeUnavailable(f"{self.description} lost: {exc}") from exc
        return len(chunk)

    def _read(self, size: int, timeout: float) -> bytes:
        sock = self._live()
        try:
            sock.settimeout(timeout)
            data = sock.recv(size)
        except TimeoutError:
            return b""
        except OSError as exc:
            raise PipeUnavailable(f"{self.description} lost: {exc}") from exc
        if not data:
            raise PipeUnavailable(f"{self.description} closed the connection")
        return data

    def _discard(self) -> None:
        sock = self._live()
        sock.setblocking(False)
        try:
            while sock.recv(4096):
                pass
        except BlockingIOError:
            pass
        except OSError as exc:
            raise PipeUnavailable(f"{self.description} lost: {exc}") from exc
        finally:
            sock.setblocking(True)

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def _live(self) -> socket.socket:
        if self._sock is None:
            raise PipeUnavailable(f"{self.description} is not open")
        return self._sock


def tcp_pipe(uri: PipeUri, options: Options) -> TcpPipe:
    """Handler of ``tcp://host:port``; the port defaults to the device's ``port`` default."""
    default_port = options.default("port", None)
    example = f"write tcp://192.168.1.60:{default_port or 5005}"
    parts = urlsplit(f"//{uri.target}")
    try:
        port = parts.port if parts.port is not None else default_port
    except ValueError:
        port = -1
    if not parts.hostname:
        raise uri.error("host missing", example)
    if parts.path:
        raise uri.error(f"unexpected path {parts.path!r} after the port", example)
    if port is None:
        raise uri.error("needs host and port", example)
    if not 1 <= port <= 65535:
        raise uri.error("port must be a number from 1 to 65535", example)
    return TcpPipe(parts.hostname, port)
