"""Signing in to the web console: sessions, expiry on the fake clock, lockout, CSRF, roles and
cookie flags, through the hall server's real app (Starlette's TestClient, no mocks of the console)."""

from __future__ import annotations

import types
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.testclient import TestClient

from kiosk import console
from kiosk.accounts import Account, disable_account
from kiosk.console import page_live, sessions
from kiosk.console.web import Page, form_of, render, signed_in
from kiosk.server import create_app
from tests.console_calls import HTML, PASSWORD, add_role_accounts
from tests.console_calls import csrf_of as _csrf
from tests.console_calls import sign_in as _login

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
Director = Annotated[Account, Depends(signed_in("director"))]  # module level: annotations are strings


def _director_page() -> types.SimpleNamespace:
    """A page module as a page helper writes one: a director's page with a form that changes
    something (found by install_console like the package's own pages)."""
    router = APIRouter(prefix="/console/director-only")
    changes = []

    @router.get("")
    def page(request: Request, account: Director):  # noqa: ANN202
        return render(request, "refused.html", key="back", code=200)

    @router.post("/change")
    async def change(request: Request, account: Director):  # noqa: ANN202
        changes.append(((await form_of(request)).get("value"), account.actor))
        return {"ok": True}

    return types.SimpleNamespace(PAGE=Page("director", "/console/director-only", "主任页", "Director page",
                                           ("director",), order=20), router=router, changes=changes)


@pytest.fixture
def director_page(monkeypatch):
    page = _director_page()
    monkeypatch.setattr(console, "page_modules", lambda: [page_live, page])
    return page


@pytest.fixture
def app(engine, director_page):
    add_role_accounts(engine)
    return create_app(engine)


def _client(app, scheme: str = "http") -> TestClient:  # noqa: ANN001
    return TestClient(app, base_url=f"{scheme}://testserver", follow_redirects=False)


def test_sign_in_opens_the_live_page_and_sign_out_ends_the_session(app):
    client = _client(app)
    first = client.get("/console/", headers=HTML)
    assert first.status_code == 303 and first.headers["location"] == "/console/login?next=%2Fconsole%2F"
    signed = _login(client, "guide")
    assert signed.status_code == 303 and signed.headers["location"] == "/console/"
    page = client.get("/console/", headers=HTML)
    assert page.status_code == 200 and "guide 名" in page.text and "示范市政务服务中心" in page.text
    assert client.get("/console/live.json").json()["queues"][0]["code"] == "SS01"
    cookie = client.cookies.get(sessions.COOKIE)

    out = client.post("/console/logout", data={"csrf": _csrf(client)})
    assert out.status_code == 303
    assert client.get("/console/live.json").status_code == 401
    replayed = _client(app)
    replayed.cookies.set(sessions.COOKIE, cookie)  # the old cookie, kept by someone: dead
    assert replayed.get("/console/live.json").status_code == 401


def test_the_session_cookie_is_httponly_strict_and_secure_over_tls(app):
    plain = _login(_client(app), "guide").headers["set-cookie"]
    assert "console_session=" in plain and "HttpOnly" in plain and "SameSite=strict" in plain
    assert "Path=/console" in plain and "Secure" not in plain.split("console_login")[0]
    over_tls = _login(_client(app, "https"), "guide").headers["set-cookie"]
    assert "Secure" in over_tls.split("console_login")[0]


def test_a_wrong_password_is_refused_plainly_and_five_lock_the_account(app, engine):
    client = _client(app)
    wrong = _login(client, "director", "not the password")
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    assert sessions.COOKIE not in client.cookies
    for _ in range(4):
        last = _login(client, "director", "not the password")
    assert last.status_code == 423 and "已锁定" in last.text
    assert _login(client, "director").status_code == 423  # the right password waits too
    engine.clock.advance(301)
    assert _login(client, "director").status_code == 303


def test_sign_in_without_the_forms_token_is_refused(app):
    client = _client(app)
    forged = client.post("/console/login", data={"name": "admin", "password": PASSWORD})
    assert forged.status_code == 403 and sessions.COOKIE not in client.cookies


def test_a_session_expires_after_30_idle_minutes_and_12_hours_in_all(app, engine):
    client = _client(app)
    _login(client, "it")
    engine.clock.advance(29 * 60)
    assert client.get("/console/live.json").status_code == 200  # in use: renewed
    engine.clock.advance(29 * 60)
    assert client.get("/console/live.json").status_code == 200
    engine.clock.advance(31 * 60)
    assert client.get("/console/live.json").status_code == 401
    expired = client.get("/console/", headers=HTML)
    assert expired.status_code == 303 and expired.headers["location"].startswith("/console/login")

    _login(client, "it")
    signed_in_at, busy = engine.clock.now(), 0
    while client.get("/console/live.json").status_code == 200 and busy < 60:  # busy, never 30 min idle
        engine.clock.advance(25 * 60)
        busy += 1
    ended_after = engine.clock.now() - signed_in_at
    assert 12 * 3600 < ended_after <= 12 * 3600 + 25 * 60


def test_disabling_an_account_ends_its_open_session(app, engine):
    client = _client(app)
    _login(client, "guide")
    assert client.get("/console/live.json").status_code == 200
    disable_account(engine.store, "guide", engine.clock.now(), actor="test")
    assert client.get("/console/live.json").status_code == 401
    assert _login(client, "guide").status_code == 403


def test_a_post_without_the_sessions_csrf_token_is_403(app, director_page):
    client = _client(app)
    _login(client, "director")
    for headers, data in (({}, {"value": "1"}), ({}, {"value": "1", "csrf": "forged"}),
                          ({"X-CSRF-Token": "forged"}, {"value": "1"})):
        refused = client.post("/console/director-only/change", data=data, headers={**HTML, **headers})
        assert refused.status_code == 403 and "表单已过期" in refused.text
    assert client.post("/console/logout", data={}).status_code == 403  # nor may another site sign us out
    assert director_page.changes == []
    token = _csrf(client)
    assert client.post("/console/director-only/change", data={"value": "2", "csrf": token}).status_code == 200
    assert client.post("/console/director-only/change", data={"value": "3"},
                       headers={"X-CSRF-Token": token}).status_code == 200
    assert director_page.changes == [("2", "console director"), ("3", "console director")]


def test_a_guide_cannot_open_a_directors_page_nor_see_it_in_the_top_bar(app):
    guide = _client(app)
    _login(guide, "guide")
    refused = guide.get("/console/director-only", headers=HTML)
    assert refused.status_code == 403 and "无权" in refused.text
    assert guide.post("/console/director-only/change", data={"csrf": _csrf(guide)}).status_code == 403
    assert "/console/director-only" not in guide.get("/console/", headers=HTML).text
    for name in ("director", "admin"):
        allowed = _client(app)
        _login(allowed, name)
        assert allowed.get("/console/director-only", headers=HTML).status_code == 200
        assert 'href="/console/director-only"' in allowed.get("/console/", headers=HTML).text


def test_no_session_means_401_for_fetches_and_the_event_stream(app):
    client = _client(app)
    assert client.get("/console/live.json").status_code == 401
    assert client.get("/console/events", headers={"accept": "text/event-stream"}).status_code == 401


def test_after_sign_in_only_console_paths_are_followed(app):
    client = _client(app)
    for target in ("https://evil.example/", "//evil.example/console", "/api/v1/queue"):
        assert _login(client, "guide", target=target).headers["location"] == "/console/"
        client.cookies.clear()


def test_the_language_switch_and_the_static_files(app):
    client = _client(app)
    _login(client, "guide")
    switched = client.get("/console/lang/en?next=/console/")
    assert switched.status_code == 303 and switched.headers["location"] == "/console/"
    page = client.get("/console/", headers=HTML).text
    assert "Demo City Government Service Center" in page and 'lang="en"' in page and "Sign out" in page
    assert client.get("/console/lang/fr").status_code == 404

    css = client.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "max-age" in css.headers["cache-control"]
    again = client.get("/console/static/console.css", headers={"if-none-match": css.headers["etag"]})
    assert again.status_code == 304
    for bad in ("../__init__.py", "nothing.css", "console.py"):
        assert client.get(f"/console/static/{bad}").status_code == 404


def test_a_form_posted_after_the_session_ended_goes_back_to_sign_in(app, engine):
    client = _client(app)
    _login(client, "director")
    token = _csrf(client)
    engine.clock.advance(31 * 60)
    late = client.post("/console/director-only/change", data={"value": "1", "csrf": token}, headers=HTML)
    assert late.status_code == 303 and late.headers["location"] == "/console/login?next=%2Fconsole%2F"
    fetched = client.post("/console/director-only/change", data={"value": "1"}, headers={"X-CSRF-Token": token})
    assert fetched.status_code == 401 and "sign in" in fetched.json()["detail"]


def test_a_fetch_refused_for_its_role_gets_a_sentence(app):
    client = _client(app)
    _login(client, "guide")
    refused = client.post("/console/director-only/change", headers={"X-CSRF-Token": _csrf(client)})
    assert refused.status_code == 403 and "您的角色无权" in refused.json()["detail"]
