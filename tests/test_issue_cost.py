"""What a ticket costs the database (DESIGN.md §8 "What a ticket costs"): the statements of an
issue and of an issue batch, counted as SQLAlchemy hands them to the driver, and the rule that
lets a batch run without a savepoint per request: a request refused after it wrote leaves no
trace, and the others of its batch are issued all the same."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, update

from kiosk import store as db
from kiosk.domain import HallError
from kiosk.models import IssueRequest
from tests.statements import Statements

pytestmark = pytest.mark.both_stores

ISSUE_STATEMENTS = 6
"""A normal issue on a day already under way: the idempotency look-up, the day counters' row,
the sequence, the ticket (INSERT … ON CONFLICT DO NOTHING), the counters' move and the
idempotency row; the event rows add 2 a transaction (3 rows a ticket). Before: 12 a ticket and
2 savepoint statements more in a batch."""


@pytest.fixture(autouse=True)
def _slow_state_kept(monkeypatch):
    """The slow part of the engine's state (read again at most once a second) stays as the
    warm-up read it: a loaded machine letting a second pass must not add its reads to a count."""
    from kiosk import engine_views

    monkeypatch.setattr(engine_views, "SLOW_STATE_TTL", 3600.0)


def _requests(n: int, tag: str) -> list[tuple[IssueRequest, str]]:
    return [(IssueRequest(service=("GC01", "TX01")[i % 2]), f"{tag}-{i}") for i in range(n)]


def test_an_issue_sends_eight_statements_and_no_savepoint(engine):
    engine.issue_batch(_requests(4, "warm"))  # the day's counter rows exist from here on
    with Statements(engine) as seen:
        engine.issue(IssueRequest(service="GC01"), "one")
    texts = seen.without_lock()
    assert len(texts) == ISSUE_STATEMENTS + 2, texts
    assert not [s for s in texts if re.match(r"\s*(SAVEPOINT|RELEASE)", s, re.I)], texts


def test_a_batch_of_16_sends_six_statements_a_ticket_and_two_for_its_events(engine):
    engine.issue_batch(_requests(4, "warm"))
    with Statements(engine) as seen:
        results = engine.issue_batch(_requests(16, "batch"))
    assert all(not isinstance(r, Exception) for r in results), results
    texts = seen.without_lock()
    assert len(texts) == 16 * ISSUE_STATEMENTS + 2, texts
    inserts = [s for s in texts if re.match(r"\s*INSERT INTO hall_events", s, re.I)]
    assert len(inserts) == 1, inserts  # 32 rows in one statement
    with engine.store.read() as conn:
        rows = conn.execute(select(db.hall_events.c.type).order_by(db.hall_events.c.seq)).scalars().all()
    assert rows[-32:] == ["ticket", "queue"] * 16  # each ticket's event before its queue's, in order


def _last_number(engine, service: str) -> int:
    with engine.store.read() as conn:
        return conn.execute(select(db.counters.c.last).where(db.counters.c.service == service)).scalar_one()


def test_a_request_refused_after_it_drew_a_number_leaves_no_trace_and_its_batch_is_issued(engine):
    engine.issue_batch(_requests(4, "warm"))
    limit = engine._online_limit(engine.config.service("GC01"))
    with engine.store.write() as conn:  # GC01 has handed out its last online number
        conn.execute(update(db.counters).where(db.counters.c.service == "GC01").values(last=limit))
    with engine.store.read() as conn:
        events_before = conn.execute(select(func.count()).select_from(db.hall_events)).scalar_one()
        audit_before = conn.execute(select(func.count()).select_from(db.ticket_events)).scalar_one()
    batch = [(IssueRequest(service="TX01"), "a"), (IssueRequest(service="GC01"), "refused"),
             (IssueRequest(service="TX01"), "b"), (IssueRequest(service="NOPE"), "unknown"),
             (IssueRequest(service="TX01"), "c")]
    results = engine.issue_batch(batch)
    assert [type(r).__name__ for r in results] == ["Ticket", "HallError", "Ticket", "HallError", "Ticket"]
    assert isinstance(results[1], HallError) and results[1].code == "quota_exhausted"
    assert [r.number for r in results if not isinstance(r, Exception)] == ["E003", "E004", "E005"]
    assert _last_number(engine, "GC01") == limit  # the drawn number was given back
    with engine.store.read() as conn:
        events = conn.execute(select(func.count()).select_from(db.hall_events)).scalar_one()
        audit = conn.execute(select(func.count()).select_from(db.ticket_events)).scalar_one()
        keys = set(conn.execute(select(db.idempotency.c.key)).scalars())
    assert (events - events_before, audit - audit_before) == (6, 3)  # the three tickets' rows only
    assert {"a", "b", "c"} <= keys and not {"refused", "unknown"} & keys
    # The same request again is refused the same way (no idempotency row kept it).
    again = engine.issue_batch([(IssueRequest(service="GC01"), "refused")])
    assert isinstance(again[0], HallError) and again[0].code == "quota_exhausted"


def test_a_number_taken_another_way_is_skipped_by_the_insert_itself(engine):
    first = engine.issue(IssueRequest(service="GC01"), "first")
    with engine.store.write() as conn:  # the next number held by a ticket the counter never gave
        row = {c.key: None for c in db.tickets.c}
        row.update(id="x-taken", day=engine.today(), service="GC01", seq=99, number="K002", priority="normal",
                   state="void", channel="kiosk", device="", in_slot=False, issued_at=0.0, arrival_at=0.0,
                   recalls=0, overtaken=0, offline=True)
        conn.execute(db.tickets.insert(), row)
    second = engine.issue_batch([(IssueRequest(service="GC01"), "second")])[0]
    assert (first.number, second.number) == ("K001", "K003")


def test_a_request_refused_by_a_check_costs_its_batch_no_second_pass(engine):
    engine.issue_batch(_requests(4, "warm"))
    batch = [(IssueRequest(service="GC01"), "x1"), (IssueRequest(service="GC01", priority="nobody"), "x2"),
             (IssueRequest(service="TX01"), "x3")]
    with Statements(engine) as seen:
        results = engine.issue_batch(batch)
    assert isinstance(results[1], HallError) and results[1].code == "validation_error"
    assert [r.number for r in (results[0], results[2])] == ["K003", "E003"]
    texts = seen.without_lock()
    # The refused request read its idempotency key and its service's counters, and wrote nothing.
    assert len(texts) == 2 * ISSUE_STATEMENTS + 2 + 2, texts
    assert not [s for s in texts if re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", s, re.I)], texts
