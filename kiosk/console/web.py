"""What every console page uses: who is signed in, the CSRF check, rendering, the nav registry.

A page module (``kiosk/console/page_<name>.py``) has a FastAPI ``router`` and a ``PAGE``
(``Page``) for the top bar; ``install_console`` finds it by its file name. Its endpoints take
the account from ``Depends(signed_in(<roles>))`` and render with ``render``. POSTs to a page's
router are CSRF-checked by ``install_console`` for every page (``csrf_checked``), so a page
cannot forget it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kiosk.accounts import Account
from kiosk.console import sessions
from kiosk.console.i18n import Table, lang_of, pick, words

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Page:
    """A console page in the top bar: its name, path, titles and the roles that may open it
    (admin may open every page). ``order`` places it among the others."""

    name: str
    path: str
    zh: str
    en: str
    roles: tuple[str, ...]
    order: int = 50
    city: bool = False
    """A city page (kiosk.console.page_city): city accounts only, never in a hall's top bar."""

    def allows(self, role: str) -> bool:
        """Whether a hall account of ``role`` may open this page."""
        return not self.city and (role == "admin" or role in self.roles)


@dataclass
class ConsoleState:
    """The console's share of ``app.state.console``: the engine, the hall file (for the settings
    page), its pages, the templates and the static files' version tags."""

    engine: Any
    hall_file: Path | None = None
    pages: list[Page] = field(default_factory=list)
    env: Environment = field(default_factory=lambda: Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",)), trim_blocks=True,
        lstrip_blocks=True))
    versions: dict[str, str] = field(default_factory=dict)

    def version(self, name: str) -> str:
        """A short content hash of a static file, for cache-busting URLs."""
        if name not in self.versions:
            path = STATIC / name
            self.versions[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "0"
        return self.versions[name]


class NeedSignIn(Exception):
    """No live session: a browser is sent to the sign-in page, a fetch gets 401."""


class Refused(Exception):
    """A plain page refusal (403 for a role or CSRF) with a sentence in both languages."""

    def __init__(self, status: int, key: str):
        super().__init__(key)
        self.status = status
        self.key = key


def console_of(request: Request) -> ConsoleState:
    """The console's state on the app."""
    return request.app.state.console


def session_of(request: Request) -> sessions.Session | None:
    """The request's live session (looked up once per request), or None."""
    if not hasattr(request.state, "console_session"):
        engine = console_of(request).engine
        request.state.console_session = sessions.find(engine.store, request.cookies.get(sessions.COOKIE),
                                                      engine.clock.now())
    return request.state.console_session


def signed_in(*roles: str):  # noqa: ANN201 - a FastAPI dependency
    """A dependency giving the signed-in Account, admitting only ``roles`` (admin always; none:
    every role). No session: NeedSignIn; another role: Refused 403."""

    def dependency(request: Request) -> Account:
        session = session_of(request)
        if session is None:
            raise NeedSignIn()
        if roles and session.account.role != "admin" and session.account.role not in roles:
            raise Refused(403, "role_refused")
        return session.account

    return dependency


async def form_of(request: Request) -> dict[str, str]:
    """A POSTed ``application/x-www-form-urlencoded`` form (read once; the body is small, see
    kiosk.server.BodyLimit). The first value of each field."""
    if not hasattr(request.state, "console_form"):
        body = await request.body()
        kind = request.headers.get("content-type", "")
        fields: dict[str, str] = {}
        if kind.startswith("application/x-www-form-urlencoded"):
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                fields.setdefault(key, value)
        request.state.console_form = fields
    return request.state.console_form


async def csrf_checked(request: Request) -> None:
    """A dependency refusing (403) a state-changing request without the session's CSRF token,
    sent as the ``X-CSRF-Token`` header (fetch) or the ``csrf`` form field. Safe methods pass."""
    if request.method in SAFE_METHODS:
        return
    session = session_of(request)
    if session is None:
        raise NeedSignIn()
    token = request.headers.get("x-csrf-token")
    if token is None:
        token = (await form_of(request)).get("csrf")
    if not sessions.csrf_matches(session, token):
        raise Refused(403, "csrf_failed")


def wants_html(request: Request) -> bool:
    """Whether the request is a browser's page load (not a fetch or an event stream)."""
    return "text/html" in request.headers.get("accept", "")


def visible_pages(request: Request, account: Account | None) -> list[Page]:
    """The pages ``account`` may open, in the top bar's order."""
    if account is None:
        return []
    return [p for p in console_of(request).pages if p.allows(account.role)]


def render(request: Request, template: str, *, status: int = 200, texts: Table | None = None,
           **context: Any) -> HTMLResponse:
    """A page of the console: ``template`` with the top bar's context (hall name, the account's
    pages, language, CSRF token) and ``texts`` (the page's ``TEXT``) as ``t``."""
    console = console_of(request)
    session = session_of(request)
    account = session.account if session else None
    name = console.engine.config.hall.name
    base = {
        "request": request, "t": words(request, *([texts] if texts else [])), "lang": lang_of(request),
        "account": account, "csrf": session.csrf if session else "", "pages": visible_pages(request, account),
        "hall_name": pick(request, name.zh, name.en), "path": request.url.path,
        "static": lambda f: f"/console/static/{f}?v={console.version(f)}",
        "title_of": lambda p: pick(request, p.zh, p.en),
        "here": quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe=""),
    }
    html = console.env.get_template(template).render(**base, **context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
