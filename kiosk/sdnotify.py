"""systemd's service notification protocol (sd_notify), without a dependency.

Under a ``Type=notify`` unit systemd passes the path of a datagram socket in ``$NOTIFY_SOCKET``;
a service writes ``READY=1`` there once it serves, and, when the unit has ``WatchdogSec=``
(``$WATCHDOG_USEC``), ``WATCHDOG=1`` at least that often or systemd kills and restarts it.

The heartbeat is scheduled on the server's own asyncio event loop, never on a thread of its
own: a loop that hangs (a blocking call, an endless callback) then stops the pings, which is
exactly what the watchdog is for. Outside systemd (no ``$NOTIFY_SOCKET``) everything here does
nothing, so ``kiosk serve`` behaves the same from a terminal.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def notify_address(environ: Mapping[str, str] | None = None) -> str | None:
    """The notification socket's address, or None outside systemd. An address that starts with
    ``@`` is in the abstract namespace (a leading NUL byte)."""
    path = (os.environ if environ is None else environ).get("NOTIFY_SOCKET", "")
    if not path or path[0] not in "/@":  # vsock addresses and garbage: not ours to guess
        return None
    return "\0" + path[1:] if path.startswith("@") else path


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds between two heartbeats: half the unit's ``WatchdogSec`` (systemd's advice), or
    None when no watchdog is asked for this process."""
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid != str(os.getpid()):  # meant for a parent process, not for us
        return None
    return int(usec) / 2_000_000


def notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send one message (``READY=1``, ``WATCHDOG=1``, ``STATUS=…``); True if it was sent.
    Never raises: a missing or full socket must not take the server down."""
    address = notify_address(environ)
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message.encode("utf-8"), address)
        return True
    except OSError as exc:
        log.warning("systemd notification %r not sent: %s", message.split("=")[0], exc)
        return False


class Heartbeat:
    """``WATCHDOG=1`` every ``interval`` seconds from a callback on ``loop``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, interval: float,
                 environ: Mapping[str, str] | None = None):
        self.loop = loop
        self.interval = interval
        self.environ = environ
        self.handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Ping now and keep pinging until :meth:`stop`. Call from the loop's thread."""
        self._beat()

    def stop(self) -> None:
        """No more pings (the server is shutting down on purpose)."""
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None

    def _beat(self) -> None:
        notify("WATCHDOG=1", self.environ)
        self.handle = self.loop.call_later(self.interval, self._beat)


def announce_ready(loop: asyncio.AbstractEventLoop, status: str = "",
                   environ: Mapping[str, str] | None = None) -> Heartbeat | None:
    """Tell systemd the service is up (``READY=1``, with ``STATUS=`` when given) and start the
    watchdog heartbeat on ``loop`` if the unit has one. Call from the loop, once the server
    listens. Returns the heartbeat (None without a watchdog)."""
    message = "READY=1" + (f"\nSTATUS={status}" if status else "")
    if not notify(message, environ):
        return None
    interval = watchdog_interval(environ)
    if interval is None:
        return None
    beat = Heartbeat(loop, interval, environ)
    beat.start()
    return beat
