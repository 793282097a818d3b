"""The hall server as ``kiosk serve --dev`` runs it, plus one HTTP-only stub route (bench only).

``python -m bench.ceiling_server --data DIR --port N [--sync full|normal]``

``POST /api/v1/stub-tickets`` takes what ``POST /api/v1/tickets`` takes (a kiosk token, an
Idempotency-Key, an IssueRequest body, the same trust checks) on the same stack (the guarded
uvicorn protocol, the body limit, FastAPI's routing and validation) and answers a ticket
serialised once at start: everything but the engine. Its throughput beside the real route's, on
the same process, is the HTTP ceiling the real route is measured against (bench_ceiling).
"""

from __future__ import annotations

import argparse
import gc
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Header, Response

from kiosk import trust
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.hall import open_engine
from kiosk.models import IssueRequest, Ticket
from kiosk.server import Issuer, create_app
from kiosk.serving import serve

STUB_PATH = "/api/v1/stub-tickets"


def add_stub(app: FastAPI) -> None:
    """The stub route on ``app`` (built by ``kiosk.server.create_app``)."""
    engine = app.state.engine
    answer = Ticket(id="stub", number="A001", service="GC01", priority="normal", state="waiting",
                    issued_at=datetime(2026, 1, 1, tzinfo=UTC), ahead=0, eta_minutes=0, windows=[18],
                    status_url="/t/stub").model_dump_json()

    @app.post(STUB_PATH, status_code=201, include_in_schema=False)
    async def stub(who: Issuer, body: IssueRequest,
                   idempotency_key: str = Header(..., min_length=1, max_length=128)) -> Response:
        trust.issue_request(who, body, engine.config, engine.citizen_age)
        return Response(answer, status_code=201, media_type="application/json")

    # Matched right after the real route, not after every route of the app: a route's place in
    # the list is part of its cost (at the end, matching took a third of the stub's time).
    routes = app.router.routes
    real = next(i for i, r in enumerate(routes) if getattr(r, "path", "") == "/api/v1/tickets"
                and "POST" in getattr(r, "methods", ()))
    routes.insert(real + 1, routes.pop())


def main(argv: list[str] | None = None) -> None:
    """Serve the sample hall in ``--data`` with the stub route until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling_server", description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sync", choices=["full", "normal"], default="full")
    args = parser.parse_args(argv)
    engine = open_engine(PROJECT_CONFIG_DIR / "hall.toml", args.data, dev=True, sync=args.sync)
    app = create_app(engine, dev=True)
    add_stub(app)
    gc.freeze()  # as kiosk serve does
    serve(app, "127.0.0.1", args.port)


if __name__ == "__main__":
    main()
