"""Work that runs exactly while the hall server serves: started before its first request,
stopped after its last (the app's lifespan). Each part of the server that owns a worker (the
case worker, the notify worker, the issue batcher's writer) adds itself the same way, around
whatever lifespan the app already has."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI


def while_serving(app: FastAPI, start: Callable[[], Any], stop: Callable[[], Any]) -> None:
    """Call ``start()`` when ``app`` starts serving and ``stop()`` when it stops (awaited if it
    returns an awaitable: a stop that waits for a thread must not block the event loop). Wraps the
    lifespan ``app`` has, so the parts added first are stopped last. Served again (tests restart
    servers on one app), it starts again."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: FastAPI):  # noqa: ANN202 - Starlette's lifespan protocol
        start()
        try:
            async with inner(application) as state:
                yield state
        finally:
            stopped = stop()
            if inspect.isawaitable(stopped):
                await stopped

    app.router.lifespan_context = lifespan
