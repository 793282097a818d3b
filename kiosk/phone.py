"""The citizen's phone page: ``/p/<token>`` (DESIGN.md "The citizen's phone").

The QR code on the ticket (and on the kiosk's screen) holds ``<public_url>/p/<token>``, the
ticket's 144-bit page token (``kiosk.phone_store``); the ticket id never appears. Routes, none
of them needing a device token, all answering 404 for a token nobody holds:

- ``GET /p/<token>``: the page (``kiosk.phone_page``), Chinese or English;
- ``GET /p/<token>/state``: this ticket's state as JSON (``kiosk.phone_state``), the page's poll;
- ``GET /p/<token>/events``: Server-Sent Events carrying only this ticket's state, sent when it
  changes; the page falls back to the poll when a proxy or the phone drops streams;
- ``POST /p/<token>/rating``: the 好差评 of the finished ticket (channel ``qr``);
- ``POST|DELETE /p/<token>/notify``: leave or withdraw a mobile number (``kiosk.notify``);
- ``GET /p/static/<name>.<hash>.<ext>``: the page's own CSS and JavaScript, cached for a year
  (a changed file gets a new name). No CDN, nothing from elsewhere.

The old ``/t/<ticket id>`` reveals nothing: 404 with a sentence pointing at the QR code.
``install_phone`` adds the routes and runs the ``NotifyWorker`` while the server runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from kiosk.domain import HallError
from kiosk.models import PAGE_TOKEN, mobile_number
from kiosk.notify import NotifyWorker
from kiosk.phone_page import asset, language, render
from kiosk.phone_state import public_state
from kiosk.phone_store import ENDED, mask_phone, subscribe, ticket_id_of, unsubscribe
from kiosk.rating_models import QR_RATER, Rating, RatingRequest

ASSETS = ("phone.css", "phone.js")
IMMUTABLE = "public, max-age=31536000, immutable"
PAGE_HEADERS = {
    "Cache-Control": "no-store",  # the ticket's state: never from a cache
    "Referrer-Policy": "no-referrer",  # the token must not travel to anywhere the page links to
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'",
}
STREAM_CHECK_S = 0.25
"""How often a stream looks whether the hall changed (a counter, no database read)."""
STREAM_REREAD_S = 5.0
"""A stream re-reads its ticket at least this often: changes made by another server process."""
STREAM_PING_S = 15.0
STREAM_LIFE_S = 600.0
"""A stream ends after this long; the phone's EventSource reconnects (no stream lives forever)."""
_TOKEN = re.compile(PAGE_TOKEN)
NOT_FOUND = ("<!doctype html><html lang='zh-CN'><meta charset='utf-8'>"
             "<meta name='viewport' content='width=device-width, initial-scale=1'><title>404</title>"
             "<p>没有这张号的页面。请扫描号票上的二维码打开。</p>"
             "<p lang='en'>There is no page for this ticket here. Scan the QR code printed on your ticket.</p></html>")


class PhoneNumber(BaseModel):
    """Body of ``POST /p/<token>/notify``."""

    model_config = ConfigDict(extra="forbid")
    phone: str


class Changes:
    """A counter the engine's commits raise (from the writer's thread): streams compare it
    instead of reading the database four times a second each."""

    def __init__(self) -> None:
        self.version = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        """One more commit."""
        with self._lock:
            self.version += 1


def _ticket_of(engine, token: str) -> str:  # noqa: ANN001 - HallEngine
    """The ticket id behind ``token``; a 404 for a malformed or unknown one (the same answer,
    so nobody learns which tokens look right)."""
    if not _TOKEN.fullmatch(token):
        raise HallError("not_found", "no such ticket page; scan the QR code printed on the ticket")
    with engine.store.read() as conn:
        ticket_id = ticket_id_of(conn, token)
    if ticket_id is None:
        raise HallError("not_found", "no such ticket page; scan the QR code printed on the ticket")
    return ticket_id


def phone_router(engine, changes: Changes) -> APIRouter:  # noqa: ANN001 - HallEngine
    """The phone page's routes over ``engine``."""
    router = APIRouter(include_in_schema=False)

    @router.get("/p/static/{name}")
    def static(name: str) -> Response:
        for source in ASSETS:
            versioned, data = asset(source)
            if name == versioned:
                kind = "text/css" if source.endswith(".css") else "text/javascript"
                return Response(data, media_type=f"{kind}; charset=utf-8", headers={"Cache-Control": IMMUTABLE})
        raise HallError("not_found", f"no static file {name!r}")

    @router.get("/p/{token}")
    def page(request: Request, token: str, lang: str | None = None) -> Response:
        try:
            ticket_id = _ticket_of(engine, token)
        except HallError:
            return HTMLResponse(NOT_FOUND, status_code=404, headers=PAGE_HEADERS)
        chosen = language(lang, request.headers.get("accept-language"))
        body = render(engine.config, public_state(engine, ticket_id), chosen, token)
        return HTMLResponse(body, headers={**PAGE_HEADERS, "Content-Language": "zh-CN" if chosen == "zh" else "en",
                                           "Vary": "Accept-Language"})

    @router.get("/p/{token}/state")
    def state(token: str) -> Response:
        return JSONResponse(public_state(engine, _ticket_of(engine, token)), headers=PAGE_HEADERS)

    @router.get("/p/{token}/events")
    async def events(token: str) -> Response:
        ticket_id = await run_in_threadpool(_ticket_of, engine, token)
        return StreamingResponse(_stream(engine, changes, ticket_id), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @router.post("/p/{token}/rating", status_code=201, response_model=Rating)
    def rate(token: str, body: RatingRequest) -> Rating:
        ticket_id = _ticket_of(engine, token)
        rating = engine.rate(ticket_id, body, QR_RATER)
        changes.bump()  # the page's own stream shows "rated" at once
        return rating

    @router.post("/p/{token}/notify")
    def leave_number(token: str, body: PhoneNumber) -> dict:
        ticket_id = _ticket_of(engine, token)
        try:
            phone = mobile_number(body.phone)
        except ValueError as exc:
            raise HallError("validation_error", str(exc)) from None
        if not engine.config.notify.enabled:
            raise HallError("validation_error", "this hall sends no text messages (its [notify] sender is none)")
        ticket = engine.ticket(ticket_id)
        if ticket.state in ENDED:
            raise HallError("invalid_transition", f"this ticket is {ticket.state.replace('_', ' ')}: "
                            "there is nothing left to tell you about it")
        with engine.store.write() as conn:
            subscribe(conn, ticket_id, phone, engine.clock.now())
        engine.feed.notify()  # the worker looks at once: maybe the ticket is close already
        return {"phone": mask_phone(phone)}

    @router.delete("/p/{token}/notify", status_code=204)
    def withdraw_number(token: str) -> Response:
        ticket_id = _ticket_of(engine, token)
        with engine.store.write() as conn:
            unsubscribe(conn, ticket_id)
        changes.bump()
        return Response(status_code=204)

    @router.get("/t/{ticket_id}")
    def old_status_page(ticket_id: str) -> Response:
        # The old guessable address shows nothing, whatever the id: the QR holds the token now.
        return HTMLResponse(NOT_FOUND, status_code=404, headers=PAGE_HEADERS)

    return router


async def _stream(engine, changes: Changes, ticket_id: str):  # noqa: ANN001, ANN202 - an async generator
    """SSE frames of the ticket's state: the current one at once, then each change."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    yield b"retry: 3000\n\n"
    last_body, last_read, last_sent, seen = None, -1e9, loop.time(), -1
    while loop.time() - started < STREAM_LIFE_S:
        now = loop.time()
        if changes.version != seen or now - last_read >= STREAM_REREAD_S:
            seen, last_read = changes.version, now
            try:
                state = await run_in_threadpool(public_state, engine, ticket_id)
            except Exception:  # noqa: BLE001 - a database hiccup: the page keeps its last state
                state = None
            body = None if state is None else json.dumps(state, ensure_ascii=False)
            if body is not None and body != last_body:
                last_body, last_sent = body, now
                yield f"event: state\ndata: {body}\n\n".encode()
        if now - last_sent >= STREAM_PING_S:
            last_sent = now
            yield b": ping\n\n"
        await asyncio.sleep(STREAM_CHECK_S)


def install_phone(app: FastAPI, engine, **worker_options) -> NotifyWorker:  # noqa: ANN001 - HallEngine
    """Add the phone page's routes to ``app`` and run the notify worker while it serves;
    ``worker_options`` go to ``NotifyWorker`` (tests shorten its pauses)."""
    changes = Changes()
    engine.feed.add_listener(changes.bump)
    app.include_router(phone_router(engine, changes))
    worker = app.state.notify_worker = NotifyWorker(engine, **worker_options)
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: FastAPI):  # noqa: ANN202 - Starlette's lifespan protocol
        worker.start()
        try:
            async with inner(application) as state:
                yield state
        finally:
            worker.stop()

    app.router.lifespan_context = lifespan
    return worker
