"""Schema migrations (kiosk/migrations, Alembic) on real SQLite files and a real PostgreSQL:
a new database made at the head, one made before migrations brought up and stamped with its
rows kept, one written by a newer version refused untouched, and ``kiosk db upgrade`` /
``kiosk db status``."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, insert, inspect, select, text

from app.cli import build_parser
from kiosk import store as db
from kiosk.domain import HallError
from kiosk.migrations import BEFORE_MIGRATIONS, HEAD, NEW_DATABASE
from kiosk.migrations.baseline import schema
from kiosk.store import Store

pytestmark = pytest.mark.both_stores  # on SQLite and on PostgreSQL (tests/pg.py)

NEWER = "9999_from_the_future"


def kiosk(*argv: str) -> int:
    """``kiosk …`` in this process (without app.cli.main's logging set-up)."""
    args = build_parser().parse_args([str(a) for a in argv])
    return args.handler(args)


def _where(hall_db) -> list[str]:  # noqa: ANN001
    """The ``--data`` or ``--db`` words that name ``hall_db``."""
    return ["--db", hall_db] if isinstance(hall_db, str) else ["--data", str(hall_db.parent)]


def _raw(hall_db):  # noqa: ANN001, ANN202 - a plain engine: no Store, no migration
    return create_engine(hall_db if isinstance(hall_db, str) else f"sqlite:///{hall_db}")


def test_head_is_the_newest_script_and_the_revisions_ship_in_the_package():
    from setuptools import find_packages

    from kiosk.migrations import _scripts

    assert _scripts().get_current_head() == HEAD
    assert "kiosk.migrations.versions" in find_packages(include=["kiosk*"])


def test_a_new_database_is_made_at_the_head_with_the_code_s_tables(hall_db, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = Store(hall_db, data_dir=tmp_path)
    assert store.upgraded == (NEW_DATABASE, HEAD)
    with store.read() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        # The migrated schema is exactly store.py's tables: a column or index added there without
        # a revision shows up here.
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata) == []
    store.close()
    again = Store(hall_db, data_dir=tmp_path)
    assert again.upgraded == (HEAD, HEAD)
    again.close()


def _old_hall(hall_db) -> None:  # noqa: ANN001
    """A hall database as a version before migrations left it: the tables, no alembic_version,
    and a tokens table from before token ids (no id, window, revoked_at), with rows."""
    engine = _raw(hall_db)
    with engine.begin() as conn:
        old = [t for t in schema.sorted_tables if t.name != "tokens"]
        schema.create_all(conn, tables=old)
        conn.execute(text("CREATE TABLE tokens (token_hash VARCHAR(64) PRIMARY KEY, device VARCHAR(64) NOT NULL, "
                          "role VARCHAR(16) NOT NULL, created_at FLOAT NOT NULL)"))
        conn.execute(text("INSERT INTO tokens VALUES ('b' , 'kiosk-2', 'kiosk', 20.0), ('a', 'kiosk-1', 'kiosk', 10.0)"))
        conn.execute(insert(schema.tables["meta"]).values(key="note", value="made before migrations"))
    engine.dispose()


def test_a_database_made_before_migrations_is_brought_up_and_stamped(hall_db, tmp_path, capsys):
    _old_hall(hall_db)
    assert kiosk("db", "status", *_where(hall_db)) == 0
    out = capsys.readouterr().out
    assert f"revision {BEFORE_MIGRATIONS}" in out and "to apply: 0001" in out
    assert kiosk("db", "upgrade", *_where(hall_db)) == 0
    assert f"upgraded from {BEFORE_MIGRATIONS} to {HEAD}" in capsys.readouterr().out
    store = Store(hall_db, data_dir=tmp_path)
    assert store.upgraded == (HEAD, HEAD)
    with store.read() as conn:
        numbered = conn.execute(select(db.tokens.c.device, db.tokens.c.id).order_by(db.tokens.c.id)).all()
        note = conn.execute(select(db.meta.c.value).where(db.meta.c.key == "note")).scalar()
    assert [tuple(r) for r in numbered] == [("kiosk-1", 1), ("kiosk-2", 2)]  # in the order they were made
    assert note == "made before migrations"
    store.close()
    assert kiosk("db", "status", *_where(hall_db)) == 0
    assert "up to date" in capsys.readouterr().out


def _contents(hall_db) -> list:  # noqa: ANN001
    """Every table's rows (and, on SQLite, the schema's SQL): what "untouched" compares."""
    engine = _raw(hall_db)
    with engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        out = [(n, sorted(map(tuple, conn.execute(text(f"SELECT * FROM {n}")).all()), key=repr)) for n in names]
    engine.dispose()
    if not isinstance(hall_db, str):
        with sqlite3.connect(hall_db) as plain:
            out.append(list(plain.iterdump()))
    return out


def test_a_database_of_a_newer_version_is_refused_untouched(hall_db, tmp_path, capsys):
    Store(hall_db, data_dir=tmp_path).close()
    engine = _raw(hall_db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": NEWER})
        conn.execute(text("DROP TABLE device_status"))  # as if the newer version had dropped it
    engine.dispose()
    before = _contents(hall_db)
    sentence = f"the hall database was written by a newer version (revision {NEWER}); install that version or newer"
    with pytest.raises(HallError) as refused:
        Store(hall_db, data_dir=tmp_path)
    assert refused.value.detail == sentence
    assert kiosk("db", "upgrade", *_where(hall_db)) == 1
    assert kiosk("db", "status", *_where(hall_db)) == 1
    err = capsys.readouterr().err
    assert err.count(sentence) == 2 and "Traceback" not in err
    assert _contents(hall_db) == before


@pytest.mark.sqlite_only
def test_status_names_a_missing_hall_and_changes_nothing(tmp_path, capsys):
    assert kiosk("db", "status", "--data", tmp_path) == 1
    assert kiosk("db", "upgrade", "--data", tmp_path) == 1
    err = capsys.readouterr().err
    assert err.count(f"no hall database at {tmp_path / 'hall.db'}") == 2
    assert not (tmp_path / "hall.db").exists()
