"""Statistics of a busy hall's month (issue 15; DESIGN.md §8): ``kiosk.stats.compute`` over
60,000 tickets (20 working days of 3,000) in at most 2 s, for each grouping.

The month is made by ``kiosk.hallday.simulate_days``, every ticket through the real engine, once:
it is kept in a folder under the system's temporary folder named by a hash of the simulation's
and the engine's source (and the sample hall file), so a change to either builds it again. The
build takes minutes; its time per simulated day is printed as a figure of its own.

``python -m bench.bench_stats --build-only`` makes (or finds) the month and prints where it is.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench import Figure
from kiosk.config import PROJECT_CONFIG_DIR, HallConfig, load_hall_config

FIRST_DAY = date(2026, 11, 2)  # a Monday; November 2026 has no holiday
DAYS, TICKETS = 20, 3000
QUICK_DAYS, QUICK_TICKETS = 3, 600
GROUPINGS = ("service", "window", "clerk", "hour", "day")
RUNS = 5
TARGET_S = 2.0
SOURCES = ("hallday.py", "hallday_plan.py", "engine.py", "engine_actions.py", "engine_issue.py", "engine_views.py",
           "engine_cases.py", "store.py", "queries.py", "ordering.py", "clerks.py", "ratings.py", "cases.py",
           "exporter.py")
"""The files whose change rebuilds the month: the simulation and the engine it drives."""


def source_hash() -> str:
    """A short hash of the simulation's and the engine's source and of the sample hall file."""
    kiosk_dir = Path(__file__).resolve().parent.parent / "kiosk"
    digest = hashlib.sha256()
    for path in [kiosk_dir / name for name in SOURCES] + [PROJECT_CONFIG_DIR / "hall.toml"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def month_folder(days: int, tickets: int) -> Path:
    """Where the month of ``days`` × ``tickets`` of this source lives."""
    return Path(tempfile.gettempdir()) / f"hall-kiosk-stats-{days}x{tickets}-{source_hash()}"


def hall_config(tickets: int) -> HallConfig:
    """The sample hall staffed for ``tickets`` a day: the config the month was made with."""
    from kiosk.hallday_plan import busy_hall

    return busy_hall(load_hall_config(PROJECT_CONFIG_DIR / "hall.toml"), tickets)


def build_month(days: int = DAYS, tickets: int = TICKETS) -> tuple[Path, dict]:
    """The month's folder (``data/hall.db``) and its record (``month.json``: the days' summaries
    and how long the build took), made now if it is not there yet. Built beside and renamed into
    place, so an interrupted build leaves no half month to be measured."""
    from kiosk.hallday import simulate_days

    folder = month_folder(days, tickets)
    record = folder / "month.json"
    if record.exists():
        return folder, json.loads(record.read_text())
    work = folder.with_name(f"{folder.name}.building-{time.time_ns()}")
    start = time.perf_counter()
    summaries = simulate_days(work / "data", load_hall_config(PROJECT_CONFIG_DIR / "hall.toml"), FIRST_DAY, days,
                              tickets, seed=1, keys=work / "keys")
    built = {"seconds": time.perf_counter() - start, "days": [s.as_dict() for s in summaries],
             "tickets": sum(s.issued for s in summaries)}
    (work / "month.json").write_text(json.dumps(built, ensure_ascii=False, indent=1))
    try:
        work.rename(folder)
    except OSError:  # another run finished first: use its month
        shutil.rmtree(work, ignore_errors=True)
    return folder, json.loads(record.read_text())


def _time_compute(compute, store, config: HallConfig, start: date, end: date, by: str) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        compute(store, config, start, end, by, threshold_min=30)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def run(quick: bool = False) -> list[Figure]:
    """The figures of this module: the month's build, then the statistics' times."""
    days, tickets = (QUICK_DAYS, QUICK_TICKETS) if quick else (DAYS, TICKETS)
    folder, month = build_month(days, tickets)
    per_day = [d["seconds"] for d in month["days"]]
    figures = [
        Figure(f"hallday: tickets in the simulated month ({days} days)", month["tickets"], "tickets"),
        Figure(f"hallday: one simulated day of {tickets} tickets, median", statistics.median(per_day), "s"),
    ]
    try:
        from kiosk.stats import compute
    except ImportError as exc:
        print(f"bench_stats: kiosk.stats is not here ({exc}); the month is in {folder}", file=sys.stderr)
        return figures
    from kiosk.store import Store

    config = hall_config(tickets)
    first, last = date.fromisoformat(month["days"][0]["day"]), date.fromisoformat(month["days"][-1]["day"])
    store = Store(folder / "data" / "hall.db", "normal")
    try:
        for by in GROUPINGS:
            seconds = _time_compute(compute, store, config, first, last, by)
            figures.append(Figure(f"stats: {month['tickets']:,} tickets by {by}, median of {RUNS}", seconds, "s",
                                  f"≤ {TARGET_S:g} s", seconds <= TARGET_S))
    finally:
        store.close()
    return figures


if __name__ == "__main__":
    if "--build-only" in sys.argv:
        quick = "--quick" in sys.argv
        where, record = build_month(*((QUICK_DAYS, QUICK_TICKETS) if quick else (DAYS, TICKETS)))
        print(f"{where}: {record['tickets']} tickets, built in {record['seconds']:.0f} s")
    else:
        for figure in run(quick="--quick" in sys.argv):
            print(figure.line())
