"""The hall server on PostgreSQL against SQLite (DESIGN.md §8, issue 16).

``POST /tickets`` through real ``kiosk serve`` processes on loopback, 16 and 64 concurrent
clients: one process on a SQLite file, one and two processes on one PostgreSQL database (a
throwaway cluster of tests/pg.py with fsync on, on this machine). Throughput and p99 are
reported, not judged: the PostgreSQL store is the foundation of issue 16, not yet tuned.
Skipped (no figures) where PostgreSQL's server is not installed.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

from bench import Figure
from bench.bench_engine import ServerProcess, _free_port, issue_load, percentile


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
    finally:
        cluster.stop()
    return figures
