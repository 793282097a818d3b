"""Costs that do not grow with the day (issue 19): the issue and call-next paths send as many
SQL statements on a busy day as on a quiet one and count nothing over the day; the per-service
counters stay equal to the tickets; listings come a page at a time from an index; ahead counts
worked out for a page in one pass are THE order's. Real engines on real databases, a fake clock;
days seeded through the engine's own issue code (bench.day_seed)."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import delete, func, select

from bench.day_seed import roomy_hall_file, seed_day
from kiosk import store as db
from kiosk.client import HallClient
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from kiosk.domain import HallError, State
from kiosk.models import ActionRequest, IssueRequest
from kiosk.ordering import Candidate, rank_in_queue
from kiosk.ticket_pages import page_query
from tests.statements import Statements

pytestmark = pytest.mark.both_stores

SERVICES = ["GC01", "GC02", "AP01", "AP02", "TX01"]


@pytest.fixture
def hall_config(tmp_path):
    """The sample hall with five-digit numbers (a 10,000-ticket day fits)."""
    return load_hall_config(roomy_hall_file(PROJECT_CONFIG_DIR / "hall.toml", tmp_path / "hall.toml"))


def _paths(engine, tag: str) -> dict[str, Statements]:
    """The statements of a normal issue, a priority issue and two call-nexts (the priority
    ticket first, overtaking every normal ticket, then a normal one)."""
    runs = {}
    for name, action in (
        ("issue", lambda: engine.issue(IssueRequest(service="GC01"), f"{tag}-normal")),
        ("priority issue", lambda: engine.issue(IssueRequest(service="GC01", priority="elderly"), f"{tag}-elderly")),
        ("call-next (priority)", lambda: engine.call_next(20)),
        ("call-next", lambda: engine.call_next(20)),
    ):
        # The slow part of the state (overrides, paused windows, the estimators' figures) is
        # read again at most once a second: dropped here, each path reads it, on every day size
        # alike, instead of whenever a loaded machine lets a second pass (a flaky count).
        engine.views.forget()
        with Statements(engine) as seen:
            action()
        runs[name] = seen
    return runs


def test_issue_and_call_next_send_as_many_statements_on_a_busy_day_as_on_a_quiet_one(engine, clock, tmp_path,
                                                                                      monkeypatch):
    from kiosk import engine_views
    from kiosk.engine import HallEngine
    from kiosk.store import Store

    monkeypatch.setattr(engine_views, "SLOW_STATE_TTL", 3600.0)  # read once per path (see _paths)

    seed_day(engine, 10, SERVICES)
    engine.call_next(18)  # the day's first full state makes the counter rows of services with no ticket
    clock.advance(60)  # the priority ticket arrives after the seeded ones: it overtakes them all
    quiet = _paths(engine, "quiet")
    busy_engine = HallEngine(engine.config, Store(_other_db(engine, tmp_path), data_dir=tmp_path / "busy"),
                             clock, keys=engine.keys)
    seed_day(busy_engine, 2000, SERVICES)
    busy_engine.call_next(18)
    clock.advance(60)
    busy = _paths(busy_engine, "busy")
    for name in quiet:
        assert len(busy[name].texts) == len(quiet[name].texts), (name, busy[name].texts, quiet[name].texts)
    # Nothing counted over the day on the hot paths: an aggregate's cost grows with the day. (A
    # priority ticket's place counts the normal tickets past the maximum wait: an index range of
    # those only, none here.)
    for name in ("issue", "call-next (priority)", "call-next"):
        assert not [s for s in busy[name].texts if re.search(r"\b(count|sum|max)\s*\(", s, re.I)], name


def _other_db(engine, tmp_path):
    """A second database of the same kind as ``engine``'s (SQLite file or PostgreSQL database)."""
    if engine.store.path is not None:
        return tmp_path / "busy.db"
    from sqlalchemy import text

    url = engine.store.engine.url
    name = f"{url.database}_busy"
    with engine.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False)


def _true_counts(engine) -> dict[str, tuple[int, int]]:
    t = db.tickets
    waiting = func.sum((t.c.state == State.WAITING.value).cast(db.Integer))
    with engine.store.read() as conn:
        rows = conn.execute(select(t.c.service, func.count(), waiting).where(t.c.day == engine.today())
                            .group_by(t.c.service)).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def _kept_counts(engine) -> dict[str, tuple[int, int]]:
    s = db.day_service_stats
    with engine.store.read() as conn:
        rows = conn.execute(select(s.c.service, s.c.issued, s.c.waiting).where(s.c.day == engine.today())).all()
    return {r.service: (r.issued, r.waiting) for r in rows if r.issued or r.waiting}


def test_the_counters_follow_every_change_of_a_ticket_and_are_rebuilt_when_missing(engine):
    seed_day(engine, 12, SERVICES)
    tickets = engine.tickets()
    gc = [t for t in tickets if t.service == "GC01"]
    engine.act(gc[0].id, "call", ActionRequest(window=20))
    engine.act(gc[0].id, "requeue")
    engine.act(gc[1].id, "transfer", ActionRequest(service="GC02"))
    engine.act(gc[2].id, "void", ActionRequest(reason="left"))
    called = engine.call_next(20)
    engine.act(called.ticket, "start", ActionRequest(window=20))
    engine.act(called.ticket, "finish", ActionRequest(window=20))
    engine.act(tickets[3].id, "prioritize", ActionRequest(priority="elderly"))
    assert _kept_counts(engine) == _true_counts(engine)
    assert engine.catalog().services[[s.code for s in engine.config.services].index("GC02")].issued == \
        _true_counts(engine)["GC02"][0]
    # A database from before the counters (or a lost row): made again from the tickets.
    with engine.store.write() as conn:
        conn.execute(delete(db.day_service_stats))
    engine.act(tickets[4].id, "call", ActionRequest(window=_window_of(engine, tickets[4].service)))
    engine.issue(IssueRequest(service=tickets[4].service), "after-loss")
    assert _kept_counts(engine) == _true_counts(engine)


def _window_of(engine, service: str) -> int:
    return next(w.number for w in engine.config.windows if service in w.services)


def test_a_page_of_waiting_tickets_gets_the_ahead_counts_of_the_order(engine, clock):
    for i in range(30):
        engine.issue(IssueRequest(service="GC01", priority="elderly" if i % 7 == 3 else "normal"), f"o{i}")
        clock.advance(40)
    first = engine.tickets_page(service="GC01", limit=5)
    engine.act(first.tickets[0].id, "call", ActionRequest(window=20))
    engine.act(first.tickets[0].id, "requeue")  # its arrival moves to now: behind the others
    clock.advance(engine.config.policy.max_wait_minutes * 60 - 600)  # the earliest pass the maximum wait
    page = engine.tickets_page(service="GC01", state="waiting", limit=500).tickets
    t = db.tickets
    with engine.store.read() as conn:
        rows = conn.execute(select(t).where(t.c.day == engine.today(), t.c.state == "waiting",
                                            t.c.service == "GC01")).all()
    ranks = {p.code: p.rank for p in engine.config.priorities}
    everyone = [Candidate(r.id, r.arrival_at, ranks.get(r.priority, 0), bool(r.in_slot), r.overtaken) for r in rows]
    max_wait = engine.config.policy.max_wait_minutes * 60
    expected = {c.id: rank_in_queue(c, everyone, clock.now(), max_wait) for c in everyone}
    assert {x.id: x.ahead for x in page} == expected
    assert sorted(expected.values()) == list(range(len(expected)))
    assert all(engine.ticket(x.id).ahead == x.ahead for x in page[::5])


@pytest.mark.sqlite_only
def test_a_ten_thousand_ticket_day_is_listed_a_page_at_a_time_from_the_index(engine, live_server):
    seed_day(engine, 10_000, SERVICES)
    url = f"{live_server.url}/api/v1/tickets"
    guide = {"Authorization": "Bearer test-guide"}
    first = requests.get(url, headers=guide, timeout=30)
    assert first.status_code == 200 and len(first.json()) == 100 and first.headers["X-Next-Cursor"]
    assert 'rel="next"' in first.headers["Link"]
    seen, params = [], {"limit": 500}
    while True:
        response = requests.get(url, params=params, headers=guide, timeout=30)
        assert response.status_code == 200 and len(response.json()) <= 500
        seen.extend(x["id"] for x in response.json())
        if "X-Next-Cursor" not in response.headers:
            break
        params["cursor"] = response.headers["X-Next-Cursor"]
    assert len(seen) == len(set(seen)) == 10_000
    assert seen[:100] == [x["id"] for x in first.json()]
    assert [x["id"] for x in requests.get(url, params={"service": "GC02", "state": "waiting", "limit": 3},
                                          headers=guide, timeout=30).json()] == [i for i in seen if "-L" in i][:3]
    for bad in ({"limit": 501}, {"limit": 0}, {"cursor": "not-a-cursor"}):
        refused = requests.get(url, params=bad, headers=guide, timeout=30)
        assert refused.status_code == 422 and refused.json()["code"] == "validation_error", bad
    day = engine.today()
    with engine.store.read() as conn:
        for query in (page_query(day, None, None, None, None, 100), page_query(day, None, None, None, (0.0, "K0100"), 100),
                      page_query(day, None, None, "ab" * 32, None, 500)):
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert "USING INDEX ix_ticket_order" in plan or "USING INDEX ix_ticket_card" in plan, plan
            assert "SCAN tickets" not in plan, plan
        # A place in the queue reads the few tickets with precedence from their partial index.
        with Statements(engine) as traced:
            engine.tickets_page(limit=100)
        specials = next(s for s in traced.texts if "!= 'normal'" in s)
        params = ["GC01", day, *sorted(c for c, r in engine._ranks.items() if r > 0)]
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {specials}", tuple(params)))
        assert "USING INDEX ix_ticket_special" in plan, plan


def test_the_client_follows_the_pages(engine, live_server):
    seed_day(engine, 620, SERVICES)
    client = HallClient(live_server.url, "test-guide", timeout=30)
    listed = client.tickets()
    assert [t.id for t in listed] == [t.id for t in engine.tickets()] and len(listed) == 620
    assert {t.service for t in client.tickets(service="GC01", state="waiting")} == {"GC01"}


def test_a_limit_outside_the_range_is_refused_in_plain_words(engine):
    with pytest.raises(HallError, match="limit must be between 1 and 500"):
        engine.tickets_page(limit=501)


def test_call_next_calls_whom_the_order_picks_among_every_waiting_ticket(engine, clock):
    """call-next reads only the tickets that can win (kiosk.queue_places); ordering.pick_next over
    every waiting ticket of the window's services must agree at each call: priorities that
    overtake, the fairness bound, tickets past the maximum wait, requeues and transfers."""
    import random

    from kiosk.ordering import pick_next

    rng = random.Random(19)
    window = engine.config.window(20)
    policy = engine.config.policy
    ranks = {p.code: p.rank for p in engine.config.priorities}
    for i in range(60):
        service = rng.choice(["GC01", "GC02"])
        # Normal tickets first, then mostly priority ones: they overtake the early normal tickets
        # until the fairness bound stops them.
        priority = rng.choice(["normal"] * (6 if i < 25 else 1) + ["elderly", "disabled", "green"])
        engine.issue(IssueRequest(service=service, priority=priority), f"n{i}")
        clock.advance(rng.choice([2, 5, 10]))
    calls = 0
    t = db.tickets
    while True:
        with engine.store.read() as conn:
            rows = conn.execute(select(t).where(t.c.day == engine.today(), t.c.state == "waiting",
                                                t.c.service.in_(window.services))).all()
        everyone = [Candidate(r.id, r.arrival_at, ranks.get(r.priority, 0), bool(r.in_slot), r.overtaken,
                              window.services.index(r.service)) for r in rows]
        expected = pick_next(everyone, clock.now(), policy.priority_ratio, policy.max_wait_minutes * 60)
        called = engine.call_next(20)
        assert (called.ticket if called else None) == (expected.id if expected else None), calls
        if called is None:
            break
        calls += 1
        if calls % 9 == 0:
            engine.act(called.ticket, "requeue")
        elif calls % 13 == 0:
            other = "GC02" if called.service == "GC01" else "GC01"
            engine.act(called.ticket, "transfer", ActionRequest(service=other))
        else:
            engine.act(called.ticket, "finish", ActionRequest(window=20))
        clock.advance(rng.choice([10, 30] if calls < 40 else [60, 900]))  # later, some pass the maximum wait
    assert calls > 60 and _kept_counts(engine) == _true_counts(engine)
