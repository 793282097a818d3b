"""A busy hall day for the demo's console pages (issue 15): ``make_busy_day(out_dir)``.

The sample hall, staffed for the load (``kiosk.hallday_plan.busy_hall``: more windows, larger
quotas), plays a working day of several thousand tickets and the working day before it through
the real engine (``kiosk.hallday.simulate_days``). What it leaves in ``out_dir``:

- ``data/hall.db``: the two days, as ``kiosk serve --data out_dir/data`` reads them;
- ``keys/``: the hall's ID keys (outside the data folder, as ``kiosk serve --keys`` wants);
- ``hall.toml``: the sample hall file with the added windows and quotas, its comments kept, the
  file to serve the folder with (its windows are the ones the tickets were served at);
- ``busy-day.json``: what each day did (``DaySummary``), counted by outcome.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import tomlkit

from kiosk.config import PROJECT_CONFIG_DIR, HallConfig, load_hall_config
from kiosk.hallday import simulate_days
from kiosk.hallday_plan import busy_hall
from kiosk.workdays import is_working_day

SAMPLE = PROJECT_CONFIG_DIR / "hall.toml"


def make_busy_day(out_dir: Path | str, *, day: date | None = None, tickets: int = 3000, seed: int = 1) -> Path:
    """Simulate ``day`` (default: the hall's latest working day up to today) and the working day
    before it, ``tickets`` arrivals each, into ``out_dir``; returns the data folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sample = load_hall_config(SAMPLE)
    busy = busy_hall(sample, tickets)
    write_hall_file(SAMPLE, busy, out / "hall.toml")
    last = day or latest_working_day(sample)
    first = previous_working_day(last, sample)
    summaries = simulate_days(out / "data", sample, first, 2, tickets, seed, keys=out / "keys")
    (out / "busy-day.json").write_text(json.dumps([s.as_dict() for s in summaries], ensure_ascii=False, indent=1))
    write_estimate_chart(out / "data", [s.day for s in summaries], out / "estimates.svg")
    return out / "data"


def write_estimate_chart(data: Path, days: list[str], path: Path) -> Path:
    """The chart of the estimates the engine published at issue against the waits that followed
    (kiosk.simulate_chart), from the days' stored events: a read, no simulation of its own."""
    from kiosk.estimators import BEST
    from kiosk.simulate import logged_samples
    from kiosk.simulate_chart import estimate_chart
    from kiosk.store import Store

    store = Store(data / "hall.db", data_dir=data)
    try:
        with store.read() as conn:
            samples = logged_samples(conn, days)
    finally:
        store.close()
    path.write_text(estimate_chart(samples, (BEST,), "Estimate shown at issue vs actual wait (minutes)"),
                    encoding="utf-8")
    return path


def _works(day: date, config: HallConfig) -> bool:
    return is_working_day(day, config.calendar) and day.isoweekday() in config.hall.hours.weekdays


def latest_working_day(config: HallConfig) -> date:
    """The hall's latest day of work up to today (its time zone)."""
    day = datetime.now(ZoneInfo(config.hall.timezone)).date()
    while not _works(day, config):
        day -= timedelta(days=1)
    return day


def previous_working_day(day: date, config: HallConfig) -> date:
    """The hall's day of work before ``day``."""
    day -= timedelta(days=1)
    while not _works(day, config):
        day -= timedelta(days=1)
    return day


def write_hall_file(sample: Path, busy: HallConfig, target: Path) -> None:
    """``sample`` with ``busy``'s extra windows and quotas, comments kept, checked by loading it."""
    doc = tomlkit.parse(sample.read_text(encoding="utf-8"))
    quotas = {s.code: s.daily_quota for s in busy.services}
    for table in doc["services"]:
        table["daily_quota"] = quotas[table["code"]]
    known = {table["number"] for table in doc["windows"]}
    # The comment above the next section ends the last window's table in tomlkit: carried over
    # to the last window added, it stays above the section it is about.
    body = doc["windows"][-1].value.body
    trailing = []
    while body and body[-1][0] is None:
        trailing.insert(0, body.pop())
    added = [w for w in busy.windows if w.number not in known]
    if added:
        doc["windows"][-1].add(tomlkit.nl())  # a blank line between tables, as in the sample
    for i, window in enumerate(added):
        table = tomlkit.table()
        table["number"] = window.number
        name = tomlkit.inline_table()
        name.update(window.name.model_dump())
        table["name"] = name
        table["zone"] = window.zone
        table["services"] = list(window.services)
        if window.kind != "window":
            table["kind"] = window.kind
        if i < len(added) - 1:
            table.add(tomlkit.nl())
        doc["windows"].append(table)
    doc["windows"][-1].value.body.extend(trailing)
    target.write_text(tomlkit.dumps(doc), encoding="utf-8")
    written = load_hall_config(target)
    if [w.number for w in written.windows] != [w.number for w in busy.windows]:
        raise ValueError(f"{target} does not hold the busy hall's windows")
