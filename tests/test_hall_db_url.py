"""The hall file's ``[storage] database`` and ``--db`` (which wins over it) for ``kiosk serve``,
``kiosk appointments import`` and a standalone ``kiosk run``, on a real PostgreSQL (tests/pg.py);
the URL's password is never printed nor written to the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.demo.files import hall_file, kiosk_file
from kiosk import store as db
from kiosk.config import ConfigError, load_hall_config
from kiosk.store import Store
from tests.conftest import SHANGHAI, free_port
from tests.kiosk_files import cli_args

PASSWORD = "s3cret-pw"


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh database of the run's cluster, dropped afterwards."""
    url = pg_cluster.database()
    yield url
    pg_cluster.drop(url)


def _hall(folder, url: str):  # noqa: ANN001, ANN202
    """The sample hall with ``[storage] database = url``."""
    return hall_file(folder, lambda doc: doc.update({"storage": {"database": url}}))


def _unreachable() -> str:
    return f"postgresql://hall:{PASSWORD}@127.0.0.1:{free_port()}/hall?connect_timeout=2"


def test_the_hall_file_takes_a_postgresql_url_only_and_never_echoes_it(tmp_path):
    assert load_hall_config(_hall(tmp_path / "a", "postgresql://hall@db.example/hall")).storage.database == \
        "postgresql://hall@db.example/hall"
    assert load_hall_config(_hall(tmp_path / "b", "")).storage.database == ""
    with pytest.raises(ConfigError) as refused:
        load_hall_config(_hall(tmp_path / "c", f"mysql://hall:{PASSWORD}@db/hall"))
    assert "storage.database" in str(refused.value) and "must be a PostgreSQL URL" in str(refused.value)
    assert PASSWORD not in str(refused.value)


def test_serve_opens_the_hall_file_s_database_and_hides_its_password(tmp_path, capsys):
    from app.cli.core import run_serve

    path = _hall(tmp_path / "hall", _unreachable())
    assert run_serve(cli_args("serve", "--dev", "--config", path, "--data", tmp_path / "data", "--port", "9")) == 1
    err = capsys.readouterr().err
    assert "cannot open the hall database postgresql://hall@127.0.0.1" in err
    assert PASSWORD not in err and "Traceback" not in err


def _appointments(tmp_path):  # noqa: ANN001, ANN202
    start = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    path = tmp_path / "appointments.csv"
    path.write_text("booking_code,service,slot_start,slot_end,id_number\n"
                    f"BK-001,SS01,{start.isoformat()},{(start + timedelta(minutes=30)).isoformat()},\n", "utf-8")
    return path


def _count(url: str, table) -> int:  # noqa: ANN001
    store = Store(url)
    with store.read() as conn:
        found = conn.execute(select(func.count()).select_from(table)).scalar()
    store.close()
    return found


def test_appointments_import_goes_to_the_hall_file_s_database_unless_db_says_otherwise(
        tmp_path, pg_cluster, pg_url, capsys):
    from app.cli.core import run_appointments_import

    other = pg_cluster.database()
    try:
        path, csv = _hall(tmp_path / "hall", pg_url), _appointments(tmp_path)
        common = ("appointments", "import", csv, "--config", path, "--data", tmp_path / "data", "--keys", tmp_path / "keys")
        assert run_appointments_import(cli_args(*common)) == 0
        assert _count(pg_url, db.appointments) == 1
        assert not (tmp_path / "data" / "hall.db").exists()  # not the SQLite file
        assert run_appointments_import(cli_args(*common, "--db", other)) == 0  # --db wins
        assert _count(other, db.appointments) == 1 and _count(pg_url, db.appointments) == 1
        assert capsys.readouterr().out.count("imported 1 appointments") == 2
    finally:
        pg_cluster.drop(other)


def test_kiosk_run_db_is_refused_for_a_kiosk_linked_to_a_server(tmp_path, capsys):
    from app.cli.run import run_kiosk

    path = kiosk_file(tmp_path, server="http://127.0.0.1:9", printer=None)
    assert run_kiosk(cli_args("run", "--dev", "--config", path, "--db", "postgresql://hall@db/hall")) == 1
    err = capsys.readouterr().err
    assert "--db is for a standalone kiosk's own hall" in err and "Traceback" not in err


def test_kiosk_run_db_opens_that_database_and_hides_its_password(tmp_path, capsys):
    from app.cli.run import run_kiosk

    path = kiosk_file(tmp_path, printer=None)
    assert run_kiosk(cli_args("run", "--dev", "--config", path, "--data", tmp_path / "data", "--keys",
                              tmp_path / "keys", "--db", _unreachable())) == 1
    err = capsys.readouterr().err
    assert "cannot open the hall database postgresql://hall@127.0.0.1" in err
    assert PASSWORD not in err and "Traceback" not in err


def test_a_standalone_kiosk_keeps_its_hall_in_the_db_it_is_given(tmp_path, pg_url):
    from app.kiosk_app import build_terminal
    from kiosk.config import load_kiosk_config
    from kiosk.models import IssueRequest

    path = kiosk_file(tmp_path, printer=None)
    terminal = build_terminal(load_kiosk_config(path), path, tmp_path / "data", dev=True, start=False,
                              keys=tmp_path / "keys", db=pg_url)
    try:
        ticket = terminal.hall.issue(IssueRequest(service="GC01"), "standalone-pg-1")
    finally:
        terminal.close()
    assert _count(pg_url, db.tickets) == 1 and ticket.number.endswith("001")
    assert not (tmp_path / "data" / "hall.db").exists()


def test_the_audit_of_a_hall_file_change_never_holds_the_password(tmp_path):
    from kiosk.hallsettings import field_changes

    old = load_hall_config(_hall(tmp_path / "a", ""))
    new = load_hall_config(_hall(tmp_path / "b", f"postgresql://hall:{PASSWORD}@db.example/hall"))
    changes = [c for c in field_changes(old, new) if c.field.startswith("storage")]
    assert [(c.field, c.new) for c in changes] == [("storage.database", "postgresql://hall@db.example/hall")]
