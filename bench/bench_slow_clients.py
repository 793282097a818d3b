"""The hall server under slow and many clients (DESIGN.md §8, kiosk/serving.py).

A real ``kiosk serve --dev`` process, limited to 1,024 file descriptors as hall servers usually
are, faces 1,100 slow-loris sockets spread over 11 source addresses (127.0.0.10–20), each
sending one byte of a request head every 5 s and opened again as soon as the server closes it
(as attack tools do). Meanwhile devices work as usual: ``GET /api/v1/catalog`` and ``POST
/api/v1/tickets`` with their tokens, from 127.0.0.1. Printed: their p50 and p99 (target p99
≤ 100 ms) and how many failed (target 0), and what the server did with the slow sockets.

``python -m bench.bench_slow_clients`` runs it alone; with ``--unguarded`` it runs the same
load against plain ``uvicorn.run`` (how ``kiosk serve`` ran before), to show what the guard is for.
"""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests

from bench import Figure
from kiosk.client import wait_for_server

SLOW_SOCKETS = 1100
SOURCES = [f"127.0.0.{n}" for n in range(10, 21)]
TICK_S = 5.0
SERVER_FDS = 1024
SERVICES = ["GC01", "AP01", "TX01"]
HEAD = b"GET /api/v1/catalog HTTP/1.1\r\nHost: hall\r\n" + b"X-Slow: " + b"a" * 4000


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hall_server_limits() -> None:
    """In the server's process before it starts: a hall server's usual descriptor limit."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (SERVER_FDS, SERVER_FDS))


class SlowLoris(threading.Thread):
    """``SLOW_SOCKETS`` sockets trickling a request head, one byte each per tick; a socket the
    server closed is opened again at its next turn."""

    def __init__(self, port: int):
        super().__init__(name="slow-loris", daemon=True)
        self.port = port
        self.stop = threading.Event()
        self.socks: list[socket.socket | None] = [None] * SLOW_SOCKETS
        self.sent = [0] * SLOW_SOCKETS
        self.opened = self.closed_by_server = self.connect_failed = 0

    def run(self) -> None:
        gap = TICK_S / SLOW_SOCKETS  # spread the bytes over the tick
        while not self.stop.is_set():
            for i in range(SLOW_SOCKETS):
                if self.stop.is_set():
                    break
                self._turn(i)
                time.sleep(gap)
        for sock in self.socks:
            if sock is not None:
                sock.close()

    def _turn(self, i: int) -> None:
        sock = self.socks[i]
        if sock is not None and self._server_closed(sock):
            sock.close()
            sock = self.socks[i] = None
            self.closed_by_server += 1
        if sock is None:
            try:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=2,
                                                source_address=(SOURCES[i % len(SOURCES)], 0))
            except OSError:
                self.connect_failed += 1
                return
            sock.setblocking(False)
            self.socks[i], self.sent[i] = sock, 0
            self.opened += 1
        try:
            sock.send(HEAD[self.sent[i] % len(HEAD):][:1])
            self.sent[i] += 1
        except OSError:  # reset or closed by the server; counted at the next turn
            pass

    @staticmethod
    def _server_closed(sock: socket.socket) -> bool:
        try:
            return sock.recv(65536, socket.MSG_DONTWAIT) is not None  # b"" (closed) or a 408
        except BlockingIOError:
            return False
        except OSError:
            return True


class Device(threading.Thread):
    """A kiosk's normal traffic: the catalog and a ticket in turn, with its token."""

    def __init__(self, url: str, n: int, until: float):
        super().__init__(name=f"device-{n}", daemon=True)
        self.url, self.n, self.until = url, n, until
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = "Bearer dev-kiosk"
        i = 0
        while time.monotonic() < self.until:
            i += 1
            started = time.perf_counter()
            try:
                if i % 2:
                    response = session.get(f"{self.url}/api/v1/catalog", timeout=10)
                else:
                    response = session.post(f"{self.url}/api/v1/tickets", timeout=10,
                                            json={"service": SERVICES[i % len(SERVICES)], "device": f"K{self.n}"},
                                            headers={"Idempotency-Key": uuid.uuid4().hex})
                if response.status_code not in (200, 201):
                    self.errors.append(f"HTTP {response.status_code}")
            except requests.RequestException as exc:
                self.errors.append(type(exc).__name__)
            self.latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.1)


def _raise_quotas(url: str) -> None:
    for code in SERVICES:
        requests.post(f"{url}/api/v1/services/{code}", json={"quota": 100000},
                      headers={"Authorization": "Bearer dev-guide"}, timeout=10).raise_for_status()


def _own_descriptors() -> None:
    """This process holds the 1,100 slow sockets besides its own files."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = SLOW_SOCKETS + 512
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


# The hall server as it ran before kiosk/serving.py: uvicorn's own defaults.
UNGUARDED = """
import sys, uvicorn
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.hall import open_engine
from kiosk.server import create_app
engine = open_engine(PROJECT_CONFIG_DIR / "hall.toml", sys.argv[1], dev=True)
uvicorn.run(create_app(engine, dev=True), host="127.0.0.1", port=int(sys.argv[2]), log_level="critical",
            access_log=False, timeout_graceful_shutdown=3)
"""


def run(quick: bool = False, unguarded: bool = False) -> list[Figure]:
    """Measure devices' requests while the slow sockets press on the server."""
    _own_descriptors()
    measure_s = 20.0 if quick else 45.0
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        cmd = [sys.executable, "-m", "app.cli", "serve", "--dev", "--data", data, "--port", str(port)]
        if unguarded:
            cmd = [sys.executable, "-c", UNGUARDED, data, str(port)]
        server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy(),
                                  preexec_fn=_hall_server_limits)
        try:
            wait_for_server(url, 30)
            _raise_quotas(url)
            loris = SlowLoris(port)
            loris.start()
            time.sleep(2 * TICK_S + 1)  # every slow socket opened and trickling; the first timed out
            until = time.monotonic() + measure_s
            devices = [Device(url, n, until) for n in range(4)]
            for device in devices:
                device.start()
            descriptors = []
            while time.monotonic() < until:
                time.sleep(1)
                descriptors.append(len(os.listdir(f"/proc/{server.pid}/fd")))
            for device in devices:
                device.join()
            loris.stop.set()
            loris.join(timeout=10)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(5)
    latencies = [ms for d in devices for ms in d.latencies]
    errors = [e for d in devices for e in d.errors]
    p99 = percentile(latencies, 99)
    if errors:
        print(f"device errors: {sorted(set(errors))}", file=sys.stderr)
    figures = [
        Figure(f"slow clients: device request p50 ({SLOW_SOCKETS} slow sockets)", statistics.median(latencies), "ms"),
        Figure(f"slow clients: device request p99 ({SLOW_SOCKETS} slow sockets)", p99, "ms", "<= 100 ms", p99 <= 100),
        Figure("slow clients: device requests made", len(latencies), "requests"),
        Figure("slow clients: device requests failed", len(errors), "requests", "0", not errors),
        Figure(f"slow clients: server descriptors in use, max (limit {SERVER_FDS})", max(descriptors), "fds"),
        Figure("slow clients: slow sockets opened", loris.opened, "sockets"),
        Figure("slow clients: slow sockets closed by the server", loris.closed_by_server, "sockets"),
    ]
    if unguarded:  # figures of a server without the guard: shown, never judged
        figures = [Figure(f.name.replace("slow clients:", "unguarded:"), f.value, f.unit) for f in figures]
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv, unguarded="--unguarded" in sys.argv):
        print(figure.line(), flush=True)
