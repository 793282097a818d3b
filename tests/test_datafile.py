"""Damaged files fail loudly: an emptied, truncated, overwritten, lost or swapped hall database or
outbox stops the program with the file's name and the way out, never a fresh start that hands
out K001 again or forgets printed tickets."""

from __future__ import annotations

import argparse
import shutil

import pytest

from kiosk.datafile import DamagedFile, marker_of
from kiosk.models import IssueRequest
from kiosk.outbox import Outbox
from kiosk.store import Store


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
    args = argparse.Namespace(config=config, server=None, token=None, kiosk_id=None,
                              data=folder / "data", timeout=None, dev=True, json=False)
    assert run_sync(args) == 1
    err = capsys.readouterr().err
    assert "outbox" in err and "empty (0 bytes)" in err and "remaining" not in err


def test_kiosk_serve_refuses_an_emptied_hall_database(tmp_path, capsys):
    from app.cli.core import run_serve

    path = hall_db(tmp_path)
    path.write_bytes(b"")
    args = argparse.Namespace(config=None, dev=True, data=tmp_path, sync="full", host="127.0.0.1", port=9, keys=None)
    assert run_serve(args) == 1
    assert "hall.db is empty" in capsys.readouterr().err
