"""好差评 through a real hall server on loopback and a real SQLite file (issue 14): one rating per
ticket; a window's evaluator rates only its own window's fresh tickets; a kiosk only its own
tickets; the QR page within its period; reasons only with bad levels; plain 403/409/422
sentences; the list for guides only."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import select

from kiosk import store as db
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.server import create_app
from kiosk.tokens import add_token
from tests.api_calls import post, refused
from tests.conftest import LiveServer

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)


def get(server, path: str, token: str | None = None, **params) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{server.url}{path}", headers=headers, params=params, timeout=5)



@pytest.fixture
def hall(engine, live_server):
    """Kiosk K01's token, evaluators of windows 18 and 20, window 18's counter (conftest)."""
    add_token(engine.store, "k01", "kiosk", "K01", 0)
    add_token(engine.store, "k02", "kiosk", "K02", 0)
    add_token(engine.store, "r18", "rater", "", 0, window=18)
    add_token(engine.store, "r20", "rater", "", 0, window=20)
    return live_server


def served(server, key: str, kiosk: str = "k01") -> dict:
    """A GC01 ticket issued at ``kiosk`` and finished at window 18."""
    ticket = post(server, "/tickets", kiosk, {"service": "GC01"}, key).json()
    assert post(server, f"/tickets/{ticket['id']}/call", "test-counter", {"window": 18}).status_code == 200
    assert post(server, f"/tickets/{ticket['id']}/finish", "test-counter").status_code == 200
    return ticket


def rate(server, ticket: dict, token: str | None, level: int = 5, **more) -> requests.Response:
    """Rate with a device token, or without one as the citizen does: on the ticket's phone page."""
    if token is None:
        return requests.post(f"{server.url}{page_of(ticket)}/rating", json={"level": level, **more}, timeout=5)
    return post(server, f"/tickets/{ticket['id']}/rating", token, {"level": level, **more})


def test_one_rating_per_ticket_from_its_windows_evaluator(hall, engine):
    ticket = served(hall, "a")
    refused(rate(hall, ticket, "r20"), 403, "window 18", "window 20's evaluator")
    done = rate(hall, ticket, "r18", 4)
    assert done.status_code == 201, done.text
    body = done.json()
    assert (body["level"], body["channel"], body["window"], body["service"]) == (4, "window", 18, "GC01")
    refused(rate(hall, ticket, "r18", 1), 409, "already rated")
    refused(rate(hall, ticket, None, 1), 409, "already rated")
    e = db.ticket_events
    with engine.store.read() as conn:
        audit = conn.execute(select(e.c.action, e.c.actor, e.c.detail).where(e.c.ticket_id == ticket["id"])
                             .order_by(e.c.id)).all()[-1]
        events = conn.execute(select(db.hall_events.c.data).where(db.hall_events.c.type == "rating")).all()
    assert audit[:2] == ("rate", "rater window 18") and json.loads(audit[2]) == {"level": 4, "channel": "window"}
    assert len(events) == 1 and json.loads(events[0][0])["level"] == 4
    assert ticket["id"] not in events[0][0] and ticket["number"] not in events[0][0]  # nobody's rating on screens
    streamed = [e for e in engine.events_after(0) if e.type == "rating"]  # a valid event of the stream
    assert [e.data["level"] for e in streamed] == [4]


def test_the_evaluator_rates_only_finished_tickets_and_only_for_a_few_minutes(hall, engine, clock):
    waiting = post(hall, "/tickets", "k01", {"service": "GC01"}, "w").json()
    refused(rate(hall, waiting, "r18"), 403, "waiting", "finished")
    late = served(hall, "late")
    clock.advance(engine.config.ratings.window_minutes * 60 + 1)
    refused(rate(hall, late, "r18"), 403, "10 minutes", "QR page")
    assert rate(hall, late, None, 3).json()["channel"] == "qr"  # the QR page still takes it


def test_reasons_only_with_bad_levels_and_only_the_halls_own(hall):
    first, second, third = served(hall, "1"), served(hall, "2"), served(hall, "3")
    refused(rate(hall, first, "r18", 4, reasons=["slow"]), 422, "bad rating", "level 4")
    refused(rate(hall, first, "r18", 2, reasons=["rude_clerk"]), 422, "rude_clerk", "attitude")
    refused(rate(hall, first, "r18", 6), 422, "level")
    refused(rate(hall, first, "r18", 1, comment="x" * 201), 422, "comment")
    bad = rate(hall, first, "r18", 1, reasons=["slow", "attitude", "slow"],
               comment="waited  long, call me 13912345678, id 110105199001010010")
    assert bad.status_code == 201, bad.text
    assert bad.json()["reasons"] == ["slow", "attitude"]
    comment = bad.json()["comment"]
    assert "13912345678" not in comment and "110105199001010010" not in comment and "waited long" in comment
    assert rate(hall, second, "r18", 2).status_code == 201  # reasons are optional
    assert rate(hall, third, "r18", 5, comment="very kind").status_code == 201


def test_a_kiosk_rates_its_own_self_service_only(hall):
    mine = post(hall, "/tickets", "k01", {"service": "GC01"}, "k").json()
    refused(rate(hall, mine, "k02"), 403, "not issued by kiosk K02")
    rated = rate(hall, mine, "k01", 5)
    assert rated.status_code == 201 and rated.json()["channel"] == "kiosk"  # on its done screen: still waiting
    refused(rate(hall, mine, "k01", 4), 409, "already rated for its kiosk self-service")


def test_the_kiosk_self_service_and_the_window_service_are_rated_apart(hall, engine):
    """A citizen who rated the kiosk on its done screen still rates the clerk's service at the
    window: one rating of each per ticket, each exported and followed up on its own key."""
    ticket = served(hall, "both")
    assert rate(hall, ticket, "k01", 2, reasons=["slow"]).status_code == 201
    at_window = rate(hall, ticket, "r18", 1, reasons=["attitude"])
    assert at_window.status_code == 201, at_window.text
    refused(rate(hall, ticket, None, 3), 409, "already rated for its service")
    listed = get(hall, "/api/v1/ratings", "test-guide").json()
    assert sorted((r["subject"], r["channel"], r["level"]) for r in listed) == [("kiosk", "kiosk", 2),
                                                                              ("service", "window", 1)]
    cases = get(hall, "/api/v1/cases", "test-guide").json()
    assert sorted((c["channel"], c["level"]) for c in cases) == [("kiosk", 2), ("window", 1)]


def test_a_hall_without_kiosk_self_service_refuses_kiosk_ratings(hall_config, clock, hall_db):
    from kiosk.engine import HallEngine
    from kiosk.store import Store

    config = hall_config.model_copy(update={"ratings": hall_config.ratings.model_copy(
        update={"kiosk_self_service": False})})
    engine = HallEngine(config, Store(hall_db), clock)
    add_token(engine.store, "k01", "kiosk", "K01", 0)
    server = LiveServer(create_app(engine)).start()
    try:
        ticket = post(server, "/tickets", "k01", {"service": "GC01"}, "k").json()
        refused(rate(server, ticket, "k01"), 403, "kiosk_self_service")
        catalog = get(server, "/api/v1/catalog", "k01").json()
        assert catalog["ratings"]["kiosk_self_service"] is False
    finally:
        server.stop()


def page_of(ticket: dict) -> str:
    """The path of the ticket's phone page (kiosk.phone), from the address its QR code holds."""
    return "/p/" + ticket["status_url"].rsplit("/p/", 1)[1]


def test_the_qr_page_rates_within_its_period_and_not_after(hall, engine, clock):
    ticket = served(hall, "q")
    page = get(hall, page_of(ticket)).text
    assert "非常满意" in page and "非常不满意" in page and "id='rate' class='card'>" in page
    assert "服务态度不好" in page  # the hall's reasons
    waiting = post(hall, "/tickets", "k01", {"service": "GC01"}, "w").json()
    assert "id='rate' class='card' hidden" in get(hall, page_of(waiting)).text
    refused(rate(hall, waiting, None), 403, "waiting")
    clock.advance(engine.config.ratings.qr_days * 86400 + 60)
    assert "id='rate' class='card' hidden" in get(hall, page_of(ticket)).text
    refused(rate(hall, ticket, None), 403, "3 days")
    other = served(hall, "q2")
    assert rate(hall, other, None, 1, reasons=["not_done"]).json()["channel"] == "qr"
    assert "id='rated' class='card'>感谢" in get(hall, page_of(other)).text


def test_other_roles_and_bad_tokens_may_not_rate(hall):
    ticket = served(hall, "r")
    refused(rate(hall, ticket, "test-counter"), 403, "counter token may not rate")
    refused(rate(hall, ticket, "test-display"), 403, "rater token")
    refused(rate(hall, ticket, "no-such-token"), 401, "unknown token")
    refused(post(hall, f"/tickets/{ticket['id']}/rating", None, {"level": 5}), 403, "QR code")  # ids are guessable


def test_the_ratings_list_is_for_guides_only(hall, engine):
    first, second = served(hall, "1"), served(hall, "2")
    rate(hall, first, "r18", 5)
    rate(hall, second, None, 1, reasons=["slow"])
    for token in ("r18", "test-counter", "k01", "test-display"):
        refused(get(hall, "/api/v1/ratings", token), 403, "guide")
    refused(get(hall, "/api/v1/ratings"), 401)
    listed = get(hall, "/api/v1/ratings", "test-guide").json()
    assert [(r["ticket_id"], r["level"], r["channel"]) for r in listed] == [
        (first["id"], 5, "window"), (second["id"], 1, "qr")]
    assert "id_mask" not in listed[0] and "device" not in listed[0]
    assert get(hall, "/api/v1/ratings", "test-guide", window=20).json() == []
    assert len(get(hall, "/api/v1/ratings", "test-admin", window=18).json()) == 2
    assert get(hall, "/api/v1/ratings", "test-guide", day="2020-01-01").json() == []
    refused(get(hall, "/api/v1/ratings", "test-guide", day="monday"), 422, "YYYY-MM-DD")
    # A window number past SQLite's integers (found by schemathesis): bad input, not a 500.
    assert get(hall, "/api/v1/ratings", "test-guide", window=238565077594919665664).status_code == 422


def test_the_rating_endpoints_are_in_the_openapi_document(hall):
    paths = get(hall, "/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/tickets/{ticket_id}/rating"]
    assert "rater" in paths["/api/v1/tickets/{ticket_id}/rating"]["post"]["description"]
    assert "get" in paths["/api/v1/ratings"]


def test_a_rater_token_made_with_the_cli_rates_for_its_window_only(hall_config, clock, tmp_path, capsys):
    from app.cli import main
    from kiosk.engine import HallEngine
    from kiosk.store import Store

    data, hall_file = str(tmp_path / "server"), str(PROJECT_CONFIG_DIR / "hall.toml")
    assert main(["tokens", "add", "--role", "rater", "--data", data]) == 1
    assert "rater token needs its window" in capsys.readouterr().err
    assert main(["tokens", "add", "--role", "rater", "--window", "4", "--config", hall_file, "--data", data]) == 1
    assert "no window 4" in capsys.readouterr().err
    assert main(["tokens", "add", "--role", "rater", "--window", "18", "--data", data]) == 0
    out, err = capsys.readouterr()
    assert "rater window 18" in err
    engine = HallEngine(hall_config, Store(tmp_path / "server" / "hall.db"), clock)
    add_token(engine.store, "k01", "kiosk", "K01", 0)
    add_token(engine.store, "w18", "counter", "", 0, window=18)
    server = LiveServer(create_app(engine)).start()
    try:
        ticket = post(server, "/tickets", "k01", {"service": "GC01"}, "t").json()
        post(server, f"/tickets/{ticket['id']}/call", "w18", {"window": 18})
        post(server, f"/tickets/{ticket['id']}/finish", "w18")
        assert rate(server, ticket, out.strip(), 5).json()["channel"] == "window"
    finally:
        server.stop()


def test_the_after_rating_hook_runs_in_the_ratings_transaction(engine, hall):
    seen = []
    engine.after_rating = lambda conn, rating: seen.append((conn.in_transaction(), rating["level"],
                                                            rating["reasons"], rating["clerk"]))
    ticket = served(hall, "h")
    rate(hall, ticket, "r18", 2, reasons=["unclear"])
    assert seen == [(True, 2, ["unclear"], None)]


def test_kiosk_rate_says_what_is_wrong_before_any_window_opens(tmp_path, capsys):
    from app.cli import main

    assert main(["rate", "--window", "3", "--server", "http://127.0.0.1:9"]) == 2
    assert "a rater token is needed" in capsys.readouterr().err
    assert main(["rate", "--window", "999", "--dev", "--data", str(tmp_path / "data")]) == 2
    assert "no window 999" in capsys.readouterr().err


def test_a_bad_rating_of_a_signed_in_clerk_opens_a_case_and_is_exported(hall_config, clock, tmp_path, hall_db):
    """The whole 好差评 path as the server wires it: a clerk signed in at window 18 serves, the
    window's evaluator rates 非常不满意 with a reason, and in the same write the rating names the
    clerk, a rectification case opens for that clerk, and both are queued for the platform."""
    from kiosk.case_settings import ExportSettings
    from kiosk.engine import HallEngine
    from kiosk.store import Store

    config = hall_config.model_copy(update={"export": ExportSettings(jsonl_dir=str(tmp_path / "export"))})
    engine = HallEngine(config, Store(hall_db, data_dir=tmp_path), clock)
    for token, role, window in (("k01", "kiosk", None), ("c18", "counter", 18), ("r18", "rater", 18),
                                ("g1", "guide", None)):
        add_token(engine.store, token, role, {"kiosk": "K01", "guide": "desk-1"}.get(role, ""), 0, window=window)
    server = LiveServer(create_app(engine)).start()
    try:
        assert post(server, "/clerks", "g1", {"code": "0123", "name": "张三", "pin": "482916"}).status_code == 201
        assert post(server, "/windows/18/sign-in", "c18", {"code": "0123", "pin": "482916"}).status_code == 200

        def served_at_18(key: str) -> dict:
            ticket = post(server, "/tickets", "k01", {"service": "GC01"}, key).json()
            assert post(server, f"/tickets/{ticket['id']}/call", "c18", {"window": 18}).status_code == 200
            assert post(server, f"/tickets/{ticket['id']}/finish", "c18").status_code == 200
            return ticket

        ticket = served_at_18("bad-1")
        rated = rate(server, ticket, "r18", 1, reasons=["attitude"])
        assert rated.status_code == 201, rated.text
        assert rated.json()["clerk"] == "0123"
        cases = get(server, "/api/v1/cases", "g1").json()
        assert [(c["kind"], c["ticket_id"], c["clerk"], c["window"], c["level"]) for c in cases] == [
            ("rectify", ticket["id"], "0123", 18, 1)]
        assert rate(server, served_at_18("good-1"), "r18", 5).status_code == 201
        assert len(get(server, "/api/v1/cases", "g1").json()) == 1  # a good rating opens nothing
    finally:
        server.stop()
    kinds = [r.kind for r in engine.store.engine.connect().execute(select(db.export_items)).all()]
    assert kinds.count("rating") == 2 and kinds.count("case") == 1
