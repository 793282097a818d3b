"""The hall server: a thin FastAPI layer over the hall engine (DESIGN.md §5).

Roles are checked here, errors become ``application/problem+json``, and the event stream is
served as Server-Sent Events. Everything else is the engine's business.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk import __version__, trust
from kiosk import store as db
from kiosk.datafile import probe
from kiosk.domain import HallError
from kiosk.engine import HallEngine
from kiosk.event_hub import EventHub
from kiosk.issue_batcher import IssueBatcher
from kiosk.lifespan import while_serving
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
    page_url,
)
from kiosk.ratings_api import ratings_router
from kiosk.ticket_pages import MAX_LIMIT
from kiosk.tokens import DEV_TOKENS, ROLES, Identity, add_token, hash_token, identify

PAGE_TOKEN_ROLES = ("kiosk", "guide", "admin")
"""Who gets a ticket's phone page address by its id: who prints or reprints tickets."""

__all__ = ["DEV_TOKENS", "ROLES", "Auth", "add_token", "create_app", "hash_token", "problem"]

MAX_BODY_BYTES = 64 * 1024
PROBLEM = "application/problem+json"
log = logging.getLogger(__name__)


def problem(error: HallError) -> JSONResponse:
    """An RFC 9457 problem document for a HallError."""
    body = {"type": "about:blank", "status": error.status, "title": error.title, "detail": error.detail,
            "code": error.code, **error.extra}
    return JSONResponse(body, status_code=error.status, media_type=PROBLEM)


class Auth:
    """Resolves a bearer token to an Identity: development tokens in ``--dev``, else the tokens
    table, read on every request (a primary-key read of a few µs, ``Store.find_token``), so a
    revoked token is refused from the next request on."""

    def __init__(self, store: db.Store, dev: bool):
        self.store = store
        self.dev = dev

    def identity_of(self, authorization: str | None) -> Identity:
        """Who the bearer token speaks for: who a caller is comes from its token, never from its body."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise HallError("unauthorized", "send 'Authorization: Bearer <token>' with a device token")
        return identify(self.store, authorization[7:].strip(), self.dev)

    def check(self, authorization: str | None, roles: tuple[str, ...]) -> Identity:
        """The caller's Identity if its role is one of ``roles`` (admin always is; none: any role)."""
        who = self.identity_of(authorization)
        allowed = set(roles) | {"admin"}
        if roles and who.role not in allowed:
            raise HallError("forbidden", f"a {who.role} token may not do this; needs {' or '.join(sorted(allowed))}")
        return who

    def require(self, *roles: str) -> Callable:
        """A dependency admitting only ``roles`` (admin is always admitted); it gives the Identity."""

        # async: FastAPI would otherwise hand this cheap check to its thread pool on every request.
        async def dependency(authorization: str | None = Header(default=None)) -> Identity:
            return self.check(authorization, roles)

        return dependency


def caller(*roles: str) -> Callable:
    """A dependency giving the caller's Identity, admitting only ``roles``, checked by the app's
    ``Auth`` (module level, so endpoint annotations can name it)."""

    async def dependency(request: Request, authorization: str | None = Header(default=None)) -> Identity:
        return request.app.state.auth.check(authorization, roles)

    return dependency


Issuer = Annotated[Identity, Depends(caller("kiosk", "guide"))]
TicketActor = Annotated[Identity, Depends(caller("counter", "guide", "kiosk"))]
Counter = Annotated[Identity, Depends(caller("counter"))]
WindowKeeper = Annotated[Identity, Depends(caller("counter", "guide"))]
Guide = Annotated[Identity, Depends(caller("guide"))]
Kiosk = Annotated[Identity, Depends(caller("kiosk"))]


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HallError)
    async def _hall_error(_request: Request, exc: HallError) -> JSONResponse:
        return problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]]
        return problem(HallError("validation_error", "; ".join(parts) or "invalid request"))

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
        # PostgreSQL stopped or unreachable: a 503 the devices retry, not a 500; the pool
        # reconnects by itself once the database is back. SQLite's OperationalError also means
        # a changed schema (no such table): that stays a 500 with its traceback.
        if request.app.state.engine.store.kind != "postgresql":
            return await _unexpected(request, exc)
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                    str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__)
        return problem(HallError("data_unavailable", "the hall database cannot be reached right now; "
                                 "try again in a moment (the hall server's log says why)"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "validation_error", 413: "payload_too_large"}.get(exc.status_code,
                                                                                          "validation_error")
        body = {"type": "about:blank", "status": exc.status_code, "title": str(exc.detail),
                "detail": str(exc.detail), "code": code}
        return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Into the log file (logfile.log_to_file) with its traceback; the scrub filter masks ID
        # numbers and tokens the message might carry.
        log.error("500 on %s %s", request.method, request.url.path, exc_info=exc)
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
               issue_window: float = 0.001, hall_file: Path | None = None) -> FastAPI:
    """The hall server's ASGI application over ``engine``; ``issue_window`` is how long the
    group commit gathers ticket requests (kiosk.issue_batcher); ``hall_file`` is the file the
    hall's settings are read from and saved to by the settings API and the console (None: they
    cannot be changed while it runs)."""
    from kiosk.cases_api import install as install_cases  # here: it imports this module
    from kiosk.hallsettings_api import install_hall_settings  # here: it imports this module

    app = FastAPI(title="Hall kiosk server", version=__version__, openapi_url="/openapi.json",
                  docs_url="/docs", redoc_url=None)
    app.state.engine = engine
    batcher = app.state.issue_batcher = IssueBatcher(engine, window=issue_window)
    _close_at_shutdown(app, batcher)
    hub = app.state.event_hub = EventHub(engine.feed, heartbeat_s=heartbeat_s)
    app.add_middleware(BodyLimit)
    auth = app.state.auth = Auth(engine.store, dev)  # also read by kiosk.serving's device reserve
    _install_error_handlers(app)
    any_role = auth.require()
    v1 = "/api/v1"
    app.include_router(ratings_router())  # before /tickets/{id}/{action}, which would take "rating"

    database = engine.store.engine.url.database if engine.store.engine.url.get_backend_name() == "sqlite" else None

    @app.get(f"{v1}/health")
    def health() -> Response:
        # A cheap read of the file's header, schema and identity on every call: a hall.db that
        # was damaged, removed or replaced under the running server turns the health check red.
        if engine.store.kind == "postgresql":
            wrong = engine.store.unreachable()
        else:
            wrong = probe(Path(database)) if database and database != ":memory:" else ""
        if wrong:
            detail = (f"the hall database cannot be read: {wrong}. Stop the server and restore it "
                      "with `kiosk backup restore`.")
            body = {"type": "about:blank", "status": 503, "title": "Data unavailable", "detail": detail,
                    "code": "data_unavailable"}
            return JSONResponse(body, status_code=503, media_type=PROBLEM)
        return JSONResponse({**engine.health(), "subscribers": hub.subscribers})

    @app.get(f"{v1}/catalog", response_model=Catalog)
    def catalog(request: Request, _role: str = Depends(any_role)) -> Response:
        body = engine.catalog().model_dump_json()
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(body, media_type="application/json", headers={"ETag": etag})

    @app.post(f"{v1}/tickets", status_code=201, response_model=Ticket)
    async def issue(who: Issuer, body: IssueRequest,
                    idempotency_key: str = Header(..., min_length=1, max_length=128)) -> Response:
        # Not the thread pool: sixteen pool threads fought over the store's lock and the GIL.
        # The batcher's one writer thread writes the requests that arrive together in one
        # commit (kiosk.issue_batcher) while the loop goes on reading the next ones. Serialised
        # once, here: the engine's Ticket is already valid. The device and actor are the
        # token's (kiosk.trust), also in the body the Idempotency-Key is checked against.
        ticket = await batcher.issue(trust.issue_request(who, body, engine.config, engine.citizen_age), idempotency_key)
        return Response(ticket.model_dump_json(), status_code=201, media_type="application/json")

    @app.get(f"{v1}/tickets", response_model=list[Ticket])
    def list_tickets(request: Request, response: Response, day: str | None = None, service: str | None = None,
                     state: str | None = None, limit: int | None = None, cursor: str | None = None,
                     _role: str = Depends(auth.require("guide"))) -> list[Ticket]:
        # A page (kiosk.ticket_pages): the next one's cursor is in X-Next-Cursor and Link.
        if day is not None:
            _check_day(day)
        page = engine.tickets_page(day, service, state, limit=limit, cursor=cursor)
        if page.next_cursor:
            response.headers["X-Next-Cursor"] = page.next_cursor
            response.headers["Link"] = f'<{request.url.include_query_params(cursor=page.next_cursor)}>; rel="next"'
        return page.tickets

    @app.post(f"{v1}/tickets/search", response_model=list[Ticket])
    def search_tickets(body: CardSearch, _role: str = Depends(auth.require("guide"))) -> list[Ticket]:
        # A POST, not a query parameter: the sealed number stays out of URLs and access logs.
        # One card holds a few tickets a day: the largest page holds them all.
        if body.day is not None:
            _check_day(body.day)
        return engine.tickets_page(body.day, id_sealed=body.id_sealed, limit=MAX_LIMIT).tickets

    @app.get(f"{v1}/tickets/{{ticket_id}}", response_model=Ticket)
    def get_ticket(ticket_id: str, who: Identity = Depends(any_role)) -> Ticket:  # noqa: B008 - as _role elsewhere
        ticket = engine.ticket(ticket_id)
        if who.role in PAGE_TOKEN_ROLES:
            return ticket
        # Ticket ids are guessable (day + number): a board's or a counter's token must not
        # lead to a citizen's phone page (rating, text messages) through one.
        return ticket.model_copy(update={"status_url": page_url(engine.config.hall.public_url, None)})

    # Calls and window actions go to the batcher's writer ahead of the tickets queued for the
    # next issue batch (calls first: kiosk.issue_batcher). In the thread pool they queued for
    # the GIL behind the loop's batches (call → screen p99 ≈ 700 ms while 16 kiosks issued).
    @app.post(f"{v1}/tickets/{{ticket_id}}/{{action}}", response_model=Ticket)
    async def act(who: TicketActor, ticket_id: str,
                  action: str, body: ActionRequest | None = None) -> Ticket:
        body = body or ActionRequest()
        if who.role == "kiosk":
            _check_kiosk_reprint(engine, ticket_id, action, body)
        body, only_window = trust.action_request(who, body)
        return await batcher.first(lambda: engine.act(ticket_id, action, body, only_window=only_window))

    @app.post(f"{v1}/windows/{{number}}/call-next", response_model=Call,
              responses={204: {"description": "nobody waits"}})
    async def call_next(who: Counter, number: int) -> Response | Call:
        _known_window(engine, number)
        trust.own_window(who, number)
        call = await batcher.first(lambda: engine.call_next(number, actor=f"window {number}"))
        return Response(status_code=204) if call is None else call

    @app.post(f"{v1}/windows/{{number}}", status_code=204)
    async def change_window(who: WindowKeeper, number: int,
                            body: WindowChange) -> Response:
        _known_window(engine, number)
        trust.own_window(who, number)
        change = body.model_copy(update={"actor": who.actor})
        await batcher.first(lambda: engine.change_window(number, change))
        return Response(status_code=204)

    @app.post(f"{v1}/services/{{code}}", response_model=Catalog)
    def change_service(who: Guide, code: str,
                       body: ServiceChange) -> Catalog:
        return engine.change_service(code, trust.service_change(who, body))

    @app.post(f"{v1}/appointments")
    def add_appointments(body: list[Appointment], _role: str = Depends(auth.require("guide"))) -> dict:
        return {"imported": engine.add_appointments(body)}

    @app.post(f"{v1}/help", status_code=202, response_model=HelpCall)
    def request_help(who: Kiosk, body: HelpRequest) -> HelpCall:
        # The kiosk asking is the token's device: the body has no say.
        return engine.request_help(who.device, body.screen)

    @app.get(f"{v1}/queue", response_model=list[QueueEntry])
    def queue(_role: str = Depends(any_role)) -> list[QueueEntry]:
        return engine.queue()

    @app.get(f"{v1}/calls", response_model=list[Call])
    def calls(after: int = 0, limit: int = 50, _role: str = Depends(any_role)) -> list[Call]:
        if not 0 <= after <= MAX_SEQ or not 1 <= limit <= 500:
            raise HallError("validation_error", "after must be between 0 and 2^63-1 and limit between 1 and 500")
        return engine.calls(after, limit)

    @app.get(f"{v1}/events")
    async def events(last_event_id: str | None = Header(default=None),
                     after: int | None = None, _role: str = Depends(any_role)) -> Response:
        return hub.response(_resume_point(engine, last_event_id, after))

    install_cases(app, engine)  # kiosk.cases_api: the cases router and its background worker
    from kiosk.stats_api import install_stats  # here: it imports this module
    install_stats(app, engine)  # kiosk.stats_api: GET /api/v1/stats and its CSV/XLSX export
    install_hall_settings(app, engine, hall_file)  # kiosk.hallsettings_api: change the hall file live
    from kiosk.console import install_console

    install_console(app, engine, hall_file=hall_file)  # the web console under /console
    from kiosk.devices_api import install_devices  # devices' own reports (kiosk.device_status)
    install_devices(app, engine)
    from kiosk.remote_api import install_remote  # noqa: I001 - 线上取号; here: it imports this module
    install_remote(app)
    from kiosk.clerks_api import router as clerks_router  # here: it imports this module
    app.include_router(clerks_router)

    from kiosk.phone import install_phone  # the citizen's phone page /p/<token>; /t/<id> is gone

    install_phone(app, engine)

    return app


def _close_at_shutdown(app: FastAPI, batcher: IssueBatcher) -> None:
    """End the batcher's writer thread when the server stops (its last transaction written)."""
    # open: again when the same app is served anew (tests restart servers); close in a thread,
    # not on the loop: it waits for a commit.
    while_serving(app, batcher.open, lambda: asyncio.to_thread(batcher.close))


MAX_SEQ = 2**63 - 1
"""The largest sequence number SQLite's INTEGER holds; a bigger one is bad input, not a 500."""


def _check_kiosk_reprint(engine: HallEngine, ticket_id: str, action: str, body: ActionRequest) -> None:
    """A kiosk may only reprint, and only the ticket of the card on its reader."""
    if action != "reprint":
        raise HallError("forbidden", f"a kiosk token may not {action} a ticket; needs counter or guide")
    if body.id_sealed is None or not engine.held_by(ticket_id, body.id_sealed):
        raise HallError("forbidden", "a kiosk may reprint only the ticket of the ID card on its reader")


def _known_window(engine: HallEngine, number: int) -> None:
    """An unknown window is 404 before any token question (the catalog lists the windows)."""
    if engine.config.window(number) is None:
        raise HallError("unknown_window", f"no window {number}; see the windows in GET /api/v1/catalog")


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
