"""The hall server against its HTTP ceiling, and calls first (DESIGN.md §8).

One server process (``bench.ceiling_server``: ``kiosk serve --dev`` plus an HTTP-only stub
route on the same stack), loaded by ``bench.loadgen``'s keep-alive clients:

- ``POST /api/v1/tickets`` (sync=full, group commit) and the stub at 16 and 64 clients:
  throughput, p50, p99, and the real route's throughput as a share of the stub's;
- a clerk's call-next → its event at an SSE subscriber, p99, idle and while 16 clients issue
  (target ≤ 50 ms: a call never queues behind the issue batches).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench import Figure
from bench.bench_engine import (
    SERVICES,
    _free_port,
    end_process,
    issue_load,
    percentile,
    raise_quotas,
)
from bench.ceiling_server import STUB_PATH
from bench.loadgen import run_clients
from kiosk.client import parse_sse, wait_for_server

TARGET_RATE = 1000  # tickets/s at 16 clients
TARGET_P99 = {16: 30, 64: 100}  # ms
CALL_P99 = 50  # ms, call → event at a screen


class CeilingServer:
    """``python -m bench.ceiling_server`` in its own process."""

    def __init__(self, data: str, sync: str = "full"):
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "bench.ceiling_server", "--data", data, "--port", str(port), "--sync", sync]
        # Its stderr discarded: stopping it under open event streams logs their cancellation.
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=os.environ.copy())
        wait_for_server(self.url, 30)

    def cpu_s(self) -> float:
        """The server process's CPU time so far (user + system), in seconds."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        end_process(self.proc)


def _load(server: CeilingServer, clients: int, total: int, path: str, tag: str) -> tuple[float, ...]:
    """Throughput, p50, p99, the server's CPU ms per request, and how unevenly the clients were
    served (the slowest client's mean latency over the fastest's) of one load."""
    cpu = server.cpu_s()
    each: list[list[float]] = []
    latencies, elapsed = issue_load(server.url, clients, max(1, total // clients), path=path, tag=tag,
                                    each=each)
    cpu_ms = (server.cpu_s() - cpu) * 1000 / len(latencies)
    means = [statistics.fmean(out) for out in each if out]
    return (len(latencies) / elapsed, statistics.median(latencies), percentile(latencies, 99), cpu_ms,
            max(means) / min(means))


def ceiling(server: CeilingServer, clients: int, total: int) -> list[Figure]:
    """The real route and the stub at ``clients`` clients, side by side."""
    _load(server, clients, total // 4, STUB_PATH, f"warm{clients}-")  # the first requests pay imports
    stub = _load(server, clients, total, STUB_PATH, f"stub{clients}-")
    real = _load(server, clients, total, "/api/v1/tickets", f"real{clients}-")
    target_p99 = TARGET_P99[clients]
    rate_target = (f"≥ {TARGET_RATE}", real[0] >= TARGET_RATE) if clients == 16 else ("", None)
    return [
        Figure(f"ceiling: issue throughput, {clients} clients, sync=full", real[0], "tickets/s", *rate_target),
        Figure(f"ceiling: issue p50, {clients} clients", real[1], "ms"),
        Figure(f"ceiling: issue p99, {clients} clients", real[2], "ms", f"≤ {target_p99}", real[2] <= target_p99),
        Figure(f"ceiling: issue, server CPU per ticket, {clients} clients", real[3], "ms"),
        Figure(f"ceiling: issue, slowest client / fastest (mean), {clients} clients", real[4], "×",
               "≤ 1.5 (fair)", real[4] <= 1.5),
        Figure(f"ceiling: HTTP-only stub throughput, {clients} clients", stub[0], "requests/s"),
        Figure(f"ceiling: stub p50, {clients} clients", stub[1], "ms"),
        Figure(f"ceiling: stub p99, {clients} clients", stub[2], "ms"),
        Figure(f"ceiling: stub, server CPU per request, {clients} clients", stub[3], "ms"),
        Figure(f"ceiling: issue / stub throughput, {clients} clients", 100 * real[0] / stub[0], "%"),
    ]


class Screen:
    """An SSE subscriber noting when each call event arrives."""

    def __init__(self, url: str):
        self.received: dict[int, float] = {}
        self.stop = threading.Event()
        threading.Thread(target=self._listen, args=(url,), daemon=True).start()
        time.sleep(0.3)

    def _listen(self, url: str) -> None:
        try:
            with requests.get(f"{url}/api/v1/events", headers={"Authorization": "Bearer dev-display"},
                              stream=True, timeout=30) as r:
                for event in parse_sse(r.iter_lines(decode_unicode=True), self.stop):
                    if event.type == "call":
                        self.received[event.data["seq"]] = time.perf_counter()
        except requests.RequestException:
            pass  # the server is stopped under the stream at the end


def _calls(url: str, screen: Screen, n: int, issue_first: bool,
           answers: list[float] | None = None) -> list[float]:
    """``n`` call-next at window 18, 20 ms apart; call → event latencies in ms (and each call's
    answer time in ``answers``)."""
    session = requests.Session()
    sent: dict[int, float] = {}
    for i in range(n):
        if issue_first:
            session.post(f"{url}/api/v1/tickets", json={"service": "GC01"},
                         headers={"Authorization": "Bearer dev-kiosk", "Idempotency-Key": f"call{i}"}, timeout=5)
        start = time.perf_counter()
        r = session.post(f"{url}/api/v1/windows/18/call-next", headers={"Authorization": "Bearer dev-counter"},
                         timeout=10)
        if r.status_code == 200:
            sent[r.json()["seq"]] = start
            if answers is not None:
                answers.append((time.perf_counter() - start) * 1000)
        time.sleep(0.02)
    deadline = time.monotonic() + 5
    while any(s not in screen.received for s in sent) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [(screen.received[s] - sent[s]) * 1000 for s in sent if s in screen.received]


def _issue_until(url: str, clients: int, stop: threading.Event, most: int = 200) -> None:
    """``clients`` issuing tickets until ``stop`` is set (at most ``most`` each: a service's
    numbers run out at 999 a day)."""

    def requests_of(c: int):  # noqa: ANN202 - a generator of loadgen.Request
        for i in range(most):
            if stop.is_set():
                return
            yield ("POST", "/api/v1/tickets", {"Authorization": "Bearer dev-kiosk", "Idempotency-Key": f"bg{c}-{i}"},
                   {"service": SERVICES[(c + i) % len(SERVICES)]})

    run_clients([url], clients, requests_of)


def calls_first(server: CeilingServer, quick: bool) -> list[Figure]:
    """Call → event p99 idle, then while 16 clients issue."""
    n = 30 if quick else 150
    url = server.url
    raise_quotas(url)
    screen = Screen(url)
    idle = _calls(url, screen, n, issue_first=True)
    stop = threading.Event()
    load = threading.Thread(target=_issue_until, args=(url, 16, stop), daemon=True)
    load.start()
    time.sleep(0.5)  # the load under way (and GC01 tickets waiting at window 18)
    answers: list[float] = []
    busy = _calls(url, screen, n, issue_first=False, answers=answers)
    stop.set()
    load.join(60)
    screen.stop.set()
    p99_idle, p99_busy = percentile(idle, 99), percentile(busy, 99) if busy else float("nan")
    return [
        Figure("calls first: call → event p99, idle", p99_idle, "ms", f"≤ {CALL_P99}", p99_idle <= CALL_P99),
        Figure("calls first: call → event p99, 16 clients issuing", p99_busy, "ms", f"≤ {CALL_P99}",
               p99_busy <= CALL_P99),
        Figure("calls first: call → event p50, 16 clients issuing", statistics.median(busy) if busy else 0, "ms"),
        Figure("calls first: call-next answered, p99, 16 clients issuing", percentile(answers, 99) if answers else 0,
               "ms"),
        Figure("calls first: calls delivered under load", len(busy), f"of {n}", f"{n}", len(busy) == n),
    ]


def run(quick: bool = False) -> list[Figure]:
    """All ceiling and calls-first figures."""
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    total = 800 if quick else 4000
    figures: list[Figure] = []
    for step in (lambda server: ceiling(server, 16, total), lambda server: ceiling(server, 64, total),
                 lambda server: calls_first(server, quick)):
        with tempfile.TemporaryDirectory(prefix="bench-ceiling-") as data:  # each on an empty day
            server = CeilingServer(data)
            try:
                figures += step(server)
            finally:
                server.stop()
    return figures
