"""Cases: a bad rating opens a rectification case, 办不成事 cases, the state machine, deadline
alerts with a fake clock, and the cases API through a real server with its roles."""

import json
import time
from datetime import datetime

import pytest
import requests
from sqlalchemy import select

from kiosk import cases
from kiosk import store as db
from kiosk.clock import FakeClock
from kiosk.domain import HallError
from kiosk.engine import HallEngine
from kiosk.sealing import seal
from kiosk.store import Store
from tests.conftest import SHANGHAI, LiveServer

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)

ID_NUMBER = "11010519491231002X"
# The afternoon before the sample hall's National Day week (10-01..10-07 off, Saturday 10-10 worked).
SEPT_30 = datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)


def rating(ticket_id: str = "T-1", level: int = 1, **more) -> dict:
    """A ``ratings`` row as RATINGS stores it (the contract of issue 14)."""
    return {"ticket_id": ticket_id, "day": "2026-09-30", "service": "SS01", "window": 3, "clerk": "A0123",
            "level": level, "reasons": json.dumps(["attitude", "slow"]), "comment": "等了很久", "channel": "window",
            "at": SEPT_30.timestamp(), **more}


@pytest.fixture
def sept_engine(hall_config, hall_db, tmp_path):
    """The sample hall on 2026-09-30 15:00, alerts checked every 50 ms once served."""
    config = hall_config.model_copy(update={"cases": hall_config.cases.model_copy(update={"check_interval_s": 0.05})})
    return HallEngine(config, Store(hall_db, data_dir=tmp_path), FakeClock(SEPT_30))


def hook(engine: HallEngine, row: dict) -> int | None:
    """What the rating write does: the hook inside the rating's own write transaction."""
    with engine.store.write() as conn:
        engine.after_rating(conn, row)
        found = conn.execute(select(db.cases.c.id).where(db.cases.c.ticket_id == row["ticket_id"])).scalar()
    engine.feed.notify()
    return found


def case_events(engine: HallEngine) -> list[dict]:
    return [e.data for e in engine.events_after(0) if e.type == "case"]


def test_a_bad_rating_opens_one_case_due_after_the_holiday(sept_engine):
    case_id = hook(sept_engine, rating(level=2))
    assert hook(sept_engine, rating(level=2)) == case_id  # a retried hook: still one case
    case = sept_engine.case(case_id)
    assert (case.kind, case.state, case.clerk, case.window, case.service, case.ticket_id) == \
        ("rectify", "registered", "A0123", 3, "SS01", "T-1")
    assert case.reasons == ["attitude", "slow"] and case.level == 2 and case.channel == "window"
    # 5 working days from 09-30: 10-08, 10-09, Saturday 10-10 (调休), 10-12, 10-13; due at its end.
    assert case.deadline == datetime(2026, 10, 14, 0, 0, tzinfo=SHANGHAI)
    assert [s.action for s in case.history] == ["open"]
    assert [(e["event"], e["id"]) for e in case_events(sept_engine)] == [("opened", case_id)]


def test_good_ratings_open_no_case(sept_engine):
    for level in (3, 4, 5):
        assert hook(sept_engine, rating(f"T-{level}", level)) is None
    assert sept_engine.list_cases() == []


def test_the_case_is_opened_inside_the_ratings_transaction(sept_engine):
    """A rating write that fails after the hook leaves no case behind (one transaction)."""
    with pytest.raises(RuntimeError), sept_engine.store.write() as conn:
        cases.open_case_for_bad_rating(conn, rating(), sept_engine.config, SEPT_30.timestamp())
        raise RuntimeError("the rating's insert failed")
    assert sept_engine.list_cases() == []


def test_the_rectification_path_and_its_order(sept_engine):
    case_id = hook(sept_engine, rating())
    step = sept_engine.case_step
    from kiosk.case_models import CaseActionBody as Body

    with pytest.raises(HallError) as refused:
        step(case_id, "rectify", Body(note="retrained"), "guide desk-1")
    assert refused.value.code == "invalid_transition" and "must be replied" in refused.value.detail
    with pytest.raises(HallError, match="assign needs the owner"):
        step(case_id, "assign", Body(), "guide desk-1")
    assert step(case_id, "assign", Body(owner="chief-li"), "guide desk-1").state == "assigned"
    assert step(case_id, "reply", Body(note="apologised by phone"), "guide desk-1").state == "replied"
    assert step(case_id, "callback", Body(date="2026-10-09", outcome="citizen satisfied"), "guide desk-1").state \
        == "replied"
    assert step(case_id, "rectify", Body(note="window 3 retrained"), "guide desk-1").state == "rectified"
    with pytest.raises(HallError, match="rate"):
        step(case_id, "rate", Body(level=5), "guide desk-1")  # rate is a 办不成事 step
    done = step(case_id, "rerate", Body(level=4), "guide desk-1")
    assert (done.state, done.citizen_level, done.owner) == ("rerated", 4, "chief-li")
    assert [(s.action, s.from_state, s.to_state, s.actor) for s in done.history][1:] == [
        ("assign", "registered", "assigned", "guide desk-1"), ("reply", "assigned", "replied", "guide desk-1"),
        ("callback", "replied", "replied", "guide desk-1"), ("rectify", "replied", "rectified", "guide desk-1"),
        ("rerate", "rectified", "rerated", "guide desk-1")]
    assert done.history[3].detail == {"date": "2026-10-09", "outcome": "citizen satisfied"}
    closed = step(case_id, "close", Body(note="done"), "admin it")
    assert closed.state == "closed"
    with pytest.raises(HallError, match="closed"):
        step(case_id, "callback", Body(date="2026-10-20", outcome="again"), "guide desk-1")


def test_reminder_then_overdue_alerts_once_each_with_a_fake_clock(sept_engine):
    case_id = hook(sept_engine, rating())
    clock = sept_engine.clock
    assert sept_engine.check_cases() == []
    clock.set(datetime(2026, 10, 9, 18, 0, tzinfo=SHANGHAI))  # the day before the reminder day
    assert sept_engine.check_cases() == []
    clock.set(datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI))  # 2 working days before the last one
    assert sept_engine.check_cases() == [(case_id, "reminder")]
    assert sept_engine.check_cases() == []  # raised once
    assert sept_engine.list_cases(overdue=True) == []
    clock.set(datetime(2026, 10, 13, 23, 59, tzinfo=SHANGHAI))
    assert sept_engine.check_cases() == []  # the whole last day still counts
    clock.set(datetime(2026, 10, 14, 0, 0, 1, tzinfo=SHANGHAI))
    assert sept_engine.check_cases() == [(case_id, "overdue")]
    assert sept_engine.check_cases() == []
    assert [c.id for c in sept_engine.list_cases(overdue=True)] == [case_id]
    assert [e["event"] for e in case_events(sept_engine)] == ["opened", "reminder", "overdue"]


def test_a_case_answered_in_time_raises_no_alert(sept_engine):
    from kiosk.case_models import CaseActionBody as Body

    case_id = hook(sept_engine, rating())
    sept_engine.case_step(case_id, "assign", Body(owner="chief-li"), "guide desk-1")
    sept_engine.case_step(case_id, "reply", Body(note="called back"), "guide desk-1")
    sept_engine.case_step(case_id, "rectify", Body(note="fixed"), "guide desk-1")
    sept_engine.clock.set(datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))
    assert sept_engine.check_cases() == []


# ----- the API through a real server ----------------------------------------------------------


def h(role: str) -> dict:
    return {"Authorization": f"Bearer test-{role}"}


@pytest.fixture
def server(sept_engine):
    from kiosk.tokens import add_token

    for role in ("kiosk", "guide", "admin"):
        add_token(sept_engine.store, f"test-{role}", role, f"{role}-1", 0)
    add_token(sept_engine.store, "test-counter20", "counter", "", 0, window=20)  # the 办不成事 window
    add_token(sept_engine.store, "test-counter3", "counter", "", 0, window=3)
    from kiosk.server import create_app

    live = LiveServer(create_app(sept_engine, heartbeat_s=0.5)).start()
    yield live
    live.stop()


def api(server, method: str, path: str, role: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{server.url}/api/v1/cases{path}", headers=h(role), timeout=10, **kwargs)


def test_the_unresolved_window_registers_a_case_with_masked_identity(server, sept_engine):
    body = {"request": "办理营业执照变更", "reason": "缺少股东会决议原件", "services": ["AP01"],
            "id_sealed": seal(ID_NUMBER, sept_engine.keys.public_key), "phone": "138 0013 8000"}
    made = api(server, "POST", "", "counter20", json=body)
    assert made.status_code == 201, made.text
    case = made.json()
    assert (case["kind"], case["state"], case["window"], case["opened_by"]) == \
        ("unresolved", "registered", 20, "window 20")
    assert case["phone_tail"] == "8000" and case["id_mask"] and ID_NUMBER not in made.text
    assert "13800138000" not in made.text
    # 15 working days from 09-30 over the holiday and the 调休 Saturday: 10-27 is the last.
    assert case["deadline"].startswith("2026-10-28T00:00:00")
    with sept_engine.store.read() as conn:
        stored = json.dumps([dict(r._mapping) for r in conn.execute(select(db.cases)).all()])
    assert ID_NUMBER not in stored and "13800138000" not in stored  # sealed, masked, hashed only
    contact = api(server, "GET", f"/{case['id']}/contact", "guide")
    assert contact.json() == {"id": case["id"], "phone": "13800138000"}
    assert api(server, "GET", f"/{case['id']}/contact", "counter20").status_code == 403
    history = api(server, "GET", f"/{case['id']}", "guide").json()["history"]
    assert [(s["action"], s["actor"]) for s in history] == [("open", "window 20"), ("contact", "guide guide-1")]


def test_a_case_on_a_ticket_concerns_its_service(server, sept_engine):
    from kiosk.models import IssueRequest

    ticket = sept_engine.issue(IssueRequest(service="TX01"), "case-ticket")
    made = api(server, "POST", "", "counter20", json={"request": "申报", "reason": "系统停机", "ticket_id": ticket.id})
    assert made.status_code == 201, made.text
    assert (made.json()["services"], made.json()["ticket_id"]) == (["TX01"], ticket.id)


def test_roles_and_actors_come_from_the_token(server, sept_engine):
    body = {"request": "补办证件", "reason": "系统故障", "services": ["AP01"]}
    assert api(server, "POST", "", "counter3", json=body).status_code == 403  # not the 办不成事 window
    assert api(server, "POST", "", "kiosk", json=body).status_code == 403
    assert api(server, "GET", "", "kiosk").status_code == 403
    assert api(server, "POST", "", "guide", json={**body, "services": ["NOPE"]}).status_code == 404
    assert api(server, "POST", "", "guide", json={**body, "phone": "call me"}).status_code == 422
    assert api(server, "POST", "", "guide", json={**body, "services": []}).status_code == 422  # concerning what?
    assert api(server, "POST", "", "guide", json={**body, "ticket_id": "20260930-X999"}).status_code == 404
    assert api(server, "GET", "?state=lost", "guide").status_code == 422
    case = api(server, "POST", "", "guide", json={**body, "owner": "chief-li"}).json()
    assert case["state"] == "assigned" and case["owner"] == "chief-li" and case["window"] is None
    assert api(server, "POST", f"/{case['id']}/reply", "counter20", json={"note": "x"}).status_code == 403
    replied = api(server, "POST", f"/{case['id']}/reply", "guide", json={"note": "已协调原件寄送"})
    assert replied.json()["state"] == "replied"
    rated = api(server, "POST", f"/{case['id']}/rate", "counter20", json={"level": 5})  # the citizen rates
    assert rated.json()["state"] == "rated" and rated.json()["citizen_level"] == 5
    assert [s["actor"] for s in rated.json()["history"]] == ["guide guide-1"] * 3 + ["window 20"]
    assert api(server, "POST", f"/{case['id']}/rate", "guide", json={"level": 5}).status_code == 409
    assert api(server, "POST", f"/{case['id']}/fly", "guide", json={}).status_code == 422
    assert api(server, "GET", "/999", "guide").status_code == 404
    # A rectification case is a guide's business, not the 办不成事 window's.
    hook(sept_engine, rating())
    rectify = api(server, "GET", "?kind=rectify", "guide").json()[0]
    assert api(server, "GET", f"/{rectify['id']}", "counter20").status_code == 403
    assert [c["kind"] for c in api(server, "GET", "", "counter20").json()] == ["unresolved"]


def test_the_server_raises_the_overdue_alert_by_itself(server, sept_engine):
    hook(sept_engine, rating())
    sept_engine.clock.set(datetime(2026, 10, 15, 9, 0, tzinfo=SHANGHAI))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "overdue" not in [e["event"] for e in case_events(sept_engine)]:
        time.sleep(0.05)
    assert [e["event"] for e in case_events(sept_engine)] == ["opened", "overdue"]
    listed = api(server, "GET", "?overdue=true&state=registered", "guide").json()
    assert [(c["ticket_id"], c["overdue"]) for c in listed] == [("T-1", True)]
    assert api(server, "GET", "?overdue=false", "guide").json() == []


def test_the_cases_api_is_in_the_openapi_document(server):
    paths = requests.get(f"{server.url}/openapi.json", timeout=5).json()["paths"]
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/{action}"} <= set(paths)
    assert set(paths["/api/v1/cases"]) == {"get", "post"}
