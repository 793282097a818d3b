"""Damaged files fail loudly: an emptied, truncated, overwritten, lost or swapped hall database or
outbox stops the program with the file's name and the way out, never a fresh start that hands
out K001 again or forgets printed tickets."""

from __future__ import annotations

import shutil

import pytest

from kiosk.datafile import DamagedFile, marker_of
from kiosk.models import IssueRequest
from kiosk.outbox import Outbox
from kiosk.store import Store
from tests.kiosk_files import cli_args


@pytest.fixture(autouse=True)
def keep_root_logging():
    """``kiosk`` commands run in-process set up the root logger (on the captured stderr) and may
    add their log file: put it back as it was, for the tests after."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in set(root.handlers) - set(handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


def hall_db(folder):
    """A hall database with one day's ticket in it (closed, as after a stop)."""
    from kiosk.config import PROJECT_CONFIG_DIR
    from kiosk.hall import open_engine

    engine = open_engine(PROJECT_CONFIG_DIR / "hall.toml", folder, dev=True)
    engine.issue(IssueRequest(service="GC01"), "k1")
    engine.store.close()
    return folder / "hall.db"


def test_a_new_database_gets_its_identity_and_opens_again(tmp_path):
    path = hall_db(tmp_path)
    assert marker_of(path).exists()
    Store(path).close()  # the same file again: fine



@pytest.mark.parametrize("opener", [Store, Outbox], ids=["hall.db", "outbox.db"])
def test_a_file_another_process_is_still_creating_is_waited_for_not_called_emptied(tmp_path, opener):
    """SQLite creates a new file empty before its first page: a second process starting on the
    same new folder at that moment waits for the first instead of refusing an 'emptied' file."""
    import sqlite3
    import threading

    from kiosk.datafile import opening

    path = tmp_path / ("hall.db" if opener is Store else "outbox.db")
    opened, failed = [], []

    def open_second():
        try:
            opened.append(opener(path))
        except Exception as exc:  # noqa: BLE001 - the test reports what the opener raised
            failed.append(exc)

    with opening(path):  # the "first process", mid-creation
        path.write_bytes(b"")
        second = threading.Thread(target=open_second)
        second.start()
        second.join(0.5)
        assert second.is_alive() and not failed, f"did not wait: {failed}"
        with sqlite3.connect(path) as first:  # the first finishes its first page
            first.execute("CREATE TABLE started (at TEXT)")
        first.close()
    second.join(10)
    assert not failed, failed
    assert opened and marker_of(path).exists()
    opened[0].close()

@pytest.mark.parametrize("damage", ["emptied", "missing", "overwritten", "truncated", "new_in_its_place",
                                    "swapped"])
def test_a_damaged_hall_database_is_refused_with_the_way_out(tmp_path, damage):
    path = hall_db(tmp_path / "a")
    if damage == "emptied":
        path.write_bytes(b"")
    elif damage == "missing":
        path.unlink()
    elif damage == "overwritten":
        path.write_bytes(b"PK\x03\x04 not a database at all" * 100)
    elif damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] + b"\x00" * 7)
    elif damage == "new_in_its_place":
        path.unlink()
        import sqlite3

        sqlite3.connect(path).execute("CREATE TABLE x (y)")  # a valid, unrelated, empty database
    elif damage == "swapped":
        other = hall_db(tmp_path / "b")
        shutil.copy(other, path)  # another hall's file
    for sidecar in ("-wal", "-shm"):
        path.with_name(path.name + sidecar).unlink(missing_ok=True)
    with pytest.raises(DamagedFile) as refused:
        Store(path)
    text = str(refused.value)
    assert str(path) in text and ("backup" in text or "right file" in text)


def test_a_database_from_before_identities_is_accepted_and_stamped(tmp_path):
    path = hall_db(tmp_path)
    marker_of(path).unlink()
    Store(path).close()
    assert marker_of(path).exists()


def test_an_emptied_outbox_refuses_and_kiosk_sync_says_so(tmp_path, capsys):
    from app.cli.issue import run_sync
    from app.demo.files import kiosk_file

    folder = tmp_path / "kiosk"
    config = kiosk_file(folder, server="http://127.0.0.1:9", token="dev-kiosk")
    Outbox(folder / "data" / "outbox.db").close()
    (folder / "data" / "outbox.db").write_bytes(b"")  # printed tickets gone with it
    assert run_sync(cli_args("sync", "--config", config, "--data", folder / "data", "--dev")) == 1
    err = capsys.readouterr().err
    assert "outbox" in err and "empty (0 bytes)" in err and "remaining" not in err


def test_kiosk_serve_refuses_an_emptied_hall_database(tmp_path, capsys):
    from app.cli.core import run_serve

    path = hall_db(tmp_path)
    path.write_bytes(b"")
    assert run_serve(cli_args("serve", "--dev", "--data", tmp_path, "--port", "9")) == 1
    assert "hall.db is empty" in capsys.readouterr().err


def garble_page(path, table="tickets"):
    """Overwrite the root page of ``table`` with garbage bytes, as a failing disk sector would;
    the file keeps its header and size."""
    import sqlite3

    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def test_a_garbled_page_stops_the_hall_database_with_the_restore_command(tmp_path, capsys):
    from app.cli.core import run_serve

    path = hall_db(tmp_path)
    garble_page(path)
    with pytest.raises(DamagedFile) as refused:
        Store(path)
    assert "kiosk backup restore" in str(refused.value)
    assert run_serve(cli_args("serve", "--dev", "--data", tmp_path, "--port", "9")) == 1
    err = capsys.readouterr().err
    assert "is damaged" in err and "kiosk backup restore" in err and "Traceback" not in err


def test_a_garbled_page_in_the_outbox_is_refused(tmp_path):
    path = tmp_path / "outbox.db"
    box = Outbox(path)
    box.close()
    garble_page(path, "entries")
    with pytest.raises(Exception) as refused:
        Outbox(path)
    assert "damaged" in str(refused.value) and "kiosk backup restore" in str(refused.value)


@pytest.mark.parametrize("bad", ["a_file", "under_a_file", "unwritable"])
def test_a_bad_data_folder_is_one_sentence_and_exit_1(tmp_path, capsys, bad):
    import os

    from app.cli import main

    target = tmp_path / "data"
    if bad == "a_file":
        target.write_text("x")
    elif bad == "under_a_file":
        (tmp_path / "file").write_text("x")
        target = tmp_path / "file" / "data"
    else:
        target.mkdir()
        os.chmod(target, 0o500)
        if os.access(target, os.W_OK):  # root writes anyway: nothing to prove here
            pytest.skip("running as root")
    commands = [["serve", "--dev"], ["issue", "--service", "GC01", "--dev"], ["sync", "--dev"],
                ["backup", "create"], ["run", "--dev"]]
    for command in commands:
        assert main([*command, "--data", str(target)]) == 1, command
        err = capsys.readouterr().err
        assert str(target) in err and "Traceback" not in err, (command, err)
        assert "--data" in err or "folder" in err, (command, err)


@pytest.fixture
def hall_log(tmp_path):
    """``logs/hall-server.log`` as ``kiosk serve`` keeps it; the handler is taken off again."""
    import logging

    from kiosk.logfile import log_to_file

    path = log_to_file(tmp_path, "hall-server")
    yield path
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "baseFilename", None) == str(path)]:
        root.removeHandler(handler)
        handler.close()


def test_a_500_is_in_the_log_file_with_its_traceback(engine, live_server, hall_log):
    import sqlite3

    import requests

    db_path = engine.store.engine.url.database
    sqlite3.connect(db_path).execute("DROP TABLE service_days")  # the file changed under the server
    answer = requests.get(f"{live_server.url}/api/v1/catalog", headers={"Authorization": "Bearer test-kiosk"},
                          timeout=10)
    assert answer.status_code == 500 and answer.json()["code"] == "internal_error"
    text = hall_log.read_text("utf-8")
    assert "500 on GET /api/v1/catalog" in text and "Traceback" in text and "service_days" in text


def test_a_logged_traceback_is_scrubbed_of_id_numbers(hall_log):
    import logging

    try:
        raise ValueError("bad card 110101199003077777")
    except ValueError:
        logging.getLogger("kiosk.test").exception("a failure")
    text = hall_log.read_text("utf-8")
    assert "Traceback" in text and "110101199003077777" not in text


def test_health_turns_503_when_the_database_cannot_be_read(engine, live_server):
    import requests

    health = f"{live_server.url}/api/v1/health"
    assert requests.get(health, timeout=10).status_code == 200
    path = engine.store.engine.url.database
    garble_page(path, "meta")
    answer = requests.get(health, timeout=10)
    assert answer.status_code == 503 and answer.json()["code"] == "data_unavailable"
    assert "kiosk backup restore" in answer.json()["detail"]


def test_health_turns_503_when_the_database_was_replaced(engine, live_server, tmp_path):
    import requests

    engine.store.close()
    other = hall_db(tmp_path / "other")
    shutil.copy(other, engine.store.engine.url.database)  # another hall's file under the server
    answer = requests.get(f"{live_server.url}/api/v1/health", timeout=10)
    assert answer.status_code == 503 and "identity" in answer.json()["detail"]


@pytest.mark.parametrize("command", [["serve", "--dev", "--port", "9"], ["issue", "--dev", "--service", "GC01"]])
def test_a_folder_in_place_of_hall_db_is_a_sentence(tmp_path, capsys, command):
    from app.cli import main

    (tmp_path / "hall.db").mkdir()
    assert main([*command, "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "hall.db" in err and "Is a directory" in err and "Traceback" not in err
