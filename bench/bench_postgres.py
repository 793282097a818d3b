"""The hall server on PostgreSQL against SQLite (DESIGN.md §8, issue 16).

``POST /tickets`` through real ``kiosk serve`` processes on loopback, 16 and 64 concurrent
clients: one process on a SQLite file, one and two processes on one PostgreSQL database (a
throwaway cluster of tests/pg.py with fsync on, on this machine). Throughput and p99 are
reported, not judged: the PostgreSQL store is the foundation of issue 16, not yet tuned.

Events across processes: two processes on one PostgreSQL database, a stream on each; a call
made through process A, timed from the start of its request until the call event reaches the
stream on B (LISTEN/NOTIFY wakes B's hub, kiosk.event_listen) and, for comparison, the stream
on A itself (woken directly by the commit). Target as for one process: p99 ≤ 100 ms.
Skipped (no figures) where PostgreSQL's server is not installed.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench import Figure
from bench.bench_engine import ServerProcess, _free_port, issue_load, percentile
from kiosk.client import parse_sse


def _run(label: str, processes: int, clients: int, per_client: int, db: str | None) -> list[Figure]:
    with tempfile.TemporaryDirectory() as data:
        servers = []
        try:
            for n in range(processes):
                folder = str(Path(data) / f"p{n}")
                options = ("--db", db) if db else ()
                servers.append(ServerProcess(folder if db else data, _free_port(), "full", options))
            latencies, elapsed = issue_load([s.url for s in servers], clients, per_client, timeout=30)
        finally:
            for server in servers:
                server.stop()
    name = f"{label}, {clients} clients"
    return [
        Figure(f"{name}: tickets/s", len(latencies) / elapsed, "tickets/s"),
        Figure(f"{name}: p99", percentile(latencies, 99), "ms"),
        Figure(f"{name}: p50", statistics.median(latencies), "ms"),
    ]


class CallStream:
    """A display's event stream on a thread: when each call event (by its call seq) arrived."""

    def __init__(self, url: str):
        self.arrived: dict[int, float] = {}
        self.open = threading.Event()
        self._stop = threading.Event()
        threading.Thread(target=self._read, args=(url,), daemon=True).start()

    def _read(self, url: str) -> None:
        try:
            with requests.get(f"{url}/api/v1/events", headers={"Authorization": "Bearer dev-display"},
                              stream=True, timeout=30) as r:
                self.open.set()
                for event in parse_sse(r.iter_lines(decode_unicode=True), self._stop):
                    if event.type == "call":
                        self.arrived[event.data["seq"]] = time.perf_counter()
        except requests.RequestException:
            pass  # the server is stopped under the stream at the end

    def stop(self) -> None:
        """Stop reading at the next line."""
        self._stop.set()


def events_across(db: str, quick: bool) -> list[Figure]:
    """Call → event at a stream on the other process (and on the same one), p50 and p99."""
    n = 50 if quick else 300
    with tempfile.TemporaryDirectory() as data:
        a = ServerProcess(str(Path(data) / "a"), _free_port(), "full", ("--db", db))
        b = ServerProcess(str(Path(data) / "b"), _free_port(), "full", ("--db", db))
        streams = (CallStream(a.url), CallStream(b.url))
        try:
            for stream in streams:
                stream.open.wait(10)
            time.sleep(0.5)  # B's LISTEN connection is made on a thread once its first stream opens
            session, sent = requests.Session(), {}
            session.post(f"{a.url}/api/v1/services/GC01", json={"quota": 100000},
                         headers={"Authorization": "Bearer dev-guide"}, timeout=5)
            for i in range(n):
                session.post(f"{a.url}/api/v1/tickets", json={"service": "GC01"}, timeout=10,
                             headers={"Authorization": "Bearer dev-kiosk", "Idempotency-Key": f"e{i}"})
                start = time.perf_counter()
                call = session.post(f"{a.url}/api/v1/windows/18/call-next", timeout=10,
                                    headers={"Authorization": "Bearer dev-counter"}).json()
                sent[call["seq"]] = start
                time.sleep(0.01)
            deadline = time.monotonic() + 15  # the safety poll would bring stragglers within 10 s
            while any(len(s.arrived) < n for s in streams) and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            for stream in streams:
                stream.stop()
            a.stop()
            b.stop()
    figures = []
    for where, stream in (("A → stream on B", streams[1]), ("A → stream on A", streams[0])):
        latencies = [(stream.arrived[s] - sent[s]) * 1000 for s in sent if s in stream.arrived]
        p99 = percentile(latencies, 99) if latencies else float("inf")
        figures += [
            Figure(f"postgresql, 2 processes: call {where}: p99", p99, "ms", "≤ 100", p99 <= 100),
            Figure(f"postgresql, 2 processes: call {where}: p50",
                   statistics.median(latencies) if latencies else float("inf"), "ms"),
            Figure(f"postgresql, 2 processes: calls {where} delivered", len(latencies), f"of {n}", f"{n}",
                   len(latencies) == n),
        ]
    return figures


def run(quick: bool = False) -> list[Figure]:
    """SQLite (1 process) and PostgreSQL (1 and 2 processes), 16 and 64 clients."""
    from tests.pg import Cluster, missing_reason

    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    if missing_reason():
        print(f"bench_postgres: skipped: {missing_reason()}")
        return []
    figures: list[Figure] = []
    cluster = Cluster(durable=True).start()
    try:
        for clients in (16, 64):
            per_client = (640 if quick else 3200) // clients
            figures += _run("sqlite, 1 process", 1, clients, per_client, None)
            for processes in (1, 2):
                db = cluster.database().replace("postgresql+psycopg://", "postgresql://")
                figures += _run(f"postgresql, {processes} process{'es' if processes > 1 else ''}",
                                processes, clients, per_client, db)
        figures += events_across(cluster.database().replace("postgresql+psycopg://", "postgresql://"), quick)
    finally:
        cluster.stop()
    return figures
