"""Where a simulated day's demand comes from (``kiosk simulate``): an event log, the hall file's
``[demand]``, or the built-in curve (DESIGN.md §8 "Estimates that hold")."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kiosk import store as db
from kiosk.config import HallConfig
from kiosk.hallday_plan import Profile

MIN_SAMPLES = 5
"""Service times a service needs in the log before its lognormal is fitted (else the hall file's)."""


def hall_profile(config: HallConfig) -> Profile:
    """The hall file's ``[demand]`` (empty parts fall back to the built-in ones)."""
    return Profile(hourly=dict(config.demand.hourly), shares=dict(config.demand.shares))


def fit_profile(store: db.Store, config: HallConfig) -> Profile:
    """A profile fitted from the tickets stored in ``store``: arrivals per local hour (averaged
    over the days in the log), services' shares, and per service the lognormal of its service
    times (the mean and standard deviation of ln minutes). ValueError when the log is empty."""
    tz = ZoneInfo(config.hall.timezone)
    t = db.tickets
    hours: Counter = Counter()
    shares: Counter = Counter()
    logs: dict[str, list[float]] = defaultdict(list)
    days = set()
    with store.read() as conn:
        rows = conn.execute(select(t.c.day, t.c.service, t.c.issued_at, t.c.started_at, t.c.finished_at))
        for row in rows:
            days.add(row.day)
            hours[datetime.fromtimestamp(row.issued_at, tz).hour] += 1
            shares[row.service] += 1
            if row.started_at is not None and row.finished_at is not None and row.finished_at > row.started_at:
                logs[row.service].append(math.log((row.finished_at - row.started_at) / 60))
    if not days:
        raise ValueError("the event log holds no tickets to fit a day from; simulate without --from-data, "
                         "or point it at a hall's data folder that has served tickets")
    fitted = {code: (statistics.fmean(values), max(statistics.pstdev(values), 0.05))
              for code, values in logs.items() if len(values) >= MIN_SAMPLES}
    return Profile(hourly={h: n / len(days) for h, n in hours.items()}, shares=dict(shares), service_time=fitted)


def describe(profile: Profile) -> str:
    """One line on what the profile holds (for the command's output)."""
    peak = max(profile.hourly, key=profile.hourly.get) if profile.hourly else None
    parts = [f"hourly curve peaking at {peak}:00" if peak is not None else "the built-in hourly curve",
             f"{len(profile.shares)} service shares" if profile.shares else "built-in service shares",
             f"lognormal service times of {len(profile.service_time)} services" if profile.service_time
             else "service times from the hall file"]
    return ", ".join(parts)
