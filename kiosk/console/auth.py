"""Signing in and out of the console, and the language switch.

The sign-in form carries its own CSRF token before any session exists: a random value in a
short-lived cookie that the form repeats (double submit), so another site cannot sign a hall PC
into an account of its choosing. Wrong passwords are limited by the account's lockout
(``kiosk.accounts``).
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from kiosk import accounts
from kiosk.console import sessions
from kiosk.console.i18n import COOKIE as LANG_COOKIE
from kiosk.console.i18n import LANGS
from kiosk.console.web import Refused, console_of, csrf_checked, form_of, render, session_of

router = APIRouter(prefix="/console", include_in_schema=False)
LOGIN_COOKIE = "console_login"
TEXT = {
    "wrong_password": ("用户名或密码错误，请检查后重试（连续输错 5 次将锁定 5 分钟）。",
                       "The user name or the password is wrong; check both and retry (5 wrong tries lock "
                       "the account for 5 minutes)."),
    "locked": ("密码错误次数过多，账户已锁定，请 {minutes} 分钟后再试，或联系管理员。",
               "Too many wrong passwords: the account is locked; retry in {minutes} minute(s) or ask the "
               "administrator."),
    "disabled": ("该账户已停用，请联系管理员。", "This account is disabled; ask the administrator."),
    "login_expired": ("登录页面已过期，请再试一次。", "The sign-in page had expired; please try again."),
}


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path only (no open redirect to another site)."""
    if target and target.startswith("/console") and "//" not in target and "\\" not in target:
        return target
    return "/console/"


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    """A console cookie: HttpOnly, SameSite=Strict, Secure when the request came over TLS."""
    response.set_cookie(name, value, max_age=max_age, path="/console", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def _login_page(request: Request, *, status: int = 200, message: str = "", name: str = "",
                minutes: int = 5, target: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    target = safe_next(target or request.query_params.get("next"))
    response = render(request, "login.html", status=status, texts=TEXT, message=message, name=name,
                      minutes=minutes, login_token=token, next=target)
    _cookie(response, request, LOGIN_COOKIE, token, 3600)
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    """The sign-in form (a signed-in browser goes straight on)."""
    if session_of(request) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the name and password; a good pair starts a session and sets its cookie."""
    form = await form_of(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), form.get("login_token", "").encode()):
        return _login_page(request, status=403, message="login_expired", target=form.get("next"))
    name, password = form.get("name", "").strip(), form.get("password", "")
    engine = console_of(request).engine
    source = request.client.host if request.client else ""
    try:  # scrypt takes tens of milliseconds: off the event loop
        account = await run_in_threadpool(accounts.sign_in, engine.store, name, password, engine.clock.now(),
                                          source=source)
    except accounts.AccountError as exc:
        status = {"locked": 423, "disabled": 403}.get(exc.code, 401)
        key = exc.code if exc.code in TEXT else "wrong_password"
        return _login_page(request, status=status, message=key, name=name[:32], target=form.get("next"),
                           minutes=max(1, -(-exc.seconds // 60)))
    session_id = sessions.start(engine.store, account, engine.clock.now())
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    _cookie(response, request, sessions.COOKIE, session_id, int(sessions.ABSOLUTE_S))
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (CSRF-checked: another site cannot sign the hall PC out)."""
    session = session_of(request)
    if session is not None:
        await csrf_checked(request)
        engine = console_of(request).engine
        sessions.end(engine.store, request.cookies.get(sessions.COOKIE, ""))
        accounts.record_sign_out(engine.store, session.account.name, engine.clock.now())
    response = RedirectResponse("/console/login?bye=1", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/console")
    return response


@router.get("/lang/{lang}")
def switch_language(request: Request, lang: str) -> Response:
    """Set the language cookie and go back to the page the switch was pressed on."""
    if lang not in LANGS:
        raise Refused(404, "not_found")
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/console", samesite="strict",
                        secure=request.url.scheme == "https")
    return response
