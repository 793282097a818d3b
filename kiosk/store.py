"""Storage of the hall: SQLAlchemy Core tables and transactions.

SQLite (WAL, ``synchronous=FULL``) by default: every acknowledged change is on disk before the
call returns, so a process killed at any moment loses nothing it acknowledged. Writers take the
database lock at the start of their transaction (``BEGIN IMMEDIATE``), which makes number
allocation atomic across threads and processes. Everything dialect-specific lives in this
module; the engine speaks only Core expressions, so a PostgreSQL store needs changes here only.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError

from kiosk.datafile import check_contents, damaged, expected_id, settle_identity
from kiosk.domain import HallError

SYNC_LEVELS = {"full": "FULL", "normal": "NORMAL"}

metadata = MetaData()

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("day", String(10), nullable=False),
    Column("service", String(32), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(12), nullable=False),
    Column("priority", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("device", String(64), nullable=False, default=""),
    Column("id_hash", String(64)),
    Column("id_mask", String(40)),
    Column("name_mask", String(40)),
    Column("age", Integer),
    Column("appointment", String(32)),
    Column("in_slot", Boolean, nullable=False, default=False),
    Column("issued_at", Float, nullable=False),
    Column("arrival_at", Float, nullable=False),
    Column("called_at", Float),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("window", Integer),
    Column("recalls", Integer, nullable=False, default=0),
    Column("overtaken", Integer, nullable=False, default=0),
    Column("offline", Boolean, nullable=False, default=False),
    UniqueConstraint("day", "number", name="uq_ticket_day_number"),
    Index("ix_ticket_queue", "day", "service", "state"),
    Index("ix_ticket_identity", "day", "service", "id_hash"),
)

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(40), nullable=False, index=True),
    Column("at", Float, nullable=False),
    Column("action", String(16), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("actor", String(64), nullable=False, default=""),
    Column("reason", String(200), nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
)

counters = Table(
    "counters",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("service", String(32), primary_key=True),
    Column("last", Integer, nullable=False, default=0),
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("body_hash", String(64), nullable=False),
    Column("ticket_id", String(40), nullable=False),
    Column("created_at", Float, nullable=False),
)

calls = Table(
    "calls",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("day", String(10), nullable=False),
    Column("ticket_id", String(40), nullable=False),
    Column("number", String(12), nullable=False),
    Column("window", Integer, nullable=False),
    Column("service", String(32), nullable=False),
    Column("called_at", Float, nullable=False),
    Column("repeat", Integer, nullable=False, default=0),
)

hall_events = Table(
    "hall_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("type", String(16), nullable=False),
    Column("data", Text, nullable=False),
)

appointments = Table(
    "appointments",
    metadata,
    Column("booking_code", String(32), primary_key=True),
    Column("day", String(10), nullable=False, index=True),
    Column("service", String(32), nullable=False),
    Column("slot_start", Float, nullable=False),
    Column("slot_end", Float, nullable=False),
    Column("id_hash", String(64), index=True),
    Column("id_mask", String(40)),
    Column("ticket_id", String(40)),
)

service_days = Table(
    "service_days",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("service", String(32), primary_key=True),
    Column("paused", Boolean, nullable=False, default=False),
    Column("quota", Integer),
    Column("reason", String(200), nullable=False, default=""),
)

window_states = Table(
    "window_states",
    metadata,
    Column("number", Integer, primary_key=True),
    Column("paused", Boolean, nullable=False, default=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("device", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
)


def _sqlite_engine(path: Path, sync: str) -> Engine:
    """A SQLite engine in WAL mode whose write transactions lock the database up front."""
    engine = create_engine(f"sqlite:///{path}", pool_size=20, max_overflow=20)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001 - DBAPI objects
        # Let SQLAlchemy's begin event, not the sqlite3 module, decide when transactions start.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={sync}")
        cursor.execute("PRAGMA busy_timeout=20000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")

    return engine


class Store:
    """The hall database: tables created on first use, read and write transactions."""

    def __init__(self, url_or_path: str | Path, sync: str = "full"):
        """``sync``: ``full`` fsyncs every commit (nothing acknowledged is lost, even to a power
        cut); ``normal`` survives a killed process but may lose the last commits to a power cut,
        for about twice the throughput."""
        if sync not in SYNC_LEVELS:
            raise ValueError(f"sync must be one of {', '.join(SYNC_LEVELS)}, not {sync!r}")
        self._writer = threading.Lock()
        text = str(url_or_path)
        if "://" in text:
            self.engine = create_engine(text, pool_pre_ping=True)
            path = None
        else:
            path = Path(text)
            path.parent.mkdir(parents=True, exist_ok=True)
            known = expected_id(path, "hall database")  # refuses an emptied or foreign file
            self.engine = _sqlite_engine(path, SYNC_LEVELS[sync])
        # Under the write lock, so processes opening a new database together do not race.
        try:
            with self.write() as conn:
                if path is not None:
                    check_contents(conn.connection.dbapi_connection, path, "hall database")
                metadata.create_all(conn)
                if path is not None:
                    self._settle_identity(conn, path, known)
        except DBAPIError as exc:
            if path is None or not isinstance(exc.orig, sqlite3.DatabaseError):
                raise
            self.engine.dispose()
            if isinstance(exc.orig, sqlite3.OperationalError):  # locked, read-only, no space…
                raise HallError("data_unavailable", f"cannot open the hall database {path}: {exc.orig}; "
                                "check that its folder is writable and has free space") from exc
            raise damaged(path, "hall database", str(exc.orig)) from exc  # malformed, not a database

    @staticmethod
    def _settle_identity(conn: Connection, path: Path, known: str | None) -> None:
        stored = conn.execute(select(meta.c.value).where(meta.c.key == "file_id")).scalar()
        identity = settle_identity(path, "hall database", known, stored)
        if stored is None:
            conn.execute(insert(meta).values(key="file_id", value=identity))

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that holds the write lock from its first statement; commits on exit.

        Writers of this process queue on a lock first: SQLite's busy handler retries with
        growing sleeps, which under many threads starves some of them for seconds. Between
        processes the busy timeout still arbitrates.
        """
        with self._writer, self.engine.connect() as conn:
            conn.info["write"] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info.pop("write", None)

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only snapshot transaction."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


_BUMP_COUNTER = (  # bind names differ from the columns: an UPDATE reserves those
    update(counters)
    .where(counters.c.day == bindparam("b_day"), counters.c.service == bindparam("b_service"))
    .values(last=counters.c.last + 1)
    .returning(counters.c.last)  # one statement per number (SQLite ≥ 3.35 and PostgreSQL)
)
_INSERT_COUNTER = insert(counters)
_INSERT_HALL_EVENT = insert(hall_events)


def next_sequence(conn: Connection, day: str, service: str) -> int:
    """Allocate the next sequence number of ``service`` on ``day`` inside a write transaction."""
    last = conn.execute(_BUMP_COUNTER, {"b_day": day, "b_service": service}).scalar()
    if last is None:  # the day's first ticket of the service
        conn.execute(_INSERT_COUNTER, {"day": day, "service": service, "last": 1})
        return 1
    return last


def append_event(conn: Connection, at: float, kind: str, data: dict) -> int:
    """Append one hall event; returns its hall-wide sequence number."""
    result = conn.execute(_INSERT_HALL_EVENT, {"at": at, "type": kind, "data": json.dumps(data, ensure_ascii=False)})
    return int(result.inserted_primary_key[0])
