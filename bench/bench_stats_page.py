"""What the console's Statistics page costs for a month of a busy hall (DESIGN.md §5 console, §8).

A day is played through the real engine on a fake clock (clerks at five windows, tickets every
two minutes, most served and rated: 135 tickets), then copied with SQL 15 times into each of
the 30 days of November 2026 (60,750 tickets). Figures, wall and CPU: ``kiosk.stats.compute``
of one grouping (what an export costs), ``compute_many`` of the page's groupings by service
(its table), hour and window (its charts) from one read, and the whole page view over HTTP as
the director's browser asks for it (compute, table, four SVG charts, template).
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import Figure
from kiosk import store as db
from kiosk.clerk_models import NewClerk
from kiosk.clock import FakeClock
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from kiosk.engine import HallEngine
from kiosk.models import ActionRequest, IssueRequest
from kiosk.rating_models import Rater, RatingRequest
from kiosk.store import Store

TZ = ZoneInfo("Asia/Shanghai")
FIRST = date(2026, 11, 2)  # a Monday: the played day, copied to the whole month
MONTH = (date(2026, 11, 1), date(2026, 11, 30))
WINDOWS = (5, 6, 8, 18, 20)
SERVICES = ("AP01", "TX01", "AP02", "GC01", "AP01", "TX01", "GC02")  # no ID card needed
PASSWORD = "bench console 2026"


def _at(clock: FakeClock, minute: int) -> None:
    clock.set(datetime(FIRST.year, FIRST.month, FIRST.day, minute // 60, minute % 60, tzinfo=TZ))


def play_day(engine: HallEngine, clock: FakeClock) -> None:
    """One day through the engine: sign-ins at 09:00, a ticket every two minutes until 15:00
    (lunch 12:00-13:30), each window calling when free, serving 3-11 minutes, most rated."""
    _at(clock, 9 * 60)
    for window in WINDOWS:
        engine.add_clerk(NewClerk(code=f"02{window:02d}", name=f"职员{window}", pin="2580"))
        engine.sign_in(window, f"02{window:02d}", "2580", actor=f"window {window}")
    busy: dict[int, tuple[str, float]] = {}
    minutes = [*range(9 * 60, 12 * 60, 2), *range(13 * 60 + 30, 15 * 60 + 30, 2)]
    for step, minute in enumerate(minutes):
        _at(clock, minute)
        if minute < 15 * 60:
            engine.issue(IssueRequest(service=SERVICES[step % len(SERVICES)]), f"bench-{step}")
        for window in WINDOWS:
            ticket, until = busy.pop(window, (None, 0.0))
            if ticket and clock.now() < until:
                busy[window] = (ticket, until)
                continue
            if ticket:
                engine.act(ticket, "finish", ActionRequest(window=window))
                if step % 3:
                    engine.rate(ticket, RatingRequest(level=5 - step % 4), Rater("window", "bench", window))
            call = engine.call_next(window, actor=f"window {window}")
            if call is not None:
                engine.act(call.ticket, "start", ActionRequest(window=window))
                busy[window] = (call.ticket, clock.now() + 60 * (3 + (step * 7 + window) % 9))
    _at(clock, 15 * 60 + 30)
    for window in WINDOWS:
        engine.sign_out(window)


def _copy(conn: sqlite3.Connection, table, where: str, changes: dict[str, str], args: dict) -> None:  # noqa: ANN001
    """INSERT … SELECT of ``table``'s rows matching ``where`` with some columns rewritten."""
    names = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True and c.name == "id")]
    names = [n for n in names if not (table is db.ticket_events and n == "id")]
    values = [changes.get(n, f'"{n}"') for n in names]
    quoted = ", ".join(f'"{n}"' for n in names)
    conn.execute(f'INSERT INTO "{table.name}" ({quoted}) SELECT {", ".join(values)} FROM "{table.name}" '
                 f"WHERE {where}", args)


def fill_month(path: Path, copies: int) -> int:
    """The played day copied ``copies`` times into each day of the month; returns the tickets."""
    src = FIRST.strftime("%Y%m%d")
    conn = sqlite3.connect(path)
    with conn:
        for offset in range(-1, 29):
            day = FIRST + timedelta(days=offset)
            for copy in range(copies):
                if day == FIRST and copy == 0:
                    continue
                args = {"src": src + "-", "dst": day.strftime("%Y%m%d") + "-", "suffix": f"x{copy}",
                        "day": day.isoformat(), "shift": offset * 86400.0, "like": src + "-%"}
                # Copies end in x<n>; only the played day's own tickets are copied, never a copy.
                new_id = "replace(ticket_id, :src, :dst) || :suffix"
                moved = {"at": "at + :shift"}
                _copy(conn, db.tickets, "id LIKE :like AND instr(id, 'x') = 0", {
                    "id": "replace(id, :src, :dst) || :suffix", "day": ":day", "number": "number || :suffix",
                    **{c: f"{c} + :shift" for c in ("issued_at", "arrival_at", "called_at", "started_at",
                                                     "finished_at")}}, args)
                _copy(conn, db.ticket_events, "ticket_id LIKE :like AND instr(ticket_id, 'x') = 0", {"ticket_id": new_id, **moved}, args)
                _copy(conn, db.ratings, "ticket_id LIKE :like AND instr(ticket_id, 'x') = 0", {"ticket_id": new_id, "day": ":day", **moved}, args)
                if copy == 0:  # the windows' sign-ins and sign-outs, once a day
                    _copy(conn, db.ticket_events, "ticket_id LIKE 'window:%' AND at >= :begin AND at < :end",
                          {**moved}, {**args, "begin": _midnight(FIRST), "end": _midnight(FIRST + timedelta(days=1))})
        count = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    conn.close()
    return count


def _midnight(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=TZ).timestamp()


def _best(runs: int, work) -> tuple[float, float]:  # noqa: ANN001
    """The fastest of ``runs`` runs of ``work``: wall and CPU seconds (the machine is shared, so
    the CPU time of this process says more than the wall time)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def run(quick: bool = False) -> list[Figure]:
    """The figures of this module."""
    from fastapi.testclient import TestClient

    from kiosk.accounts import add_account
    from kiosk.server import create_app
    from kiosk.stats import compute, compute_many

    copies, runs = (2, 1) if quick else (15, 3)
    with tempfile.TemporaryDirectory() as data:
        clock = FakeClock(datetime(FIRST.year, FIRST.month, FIRST.day, 9, tzinfo=TZ))
        engine = HallEngine(load_hall_config(PROJECT_CONFIG_DIR / "hall.toml"), Store(Path(data) / "hall.db"), clock)
        play_day(engine, clock)
        tickets = fill_month(Path(data) / "hall.db", copies)
        clock.set(datetime(2026, 11, 30, 18, tzinfo=TZ))
        now = clock.now()
        one = _best(runs, lambda: compute(engine.store, engine.config, *MONTH, "service", now=now))
        four = _best(runs, lambda: compute_many(engine.store, engine.config, *MONTH,
                                                ("service", "hour", "window"), now=now))
        add_account(engine.store, "director", "主任", "director", PASSWORD, now, actor="bench")
        client = TestClient(create_app(engine), base_url="http://testserver")
        form = client.get("/console/login")
        token = re.search(r'name="login_token" value="([^"]+)"', form.text).group(1)
        client.post("/console/login", data={"login_token": token, "name": "director", "password": PASSWORD})
        url = f"/console/stats?from={MONTH[0]}&to={MONTH[1]}&by=service"
        page = _best(runs, lambda: client.get(url, headers={"accept": "text/html"}).raise_for_status())
    per = f"{tickets:,} tickets"
    figures = []
    for name, (wall, cpu), target in ((f"stats of a month ({per}), one grouping", one, 2),
                                      ("stats of that month by service, hour and window", four, 2),
                                      ("Statistics page of that month over HTTP", page, 3)):
        figures.append(Figure(f"{name}, wall", wall, "s", f"<= {target} s", wall <= target))
        figures.append(Figure(f"{name}, CPU", cpu, "s"))
    return figures
