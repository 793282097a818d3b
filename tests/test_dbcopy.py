"""``kiosk db copy``: a SQLite hall made through the real engine (a simulated day: tickets,
events, calls, clerks, cases, ratings; tokens and a console account) moved into an empty
database of the throwaway PostgreSQL cluster (tests/pg.py), proven by counts and checksums, and
then served by ``kiosk serve --db``: a token made before the copy still works and the next
ticket continues the numbering."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date, datetime

import pytest
import requests
from sqlalchemy import func, insert, inspect, select, update

from app.cli import build_parser
from kiosk import store as db
from kiosk.accounts import add_account
from kiosk.clock import FakeClock
from kiosk.dbcopy import check_tables
from kiosk.hall import open_engine
from kiosk.hallday import simulate_day
from kiosk.models import IssueRequest
from kiosk.store import Store
from kiosk.tokens import add_token
from tests.conftest import SHANGHAI, free_port

DAY = date(2026, 11, 23)  # a Monday
KIOSK_TOKEN = "token-made-before-the-copy"
FILLED = ("tickets", "ticket_events", "hall_events", "calls", "counters", "tokens", "clerks", "cases",
          "case_history", "ratings", "accounts", "meta", "alembic_version")


@pytest.fixture(scope="module")
def sqlite_hall(tmp_path_factory):
    """A data folder whose hall.db went through a simulated day, plus three tickets of today
    (so the served copy, on the real clock, continues today's numbering); its key folder."""
    from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config

    folder = tmp_path_factory.mktemp("dbcopy")
    data, keys = folder / "data", folder / "keys"
    hall = load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")
    clock = FakeClock(datetime(2026, 11, 23, 7, 0, tzinfo=SHANGHAI))
    engine = open_engine(hall, data, clock=clock, keys=keys)
    simulate_day(engine, DAY, tickets=60, seed=3)
    add_token(engine.store, KIOSK_TOKEN, "kiosk", "kiosk-9", clock.now())
    add_account(engine.store, "zhang.it", "张工", "it", "a long enough pass phrase 42", clock.now(), actor="test")
    engine.store.close()
    today = open_engine(hall, data, dev=True, clock=FakeClock(time.time()), keys=keys)
    numbers = [today.issue(IssueRequest(service="GC01"), f"today-{n}").number for n in range(3)]
    today.store.close()
    return data, keys, numbers


def main(argv: list[str]) -> int:
    """``kiosk …`` in this process, without ``app.cli.main``'s logging set-up (which would bind
    the root logger to one test's captured stderr)."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


def _rows(store: Store, table) -> list[dict]:  # noqa: ANN001
    with store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table)).all()]


def test_the_simulated_hall_fills_every_table_the_copy_must_carry(sqlite_hall):
    data, _keys, _numbers = sqlite_hall
    store = Store(data / "hall.db")
    with store.read() as conn:
        for name in FILLED:
            table = db.metadata.tables.get(name)
            if table is not None:
                assert conn.execute(select(func.count()).select_from(table)).scalar() > 0, name
    store.close()


def test_copy_carries_every_row_and_prints_counts_and_checksums(sqlite_hall, pg_cluster, capsys):
    data, _keys, _numbers = sqlite_hall
    url = pg_cluster.database()
    try:
        assert main(["db", "copy", "--data", str(data), "--to", url]) == 0
        out = capsys.readouterr().out
        for table in db.metadata.sorted_tables:
            line = next(row for row in out.splitlines() if row.startswith(f"{table.name} "))
            assert line.split()[-1] == "ok", line
        assert "every count and checksum agrees" in out
        source, target = Store(data / "hall.db"), Store(url)
        for table in db.metadata.sorted_tables:  # the rows themselves, not only their checksums
            key = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]

            def order(row, key=key):  # noqa: ANN001, ANN202
                return tuple(str(row[k]) for k in key)

            assert sorted(_rows(source, table), key=order) == sorted(_rows(target, table), key=order), table.name
        with target.write() as conn:  # the SERIAL went past the copied ids
            last = conn.execute(select(func.max(db.hall_events.c.seq))).scalar()
            seq = db.append_event(conn, time.time(), "test", {})
        assert seq == last + 1
        source.close()
        target.close()
    finally:
        pg_cluster.drop(url)


def test_a_difference_is_reported_and_exits_1(sqlite_hall, pg_cluster, capsys):
    """The check reads each side on its own: a row changed on one side is caught."""
    data, _keys, _numbers = sqlite_hall
    url = pg_cluster.database()
    try:
        assert main(["db", "copy", "--data", str(data), "--to", url]) == 0
        target, source = Store(url), Store(data / "hall.db")
        with target.write() as conn:
            conn.execute(update(db.tickets).where(db.tickets.c.id == select(func.min(db.tickets.c.id))
                                                  .scalar_subquery()).values(recalls=db.tickets.c.recalls + 1))
        checks = {c.table: c for c in check_tables(source, target)}
        assert not checks["tickets"].same and checks["tickets"].source_rows == checks["tickets"].target_rows
        assert all(c.same for name, c in checks.items() if name != "tickets")
        source.close()
        target.close()
    finally:
        pg_cluster.drop(url)


def test_copy_refuses_a_database_that_is_not_empty_and_leaves_it_alone(sqlite_hall, pg_cluster, capsys):
    data, _keys, _numbers = sqlite_hall
    url = pg_cluster.database()
    try:
        other = Store(url)  # a hall already there
        with other.write() as conn:
            conn.execute(insert(db.meta).values(key="mark", value="kept"))
        other.close()
        assert main(["db", "copy", "--data", str(data), "--to", url]) == 1
        err = capsys.readouterr().err
        assert "is not empty" in err and "make a new one" in err and "Traceback" not in err
        other = Store(url)
        with other.read() as conn:
            assert conn.execute(select(func.count()).select_from(db.tickets)).scalar() == 0
            assert conn.execute(select(db.meta.c.value).where(db.meta.c.key == "mark")).scalar() == "kept"
        other.close()
    finally:
        pg_cluster.drop(url)


def test_a_copy_that_fails_midway_leaves_the_target_empty(tmp_path, pg_cluster, capsys):
    """SQLite does not enforce varchar lengths, PostgreSQL does: a too-long value (an old bug's
    row) fails the copy of a late table, and the tables copied before it are rolled back too."""
    data = tmp_path / "data"
    source = Store(data / "hall.db")
    with source.write() as conn:
        conn.execute(insert(db.meta).values(key="kept", value="x"))
        conn.execute(insert(db.device_status).values(key="k" * 200, role="kiosk", program="kiosk", version="1",
                                                     first_seen=1.0, last_seen=1.0))
    source.close()
    url = pg_cluster.database()
    try:
        assert main(["db", "copy", "--data", str(data), "--to", url]) == 1
        err = capsys.readouterr().err
        assert "copying table device_status" in err and "nothing was kept there" in err and "Traceback" not in err
        target = Store(url, migrate=False)
        with target.read() as conn:
            assert inspect(conn).get_table_names() == []
        target.close()
    finally:
        pg_cluster.drop(url)


def test_copy_refuses_while_a_program_holds_the_data_folder(sqlite_hall, tmp_path, capsys):
    data, _keys, _numbers = sqlite_hall
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from kiosk.backup import hold_data_dir; "
                               f"hold_data_dir({str(data)!r}); print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert main(["db", "copy", "--data", str(data), "--to", "postgresql://hall@127.0.0.1:9/none"]) == 1
        assert "stop kiosk serve" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()


def _wait_healthy(port: int, server: subprocess.Popen) -> None:
    for _ in range(400):
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            threading.Event().wait(0.05)
    server.kill()
    pytest.fail(f"kiosk serve did not answer: {server.communicate()[0]}")


def test_the_copy_is_served_by_kiosk_serve_db(sqlite_hall, pg_cluster, capsys):
    data, keys, numbers = sqlite_hall
    url = pg_cluster.database()
    port = free_port()
    server = None
    try:
        assert main(["db", "copy", "--data", str(data), "--to", url]) == 0
        server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--dev", "--data", str(data),
                                   "--db", url, "--keys", str(keys), "--port", str(port)],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        _wait_healthy(port, server)
        answer = requests.post(f"http://127.0.0.1:{port}/api/v1/tickets", json={"service": "GC01"},
                               headers={"Authorization": f"Bearer {KIOSK_TOKEN}", "Idempotency-Key": "after-copy"},
                               timeout=10)
        assert answer.status_code == 201, answer.text
        last = numbers[-1]
        assert answer.json()["number"] == f"{last[:-3]}{int(last[-3:]) + 1:03d}"
    finally:
        if server is not None:
            server.terminate()
            server.communicate(timeout=30)
        pg_cluster.drop(url)
