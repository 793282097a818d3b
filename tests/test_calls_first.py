"""Calls first (DESIGN.md §5, kiosk.issue_batcher): a clerk's call-next or window action is
committed ahead of the tickets queued before it for the next issue batch, on a real server.

Not timed: the batcher is held while the requests queue, and the order of the commits is read
back from the event log (its sequence numbers are the commit order). A first-come writer would
commit the queued tickets first.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from kiosk.server import add_token, create_app
from tests.conftest import LiveServer

pytestmark = pytest.mark.both_stores
COUNTER = {"Authorization": "Bearer test-counter"}


def _issue(server: LiveServer, key: str) -> requests.Response:
    return requests.post(f"{server.url}/api/v1/tickets", json={"service": "GC01"},
                         headers={"Authorization": "Bearer test-kiosk", "Idempotency-Key": key}, timeout=20)


def _wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + 15  # a bound against hanging, not a figure under test
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


@pytest.fixture
def server(engine):
    add_token(engine.store, "test-kiosk", "kiosk", "kiosk-1", 0)
    add_token(engine.store, "test-counter", "counter", "", 0, window=18)  # the help desk: serves GC01
    app = create_app(engine, dev=False, heartbeat_s=0.5)
    live = LiveServer(app).start()
    live.batcher = app.state.issue_batcher
    yield live
    live.batcher.release()
    live.stop()


def test_a_call_commits_before_the_tickets_queued_ahead_of_it(server, engine):
    waiting = _issue(server, "before").json()  # someone to call
    batcher = server.batcher
    batcher.hold()
    with ThreadPoolExecutor(5) as pool:
        queued = [pool.submit(_issue, server, f"queued-{i}") for i in range(4)]
        _wait_until(lambda: batcher.pending == 4, "the four ticket requests never reached the batcher")
        call = pool.submit(requests.post, f"{server.url}/api/v1/windows/18/call-next", headers=COUNTER, timeout=20)
        _wait_until(lambda: batcher.pending_first == 1, "the call never reached the batcher")
        assert not call.done() and not any(f.done() for f in queued)  # held: nothing written yet
        batches = batcher.batches
        batcher.release()
        answers = [f.result() for f in queued]
        called = call.result()
    assert called.status_code == 200, called.text
    assert called.json()["ticket"] == waiting["id"]
    assert [a.status_code for a in answers] == [201] * 4
    assert batcher.batches == batches + 1  # the four tickets shared one commit
    events = engine.feed.after(0)
    call_seq = next(e.seq for e in events if e.type == "call")
    queued_ids = {a.json()["id"] for a in answers}
    queued_seqs = [e.seq for e in events if e.type == "ticket" and e.data["id"] in queued_ids]
    assert len(queued_seqs) == 4 and call_seq < min(queued_seqs)


def test_window_actions_take_the_same_lane_and_keep_their_answers(server, engine):
    batcher = server.batcher
    batcher.hold()
    with ThreadPoolExecutor(3) as pool:
        queued = pool.submit(_issue, server, "queued")
        _wait_until(lambda: batcher.pending == 1, "the ticket request never reached the batcher")
        paused = pool.submit(requests.post, f"{server.url}/api/v1/windows/18", json={"paused": True},
                             headers=COUNTER, timeout=20)
        _wait_until(lambda: batcher.pending_first == 1, "the pause never reached the batcher")
        refused = pool.submit(requests.post, f"{server.url}/api/v1/windows/18/call-next", headers=COUNTER, timeout=20)
        _wait_until(lambda: batcher.pending_first == 2, "the call never reached the batcher")
        batcher.release()
        assert paused.result().status_code == 204
        # Written in the order they came, both before the ticket: the call finds the window paused.
        answer = refused.result()
        assert answer.status_code == 409 and answer.json()["code"] == "invalid_transition"
        assert queued.result().status_code == 201
    ticket_id = queued.result().json()["id"]
    ticket = next(e for e in engine.feed.after(0) if e.type == "ticket" and e.data["id"] == ticket_id)
    assert ticket.data["state"] == "waiting"  # nobody called it: the call was refused before it existed


def test_the_writer_thread_ends_with_the_server_and_restarts_with_it(engine):
    import threading

    add_token(engine.store, "test-kiosk", "kiosk", "kiosk-1", 0)
    app = create_app(engine, dev=False, heartbeat_s=0.5)
    live = LiveServer(app).start()

    def writers() -> int:
        return sum(t.name.startswith("hall-writer") for t in threading.enumerate())

    before = writers()
    try:
        assert _issue(live, "one").status_code == 201
        assert writers() == before + 1
    finally:
        live.stop()
    assert writers() == before
    live = LiveServer(app).start()  # the same app again, as a restarted server
    try:
        assert _issue(live, "two").status_code == 201
    finally:
        live.stop()
    assert writers() == before
