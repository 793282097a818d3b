"""The PostgreSQL store itself (kiosk/store.py) on a real throwaway cluster (tests/pg.py):
``kiosk serve --db``, URLs refused in plain words, writers of two engines serialised, a
restarted PostgreSQL recovered from without help."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from kiosk import store as db
from kiosk.domain import HallError
from kiosk.models import IssueRequest
from kiosk.store import Store, database_url
from tests.conftest import free_port
from tests.kiosk_files import cli_args


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh database of the run's cluster, dropped afterwards."""
    url = pg_cluster.database()
    yield url
    pg_cluster.drop(url)


def _plain(url: str) -> str:
    """The URL as a user types it (``postgresql://``, no driver named)."""
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.parametrize("text", ["mysql://hall@db/hall", "sqlite:///hall.db", "postgresql://", "hall.db://x"])
def test_only_postgresql_urls_are_taken(text):
    with pytest.raises(ValueError, match="is not a PostgreSQL URL"):
        database_url(text)
    assert database_url("postgres://hall@db/hall") == "postgresql+psycopg://hall@db/hall"


def test_serve_refuses_a_url_that_is_not_postgresql_in_a_sentence(tmp_path, capsys):
    from app.cli.core import run_serve

    assert run_serve(cli_args("serve", "--dev", "--data", tmp_path, "--db", "mysql://hall@db/hall", "--port", "9")) == 1
    err = capsys.readouterr().err
    assert "is not a PostgreSQL URL" in err and "Traceback" not in err


def test_an_unreachable_database_is_a_sentence_without_the_password(tmp_path, capsys):
    from app.cli.core import run_serve

    url = f"postgresql://hall:s3cret-pw@127.0.0.1:{free_port()}/hall?connect_timeout=2"
    assert run_serve(cli_args("serve", "--dev", "--data", tmp_path, "--db", url, "--port", "9")) == 1
    err = capsys.readouterr().err
    assert "cannot open the hall database postgresql://hall@127.0.0.1" in err and "check that PostgreSQL runs" in err
    assert "s3cret-pw" not in err and "Traceback" not in err


def test_kiosk_serve_with_db_keeps_the_hall_in_postgresql(pg_url, tmp_path):
    port, data = free_port(), tmp_path / "server"
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--dev", "--data", str(data),
                               "--db", _plain(pg_url), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(300):
            try:
                if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                threading.Event().wait(0.05)
        else:
            server.kill()
            pytest.fail(f"kiosk serve did not answer: {server.communicate()[0]}")
        answer = requests.post(f"http://127.0.0.1:{port}/api/v1/tickets", json={"service": "GC01"},
                               headers={"Authorization": "Bearer dev-kiosk", "Idempotency-Key": "pg-1"}, timeout=10)
        assert answer.status_code == 201, answer.text
        number = answer.json()["number"]
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=20)[0]
    assert "database postgresql://postgres@" in output
    assert not (data / "hall.db").exists()  # nothing went to a SQLite file
    store = Store(pg_url)
    try:
        with store.read() as conn:
            assert conn.execute(select(db.tickets.c.number)).scalars().all() == [number]
    finally:
        store.close()


def test_writers_of_two_stores_on_one_database_take_turns(pg_url):
    """Two stores (as two processes would hold them) bumping one counter row from 16 threads:
    the advisory lock makes each read-modify-write whole, so nothing is counted twice."""
    stores = [Store(pg_url), Store(pg_url)]

    def bump(i: int) -> int:
        with stores[i % 2].write() as conn:
            return db.next_sequence(conn, "2026-11-23", "GC01")

    try:
        with ThreadPoolExecutor(16) as pool:
            taken = list(pool.map(bump, range(200)))
        assert sorted(taken) == list(range(1, 201))
    finally:
        for store in stores:
            store.close()


def test_a_restarted_postgresql_is_recovered_from_by_itself(pg_cluster, pg_url, hall_config, clock):
    from kiosk.engine import HallEngine

    engine = HallEngine(hall_config, Store(pg_url), clock)
    try:
        first = engine.issue(IssueRequest(service="GC01"), "before")
        pg_cluster.restart()  # every pooled connection is now dead
        after = [engine.issue(IssueRequest(service="GC01"), f"after-{i}").number for i in range(3)]
        assert (first.number, after) == ("K001", ["K002", "K003", "K004"])
        with engine.store.read() as conn:
            assert conn.execute(select(func.count()).select_from(db.tickets)).scalar() == 4
    finally:
        engine.store.close()


def test_a_bad_url_given_to_the_store_is_a_hall_error():
    with pytest.raises(HallError) as err:
        Store("mysql://hall@db/hall")
    assert err.value.code == "data_unavailable" and "not a PostgreSQL URL" in err.value.detail


def test_the_admin_commands_take_db_tokens_made_there_work_at_a_server_on_it(pg_url, hall_config, clock,
                                                                              tmp_path, capsys):
    """kiosk tokens/clerks/accounts --db: the hall of a PostgreSQL server is administered as a
    SQLite one is with --data; a token made there opens the server's door."""
    from app.cli import main
    from kiosk.engine import HallEngine
    from kiosk.server import create_app
    from tests.conftest import LiveServer

    url, data = _plain(pg_url), tmp_path / "server"
    assert main(["tokens", "add", "--role", "kiosk", "--device", "K01", "--db", url, "--data", str(data)]) == 0
    token = capsys.readouterr().out.strip()
    assert main(["tokens", "list", "--db", url]) == 0
    assert "kiosk" in capsys.readouterr().out and not (data / "hall.db").exists()
    engine = HallEngine(hall_config, Store(pg_url), clock)
    server = LiveServer(create_app(engine)).start()
    try:
        answer = requests.post(f"{server.url}/api/v1/tickets", json={"service": "GC01"},
                               headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "t-1"}, timeout=10)
        assert answer.status_code == 201, answer.text
        assert main(["tokens", "revoke", "1", "--db", url]) == 0
        again = requests.post(f"{server.url}/api/v1/tickets", json={"service": "GC01"},
                              headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "t-2"}, timeout=10)
        assert again.status_code == 401
    finally:
        server.stop()
        engine.store.close()
    assert main(["tokens", "list", "--db", "mysql://x@y/z"]) == 1
    assert "is not a PostgreSQL URL" in capsys.readouterr().err


@pytest.mark.both_stores
def test_a_read_sees_one_snapshot_while_a_writer_commits(hall_db, hall_config, clock):
    """Statistics read a month in several statements: a ticket committed between two of them
    must not be in one and missing from the other."""
    from kiosk.engine import HallEngine

    engine = HallEngine(hall_config, Store(hall_db), clock)
    count = select(func.count()).select_from(db.tickets)
    try:
        engine.issue(IssueRequest(service="GC01"), "first")
        with engine.store.read() as conn:
            before = conn.execute(count).scalar()
            threading.Thread(target=engine.issue, args=(IssueRequest(service="GC01"), "second")).start()
            threading.Event().wait(0.5)  # the writer commits meanwhile (it does not wait for readers)
            assert conn.execute(count).scalar() == before == 1
        with engine.store.read() as conn:
            assert conn.execute(count).scalar() == 2
    finally:
        engine.store.close()


def test_a_stopped_postgresql_is_a_503_and_the_server_serves_again_once_it_is_back(pg_cluster, pg_url,
                                                                                    hall_config, clock):
    from kiosk.engine import HallEngine
    from kiosk.server import add_token, create_app
    from tests.conftest import LiveServer

    engine = HallEngine(hall_config, Store(pg_url), clock)
    add_token(engine.store, "k01", "kiosk", "K01", 0)
    server = LiveServer(create_app(engine)).start()

    def issue(key: str) -> requests.Response:
        return requests.post(f"{server.url}/api/v1/tickets", json={"service": "GC01"},
                             headers={"Authorization": "Bearer k01", "Idempotency-Key": key}, timeout=20)

    try:
        assert issue("a").status_code == 201
        pg_cluster.halt()
        try:
            health = requests.get(f"{server.url}/api/v1/health", timeout=20)
            assert health.status_code == 503 and health.json()["code"] == "data_unavailable"
            down = issue("b")
            assert down.status_code == 503 and "cannot be reached right now" in down.json()["detail"], down.text
        finally:
            pg_cluster.resume()
        assert requests.get(f"{server.url}/api/v1/health", timeout=20).status_code == 200
        again = issue("b")  # the device retries its refused ticket under the same key
        assert again.status_code == 201 and again.json()["number"] == "K002"
    finally:
        server.stop()
        engine.store.close()
