"""Clerks (issue 14): managed from the CLI and the API, signing in and out at a window with the
counter token bound to it, wrong PINs locking in the database, and the clerk recorded on the
tickets they serve. Against a real uvicorn server on loopback and real SQLite files."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
import requests
from sqlalchemy import select

from kiosk import store as db
from kiosk.clerk_models import NewClerk
from kiosk.engine import HallEngine
from kiosk.models import IssueRequest
from kiosk.store import Store
from kiosk.tokens import add_token
from tests.api_calls import post, refused

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)

PIN = "482916"



def get(server, path: str, token: str) -> requests.Response:
    return requests.get(f"{server.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)



@pytest.fixture
def hall(engine, live_server):
    """The live server with a counter token for window 5 (``w3``) and clerk 0123 张三."""
    add_token(engine.store, "w5", "counter", "", 0, window=5)
    response = post(live_server, "/clerks", "test-guide", {"code": "0123", "name": "张三", "pin": PIN})
    assert response.status_code == 201, response.text
    return live_server


def events_of(engine: HallEngine, kind: str) -> list[dict]:
    with engine.store.read() as conn:
        rows = conn.execute(select(db.hall_events.c.data).where(db.hall_events.c.type == kind)
                            .order_by(db.hall_events.c.seq)).scalars().all()
    return [json.loads(r) for r in rows]


def actors(engine: HallEngine, subject: str) -> list[tuple[str, str]]:
    e = db.ticket_events
    with engine.store.read() as conn:
        return [tuple(r) for r in conn.execute(select(e.c.action, e.c.actor).where(e.c.ticket_id == subject)
                                               .order_by(e.c.id))]


# ----- managing clerks --------------------------------------------------------------------------

def test_clerks_are_added_listed_and_disabled_from_the_cli(tmp_path, capsys, monkeypatch):
    from app.cli import main

    data = str(tmp_path / "server")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PIN}\n"))
    assert main(["clerks", "add", "--code", "0123", "--name", "张三", "--pin-stdin", "--data", data]) == 0
    assert "clerk 0123 (张三) added" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["clerks", "add", "--code", "0124", "--name", "李四", "--pin-stdin", "--data", data]) == 1
    assert "a PIN is 4 to 12 digits" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PIN}\n"))
    assert main(["clerks", "add", "--code", "0123", "--name", "王五", "--pin-stdin", "--data", data]) == 1
    assert "工号 0123 is taken" in capsys.readouterr().err

    assert main(["clerks", "list", "--data", data]) == 0
    out = capsys.readouterr().out
    assert "0123" in out and "张三" in out and "active" in out and "scrypt" not in out and PIN not in out
    assert main(["clerks", "disable", "0123", "--data", data]) == 0
    assert "disabled" in capsys.readouterr().out
    assert main(["clerks", "disable", "9999", "--data", data]) == 1
    assert "no clerk with 工号 '9999'" in capsys.readouterr().err
    assert main(["clerks", "list", "--data", data]) == 0
    assert "disabled" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "server" / "hall.db") as conn:  # stored hashed, never in clear
        (stored,) = conn.execute("SELECT pin_hash FROM clerks").fetchone()
    assert stored.startswith("scrypt$") and PIN not in stored


def test_guides_manage_clerks_through_the_api_and_never_see_a_pin_hash(hall, engine):
    listed = get(hall, "/clerks", "test-guide")
    assert listed.status_code == 200
    assert [c["code"] for c in listed.json()] == ["0123"]
    assert "pin" not in listed.text and "scrypt" not in listed.text
    refused(post(hall, "/clerks", "w5", {"code": "0200", "name": "x", "pin": PIN}), 403, "needs")
    refused(get(hall, "/clerks", "test-kiosk"), 403)
    refused(post(hall, "/clerks", "test-guide", {"code": "0123", "name": "again", "pin": PIN}), 409, "taken")
    refused(post(hall, "/clerks", "test-guide", {"code": "0200", "name": "x", "pin": "12ab"}), 422, "pin")
    refused(post(hall, "/clerks", "test-guide", {"code": "0200", "name": "a\nb", "pin": PIN}), 422, "control")
    disabled = post(hall, "/clerks/0123/disable", "test-guide")
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    refused(post(hall, "/windows/5/sign-in", "w5", {"code": "0123", "pin": PIN}), 403, "disabled")
    assert ("clerk-add", "guide guide-1") in actors(engine, "clerk:0123")
    assert ("clerk-disable", "guide guide-1") in actors(engine, "clerk:0123")


# ----- signing in and out -----------------------------------------------------------------------

def test_a_clerk_signs_in_at_their_window_and_the_screens_hear_of_it(hall, engine):
    add_token(engine.store, "w3", "counter", "", 0, window=3)
    refused(post(hall, "/windows/18/sign-in", "w3", {"code": "0123", "pin": PIN}), 403, "window 3's")
    refused(post(hall, "/windows/18/sign-in", "w5", {"code": "0123", "pin": PIN}), 403, "window 5's")
    refused(post(hall, "/windows/18/sign-out", "w5"), 403, "window 5's")
    refused(post(hall, "/windows/404/sign-in", "w5", {"code": "0123", "pin": PIN}), 404, "no window 404")
    refused(post(hall, "/windows/5/sign-in", "test-guide", {"code": "0123", "pin": PIN}), 403)
    refused(post(hall, "/windows/5/sign-in", "w5", {"code": "0123"}), 422, "pin or card_sealed")
    signed = post(hall, "/windows/5/sign-in", "w5", {"code": "0123", "pin": PIN})
    assert signed.status_code == 200, signed.text
    assert signed.json() == {"window": 5, "clerk": {"code": "0123", "name": "张三"}}
    assert events_of(engine, "clerk")[-1] == {"window": 5, "clerk": {"code": "0123", "name": "张三"}}
    assert get(hall, "/windows/5/clerk", "test-display").json()["clerk"]["name"] == "张三"
    catalog = get(hall, "/catalog", "test-kiosk").json()
    (window,) = [w for w in catalog["windows"] if w["number"] == 5]
    assert window["clerk"] == {"code": "0123", "name": "张三"}

    # Signing in at another window signs out of the old one.
    assert post(hall, "/windows/18/sign-in", "test-counter", {"code": "0123", "pin": PIN}).status_code == 200
    assert get(hall, "/windows/5/clerk", "test-display").json()["clerk"] is None
    assert {"window": 5, "clerk": None} in events_of(engine, "clerk")
    assert [c["window"] for c in get(hall, "/clerks", "test-guide").json()] == [18]

    out = post(hall, "/windows/18/sign-out", "test-counter")
    assert out.status_code == 200 and out.json() == {"window": 18, "clerk": None}
    assert events_of(engine, "clerk")[-1] == {"window": 18, "clerk": None}
    assert [a for a, _ in actors(engine, "window:5")] == ["sign-in", "sign-out"]
    assert actors(engine, "window:18") == [("sign-in", "window 18"), ("sign-out", "window 18")]


def test_one_clerk_per_window(hall, engine):
    engine.add_clerk(NewClerk(code="0456", name="李四", pin="7777"))
    assert post(hall, "/windows/5/sign-in", "w5", {"code": "0123", "pin": PIN}).status_code == 200
    assert post(hall, "/windows/5/sign-in", "w5", {"code": "0456", "pin": "7777"}).status_code == 200
    clerks = {c["code"]: c["window"] for c in get(hall, "/clerks", "test-guide").json()}
    assert clerks == {"0123": None, "0456": 5}


def test_wrong_pins_lock_the_clerk_and_the_window_across_a_restart(hall, engine, hall_config, clock, hall_db):
    for _ in range(4):
        refused(post(hall, "/windows/5/sign-in", "w5", {"code": "0123", "pin": "0000"}), 403, "wrong")
    locked = post(hall, "/windows/5/sign-in", "w5", {"code": "0123", "pin": "0000"})
    refused(locked, 423, "locked for 5 more minute")
    # Locked: even the right PIN is refused, before it is looked at.
    refused(post(hall, "/windows/5/sign-in", "w5", {"code": "0123", "pin": PIN}), 423, "window 5")
    refused(post(hall, "/windows/18/sign-in", "test-counter", {"code": "0123", "pin": PIN}), 423, "clerk 0123")

    # A new engine on the same file (a restarted server) keeps the lock.
    again = HallEngine(hall_config, Store(hall_db), clock)
    with pytest.raises(Exception, match="locked"):
        again.sign_in(5, "0123", PIN)
    clock.advance(301)
    assert again.sign_in(5, "0123", PIN).clerk.code == "0123"
    assert ("sign-in-failed", "window 5") in actors(engine, "window:5")


def test_an_unknown_clerk_counts_against_the_window(hall, engine):
    for _ in range(5):
        response = post(hall, "/windows/5/sign-in", "w5", {"code": "9999", "pin": "1111"})
    refused(response, 423, "window 5")
    assert response.json()["seconds"] == 300
    e = db.ticket_events
    with engine.store.read() as conn:  # what was typed as the 工号 is not kept
        details = conn.execute(select(e.c.detail).where(e.c.action == "sign-in-failed")).scalars().all()
    assert len(details) == 5 and all("9999" not in d for d in details)


# ----- the clerk on the tickets -----------------------------------------------------------------

def _issue(engine: HallEngine, key: str) -> str:
    return engine.issue(IssueRequest(service="AP01", channel="staff"), key).id


def test_the_signed_in_clerk_is_recorded_on_the_ticket(hall, engine):
    first = _issue(engine, "k1")
    assert post(hall, "/windows/5/sign-in", "w5", {"code": "0123", "pin": PIN}).status_code == 200
    called = post(hall, "/windows/5/call-next", "w5").json()
    assert called["ticket"] == first
    ticket = get(hall, f"/tickets/{first}", "test-guide").json()
    assert ticket["clerk"] == "0123"
    for action in ("recall", "start", "finish"):
        response = post(hall, f"/tickets/{first}/{action}", "w5", {})
        assert response.status_code == 200, response.text
        assert response.json()["clerk"] == "0123"
    assert actors(engine, first)[1:] == [("call", "window 5 clerk 0123"), ("recall", "window 5 clerk 0123"),
                                        ("start", "window 5 clerk 0123"), ("finish", "window 5 clerk 0123")]

    # Signed out: the window still calls (policy "optional"), and records nobody.
    second = _issue(engine, "k2")
    post(hall, "/windows/5/sign-out", "w5")
    assert post(hall, "/windows/5/call-next", "w5").json()["ticket"] == second
    assert get(hall, f"/tickets/{second}", "test-guide").json()["clerk"] is None
    assert actors(engine, second)[-1] == ("call", "window 5")


def test_a_hall_that_requires_sign_in_refuses_calls_from_an_empty_window(hall_config, clock, tmp_path):
    from kiosk.server import create_app
    from tests.conftest import LiveServer

    config = hall_config.model_copy(update={"policy": hall_config.policy.model_copy(
        update={"clerk_sign_in": "required"})})
    engine = HallEngine(config, Store(tmp_path / "hall.db"), clock)
    add_token(engine.store, "w5", "counter", "", 0, window=5)
    engine.add_clerk(NewClerk(code="0123", name="张三", pin=PIN))
    ticket = _issue(engine, "k1")
    server = LiveServer(create_app(engine, heartbeat_s=0.5)).start()
    try:
        refused(post(server, "/windows/5/call-next", "w5"), 409, "sign in first")
        refused(post(server, f"/tickets/{ticket}/call", "w5", {}), 409, "sign in first")
        assert post(server, "/windows/5/sign-in", "w5", {"code": "0123", "pin": PIN}).status_code == 200
        assert post(server, "/windows/5/call-next", "w5").json()["ticket"] == ticket
    finally:
        server.stop()


def test_an_older_hall_db_gets_the_clerk_columns(hall_config, clock, tmp_path):
    from sqlalchemy import create_engine

    from kiosk.migrations.baseline import schema

    path = tmp_path / "hall.db"
    raw = create_engine(f"sqlite:///{path}")
    schema.create_all(raw)  # the tables when migrations began, no alembic_version (kiosk/migrations/legacy.py)
    raw.dispose()
    with sqlite3.connect(path) as conn:  # as a hall.db from before clerks
        conn.execute("ALTER TABLE tickets DROP COLUMN clerk")
        conn.execute("ALTER TABLE window_states DROP COLUMN locked_until")
        conn.execute("DROP TABLE clerks")
    engine = HallEngine(hall_config, Store(path), clock)
    engine.add_clerk(NewClerk(code="0123", name="张三", pin=PIN))
    engine.sign_in(5, "0123", PIN)
    ticket = _issue(engine, "k1")
    engine.call_next(5, "window 5")
    assert engine.ticket(ticket).clerk == "0123"


# ----- the staff card -----------------------------------------------------------------------------

STAFF_CARD = "11010519491231002X"
OTHER_CARD = "110105199001010010"


def test_a_clerk_signs_in_with_their_staff_card(hall, engine):
    from kiosk.sealing import seal

    key = get(hall, "/catalog", "test-kiosk").json()["id_seal_key"]
    added = post(hall, "/clerks", "test-guide", {"code": "0456", "name": "李四", "pin": "7777",
                                                 "card_sealed": seal(STAFF_CARD, key)})
    assert added.status_code == 201 and added.json()["card"] is True
    assert STAFF_CARD not in added.text
    with engine.store.read() as conn:  # kept as a salted hash only
        (entry,) = conn.execute(select(db.clerks.c.card_entry).where(db.clerks.c.code == "0456")).one()
    assert entry.startswith("scrypt$") and STAFF_CARD not in entry
    refused(post(hall, "/windows/5/sign-in", "w5", {"code": "0456", "card_sealed": seal(OTHER_CARD, key)}),
            403, "wrong")
    refused(post(hall, "/windows/5/sign-in", "w5", {"code": "0123", "card_sealed": seal(STAFF_CARD, key)}),
            403, "wrong")  # 0123 has no card: another clerk's card opens nothing
    signed = post(hall, "/windows/5/sign-in", "w5", {"code": "0456", "card_sealed": seal(STAFF_CARD, key)})
    assert signed.status_code == 200 and signed.json()["clerk"]["code"] == "0456"


def test_the_cli_registers_a_staff_card_as_a_hash(tmp_path, capsys, monkeypatch):
    from app.cli import main

    data = str(tmp_path / "server")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PIN}\n110105199001010011\n"))
    assert main(["clerks", "add", "--code", "0123", "--name", "张三", "--pin-stdin", "--card-stdin",
                 "--data", data]) == 1
    assert "not a valid ID number" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PIN}\n{STAFF_CARD}\n"))
    assert main(["clerks", "add", "--code", "0123", "--name", "张三", "--pin-stdin", "--card-stdin",
                 "--data", data]) == 0
    assert "the PIN and the staff card stored only as hashes" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "server" / "hall.db") as conn:
        (entry,) = conn.execute("SELECT card_entry FROM clerks").fetchone()
    assert entry.startswith("scrypt$") and STAFF_CARD not in entry


# ----- the clerk's photo ------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)  # the magic bytes decide; screens decode
JPEG = b"\xff\xd8\xff\xe0" + bytes(60)


def seat_with_photo(hall, engine, code: str, photo: str | None) -> None:
    """Register clerk ``code`` with ``photo`` (a stored path) and sign them in at window 5. Built
    without the API's check of the path, as a row of an older hall.db may hold any path: the
    server checks it again on every read."""
    engine.add_clerk(NewClerk.model_construct(code=code, name="王五", pin=PIN, photo=photo, card_sealed=None),
                     actor="test")
    assert post(hall, "/windows/5/sign-in", "w5", {"code": code, "pin": PIN}).status_code == 200


def test_the_photo_of_the_clerk_at_a_window_is_served_to_the_halls_screens(hall, engine, tmp_path):
    (tmp_path / "clerk-photos").mkdir()
    (tmp_path / "clerk-photos" / "0777.png").write_bytes(PNG)  # tmp_path is the engine's data folder
    add_token(engine.store, "r5", "rater", "", 0, window=5)
    refused(get(hall, "/windows/5/clerk/photo", "r5"), 404, "nobody is signed in at window 5")
    seat_with_photo(hall, engine, "0777", "clerk-photos/0777.png")
    for token in ("r5", "test-display", "w5", "test-guide", "test-admin", "test-counter"):
        response = get(hall, "/windows/5/clerk/photo", token)
        assert response.status_code == 200, (token, response.text)
        assert response.content == PNG and response.headers["content-type"] == "image/png"
        assert response.headers["cache-control"] == "no-store"
    refused(get(hall, "/windows/5/clerk/photo", "test-kiosk"), 403, "kiosk token may not")
    assert get(hall, "/windows/5/clerk/photo", "nonsense").status_code == 401
    refused(get(hall, "/windows/99/clerk/photo", "r5"), 404, "no window 99")
    post(hall, "/windows/5/sign-out", "w5")
    refused(get(hall, "/windows/5/clerk/photo", "r5"), 404, "nobody is signed in")


def test_a_jpeg_in_the_photo_folder_is_served_as_one_and_no_path_elsewhere_is_taken(hall, engine, tmp_path):
    (tmp_path / "clerk-photos").mkdir()
    (tmp_path / "clerk-photos" / "0778.jpg").write_bytes(JPEG)
    seat_with_photo(hall, engine, "0778", "clerk-photos/0778.jpg")
    response = get(hall, "/windows/5/clerk/photo", "test-display")
    assert response.status_code == 200 and response.content == JPEG
    assert response.headers["content-type"] == "image/jpeg"
    elsewhere = tmp_path / "elsewhere" / "portrait.jpg"  # any picture on the server's disk
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(JPEG)
    for photo in (str(elsewhere), "../elsewhere/portrait.jpg", "clerk-photos/../hall.db"):
        body = {"code": "0780", "name": "赵六", "pin": PIN, "photo": photo}
        refused(post(hall, "/clerks", "test-guide", body), 422, "photo")


@pytest.mark.parametrize("photo, content", [
    (None, None),  # no photo at all
    ("clerk-photos/gone.png", None),  # a file that is not there
    ("clerk-photos/note.png", b"just some text, named .png"),  # not a picture, whatever its name
    ("clerk-photos/huge.png", b"\x89PNG\r\n\x1a\n" + bytes(2 * 1024 * 1024)),  # past the cap
    ("../hall.db", None),  # out of the data folder: never followed
    ("clerk-photos", None),  # a folder
])
def test_a_clerk_without_a_usable_photo_is_a_plain_404(hall, engine, tmp_path, photo, content):
    (tmp_path / "clerk-photos").mkdir()
    if content is not None:
        (tmp_path / photo).write_bytes(content)
    seat_with_photo(hall, engine, "0779", photo)
    detail = refused(get(hall, "/windows/5/clerk/photo", "test-display"), 404, "clerk 0779")
    assert "王五" not in detail and "Traceback" not in detail
    if photo is None:
        assert "has no photo" in detail
    else:
        assert "cannot be shown" in detail and "PNG or JPEG" in detail


def test_the_hall_client_gives_the_photo_or_none(hall, engine, tmp_path):
    from kiosk.client import HallClient
    from kiosk.hall import LocalHall

    add_token(engine.store, "r5", "rater", "", 0, window=5)
    client = HallClient(hall.url, "r5")
    try:
        assert client.window_clerk_photo(5) is None
        (tmp_path / "clerk-photos").mkdir()
        (tmp_path / "clerk-photos" / "0780.png").write_bytes(PNG)
        seat_with_photo(hall, engine, "0780", "clerk-photos/0780.png")
        assert client.window_clerk_photo(5) == PNG
        assert LocalHall(engine).window_clerk_photo(5) == PNG
        assert LocalHall(engine).window_clerk_photo(6) is None
    finally:
        client.close()


def test_the_cli_copies_a_checked_photo_into_the_data_folder(tmp_path, capsys, monkeypatch):
    from app.cli import main

    data = tmp_path / "server"
    text = tmp_path / "note.png"
    text.write_bytes(b"not a picture")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PIN}\n"))
    assert main(["clerks", "add", "--code", "0123", "--name", "张三", "--photo", str(text), "--pin-stdin",
                 "--data", str(data)]) == 1
    assert "is not a PNG or JPEG picture" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PIN}\n"))
    assert main(["clerks", "add", "--code", "0123", "--name", "张三", "--photo", str(tmp_path / "none.jpg"),
                 "--pin-stdin", "--data", str(data)]) == 1
    assert "does not exist" in capsys.readouterr().err
    source = tmp_path / "portrait.jpeg"
    source.write_bytes(JPEG)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PIN}\n"))
    assert main(["clerks", "add", "--code", "0123", "--name", "张三", "--photo", str(source), "--pin-stdin",
                 "--data", str(data)]) == 0
    assert "photo copied to clerk-photos/0123.jpg" in capsys.readouterr().out
    source.unlink()  # the server reads its own copy
    assert (data / "clerk-photos" / "0123.jpg").read_bytes() == JPEG
    with sqlite3.connect(data / "hall.db") as conn:
        assert conn.execute("SELECT photo FROM clerks").fetchone() == ("clerk-photos/0123.jpg",)
    (tmp_path / "other.png").write_bytes(PNG)  # a taken 工号 leaves its owner's photo alone
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PIN}\n"))
    assert main(["clerks", "add", "--code", "0123", "--name", "王五", "--photo", str(tmp_path / "other.png"),
                 "--pin-stdin", "--data", str(data)]) == 1
    assert not (data / "clerk-photos" / "0123.png").exists()
