"""The city view's HTTP side (DESIGN.md "Many halls in one database"): ``GET /api/v1/city/stats``
and the city accounts' sign-in and sign-out (the City page itself: kiosk.console.page_city).

Installed on a hall server started with ``--city`` (``install_city``). A city account (``kiosk
accounts add --city``) signs in at ``/console/city/login``; its session lives in the city's
schema and its cookie (``city_session``) is another than a hall's, so no hall endpoint knows
it: a city session reads the city view and nothing else, and a hall's own session never opens
the city view.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from kiosk import accounts
from kiosk.accounts import Account
from kiosk.city import City
from kiosk.city_models import CityReport
from kiosk.clock import local
from kiosk.console import sessions
from kiosk.console.auth import TEXT as SIGN_IN_TEXT
from kiosk.console.web import form_of
from kiosk.domain import HallError
from kiosk.stats_api import parse_day, parse_threshold

COOKIE = "city_session"
LOGIN_COOKIE = "city_login"
CITY_ROLES = ("admin", "director")
"""City accounts of these roles read the city view (every city page and call only reads)."""
api = APIRouter(prefix="/api/v1/city", tags=["city"])
router = APIRouter(prefix="/console/city", include_in_schema=False)


def city_of(request: Request) -> City:
    """The server's city view; 404 on a hall server started without ``--city``."""
    city = getattr(request.app.state, "city", None)
    if city is None:
        raise HallError("not_found", "this hall server shows no city view; it is started with --city on a "
                        "city database (kiosk serve --db URL --hall CODE --city)")
    return city


def city_session(request: Request) -> sessions.Session | None:
    """The request's live city session (looked up once), or None."""
    if not hasattr(request.state, "city_session"):
        city = city_of(request)
        found = sessions.find(city.store, request.cookies.get(COOKIE), request.app.state.engine.clock.now())
        request.state.city_session = found if found is None or found.account.role in CITY_ROLES else None
    return request.state.city_session


def city_reader(request: Request) -> Account:
    """A dependency: the signed-in city account, or 401 in a sentence."""
    session = city_session(request)
    if session is None:
        raise HallError("unauthorized", "sign in with a city account first (/console/city/login); a hall's own "
                        "account or token does not open the city view")
    return session.account


Reader = Annotated[Account, Depends(city_reader)]


def today_of(request: Request) -> date:
    """Today in the serving hall's time zone."""
    engine = request.app.state.engine
    return local(engine.clock.now(), engine.tz).date()


@api.get("/stats", response_model=CityReport, summary="The city's figures of a period, by hall")
def city_stats(request: Request, _who: Reader,
               start: Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD")] = None,
               to: Annotated[str | None, Query(description="last day, YYYY-MM-DD, inclusive")] = None,
               threshold: Annotated[str, Query(description="minutes above which a wait is long")] = "30",
               hall: Annotated[str | None, Query(description="one hall's code: its rows by service too")] = None,
               ) -> CityReport:
    """Every hall's totals (kiosk.stats), the tickets waiting in each now, and the city's total
    (city accounts signed in at /console/city/login; default period: today)."""
    today = today_of(request)
    first = parse_day(start, "from") if start else today
    last = parse_day(to, "to") if to else today
    if hall is not None and not hall:
        hall = None
    engine = request.app.state.engine
    return city_of(request).report(first, last, threshold_min=parse_threshold(threshold), now=engine.clock.now(),
                                   today=today.isoformat(), only=hall)


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    # Path "/": the API under /api/v1/city needs it as much as the page does.
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a city page only."""
    if target and target.startswith("/console/city") and "//" not in target and "\\" not in target:
        return target
    return "/console/city"


def login_page(request: Request, *, status: int = 200, message: str = "", name: str = "",
               minutes: int = 5, target: str | None = None) -> Response:
    """The city sign-in form, with its double-submit token (as the hall's, kiosk.console.auth)."""
    from kiosk.console.page_city import render_city

    token = secrets.token_urlsafe(24)
    response = render_city(request, "city_login.html", None, status=status, texts=SIGN_IN_TEXT, message=message,
                           name=name, minutes=minutes, login_token=token,
                           next=safe_next(target or request.query_params.get("next")))
    _cookie(response, request, LOGIN_COOKIE, token, 3600)
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    """The city sign-in form (a signed-in browser goes straight on)."""
    city_of(request)
    if city_session(request) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check a city account's name and password; a good pair starts a city session."""
    city = city_of(request)
    form = await form_of(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), form.get("login_token", "").encode()):
        return login_page(request, status=403, message="login_expired", target=form.get("next"))
    name, password = form.get("name", "").strip(), form.get("password", "")
    now = request.app.state.engine.clock.now()
    source = request.client.host if request.client else ""
    try:  # scrypt: off the event loop
        account = await run_in_threadpool(accounts.sign_in, city.store, name, password, now, source=source)
        if account.role not in CITY_ROLES:
            raise accounts.AccountError("disabled", "")
    except accounts.AccountError as exc:
        status = {"locked": 423, "disabled": 403}.get(exc.code, 401)
        key = exc.code if exc.code in SIGN_IN_TEXT else "wrong_password"
        return login_page(request, status=status, message=key, name=name[:32], target=form.get("next"),
                          minutes=max(1, -(-exc.seconds // 60)))
    session_id = await run_in_threadpool(sessions.start, city.store, account, now)
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    _cookie(response, request, COOKIE, session_id, int(sessions.ABSOLUTE_S))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the city session (CSRF-checked: the form repeats the session's token)."""
    city = city_of(request)
    session = city_session(request)
    if session is not None:
        token = request.headers.get("x-csrf-token") or (await form_of(request)).get("csrf")
        if not sessions.csrf_matches(session, token):
            raise HallError("forbidden", "this form is out of date; open the City page again and sign out there")
        sessions.end(city.store, request.cookies.get(COOKIE, ""))
        accounts.record_sign_out(city.store, session.account.name, request.app.state.engine.clock.now())
    response = RedirectResponse("/console/city/login?bye=1", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def install_city(app: FastAPI, city: City) -> None:
    """Add the city view to a hall server's ``app`` (``kiosk serve --city``)."""
    app.state.city = city
    app.include_router(api)
    app.include_router(router)
