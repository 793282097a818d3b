"""The simulated hall day (kiosk.hallday): a small day through the real engine on a real
SQLite file, checked from what the hall stored, not from what the simulation says it did."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kiosk import store as db
from kiosk.clock import FakeClock
from kiosk.domain import parse_number
from kiosk.hall import open_engine
from kiosk.hallday import simulate_day, simulate_days, working_days
from kiosk.hallday_plan import busy_hall, plan_day

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)

DAY = date(2026, 11, 23)  # a Monday
TICKETS = 200
FINAL = {"done", "no_show", "void"}
AT_CLOSING = {"waiting", "held"}  # a citizen still away fetching a document, or not called by closing


def _run(hall_config, folder, seed=7):
    clock = FakeClock(datetime(2026, 11, 23, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    engine = open_engine(hall_config, folder / "data", clock=clock, keys=folder / "keys")
    summary = simulate_day(engine, DAY, tickets=TICKETS, seed=seed)
    return engine, summary


@pytest.fixture(scope="module")
def day(hall_config_module, tmp_path_factory):
    engine, summary = _run(hall_config_module, tmp_path_factory.mktemp("hallday"))
    yield engine, summary
    engine.store.close()


@pytest.fixture(scope="module")
def hall_config_module():
    from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config

    return load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")


def _rows(engine, table, *where):
    with engine.store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table).where(*where)).all()]


def test_every_ticket_ends_final_or_waits_at_closing(day):
    engine, summary = day
    tickets = _rows(engine, db.tickets, db.tickets.c.day == DAY.isoformat())
    states = Counter(t["state"] for t in tickets)
    assert set(states) <= FINAL | AT_CLOSING, states
    assert states["done"] > 0.8 * len(tickets)
    assert len(tickets) == summary.issued == TICKETS - sum(summary.refused.values())


def test_numbers_unique_and_gap_free_per_service(day):
    engine, _ = day
    tickets = _rows(engine, db.tickets, db.tickets.c.day == DAY.isoformat())
    assert len({t["number"] for t in tickets}) == len(tickets)
    online = defaultdict(list)
    for t in tickets:
        prefix, seq = parse_number(t["number"])  # a transferred ticket keeps its first service's number
        if not t["offline"]:
            online[prefix].append(seq)
    for prefix, seqs in online.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), prefix


def test_every_kind_of_outcome_is_in_the_log(day):
    engine, summary = day
    events = _rows(engine, db.ticket_events)
    actions = Counter(e["action"] for e in events)
    for action in ("issue", "call", "recall", "start", "finish", "no-show", "hold", "requeue", "transfer", "rate",
                   "sign-in", "sign-out", "sign-in-failed"):
        assert actions[action] > 0, action
    assert actions["no-show"] == summary.actions["no-show"]
    # Counter actors are the windows' (with their clerk), as the server records a counter token.
    finishers = {e["actor"] for e in events if e["action"] == "finish"}
    assert all(a.startswith("window ") and " clerk " in a for a in finishers)
    assert {e["actor"] for e in events if e["action"] == "requeue"} == {"guide desk-1"}


def test_ratings_and_cases(day):
    engine, summary = day
    ratings = _rows(engine, db.ratings)
    levels = Counter(r["level"] for r in ratings)
    assert levels[5] > levels[4] > levels[2] > 0 and levels[1] > 0
    assert {r["channel"] for r in ratings} >= {"window", "qr", "kiosk"}
    cases = _rows(engine, db.cases)
    rectify = [c for c in cases if c["kind"] == "rectify"]
    assert len(rectify) == sum(1 for r in ratings if r["level"] <= 2) == summary.cases_opened
    assert any(c["kind"] == "unresolved" for c in cases)
    assert sum(c["state"] == "replied" for c in cases) == summary.cases_answered > 0
    left = [c for c in cases if c["owner"] == "综合科"]
    assert len(left) == 1 and left[0]["state"] == "assigned"
    # The case left unanswered goes overdue when its deadline passes, as the server's worker finds.
    engine.clock.set(left[0]["deadline_at"] + 60)
    assert (left[0]["id"], "overdue") in engine.check_cases()


def test_channels_priorities_and_pauses(day):
    engine, summary = day
    tickets = _rows(engine, db.tickets, db.tickets.c.day == DAY.isoformat())
    assert {t["channel"] for t in tickets} >= {"kiosk", "staff", "api", "offline"}
    assert any(t["appointment"] for t in tickets)
    assert {t["priority"] for t in tickets} >= {"normal", "elderly"}
    assert all(t["clerk"] for t in tickets if t["state"] == "done")
    assert summary.pauses > 0
    with engine.store.read() as conn:
        pauses = conn.execute(select(func.count()).select_from(db.hall_events)
                              .where(db.hall_events.c.type == "queue", db.hall_events.c.data.like('%"paused": true%'))).scalar()
    assert pauses == summary.pauses


def test_arrivals_follow_the_curve(day):
    engine, _ = day
    tz = engine.tz
    hours = Counter(datetime.fromtimestamp(t["issued_at"], tz).hour
                    for t in _rows(engine, db.tickets, db.tickets.c.day == DAY.isoformat()))
    morning_peak = (hours[9] + hours[10]) / 2
    assert morning_peak > hours[12] + hours[13]  # lunch 12:00-13:30: the hall takes no tickets
    assert morning_peak > hours[8] and (hours[14] + hours[15]) / 2 > hours[16] + hours[17] / 2


def test_no_id_number_reaches_the_database(day, hall_config_module):
    engine, _ = day
    plan = plan_day(hall_config_module, DAY, TICKETS, random.Random(f"7:{DAY.isoformat()}"))
    numbers = [a.id_number for a in plan if a.id_number]
    assert len(numbers) > 50
    path = engine.store.path
    data = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    assert not [n for n in numbers if n.encode() in data]


def test_same_seed_same_day(hall_config_module, tmp_path):
    runs = []
    for name in ("a", "b"):
        engine, summary = _run(hall_config_module, tmp_path / name)
        rows = _rows(engine, db.tickets)
        runs.append((summary.as_dict() | {"seconds": 0},
                     sorted((t["number"], t["state"], t["window"], t["clerk"], t["issued_at"]) for t in rows)))
        engine.store.close()
    assert runs[0] == runs[1]


def test_a_busy_hall_is_staffed_for_its_day(hall_config_module):
    busy = busy_hall(hall_config_module, 3000)
    assert len(busy.windows) > 4 * len(hall_config_module.windows)
    assert sum(s.daily_quota for s in busy.services) > 3000
    assert busy_hall(hall_config_module, 100) is hall_config_module


def test_working_days_follow_the_calendar(hall_config_module):
    days = working_days(date(2026, 9, 28), 5, hall_config_module)  # the National Day week is off
    assert days == [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9)]


def test_simulate_days_fills_a_folder(hall_config_module, tmp_path):
    summaries = simulate_days(tmp_path / "data", hall_config_module, date(2026, 11, 27), 2, 60, seed=3)
    assert [s.day for s in summaries] == ["2026-11-27", "2026-11-30"]  # Friday, then Monday
    assert not (tmp_path / "data" / "keys").exists() and (tmp_path / "data-keys").is_dir()
    assert all(s.issued > 50 for s in summaries)


def test_busy_day_for_the_demo(tmp_path):
    from app.demo.busy_day import make_busy_day
    from kiosk.config import load_hall_config
    from kiosk.store import Store

    data = make_busy_day(tmp_path / "out", day=DAY, tickets=120)
    assert data == tmp_path / "out" / "data"
    store = Store(data / "hall.db")
    with store.read() as conn:
        days = dict(conn.execute(select(db.tickets.c.day, func.count()).group_by(db.tickets.c.day)).all())
    store.close()
    assert set(days) == {"2026-11-20", "2026-11-23"} and min(days.values()) > 100  # the Friday before
    assert load_hall_config(tmp_path / "out" / "hall.toml").windows  # the file to serve the folder with
    assert (tmp_path / "out" / "keys").is_dir()
    chart = (tmp_path / "out" / "estimates.svg").read_text(encoding="utf-8")
    assert chart.startswith("<svg") and chart.count("<circle") > 100  # estimate vs actual, one dot a ticket


def test_busy_hall_file_keeps_the_sample_and_its_comments(hall_config_module, tmp_path):
    from app.demo.busy_day import SAMPLE, write_hall_file
    from kiosk.config import load_hall_config

    busy = busy_hall(hall_config_module, 3000)
    write_hall_file(SAMPLE, busy, tmp_path / "hall.toml")
    written = load_hall_config(tmp_path / "hall.toml")
    assert written.windows == busy.windows and written.services == busy.services
    text = (tmp_path / "hall.toml").read_text(encoding="utf-8")
    assert "# Sample hall: a city government service centre" in text
    comment = "# unreachable, so their numbers never collide with the server's.\n[[offline_ranges]]"
    assert comment in text  # the section's comment still sits above its section
