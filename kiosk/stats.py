"""Statistics from the event log (DESIGN.md "Statistics").

``compute`` reads a period's tickets, their ticket events, the windows' audit rows (sign-in,
sign-out, pause, resume), ratings and cases in a few range queries (tickets by day, events by
ticket id, whose ids start with the day), then aggregates them in one pass per table. Every
definition (what a wait is, when a window is open, what counts as satisfied) is written in
DESIGN.md, and this module follows it.
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from kiosk import store as db
from kiosk.cases import OPEN_STATES
from kiosk.config import HallConfig
from kiosk.domain import HallError
from kiosk.stats_labels import Labels
from kiosk.stats_models import (
    CHANNELS,
    GROUPINGS,
    LEVELS,
    EstimateError,
    Figures,
    StatsReport,
    StatsRow,
)
from kiosk.stats_windows import open_intervals, subtract, union

MAX_DAYS = 366
"""The longest period one report covers: a year (a leap one too)."""
GOOD_LEVEL = 3
"""Ratings at or above this level are 好评 (非常满意, 满意, 基本满意), as the national 好差评
rules count them; 不满意 and 非常不满意 are 差评. The satisfaction rate is 好评 / all."""
ENDS_BUSY = frozenset({"finish", "no-show", "hold", "requeue", "transfer", "void"})
"""Ticket actions after which the window that called the ticket is free again."""



def check_period(start: date, end: date, by: str) -> None:
    """Refuse a report that cannot be made, with a sentence naming the fix (HallError 422)."""
    if by not in GROUPINGS:
        raise HallError("validation_error", f"by={by!r} is not a grouping; use one of {', '.join(GROUPINGS)}")
    if start > end:
        raise HallError("validation_error", f"the period starts ({start}) after it ends ({end}); "
                        "give from on or before to")
    if (end - start).days + 1 > MAX_DAYS:
        raise HallError("validation_error", f"the period {start} to {end} is longer than {MAX_DAYS} days; "
                        "ask for a year or less at a time")


def compute(store: db.Store, config: HallConfig, start: date, end: date, by: str = "service", *,
            threshold_min: int = 30, now: float | None = None) -> StatsReport:
    """The hall's figures for days ``start`` to ``end`` (inclusive, in its time zone), one row per
    group of ``by``; ``now`` (default: the wall clock) ends what is still going on (a window
    still open, a ticket still at a window) and decides which cases are overdue."""
    return compute_many(store, config, start, end, (by,), threshold_min=threshold_min, now=now)[by]


def compute_many(store: db.Store, config: HallConfig, start: date, end: date, groupings: Iterable[str], *,
                 threshold_min: int = 30, now: float | None = None) -> dict[str, StatsReport]:
    """The reports of the same period for several groupings (the console's Statistics page: its
    table and its charts), from one read of the database; the tickets' stories and the windows' intervals
    are worked out once too (together with the read, two thirds of a report's time)."""
    wanted = list(dict.fromkeys(groupings))
    for by in wanted:
        check_period(start, end, by)
    if not 0 <= threshold_min <= 24 * 60:
        raise HallError("validation_error", f"threshold {threshold_min} is not a number of minutes from 0 to 1440")
    period = _Period(start, end, ZoneInfo(config.hall.timezone), time.time() if now is None else now)
    data = _prepared(store, period)
    return {by: _report(config, period, data, by, threshold_min) for by in wanted}


def compute_halls(halls: Iterable[tuple[db.Store, HallConfig]], start: date, end: date, by: str = "service", *,
                  threshold_min: int = 30, now: float | None = None,
                  total_label: dict[str, str] | None = None) -> tuple[list[StatsReport], StatsRow]:
    """The report of each hall (a store, or anything with its ``read``, and its hall file) and
    one totals row of them all (a city: kiosk.city), from one read of each hall, in the order
    ``halls`` gives them (each is read before the next is asked for). The totals pool every
    hall's tickets, windows, ratings and cases: a p90 of all waits, not a mean of the halls'
    p90s; each hall's windows stay its own (window 3 of one hall is not another's)."""
    check_period(start, end, by)
    if not 0 <= threshold_min <= 24 * 60:
        raise HallError("validation_error", f"threshold {threshold_min} is not a number of minutes from 0 to 1440")
    moment = time.time() if now is None else now
    reports: list[StatsReport] = []
    pooled = _Groups(by, _Period(start, end, ZoneInfo("UTC"), moment), threshold_min * 60.0)
    for store, config in halls:
        period = _Period(start, end, ZoneInfo(config.hall.timezone), moment)
        groups = _Groups(by, period, threshold_min * 60.0)
        data = _prepared(store, period)
        _add_all(groups, data)
        reports.append(_finished(config, period, groups, dict(data["clerks"]), threshold_min))
        pooled.total.absorb(groups.total)  # the hall's raw figures: nothing aggregated twice
    return reports, pooled.row(None, total_label or {"zh": "合计", "en": "Total"})


def _prepared(store: db.Store, period: _Period) -> dict:
    """``_read``'s rows of the period, and what does not depend on the grouping, worked out once:
    the tickets' stories from their events (half of a grouping's time), the windows' busy and
    open intervals."""
    with store.read() as conn:
        data = _read(conn, period)
    data["stories"], data["busy"] = _stories(data["events"], {row[0]: row[11] for row in data["tickets"]}, period)
    data["open"] = open_intervals(data["windows"], period)
    return data


def _add_all(groups: _Groups, data: dict) -> None:
    """Everything ``_prepared`` gave into ``groups``."""
    groups.add_tickets(data["tickets"], data["stories"])
    groups.add_windows(data["open"], data["busy"])
    groups.add_ratings(data["ratings"])
    groups.add_cases(data["cases"], data["history"])


def _report(config: HallConfig, period: _Period, data: dict, by: str, threshold_min: int) -> StatsReport:
    """One grouping's report of what ``_prepared`` gave."""
    groups = _Groups(by, period, threshold_min * 60.0)
    _add_all(groups, data)
    return _finished(config, period, groups, dict(data["clerks"]), threshold_min)


def _finished(config: HallConfig, period: _Period, groups: _Groups, clerks: dict[str, str],
              threshold_min: int) -> StatsReport:
    """The report of ``groups`` once everything is in them, rows named (``clerks``: 工号 → name)
    and ordered."""
    by = groups.by
    labels = Labels(config, clerks, by)
    rows = [groups.row(key, labels.of(key)) for key in sorted(groups.keys(), key=labels.order)]
    return StatsReport(hall=config.hall.code, hall_name=config.hall.name.model_dump(), timezone=config.hall.timezone,
                       start=period.start, end=period.end, by=by, threshold_min=threshold_min, rows=rows,
                       totals=groups.row(None, {"zh": "合计", "en": "Total"}))


class _Period:
    """The report's days as timestamps, and the hall's local hours and days of a time."""

    def __init__(self, start: date, end: date, tz: ZoneInfo, now: float):
        self.start, self.end, self.tz, self.now = start, end, tz, now
        self.lo = self.midnight(start)
        self.hi = self.midnight(end + timedelta(days=1))
        self._slots: dict[int, tuple[str, str]] = {}

    def midnight(self, day: date) -> float:
        """The timestamp of ``day``'s first moment in the hall."""
        return datetime(day.year, day.month, day.day, tzinfo=self.tz).timestamp()

    def day_end(self, ts: float) -> float:
        """The end of the hall day holding ``ts``."""
        return self.midnight(datetime.fromtimestamp(ts, self.tz).date() + timedelta(days=1))

    def day_hour(self, ts: float) -> tuple[str, str]:
        """The hall's day (``2026-11-23``) and hour (``09``) at ``ts``, cached per quarter hour
        (every time zone's offset is a whole number of quarters)."""
        slot = int(ts // 900)
        found = self._slots.get(slot)
        if found is None:
            moment = datetime.fromtimestamp(slot * 900, self.tz)
            found = self._slots[slot] = (moment.date().isoformat(), f"{moment.hour:02d}")
        return found

    def pieces(self, start: float, end: float, unit: str) -> Iterator[tuple[float, float]]:
        """``start``–``end`` cut at the hall's local hour (``hour``) or day boundaries."""
        while start < end:
            moment = datetime.fromtimestamp(start, self.tz)
            if unit == "hour":
                edge = (moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)).timestamp()
            else:
                edge = self.day_end(start)
            cut = min(end, max(edge, start + 60))  # wall-clock arithmetic across a DST change never stalls
            yield start, cut
            start = cut


def _read(conn, period: _Period) -> dict:  # noqa: ANN001 - a Connection
    """Every row the report needs, in a handful of range queries."""
    t, e, r, c, h = db.tickets, db.ticket_events, db.ratings, db.cases, db.case_history
    first, last = period.start.isoformat(), period.end.isoformat()
    after = (period.end + timedelta(days=1)).strftime("%Y%m%d")
    tickets = _plain_rows(conn, select(
        t.c.id, t.c.day, t.c.service, t.c.priority, t.c.state, t.c.channel, t.c.appointment, t.c.offline,
        t.c.issued_at, t.c.started_at, t.c.finished_at, t.c.window, t.c.clerk,
    ).where(t.c.day >= first, t.c.day <= last))
    # Ticket ids begin with their day (20261123-A001): one range of the ticket_id index.
    events = _plain_rows(conn, select(e.c.ticket_id, e.c.at, e.c.action, e.c.detail)
                         .where(e.c.ticket_id >= period.start.strftime("%Y%m%d"), e.c.ticket_id < after)
                         .order_by(e.c.ticket_id, e.c.id))
    # Windows' sign-ins, sign-outs, pauses and resumes of the period, after each window's last
    # pause or resume before it (a pause lasts across days; an open stretch ends with its day).
    is_window = and_(e.c.ticket_id >= "window:", e.c.ticket_id < "window;")
    last_pauses = (select(func.max(e.c.id)).where(is_window, e.c.action.in_(("pause", "resume")), e.c.at < period.lo)
                   .group_by(e.c.ticket_id))
    columns = (e.c.ticket_id, e.c.at, e.c.action, e.c.detail)
    windows = [*conn.execute(select(*columns).where(e.c.id.in_(last_pauses.scalar_subquery())).order_by(e.c.at)),
               *conn.execute(select(*columns).where(is_window, e.c.at >= period.lo, e.c.at < period.hi)
                             .order_by(e.c.at, e.c.id))]
    ratings = conn.execute(select(r.c.ticket_id, r.c.day, r.c.service, r.c.window, r.c.clerk, r.c.level, r.c.at)
                           .where(r.c.day >= first, r.c.day <= last)).all()
    in_period = and_(c.c.opened_at >= period.lo, c.c.opened_at < period.hi)
    cases = conn.execute(select(c.c.id, c.c.kind, c.c.opened_at, c.c.deadline_at, c.c.ticket_id, c.c.service,
                                c.c.window, c.c.clerk).where(in_period)).all()
    history = conn.execute(select(h.c.case_id, h.c.at, h.c.to_state).join(c, c.c.id == h.c.case_id)
                           .where(in_period).order_by(h.c.case_id, h.c.id)).all()
    clerks = conn.execute(select(db.clerks.c.code, db.clerks.c.name)).all()
    return {"tickets": tickets, "events": events, "windows": windows, "ratings": ratings, "cases": cases,
            "history": history, "clerks": clerks}


def _plain_rows(conn, statement) -> list[tuple]:  # noqa: ANN001 - a Connection, a Select
    """The rows of ``statement`` as plain tuples from the DB-API cursor of ``conn``'s transaction:
    building SQLAlchemy rows took 40 % of reading a month. The statement is compiled for the
    connection's own dialect with its values inlined (they are days and ids made here); values
    come as the driver gives them (SQLite: booleans as 0 and 1)."""
    sql = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _channel(appointment: str | None, offline: bool, channel: str) -> str:
    """The report's channel of a ticket: an appointment checked in first, then an offline
    paper, then how it was issued (``api`` is a remote system)."""
    if appointment:
        return "appointment"
    if offline or channel == "offline":
        return "offline"
    return "remote" if channel == "api" else channel


_WINDOW = re.compile(r'"window":\s*(\d+)')
_ETA = re.compile(r'"eta_minutes":\s*(\d+)')


def _detail_number(pattern: re.Pattern, detail: str) -> int | None:
    """A whole number of an event's flat JSON details, found without parsing them (JSON parsing
    was a third of a month's report). A key's quotes cannot occur unescaped inside a string
    value, so the pattern finds keys only; a ``null`` value does not match."""
    found = pattern.search(detail)
    return None if found is None else int(found.group(1))


class _Group:
    """What one row adds up before its figures are made."""

    __slots__ = ("cases", "channels", "errors", "idle", "in_time", "issued", "levels", "no_show", "open",
                 "overdue", "requeued", "served", "services", "transferred", "waits", "walks")

    def __init__(self) -> None:
        self.issued = self.served = self.no_show = self.transferred = self.requeued = 0
        self.cases = self.in_time = self.overdue = 0
        self.channels: dict[str, int] = dict.fromkeys(CHANNELS, 0)
        self.levels: dict[int, int] = dict.fromkeys(LEVELS, 0)
        self.waits: list[float] = []
        self.services: list[float] = []
        self.walks: list[float] = []
        self.errors: list[float] = []
        self.open = self.idle = 0.0

    def absorb(self, other: _Group) -> None:
        """Add ``other``'s tickets, durations, window time, ratings and cases to this one's (a
        city's total of its halls' totals, kiosk.city)."""
        for name in ("issued", "served", "no_show", "transferred", "requeued", "cases", "in_time", "overdue",
                     "open", "idle"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("waits", "services", "walks", "errors"):
            getattr(self, name).extend(getattr(other, name))
        for channel, n in other.channels.items():
            self.channels[channel] = self.channels.get(channel, 0) + n
        for level, n in other.levels.items():
            self.levels[level] = self.levels.get(level, 0) + n


class _Ticket:
    """One ticket's story, read from its events in order."""

    __slots__ = ("eta", "first_call", "requeued", "transferred", "walks")

    def __init__(self) -> None:
        self.first_call: float | None = None
        self.eta: float | None = None
        self.requeued = self.transferred = False
        self.walks: list[float] = []


def _stories(events, last_window: dict, period: _Period) -> tuple[dict[str, _Ticket], dict[int, list]]:  # noqa: ANN001
    """Each ticket's first call, walks, transfers, requeues and estimate, from its events; and each
    window's busy intervals (a ticket called there until it is finished, missed, held, requeued,
    transferred or voided)."""
    busy: dict[int, list[tuple[float, float]]] = defaultdict(list)
    stories: dict[str, _Ticket] = {}
    current, story, window, since, last_call = None, _Ticket(), None, None, None
    for ticket_id, at, action, detail in events:
        if ticket_id != current:
            if since is not None:
                busy[window].append((since, min(period.now, period.day_end(since))))
            current, story = ticket_id, _Ticket()
            stories[ticket_id] = story
            window = since = last_call = None
        if action == "call":
            if since is not None:  # called again from hold: the hold ended the earlier stay
                busy[window].append((since, at))
            window = _detail_number(_WINDOW, detail) or last_window.get(ticket_id)
            since = last_call = at
            if story.first_call is None:
                story.first_call = at
        elif action == "start":
            if last_call is not None:
                story.walks.append(at - last_call)
        elif action in ENDS_BUSY:
            if since is not None and window is not None:
                busy[window].append((since, at))
            since = None
            story.requeued |= action == "requeue"
            story.transferred |= action == "transfer"
        elif action == "issue":
            story.eta = _detail_number(_ETA, detail)
    if since is not None and window is not None:
        busy[window].append((since, min(period.now, period.day_end(since))))
    return stories, busy


class _Groups:
    """The rows of a report, keyed by ``by``, and the totals."""

    def __init__(self, by: str, period: _Period, threshold_s: float):
        self.by, self.period, self.threshold_s = by, period, threshold_s
        self.groups: dict[str, _Group] = defaultdict(_Group)
        self.total = _Group()
        self.windows_apply = by in ("window", "clerk", "hour", "day")
        self.ticket_keys: dict[str, str] = {}  # ratings and cases of a ticket go to its row

    def keys(self) -> Iterable[str]:
        """The keys that have a row."""
        return self.groups.keys()

    def _both(self, key: str) -> tuple[_Group, _Group]:
        return self.groups[key], self.total

    def _key_function(self):  # noqa: ANN202 - a function of a tickets row and its channel
        """How a ticket's row key is found (rows are tuples in ``_read``'s column order: index
        access, as attribute access costs a tenth of the time of the whole report)."""
        by, day_hour = self.by, self.period.day_hour
        return {
            "service": lambda row, channel: row[2],
            "window": lambda row, channel: "" if row[11] is None else str(row[11]),
            "clerk": lambda row, channel: row[12] or "",
            "day": lambda row, channel: row[1],
            "hour": lambda row, channel: day_hour(row[8])[1],
            "priority": lambda row, channel: row[3],
        }.get(by, lambda row, channel: channel)

    def add_tickets(self, tickets, stories: dict[str, _Ticket]) -> None:  # noqa: ANN001
        """Count every ticket into its row, with its story (``_stories``)."""
        empty, key_of, keys = _Ticket(), self._key_function(), self.ticket_keys
        for row in tickets:
            channel = _channel(row[6], row[7], row[5])
            key = keys[row[0]] = key_of(row, channel)
            self._add_ticket(row, stories.get(row[0], empty), channel, self._both(key))

    def _add_ticket(self, row, story: _Ticket, channel: str, groups: tuple[_Group, _Group]) -> None:  # noqa: ANN001
        _id, _day, _service, _priority, state, _channel_, _appointment, _offline, issued_at, started_at, \
            finished_at, _window, _clerk = row
        done = state == "done"
        service = (finished_at - started_at) if done and started_at and finished_at else None
        wait = None if story.first_call is None else story.first_call - issued_at
        error = None if wait is None or story.eta is None else wait - story.eta * 60
        no_show = state == "no_show"
        for g in groups:
            g.issued += 1
            g.channels[channel] += 1
            g.served += done
            g.no_show += no_show
            g.transferred += story.transferred
            g.requeued += story.requeued
            if wait is not None:
                g.waits.append(wait)
                if error is not None:
                    g.errors.append(error)
            if service is not None:
                g.services.append(service)
            if story.walks:
                g.walks.extend(story.walks)

    def add_windows(self, intervals: dict[int, list[tuple[float, float, str]]],
                    busy: dict[int, list[tuple[float, float]]]) -> None:
        """Open and idle time of every window into the rows (window, clerk, hour, day) and totals."""
        for window, opened in intervals.items():
            idle = subtract(opened, union(busy.get(window, [])))
            for pieces, field in ((opened, "open"), (idle, "idle")):
                for start, end, clerk in pieces:
                    setattr(self.total, field, getattr(self.total, field) + end - start)
                    for key, seconds in self._window_keys(window, clerk, start, end):
                        group = self.groups[key]
                        setattr(group, field, getattr(group, field) + seconds)

    def _window_keys(self, window: int, clerk: str, start: float, end: float) -> Iterator[tuple[str, float]]:
        if self.by == "window":
            yield str(window), end - start
        elif self.by == "clerk":
            yield clerk, end - start
        elif self.by in ("hour", "day"):
            for a, b in self.period.pieces(start, end, self.by):
                day, hour = self.period.day_hour(a)
                yield (hour if self.by == "hour" else day), b - a

    def add_ratings(self, ratings) -> None:  # noqa: ANN001
        """Ratings by level into their rows: by their service, window, clerk or day, else their
        ticket's row."""
        for ticket_id, day, service, window, clerk, level, _at in ratings:
            key = self._own_key(ticket_id, day, service, window, clerk)
            for g in self._both(key):
                if level in g.levels:
                    g.levels[level] += 1

    def _own_key(self, ticket_id: str | None, day: str, service: str | None, window: int | None,
                 clerk: str | None) -> str:
        by = self.by
        if by == "service":
            return service or ""
        if by == "window":
            return "" if window is None else str(window)
        if by == "clerk":
            return clerk or ""
        if by == "day":
            return day
        return self.ticket_keys.get(ticket_id or "", "")

    def add_cases(self, cases, history) -> None:  # noqa: ANN001
        """Cases opened in the period; answered in time when the first step out of the states
        that owe an answer came by the deadline; overdue when it came later or has not come
        while the deadline passed."""
        answered: dict[int, float] = {}
        kinds = {case.id: case.kind for case in cases}
        for case_id, at, to_state in history:
            if case_id not in answered and to_state not in OPEN_STATES.get(kinds.get(case_id, ""), ()):
                answered[case_id] = at
        for case in cases:
            day, hour = self.period.day_hour(case.opened_at)
            key = self._own_key(case.ticket_id, day, case.service, case.window, case.clerk)
            if self.by == "hour" and case.ticket_id not in self.ticket_keys:
                key = hour
            when = answered.get(case.id)
            in_time = when is not None and when <= case.deadline_at
            overdue = not in_time and (when is not None or self.period.now > case.deadline_at)
            for g in self._both(key):
                g.cases += 1
                g.in_time += in_time
                g.overdue += overdue

    def row(self, key: str | None, label: dict[str, str]) -> StatsRow:
        """The finished row of ``key`` (None: the totals)."""
        g = self.total if key is None else self.groups[key]
        rated = sum(g.levels.values())
        good = sum(n for level, n in g.levels.items() if level >= GOOD_LEVEL)
        windows = key is None or self.windows_apply
        return StatsRow(
            key="" if key is None else key, label=label, issued=g.issued, channels=g.channels, served=g.served,
            no_show=g.no_show, transferred=g.transferred, requeued=g.requeued,
            wait=figures(g.waits, self.threshold_s), service=figures(g.services), walk=figures(g.walks),
            open_min=round(g.open / 60, 2) if windows else None, idle_min=round(g.idle / 60, 2) if windows else None,
            estimate=estimate_error(g.errors), ratings={str(level): n for level, n in g.levels.items()},
            rated=rated, satisfaction=round(good / rated, 4) if rated else None,
            cases_opened=g.cases, cases_in_time=g.in_time, cases_overdue=g.overdue,
        )


def figures(seconds: list[float], threshold_s: float | None = None) -> Figures:
    """Mean, median and 90th percentile (nearest rank: the smallest value at least 90 % of the
    values do not exceed) in minutes, and the share above ``threshold_s``."""
    if not seconds:
        return Figures()
    ordered = sorted(seconds)
    n = len(ordered)
    over = None if threshold_s is None else round(sum(1 for s in ordered if s > threshold_s) / n, 4)
    return Figures(n=n, mean=round(math.fsum(ordered) / n / 60, 2), median=round(statistics.median(ordered) / 60, 2),
                   p90=round(ordered[math.ceil(0.9 * n) - 1] / 60, 2), over=over)


def estimate_error(errors_s: list[float]) -> EstimateError:
    """Mean absolute error and bias (actual − estimate) in minutes."""
    if not errors_s:
        return EstimateError()
    n = len(errors_s)
    return EstimateError(n=n, mae=round(math.fsum(abs(e) for e in errors_s) / n / 60, 2),
                         bias=round(math.fsum(errors_s) / n / 60, 2))
