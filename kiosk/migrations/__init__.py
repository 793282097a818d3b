"""Schema migrations of the hall database (Alembic), for SQLite and PostgreSQL alike.

The revisions live in ``versions/`` inside the package and are run programmatically on the
connection they are given (no alembic.ini, no env.py): ``kiosk.store.Store`` brings every
database it opens up to ``HEAD`` inside its first write transaction, under the write lock, so
two processes opening a new database together do not race (the second finds it done).

Three kinds of database are met:

- a new one (no tables): every revision runs, from the baseline (0001) on;
- one made before migrations (the hall's tables, no ``alembic_version``): brought up to the
  baseline by the old add-the-missing-columns logic (``legacy``), stamped 0001, then upgraded;
- one whose revision this code does not know: written by a newer version, refused untouched.

Names are unqualified (tables and ``alembic_version`` alike), so a migration works in whatever
schema the connection's ``search_path`` selects.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from kiosk.domain import HallError

HEAD = "0004"
"""The newest revision in ``versions/`` (tests/test_migrations.py checks it is the scripts' head):
known without importing Alembic, so opening an up-to-date database costs one small read."""
BASELINE = "0001"
VERSION_TABLE = "alembic_version"
FOLDER = Path(__file__).resolve().parent
BEFORE_MIGRATIONS = "none (made before migrations)"
NEW_DATABASE = "none (new database)"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Status:
    """Where a hall database stands: its revision (None: no ``alembic_version``), whether it
    holds the hall's tables at all, and the code's head."""

    revision: str | None
    has_tables: bool
    head: str = HEAD

    @property
    def shown(self) -> str:
        """The revision in words."""
        if self.revision is not None:
            return self.revision
        return BEFORE_MIGRATIONS if self.has_tables else NEW_DATABASE

    @property
    def up_to_date(self) -> bool:
        """At the head of this code."""
        return self.revision == self.head


def status(conn: Connection) -> Status:
    """The revision stored in the database of ``conn`` (one read; nothing changed)."""
    names = set(inspect(conn).get_table_names())
    if VERSION_TABLE not in names:
        from kiosk.migrations.baseline import schema

        return Status(None, bool(names & set(schema.tables)))
    revision = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return Status(revision, True)


def pending(found: Status) -> list[str] | None:
    """The revisions an upgrade of ``found`` would run, oldest first; None when its revision is
    not one of this code's (a newer version wrote it)."""
    script = _scripts()
    if found.revision is not None and found.revision not in _known(script):
        return None
    start = BASELINE if found.revision is None and found.has_tables else found.revision
    steps = [rev.revision for rev in script.iterate_revisions("head", start)]
    if found.revision is None and found.has_tables:
        steps = [*steps, f"{BASELINE} (stamped after the old columns are added)"]
    return list(reversed(steps))


def _fast_revision(conn: Connection) -> str | None:
    """The stored revision when ``alembic_version`` exists, else None; cheap enough for every open."""
    try:
        with conn.begin_nested():  # PostgreSQL: a missing table must not abort the transaction
            return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    except DBAPIError:  # no such table: the slow path decides what it is
        return None


def bring_up(conn: Connection) -> tuple[str, str]:
    """Upgrade the database of ``conn`` (inside a write transaction) to ``HEAD``; returns the
    revision before, in words, and after. A revision this code does not know is a HallError
    ``data_unavailable`` and nothing is changed."""
    if _fast_revision(conn) == HEAD:
        return HEAD, HEAD
    found = status(conn)
    script = _scripts()
    if found.revision is not None and found.revision not in _known(script):
        raise HallError("data_unavailable", f"the hall database was written by a newer version (revision "
                                            f"{found.revision}); install that version or newer")
    if found.revision is None and found.has_tables:
        from kiosk.migrations.legacy import bring_to_baseline

        bring_to_baseline(conn)
        _run(conn, script, lambda rev: script._stamp_revs(BASELINE, rev), BASELINE)
    _run(conn, script, lambda rev: script._upgrade_revs("head", rev), "head")
    log.info("hall database schema upgraded from %s to %s", found.shown, HEAD)
    return found.shown, HEAD


@functools.lru_cache(maxsize=1)
def _config():  # noqa: ANN202 - alembic.config.Config, imported only when needed
    from alembic.config import Config

    # Alembic's own INFO lines (its plugins, each step) would fill every log; the one line
    # that matters, from → to, is written below.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = Config()
    config.set_main_option("script_location", str(FOLDER))
    return config


def _scripts():  # noqa: ANN202 - alembic.script.ScriptDirectory
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def _known(script) -> set[str]:  # noqa: ANN001
    return {rev.revision for rev in script.walk_revisions()}


def _run(conn: Connection, script, step, destination: str) -> None:  # noqa: ANN001
    """Run ``step`` (current revision → the revisions to run or stamp) on ``conn``, inside the
    caller's transaction (Alembic commits nothing of a transaction it did not begin)."""
    from alembic.runtime.environment import EnvironmentContext

    with EnvironmentContext(_config(), script, fn=lambda rev, _ctx: step(rev),
                            destination_rev=destination) as env:
        env.configure(connection=conn, version_table=VERSION_TABLE)
        env.run_migrations()
