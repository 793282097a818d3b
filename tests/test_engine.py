"""The hall engine's rules (DESIGN.md §4), on a real SQLite file and on a real PostgreSQL
database (tests/pg.py), with a fake clock."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.domain import TRANSITIONS, HallError, State
from kiosk.idkeys import IdKeys
from kiosk.models import (
    ActionRequest,
    Appointment,
    Citizen,
    IssueRequest,
    ServiceChange,
    WindowChange,
)
from kiosk.privacy import mask_id
from kiosk.terminal import citizen_from_id
from tests.conftest import MONDAY_10AM

pytestmark = pytest.mark.both_stores

KEYS = IdKeys.generate()
ID_NUMBER = "11010519491231002X"


def issue(engine, service="GC01", key=None, **kw):
    issue.count = getattr(issue, "count", 0) + 1
    return engine.issue(IssueRequest(service=service, **kw), key or f"key-{issue.count}-{id(engine)}")


@pytest.fixture
def engine(hall_config, clock, hall_db, tmp_path):
    """A real engine on a fresh database whose ID keys this module's citizens are sealed to."""
    from kiosk.engine import HallEngine
    from kiosk.store import Store

    return HallEngine(hall_config, Store(hall_db, data_dir=tmp_path), clock, keys=KEYS)


def citizen(id_number=ID_NUMBER) -> Citizen:
    return citizen_from_id(id_number, KEYS.public_key, name_mask="张*")


def act(engine, ticket, action, **kw):
    return engine.act(ticket.id, action, ActionRequest(**kw))


# ----- numbers ---------------------------------------------------------------------------------

def test_numbers_are_prefixed_padded_sequential_and_restart_each_day(engine, clock):
    first, second = issue(engine, "GC01"), issue(engine, "GC01")
    other = issue(engine, "TX01")
    assert (first.number, second.number, other.number) == ("K001", "K002", "E001")
    clock.advance(24 * 3600)
    assert issue(engine, "GC01").number == "K001"
    assert issue(engine, "GC01").id != first.id


def test_numbers_stay_unique_under_16_threads(engine):
    from concurrent.futures import ThreadPoolExecutor

    def burst(n):
        return [issue(engine, "GC01", key=f"t{n}-{i}").number for i in range(15)]

    with ThreadPoolExecutor(16) as pool:
        numbers = [x for batch in pool.map(burst, range(16)) for x in batch]
    assert len(numbers) == 240 and len(set(numbers)) == 240
    assert sorted(numbers) == [f"K{i:03d}" for i in range(1, 241)]


def _issue_in_process(data_dir: str, db: str | None, count: int, tag: str) -> list[str]:
    from concurrent.futures import ThreadPoolExecutor

    from kiosk.config import PROJECT_CONFIG_DIR
    from kiosk.hall import open_engine

    engine = open_engine(PROJECT_CONFIG_DIR / "hall.toml", data_dir, dev=True, db=db)

    def one(i: int) -> str:
        return engine.issue(IssueRequest(service="GC01"), f"{tag}-{i}").number

    with ThreadPoolExecutor(8) as pool:  # 8 threads in each process: 16 issuing at once
        return list(pool.map(one, range(count)))


def test_numbers_stay_unique_and_gap_free_across_two_processes_on_one_database(hall_db, tmp_path):
    """Two engines in two processes on one database (a shared SQLite file, or one PostgreSQL
    database with a data folder each) issuing at once: every number once, none skipped."""
    import multiprocessing

    db = None if isinstance(hall_db, Path) else hall_db
    folders = [hall_db.parent] * 2 if db is None else [tmp_path / "a", tmp_path / "b"]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        results = pool.starmap(_issue_in_process, [(str(folders[0]), db, 60, "a"), (str(folders[1]), db, 60, "b")])
    numbers = results[0] + results[1]
    assert len(set(numbers)) == 120
    assert sorted(numbers) == [f"K{i:03d}" for i in range(1, 121)]


def _race_rules_in_process(data_dir: str, db: str | None, keys_dir: str, tag: str) -> dict[str, list]:
    """One process of the cross-process rules test: 8 threads at once try (a) 40 tickets of a
    service whose quota is 30 for both processes together, (b) 10 tickets of one citizen, (c) 20
    tickets under keys the other process uses too, (d) the same 5 offline numbers of kiosk K01.
    Returns, per part, what each try got: a ticket's (id, number) or the refusal's code."""
    from concurrent.futures import ThreadPoolExecutor

    from kiosk.config import PROJECT_CONFIG_DIR
    from kiosk.hall import open_engine
    engine = open_engine(PROJECT_CONFIG_DIR / "hall.toml", data_dir, dev=True, db=db, keys=keys_dir)
    sealed = citizen_from_id(ID_NUMBER, engine.keys.public_key, name_mask="张*")
    issued_at = engine.clock.now()
    tries = ([("quota", IssueRequest(service="TX01"), f"{tag}-q{i}") for i in range(40)]
             + [("citizen", IssueRequest(service="GC01", citizen=sealed), f"{tag}-c{i}") for i in range(10)]
             + [("shared_key", IssueRequest(service="GC01"), f"shared-{i}") for i in range(20)]
             + [("offline", IssueRequest(service="GC01", number=f"K{900 + i}", device="K01", issued_at=issued_at),
                 f"{tag}-o{i}") for i in range(5)])

    def one(attempt):
        part, request, key = attempt
        try:
            ticket = engine.issue(request, key)
            return part, (ticket.id, ticket.number)
        except HallError as err:
            return part, err.code
    results: dict[str, list] = {}
    with ThreadPoolExecutor(8) as pool:
        for part, got in pool.map(one, tries):
            results.setdefault(part, []).append(got)
    return results


def test_quotas_keys_the_one_ticket_rule_and_offline_numbers_hold_across_two_processes(hall_db, tmp_path,
                                                                                         tmp_path_factory):
    """The rules decided by the database, not by a process: two processes on one database race
    for the last places of a quota, for one citizen's one active ticket, under the same
    Idempotency-Keys and for the same offline numbers; each is decided once for both."""
    import multiprocessing

    from kiosk.config import PROJECT_CONFIG_DIR
    from kiosk.hall import open_engine
    db = None if isinstance(hall_db, Path) else hall_db
    folders = [hall_db.parent] * 2 if db is None else [tmp_path / "a", tmp_path / "b"]
    keys_dir = tmp_path_factory.mktemp("keys")  # apart from the data folder, as the hall requires
    KEYS.save(keys_dir)
    setup = open_engine(PROJECT_CONFIG_DIR / "hall.toml", folders[0], dev=True, db=db, keys=keys_dir)
    setup.change_service("TX01", ServiceChange(quota=30))
    setup.store.close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        a, b = pool.starmap(_race_rules_in_process, [(str(folders[0]), db, str(keys_dir), "a"),
                                                     (str(folders[1]), db, str(keys_dir), "b")])
    quota = a["quota"] + b["quota"]
    assert sum(isinstance(x, tuple) for x in quota) == 30
    assert {x for x in quota if not isinstance(x, tuple)} == {"quota_exhausted"}
    citizen_tickets = [x for x in a["citizen"] + b["citizen"] if isinstance(x, tuple)]
    assert len(citizen_tickets) == 1
    assert {x for x in a["citizen"] + b["citizen"] if not isinstance(x, tuple)} == {"duplicate_active"}
    assert a["shared_key"] == b["shared_key"]  # each key gave both processes the one same ticket
    assert len({ticket for ticket in a["shared_key"]}) == 20
    offline = a["offline"] + b["offline"]
    assert sorted(x[1] for x in offline if isinstance(x, tuple)) == [f"K{900 + i}" for i in range(5)]
    assert {x for x in offline if not isinstance(x, tuple)} == {"number_taken"}


def test_online_numbers_stop_below_the_offline_ranges(engine, hall_config):
    engine.change_service("GC01", ServiceChange(quota=5000))
    from kiosk import store as db

    with engine.store.write() as conn:
        conn.execute(db.counters.insert().values(day=engine.today(), service="GC01", last=899))
    with pytest.raises(HallError) as err:
        issue(engine, "GC01")
    assert err.value.code == "quota_exhausted"


# ----- idempotency -----------------------------------------------------------------------------

def test_replaying_a_key_returns_the_same_ticket_and_another_body_is_refused(engine):
    a = engine.issue(IssueRequest(service="GC01"), "same")
    b = engine.issue(IssueRequest(service="GC01"), "same")
    assert a.id == b.id and len(engine.tickets()) == 1
    with pytest.raises(HallError) as err:
        engine.issue(IssueRequest(service="TX01"), "same")
    assert err.value.code == "idempotency_mismatch"


# ----- transitions -----------------------------------------------------------------------------

def _ticket_in(engine, state: State):
    t = issue(engine, "GC01")
    paths = {
        State.WAITING: [],
        State.CALLED: [("call", {"window": 18})],
        State.SERVING: [("call", {"window": 18}), ("start", {})],
        State.DONE: [("call", {"window": 18}), ("finish", {})],
        State.NO_SHOW: [("call", {"window": 18}), ("no-show", {})],
        State.HELD: [("call", {"window": 18}), ("hold", {})],
        State.VOID: [("void", {"reason": "mistake"})],
    }
    for action, kw in paths[state]:
        t = act(engine, t, action, **kw)
    assert t.state == state.value
    return t


ARGS = {"call": {"window": 18}, "transfer": {"service": "TX01"}, "prioritize": {"priority": "elderly"},
        "recall": {"window": 18}}


@pytest.mark.parametrize("state", [s for s in State if s is not State.TRANSFERRED])
def test_every_illegal_transition_is_refused_with_the_current_state(engine, state):
    for action, (allowed, _target) in TRANSITIONS.items():
        if state in allowed:
            continue
        ticket = _ticket_in(engine, state)
        with pytest.raises(HallError) as err:
            act(engine, ticket, action, **ARGS.get(action, {}))
        assert err.value.code == "invalid_transition", action
        assert err.value.extra["state"] == state.value
        assert engine.ticket(ticket.id).state == state.value


def test_every_legal_transition_is_recorded_as_an_event(engine):
    from kiosk import store as db

    t = issue(engine, "GC01")
    for action, kw in [("call", {"window": 18}), ("recall", {"window": 18}), ("start", {}), ("finish", {})]:
        act(engine, t, action, actor="clerk-7", reason="r", **kw)
    with engine.store.read() as conn:
        rows = conn.execute(db.ticket_events.select().where(db.ticket_events.c.ticket_id == t.id)).all()
    assert [r.action for r in rows] == ["issue", "call", "recall", "start", "finish"]
    assert all(r.at > 0 for r in rows) and rows[1].actor == "clerk-7"


def test_unknown_action_is_refused(engine):
    t = issue(engine)
    with pytest.raises(HallError) as err:
        act(engine, t, "teleport")
    assert err.value.code == "unknown_action"


def test_recall_is_limited(engine):
    t = act(engine, issue(engine), "call", window=18)
    for n in range(1, 4):
        assert act(engine, t, "recall", window=18).recalls == n
    with pytest.raises(HallError) as err:
        act(engine, t, "recall", window=18)
    assert "limit" in err.value.detail


def test_held_ticket_is_called_back_only_by_its_window(engine):
    t = act(engine, act(engine, issue(engine), "call", window=18), "hold")
    with pytest.raises(HallError):
        act(engine, t, "call", window=20)
    assert act(engine, t, "call", window=18).state == "called"


def test_requeue_keeps_the_original_place_within_the_grace_period(engine, clock):
    first = issue(engine)
    clock.advance(60)
    second = issue(engine)
    call = engine.call_next(18)
    assert call.ticket == first.id
    clock.advance(20 * 60)  # inside the 60-minute grace: back before ``second``
    act(engine, first, "requeue", reason="missing materials")
    assert engine.call_next(18).ticket == first.id
    act(engine, first, "requeue", reason="missing again")
    clock.advance(61 * 60)  # beyond the grace now: ``second`` goes first
    engine.act(first.id, "call", ActionRequest(window=18))
    act(engine, first, "requeue", reason="late")
    assert engine.call_next(20).ticket == second.id


def test_transfer_moves_the_ticket_with_its_number_to_the_other_service(engine):
    t = act(engine, issue(engine, "GC01"), "call", window=18)
    moved = act(engine, t, "transfer", service="TX01", reason="tax question")
    assert (moved.number, moved.service, moved.state) == (t.number, "TX01", "waiting")
    assert engine.call_next(8).ticket == t.id


def test_void_and_prioritize(engine):
    a, b = issue(engine), issue(engine)
    act(engine, a, "void", reason="duplicate")
    assert act(engine, b, "prioritize", priority="green").priority == "green"
    with pytest.raises(HallError):
        act(engine, b, "prioritize", priority="nonsense")


# ----- quotas, hours, pauses -------------------------------------------------------------------

def test_quota_is_enforced_and_changeable_for_today(engine):
    engine.change_service("GC01", ServiceChange(quota=2, actor="guide"))
    issue(engine), issue(engine)
    with pytest.raises(HallError) as err:
        issue(engine)
    assert err.value.code == "quota_exhausted"
    assert engine.catalog().service("GC01").closed_reason == "quota"
    engine.change_service("GC01", ServiceChange(quota=3))
    assert issue(engine).number == "K003"


@pytest.mark.parametrize(
    "when, reason",
    [(timedelta(hours=2, minutes=30), "lunch"), (timedelta(hours=-3), "before_hours"),
     (timedelta(hours=8), "after_hours"), (timedelta(days=6), "not_today")],
)
def test_opening_hours_with_lunch_break(engine, clock, when, reason):
    clock.set(MONDAY_10AM + when)
    with pytest.raises(HallError) as err:
        issue(engine)
    assert err.value.code == "service_closed" and err.value.extra["closed_reason"] == reason
    assert engine.catalog().service("GC01").open is False


def test_dev_mode_is_open_at_any_hour(hall_config, clock, tmp_path):
    from kiosk.engine import HallEngine
    from kiosk.store import Store

    clock.set(MONDAY_10AM + timedelta(hours=13))
    dev = HallEngine(hall_config, Store(tmp_path / "dev.db"), clock, dev=True)
    assert issue(dev).number == "K001"


def test_paused_service_and_paused_window(engine):
    engine.change_service("GC01", ServiceChange(paused=True, reason="system upgrade"))
    with pytest.raises(HallError) as err:
        issue(engine)
    assert err.value.extra["closed_reason"] == "paused"
    engine.change_service("GC01", ServiceChange(paused=False))
    issue(engine)
    engine.change_window(18, WindowChange(paused=True))
    with pytest.raises(HallError):
        engine.call_next(18)
    assert engine.queue()[-2].open_windows == [20]


# ----- estimates -------------------------------------------------------------------------------

def test_estimates_use_ahead_open_windows_and_recent_service_time(engine, clock):
    t1 = issue(engine, "GC02")  # served by window 20 only, default 10 minutes
    for _ in range(3):
        issue(engine, "GC02")
    last = issue(engine, "GC02")
    # kiosk.estimators' rule (mix): window 20 serves GC02 alone while GC01 has nobody waiting,
    # one every 10 minutes plus the walk-up (half a minute before any was measured): blend calls
    # the ticket at the 5th call, the first half a ticket away, 4.5 x 10.5 = 47.25; flow sees
    # window 20 free now (nobody signs in here, nobody is at it): 4 x 10.5 + the call's 0.3 =
    # 42.3; 0.7 x 47.25 + 0.3 x 42.3 = 45.8, shown 46.
    assert (last.ahead, last.eta_minutes) == (4, 46)
    act(engine, t1, "call", window=20)
    act(engine, t1, "start")
    clock.advance(4 * 60)
    act(engine, t1, "finish")
    # Today's mean: the 4 minutes served weighed with the hall file's 10 as 3 more, 8.5; the
    # walk-up 0 (started as called): blend 3.5 x 8.5 = 29.75, flow 3 x 8.5 + 0.3 = 25.8; 28.6.
    assert (engine.ticket(last.id).ahead, engine.ticket(last.id).eta_minutes) == (3, 29)
    engine.change_window(20, WindowChange(paused=True))
    assert engine.ticket(last.id).eta_minutes is None  # no open window: unknown, not a guess


def test_nobody_ahead_is_a_wait_while_the_window_is_busy_and_now_when_it_is_free(engine, clock):
    first = issue(engine, "GC02")  # window 20 alone serves GC02; nobody at it yet
    assert (first.ahead, first.eta_minutes) == (0, 0)  # "now"
    act(engine, first, "call", window=20)
    act(engine, first, "start")
    clock.advance(2 * 60)
    # Nobody ahead, but window 20 is 2 minutes into a 10-minute service (the hall file's, none
    # measured): called in about 8 minutes (+ the call's 0.3), not "now".
    second = issue(engine, "GC02")
    assert (second.ahead, second.eta_minutes) == (0, 9)
    act(engine, first, "finish")
    assert engine.ticket(second.id).eta_minutes == 0  # the window is free again


# ----- real name, ID required, appointments -----------------------------------------------------

def test_one_active_ticket_per_id_and_service_gives_the_existing_ticket_back(engine):
    first = issue(engine, "SS01", citizen=citizen())
    with pytest.raises(HallError) as err:
        issue(engine, "SS01", citizen=citizen())
    assert err.value.code == "duplicate_active"
    assert err.value.extra["ticket"]["number"] == first.number
    assert issue(engine, "SS02", citizen=citizen()).number == "B001"  # another service is fine
    act(engine, first, "void", reason="x")
    assert issue(engine, "SS01", citizen=citizen()).number == "A002"


def test_id_required_services_refuse_tickets_without_a_citizen(engine):
    with pytest.raises(HallError) as err:
        issue(engine, "SS01")
    assert err.value.code == "validation_error" and "ID card" in err.value.detail


def _appointments_csv(tmp_path, start):
    path = tmp_path / "appointments.csv"
    end = start + timedelta(minutes=30)
    path.write_text(
        "booking_code,service,slot_start,slot_end,id_number\n"
        f"BK-001,SS01,{start.isoformat()},{end.isoformat()},{ID_NUMBER}\n"
        f"BK-002,SS01,{(start + timedelta(hours=3)).isoformat()},{(end + timedelta(hours=3)).isoformat()},\n",
        encoding="utf-8",
    )
    return path


def test_appointments_import_and_check_in_by_booking_code_and_by_id(engine, tmp_path):
    path = _appointments_csv(tmp_path, MONDAY_10AM + timedelta(minutes=10))
    assert engine.import_appointments(path) == 2
    by_id = issue(engine, "SS01", citizen=citizen())
    assert by_id.priority == "appointment" and by_id.appointment == "BK-001"
    with pytest.raises(HallError) as err:
        issue(engine, "SS01", appointment="BK-002", citizen=citizen("110105194912310038"))
    assert err.value.code == "appointment_outside_window"
    with pytest.raises(HallError) as err:
        issue(engine, "SS01", appointment="NOPE-1", citizen=citizen("110105194912310038"))
    assert err.value.code == "unknown_appointment"


def test_appointment_in_slot_is_called_first(engine, tmp_path):
    engine.add_appointments([Appointment(booking_code="BK-9", service="GC01",
                                         slot_start=MONDAY_10AM, slot_end=MONDAY_10AM + timedelta(minutes=30))])
    normal = issue(engine, "GC01")
    elderly = issue(engine, "GC01", priority="elderly")
    booked = issue(engine, "GC01", appointment="BK-9")
    assert [engine.call_next(18).ticket for _ in range(3)] == [booked.id, elderly.id, normal.id]


@pytest.mark.sqlite_only
def test_no_full_id_number_reaches_the_database(engine, tmp_path):
    engine.import_appointments(_appointments_csv(tmp_path, MONDAY_10AM))
    issue(engine, "SS01", citizen=citizen())
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("hall.db*"))
    assert ID_NUMBER.encode() not in raw
    assert mask_id(ID_NUMBER).encode() in raw


# ----- call-next across services, events, offline sync -----------------------------------------

def test_call_next_prefers_the_windows_first_service_then_arrival(engine, clock):
    pension = issue(engine, "SS02", citizen=citizen("110105194912310038"))
    clock.advance(1)
    card = issue(engine, "SS01", citizen=citizen())
    assert engine.call_next(1).ticket == card.id  # window 1 prefers SS01
    assert engine.call_next(1).ticket == pension.id
    assert engine.call_next(1) is None


def test_changes_are_published_as_events_with_increasing_sequence(engine):
    t = issue(engine)
    call = engine.call_next(18)
    events = engine.events_after(0)
    assert [e.type for e in events] == ["ticket", "queue", "call", "ticket", "queue"]
    assert [e.seq for e in events] == sorted({e.seq for e in events})
    assert events[2].data["text"]["zh"] == f"请{t.number}号到18号咨询台办理" and call.seq == 1


def test_offline_tickets_are_placed_by_issue_time_and_checked(engine, clock):
    online = issue(engine, "GC01")
    early = (MONDAY_10AM - timedelta(minutes=5))
    offline = issue(engine, "GC01", number="K900", issued_at=early, device="K01", channel="offline")
    assert offline.offline and offline.number == "K900"
    assert engine.call_next(18).ticket == offline.id  # issued before ``online``
    for number, device, code in [("K960", "K01", "validation_error"), ("K900", "K01", "number_taken"),
                                 ("A901", "K01", "validation_error")]:
        with pytest.raises(HallError) as err:
            issue(engine, "GC01", number=number, issued_at=early, device=device)
        assert err.value.code == code
    future = issue(engine, "GC01", number="K901", issued_at=MONDAY_10AM + timedelta(minutes=5), device="K01")
    assert future.issued_at.timestamp() <= clock.now()
    assert online.number == "K001"


@pytest.mark.sqlite_only
def test_database_is_in_wal_mode_with_full_sync(engine, tmp_path):
    con = sqlite3.connect(tmp_path / "hall.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# ----- group commit ----------------------------------------------------------------------------

def test_a_batch_commits_together_and_a_refused_request_leaves_no_trace(engine):
    online = issue(engine, "GC01", key="kiosk-k1", device="K01")
    before = {t.number for t in engine.tickets()}
    batch = [
        # Supersedes ``online`` (voids it), then fails its range check: the void must roll back.
        (IssueRequest(service="GC01", number="K001", device="K01", channel="offline",
                      issued_at=MONDAY_10AM), "kiosk-k1"),
        (IssueRequest(service="GC01"), "batch-2"),
        (IssueRequest(service="NOPE"), "batch-3"),
        (IssueRequest(service="GC01"), "batch-2"),  # a replay inside the same batch
        (IssueRequest(service="GC01"), ""),
    ]
    results = engine.issue_batch(batch)
    assert isinstance(results[0], HallError) and results[0].code == "validation_error"
    assert results[1].number == "K002" and results[3].id == results[1].id
    assert isinstance(results[2], HallError) and results[2].code == "unknown_service"
    assert isinstance(results[4], HallError) and results[4].code == "validation_error"
    assert engine.ticket(online.id).state == State.WAITING  # the savepoint undid the void
    assert issue(engine, "GC01", key="kiosk-k1", device="K01").id == online.id  # key unchanged
    assert {t.number for t in engine.tickets()} == before | {"K002"}
    assert issue(engine, "GC01").number == "K003"  # no number was used up by the refusals
