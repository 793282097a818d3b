"""The hall server: a thin FastAPI layer over the hall engine (DESIGN.md §5).

Roles are checked here, errors become ``application/problem+json``, and the event stream is
served as Server-Sent Events. Everything else is the engine's business.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import time
from collections.abc import AsyncIterator, Callable

from anyio import to_thread
from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from sqlalchemy import insert, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk import __version__
from kiosk import store as db
from kiosk.domain import HallError
from kiosk.engine import HallEngine
from kiosk.issue_batcher import IssueBatcher
from kiosk.models import (
    ActionRequest,
    Appointment,
    Call,
    CardSearch,
    Catalog,
    HelpCall,
    HelpRequest,
    IssueRequest,
    QueueEntry,
    ServiceChange,
    Ticket,
    WindowChange,
)

ROLES = ("kiosk", "counter", "display", "guide", "admin")
DEV_TOKENS = {f"dev-{role}": role for role in ROLES}
MAX_BODY_BYTES = 64 * 1024
TOKEN_CACHE_S = 30.0
"""A revoked token is refused at the latest this many seconds later."""
PROBLEM = "application/problem+json"


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256 hashes, never in clear."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_token(store: db.Store, token: str, role: str, device: str, now: float) -> None:
    """Register a device token with its role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    with store.write() as conn:
        conn.execute(insert(db.tokens).values(token_hash=hash_token(token), role=role, device=device,
                                              created_at=now))


def problem(error: HallError) -> JSONResponse:
    """An RFC 9457 problem document for a HallError."""
    body = {"type": "about:blank", "status": error.status, "title": error.title, "detail": error.detail,
            "code": error.code, **error.extra}
    return JSONResponse(body, status_code=error.status, media_type=PROBLEM)


class Auth:
    """Resolves a bearer token to a role: development tokens in ``--dev``, else the tokens table."""

    def __init__(self, store: db.Store, dev: bool):
        self.store = store
        self.dev = dev
        self._known: dict[str, tuple[str, str, float]] = {}  # token hash → (role, device, looked up at)

    def role_of(self, authorization: str | None) -> str:
        """The role of the bearer token."""
        return self.identity_of(authorization)[0]

    def identity_of(self, authorization: str | None) -> tuple[str, str]:
        """(role, device) of the bearer token: who a caller is comes from its token, never from
        its body. A known token is looked up again after TOKEN_CACHE_S."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise HallError("unauthorized", "send 'Authorization: Bearer <token>' with a device token")
        token = authorization[7:].strip()
        if self.dev and token in DEV_TOKENS:
            return DEV_TOKENS[token], token
        digest = hash_token(token)
        cached = self._known.get(digest)
        if cached and time.monotonic() - cached[2] < TOKEN_CACHE_S:
            return cached[0], cached[1]
        t = db.tokens
        with self.store.read() as conn:
            row = conn.execute(select(t.c.role, t.c.device).where(t.c.token_hash == digest)).first()
        if row is None:
            raise HallError("unauthorized", "unknown or revoked token")
        self._known[digest] = (row.role, row.device, time.monotonic())
        return row.role, row.device

    def require(self, *roles: str) -> Callable:
        """A dependency admitting only ``roles`` (admin is always admitted)."""
        allowed = set(roles) | {"admin"}

        # async: FastAPI would otherwise hand this cheap check to its thread pool on every request.
        async def dependency(authorization: str | None = Header(default=None)) -> str:
            role = self.role_of(authorization)
            if roles and role not in allowed:
                raise HallError("forbidden", f"a {role} token may not do this; needs {' or '.join(sorted(allowed))}")
            return role

        return dependency


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HallError)
    async def _hall_error(_request: Request, exc: HallError) -> JSONResponse:
        return problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]]
        return problem(HallError("validation_error", "; ".join(parts) or "invalid request"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "validation_error", 413: "payload_too_large"}.get(exc.status_code,
                                                                                          "validation_error")
        body = {"type": "about:blank", "status": exc.status_code, "title": str(exc.detail),
                "detail": str(exc.detail), "code": code}
        return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        body = {"type": "about:blank", "status": 500, "title": "Internal error",
                "detail": f"the server failed: {type(exc).__name__}", "code": "internal_error"}
        return JSONResponse(body, status_code=500, media_type=PROBLEM)


class BodyLimit:
    """Refuses request bodies over ``MAX_BODY_BYTES``, declared or streamed (chunked).

    The body is read here first (it is small by definition) and replayed to the application. A
    plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` would cost more per request than
    the whole ticket issue.
    """

    def __init__(self, app):  # noqa: ANN001 - an ASGI application
        self.app = app

    async def __call__(self, scope, receive, send):  # noqa: ANN001
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return await _too_large(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return None  # the client went away before sending its body
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY_BYTES:
                return await _too_large(scope, receive, send)
        replayed = False

        async def replay():  # noqa: ANN202
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: disconnects, as the client sends them
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _too_large(scope, receive, send) -> None:  # noqa: ANN001
    response = problem(HallError("payload_too_large", f"bodies are limited to {MAX_BODY_BYTES} bytes"))
    await response(scope, receive, send)


def create_app(engine: HallEngine, *, dev: bool = False, heartbeat_s: float = 15.0,
               issue_window: float = 0.001) -> FastAPI:
    """The hall server's ASGI application over ``engine``; ``issue_window`` is how long the
    group commit gathers ticket requests (kiosk.issue_batcher)."""
    app = FastAPI(title="Hall kiosk server", version=__version__, openapi_url="/openapi.json",
                  docs_url="/docs", redoc_url=None)
    app.state.engine = engine
    batcher = app.state.issue_batcher = IssueBatcher(engine, window=issue_window)
    app.add_middleware(BodyLimit)
    auth = Auth(engine.store, dev)
    _install_error_handlers(app)
    any_role = auth.require()
    v1 = "/api/v1"

    @app.get(f"{v1}/health")
    def health() -> dict:
        return engine.health()

    @app.get(f"{v1}/catalog", response_model=Catalog)
    def catalog(request: Request, _role: str = Depends(any_role)) -> Response:
        body = engine.catalog().model_dump_json()
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(body, media_type="application/json", headers={"ETag": etag})

    @app.post(f"{v1}/tickets", status_code=201, response_model=Ticket)
    async def issue(body: IssueRequest, idempotency_key: str = Header(..., min_length=1, max_length=128),
                    _role: str = Depends(auth.require("kiosk", "guide"))) -> Response:
        # On the event loop, not the thread pool: issues are serialised by the store anyway, and
        # a few milliseconds of engine work beat sixteen pool threads fighting over the lock and
        # the GIL (about 1.5x the throughput, measured). Requests that arrive together share one
        # commit (kiosk.issue_batcher). The cost: while the disk stalls a write, other requests
        # wait too. Serialised here: the engine's Ticket is already valid.
        ticket = await batcher.issue(body, idempotency_key)
        return Response(ticket.model_dump_json(), status_code=201, media_type="application/json")

    @app.get(f"{v1}/tickets", response_model=list[Ticket])
    def list_tickets(day: str | None = None, service: str | None = None, state: str | None = None,
                     _role: str = Depends(auth.require("guide"))) -> list[Ticket]:
        if day is not None:
            _check_day(day)
        return engine.tickets(day, service, state)

    @app.post(f"{v1}/tickets/search", response_model=list[Ticket])
    def search_tickets(body: CardSearch, _role: str = Depends(auth.require("guide"))) -> list[Ticket]:
        # A POST, not a query parameter: the sealed number stays out of URLs and access logs.
        if body.day is not None:
            _check_day(body.day)
        return engine.tickets(body.day, id_sealed=body.id_sealed)

    @app.get(f"{v1}/tickets/{{ticket_id}}", response_model=Ticket)
    def get_ticket(ticket_id: str, _role: str = Depends(any_role)) -> Ticket:
        return engine.ticket(ticket_id)

    @app.post(f"{v1}/tickets/{{ticket_id}}/{{action}}", response_model=Ticket)
    def act(ticket_id: str, action: str, body: ActionRequest | None = None,
            role: str = Depends(auth.require("counter", "guide", "kiosk"))) -> Ticket:
        body = body or ActionRequest()
        if role == "kiosk":
            _check_kiosk_reprint(engine, ticket_id, action, body)
        return engine.act(ticket_id, action, body)

    @app.post(f"{v1}/windows/{{number}}/call-next", response_model=Call,
              responses={204: {"description": "nobody waits"}})
    def call_next(number: int, _role: str = Depends(auth.require("counter"))) -> Response | Call:
        call = engine.call_next(number, actor=f"window {number}")
        return Response(status_code=204) if call is None else call

    @app.post(f"{v1}/windows/{{number}}", status_code=204)
    def change_window(number: int, body: WindowChange,
                      _role: str = Depends(auth.require("counter", "guide"))) -> Response:
        engine.change_window(number, body)
        return Response(status_code=204)

    @app.post(f"{v1}/services/{{code}}", response_model=Catalog)
    def change_service(code: str, body: ServiceChange, _role: str = Depends(auth.require("guide"))) -> Catalog:
        return engine.change_service(code, body)

    @app.post(f"{v1}/appointments")
    def add_appointments(body: list[Appointment], _role: str = Depends(auth.require("guide"))) -> dict:
        return {"imported": engine.add_appointments(body)}

    @app.post(f"{v1}/help", status_code=202, response_model=HelpCall)
    def request_help(body: HelpRequest, authorization: str | None = Header(default=None),
                     _role: str = Depends(auth.require("kiosk"))) -> HelpCall:
        # The kiosk asking is the token's device, whatever the body says.
        return engine.request_help(auth.identity_of(authorization)[1], body.screen)

    @app.get(f"{v1}/queue", response_model=list[QueueEntry])
    def queue(_role: str = Depends(any_role)) -> list[QueueEntry]:
        return engine.queue()

    @app.get(f"{v1}/calls", response_model=list[Call])
    def calls(after: int = 0, limit: int = 50, _role: str = Depends(any_role)) -> list[Call]:
        if not 0 <= after <= MAX_SEQ or not 1 <= limit <= 500:
            raise HallError("validation_error", "after must be between 0 and 2^63-1 and limit between 1 and 500")
        return engine.calls(after, limit)

    @app.get(f"{v1}/events")
    async def events(request: Request, last_event_id: str | None = Header(default=None),
                     after: int | None = None, _role: str = Depends(any_role)) -> StreamingResponse:
        start = _resume_point(engine, last_event_id, after)
        stream = _sse_stream(engine, request, start, heartbeat_s)
        return StreamingResponse(stream, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.get("/t/{ticket_id}", response_class=HTMLResponse, include_in_schema=False)
    def status_page(ticket_id: str) -> HTMLResponse:
        return HTMLResponse(_status_html(engine, engine.ticket(ticket_id)))

    return app


MAX_SEQ = 2**63 - 1
"""The largest sequence number SQLite's INTEGER holds; a bigger one is bad input, not a 500."""


def _check_kiosk_reprint(engine: HallEngine, ticket_id: str, action: str, body: ActionRequest) -> None:
    """A kiosk may only reprint, and only the ticket of the card on its reader."""
    if action != "reprint":
        raise HallError("forbidden", f"a kiosk token may not {action} a ticket; needs counter or guide")
    if body.id_sealed is None or not engine.held_by(ticket_id, body.id_sealed):
        raise HallError("forbidden", "a kiosk may reprint only the ticket of the ID card on its reader")


def _check_day(day: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(day)
    except ValueError:
        raise HallError("validation_error", f"day must be YYYY-MM-DD, not {day!r}") from None


def _resume_point(engine: HallEngine, last_event_id: str | None, after: int | None) -> int:
    """Where a stream starts: after Last-Event-ID, after ``?after=``, or at the newest event."""
    if last_event_id is not None:
        if not last_event_id.strip().isdigit() or int(last_event_id) > MAX_SEQ:
            raise HallError("validation_error", "Last-Event-ID must be an event sequence number")
        return int(last_event_id)
    if after is not None:
        if not 0 <= after <= MAX_SEQ:
            raise HallError("validation_error", "after must be between 0 and 2^63-1")
        return after
    return engine.feed.last_seq()


async def _sse_stream(engine: HallEngine, request: Request, seq: int, heartbeat_s: float) -> AsyncIterator[str]:
    """Events after ``seq`` as they come; a comment line after each ``heartbeat_s`` of silence
    keeps proxies and the client's read timeout from closing an idle stream."""
    loop = asyncio.get_running_loop()
    yield f": connected at {seq}\n\n"
    last_write = loop.time()
    while not await request.is_disconnected():
        batch = await to_thread.run_sync(engine.wait_events, seq, min(heartbeat_s, 1.0))
        for event in batch:
            seq = event.seq
            data = json.dumps(event.data, ensure_ascii=False)
            yield f"id: {event.seq}\nevent: {event.type}\ndata: {data}\n\n"
        if batch:
            last_write = loop.time()
        elif loop.time() - last_write >= heartbeat_s:
            last_write = loop.time()
            yield ": keep-alive\n\n"


def _status_html(engine: HallEngine, ticket: Ticket) -> str:
    service = engine.config.service(ticket.service)
    name = html.escape(service.name.zh if service else ticket.service)
    ahead = "—" if ticket.ahead is None else str(ticket.ahead)
    eta = "—" if ticket.eta_minutes is None else f"{ticket.eta_minutes} 分钟"
    return (
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        f"<meta http-equiv=refresh content=20><title>{html.escape(ticket.number)}</title>"
        f"<h1>{html.escape(ticket.number)}</h1><p>{name}</p><p>状态 State: {html.escape(ticket.state)}</p>"
        f"<p>前面还有 Ahead: {ahead}</p><p>预计等待 Estimate: {eta}</p>"
    )
