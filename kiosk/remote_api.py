"""The remote ticket endpoints (线上取号, DESIGN.md §8 "Remote tickets"), over ``kiosk.remote``.

``POST /api/v1/remote-tickets`` and ``GET /api/v1/remote-tickets/{code}`` are public (the hall's
page calls them from citizens' phones): rate-limited per address, and an ID number is refused
over plain HTTP from anywhere but loopback when the hall asks for TLS. The check-in is a kiosk's
(or the guide desk's) call.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from ipaddress import ip_address

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool

from kiosk.domain import HallError
from kiosk.models import Ticket
from kiosk.remote import CheckIn, RemoteDesk, RemoteRequest, RemoteTicket
from kiosk.server import Issuer  # kiosk.server imports this module only inside create_app

ADMIT_EVERY_S = 15.0
"""How often the server lets the places whose slot has come join the queue (``join = "slot"``)."""
MAX_CLIENTS = 10000
"""Addresses the rate limiter remembers; past that it forgets the oldest (a flood of addresses
must not grow the server's memory)."""


class RateLimit:
    """At most ``per_minute`` requests a minute per client address (a sliding minute)."""

    def __init__(self):
        self._seen: dict[str, deque] = {}

    def check(self, client: str, per_minute: int, now: float | None = None) -> None:
        """Count one request of ``client``; HallError too_many_requests past the limit."""
        now = time.monotonic() if now is None else now
        times = self._seen.pop(client, None) or deque()
        while times and now - times[0] >= 60:
            times.popleft()
        self._seen[client] = times  # re-inserted: the dict's order is the order of last use
        if len(times) >= per_minute:
            raise HallError("too_many_requests", "too many requests from this address; wait a minute and try again")
        times.append(now)
        while len(self._seen) > MAX_CLIENTS:
            self._seen.pop(next(iter(self._seen)))


def _loopback(host: str) -> bool:
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def install_remote(app: FastAPI) -> None:
    """Add the remote ticket routes to the hall server ``app`` (its engine on ``app.state``)."""
    desk = RemoteDesk(app.state.engine)
    limit = RateLimit()
    router = APIRouter(prefix="/api/v1/remote-tickets", tags=["remote tickets"])

    def guard(request: Request, sends_id: bool) -> None:
        client = request.client.host if request.client else "unknown"
        limit.check(client, desk.settings.per_minute)
        if sends_id and desk.settings.require_tls and request.url.scheme != "https" and not _loopback(client):
            raise HallError("tls_required", "ID numbers are taken over https only; open the hall's page by its "
                            "https address")

    @router.post("", status_code=201, response_model=RemoteTicket)
    def take(body: RemoteRequest, request: Request) -> RemoteTicket:
        """Take a remote ticket for today (public): service, and an ID number or a booking code."""
        guard(request, bool(body.id_number))
        return desk.take(body)

    @router.get("/{code}", response_model=RemoteTicket)
    def show(code: str, request: Request) -> RemoteTicket:
        """A remote ticket by its code (public; the code is its secret)."""
        guard(request, False)
        return desk.show(code)

    @router.post("/check-in", response_model=Ticket)
    def check_in(body: CheckIn, who: Issuer) -> Ticket:
        """The citizen is at a kiosk: the remote ticket joins the queue at its slot's place."""
        return desk.check_in(body, who.device or who.role, who.actor)

    app.include_router(router)
    app.state.remote_desk = desk

    _admit_while_running(app, desk)


def _admit_while_running(app: FastAPI, desk: RemoteDesk) -> None:
    """Run ``desk.admit_due`` every ADMIT_EVERY_S while the server runs (inside its lifespan)."""
    inner = app.router.lifespan_context

    async def admit_loop() -> None:
        while True:
            await asyncio.sleep(ADMIT_EVERY_S)
            with contextlib.suppress(Exception):  # a busy database: the next round tries again
                await run_in_threadpool(desk.admit_due)

    @contextlib.asynccontextmanager
    async def lifespan(app_: FastAPI):  # noqa: ANN202 - an async context manager
        task = asyncio.get_running_loop().create_task(admit_loop())
        try:
            async with inner(app_) as state:
                yield state
        finally:
            task.cancel()

    app.router.lifespan_context = lifespan
