"""Backups made while the program runs, their restore, and the nightly backup (fake clock)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.backup import (
    BackupError,
    NightlyBackups,
    backups_of,
    check_backup,
    create_backups,
    restore,
)
from kiosk.clock import FakeClock
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.datafile import DamagedFile, marker_of
from kiosk.hall import open_engine
from kiosk.models import IssueRequest
from kiosk.outbox import Outbox
from kiosk.store import Store
from tests.test_datafile import garble_page, hall_db, keep_root_logging  # noqa: F401 - autouse

SHANGHAI = ZoneInfo("Asia/Shanghai")
HALL = PROJECT_CONFIG_DIR / "hall.toml"


def tickets_in(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_taken_while_a_writer_issues_is_whole_and_checked(tmp_path):
    engine = open_engine(HALL, tmp_path, dev=True)
    stop, issued = threading.Event(), []

    def writer():
        while not stop.is_set():
            issued.append(engine.issue(IssueRequest(service="GC01"), f"k{len(issued)}").number)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(issued) < 20:
            stop.wait(0.01)
        made = create_backups(tmp_path)
        during = len(issued)
    finally:
        stop.set()
        thread.join()
        engine.store.close()
    assert [p.name.split("-")[0] for p in made] == ["hall"]
    backup = made[0]
    assert backup.parent == tmp_path / "backups"
    assert check_backup(backup) == marker_of(tmp_path / "hall.db").read_text().split()[0]
    assert 20 <= tickets_in(backup) <= during + 1  # a consistent snapshot of a moment in the burst
    assert not list(backup.parent.glob(".*partial"))


def test_restore_brings_back_the_tickets_and_numbers_go_on(tmp_path, capsys):
    from app.cli import main

    path = hall_db(tmp_path)  # K001 issued
    assert main(["backup", "create", "--data", str(tmp_path)]) == 0
    backup = backups_of(tmp_path / "backups", "hall")[0]
    assert f"backed up to {backup}" in capsys.readouterr().out
    garble_page(path)
    with pytest.raises(DamagedFile):
        Store(path)
    assert main(["backup", "restore", "--data", str(tmp_path), "--from", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "kept the current hall.db aside as hall.db.damaged-" in out and f"restored {path}" in out
    aside = list(tmp_path.glob("hall.db.damaged-*"))
    assert len(aside) == 1 and aside[0].stat().st_size > 0  # the damaged file is kept, not deleted
    engine = open_engine(HALL, tmp_path, dev=True)
    try:
        assert engine.issue(IssueRequest(service="GC01"), "after").number == "K002"  # not K001 again
    finally:
        engine.store.close()


def test_restore_refuses_a_damaged_backup_and_touches_nothing(tmp_path):
    path = hall_db(tmp_path)
    backup = create_backups(tmp_path)[0]
    garble_page(backup)
    before = path.read_bytes()
    with pytest.raises(BackupError) as refused:
        restore(tmp_path, backup)
    assert "damaged" in refused.value.detail and "older" in refused.value.detail
    assert path.read_bytes() == before and not list(tmp_path.glob("*.damaged-*"))


def test_a_backup_of_a_damaged_file_is_refused_and_older_ones_kept(tmp_path):
    path = hall_db(tmp_path)
    good = create_backups(tmp_path, when=datetime(2026, 11, 1, 2, tzinfo=SHANGHAI))[0]
    garble_page(path)
    with pytest.raises(BackupError) as refused:
        create_backups(tmp_path, keep=1, when=datetime(2026, 11, 2, 2, tzinfo=SHANGHAI))
    assert "may be damaged" in refused.value.detail
    assert backups_of(tmp_path / "backups", "hall") == [good]  # the bad copy did not push it out


def test_restore_refuses_while_the_program_runs(tmp_path):
    hall_db(tmp_path)
    backup = create_backups(tmp_path)[0]
    code = ("import sys, time; from kiosk.backup import hold_data_dir; hold_data_dir(sys.argv[1]); "
            "print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(BackupError) as refused:
            restore(tmp_path, backup)
        assert f"pid {holder.pid}" in refused.value.detail and "stop" in refused.value.detail
    finally:
        holder.kill()
        holder.wait()
    assert restore(tmp_path, backup)  # the lock went with the process


def test_an_outbox_is_backed_up_and_restored_with_its_identity(tmp_path):
    box = Outbox(tmp_path / "outbox.db")
    box.close()
    backup = create_backups(tmp_path)[0]
    assert backup.name.startswith("outbox-")
    (tmp_path / "outbox.db").write_bytes(b"")
    marker_of(tmp_path / "outbox.db").unlink()
    restore(tmp_path, backup)
    Outbox(tmp_path / "outbox.db").close()  # opens: the marker was written again


def test_only_the_newest_backups_are_kept(tmp_path):
    hall_db(tmp_path)
    for day in range(1, 6):
        create_backups(tmp_path, keep=3, when=datetime(2026, 11, day, 2, tzinfo=SHANGHAI))
    names = [p.name for p in backups_of(tmp_path / "backups", "hall")]
    assert names == ["hall-20261105-020000.db", "hall-20261104-020000.db", "hall-20261103-020000.db"]


def test_nightly_backups_once_a_day_at_the_hour_and_after_start(tmp_path):
    hall_db(tmp_path)
    clock = FakeClock(datetime(2026, 11, 23, 0, 30, tzinfo=SHANGHAI))
    nightly = NightlyBackups(tmp_path, hour=2, clock=clock, tz=SHANGHAI)
    assert [p.name for p in nightly.tick()] == ["hall-20261123-003000.db"]  # none today yet: at start
    clock.advance(2 * 3600)
    assert nightly.tick() == []  # 02:30, but today's is made
    clock.set(datetime(2026, 11, 24, 1, 59, tzinfo=SHANGHAI))
    assert nightly.tick() == []  # next day, before the hour
    clock.advance(60)
    assert [p.name for p in nightly.tick()] == ["hall-20261124-020000.db"]
    clock.advance(3600)
    assert nightly.tick() == []
    restarted = NightlyBackups(tmp_path, hour=2, clock=clock, tz=SHANGHAI)
    assert restarted.tick() == []  # a restart the same day makes no second one


def test_the_nightly_thread_makes_the_first_backup_and_stops(tmp_path):
    from kiosk.backup import start_nightly_backups

    hall_db(tmp_path)
    nightly = start_nightly_backups(tmp_path, out=tmp_path / "elsewhere")
    try:
        for _ in range(200):
            if backups_of(tmp_path / "elsewhere", "hall"):
                break
            threading.Event().wait(0.05)
    finally:
        nightly.stop()
    assert len(backups_of(tmp_path / "elsewhere", "hall")) == 1


def test_backup_create_and_restore_say_what_is_wrong(tmp_path, capsys):
    from app.cli import main

    assert main(["backup", "create", "--data", str(tmp_path / "none")]) == 1
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["backup", "create", "--data", str(tmp_path / "empty")]) == 1
    assert "neither hall.db nor outbox.db" in capsys.readouterr().err
    assert main(["backup", "restore", "--data", str(tmp_path), "--from", str(tmp_path / "nope.db")]) == 1
    assert "does not exist" in capsys.readouterr().err
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    assert main(["backup", "restore", "--data", str(tmp_path), "--from", str(junk)]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "Traceback" not in err


def test_kiosk_serve_logs_its_start_and_stop_backs_up_and_holds_its_folder(tmp_path):
    import signal

    import requests

    from tests.conftest import free_port

    port, data = free_port(), tmp_path / "server"
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--dev", "--data", str(data),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                threading.Event().wait(0.05)
        else:
            pytest.fail("kiosk serve did not answer")
        for _ in range(100):  # the first nightly backup is made right after start
            if backups_of(data / "backups", "hall"):
                break
            threading.Event().wait(0.05)
        backup = backups_of(data / "backups", "hall")[0]
        with pytest.raises(BackupError, match="stop kiosk serve"):
            restore(data, backup)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    text = (data / "logs" / "hall-server.log").read_text("utf-8")
    assert "kiosk serve started" in text and "kiosk serve stopped" in text and "nightly backup" in text
    assert restore(data, backup)  # stopped: the restore goes ahead


def test_kiosk_run_logs_its_start_and_stop_and_backs_up_its_files(tmp_path):
    import signal

    from app.demo.files import kiosk_file

    config, data = kiosk_file(tmp_path / "kiosk"), tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    kiosk = subprocess.Popen([sys.executable, "-m", "app.cli", "run", "--dev", "--windowed", "--config", str(config),
                              "--data", str(data)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log_file = data / "logs" / "kiosk.log"
    try:
        for _ in range(600):
            if log_file.exists() and "kiosk run started" in log_file.read_text("utf-8"):
                break
            if kiosk.poll() is not None:
                pytest.fail(kiosk.stdout.read().decode())
            threading.Event().wait(0.05)
        for _ in range(100):
            if backups_of(data / "backups", "outbox") and backups_of(data / "backups", "hall"):
                break
            threading.Event().wait(0.05)
    finally:
        kiosk.send_signal(signal.SIGTERM)
        kiosk.wait(timeout=30)
    text = log_file.read_text("utf-8")
    assert "kiosk run started" in text and "kiosk run stopped" in text
    assert backups_of(data / "backups", "outbox") and backups_of(data / "backups", "hall")  # standalone
