"""Signing in to the console as a browser does, for the HTTP-level console tests: an account
per role, the sign-in form (with its token) and the session's CSRF token read from a page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "hall console 2026"
HTML = {"accept": "text/html,application/xhtml+xml"}
ROLES = ("director", "guide", "it", "admin")


def add_role_accounts(engine) -> None:  # noqa: ANN001 - a HallEngine
    """One account per console role, named after it (``director`` …), all with ``PASSWORD``."""
    from kiosk.accounts import add_account

    for role in ROLES:
        add_account(engine.store, role, f"{role} 名", role, PASSWORD, engine.clock.now(), actor="test")


def sign_in(client: TestClient, name: str, password: str = PASSWORD, target: str = "/console/"):  # noqa: ANN201
    """Post the sign-in form as a browser would (its token read from the form); the response."""
    form = client.get("/console/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text).group(1)
    return client.post("/console/login", data={"login_token": token, "name": name, "password": password,
                                               "next": target})


def signed_in_client(app, name: str | None = None, *, lang: str | None = None) -> TestClient:  # noqa: ANN001
    """A client that does not follow redirects, signed in as ``name`` (none: signed out), with the
    console in ``lang`` when given."""
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    if lang:
        client.cookies.set("console_lang", lang)
    if name:
        signed = sign_in(client, name)
        assert signed.status_code == 303, signed.text
    return client


def csrf_of(client: TestClient) -> str:
    """The session's CSRF token, as a page's meta tag carries it."""
    page = client.get("/console/", headers=HTML)
    return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
