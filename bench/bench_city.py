"""The city view's cost (DESIGN.md "Many halls in one database"): ``kiosk.city.City.report``
over 20 halls of one PostgreSQL database, each with a simulated day of 1,000 tickets, the time a
City page or ``GET /api/v1/city/stats`` spends computing (the halls' reports, the pooled total,
the waiting counts), and its cost per hall.

One day is played through the real engine (``kiosk.hallday.simulate_day``) into the first
hall; the other halls are copies of its rows (``INSERT … SELECT`` per table), which is the same
reading work for the report. A throwaway cluster (tests/pg.py) holds it all.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime

from bench import Figure

DAY = date(2026, 11, 23)  # a Monday
HALLS, TICKETS = 20, 1000
QUICK_HALLS, QUICK_TICKETS = 4, 300
RUNS = 5
TARGET_S = 2.0
"""A city page of 20 busy halls' day within two seconds."""


def _build(url: str, halls: int, tickets: int):  # noqa: ANN202 - (City, seconds to simulate the day)
    from zoneinfo import ZoneInfo

    from kiosk import store as db
    from kiosk.city import City, record_profile
    from kiosk.clock import FakeClock
    from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
    from kiosk.engine import HallEngine
    from kiosk.hallday import simulate_day
    from kiosk.hallday_plan import busy_hall
    from kiosk.store import Store

    config = busy_hall(load_hall_config(PROJECT_CONFIG_DIR / "hall.toml"), tickets)
    clock = FakeClock(datetime(DAY.year, DAY.month, DAY.day, 8, 0, tzinfo=ZoneInfo(config.hall.timezone)))
    first = HallEngine(config, Store(url, sync="normal", hall="h00"), clock)
    started = time.perf_counter()
    simulate_day(first, DAY, tickets=tickets)
    simulated = time.perf_counter() - started
    record_profile(first.store, config)
    for n in range(1, halls):
        store = Store(url, sync="normal", hall=f"h{n:02d}")
        with store.write() as conn:
            for table in db.metadata.sorted_tables:
                conn.exec_driver_sql(f'INSERT INTO "{table.name}" SELECT * FROM hall_h00."{table.name}"')
        store.close()
    first.store.close()
    return City(url, config), simulated


def run(quick: bool = False) -> list[Figure]:
    """The city report's time over ``HALLS`` halls' day, and per hall."""
    from tests.pg import Cluster, missing_reason

    if missing_reason():
        print(f"bench_city: skipped: {missing_reason()}")
        return []
    halls, tickets = (QUICK_HALLS, QUICK_TICKETS) if quick else (HALLS, TICKETS)
    cluster = Cluster(durable=True).start()
    try:
        city, simulated = _build(cluster.database(), halls, tickets)
        try:
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                report = city.report(DAY, DAY, now=time.time(), today=DAY.isoformat())
                times.append(time.perf_counter() - started)
            assert report.total.issued == halls * report.halls[0].figures.issued
        finally:
            city.close()
    finally:
        cluster.stop()
    best, median = min(times), statistics.median(times)
    name = f"city report, {halls} halls x {tickets} tickets"
    return [
        Figure(f"{name}: median", median, "s", f"<= {TARGET_S} s", median <= TARGET_S),
        Figure(f"{name}: best", best, "s"),
        Figure(f"{name}: per hall (median)", median / halls * 1000, "ms"),
        Figure(f"simulating one hall's day of {tickets} (PostgreSQL)", simulated, "s"),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
