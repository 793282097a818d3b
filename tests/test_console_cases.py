"""The console's Ratings & cases page through the hall server's real app (Starlette's TestClient)
over a real engine, SQLite file and fake clock: who may open it, the CSRF check, the filters and
their refusals, the satisfaction rate, the case steps with the account as their actor, the
engine's refusals as sentences, the audited contact reading and 办不成事 registration."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kiosk import store as db
from kiosk.clerk_models import NewClerk
from kiosk.models import ActionRequest, Citizen, IssueRequest
from kiosk.rating_models import Rater, RatingRequest
from kiosk.sealing import seal
from kiosk.server import create_app
from tests.console_calls import HTML, add_role_accounts, csrf_of, signed_in_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"


def rate_at_window(engine, key: str, level: int, *, service: str = "AP01", window: int = 5,  # noqa: ANN001
                   reasons: tuple[str, ...] = (), comment: str = "", citizen: Citizen | None = None) -> str:
    """A ticket issued (to ``citizen``'s card, if given), called and finished at ``window``, then
    rated by the window's evaluator; returns the ticket id. A bad level opens its case in the
    rating's transaction."""
    ticket = engine.issue(IssueRequest(service=service, citizen=citizen), key)
    engine.act(ticket.id, "call", ActionRequest(window=window))
    engine.act(ticket.id, "finish", ActionRequest(window=window))
    engine.rate(ticket.id, RatingRequest(level=level, reasons=list(reasons), comment=comment),
                Rater("window", f"rater window {window}", window))
    return ticket.id


@pytest.fixture
def app(engine):
    add_role_accounts(engine)
    return create_app(engine)


def history(engine, case_id: int) -> list[tuple]:  # noqa: ANN001
    return [(s.action, s.to_state, s.actor) for s in engine.case(case_id).history]


def test_directors_guides_and_admins_open_it_and_it_staff_get_a_plain_403(app):
    for name in ("director", "guide", "admin"):
        client = signed_in_client(app, name)
        page = client.get("/console/cases", headers=HTML)
        assert page.status_code == 200 and 'href="/console/cases"' in page.text
        assert client.get("/console/cases/ratings", headers=HTML).status_code == 200
    it = signed_in_client(app, "it")
    refused = it.get("/console/cases", headers=HTML)
    assert refused.status_code == 403 and "无权打开此页面" in refused.text
    assert 'href="/console/cases"' not in it.get("/console/", headers=HTML).text  # not in its top bar
    fetched = it.get("/console/cases/ratings")  # a fetch: JSON
    assert fetched.status_code == 403 and fetched.json()["code"] == "role_refused"
    assert it.post("/console/cases/new", data={"csrf": csrf_of(it), "request": "x", "reason": "y"}).status_code == 403
    anonymous = TestClient(app, follow_redirects=False).get("/console/cases", headers=HTML)
    assert anonymous.status_code == 303 and "/console/login" in anonymous.headers["location"]


def test_the_ratings_list_filters_a_period_and_gives_the_sets_satisfaction_rate(app, engine, clock):
    engine.add_clerk(NewClerk(code="0815", name="李华", pin="2468"))
    engine.sign_in(5, "0815", "2468")
    rate_at_window(engine, "a", 5)
    rate_at_window(engine, "b", 4)
    bad = rate_at_window(engine, "c", 1, reasons=("attitude", "slow"), comment=f"态度差 电话{PHONE}")
    clock.advance(3 * 86400)  # Thursday: one more, at window 8 and without a clerk
    rate_at_window(engine, "d", 3, service="TX01", window=8)
    client = signed_in_client(app, "director")

    week = client.get("/console/cases/ratings", headers=HTML)  # the last 7 days by default
    assert week.status_code == 200
    assert "75.0%" in week.text and "好评 3 / 共 4 条" in week.text
    assert week.text.count('<tr data-ticket=') == 4
    bad_only = client.get("/console/cases/ratings?level=bad", headers=HTML).text
    assert bad_only.count('<tr data-ticket=') == 1 and f'data-ticket="{bad}"' in bad_only
    assert "服务态度不好、办理时间太长" in bad_only and "0.0%" in bad_only
    assert PHONE not in bad_only and "138****5678" in bad_only  # the comment as stored: masked
    monday = client.get("/console/cases/ratings?from=2026-11-23&to=2026-11-23&window=5&clerk=0815&channel=window",
                        headers=HTML).text
    assert monday.count('<tr data-ticket=') == 3 and "66.7%" in monday
    assert client.get("/console/cases/ratings?service=TX01", headers=HTML).text.count('<tr data-ticket=') == 1
    client.cookies.set("console_lang", "en")
    english = client.get("/console/cases/ratings?level=5", headers=HTML).text
    assert "Very satisfied" in english and "100.0%" in english and "1 good of 1" in english


@pytest.mark.parametrize(("query", "says"), [
    ("from=23.11.2026", "must be a date written YYYY-MM-DD"),
    ("from=2026-11-24&to=2026-11-20", "starts (2026-11-24) after it ends (2026-11-20)"),
    ("from=2024-01-01&to=2026-11-23", "longer than 366 days"),
    ("window=4", "There is no window 4"),
    ("service=XX99", "No service has the code XX99"),
    ("level=7", "level cannot be “7”"),
    ("clerk=<b>", "number holds letters, digits"),
])
def test_a_wrong_ratings_filter_is_a_plain_sentence_not_a_crash(app, query, says):
    client = signed_in_client(app, "guide")
    client.cookies.set("console_lang", "en")
    page = client.get(f"/console/cases/ratings?{query}", headers=HTML)
    assert page.status_code == 422 and says in page.text and "<b>" not in page.text


def test_a_ratings_detail_shows_reasons_comment_ticket_clerk_and_its_case_but_not_the_citizen(app, engine):
    engine.add_clerk(NewClerk(code="0815", name="李华", pin="2468"))
    engine.sign_in(5, "0815", "2468")
    card = Citizen(id_sealed=seal(ID_NUMBER, engine.keys.public_key), name_mask="张*明")
    ticket_id = rate_at_window(engine, "a", 2, reasons=("unclear",), comment="没讲清楚", citizen=card)
    (case,) = engine.list_cases()
    with engine.store.read() as conn:
        id_mask = conn.execute(select(db.tickets.c.id_mask).where(db.tickets.c.id == ticket_id)).scalar()
    assert id_mask  # the ticket knows the card; the rating's pages never show it
    guide = signed_in_client(app, "guide")
    page = guide.get(f"/console/cases/ratings/{ticket_id}", headers=HTML)
    assert page.status_code == 200
    listed = guide.get("/console/cases/ratings", headers=HTML).text
    for private in (id_mask, "张*明", ID_NUMBER, ID_NUMBER[-4:]):
        assert private not in page.text and private not in listed, private
    number = engine.ticket(ticket_id).number
    for shown in ("告知不清楚", "没讲清楚", number, "0815 · 李华", "5号窗口", "窗口评价器",
                  f'href="/console/cases/{case.id}"'):
        assert shown in page.text, shown
    missing = signed_in_client(app, "guide").get("/console/cases/ratings/20261123-Z999", headers=HTML)
    assert missing.status_code == 404 and "没有这条评价" in missing.text


def test_a_case_goes_through_its_steps_with_the_account_as_actor_and_csrf_on_each(app, engine):
    rate_at_window(engine, "a", 1, reasons=("attitude",))
    (case,) = engine.list_cases()
    guide = signed_in_client(app, "guide")
    csrf = csrf_of(guide)
    detail = guide.get(f"/console/cases/{case.id}", headers=HTML).text
    assert 'id="step-assign"' in detail and 'id="step-reply"' not in detail and 'id="step-close"' in detail

    forged = guide.post(f"/console/cases/{case.id}/assign", data={"owner": "chief-li"}, headers=HTML)
    assert forged.status_code == 403 and engine.case(case.id).state == "registered"

    done = guide.post(f"/console/cases/{case.id}/assign", data={"csrf": csrf, "owner": "chief-li",
                                                                 "actor": "someone else"}, headers=HTML)
    assert done.status_code == 303 and done.headers["location"] == f"/console/cases/{case.id}?done=assign"
    assert history(engine, case.id)[-1] == ("assign", "assigned", "console guide")  # never the form's actor
    page = guide.get(done.headers["location"], headers=HTML).text
    assert "已完成：分派" in page and 'id="step-reply"' in page and 'id="step-assign"' in page

    callback = guide.post(f"/console/cases/{case.id}/callback",
                          data={"csrf": csrf, "date": "2026-11-23", "outcome": "已致电道歉"}, headers=HTML)
    assert callback.status_code == 303
    step = engine.case(case.id).history[-1]
    assert (step.action, step.to_state, step.detail) == ("callback", "assigned",
                                                          {"date": "2026-11-23", "outcome": "已致电道歉"})
    assert guide.post(f"/console/cases/{case.id}/reply", data={"csrf": csrf, "note": "已答复"},
                      headers=HTML).status_code == 303
    director = signed_in_client(app, "director")
    page = director.get(f"/console/cases/{case.id}", headers=HTML).text
    assert 'data-state="replied"' in page and "console guide" in page and "已致电道歉" in page
    assert director.post(f"/console/cases/{case.id}/rectify", data={"csrf": csrf_of(director), "note": "已培训"},
                         headers=HTML).status_code == 303
    assert history(engine, case.id)[-1] == ("rectify", "rectified", "console director")


def test_the_engines_refusals_and_wrong_fields_are_shown_as_sentences_and_change_nothing(app, engine):
    rate_at_window(engine, "a", 1)
    (case,) = engine.list_cases()
    guide = signed_in_client(app, "guide")
    guide.cookies.set("console_lang", "en")
    csrf = csrf_of(guide)

    def post(action: str, **form) -> str:
        response = guide.post(f"/console/cases/{case.id}/{action}", data={"csrf": csrf, **form}, headers=HTML)
        assert response.status_code in (409, 422), response.status_code
        return response.text

    assert "cannot reply a case that is registered; it must be assigned" in post("reply", note="too soon")
    assert "assign needs the owner" in post("assign", owner="")
    assert "rate" in post("rate", level="5")  # a rectification case has no rate step
    assert "date must be a date written YYYY-MM-DD" in post("callback", date="yesterday", outcome="x")
    assert "A rating level is 1 to 5" in post("rerate", level="9")
    assert "note is not right" in post("close", note="x" * 501)
    assert "There is no step “delete”" in post("delete")
    assert [a for a, _s, _w in history(engine, case.id)] == ["open"]
    assert guide.post("/console/cases/999/assign", data={"csrf": csrf, "owner": "x"}, headers=HTML).status_code == 404
    assert guide.get("/console/cases/99999999999999999999", headers=HTML).status_code == 404
    closed = guide.post(f"/console/cases/{case.id}/close", data={"csrf": csrf, "note": "duplicate"}, headers=HTML)
    assert closed.status_code == 303
    page = guide.get(f"/console/cases/{case.id}", headers=HTML).text
    assert "This case is closed" in page and 'id="step-' not in page
    assert "this case is closed" in post("callback", date="2026-11-23", outcome="again")


def test_registering_a_case_keeps_the_phone_sealed_and_reading_it_is_audited(app, engine):
    director = signed_in_client(app, "director")
    csrf = csrf_of(director)
    form = {"csrf": csrf, "request": "营业执照变更", "reason": "系统故障", "svc.AP01": "1", "phone": PHONE,
            "owner": "chief-li"}
    made = director.post("/console/cases/new", data=form, headers=HTML)
    assert made.status_code == 303, made.text
    case_id = int(re.search(r"/console/cases/(\d+)\?done=open", made.headers["location"]).group(1))
    case = engine.case(case_id)
    assert (case.kind, case.state, case.window, case.services, case.owner, case.opened_by) == \
        ("unresolved", "assigned", engine.config.cases.unresolved_window, ["AP01"], "chief-li", "console director")
    with engine.store.read() as conn:
        stored = conn.execute(select(db.cases.c.phone_sealed, db.cases.c.phone_tail)
                              .where(db.cases.c.id == case_id)).one()
    assert PHONE not in stored.phone_sealed and stored.phone_tail == "5678"

    page = director.get(f"/console/cases/{case_id}", headers=HTML).text
    assert PHONE not in page and "5678" in page and 'id="show-contact"' in page
    assert "contact" not in [a for a, _s, _w in history(engine, case_id)]
    shown = director.post(f"/console/cases/{case_id}/contact", data={"csrf": csrf}, headers=HTML)
    assert shown.status_code == 200 and PHONE in shown.text
    assert history(engine, case_id)[-1] == ("contact", "assigned", "console director")
    assert director.post(f"/console/cases/{case_id}/contact", data={}, headers=HTML).status_code == 403
    assert [a for a, _s, _w in history(engine, case_id)].count("contact") == 1


@pytest.mark.parametrize(("form", "status", "says"), [
    ({"request": "办证", "reason": "缺材料"}, 422, "Choose at least one service"),
    ({"request": "", "reason": "缺材料", "svc.AP01": "1"}, 422, "request is not right"),
    ({"request": "办证", "reason": "缺材料", "ticket": "A-1"}, 422, "A ticket is like A001"),
    ({"request": "办证", "reason": "缺材料", "ticket": "C999"}, 404, "Not done: "),
    ({"request": "办证", "reason": "缺材料", "svc.AP01": "1", "phone": "call me"}, 422, "phone is not right"),
])
def test_a_wrong_registration_is_refused_with_a_sentence_and_keeps_what_was_typed(app, engine, form, status, says):
    guide = signed_in_client(app, "guide")
    guide.cookies.set("console_lang", "en")
    page = guide.post("/console/cases/new", data={"csrf": csrf_of(guide), **form}, headers=HTML)
    assert page.status_code == status and says in page.text
    assert "缺材料" in page.text and engine.list_cases() == []


def test_a_registration_by_todays_ticket_number_takes_the_tickets_service(app, engine):
    ticket = engine.issue(IssueRequest(service="TX01"), "t")
    guide = signed_in_client(app, "guide")
    made = guide.post("/console/cases/new", data={"csrf": csrf_of(guide), "request": "开发票", "reason": "系统升级",
                                                  "ticket": ticket.number.lower()}, headers=HTML)
    assert made.status_code == 303
    (case,) = engine.list_cases()
    assert (case.ticket_id, case.services) == (ticket.id, ["TX01"])


def test_the_cases_list_filters_and_words_deadlines_in_working_days(app, engine, clock):
    rate_at_window(engine, "a", 1)  # window 5, AP01: due in 5 working days
    rate_at_window(engine, "b", 2, service="TX01", window=8)
    guide = signed_in_client(app, "guide")
    made = guide.post("/console/cases/new", data={"csrf": csrf_of(guide), "request": "办证", "reason": "缺材料",
                                                  "svc.GC01": "1"}, headers=HTML)
    assert made.status_code == 303

    def ids(query: str = "") -> list[int]:
        page = guide.get(f"/console/cases?{query}", headers=HTML)
        assert page.status_code == 200
        return [int(n) for n in re.findall(r'<tr data-case="(\d+)"', page.text)]

    assert ids() == [1, 2, 3]
    assert ids("kind=unresolved") == [3] and ids("kind=rectify") == [1, 2]
    assert ids("window=8") == [2] and ids("service=AP01") == [1] and ids("service=GC01") == [3]
    assert ids("state=registered&window=5") == [1] and ids("state=closed") == []
    page = guide.get("/console/cases", headers=HTML).text
    assert "剩 5 个工作日" in page and "截止 2026-11-30" in page  # Monday 11-23 + 5 working days
    clock.advance(8 * 86400)  # Tuesday 12-01: the rectification cases are a working day late
    guide = signed_in_client(app, "guide")  # the session ended meanwhile
    assert ids("overdue=yes") == [1, 2] and ids("overdue=no") == [3]
    late = guide.get("/console/cases?overdue=yes", headers=HTML).text
    assert "已超期 1 个工作日" in late
    guide.cookies.set("console_lang", "en")
    wrong = guide.get("/console/cases?state=lost", headers=HTML)
    assert wrong.status_code == 422 and "state cannot be “lost”" in wrong.text


def test_the_case_history_and_forms_escape_what_staff_typed(app, engine):
    rate_at_window(engine, "a", 1)
    guide = signed_in_client(app, "guide")
    csrf = csrf_of(guide)
    assert guide.post("/console/cases/1/assign", data={"csrf": csrf, "owner": "<script>x</script>"},
                      headers=HTML).status_code == 303
    page = guide.get("/console/cases/1", headers=HTML).text
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    assert json.loads(json.dumps(engine.case(1).owner)) == "<script>x</script>"  # stored as typed


def test_the_live_pages_overdue_alert_opens_the_case(app, engine, clock):
    from kiosk.console import live

    rate_at_window(engine, "a", 1)
    clock.advance(8 * 86400)
    engine.check_cases()
    (alert,) = [a for a in live.snapshot(engine)["alerts"] if a["kind"] == "case"]
    assert alert["link"] == "/console/cases/1"
    page = signed_in_client(app, "director").get(alert["link"], headers=HTML)
    assert page.status_code == 200 and "已超期 1 个工作日" in page.text
