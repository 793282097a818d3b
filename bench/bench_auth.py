"""What reading a token on every request costs (DESIGN.md §5 Auth, §8).

The hall server keeps no token cache, so a revoked token is refused at its next request: each
request reads its token's row (``Store.find_token``). Figures:

- the lookup in-process (hash, read, Identity), against the pooled SQLAlchemy read transaction
  it replaces, in a hall.db holding 200 tokens;
- ``POST /tickets`` through a real ``kiosk serve`` process with 16 clients holding real kiosk
  tokens from the tokens table (``bench_engine`` uses the development tokens, which are not
  looked up), throughput and p99 beside the engine's targets (≥ 300 tickets/s, p99 ≤ 100 ms).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import bindparam, select

from bench import Figure
from bench.bench_engine import ServerProcess, _free_port, issue_load, percentile
from kiosk import store as db
from kiosk.store import Store
from kiosk.tokens import add_token, hash_token, identify


def lookup(quick: bool) -> list[Figure]:
    n = 2000 if quick else 20000
    with tempfile.TemporaryDirectory() as data:
        store = Store(Path(data) / "hall.db")
        for i in range(200):
            add_token(store, f"token-{i}", "kiosk", f"K{i:03d}", time.time())
        identify(store, "token-7", dev=False)  # opens this thread's connection
        start = time.perf_counter()
        for _ in range(n):
            identify(store, "token-7", dev=False)
        fresh = (time.perf_counter() - start) / n * 1e6
        t = db.tokens
        query = select(t.c.role, t.c.device).where(t.c.token_hash == bindparam("h"))
        digest = hash_token("token-7")
        start = time.perf_counter()
        for _ in range(n):
            with store.read() as conn:
                conn.execute(query, {"h": digest}).first()
        pooled = (time.perf_counter() - start) / n * 1e6
        store.close()
    return [
        Figure("auth: token lookup per request (hash + read)", fresh, "µs"),
        Figure("auth: same read in a pooled SQLAlchemy transaction", pooled, "µs"),
    ]


def http_issue(quick: bool) -> list[Figure]:
    clients, per_client = 16, (40 if quick else 200)
    with tempfile.TemporaryDirectory() as data:
        store = Store(Path(data) / "hall.db")
        for c in range(clients):
            add_token(store, f"bench-kiosk-{c}", "kiosk", f"B{c:02d}", time.time())
        store.close()
        server = ServerProcess(data, _free_port(), "full")
        try:
            latencies, elapsed = issue_load(server.url, clients, per_client, lambda c: f"bench-kiosk-{c}")
        finally:
            server.stop()
    rate = len(latencies) / elapsed
    p99 = percentile(latencies, 99)
    return [
        Figure("server: issue throughput, 16 clients, real tokens", rate, "tickets/s", "≥ 300", rate >= 300),
        Figure("server: issue p99, 16 clients, real tokens", p99, "ms", "≤ 100", p99 <= 100),
        Figure("server: issue p50, 16 clients, real tokens", statistics.median(latencies), "ms"),
    ]


def run(quick: bool = False) -> list[Figure]:
    """The token lookup's cost, alone and under the issue load."""
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    return lookup(quick) + http_issue(quick)
