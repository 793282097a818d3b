"""Hall settings changed while the server runs (kiosk.hallsettings, kiosk.hallsettings_api): on a
copy of the sample hall file, with a real engine on a real SQLite file and a real server."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
import requests
from sqlalchemy import select

from kiosk import store as db
from kiosk.clerk_models import NewClerk
from kiosk.clock import FakeClock
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from kiosk.configwrite import SettingsInvalid
from kiosk.domain import HallError
from kiosk.engine import HallEngine
from kiosk.hallsettings import (
    SUBJECT,
    HallFileUnwritable,
    SettingsRefused,
    editable,
    save_hall_settings,
)
from kiosk.models import ActionRequest, IssueRequest
from kiosk.store import Store
from tests.conftest import SHANGHAI, LiveServer

SAMPLE = PROJECT_CONFIG_DIR / "hall.toml"


@pytest.fixture
def hall_file(tmp_path):
    """A copy of the sample hall file, which the tests change."""
    path = tmp_path / "hall.toml"
    shutil.copy(SAMPLE, path)
    return path


@pytest.fixture
def engine(hall_file, clock, tmp_path):
    """A real engine running on the copied hall file."""
    return HallEngine(load_hall_config(hall_file), Store(tmp_path / "hall.db"), clock)


def issue(engine: HallEngine, service: str):
    issue.count = getattr(issue, "count", 0) + 1
    return engine.issue(IssueRequest(service=service), f"key-{issue.count}")


def audit_rows(engine: HallEngine) -> list[dict]:
    e = db.ticket_events
    with engine.store.read() as conn:
        rows = conn.execute(select(e).where(e.c.ticket_id == SUBJECT).order_by(e.c.id)).all()
    return [{"actor": r.actor, "action": r.action, **json.loads(r.detail)} for r in rows]


# ----- writing the file ---------------------------------------------------------------------


def test_a_quota_change_keeps_every_other_line_and_applies_without_a_restart(engine, hall_file):
    before = hall_file.read_text(encoding="utf-8").splitlines()
    issue(engine, "TX01"), issue(engine, "TX01")
    result = save_hall_settings(hall_file, {"services": {"TX01": {"daily_quota": 3}}}, actor="admin it-1", engine=engine)

    after = hall_file.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [("daily_quota = 250", "daily_quota = 3")]  # comments, order and layout kept
    assert (hall_file.parent / "hall.toml.bak").read_text(encoding="utf-8").splitlines() == before
    assert [(c.field, c.old, c.new) for c in result.changed] == [("services.TX01.daily_quota", 250, 3)]
    assert result.applied_live == ["services.TX01.daily_quota"] and result.needs_restart == []

    assert issue(engine, "TX01").number == "E003"  # the third of three
    with pytest.raises(HallError) as refused:
        issue(engine, "TX01")
    assert refused.value.code == "quota_exhausted"  # at once, on the same engine: no restart
    tx01 = next(s for s in engine.catalog().services if s.code == "TX01")
    assert (tx01.quota, tx01.open, tx01.closed_reason) == (3, False, "quota")
    assert load_hall_config(hall_file).service("TX01").daily_quota == 3  # and the file says so for the next start


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"windows": {"5": {"services": ["AP01", "XX99"]}}}, "windows.5.services", "unknown service 'XX99'"),
    ({"hours": {"lunch_start": "07:00", "lunch_end": "07:30"}}, "hours", "lunch break must lie inside"),
    ({"services": {"SS02": {"prefix": "A"}}}, "services.SS02.prefix", "duplicate service prefix 'A'"),
    ({"services": {"TX01": {"daily_quota": 0}}}, "services.TX01.daily_quota", "greater than or equal to 1"),
    ({"services": {"TX01": {"qouta": 9}}}, "services.TX01.qouta", "unknown key 'qouta'"),
    ({"services": {"TX01": {"windows": [77]}}}, "services.TX01.windows", "no window 77"),
    ({"calendar": {"holidays": ["2026-13-01"]}}, "calendar.holidays.0", "date"),
])
def test_an_invalid_change_writes_nothing_and_names_the_field(engine, hall_file, changes, field, words):
    before = hall_file.read_bytes()
    with pytest.raises(SettingsInvalid) as invalid:
        save_hall_settings(hall_file, changes, actor="admin it-1", engine=engine)
    assert words in invalid.value.problems[field], invalid.value.problems
    assert hall_file.read_bytes() == before and not (hall_file.parent / "hall.toml.bak").exists()
    assert editable(engine.config) == editable(load_hall_config(SAMPLE)) and audit_rows(engine) == []


def test_services_and_windows_added_then_removed_leave_the_file_as_it_was(engine, hall_file):
    original = hall_file.read_text(encoding="utf-8")
    added = {"services": {"GC03": {"name": {"zh": "证明开具", "en": "Certificates"}, "zone": "general",
                                   "prefix": "M", "windows": [18, 30]}},
             "windows": {"30": {"name": {"zh": "30号窗口", "en": "Window 30"}, "zone": "general",
                                "services": ["GC01"]}}}
    save_hall_settings(hall_file, added, actor="admin it-1", engine=engine)
    assert engine.config.windows_for("GC03") == [18, 30] and issue(engine, "GC03").number == "M001"
    # GC03 has a waiting ticket: it cannot go yet; window 30 can
    with pytest.raises(SettingsRefused) as refused:
        save_hall_settings(hall_file, {"services": {"GC03": None}}, actor="admin it-1", engine=engine)
    assert "still has 1 ticket(s)" in refused.value.problems["services.GC03"]
    engine.act(engine.tickets(service="GC03")[0].id, "void", ActionRequest(reason="test"))
    save_hall_settings(hall_file, {"services": {"GC03": None}, "windows": {"30": None}}, actor="admin it-1",
                       engine=engine)
    assert hall_file.read_text(encoding="utf-8") == original
    assert engine.config.service("GC03") is None and engine.config.window(30) is None


def test_a_file_that_cannot_be_written_changes_nothing_at_all(engine, hall_file):
    before = hall_file.read_bytes()
    (hall_file.parent / "hall.toml.bak" / "hall.toml").mkdir(parents=True)  # no backup can be made, even by root
    with pytest.raises(HallFileUnwritable) as unwritable:
        save_hall_settings(hall_file, {"services": {"TX01": {"daily_quota": 3}}}, actor="admin it-1", engine=engine)
    assert "nothing was changed" in unwritable.value.problems["(file)"]
    assert hall_file.read_bytes() == before and engine.config.service("TX01").daily_quota == 250
    assert audit_rows(engine) == []  # the audit rows went with the transaction


# ----- what the running hall cannot take ----------------------------------------------------


def test_a_prefix_change_is_refused_once_the_service_issued_today_and_applies_before(engine, hall_file, clock):
    issue(engine, "TX01")
    before = hall_file.read_bytes()
    with pytest.raises(SettingsRefused) as refused:
        save_hall_settings(hall_file, {"services": {"TX01": {"prefix": "T"}}}, actor="admin it-1", engine=engine)
    assert "issued 1 ticket(s) today" in refused.value.problems["services.TX01.prefix"]
    assert hall_file.read_bytes() == before and engine.config.service("TX01").prefix == "E"

    result = save_hall_settings(hall_file, {"services": {"AP01": {"prefix": "T"}}}, actor="admin it-1", engine=engine)
    assert result.applied_live == ["services.AP01.prefix"]  # nothing issued today: at once
    assert issue(engine, "AP01").number == "T001"
    clock.advance(24 * 3600)  # the next day TX01 has no ticket yet: its prefix may change
    save_hall_settings(hall_file, {"services": {"TX01": {"prefix": "X"}}}, actor="admin it-1", engine=engine)
    assert issue(engine, "TX01").number == "X001"


def test_a_window_with_a_clerk_signed_in_cannot_be_removed(engine, hall_file):
    engine.add_clerk(NewClerk(code="0815", name="李华", pin="2468"))
    engine.sign_in(8, "0815", "2468")
    with pytest.raises(SettingsRefused) as refused:
        save_hall_settings(hall_file, {"windows": {"8": None}}, actor="admin it-1", engine=engine)
    assert "a clerk is signed in there" in refused.value.problems["windows.8"]
    assert engine.config.window(8) is not None


def test_the_time_zone_edited_by_hand_waits_for_a_restart(engine, hall_file):
    text = hall_file.read_text(encoding="utf-8").replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Urumqi"')
    hall_file.write_text(text, encoding="utf-8")
    result = save_hall_settings(hall_file, {"notice": {"zh": "今日系统升级", "en": "System upgrade today"}},
                                actor="admin it-1", engine=engine)
    assert result.needs_restart == ["hall.timezone"] and result.applied_live == ["notice.zh", "notice.en"]
    assert engine.config.hall.timezone == "Asia/Shanghai" and str(engine.tz) == "Asia/Shanghai"
    assert engine.catalog().hall.notice.en == "System upgrade today"
    assert load_hall_config(hall_file).hall.timezone == "Asia/Urumqi"


# ----- audit and event ----------------------------------------------------------------------


def test_every_change_is_audited_with_its_actor_and_announced(engine, hall_file):
    seq = engine.feed.last_seq()
    save_hall_settings(hall_file, {"services": {"TX01": {"daily_quota": 120, "name": {"en": "Invoices"}}},
                                   "hours": {"close": "17:00"}}, actor="admin it-1", engine=engine)
    assert audit_rows(engine) == [
        {"actor": "admin it-1", "action": "settings", "field": "services.TX01.name.en",
         "old": "Invoice Application", "new": "Invoices"},
        {"actor": "admin it-1", "action": "settings", "field": "services.TX01.daily_quota", "old": 250, "new": 120},
        {"actor": "admin it-1", "action": "settings", "field": "hours.close", "old": "17:30", "new": "17:00"},
    ]
    events = [e for e in engine.events_after(seq) if e.type == "catalog"]
    assert [e.data for e in events] == [{"settings": "hall", "changed": [
        "services.TX01.name.en", "services.TX01.daily_quota", "hours.close"]}]


# ----- the calendar and case deadlines ------------------------------------------------------


def _case_deadline(engine: HallEngine, ticket: str) -> datetime:
    row = {"ticket_id": ticket, "day": "2026-09-30", "service": "SS01", "window": 3, "clerk": "A0123",
           "level": 1, "reasons": "[]", "comment": "", "channel": "window",
           "at": engine.clock.now()}
    with engine.store.write() as conn:
        engine.after_rating(conn, row)
        case_id = conn.execute(select(db.cases.c.id).where(db.cases.c.ticket_id == ticket)).scalar()
    return engine.case(case_id).deadline


def test_a_holiday_closes_a_day_and_a_make_up_day_opens_one_for_case_deadlines(hall_file, tmp_path):
    sept_30 = datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)
    engine = HallEngine(load_hall_config(hall_file), Store(tmp_path / "sept.db"), FakeClock(sept_30))
    # 5 working days after 09-30: 10-08, 10-09, Saturday 10-10 (调休), 10-12, 10-13
    assert _case_deadline(engine, "T-1") == datetime(2026, 10, 14, tzinfo=SHANGHAI)
    holidays = [*[f"2026-10-0{d}" for d in range(1, 8)], "2026-10-09"]
    save_hall_settings(hall_file, {"calendar": {"holidays": holidays}}, actor="admin it-1", engine=engine)
    assert _case_deadline(engine, "T-2") == datetime(2026, 10, 15, tzinfo=SHANGHAI)  # 10-09 closed now
    save_hall_settings(hall_file, {"calendar": {"workdays": ["2026-09-20", "2026-10-10", "2026-10-11"]}},
                       actor="admin it-1", engine=engine)
    assert _case_deadline(engine, "T-3") == datetime(2026, 10, 14, tzinfo=SHANGHAI)  # Sunday 10-11 worked


# ----- the API over a real server -----------------------------------------------------------


@pytest.fixture
def server(engine, hall_file):
    from kiosk.server import add_token, create_app

    for role in ("admin", "guide"):
        add_token(engine.store, f"test-{role}", role, f"{role}-1", 0)
    live = LiveServer(create_app(engine, heartbeat_s=0.5, hall_file=hall_file)).start()
    yield live
    live.stop()


def call(server, method: str, role: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{server.url}/api/v1/settings/hall",
                            headers={"Authorization": f"Bearer test-{role}"}, timeout=10, **kwargs)


def test_the_api_reads_and_changes_the_settings_for_an_admin_only(server, engine, hall_file):
    shown = call(server, "GET", "admin")
    assert shown.status_code == 200, shown.text
    tx01 = next(s for s in shown.json()["services"] if s["code"] == "TX01")
    assert (tx01["daily_quota"], tx01["windows"], tx01["prefix"]) == (250, [8, 9], "E")
    assert shown.json()["hours"]["lunch_start"] == "12:00" and shown.json()["needs_restart"] == []

    assert call(server, "GET", "guide").status_code == 403
    assert call(server, "POST", "guide", json={"services": {"TX01": {"daily_quota": 9}}}).status_code == 403
    assert load_hall_config(hall_file).service("TX01").daily_quota == 250

    changed = call(server, "POST", "admin", json={"services": {"TX01": {"daily_quota": 9}}})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["changed"] == [{"field": "services.TX01.daily_quota", "old": 250, "new": 9}]
    assert body["applied_live"] == ["services.TX01.daily_quota"] and body["backup"] == "hall.toml.bak"
    assert engine.config.service("TX01").daily_quota == 9
    assert audit_rows(engine)[0]["actor"] == "admin admin-1"  # the token's, never the body's


@pytest.mark.parametrize("body", [
    "[1, 2]", "not json", '{"services": {"TX01": {"daily_quota": "many"}}}', '{"services": []}',
    '{"hours": {"open": "25:00"}}', '{"colour": "blue"}',
    # values TOML cannot hold, or pydantic would read as a zoned time (which used to crash the check)
    '{"hours": {"open": 0}}', '{"hours": {"close": "17:00Z"}}', '{"calendar": {"holidays": [null]}}',
    '{"notice": {"zh": ["x", null]}}', '{"services": {"TX01": {"daily_quota": {"zh": null}}}}',
])
def test_bad_bodies_are_422_and_change_nothing(server, hall_file, body):
    before = hall_file.read_bytes()
    answer = requests.post(f"{server.url}/api/v1/settings/hall", data=body, timeout=10,
                           headers={"Authorization": "Bearer test-admin", "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert hall_file.read_bytes() == before


def test_a_refused_change_is_409_with_the_field(server, engine):
    issue(engine, "TX01")
    answer = call(server, "POST", "admin", json={"services": {"TX01": {"prefix": "Q"}}})
    assert answer.status_code == 409 and answer.json()["code"] == "settings_refused"
    assert "services.TX01.prefix" in answer.json()["problems"]


def test_a_server_without_a_hall_file_says_so(live_server):
    answer = requests.get(f"{live_server.url}/api/v1/settings/hall", timeout=10,
                          headers={"Authorization": "Bearer test-admin"})
    assert answer.status_code == 409
    assert "started without a hall file" in answer.json()["detail"]
