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
from collections import deque

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from kiosk.domain import HallError
from kiosk.lifespan import while_serving
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
"""The hall events are read at least this often: changes made by another server process."""
STREAM_SERVICE_GAP_S = 3.0
"""A change in the ticket's service (people ahead) reaches its page at most this often: 200
phones of one service re-reading every second would crowd the called ticket's own read."""
STREAM_IDLE_REREAD_S = 60.0
"""A stream re-reads its ticket at least this often anyway (the estimate drifts with time)."""
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


ALL = "*"
"""A change that may touch any ticket's page (a service's settings, a hall settings change …)."""
IGNORED = frozenset({"case", "device", "devstate"})
"""Event types that change nothing a ticket's page shows."""


class Listener:
    """One stream's side of ``Changes``: the keys it follows and the event that wakes it."""

    def __init__(self, keys: set[str]):
        self.keys = keys
        self.wake = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        """Until a round touched this stream's keys (or ``timeout`` seconds)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), max(timeout, 0.0))
        self.wake.clear()


class Changes:
    """Which tickets' pages may have changed, read once for every stream.

    The engine's commits (of this process) raise ``version`` from the writer's thread; one
    watcher task (while any stream is open) looks every ``STREAM_CHECK_S``, reads the new hall
    events ONCE and notes, as a new round, the services and ticket ids they touch (``ALL`` for
    anything broader), then wakes only the streams following those. A stream re-reads its
    ticket only then, so a busy hall's issues in other services cost the phones nothing. Events
    committed by another process are found by a read every ``STREAM_REREAD_S`` at most.
    """

    def __init__(self, feed) -> None:  # noqa: ANN001 - kiosk.events.EventFeed
        self.feed = feed
        self.version = 0
        self.round = 0
        self._version_lock = threading.Lock()
        self._seen = -1
        self._seq: int | None = None
        self._read_at = -1e9
        self._checked = -1e9
        self._poked: set[str] = set()
        self._history: deque[tuple[int, frozenset[str]]] = deque(maxlen=256)
        self._lock: asyncio.Lock | None = None
        self._watcher: asyncio.Task | None = None
        self._listeners: dict[str, set[Listener]] = {}  # "#<ticket id>", a service code → streams
        self.streams = 0

    async def join(self, listener: Listener) -> None:
        """A stream starts: one watcher task looks for changes while any stream is open, and
        wakes only the streams whose ticket or service a round touched (500 phones are 500
        sleeping tasks, never polling on their own). The first notes where the events stand
        before any stream reads its ticket, so no change falls between a stream's first read
        and the watcher's first look."""
        self.streams += 1
        self.listen(listener, listener.keys)
        if self._seq is None:
            seq = await run_in_threadpool(self.feed.last_seq)
            if self._seq is None:
                self._seq = seq
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    def listen(self, listener: Listener, keys: set[str]) -> None:
        """Wake ``listener`` for rounds touching ``keys`` from now on (its service may change)."""
        for key in listener.keys - keys:
            self._listeners.get(key, set()).discard(listener)
        listener.keys = set(keys)
        for key in keys:
            self._listeners.setdefault(key, set()).add(listener)

    def leave(self, listener: Listener) -> None:
        """A stream ended."""
        self.streams -= 1
        for key in listener.keys:
            found = self._listeners.get(key)
            if found is not None:
                found.discard(listener)
                if not found:
                    del self._listeners[key]

    async def _watch(self) -> None:
        while self.streams > 0:
            await asyncio.sleep(STREAM_CHECK_S)
            try:
                await self.refresh()
            except Exception:  # noqa: BLE001 - a database hiccup: the next round tries again
                continue

    def _wake(self, touched: frozenset[str]) -> None:
        if ALL in touched:
            woken = {listener for group in self._listeners.values() for listener in group}
        else:
            woken = {listener for key in touched for listener in self._listeners.get(key, ())}
        for listener in woken:
            listener.wake.set()

    def bump(self) -> None:
        """One more commit (called from the committing thread)."""
        with self._version_lock:
            self.version += 1

    def poke(self, ticket_id: str) -> None:
        """The ticket's page changed without a hall event (a number left or withdrawn, a rating)."""
        self._poked.add(f"#{ticket_id}")
        self.bump()

    async def refresh(self) -> None:
        """Read the new events if anything was committed (at most every ``STREAM_CHECK_S``)."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._checked < STREAM_CHECK_S:
            return
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            now = loop.time()
            if now - self._checked < STREAM_CHECK_S:
                return
            self._checked = now
            if self.version == self._seen and now - self._read_at < STREAM_REREAD_S:
                return
            self._seen, self._read_at = self.version, now
            touched = await run_in_threadpool(self._read)
            touched |= self._poked
            self._poked = set()
            if touched:
                self.round += 1
                self._history.append((self.round, frozenset(touched)))
                self._wake(frozenset(touched))

    def _read(self) -> set[str]:
        if self._seq is None:
            self._seq = self.feed.last_seq()
            return set()
        events = self.feed.after(self._seq, 500)
        if len(events) == 500:  # far behind: everyone looks again
            self._seq = self.feed.last_seq()
            return {ALL}
        touched: set[str] = set()
        for event in events:
            self._seq = event.seq
            data = event.data
            if event.type in IGNORED:
                continue
            if event.type not in ("ticket", "queue", "call"):
                return touched | {ALL}
            touched.add(str(data.get("service")))
            if event.type == "ticket" or event.type == "call":
                touched.add(f"#{data.get('id') if event.type == 'ticket' else data.get('ticket')}")
        return touched

    def touched(self, since: int, keys: set[str]) -> bool:
        """Whether a round after ``since`` touched any of ``keys`` (a ticket's ``#id``, its service)."""
        if since < self.round - len(self._history):
            return True  # older than the history kept
        return any(r > since and (ALL in t or keys & t) for r, t in self._history)


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
        changes.poke(ticket_id)  # the page's own stream shows "rated" at once
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
        changes.poke(ticket_id)
        return {"phone": mask_phone(phone)}

    @router.delete("/p/{token}/notify", status_code=204)
    def withdraw_number(token: str) -> Response:
        ticket_id = _ticket_of(engine, token)
        with engine.store.write() as conn:
            unsubscribe(conn, ticket_id)
        changes.poke(ticket_id)
        return Response(status_code=204)

    @router.get("/t/{ticket_id}")
    def old_status_page(ticket_id: str) -> Response:
        # The old guessable address shows nothing, whatever the id: the QR holds the token now.
        return HTMLResponse(NOT_FOUND, status_code=404, headers=PAGE_HEADERS)

    return router


async def _stream(engine, changes: Changes, ticket_id: str):  # noqa: ANN001, ANN202 - an async generator
    """SSE frames of the ticket's state: the current one at once, then each change. Its own
    ticket's events are shown at once; its service's (people ahead, the estimate) at most every
    ``STREAM_SERVICE_GAP_S``."""
    loop = asyncio.get_running_loop()
    started = last_sent = loop.time()
    yield b"retry: 3000\n\n"
    own = f"#{ticket_id}"
    last_body, last_read, seen, keys = None, -1e9, -1, {own}
    listener = Listener({own})
    try:
        await changes.join(listener)  # counts the stream first thing: the finally below always balances it
        while loop.time() - started < STREAM_LIFE_S:
            now = loop.time()
            wait = min(STREAM_PING_S - (now - last_sent), STREAM_IDLE_REREAD_S - (now - last_read))
            due = last_body is None or now - last_read >= STREAM_IDLE_REREAD_S
            if not due and changes.touched(seen, keys):
                gap = STREAM_SERVICE_GAP_S - (now - last_read)
                due = gap <= 0 or changes.touched(seen, {own})
                wait = min(wait, gap)
            if due:
                seen, last_read = changes.round, now
                try:
                    state = await run_in_threadpool(public_state, engine, ticket_id)
                except Exception:  # noqa: BLE001 - a database hiccup: the page keeps its last state
                    state = None
                if state is not None:
                    keys = {own, state["service_code"]}
                    if keys != listener.keys:
                        changes.listen(listener, keys)
                    body = json.dumps(state, ensure_ascii=False)
                    if body != last_body:
                        last_body, last_sent = body, now
                        yield f"event: state\ndata: {body}\n\n".encode()
                continue
            if now - last_sent >= STREAM_PING_S:
                last_sent = now
                yield b": ping\n\n"
                continue
            await listener.wait(wait)
    finally:
        changes.leave(listener)


def install_phone(app: FastAPI, engine, **worker_options) -> NotifyWorker:  # noqa: ANN001 - HallEngine
    """Add the phone page's routes to ``app`` and run the notify worker while it serves;
    ``worker_options`` go to ``NotifyWorker`` (tests shorten its pauses)."""
    changes = Changes(engine.feed)
    engine.feed.add_listener(changes.bump)
    app.include_router(phone_router(engine, changes))
    worker = app.state.notify_worker = NotifyWorker(engine, **worker_options)
    while_serving(app, worker.start, worker.stop)
    return worker
