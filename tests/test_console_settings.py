"""The console's Hall settings page over HTTP: who may open it, CSRF, each form read into a change,
what is written to the hall file (comments kept) and applied to the running hall, what is refused
and shown next to its field with nothing written, and the audit with the console account as actor.

The hall server's real app (Starlette's TestClient) over a real engine, a real SQLite file and a
copy of the sample hall file; nothing of the page or of kiosk.hallsettings is faked.
"""

from __future__ import annotations

import html
import json
import re
import shutil

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kiosk import store as db
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from kiosk.domain import HallError
from kiosk.models import IssueRequest
from kiosk.server import create_app
from tests.console_calls import HTML, add_role_accounts, csrf_of, signed_in_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def hall_file(tmp_path):
    path = tmp_path / "hall.toml"
    shutil.copy(PROJECT_CONFIG_DIR / "hall.toml", path)
    return path


@pytest.fixture
def app(engine, hall_file):
    add_role_accounts(engine)
    return create_app(engine, hall_file=hall_file)


def _service_form(client: TestClient, code: str, page: str | None = None) -> dict:
    """The service's detail form as the page (by default its GET) fills it in: what a browser
    would submit."""
    page = page or client.get(f"/console/settings/services/{code}", headers=HTML).text
    form = {"csrf": csrf_of(client)}
    for name, value in re.findall(r'<input id="(\w+)" name="\w+" value="([^"]*)"', page):
        form[name] = html.unescape(value)
    for name in re.findall(r'name="((?:win|prio)_\w+)" value="1" checked', page):
        form[name] = "1"
    for name in ("materials_zh", "materials_en"):
        form[name] = html.unescape(re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', page).group(1))
    form["zone"] = re.search(r'<option value="(\w+)" selected', page).group(1)
    form["base"] = re.search(r'name="base" value="(\w+)"', page).group(1)
    return form


def _issue(engine, service: str, key: str):  # noqa: ANN001, ANN202
    return engine.issue(IssueRequest(service=service), key)


def _audit(engine) -> list[dict]:  # noqa: ANN001
    e = db.ticket_events
    with engine.store.read() as conn:
        rows = conn.execute(select(e.c.actor, e.c.detail).where(e.c.ticket_id == "settings:hall")).all()
    return [{"actor": r.actor, **json.loads(r.detail)} for r in rows]


def _text(response) -> str:  # noqa: ANN001
    """The page's words, without its tags."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))


# ----- who may open it -------------------------------------------------------------------------


def test_director_it_and_admin_open_the_page_and_a_guide_neither_sees_nor_opens_it(app, hall_file):
    for name in ("director", "it", "admin"):
        client = signed_in_client(app, name, lang="en")
        page = client.get("/console/settings", headers=HTML)
        assert page.status_code == 200 and 'href="/console/settings"' in page.text, name
        assert 'data-service="TX01"' in page.text and 'data-window="20"' in page.text
    guide = signed_in_client(app, "guide", lang="en")
    assert 'href="/console/settings"' not in guide.get("/console/", headers=HTML).text  # not in its nav
    refused = guide.get("/console/settings", headers=HTML)
    assert refused.status_code == 403 and "Your role may not open this page" in refused.text
    assert guide.get("/console/settings/services/TX01").status_code == 403  # a fetch: 403 JSON
    before = hall_file.read_bytes()
    posted = guide.post("/console/settings/services/TX01", headers=HTML,
                        data={"csrf": csrf_of(guide), "daily_quota": "1"})
    assert posted.status_code == 403 and hall_file.read_bytes() == before


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(app, hall_file):
    client = signed_in_client(app, "director", lang="en")
    form = _service_form(client, "TX01") | {"daily_quota": "7"}
    before = hall_file.read_bytes()
    for bad in ({k: v for k, v in form.items() if k != "csrf"}, form | {"csrf": "forged"}):
        answer = client.post("/console/settings/services/TX01", data=bad, headers=HTML)
        assert answer.status_code == 403 and "did not come from the console" in answer.text
    assert hall_file.read_bytes() == before


# ----- a service ------------------------------------------------------------------------------


def test_a_quota_saved_from_the_form_applies_at_once_keeps_the_file_and_names_the_actor(app, engine, hall_file):
    client = signed_in_client(app, "director", lang="en")
    before = hall_file.read_text(encoding="utf-8").splitlines()
    saved = client.post("/console/settings/services/TX01", data=_service_form(client, "TX01") | {"daily_quota": "2"},
                        headers=HTML)
    assert saved.status_code == 303 and saved.headers["location"].startswith("/console/settings?result=")
    shown = _text(client.get(saved.headers["location"], headers=HTML))
    assert "Saved." in shown and "Applied at once: 1" in shown
    assert "Services TX01 Invoice Application · Daily quota 250 2 Applied at once" in shown
    assert "hall.toml.bak" in shown

    # Only the quota's line changed: every comment and every other line is as it was.
    after = hall_file.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [("daily_quota = 250", "daily_quota = 2")]
    assert engine.config.service("TX01").daily_quota == 2  # the running hall, no restart
    for n in range(2):
        _issue(engine, "TX01", f"q{n}")
    with pytest.raises(HallError, match="quota"):
        _issue(engine, "TX01", "q3")
    assert _audit(engine) == [{"actor": "console director", "field": "services.TX01.daily_quota", "old": 250,
                               "new": 2}]
    # The result is the saver's own: another account's link shows no result.
    other = signed_in_client(app, "it", lang="en").get(saved.headers["location"], headers=HTML)
    assert other.status_code == 200 and 'id="result"' not in other.text


def test_an_unchanged_form_writes_nothing_and_says_so(app, engine, hall_file):
    client = signed_in_client(app, "director", lang="en")
    before = hall_file.read_bytes()
    saved = client.post("/console/settings/services/SS01", data=_service_form(client, "SS01"), headers=HTML)
    assert "Nothing changed; nothing was written." in _text(client.get(saved.headers["location"], headers=HTML))
    assert hall_file.read_bytes() == before and _audit(engine) == []


@pytest.mark.parametrize(("edit", "field", "words"), [
    ({"daily_quota": "many"}, "daily_quota", "whole number"),
    ({"daily_quota": "0"}, "daily_quota", "greater than or equal to 1"),
    ({"prefix": "E1"}, "prefix", "^[A-Z]{1,2}$"),
    ({"prefix": "A"}, "prefix", "duplicate service prefix"),
    ({"name_en": ""}, "name_en", "both languages"),
])
def test_a_bad_service_value_is_shown_next_to_its_field_as_typed_and_writes_nothing(app, engine, hall_file,
                                                                                    edit, field, words):
    client = signed_in_client(app, "director", lang="en")
    before = hall_file.read_bytes()
    answer = client.post("/console/settings/services/TX01", data=_service_form(client, "TX01") | edit, headers=HTML)
    assert answer.status_code == 422
    page = _text(answer)
    assert "This change has problems; nothing was written:" in page
    # the field is marked, keeps what was typed, and its problem follows it
    typed = html.escape(next(iter(edit.values())), quote=True)
    field_html = re.search(rf'<input id="{field}" name="{field}" value="{re.escape(typed)}" class="bad"[^>]*>'
                           r'\s*</label>\s*<p class="problem" role="alert">([^<]+)</p>', answer.text)
    assert field_html, answer.text
    assert words in field_html.group(1)
    assert hall_file.read_bytes() == before and engine.config.service("TX01").daily_quota == 250


def test_a_prefix_change_after_today_s_first_ticket_is_refused_next_to_the_prefix(app, engine, hall_file):
    _issue(engine, "TX01", "p1")
    client = signed_in_client(app, "director", lang="en")
    before = hall_file.read_bytes()
    answer = client.post("/console/settings/services/TX01", data=_service_form(client, "TX01") | {"prefix": "Q"},
                         headers=HTML)
    assert answer.status_code == 409
    page = _text(answer)
    assert "The running hall cannot take this change now; nothing was written:" in page
    assert 'value="Q" class="bad"' in answer.text and "has issued 1 ticket(s) today" in page
    assert hall_file.read_bytes() == before


def _new_service(client: TestClient) -> dict:
    return {"csrf": csrf_of(client), "code": "GC03", "name_zh": "证明开具", "name_en": "Certificates", "zone": "general",
            "prefix": "Q", "daily_quota": "40", "win_20": "1", "prio_normal": "1", "prio_elderly": "1",
            "materials_zh": "身份证\n申请表", "materials_en": "ID card\nApplication form"}


def test_a_service_added_then_removed_leaves_the_file_as_it_was(app, engine, hall_file):
    client = signed_in_client(app, "it", lang="en")
    original = hall_file.read_text(encoding="utf-8")
    added = client.post("/console/settings/services/new", data=_new_service(client), headers=HTML)
    assert added.status_code == 303, _text(added)
    service = engine.config.service("GC03")
    assert (service.prefix, service.daily_quota, service.priorities) == ("Q", 40, ["normal", "elderly"])
    assert service.materials.en == ["ID card", "Application form"] and engine.config.windows_for("GC03") == [20]
    assert "Services GC03 Certificates" in _text(client.get(added.headers["location"], headers=HTML))

    again = client.post("/console/settings/services/new", data=_new_service(client), headers=HTML)
    assert again.status_code == 422 and "there is already a service GC03" in _text(again)

    removed = client.post("/console/settings/services/GC03/remove", data={"csrf": csrf_of(client)}, headers=HTML)
    assert removed.status_code == 303 and engine.config.service("GC03") is None
    assert hall_file.read_text(encoding="utf-8") == original
    assert [r["actor"] for r in _audit(engine)] == ["console it"] * len(_audit(engine))


def test_a_service_with_tickets_waiting_cannot_be_removed(app, engine, hall_file):
    _issue(engine, "AP01", "r1")
    client = signed_in_client(app, "director", lang="en")
    before = hall_file.read_bytes()
    answer = client.post("/console/settings/services/AP01/remove", data={"csrf": csrf_of(client)}, headers=HTML)
    assert answer.status_code == 409 and "still has 1 ticket(s) in the queue today" in _text(answer)
    assert hall_file.read_bytes() == before and engine.config.service("AP01") is not None


def test_an_unknown_service_or_window_is_a_plain_404(app):
    client = signed_in_client(app, "director", lang="en")
    for path in ("/console/settings/services/NOPE", "/console/settings/windows/404"):
        answer = client.get(path, headers=HTML)
        assert answer.status_code == 404 and "There is no such entry" in answer.text


# ----- a window -------------------------------------------------------------------------------


def test_a_window_s_services_keep_their_order_and_new_ones_come_last(app, engine):
    client = signed_in_client(app, "director", lang="en")
    window = engine.config.window(8)
    form = {"csrf": csrf_of(client), "name_zh": window.name.zh, "name_en": "Tax Desk", "zone": window.zone,
            "kind": "window", **{f"svc_{c}": "1" for c in [*window.services, "GC01"]}}
    saved = client.post("/console/settings/windows/8", data=form, headers=HTML)
    assert saved.status_code == 303, _text(saved)
    assert engine.config.window(8).services == [*window.services, "GC01"]
    assert engine.config.window(8).name.en == "Tax Desk"
    none_ticked = client.post("/console/settings/windows/8", data={k: v for k, v in form.items()
                                                                    if not k.startswith("svc_")}, headers=HTML)
    assert none_ticked.status_code == 422 and "tick at least one service" in _text(none_ticked)


def test_a_window_added_then_removed(app, engine, hall_file):
    client = signed_in_client(app, "director", lang="en")
    original = hall_file.read_text(encoding="utf-8")
    form = {"csrf": csrf_of(client), "number": "30", "name_zh": "30号窗口", "name_en": "Window 30",
            "zone": "general", "kind": "window", "svc_GC01": "1"}
    assert client.post("/console/settings/windows/new", data=form, headers=HTML).status_code == 303
    assert engine.config.window(30).services == ["GC01"]
    bad = client.post("/console/settings/windows/new", data=form | {"number": "abc"}, headers=HTML)
    assert bad.status_code == 422 and "write the window's number, 1-999" in _text(bad)
    removed = client.post("/console/settings/windows/30/remove", data={"csrf": csrf_of(client)}, headers=HTML)
    assert removed.status_code == 303 and engine.config.window(30) is None
    assert hall_file.read_text(encoding="utf-8") == original


# ----- hours, calendar, notice ----------------------------------------------------------------


def _hours(client: TestClient, **edit: str) -> dict:
    form = {"csrf": csrf_of(client), "open": "08:30", "close": "17:30", "lunch_start": "12:00", "lunch_end": "13:30",
            **{f"wd_{d}": "1" for d in range(1, 6)}}
    return form | edit


def test_a_lunch_break_outside_the_opening_hours_is_shown_next_to_it_and_writes_nothing(app, engine, hall_file):
    client = signed_in_client(app, "director", lang="en")
    before = hall_file.read_bytes()
    answer = client.post("/console/settings/hours", data=_hours(client, lunch_start="18:00", lunch_end="19:00"),
                         headers=HTML)
    assert answer.status_code == 422
    problems = re.search(r'<div id="hours-problems">(.*?)</div>', answer.text, re.S).group(1)
    assert "the lunch break must lie inside the opening hours" in problems
    assert 'id="lunch_start" name="lunch_start" value="18:00"' in answer.text  # kept as typed
    assert hall_file.read_bytes() == before and engine.config.hall.hours.lunch_start.hour == 12


def test_hours_saved_apply_at_once_and_no_lunch_break_removes_both_times(app, engine, hall_file):
    client = signed_in_client(app, "director", lang="en")
    saved = client.post("/console/settings/hours", data=_hours(client, close="18:00", lunch_start="", lunch_end="",
                                                               wd_6="1"), headers=HTML)
    assert saved.status_code == 303, _text(saved)
    hours = engine.config.hall.hours
    assert (hours.close.hour, hours.lunch_start, hours.lunch_end, hours.weekdays) == (18, None, None, [1, 2, 3, 4, 5, 6])
    assert "lunch_start" not in hall_file.read_text(encoding="utf-8")
    half = client.post("/console/settings/hours", data=_hours(client, lunch_end=""), headers=HTML)
    assert half.status_code == 422 and "give both times of the lunch break" in _text(half)
    bad = client.post("/console/settings/hours", data=_hours(client, open="25:00"), headers=HTML)
    assert bad.status_code == 422 and re.search(r'id="open" name="open" value="25:00"[^>]*class="bad"', bad.text)


def test_holidays_and_make_up_days_are_added_and_removed(app, engine, hall_file):
    client = signed_in_client(app, "director", lang="en")
    add = {"csrf": csrf_of(client), "kind": "holidays", "date": "2026-12-31"}
    assert client.post("/console/settings/calendar/add", data=add, headers=HTML).status_code == 303
    assert str(engine.config.calendar.holidays[-1]) == "2026-12-31"
    page = client.get("/console/settings", headers=HTML).text
    assert '<li data-date="2026-12-31">' in page
    again = client.post("/console/settings/calendar/add", data=add, headers=HTML)
    assert again.status_code == 422 and "2026-12-31 is already in the list" in _text(again)
    both = client.post("/console/settings/calendar/add", data=add | {"kind": "workdays"}, headers=HTML)
    assert both.status_code == 422 and "2026-12-31" in _text(both)  # a day in both lists: the config refuses it
    bad = client.post("/console/settings/calendar/add", data=add | {"date": "31.12.2026"}, headers=HTML)
    assert bad.status_code == 422 and "YYYY-MM-DD" in _text(bad) and 'value="31.12.2026"' in bad.text
    gone = client.post("/console/settings/calendar/remove", data=add, headers=HTML)
    assert gone.status_code == 303 and "2026-12-31" not in [str(d) for d in engine.config.calendar.holidays]


def test_the_notice_is_changed_then_taken_down(app, engine, hall_file):
    client = signed_in_client(app, "director", lang="en")
    form = {"csrf": csrf_of(client), "notice_zh": "今日系统升级", "notice_en": "System upgrade today"}
    assert client.post("/console/settings/notice", data=form, headers=HTML).status_code == 303
    assert engine.config.hall.notice.en == "System upgrade today"
    half = client.post("/console/settings/notice", data=form | {"notice_en": ""}, headers=HTML)
    assert half.status_code == 422 and "write the notice in both languages" in _text(half)
    assert 'id="notice_zh" name="notice_zh" rows="3">今日系统升级</textarea>' in half.text
    cleared = client.post("/console/settings/notice", data=form | {"notice_zh": "", "notice_en": ""}, headers=HTML)
    assert cleared.status_code == 303 and engine.config.hall.notice is None
    assert "notice" not in load_hall_config(hall_file).hall.model_dump(exclude_none=True)


# ----- read-only, and what waits for a restart ------------------------------------------------


def test_a_server_without_a_hall_file_shows_the_settings_read_only(engine):
    add_role_accounts(engine)
    client = signed_in_client(create_app(engine), "director", lang="en")
    page = client.get("/console/settings", headers=HTML)
    assert page.status_code == 200 and "started without a hall file" in _text(page)
    assert 'data-service="TX01"' in page.text and 'id="save-hours"' not in page.text and "<fieldset disabled>" in page.text
    answer = client.post("/console/settings/notice", data={"csrf": csrf_of(client), "notice_zh": "x", "notice_en": "y"},
                         headers=HTML)
    assert answer.status_code == 409 and "started without a hall file" in _text(answer)
    assert engine.config.hall.notice.zh != "x"


def test_a_hand_edit_waiting_for_a_restart_is_listed_and_a_save_says_so(app, engine, hall_file):
    text = hall_file.read_text(encoding="utf-8").replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Urumqi"')
    hall_file.write_text(text, encoding="utf-8")
    client = signed_in_client(app, "director", lang="en")
    assert "These changes in the hall file wait for a restart: hall.timezone" in _text(
        client.get("/console/settings", headers=HTML))
    saved = client.post("/console/settings/notice", data={"csrf": csrf_of(client), "notice_zh": "升级",
                                                          "notice_en": "Upgrade"}, headers=HTML)
    shown = _text(client.get(saved.headers["location"], headers=HTML))
    assert "Waits for a restart: 1" in shown and "Applied at once: 2" in shown
    assert engine.config.hall.timezone == "Asia/Shanghai"


def test_a_broken_hall_file_is_shown_read_only_with_its_problems(app, hall_file):
    hall_file.write_text(hall_file.read_text(encoding="utf-8").replace("daily_quota = 250", "daily_quota = -1"),
                         encoding="utf-8")
    page = signed_in_client(app, "director", lang="en").get("/console/settings", headers=HTML)
    assert "The hall file has problems" in _text(page) and "daily_quota" in _text(page)


def test_the_page_s_own_problems_are_said_in_the_page_s_language(app, hall_file):
    client = signed_in_client(app, "director", lang="en")
    client.cookies.set("console_lang", "zh")
    answer = client.post("/console/settings/services/TX01", data=_service_form(client, "TX01") | {"daily_quota": "许多"},
                         headers=HTML)
    assert answer.status_code == 422
    page = _text(answer)
    assert "此改动有问题，未写入任何内容：" in page and "每日限额请写整数，例如 120" in page
    assert 'value="许多"' in answer.text


def test_a_form_opened_before_someone_else_s_change_does_not_undo_it(app, engine, hall_file):
    director, it = signed_in_client(app, "director", lang="en"), signed_in_client(app, "it", lang="en")
    stale = _service_form(director, "TX01") | {"name_en": "Invoices"}
    assert it.post("/console/settings/services/TX01", data=_service_form(it, "TX01") | {"daily_quota": "90"},
                   headers=HTML).status_code == 303
    written = hall_file.read_bytes()
    answer = director.post("/console/settings/services/TX01", data=stale, headers=HTML)
    assert answer.status_code == 409
    assert "Someone else changed this since you opened the form; nothing was written:" in _text(answer)
    assert 'value="Invoices"' in answer.text and 'value="250"' in answer.text  # as the director typed
    assert hall_file.read_bytes() == written and engine.config.service("TX01").daily_quota == 90
    # Saving the form shown again is the director's informed choice: it goes through.
    again = director.post("/console/settings/services/TX01", data=_service_form(director, "TX01", answer.text),
                          headers=HTML)
    assert again.status_code == 303 and engine.config.service("TX01").name.en == "Invoices"
    assert engine.config.service("TX01").daily_quota == 250


def test_hours_typed_without_a_leading_zero_are_taken(app, engine):
    client = signed_in_client(app, "director", lang="en")
    saved = client.post("/console/settings/hours", data=_hours(client, open="8:00"), headers=HTML)
    assert saved.status_code == 303 and engine.config.hall.hours.open.hour == 8
