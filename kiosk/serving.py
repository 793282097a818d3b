"""The hall server's socket side: uvicorn, guarded against slow and many clients, with TLS.

``serve(app, host, port, tls=..., limits=...)`` is how ``kiosk serve`` runs the hall server;
``build_server`` makes the same server for the tests and benchmarks to run in a thread.

uvicorn alone holds a connection as long as its client trickles bytes: 1,100 sockets sending one
header byte every 5 s took every file descriptor and every normal request failed. The guard
(``GuardedProtocol``, a subclass of uvicorn's httptools protocol) adds what uvicorn lacks:

- a **head timeout**: a request's head (request line and headers) must arrive within
  ``head_timeout_s`` of its first byte, and a new connection must start one within that time;
  a **body timeout**: the whole body within ``body_timeout_s`` of the head. Else 408 and closed.
  Over TLS, the handshake must also end within ``head_timeout_s``;
- a **per-address cap**: a further connection from an address already holding
  ``per_address`` is closed at once;
- a **reserve for devices**: above ``soft`` open connections only requests bearing a known token
  are served (others get 503 problem+json and are closed); above ``hard`` new sockets are closed
  at once. ``hard`` is kept below the process's file-descriptor limit, so the hall's database and
  log files always have descriptors left.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kiosk.domain import HallError

log = logging.getLogger(__name__)

# Descriptors kept free of connections for the database, its journal, logs and outgoing calls.
FD_RESERVE = 128


class ServeError(Exception):
    """The server cannot start; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Limits:
    """How long a client may take and how many connections it may hold."""

    head_timeout_s: float = 10.0
    body_timeout_s: float = 10.0
    per_address: int = 64
    soft: int = 512
    hard: int = 1024

    def __post_init__(self):
        if not 0 < self.soft <= self.hard or self.per_address < 1:
            raise ValueError("limits need 1 <= per_address and 0 < soft <= hard")
        if self.head_timeout_s <= 0 or self.body_timeout_s <= 0:
            raise ValueError("timeouts must be positive")


@dataclass(frozen=True)
class TlsFiles:
    """The server's certificate chain and private key (PEM files)."""

    cert: Path
    key: Path


def tls_context(tls: TlsFiles) -> ssl.SSLContext:
    """A server TLS context from the files, or a ServeError that names the file at fault."""
    for what, path in (("certificate", tls.cert), ("key", tls.key)):
        path = Path(path)
        if not path.is_file():
            raise ServeError(f"the TLS {what} file {path} does not exist; give the file "
                             f"'kiosk tls init' wrote (server.crt / server.key)")
        if not os.access(path, os.R_OK):
            raise ServeError(f"the TLS {what} file {path} cannot be read by this user; "
                             f"fix its owner or permissions")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(tls.cert), str(tls.key))
    except ssl.SSLError as exc:
        raise ServeError(f"the TLS certificate {tls.cert} and key {tls.key} cannot be used "
                         f"({exc.reason or exc}): they must be PEM files and the key must belong "
                         f"to the certificate; make them again with 'kiosk tls init'") from exc
    except OSError as exc:
        raise ServeError(f"the TLS files {tls.cert}, {tls.key} cannot be read: {exc.strerror}") from exc
    return context


def fit_to_descriptors(limits: Limits) -> Limits:
    """``limits`` with ``hard`` (and ``soft``) below the file-descriptor limit, raised first
    towards ``hard`` where the system allows it."""
    try:
        import resource
    except ImportError:  # not a Unix: nothing to read
        return limits
    soft_fd, hard_fd = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = limits.hard + FD_RESERVE
    if soft_fd != resource.RLIM_INFINITY and soft_fd < wanted:
        target = wanted if hard_fd == resource.RLIM_INFINITY else min(wanted, hard_fd)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard_fd))
            soft_fd = target
        except (ValueError, OSError):
            pass
    if soft_fd == resource.RLIM_INFINITY or soft_fd >= wanted:
        return limits
    hard = max(1, soft_fd - FD_RESERVE)
    log.warning("only %d file descriptors: at most %d connections (asked for %d)", soft_fd, hard, limits.hard)
    return replace(limits, hard=hard, soft=min(limits.soft, hard), per_address=min(limits.per_address, hard))


def _problem_bytes(status: int, reason: str, code: str, detail: str) -> tuple[bytes, list]:
    body = json.dumps({"type": "about:blank", "status": status, "title": reason, "detail": detail,
                       "code": code}).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    return body, headers


async def _busy_app(scope, receive, send) -> None:
    """The answer to an anonymous request while the server keeps its room for devices."""
    body, headers = _problem_bytes(503, "Service Unavailable", "server_busy",
                                   "the hall server is busy and serves only its devices now; "
                                   "send the device token, or try again in a minute")
    await send({"type": "http.response.start", "status": 503, "headers": headers + [(b"retry-after", b"30")]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """What every connection of one server shares: the limits, the counts, the token check."""

    def __init__(self, limits: Limits, token_known: Callable[[str | None], bool]):
        self.limits = limits
        self.token_known = token_known
        self.total = 0
        self.by_address: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self._last_report = 0.0

    def admit(self, address: str) -> str | None:
        """Count a new connection from ``address``; or say why it is refused."""
        if self.total >= self.limits.hard:
            return self._refuse("over the connection limit")
        if self.by_address[address] >= self.limits.per_address:
            return self._refuse(f"over the per-address limit ({address})")
        self.total += 1
        self.by_address[address] += 1
        return None

    def release(self, address: str) -> None:
        """A counted connection has ended."""
        self.total -= 1
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            del self.by_address[address]

    def reserved(self) -> bool:
        """Whether anonymous requests are refused now."""
        return self.total > self.limits.soft

    def _refuse(self, why: str) -> str:
        self.refused[why] += 1
        self.report()
        return why

    def report(self) -> None:
        """Log the refusals of the last 10 s in one line (never one line per socket)."""
        now = time.monotonic()
        if self.refused and now - self._last_report >= 10:
            self._last_report = now
            log.warning("hall server refused: %s; %d connections open",
                        ", ".join(f"{n} {why}" for why, n in self.refused.items()), self.total)
            self.refused.clear()


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with head and body timeouts and the connection caps."""

    def __init__(self, *args, guard: Guard, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard = guard
        self.full_app = self.app
        self.address: str | None = None  # set once the connection is counted
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) else "local"
        if self.guard.admit(address) is not None:
            transport.abort()  # at once: no bytes, no descriptor kept
            return
        self.address = address
        super().connection_made(transport)
        # A connection that never starts a request is held no longer than a slow one.
        self._arm(self.guard.limits.head_timeout_s, "the request head")

    def connection_lost(self, exc: Exception | None) -> None:
        if self.address is None:  # refused in connection_made: uvicorn never saw it
            return
        self._disarm()
        self.guard.release(self.address)
        self.address = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # Between requests any byte starts the head's clock: uvicorn drops its keep-alive timer
        # on every byte, and the parser skips empty lines without beginning a message, so a
        # client trickling "\r\n" would otherwise hold the connection for ever.
        if self.timer is None and (self.cycle is None or self.cycle.response_complete):
            self._arm(self.guard.limits.head_timeout_s, "the request head")
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.timer is None:
            self._arm(self.guard.limits.head_timeout_s, "the request head")

    def on_headers_complete(self) -> None:
        self._disarm()
        self.app = self.full_app
        if self.guard.reserved() and not self._bears_known_token():
            self.app = _busy_app
        super().on_headers_complete()
        if self._expects_body():
            self._arm(self.guard.limits.body_timeout_s, "the request body")

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _bears_known_token(self) -> bool:
        value = next((v for n, v in self.headers if n == b"authorization"), None)
        return self.guard.token_known(value.decode("latin-1") if value is not None else None)

    def _expects_body(self) -> bool:
        for name, value in self.headers:
            if name == b"content-length":
                return value.strip() not in (b"0", b"")
            if name == b"transfer-encoding":
                return True
        return False

    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self.timer = self.loop.call_later(seconds, self._expired, seconds, what)

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _expired(self, seconds: float, what: str) -> None:
        """The client took too long: tell it in one 408 and close."""
        self.timer = None
        if self.transport is None or self.transport.is_closing():
            return
        if self.cycle is None or not self.cycle.response_started:
            body, headers = _problem_bytes(408, "Request Timeout", "request_timeout",
                                           f"{what} did not arrive within {seconds:g} s; send the whole "
                                           f"request at once")
            head = b"HTTP/1.1 408 Request Timeout\r\n" + b"".join(n + b": " + v + b"\r\n" for n, v in headers)
            self.transport.write(head + b"\r\n" + body)
        self.transport.close()


def token_check(app) -> Callable[[str | None], bool]:
    """Whether an Authorization header holds a token the app's ``Auth`` knows (False without
    one, or when the app has no ``state.auth``)."""
    auth = getattr(getattr(app, "state", None), "auth", None)

    def known(authorization: str | None) -> bool:
        if auth is None or not authorization:
            return False
        try:
            auth.identity_of(authorization)
            return True
        except HallError:
            return False
        except Exception:  # the tokens table unreadable: refuse, but never break the parser
            log.warning("token check failed; treating the request as anonymous", exc_info=True)
            return False

    return known


class HallServer(uvicorn.Server):
    """uvicorn's server with its listening socket opened here: the guarded protocol, the TLS
    handshake timeout (uvicorn passes none, asyncio waits 60 s) and plain start-up errors."""

    def __init__(self, config: uvicorn.Config, guard: Guard, ssl_context: ssl.SSLContext | None,
                 on_ready: Callable[[HallServer], None] | None = None):
        super().__init__(config)
        self.guard = guard
        self.ssl_context = ssl_context
        self.on_ready = on_ready

    async def startup(self, sockets=None) -> None:  # noqa: ANN001 - uvicorn's signature
        """Start the app, then listen (the steps of uvicorn's own startup for a host and port,
        or on the one listening socket in ``sockets``)."""
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            raise ServeError("the hall application failed to start; see the log above")
        loop = asyncio.get_running_loop()
        config = self.config

        def protocol() -> GuardedProtocol:
            return GuardedProtocol(config=config, server_state=self.server_state,
                                   app_state=self.lifespan.state, _loop=loop, guard=self.guard)

        extra = {"ssl_handshake_timeout": self.guard.limits.head_timeout_s} if self.ssl_context else {}
        # Sockets handed in (a service manager's socket activation; a test's own buffer sizes)
        # are listened on as they are; else host and port are bound here.
        where = {"sock": sockets[0]} if sockets else {"host": config.host, "port": config.port}
        try:
            server = await loop.create_server(protocol, **where, ssl=self.ssl_context,
                                              backlog=config.backlog, **extra)
        except OSError as exc:
            await self.lifespan.shutdown()
            raise ServeError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}; "
                             f"stop the program using that port or choose another --port") from exc
        self.servers = [server]
        self.started = True
        if self.on_ready is not None:
            self.on_ready(self)

    @property
    def port(self) -> int:
        """The port listened on (useful after asking for port 0)."""
        return self.servers[0].sockets[0].getsockname()[1]

    @property
    def scheme(self) -> str:
        """``https`` with TLS, else ``http``."""
        return "https" if self.ssl_context else "http"


def build_server(app, host: str, port: int, *, tls: TlsFiles | None = None,
                 limits: Limits | None = None, graceful_s: float = 3.0,
                 on_ready: Callable[[HallServer], None] | None = None) -> HallServer:
    """The hall server for ``app``, not yet running; raises ServeError for unusable TLS files.
    ``on_ready`` is called once it listens."""
    context = tls_context(tls) if tls else None
    limits = fit_to_descriptors(limits or Limits())
    # Open event streams never end by themselves: ``graceful_s`` at shutdown, then closed.
    config = uvicorn.Config(app, host=host, port=port, http=GuardedProtocol, log_level="warning",
                            access_log=False, timeout_graceful_shutdown=graceful_s)
    return HallServer(config, Guard(limits, token_check(app)), context, on_ready)


def serve(app, host: str, port: int, *, tls: TlsFiles | None = None, limits: Limits | None = None,
          on_ready: Callable[[HallServer], None] | None = None) -> None:
    """Run the hall server until interrupted; raises ServeError when it cannot start."""
    build_server(app, host, port, tls=tls, limits=limits, on_ready=on_ready).run()


def run_in_thread(server: HallServer, timeout: float = 10.0, sockets: list | None = None) -> threading.Thread:
    """Start ``server`` on a daemon thread (on ``sockets`` when given) and wait until it listens
    (tests, benchmarks); stop it with ``stop_thread``."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=sockets)
        except BaseException as exc:  # handed to the starting thread below
            failure.append(exc)

    thread = threading.Thread(target=run, name="hall-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if failure:
            raise failure[0]
        if time.monotonic() > deadline:
            raise ServeError(f"the hall server did not start within {timeout:g} s")
        time.sleep(0.01)
    return thread


def stop_thread(server: HallServer, thread: threading.Thread) -> None:
    """Stop a server started by ``run_in_thread``."""
    server.should_exit = True
    thread.join(timeout=10)
