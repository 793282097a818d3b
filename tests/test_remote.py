"""Remote tickets (线上取号, kiosk.remote) through a real hall server on loopback over a real
SQLite file, with the engine's fake clock: limits, one a day per ID, never called before the
check-in, and the check-in's place in the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from kiosk.domain import HallError
from kiosk.engine import HallEngine
from kiosk.remote import CheckIn, RemoteDesk
from kiosk.store import Store
from tests.conftest import LiveServer
from tests.test_server import assert_problem, h, post_ticket, sealed

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)

ID_A = "110105199001011237"  # made up, valid check digit
ID_B = "310104198502024518"


def _valid(number: str) -> str:
    from drivers.idcard.idnumber import check_character

    return number[:17] + check_character(number[:17])


ID_A, ID_B = _valid(ID_A), _valid(ID_B)


def remote_hall(hall_config, **settings):
    """The sample hall taking remote tickets of GC01 (served by help desk 18 only)."""
    data = hall_config.model_dump()
    data["remote"] = {"enabled": True, **settings}
    for service in data["services"]:
        service["remote"] = service["code"] == "GC01"
    return type(hall_config).model_validate(data)


@pytest.fixture
def server_for(clock, hall_db, tmp_path):
    """Start a real server over a fresh hall with the given [remote] settings."""
    from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
    from kiosk.server import add_token, create_app

    started = []

    def start(**settings):
        config = remote_hall(load_hall_config(PROJECT_CONFIG_DIR / "hall.toml"), **settings)
        engine = HallEngine(config, Store(hall_db, data_dir=tmp_path), clock)
        add_token(engine.store, "test-kiosk", "kiosk", "kiosk-1", 0)
        add_token(engine.store, "test-counter", "counter", "", 0, window=18)
        server = LiveServer(create_app(engine, heartbeat_s=0.5)).start()
        started.append(server)
        return server, engine

    yield start
    for server in started:
        server.stop()


def take(server, **body):
    return requests.post(f"{server.url}/api/v1/remote-tickets", json={"service": "GC01", **body}, timeout=5)


def call_next(server):
    return requests.post(f"{server.url}/api/v1/windows/18/call-next", headers=h("counter"), timeout=5)


def check_in(server, **body):
    return requests.post(f"{server.url}/api/v1/remote-tickets/check-in", json=body, headers=h("kiosk"), timeout=5)


def test_a_remote_ticket_is_one_a_day_per_id_and_never_kept_in_clear(server_for, hall_db):
    server, _ = server_for()
    first = take(server, id_number=ID_A)
    assert first.status_code == 201, first.text
    code = first.json()["code"]
    assert len(code) == 10 and first.json()["state"] == "booked"
    assert_problem(take(server, id_number=ID_A.lower()), 409, "duplicate_active")  # same ID, written otherwise
    assert take(server, id_number=ID_B).status_code == 201
    shown = requests.get(f"{server.url}/api/v1/remote-tickets/{code.lower()}", timeout=5).json()
    assert shown["code"] == code and shown["ticket"] is None
    if not str(hall_db).startswith("postgresql"):  # the file and its write-ahead log
        stored = b"".join(p.read_bytes() for p in hall_db.parent.glob("hall.db*"))
        assert stored and ID_A.encode() not in stored


def test_limits_refuse_with_a_sentence(server_for, clock):
    server, _ = server_for(daily_quota=1, per_minute=5)
    assert_problem(take(server, id_number=ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")), 422, "validation_error")
    assert_problem(take(server, service="SS01", id_number=ID_A), 409, "service_closed")  # not remote
    assert_problem(take(server), 422, "validation_error")  # neither an ID nor a booking code
    assert take(server, id_number=ID_A).status_code == 201
    body = assert_problem(take(server, id_number=ID_B), 409, "quota_exhausted")
    assert "kiosk" in body["detail"]
    assert_problem(take(server, id_number=ID_B), 429, "too_many_requests")  # the 6th request this minute


def test_no_remote_tickets_outside_the_hours(server_for, clock):
    clock.advance(10 * 3600)  # 20:00
    server, _ = server_for()
    assert_problem(take(server, id_number=ID_A), 409, "service_closed")


def test_a_remote_ticket_is_not_ahead_of_anyone_nor_called_before_check_in(server_for):
    server, _ = server_for()
    assert take(server, id_number=ID_A).status_code == 201
    walk_in = post_ticket(server, {"service": "GC01"}).json()
    assert walk_in["ahead"] == 0
    assert call_next(server).json()["ticket"] == walk_in["id"]
    assert call_next(server).status_code == 204  # the remote place is not in the queue


def test_check_in_puts_it_at_its_slot_place(server_for, clock):
    server, _ = server_for(check_in_late_minutes=30)
    code = take(server, id_number=ID_A).json()["code"]  # slot: now, 10:00
    clock.advance(5 * 60)
    walk_in = post_ticket(server, {"service": "GC01"}, key="w1").json()
    clock.advance(15 * 60)  # 10:20, within the 30 minutes after the slot
    ticket = check_in(server, code=code)
    assert ticket.status_code == 200, ticket.text
    assert ticket.json()["ahead"] == 0  # its place is 10:00, before the walk-in of 10:05
    assert requests.get(f"{server.url}/api/v1/remote-tickets/{code}", timeout=5).json()["ticket"] == ticket.json()["id"]
    assert call_next(server).json()["ticket"] == ticket.json()["id"]
    assert call_next(server).json()["ticket"] == walk_in["id"]
    assert_problem(check_in(server, code=code), 409, "duplicate_active")


def test_check_in_by_card_and_a_later_slot(server_for, clock):
    server, _ = server_for()
    assert take(server, id_number=ID_A, slot="11:00").json()["slot_start"].startswith("2026-11-23T11:00")
    walk_in = post_ticket(server, {"service": "GC01"}, key="w1").json()
    clock.advance(10 * 60)  # 10:10, early: the place is the check-in's time, after the walk-in
    ticket = check_in(server, citizen=sealed(server, ID_A)).json()
    assert ticket["ahead"] == 1
    assert call_next(server).json()["ticket"] == walk_in["id"]


def test_a_place_not_checked_in_in_time_lapses(server_for, clock):
    server, _ = server_for(check_in_late_minutes=30)
    code = take(server, id_number=ID_A).json()["code"]
    clock.advance(31 * 60)
    assert_problem(check_in(server, code=code), 409, "appointment_outside_window")
    assert requests.get(f"{server.url}/api/v1/remote-tickets/{code}", timeout=5).json()["state"] == "lapsed"
    assert_problem(check_in(server, code="NOSUCHCODE"), 404, "unknown_appointment")


def test_with_join_at_slot_the_place_joins_by_itself(hall_config, clock, hall_db, tmp_path):
    engine = HallEngine(remote_hall(hall_config, join="slot"), Store(hall_db, data_dir=tmp_path), clock)
    desk = RemoteDesk(engine)
    from kiosk.remote import RemoteRequest

    desk.take(RemoteRequest(service="GC01", id_number=ID_A, slot="10:30"))
    assert desk.admit_due() == []  # its slot has not come
    clock.advance(timedelta(minutes=31).total_seconds())
    joined = desk.admit_due()
    assert len(joined) == 1 and joined[0].ahead == 0 and joined[0].device == "remote"
    with pytest.raises(HallError, match="already in the queue"):
        desk.check_in(CheckIn(code=desk.show(desk_code(engine)).code), "kiosk-1", "kiosk kiosk-1")


def desk_code(engine) -> str:
    from sqlalchemy import select

    from kiosk import store as db

    with engine.store.read() as conn:
        return conn.execute(select(db.remote_tickets.c.code)).scalar_one()


def test_check_in_refusals_say_why_and_a_second_check_in_gives_the_same_ticket(server_for, clock):
    server, _ = server_for(check_in_late_minutes=30, check_in_early_minutes=60)
    later = take(server, id_number=ID_A, slot="11:30").json()["code"]
    now = take(server, id_number=ID_B).json()["code"]
    early = assert_problem(check_in(server, code=later), 409, "appointment_outside_window")
    assert (early["remote"], early["opens"]) == ("early", "10:30") and "10:30" in early["detail"]
    other = assert_problem(check_in(server, code=now, service="SS01"), 404, "unknown_appointment")
    assert other["remote"] == "unknown"  # a place of another service than the kiosk's visit
    first = check_in(server, code=now, service="GC01").json()
    again = assert_problem(check_in(server, code=now), 409, "duplicate_active")
    assert again["remote"] == "joined" and again["ticket"]["id"] == first["id"]
    assert again["ticket"]["number"] in again["detail"]
    clock.advance(24 * 3600)  # Tuesday: Monday's code
    stale = assert_problem(check_in(server, code=later), 409, "appointment_outside_window")
    assert stale["remote"] == "not_today" and stale["day"] == "2026-11-23"
