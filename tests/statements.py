"""Counting the SQL statements an engine's database is handed (the issue-19 cost tests)."""

from __future__ import annotations

from sqlalchemy import event


class Statements:
    """Every statement the engine's database receives while ``with`` is open (BEGIN and COMMIT
    of a transaction SQLAlchemy begins itself are not statements the driver is handed)."""

    def __init__(self, engine):  # noqa: ANN001 - a HallEngine
        self.engine = engine.store.engine
        self.texts: list[str] = []

    def _seen(self, _conn, _cursor, statement, *_rest) -> None:  # noqa: ANN001 - DBAPI objects
        self.texts.append(statement)

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def without_lock(self) -> list[str]:
        """The statements but the write lock and PostgreSQL's notification: once a transaction,
        taken differently by each store (SQLite's BEGIN IMMEDIATE, an advisory lock)."""
        return [s for s in self.texts
                if not s.startswith("BEGIN") and "pg_advisory_xact_lock" not in s and "pg_notify" not in s]
