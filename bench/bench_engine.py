"""Hall engine and server figures (DESIGN.md §8).

- in-process issue latency on SQLite (p50, p99);
- ``POST /tickets`` through a real ``kiosk serve`` process on loopback with 16 concurrent
  keep-alive clients (``bench.loadgen``): throughput and p99 (target ≥ 300 tickets/s, p99 ≤
  100 ms; ``bench_ceiling`` sets this beside the HTTP ceiling with the stricter targets);
- call → SSE event at a subscriber on loopback, p99 (target ≤ 100 ms).
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
from bench.loadgen import run_clients
from kiosk.client import parse_sse, wait_for_server
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.hall import open_engine
from kiosk.models import IssueRequest, ServiceChange

SERVICES = ["GC01", "GC02", "AP01", "AP02", "TX01"]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def in_process(quick: bool) -> list[Figure]:
    n = 200 if quick else 1000
    with tempfile.TemporaryDirectory() as data:
        engine = open_engine(PROJECT_CONFIG_DIR / "hall.toml", data, dev=True)
        for code in SERVICES:
            engine.change_service(code, ServiceChange(quota=100000))
        latencies = []
        for i in range(n):
            start = time.perf_counter()
            engine.issue(IssueRequest(service=SERVICES[i % len(SERVICES)]), f"b{i}")
            latencies.append((time.perf_counter() - start) * 1000)
        engine.store.close()
    return [
        Figure("engine: in-process issue p50 (SQLite, fsync)", statistics.median(latencies), "ms"),
        Figure("engine: in-process issue p99", percentile(latencies, 99), "ms"),
    ]


def end_process(proc: subprocess.Popen) -> None:
    """Stop a server process the benchmark started: SIGTERM, then SIGKILL after 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class ServerProcess:
    """``kiosk serve --dev`` in its own process, as in a hall."""

    def __init__(self, data: str, port: int, sync: str = "full", options: tuple[str, ...] = ()):
        self.url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "app.cli", "serve", "--dev", "--data", data, "--port", str(port),
               "--sync", sync, *options]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
        wait_for_server(self.url, 20)

    def stop(self) -> None:
        end_process(self.proc)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_quotas(url: str) -> None:
    """Every service's daily quota raised far above any benchmark's load."""
    guide = {"Authorization": "Bearer dev-guide"}
    for code in SERVICES:
        requests.post(f"{url}/api/v1/services/{code}", json={"quota": 100000}, headers=guide, timeout=5)


def issue_load(url: str | list[str], clients: int, per_client: int, token_of=lambda _c: "dev-kiosk",
               timeout: float = 10, path: str = "/api/v1/tickets", tag: str = "",
               each: list[list[float]] | None = None) -> tuple[list[float], float]:
    """``clients`` keep-alive connections each issuing ``per_client`` tickets with the token
    ``token_of(c)`` (the five services in turn, quotas raised first); every latency in ms and the
    seconds taken. Given several server URLs (processes sharing one database), client c uses
    ``url[c % n]``. ``path`` is where the tickets are posted (bench_ceiling's stub route);
    ``tag`` keeps the Idempotency-Keys of several loads on one server apart; ``each`` receives
    every client's own latencies."""
    urls = [url] if isinstance(url, str) else url
    raise_quotas(urls[0])

    def requests_of(c: int):  # noqa: ANN202 - a generator of loadgen.Request
        auth = f"Bearer {token_of(c)}"
        for i in range(per_client):
            yield ("POST", path, {"Authorization": auth, "Idempotency-Key": f"{tag}{c}-{i}"},
                   {"service": SERVICES[(c + i) % 5]})

    return run_clients(urls, clients, requests_of, timeout, each)


def http_issue(quick: bool, sync: str) -> list[Figure]:
    clients, per_client = 16, (40 if quick else 200)
    with tempfile.TemporaryDirectory() as data:
        server = ServerProcess(data, _free_port(), sync)
        try:
            latencies, elapsed = issue_load(server.url, clients, per_client)
        finally:
            server.stop()
    rate = len(latencies) / elapsed
    p99 = percentile(latencies, 99)
    return [
        Figure(f"server: issue throughput, 16 clients, sync={sync}", rate, "tickets/s", "≥ 300", rate >= 300),
        Figure(f"server: issue p99, 16 clients, sync={sync}", p99, "ms", "≤ 100", p99 <= 100),
        Figure(f"server: issue p50, 16 clients, sync={sync}", statistics.median(latencies), "ms"),
    ]


def sse_latency(quick: bool) -> list[Figure]:
    n = 50 if quick else 200
    with tempfile.TemporaryDirectory() as data:
        server = ServerProcess(data, _free_port())
        try:
            received: dict[int, float] = {}
            stop = threading.Event()

            def listen() -> None:
                headers = {"Authorization": "Bearer dev-display"}
                try:
                    with requests.get(f"{server.url}/api/v1/events", headers=headers, stream=True, timeout=30) as r:
                        for event in parse_sse(r.iter_lines(decode_unicode=True), stop):
                            if event.type == "call":
                                received[event.data["seq"]] = time.perf_counter()
                except requests.RequestException:
                    pass  # the server is stopped under the stream at the end

            threading.Thread(target=listen, daemon=True).start()
            time.sleep(0.3)
            session = requests.Session()
            sent: dict[int, float] = {}
            for i in range(n):
                session.post(f"{server.url}/api/v1/tickets", json={"service": "GC01"},
                             headers={"Authorization": "Bearer dev-kiosk", "Idempotency-Key": f"s{i}"}, timeout=5)
                start = time.perf_counter()
                call = session.post(f"{server.url}/api/v1/windows/18/call-next",
                                    headers={"Authorization": "Bearer dev-counter"}, timeout=5).json()
                sent[call["seq"]] = start
                time.sleep(0.01)
            deadline = time.monotonic() + 5
            while len(received) < n and time.monotonic() < deadline:
                time.sleep(0.05)
            stop.set()
        finally:
            server.stop()
    latencies = [(received[s] - sent[s]) * 1000 for s in sent if s in received]
    p99 = percentile(latencies, 99)
    return [
        Figure("server: call → SSE event at subscriber p99", p99, "ms", "≤ 100", p99 <= 100),
        Figure("server: calls delivered over SSE", len(latencies), f"of {n}", f"{n}", len(latencies) == n),
    ]


def run(quick: bool = False) -> list[Figure]:
    """All engine and server figures."""
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    return in_process(quick) + http_issue(quick, "full") + http_issue(quick, "normal") + sse_latency(quick)
