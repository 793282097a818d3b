"""The hall server's API (DESIGN.md §5) against a real uvicorn server on loopback."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from kiosk.client import HallClient, HallUnreachable, parse_sse
from kiosk.domain import HallError
from kiosk.models import IssueRequest
from kiosk.sealing import seal

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)


def h(role: str | None = "kiosk", **extra) -> dict:
    headers = {"Authorization": f"Bearer test-{role}"} if role else {}
    return {**headers, **extra}


def post_ticket(server, body: dict, key: str = "k1", role: str = "kiosk") -> requests.Response:
    return requests.post(f"{server.url}/api/v1/tickets", json=body, headers=h(role, **{"Idempotency-Key": key}),
                         timeout=5)


def sealed(server, id_number: str) -> dict:
    """A citizen as a kiosk sends one: the number sealed to the key the server's catalog gives."""
    key = requests.get(f"{server.url}/api/v1/catalog", headers=h(), timeout=5).json()["id_seal_key"]
    return {"id_sealed": seal(id_number, key)}


def assert_problem(response: requests.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code and body["status"] == status and body["title"] and body["detail"]
    return body


def test_health_needs_no_token(live_server):
    body = requests.get(f"{live_server.url}/api/v1/health", timeout=5).json()
    assert body["status"] == "ok" and body["version"]


def test_openapi_document_lists_every_path(live_server):
    paths = requests.get(f"{live_server.url}/openapi.json", timeout=5).json()["paths"]
    for path in ["/api/v1/health", "/api/v1/catalog", "/api/v1/tickets", "/api/v1/tickets/{ticket_id}",
                 "/api/v1/tickets/{ticket_id}/{action}", "/api/v1/windows/{number}/call-next",
                 "/api/v1/queue", "/api/v1/calls", "/api/v1/events"]:
        assert path in paths


def test_catalog_has_the_service_fields_and_an_etag(live_server):
    url = f"{live_server.url}/api/v1/catalog"
    response = requests.get(url, headers=h("display"), timeout=5)
    service = response.json()["services"][0]
    for key in ["code", "name", "zone", "prefix", "id_required", "priorities", "materials", "open",
                "closed_reason", "waiting", "eta_minutes", "windows"]:
        assert key in service
    again = requests.get(url, headers=h("display", **{"If-None-Match": response.headers["ETag"]}), timeout=5)
    assert again.status_code == 304


def test_issue_replay_and_mismatch(live_server):
    first = post_ticket(live_server, {"service": "GC01"}, "abc")
    assert first.status_code == 201
    ticket = first.json()
    for key in ["id", "number", "service", "priority", "state", "issued_at", "ahead", "eta_minutes",
                "windows", "status_url", "offline"]:
        assert key in ticket
    assert post_ticket(live_server, {"service": "GC01"}, "abc").json()["id"] == ticket["id"]
    assert_problem(post_ticket(live_server, {"service": "TX01"}, "abc"), 409, "idempotency_mismatch")
    got = requests.get(f"{live_server.url}/api/v1/tickets/{ticket['id']}", headers=h("display"), timeout=5)
    assert got.json()["number"] == ticket["number"]


def test_roles_are_enforced(live_server):
    assert_problem(post_ticket(live_server, {"service": "GC01"}, role="display"), 403, "forbidden")
    assert_problem(post_ticket(live_server, {"service": "GC01"}, role=None), 401, "unauthorized")
    ticket = post_ticket(live_server, {"service": "GC01"}).json()
    url = f"{live_server.url}/api/v1/tickets/{ticket['id']}/call"
    assert_problem(requests.post(url, json={"window": 18}, headers=h("kiosk"), timeout=5), 403, "forbidden")
    bad_token = {"Authorization": "Bearer dev-admin"}  # development tokens are refused without --dev
    assert_problem(requests.get(f"{live_server.url}/api/v1/queue", headers=bad_token, timeout=5), 401, "unauthorized")
    listing = requests.get(f"{live_server.url}/api/v1/tickets", headers=h("kiosk"), timeout=5)
    assert_problem(listing, 403, "forbidden")
    assert requests.get(f"{live_server.url}/api/v1/tickets", headers=h("guide"), timeout=5).status_code == 200


def test_counter_flow_call_next_actions_and_calls(live_server):
    ticket = post_ticket(live_server, {"service": "GC01"}).json()
    base = f"{live_server.url}/api/v1"
    call = requests.post(f"{base}/windows/18/call-next", headers=h("counter"), timeout=5)
    assert call.status_code == 200 and call.json()["text"]["zh"] == f"请{ticket['number']}号到18号咨询台办理"
    assert requests.post(f"{base}/windows/18/call-next", headers=h("counter"), timeout=5).status_code == 204
    for action in ["recall", "start", "finish"]:
        r = requests.post(f"{base}/tickets/{ticket['id']}/{action}", json={"window": 18}, headers=h("counter"), timeout=5)
        assert r.status_code == 200, r.text
    assert_problem(requests.post(f"{base}/tickets/{ticket['id']}/start", json={}, headers=h("counter"), timeout=5),
                   409, "invalid_transition")
    assert_problem(requests.post(f"{base}/tickets/{ticket['id']}/fly", json={}, headers=h("counter"), timeout=5),
                   404, "unknown_action")
    calls = requests.get(f"{base}/calls?after=0&limit=10", headers=h("display"), timeout=5).json()
    assert [c["repeat"] for c in calls] == [0, 1]
    queue = requests.get(f"{base}/queue", headers=h("display"), timeout=5).json()
    assert {e["service"] for e in queue} >= {"GC01", "SS01"}
    day = requests.get(f"{base}/tickets", params={"state": "done"}, headers=h("guide"), timeout=5).json()
    assert [t["id"] for t in day] == [ticket["id"]]


def test_every_domain_error_code_comes_back_as_problem_json(live_server, engine):
    base = f"{live_server.url}/api/v1"
    assert_problem(post_ticket(live_server, {"service": "NOPE"}, "e1"), 404, "unknown_service")
    engine.clock.advance(2.5 * 3600)  # 12:30, lunch break
    assert_problem(post_ticket(live_server, {"service": "GC01"}, "e2"), 409, "service_closed")
    engine.clock.advance(-2.5 * 3600)
    quota = requests.post(f"{base}/services/GC02", json={"quota": 0}, headers=h("guide"), timeout=5)
    assert quota.status_code == 200
    assert_problem(post_ticket(live_server, {"service": "GC02"}, "e3"), 409, "quota_exhausted")
    citizen = sealed(live_server, "11010519491231002X")
    assert post_ticket(live_server, {"service": "SS01", "citizen": citizen}, "e4").status_code == 201
    body = assert_problem(post_ticket(live_server, {"service": "SS01", "citizen": citizen}, "e5"), 409,
                          "duplicate_active")
    assert body["ticket"]["number"] == "A001"
    assert_problem(requests.get(f"{base}/tickets/nope", headers=h("guide"), timeout=5), 404, "unknown_ticket")
    assert_problem(requests.post(f"{base}/windows/999/call-next", headers=h("counter"), timeout=5), 404,
                   "unknown_window")


@pytest.mark.parametrize(
    "body, headers_extra",
    [
        ("{not json", {"Content-Type": "application/json"}),
        ('{"service": 12}', {"Content-Type": "application/json"}),
        ('{"service": "GC01", "priority": ["x"]}', {"Content-Type": "application/json"}),
        ('{"service": "GC01", "surprise": 1}', {"Content-Type": "application/json"}),
        ('{"service": "GC01", "citizen": {"id_sealed": "zz", "id_mask": "1"}}', {"Content-Type": "application/json"}),
        ('{"service": "GC01", "citizen": {"id_sealed": "' + "A" * 108 + '"}}', {"Content-Type": "application/json"}),
        ("[]", {"Content-Type": "application/json"}),
    ],
)
def test_malformed_requests_are_422_problem_json(live_server, body, headers_extra):
    r = requests.post(f"{live_server.url}/api/v1/tickets", data=body,
                      headers=h("kiosk", **{"Idempotency-Key": "m", **headers_extra}), timeout=5)
    assert_problem(r, 422, "validation_error")


def test_missing_idempotency_key_oversized_body_and_bad_query(live_server):
    r = requests.post(f"{live_server.url}/api/v1/tickets", json={"service": "GC01"}, headers=h("kiosk"), timeout=5)
    assert_problem(r, 422, "validation_error")
    big = {"service": "GC01", "reason": "x" * 100_000}
    assert_problem(post_ticket(live_server, big, "big"), 413, "payload_too_large")
    r = requests.get(f"{live_server.url}/api/v1/calls?after=-1", headers=h("display"), timeout=5)
    assert_problem(r, 422, "validation_error")
    for query in ("calls?after=208867079758487459383023239168", "events?after=99999999999999999999"):
        r = requests.get(f"{live_server.url}/api/v1/{query}", headers=h("display"), timeout=5)
        assert_problem(r, 422, "validation_error")  # past SQLite's INTEGER: bad input, not a 500
    r = requests.get(f"{live_server.url}/api/v1/tickets?day=yesterday", headers=h("guide"), timeout=5)
    assert_problem(r, 422, "validation_error")
    r = requests.get(f"{live_server.url}/api/v1/nothing", headers=h("guide"), timeout=5)
    assert_problem(r, 404, "not_found")


def _collect_events(url: str, headers: dict, out: list, stop: threading.Event) -> None:
    with requests.get(f"{url}/api/v1/events", headers=headers, stream=True, timeout=10) as r:
        for event in parse_sse(r.iter_lines(decode_unicode=True), stop):
            out.append(event)
            if stop.is_set():
                return


def test_events_stream_resumes_from_last_event_id_and_sends_heartbeats(live_server):
    post_ticket(live_server, {"service": "GC01"}, "s1")
    seen, stop = [], threading.Event()
    reader = threading.Thread(target=_collect_events,
                              args=(live_server.url, h("display", **{"Last-Event-ID": "0"}), seen, stop), daemon=True)
    reader.start()
    requests.post(f"{live_server.url}/api/v1/windows/18/call-next", headers=h("counter"), timeout=5)
    deadline = time.monotonic() + 5
    while not any(e.type == "call" for e in seen) and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    assert [e.type for e in seen][:3] == ["ticket", "queue", "call"]
    resumed = requests.get(f"{live_server.url}/api/v1/events", headers=h("display", **{"Last-Event-ID": "2"}),
                           stream=True, timeout=5)
    lines = []
    for line in resumed.iter_lines(decode_unicode=True):
        lines.append(line)
        if line == ": keep-alive":
            break
    resumed.close()
    assert lines[:3] == [": connected at 2", "", "id: 3"] and "event: call" in lines
    assert ": keep-alive" in lines  # heartbeat_s is 0.5 in the test server


def test_client_speaks_the_same_interface_and_errors(live_server):
    client = HallClient(live_server.url, "test-kiosk")
    ticket = client.issue(IssueRequest(service="GC01"), "c1")
    assert client.issue(IssueRequest(service="GC01"), "c1").id == ticket.id
    assert client.catalog().service("GC01").waiting == 1
    assert client.catalog() is client.catalog()  # revalidated by ETag, not downloaded again
    with pytest.raises(HallError) as err:
        client.issue(IssueRequest(service="NOPE"), "c2")
    assert err.value.code == "unknown_service"
    with pytest.raises(HallUnreachable):
        HallClient("http://127.0.0.1:9", "t", timeout=0.5).catalog()


def test_status_page_shows_the_ticket(live_server):
    ticket = post_ticket(live_server, {"service": "GC01"}, "page").json()
    token = ticket["status_url"].rsplit("/p/", 1)[1]
    page = requests.get(f"{live_server.url}/p/{token}", timeout=5)
    assert page.status_code == 200 and ticket["number"] in page.text
    assert requests.get(f"{live_server.url}/t/{ticket['id']}", timeout=5).status_code == 404  # the old, guessable address


def test_an_oversized_chunked_body_is_refused_too(live_server):
    def chunks():  # no Content-Length: the server must count what streams in
        yield b'{"service": "GC01", "reason": "'
        for _ in range(40):
            yield b"x" * 2048
        yield b'"}'

    r = requests.post(f"{live_server.url}/api/v1/tickets", data=chunks(),
                      headers=h("kiosk", **{"Idempotency-Key": "chunked", "Content-Type": "application/json"}),
                      timeout=5)
    assert_problem(r, 413, "payload_too_large")
    assert requests.get(f"{live_server.url}/api/v1/tickets", headers=h("guide"), timeout=5).json() == []


def test_window_pause_and_appointment_upload_over_http(live_server, engine):
    from datetime import timedelta

    from tests.conftest import MONDAY_10AM

    base = f"{live_server.url}/api/v1"
    post_ticket(live_server, {"service": "GC01"}, "w1")
    paused = requests.post(f"{base}/windows/18", json={"paused": True}, headers=h("counter"), timeout=5)
    assert paused.status_code == 204
    refused = requests.post(f"{base}/windows/18/call-next", headers=h("counter"), timeout=5)
    assert_problem(refused, 409, "invalid_transition")
    requests.post(f"{base}/windows/18", json={"paused": False}, headers=h("counter"), timeout=5)
    assert requests.post(f"{base}/windows/18/call-next", headers=h("counter"), timeout=5).status_code == 200
    slot = {"booking_code": "BK-77", "service": "AP01", "slot_start": MONDAY_10AM.isoformat(),
            "slot_end": (MONDAY_10AM + timedelta(minutes=30)).isoformat()}
    assert_problem(requests.post(f"{base}/appointments", json=[slot], headers=h("kiosk"), timeout=5), 403, "forbidden")
    uploaded = requests.post(f"{base}/appointments", json=[slot], headers=h("guide"), timeout=5)
    assert uploaded.json() == {"imported": 1}
    booked = post_ticket(live_server, {"service": "AP01", "appointment": "BK-77"}, "w2").json()
    assert booked["priority"] == "appointment" and booked["appointment"] == "BK-77"
    bad = dict(slot, slot_start="tomorrow-ish")
    assert_problem(requests.post(f"{base}/appointments", json=[bad], headers=h("guide"), timeout=5), 422,
                   "validation_error")


def test_guides_find_a_card_holders_tickets_by_the_sealed_number(live_server):
    holder = sealed(live_server, "11010519491231002X")
    mine = post_ticket(live_server, {"service": "SS01", "citizen": holder}, "h1").json()
    post_ticket(live_server, {"service": "SS01", "citizen": sealed(live_server, "110105194912310038")}, "h2")
    url = f"{live_server.url}/api/v1/tickets/search"
    again = sealed(live_server, "11010519491231002X")  # another seal of the same number
    assert again != holder
    found = requests.post(url, json=again, headers=h("guide"), timeout=5).json()
    assert [t["number"] for t in found] == [mine["number"]] and "id_hash" not in found[0]
    assert mine["id_mask"] == "11**************2X"
    assert_problem(requests.post(url, json={"id_sealed": "nothex"}, headers=h("guide"), timeout=5), 422,
                   "validation_error")
    assert_problem(requests.post(url, json={"id_sealed": "A" * 108}, headers=h("guide"), timeout=5), 422,
                   "validation_error")
    assert requests.post(url, json=again, headers=h("kiosk"), timeout=5).status_code == 403


def test_concurrent_issues_share_commits_and_each_gets_its_own_answer(engine):
    from kiosk.server import add_token, create_app
    from tests.conftest import LiveServer

    add_token(engine.store, "test-kiosk", "kiosk", "kiosk-1", 0)
    app = create_app(engine, issue_window=0.05)  # a wide window: the test's requests surely meet
    server = LiveServer(app).start()
    bodies = [{"service": "GC01"}] * 11 + [{"service": "NOPE"}]
    start = threading.Barrier(len(bodies))

    def send(index: int) -> requests.Response:
        start.wait()
        return post_ticket(server, bodies[index], key=f"burst-{index}")

    try:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(bodies)) as pool:
            answers = list(pool.map(send, range(len(bodies))))
        again = post_ticket(server, bodies[0], key="burst-0")  # a replay after the batch
    finally:
        server.stop()
    assert_problem(answers[-1], 404, "unknown_service")
    numbers = [a.json()["number"] for a in answers[:-1]]
    assert all(a.status_code == 201 for a in answers[:-1])
    assert sorted(numbers) == [f"K{n:03d}" for n in range(1, 12)]  # unique and contiguous
    assert again.status_code == 201 and again.json()["id"] == answers[0].json()["id"]
    batcher = app.state.issue_batcher
    assert batcher.largest >= 2 and batcher.batches < len(bodies)  # commits were shared
