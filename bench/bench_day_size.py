"""What a busy day costs (DESIGN.md §8, issue 19): figures at 0 / 10,000 / 100,000 tickets already
in the day, seeded through the engine (bench.day_seed).

- ``POST /tickets`` through a real ``kiosk serve`` process, 16 clients (bench_engine.issue_load):
  throughput and p99; target: within 20 % of the empty day's throughput at 100,000;
- ``GET /tickets?limit=100``, the day's first page and one in its middle: median; target ≤ 50 ms;
- SQL statements per issue and per call-next (in-process, counted with a SQLAlchemy event): the
  same at every size.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import event, select

from bench import Figure
from bench.bench_engine import SERVICES, ServerProcess, _free_port, issue_load, percentile
from bench.day_seed import roomy_hall_file, seed_day
from kiosk import store as db
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.hall import open_engine
from kiosk.models import IssueRequest
from kiosk.ticket_pages import encode_cursor

PAGE_TARGET_MS = 50.0


def count_statements(engine, action) -> int:  # noqa: ANN001 - a HallEngine and a callable
    """How many SQL statements ``action()`` sends to ``engine``'s database."""
    seen = []

    def on_execute(*_args) -> None:  # noqa: ANN002 - SQLAlchemy's event arguments
        seen.append(1)

    event.listen(engine.store.engine, "before_cursor_execute", on_execute)
    try:
        action()
    finally:
        event.remove(engine.store.engine, "before_cursor_execute", on_execute)
    return len(seen)


def _middle_cursor(engine) -> str | None:  # noqa: ANN001 - a HallEngine
    """The cursor of a page in the middle of today's listing (None on a day too short)."""
    t = db.tickets
    with engine.store.read() as conn:
        total = conn.execute(select(db.day_service_stats.c.issued)).scalars().all()
        middle = sum(total) // 2
        if middle < 1:
            return None
        row = conn.execute(select(t.c.issued_at, t.c.number).where(t.c.day == engine.today())
                           .order_by(t.c.issued_at, t.c.number).offset(middle).limit(1)).first()
    return encode_cursor(engine.today(), row.issued_at, row.number) if row else None


def _page_ms(url: str, params: dict, runs: int) -> float:
    session = requests.Session()
    session.headers["Authorization"] = "Bearer dev-guide"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = session.get(f"{url}/api/v1/tickets", params=params, timeout=30)
        response.raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def one_size(size: int, quick: bool, work: Path) -> dict:
    """Seed a day of ``size`` tickets, then measure it; the figures by name."""
    hall_file = roomy_hall_file(PROJECT_CONFIG_DIR / "hall.toml", work / "hall.toml")
    data, keys = work / "data", work / "keys"
    engine = open_engine(hall_file, data, dev=True, keys=keys)
    started = time.perf_counter()
    seed_day(engine, size, SERVICES)
    seeded = time.perf_counter() - started
    engine.issue(IssueRequest(service="GC01"), "warm-issue")  # the day's first issue and call make
    engine.call_next(18)  # its counter rows (one COUNT per service, once a day): not counted
    statements = count_statements(engine, lambda: engine.issue(IssueRequest(service="GC01"), "count-issue"))
    calls = count_statements(engine, lambda: engine.call_next(20))
    middle = _middle_cursor(engine)
    engine.store.close()
    server = ServerProcess(str(data), _free_port(), "full", ("--config", str(hall_file), "--keys", str(keys)))
    try:
        latencies, elapsed = issue_load(server.url, 16, 15 if quick else 60)
        first = _page_ms(server.url, {"limit": 100}, 5 if quick else 15)
        mid = _page_ms(server.url, {"limit": 100, "cursor": middle}, 5 if quick else 15) if middle else first
    finally:
        server.stop()
    return {"rate": len(latencies) / elapsed, "p99": percentile(latencies, 99), "first": first, "middle": mid,
            "statements": statements, "calls": calls, "seeded": seeded}


def run(quick: bool = False) -> list[Figure]:
    """Every size in turn, then the figures against the empty day's."""
    sizes = (0, 2_000, 10_000) if quick else (0, 10_000, 100_000)
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-day-") as work:
            results[size] = one_size(size, quick, Path(work))
    empty = results[sizes[0]]
    figures = []
    for size in sizes:
        r, label = results[size], f"{size:,} in the day"
        figures.append(Figure(f"day size: seeding {label}", r["seeded"], "s"))
        within = r["rate"] >= 0.8 * empty["rate"]
        figures.append(Figure(f"day size: issue throughput, 16 clients, {label}", r["rate"], "tickets/s",
                              "≥ 80 % of empty day", within))
        figures.append(Figure(f"day size: issue p99, {label}", r["p99"], "ms"))
        for key, name in (("first", "first"), ("middle", "middle")):
            figures.append(Figure(f"day size: GET /tickets {name} page of 100, {label}", r[key], "ms",
                                  f"≤ {PAGE_TARGET_MS:.0f}", r[key] <= PAGE_TARGET_MS))
        figures.append(Figure(f"day size: statements per issue, {label}", r["statements"], "",
                              f"= {empty['statements']}", r["statements"] == empty["statements"]))
        figures.append(Figure(f"day size: statements per call-next, {label}", r["calls"], "",
                              f"= {empty['calls']}", r["calls"] == empty["calls"]))
    return figures
