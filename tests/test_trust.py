"""Trust comes from the token, not the body (issue 13): each attack found with a kiosk's token is
refused with a 4xx and a plain sentence, and the hall keeps issuing afterwards, also after its
database is opened again. Against a real uvicorn server on loopback and real SQLite files."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from kiosk import store as db
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.engine import HallEngine
from kiosk.models import IssueRequest
from kiosk.privacy import mask_id
from kiosk.sealing import seal
from kiosk.server import create_app
from kiosk.store import Store
from kiosk.tokens import add_token
from tests.api_calls import post, refused
from tests.conftest import MONDAY_10AM, LiveServer

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)

ELDER = "11010519491231002X"  # born 1949: 76 on the test's Monday
YOUNG = "110105199001010010"


def citizen(server, number: str) -> dict:
    """A card holder as a kiosk sends one: the number sealed to the hall's key (the hall works
    out the age itself)."""
    key = requests.get(f"{server.url}/api/v1/catalog", headers={"Authorization": "Bearer k01"},
                       timeout=5).json()["id_seal_key"]
    return {"id_sealed": seal(number, key), "id_mask": mask_id(number)}



def issue(server, token: str, key: str, **body) -> requests.Response:
    return post(server, "/tickets", token, {"service": "GC01", **body}, key)



def actors(engine: HallEngine, ticket_id: str) -> list[tuple[str, str]]:
    e = db.ticket_events
    with engine.store.read() as conn:
        return [tuple(r) for r in conn.execute(select(e.c.action, e.c.actor).where(e.c.ticket_id == ticket_id)
                                               .order_by(e.c.id))]


@pytest.fixture
def tokens(engine, live_server):
    """Tokens of kiosk K01 (which has an offline range), kiosk K77 (which has none), window 20's
    counter; the conftest's test-kiosk (kiosk-1), test-counter (window 18) and test-guide."""
    add_token(engine.store, "k01", "kiosk", "K01", 0)
    add_token(engine.store, "k77", "kiosk", "K77", 0)
    add_token(engine.store, "w20", "counter", "", 0, window=20)
    return live_server


def offline(number: str, at, device: str | None = None) -> dict:
    body = {"channel": "offline", "number": number, "issued_at": at.isoformat()}
    return body | ({"device": device} if device is not None else {})


# ----- offline tickets ---------------------------------------------------------------------------

def test_offline_tickets_only_from_the_kiosks_own_range_and_day(tokens, engine):
    server, early = tokens, MONDAY_10AM - timedelta(minutes=5)
    refused(issue(server, "k77", "o1", **offline("K005", early - timedelta(hours=1))), 422,
            "no offline range", "K77")  # the attack: no range, any number, a past time
    refused(issue(server, "k01", "o2", **offline("K005", early)), 422, "outside kiosk K01's offline range")
    refused(issue(server, "k01", "o3", **offline("K950", early)), 422, "outside")  # K02's range
    refused(issue(server, "k01", "o4", **offline("K900", early, device="K02")), 403, "device 'K02'")
    refused(issue(server, "k01", "o5", **offline("K0900", early)), 422, "as the hall writes it (K900)")
    refused(issue(server, "k01", "o6", **offline("K900", MONDAY_10AM - timedelta(days=2))), 422,
            "today and yesterday only")
    refused(issue(server, "k01", "o7", **offline("K900", MONDAY_10AM + timedelta(hours=1))), 422,
            "set the kiosk's clock right")
    refused(issue(server, "test-guide", "o8", **offline("K900", early)), 403, "only from the kiosk")
    refused(issue(server, "k01", "o9", number="K900", issued_at=early.isoformat()), 403, "channel 'offline'")
    assert engine.tickets() == []
    ok = issue(server, "k01", "o10", **offline("K900", early))
    assert ok.status_code == 201 and ok.json()["device"] == "K01" and ok.json()["offline"]
    late = issue(server, "k01", "o11", **offline("K901", MONDAY_10AM + timedelta(minutes=3)))
    assert late.status_code == 201  # a kiosk clock a little fast: taken as the hall's now
    assert late.json()["issued_at"] == MONDAY_10AM.isoformat()
    evening = MONDAY_10AM - timedelta(hours=18)  # yesterday 16:00: a kiosk cut off over midnight
    assert issue(server, "k01", "o12", **offline("K902", evening)).json()["id"] == "20261122-K902"
    numbers = [issue(server, "k01", f"n{i}").json()["number"] for i in range(3)]
    assert numbers == ["K001", "K002", "K003"]


# ----- a taken number never wedges the sequence --------------------------------------------------

def _wedge(path, day: str, number: str, seq: int) -> None:
    """Put a ticket holding ``number`` straight into the hall.db at ``path`` (as an accepted
    bogus offline ticket did before issue 13), beside the counter, which knows nothing of it."""
    con = sqlite3.connect(path)
    with con:
        row = con.execute("SELECT * FROM tickets WHERE day = ? ORDER BY seq LIMIT 1", (day,)).fetchone()
        names = [d[0] for d in con.execute("SELECT * FROM tickets LIMIT 0").description]
        values = dict(zip(names, row, strict=True)) | {"id": f"{day.replace('-', '')}-{number}", "number": number,
                                                       "seq": seq, "offline": 1,
                                                           "page_token": None}
        con.execute(f"INSERT INTO tickets ({', '.join(map(repr, names))}) VALUES ({', '.join('?' * len(names))})",
                    list(values.values()))
    con.close()


def test_a_hall_db_with_a_taken_number_keeps_issuing_also_after_reopening(hall_config, clock, tmp_path):
    path = tmp_path / "hall.db"
    engine = HallEngine(hall_config, Store(path), clock)
    assert [engine.issue(IssueRequest(service="GC01"), f"a{i}").number for i in range(2)] == ["K001", "K002"]
    engine.store.close()
    _wedge(path, engine.today(), "K003", 3)
    _wedge(path, engine.today(), "K004", 4)
    for round_ in range(2):  # the first server, then the same file opened again
        store = Store(path)
        add_token(store, f"kiosk-{round_}", "kiosk", "K01", 0)
        server = LiveServer(create_app(HallEngine(hall_config, store, clock))).start()
        try:
            got = [issue(server, f"kiosk-{round_}", f"r{round_}-{i}") for i in range(2)]
        finally:
            server.stop()
            store.close()
        assert [r.status_code for r in got] == [201, 201], got[0].text
        assert [r.json()["number"] for r in got] == (["K005", "K006"] if round_ == 0 else ["K007", "K008"])


# ----- what a kiosk may issue --------------------------------------------------------------------

def test_a_kiosk_token_issues_only_what_a_citizen_may_take_at_a_kiosk(tokens, engine):
    server = tokens
    for priority in ("green", "military"):
        refused(issue(server, "k01", f"s-{priority}", priority=priority), 403, "staff only", "guide")
    refused(issue(server, "k01", "s-staff", channel="staff"), 403, "not 'staff'")
    refused(issue(server, "k01", "s-api", channel="api"), 403, "not 'api'")
    refused(issue(server, "k01", "s-old0", priority="elderly"), 403, "aged 65 or more", "no ID card")
    refused(issue(server, "k01", "s-old1", service="SS01", priority="elderly", citizen=citizen(server, YOUNG)), 403,
            "age 36")
    claimed = {**citizen(server, YOUNG), "age": 80}  # an age the kiosk claims is no field at all
    refused(issue(server, "k01", "s-old3", service="SS01", priority="elderly", citizen=claimed), 422, "age")
    refused(issue(server, "k01", "s-appt", service="AP01", priority="appointment"), 403, "booking code")
    assert engine.tickets() == []
    elder = issue(server, "k01", "s-old2", service="SS01", priority="elderly", citizen=citizen(server, ELDER))
    assert elder.status_code == 201 and elder.json()["priority"] == "elderly"
    green = issue(server, "test-guide", "s-green", priority="green", channel="staff")
    assert green.status_code == 201 and green.json()["priority"] == "green"
    assert issue(server, "test-admin", "s-mil", service="AP01", priority="military", channel="staff").status_code == 201


def test_the_device_and_actor_are_the_tokens(tokens, engine):
    server = tokens
    refused(issue(server, "k01", "d1", device="K02"), 403, "belongs to kiosk K01", "device 'K02'")
    ticket = issue(server, "k01", "d3").json()
    assert ticket["device"] == "K01" and actors(engine, ticket["id"]) == [("issue", "kiosk K01")]
    claimed = issue(server, "k01", "d2", actor="mayor").json()  # recorded as the token's
    assert actors(engine, claimed["id"]) == [("issue", "kiosk K01")]
    same = issue(server, "k01", "d4", device="K01", actor="kiosk K01")  # an honest body agrees
    assert same.status_code == 201 and same.json()["device"] == "K01"
    by_guide = issue(server, "test-guide", "d5", channel="staff").json()
    assert by_guide["device"] == "guide-1" and actors(engine, by_guide["id"]) == [("issue", "guide guide-1")]


# ----- counters act for their own window ---------------------------------------------------------

def test_a_counter_token_acts_only_for_its_own_window(tokens, engine):
    server = tokens
    first = issue(server, "k01", "c1").json()
    second = issue(server, "k01", "c2").json()
    refused(post(server, "/windows/18/call-next", "w20"), 403, "window 20's", "window 18")
    refused(post(server, "/windows/18", "w20", {"paused": True}), 403, "window 18")
    refused(post(server, f"/tickets/{first['id']}/call", "w20", {"window": 18}), 403, "window 18")
    assert post(server, "/windows/999/call-next", "w20").status_code == 404  # unknown first
    call = post(server, "/windows/18/call-next", "test-counter").json()
    assert call["ticket"] == first["id"]
    for action in ("start", "finish", "no-show", "hold", "requeue"):  # another window's ticket
        refused(post(server, f"/tickets/{first['id']}/{action}", "w20", {"actor": "window 18"}), 403,
                "is at window 18")
    called = post(server, f"/tickets/{second['id']}/call", "w20", {"actor": "someone"})  # window from token
    assert called.status_code == 200 and called.json()["window"] == 20
    assert post(server, f"/tickets/{second['id']}/finish", "w20").status_code == 200
    assert actors(engine, second["id"])[1:] == [("call", "window 20"), ("finish", "window 20")]
    assert actors(engine, first["id"])[1:] == [("call", "window 18")]
    assert post(server, "/windows/20", "w20", {"paused": True}).status_code == 204
    assert post(server, "/windows/18", "test-guide", {"paused": True}).status_code == 204  # guides: any


def test_guide_actions_and_service_changes_record_the_guide(tokens, engine):
    server = tokens
    ticket = issue(server, "k01", "g1").json()
    voided = post(server, f"/tickets/{ticket['id']}/void", "test-guide", {"actor": "mallory", "reason": "test"})
    assert voided.status_code == 200 and actors(engine, ticket["id"])[-1] == ("void", "guide guide-1")
    assert post(server, "/services/GC01", "test-guide", {"paused": True, "actor": "mallory"}).status_code == 200
    assert actors(engine, "service:GC01") == [("service", "guide guide-1")]


# ----- development tokens ------------------------------------------------------------------------

def test_development_tokens_speak_for_any_kiosk_or_window_only_in_dev(engine):
    server = LiveServer(create_app(engine, dev=True)).start()
    try:
        k02 = issue(server, "dev-kiosk", "v1", **offline("K950", MONDAY_10AM, device="K02"))
        plain = issue(server, "dev-kiosk", "v2").json()
        staff = issue(server, "dev-kiosk", "v3", priority="green")
        called = post(server, "/windows/20/call-next", "dev-counter").json()
    finally:
        server.stop()
    assert k02.status_code == 201 and k02.json()["device"] == "K02"
    assert plain["device"] == "dev-kiosk"
    refused(staff, 403, "staff only")  # a dev kiosk is still a kiosk
    assert called["window"] == 20 and actors(engine, called["ticket"])[-1] == ("call", "window 20")


# ----- kiosk tokens add | list | revoke --------------------------------------------------------

def cli(capsys, *args: str) -> tuple[int, str, str]:
    from app.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_tokens_are_listed_and_revoked_from_the_cli_and_refused_at_once(hall_config, clock, tmp_path, capsys):
    from app.cli import tokens as cli_tokens
    from kiosk.tokens import ROLES

    assert cli_tokens.ROLES == ROLES
    data = str(tmp_path / "server")
    hall = str(PROJECT_CONFIG_DIR / "hall.toml")
    for command in (("list",), ("revoke", "1")):  # nothing to list: no database is made up
        code, _, err = cli(capsys, "tokens", *command, "--data", data)
        assert code == 1 and "no hall database at" in err and "--data" in err
    code, out, err = cli(capsys, "tokens", "add", "--role", "kiosk", "--device", "K01", "--data", data, "--config", hall)
    assert code == 0 and "token 1: kiosk K01" in err and "note" not in err
    kiosk_token = out.strip()
    code, out, err = cli(capsys, "tokens", "add", "--role", "counter", "--window", "20", "--data", data)
    assert code == 0 and "token 2: counter window 20" in err
    counter_token = out.strip()
    code, _, err = cli(capsys, "tokens", "add", "--role", "kiosk", "--device", "K09", "--data", data, "--config", hall)
    assert code == 0 and "reserves no [[offline_ranges]] for kiosk K09" in err
    for args, words in [(("--role", "counter"), "needs its window: add --window N"),
                        (("--role", "counter", "--window", "4", "--config", hall), "no window 4"),
                        (("--role", "guide", "--window", "3", "--device", "desk-1"), "only a counter or rater token"),
                        (("--role", "kiosk"), "needs --device"),
                        (("--role", "display", "--device", "board one"), "letters, digits")]:
        code, out, err = cli(capsys, "tokens", "add", *args, "--data", data)
        assert code == 1 and out == "" and words in err, err

    engine = HallEngine(hall_config, Store(tmp_path / "server" / "hall.db"), clock)
    server = LiveServer(create_app(engine)).start()
    try:
        assert issue(server, kiosk_token, "t1").status_code == 201
        assert post(server, "/windows/20/call-next", counter_token).status_code == 200
        code, out, _ = cli(capsys, "tokens", "list", "--data", data)
        lines = out.splitlines()
        assert code == 0 and len(lines) == 4 and lines[0].split() == ["id", "role", "device", "window", "created",
                                                                       "revoked"]
        assert lines[1].split()[:4] == ["1", "kiosk", "K01", "-"] and lines[1].rstrip().endswith("-")
        assert lines[2].split()[:4] == ["2", "counter", "-", "20"]
        assert kiosk_token not in out and counter_token not in out
        code, out, _ = cli(capsys, "tokens", "revoke", "1", "--data", data)
        assert code == 0 and "revoked token 1 (kiosk K01)" in out
        refused(issue(server, kiosk_token, "t2"), 401, "token 1 was revoked")  # at once: no cache
        assert post(server, "/windows/20/call-next", counter_token).status_code == 204  # others still work
        code, out, _ = cli(capsys, "tokens", "revoke", "1", "--data", data)
        assert code == 0 and "already revoked" in out
        code, _, err = cli(capsys, "tokens", "revoke", "9", "--data", data)
        assert code == 1 and "no token with id 9" in err and "kiosk tokens list" in err
        code, out, _ = cli(capsys, "tokens", "list", "--data", data)
        revoked = out.splitlines()[1].split()
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", revoked[-2]) and re.fullmatch(r"\d\d:\d\d", revoked[-1])
    finally:
        server.stop()


def test_an_older_hall_db_gets_the_token_columns_and_its_tokens_keep_working(hall_config, clock, tmp_path):
    """A hall.db from before tokens were bound: its tokens table lacks id, window and revoked_at."""
    from kiosk.tokens import hash_token, list_tokens

    path = tmp_path / "hall.db"
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE tokens (token_hash VARCHAR(64) PRIMARY KEY, device VARCHAR(64) NOT NULL, "
                    "role VARCHAR(16) NOT NULL, created_at FLOAT NOT NULL)")
        for token, device, at in (("old-guide", "desk-1", 2.0), ("old-kiosk", "K01", 1.0)):
            con.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (hash_token(token), device, token[4:], at))
    con.close()
    store = Store(path)
    listed = list_tokens(store)
    assert [(t.id, t.role, t.device, t.window, t.revoked_at) for t in listed] == [
        (1, "kiosk", "K01", None, None), (2, "guide", "desk-1", None, None)]  # numbered by age
    assert add_token(store, "new-kiosk", "kiosk", "K02", 3.0) == 3
    server = LiveServer(create_app(HallEngine(hall_config, store, clock))).start()
    try:
        assert issue(server, "old-kiosk", "u1").json()["device"] == "K01"
        assert issue(server, "new-kiosk", "u2").json()["device"] == "K02"
    finally:
        server.stop()
    store.close()
    assert [t.id for t in list_tokens(Store(path))] == [1, 2, 3]  # opened again: nothing renumbered
