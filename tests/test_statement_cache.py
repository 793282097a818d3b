"""No statement is compiled per request on the server's write paths (DESIGN.md §8): after one
round of issuing, calling and finishing, a second round through the real server finds every
SQLAlchemy statement in the engine's compiled cache (building and compiling a statement costs
about ten times executing it)."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import event
from sqlalchemy.engine.default import CacheStats

from kiosk.server import add_token, create_app
from tests.conftest import LiveServer

pytestmark = pytest.mark.both_stores


def _round(url: str, tag: str) -> None:
    kiosk = {"Authorization": "Bearer test-kiosk"}
    counter = {"Authorization": "Bearer test-counter"}
    for i in range(3):
        r = requests.post(f"{url}/api/v1/tickets", json={"service": "GC01"},
                          headers={**kiosk, "Idempotency-Key": f"{tag}-{i}"}, timeout=20)
        assert r.status_code == 201, r.text
    called = requests.post(f"{url}/api/v1/windows/18/call-next", headers=counter, timeout=20)
    assert called.status_code == 200, called.text
    ticket = called.json()["ticket"]
    for action in ("start", "finish"):
        r = requests.post(f"{url}/api/v1/tickets/{ticket}/{action}", json={"window": 18}, headers=counter, timeout=20)
        assert r.status_code == 200, r.text


def test_the_second_round_of_writes_compiles_no_statement(engine):
    add_token(engine.store, "test-kiosk", "kiosk", "kiosk-1", 0)
    add_token(engine.store, "test-counter", "counter", "", 0, window=18)
    server = LiveServer(create_app(engine, dev=False, heartbeat_s=0.5)).start()
    compiled: list[str] = []

    def note(_conn, _cursor, statement, _params, context, _many) -> None:  # noqa: ANN001
        if context is not None and context.cache_hit == CacheStats.CACHE_MISS:
            compiled.append(statement.split("\n")[0][:120])

    try:
        _round(server.url, "warm")
        event.listen(engine.store.engine, "after_cursor_execute", note)
        try:
            _round(server.url, "again")
        finally:
            event.remove(engine.store.engine, "after_cursor_execute", note)
    finally:
        server.stop()
    assert compiled == []
