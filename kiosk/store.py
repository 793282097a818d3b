"""Storage of the hall: SQLAlchemy Core tables and transactions.

SQLite (WAL, ``synchronous=FULL``) by default: every acknowledged change is on disk before the
call returns, so a process killed at any moment loses nothing it acknowledged. Writers take the
database lock at the start of their transaction (``BEGIN IMMEDIATE``), which makes number
allocation atomic across threads and processes.

PostgreSQL when given a URL (``postgresql://…``, driven by psycopg 3): the same tables and the
same Core statements. Writers take one transaction-level advisory lock first
(``pg_advisory_xact_lock``), the counterpart of ``BEGIN IMMEDIATE``: write transactions of every
process on the database run one at a time, so the counter row, idempotency keys, quotas and the
one-active-ticket rule hold across processes exactly as they do on one SQLite file. Everything
dialect-specific lives in this module; the engine speaks only Core expressions.

Many halls in one PostgreSQL database (``Store(url, hall="east")``, kiosk.city): each hall's
tables are in its own schema, ``hall_<code>``, which every pooled connection has as its
``search_path`` (so no statement names it), and its writers take a lock key of their own, so one
hall's writes never wait for another's.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    CursorResult,
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
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from kiosk.datafile import check_contents, damaged, expected_id, opening, settle_identity
from kiosk.domain import HallError
from kiosk.migrations import bring_up

SYNC_LEVELS = {"full": "FULL", "normal": "NORMAL"}
# The advisory lock every write transaction on PostgreSQL takes first (an arbitrary constant:
# "hall" in ASCII); one key for the database, as SQLite has one write lock per file.
WRITE_LOCK_KEY = 0x68616C6C
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
EVENT_CHANNEL = "hall_events"
"""The PostgreSQL channel a write transaction that added hall events notifies (the default)."""
_EVENT_SEQ = "hall_event_seq"  # conn.info: the newest event appended by the open transaction
_NOTIFY = select(func.pg_notify(bindparam("channel"), bindparam("seq")))
HALL_CODE = re.compile(r"^[a-z0-9_]{1,24}$")
"""A hall's code in a city database (``--hall``): its schema is ``hall_<code>`` (kiosk.city)."""
CITY_SCHEMA = "city"
"""The schema of the city's own accounts and sessions (kiosk.city); never a hall's: theirs begin
with ``hall_``."""


def hall_schema(code: str) -> str:
    """The PostgreSQL schema of the hall ``code``; a ValueError whose sentence says what a code is."""
    if not isinstance(code, str) or not HALL_CODE.match(code):
        raise ValueError(f"{str(code)[:40]!r} is not a hall code: use 1 to 24 lower-case letters, digits "
                         "or '_' (e.g. east, futian_01)")
    return f"hall_{code}"


def write_lock_key(schema: str | None) -> int:
    """The advisory lock key of the write transactions in ``schema`` (None: the public schema,
    one hall per database as before). Each hall's key is its own, so halls of one database do
    not wait for each other; two codes whose CRC-32 collide would only share a queue."""
    if schema is None:
        return WRITE_LOCK_KEY
    return (WRITE_LOCK_KEY << 32) | zlib.crc32(schema.encode())  # below 2**63: a PostgreSQL bigint

metadata = MetaData()

SPECIAL_STATE = "waiting"
SPECIAL_SQLITE = "in_slot IS 1 OR priority != 'normal'"
SPECIAL_POSTGRES = "in_slot IS true OR priority != 'normal'"

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
    Column("clerk", String(32)),  # the 工号 of the clerk who called, started or finished it last
    # The citizen's page (kiosk.phone): /p/<page_token>, 144 random bits; NULL on older tickets.
    Column("page_token", String(64)),
    UniqueConstraint("day", "number", name="uq_ticket_day_number"),
    Index("ix_ticket_queue", "day", "service", "state"),
    Index("ix_ticket_identity", "day", "service", "id_hash"),
    Index("ix_ticket_page_token", "page_token", unique=True),
    # The day's listing in issue order, a page at a time (keyset on issued_at, number).
    Index("ix_ticket_order", "day", "issued_at", "number"),
    # A card holder's tickets of a day, whatever their service (reprint by card).
    Index("ix_ticket_card", "day", "id_hash"),
    # A service's waiting tickets by arrival, with what the order needs to tell normal tickets
    # from the others and find an overtaken one without reading the rows (kiosk.queue_places).
    Index("ix_ticket_arrival", "day", "service", "state", "arrival_at", "priority", "in_slot", "overtaken"),
    # The waiting tickets with precedence (in their slot, or a priority other than normal): few,
    # read whole for every ahead count (kiosk.queue_places). Its WHERE is written as that query
    # writes it: SQLite uses a partial index only for a query that repeats its terms. Service
    # first: that query hides its day from the (day, …) indexes, which SQLite would otherwise
    # rank equal to this one and pick by the order they were made in.
    Index("ix_ticket_special", "service", "state", "day", "arrival_at",
          sqlite_where=text(f"state = '{SPECIAL_STATE}' AND ({SPECIAL_SQLITE})"),
          postgresql_where=text(f"state = '{SPECIAL_STATE}' AND ({SPECIAL_POSTGRES})")),
    # The most recent service times (the estimates' basis): only finished tickets are in it,
    # so a newest-first walk never passes the day's unfinished ones.
    Index("ix_ticket_finished", "day", "finished_at", sqlite_where=text("finished_at IS NOT NULL"),
          postgresql_where=text("finished_at IS NOT NULL")),
)

day_service_stats = Table(  # kiosk.day_stats: per day and service, kept by every change of a ticket
    "day_service_stats",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("service", String(32), primary_key=True),
    Column("issued", Integer, nullable=False, default=0),  # tickets now in the service (the quota's count)
    Column("waiting", Integer, nullable=False, default=0),  # of them, waiting
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
    # Wrong clerk PINs typed at this window, and the end of its lock (kiosk.clerks).
    Column("pin_failures", Integer),
    Column("locked_until", Float),
)

clerks = Table(
    "clerks",
    metadata,
    Column("code", String(32), primary_key=True),  # 工号
    Column("name", String(32), nullable=False),
    Column("pin_hash", String(200), nullable=False),  # kiosk.pins.hash_pin
    Column("card_entry", String(200)),  # kiosk.idkeys.staff_card_entry of the staff card
    Column("photo", String(300)),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float),
    Column("failures", Integer, nullable=False, default=0),  # wrong PINs since the last good one
    Column("locked_until", Float),
    Column("window", Integer),  # where the clerk is signed in now (one clerk per window)
    Column("signed_in_at", Float),
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
    # Added after the first release: ``Store`` adds them to an older hall.db on open (nullable,
    # as ALTER TABLE ADD COLUMN needs), and numbers the tokens found there.
    Column("id", Integer),  # the short number ``kiosk tokens list`` shows and ``revoke`` takes
    Column("window", Integer),  # a counter token's window
    Column("revoked_at", Float),
    Index("ix_tokens_id", "id", unique=True),
)

# Cases (kiosk.cases): rectification of bad ratings and 办不成事 cases, with their history.
cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # rectify | unresolved
    Column("source", String(64), unique=True),  # rating:<ticket id>[:kiosk] for a bad rating: opened once
    Column("state", String(16), nullable=False),
    Column("opened_at", Float, nullable=False),
    Column("opened_by", String(64), nullable=False, default=""),
    Column("updated_at", Float, nullable=False),
    Column("deadline_at", Float, nullable=False),
    Column("remind_at", Float, nullable=False),
    Column("reminded_at", Float),
    Column("overdue_at", Float),
    Column("ticket_id", String(40)),
    Column("service", String(32)),
    Column("services", Text, nullable=False, default="[]"),
    Column("window", Integer),
    Column("clerk", String(32)),
    Column("level", Integer),
    Column("reasons", Text, nullable=False, default="[]"),
    Column("comment", String(200), nullable=False, default=""),
    Column("channel", String(16)),
    Column("request", String(500), nullable=False, default=""),
    Column("reason", String(500), nullable=False, default=""),
    Column("id_hash", String(64)),
    Column("id_mask", String(40)),
    Column("phone_sealed", String(200)),  # sealed to the hall's key: opened only for a callback
    Column("phone_tail", String(4)),
    Column("owner", String(64)),
    Column("outcome", String(500), nullable=False, default=""),
    Column("citizen_level", Integer),
    Index("ix_cases_due", "state", "remind_at"),  # the periodic check reads open cases only
)

case_history = Table(
    "case_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, nullable=False, index=True),
    Column("at", Float, nullable=False),
    Column("action", String(16), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("actor", String(64), nullable=False, default=""),
    Column("note", String(500), nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
)

# The exporter's outbox (kiosk.exporter): each item goes out under its id as idempotency key.
export_items = Table(
    "export_items",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),  # the order items were queued in (sent in that order)
    Column("kind", String(16), nullable=False),  # rating | case
    Column("day", String(10), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", Float, nullable=False),
    Column("sent_to", Text, nullable=False, default="[]"),  # the sinks that have it (kiosk.exporter)
    Column("delivered_at", Float),  # every configured sink has it
    Column("last_error", String(200), nullable=False, default=""),
    Index("ix_export_due", "delivered_at", "next_at"),
    Index("ix_export_seq", "seq", unique=True),
)

ratings = Table(  # 好差评: one row per rated ticket (kiosk.ratings); no citizen identity in it
    "ratings",
    metadata,
    Column("ticket_id", String(40), primary_key=True),
    # What is rated: "service" (the window's, rated at its evaluator or the QR page) or "kiosk"
    # (the kiosk's self-service, on its done screen): one rating of each per ticket.
    Column("subject", String(8), primary_key=True, default="service"),
    Column("day", String(10), nullable=False, index=True),
    Column("service", String(32), nullable=False),
    Column("window", Integer),
    Column("clerk", String(32)),
    Column("level", Integer, nullable=False),
    Column("reasons", Text, nullable=False, default="[]"),  # JSON list of reason codes
    Column("comment", String(200), nullable=False, default=""),
    Column("channel", String(16), nullable=False),  # window | kiosk | qr
    Column("at", Float, nullable=False),
)


remote_tickets = Table(  # 线上取号 (kiosk.remote): a place taken from a phone, not in the queue until check-in
    "remote_tickets",
    metadata,
    Column("code", String(16), primary_key=True),  # the citizen's check-in code: random, unguessable
    Column("day", String(10), nullable=False),
    Column("service", String(32), nullable=False),
    Column("holder", String(64), nullable=False),  # keyed hash of the ID number or booking code, never either
    Column("slot_start", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("state", String(12), nullable=False),  # booked, joined, lapsed
    Column("ticket_id", String(40)),  # the queue ticket it became at check-in
    Index("ix_remote_holder", "day", "holder", unique=True),  # one a day per ID
)

# The web console's personal accounts (kiosk.accounts) and their sessions (kiosk.console.sessions).
accounts = Table(
    "accounts",
    metadata,
    Column("name", String(32), primary_key=True),  # the sign-in name: letters, digits, . _ -
    Column("display", String(64), nullable=False),  # what the top bar shows
    Column("role", String(16), nullable=False),  # director | guide | it | admin
    Column("password_hash", String(200), nullable=False),  # kiosk.pins.hash_secret
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float),
    Column("failures", Integer, nullable=False, default=0),  # wrong passwords since the last good one
    Column("locked_until", Float),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie's random id, never the id
    Column("account", String(32), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
)

device_status = Table(  # kiosk.device_status: one row per reporting device, its last report
    "device_status",
    metadata,
    Column("key", String(48), primary_key=True),  # kiosk.device_status.device_key: role and binding
    Column("role", String(16), nullable=False),
    Column("device", String(64), nullable=False, default=""),
    Column("window", Integer),
    Column("program", String(16), nullable=False),
    Column("version", String(32), nullable=False),
    Column("parts", Text, nullable=False, default="{}"),  # JSON {"printer": {"state", "detail"}, …}
    Column("outbox_pending", Integer, nullable=False, default=0),
    Column("uptime_s", Float, nullable=False, default=0),
    Column("address", String(64), nullable=False, default=""),  # the client's IP as the server saw it
    Column("first_seen", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
)


notify_numbers = Table(  # kiosk.notify: a citizen's mobile number, kept only while the ticket lives
    "notify_numbers",
    metadata,
    Column("ticket_id", String(40), primary_key=True),
    Column("phone", String(11), nullable=False),
    Column("created_at", Float, nullable=False),
)

notify_messages = Table(  # kiosk.notify: the outbox of text messages; one per ticket and kind, ever
    "notify_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(40), nullable=False),
    Column("kind", String(16), nullable=False),  # ahead | turn
    Column("params", Text, nullable=False, default="{}"),  # JSON: number, ahead, window (never the phone)
    Column("state", String(16), nullable=False),  # pending | sending | sent | failed | dropped
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", Float, nullable=False),
    Column("claimed_at", Float),
    Column("error", String(300), nullable=False, default=""),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float),
    UniqueConstraint("ticket_id", "kind", name="uq_notify_ticket_kind"),
    Index("ix_notify_due", "state", "next_at"),
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


def _postgres_engine(url: str, sync: str, schema: str | None = None, **extra) -> Engine:  # noqa: ANN003
    """A PostgreSQL engine through psycopg 3. ``sync=normal`` turns off waiting for the commit's
    WAL flush (``synchronous_commit=off``): a crash of the database server (not only of its
    machine, unlike SQLite's NORMAL) may lose the commits of its last fraction of a second;
    nothing is ever corrupted. ``schema``: every connection's ``search_path`` (a hall of a city
    database), set by the server at connect time, so no statement of the engine names it."""
    settings = ([] if sync == "full" else ["-c synchronous_commit=off"]) + \
        ([] if schema is None else [f"-c search_path={schema}"])  # a checked name: nothing to quote
    options = {"options": " ".join(settings)} if settings else {}
    if extra:  # the one-off engine that makes the schema (Store._make_schema)
        return create_engine(url, connect_args=options, **extra)
    # pre_ping: a PostgreSQL restarted under a running server costs one failed request per
    # pooled connection otherwise; the ping replaces dead connections before they are used.
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True, connect_args=options)


def database_url(text: str) -> str:
    """A PostgreSQL URL made explicit for SQLAlchemy (``postgresql://`` → psycopg 3); a
    ValueError whose sentence says what to give for anything else."""
    scheme, sep, rest = text.partition("://")
    if not sep or scheme not in POSTGRES_SCHEMES or not rest:
        raise ValueError(f"{without_password(text)!r} is not a PostgreSQL URL: give one such as "
                         "postgresql://hall@db.example/hall (or none, for the SQLite file in the data folder)")
    return f"postgresql+psycopg://{rest}"


def without_password(url: str) -> str:
    """``url`` without its password, for messages, logs and the audit trail."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        who, at_host = rest.split("@", 1)
        return f"{scheme}://{who.split(':', 1)[0]}@{at_host}"
    return url


class Store:
    """The hall database: its schema migrated on open (``kiosk.migrations``), read and write
    transactions."""

    def __init__(self, url_or_path: str | Path, sync: str = "full", data_dir: Path | None = None, *,
                 migrate: bool = True, hall: str | None = None, schema: str | None = None):
        """``sync``: ``full`` fsyncs every commit (nothing acknowledged is lost, even to a power
        cut); ``normal`` survives a killed process but may lose the last commits to a power cut,
        for about twice the throughput. ``data_dir``: the hall's data folder (clerk photos,
        export files) for a PostgreSQL store; a SQLite file's folder is its own. ``migrate``:
        False only connects, for ``kiosk db status`` and ``copy`` (which must see or fill the
        database as it is), without the file checks, the schema or the identity. ``hall``: the
        code of one hall of a city database (PostgreSQL only): its rows live in the schema
        ``hall_<code>``, made on first use, with a write lock of its own. ``schema``: the city's
        own schema instead (``CITY_SCHEMA``, kiosk.city); neither: the public schema."""
        if sync not in SYNC_LEVELS:
            raise ValueError(f"sync must be one of {', '.join(SYNC_LEVELS)}, not {sync!r}")
        if url_or_path is None:  # a PostgreSQL store's ``path``: never a file named "None"
            raise TypeError("Store needs a file path or a database URL, not None")
        self.hall = hall
        self.schema = schema
        if hall is not None:
            try:
                self.schema = hall_schema(hall)
            except ValueError as exc:
                raise HallError("validation_error", str(exc)) from None
        if self.schema is not None and "://" not in str(url_or_path):
            raise HallError("validation_error", "a hall code (--hall) or the city (--city) needs a PostgreSQL "
                            "database (--db postgresql://…): a SQLite hall is a file of its own, one hall per "
                            "data folder")
        self._lock_sql = f"SELECT pg_advisory_xact_lock({write_lock_key(self.schema)})"
        self._writer = threading.Lock()
        self._quick = threading.local()  # each thread's own sqlite3 connection for find_token
        self._quick_all: list[sqlite3.Connection] = []
        self._sync = sync
        self.event_channel = EVENT_CHANNEL if self.schema is None else f"{self.schema}_events"
        """The PostgreSQL channel that carries the sequence number of the newest event of each
        committed write (kiosk.event_listen): one per hall, so halls sharing a database hear
        only their own events. At most 63 bytes (a PostgreSQL identifier). Unused on SQLite."""
        text = str(url_or_path)
        self.path: Path | None = None
        self.url: str | None = None  # a PostgreSQL store's URL, password hidden
        self.upgraded: tuple[str, str] = ("", "")  # the schema revision before and after opening
        if "://" in text:
            try:
                url = database_url(text)
            except ValueError as exc:
                raise HallError("data_unavailable", str(exc)) from None
            self.url = without_password(text)
            if self.schema is not None:
                self._make_schema(url)
            self.engine = _postgres_engine(url, sync, self.schema)
            path = None
        else:
            path = self.path = Path(text)
            path.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir: Path | None = path.parent if path is not None else data_dir
        if not migrate:
            if path is not None:
                self.engine = _sqlite_engine(path, SYNC_LEVELS[sync])
            return
        with contextlib.nullcontext() if path is None else opening(path):
            self._open(path)

    def _open(self, path: Path | None) -> None:
        """Check, open and set up the database: its schema brought up to the code's revision
        (``upgraded``: the revision before and after, in words), a file's identity."""
        known = None
        if path is not None:
            known = expected_id(path, "hall database")  # refuses an emptied or foreign file
            self.engine = _sqlite_engine(path, SYNC_LEVELS[self._sync])
        # Under the write lock, so processes opening a new database together do not race.
        try:
            with self.write() as conn:
                if path is not None:
                    check_contents(conn.connection.dbapi_connection, path, "hall database")
                # Alembic revisions (kiosk/migrations): a new database made, an old one
                # upgraded, one written by a newer version refused before anything is changed.
                self.upgraded = bring_up(conn)
                if path is not None:
                    self._settle_identity(conn, path, known)
        except HallError:
            self.engine.dispose()
            raise
        except DBAPIError as exc:
            if path is None:
                self.engine.dispose()
                raise HallError("data_unavailable", f"cannot open the hall database {self.url}: "
                                f"{str(exc.orig).strip()}; check that PostgreSQL runs there, the database "
                                "exists and the user may use it") from exc
            if not isinstance(exc.orig, sqlite3.DatabaseError):
                raise
            self.engine.dispose()
            if isinstance(exc.orig, sqlite3.OperationalError):  # locked, read-only, no space…
                raise HallError("data_unavailable", f"cannot open the hall database {path}: {exc.orig}; "
                                "check that its folder is writable and has free space") from exc
            raise damaged(path, "hall database", str(exc.orig)) from exc  # malformed, not a database

    def _make_schema(self, url: str) -> None:
        """Create the store's schema if missing, under its write lock, on a connection of its own
        (the pooled ones look for their tables in it from their first connect on)."""
        from sqlalchemy.pool import NullPool

        maker = _postgres_engine(url, self._sync, poolclass=NullPool)
        try:
            with maker.begin() as conn:
                conn.exec_driver_sql(self._lock_sql)
                # Looked up first: CREATE SCHEMA IF NOT EXISTS needs the right to create schemas
                # even when there is nothing to make, which a hall's own user need not have.
                found = conn.exec_driver_sql("SELECT 1 FROM pg_namespace WHERE nspname = %(s)s",
                                             {"s": self.schema}).first()
                if found is None:
                    conn.exec_driver_sql(f"CREATE SCHEMA {self.schema}")  # a checked name
        except DBAPIError as exc:
            raise HallError("data_unavailable", f"cannot make the schema {self.schema} in {self.url}: "
                            f"{str(exc.orig).strip()}; check that PostgreSQL runs there and the user may "
                            "create schemas in the database") from exc
        finally:
            maker.dispose()

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
        processes the busy timeout still arbitrates (SQLite) or the advisory lock queues them
        (PostgreSQL: released by the commit or rollback, never held by a dead session).
        """
        with self._writer, self.engine.connect() as conn:
            conn.info["write"] = True
            try:
                with conn.begin():
                    if self.path is None:
                        conn.exec_driver_sql(self._lock_sql)
                    yield conn
                    seq = conn.info.pop(_EVENT_SEQ, None)
                    if seq is not None and self.path is None:
                        # Inside the transaction: PostgreSQL delivers it only if the events commit,
                        # and after they are visible to every other session.
                        conn.execute(_NOTIFY, {"channel": self.event_channel, "seq": str(seq)})
            finally:
                conn.info.pop("write", None)
                conn.info.pop(_EVENT_SEQ, None)

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only snapshot transaction: all its statements see the same committed state
        (SQLite's deferred transaction does by itself; PostgreSQL's default, READ COMMITTED,
        takes a new snapshot per statement, so reads ask for REPEATABLE READ, which never
        fails a transaction that only reads)."""
        with self.engine.connect() as conn:
            if self.path is None:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def find_token(self, token_hash: str) -> TokenRow | None:
        """The tokens row of a token hash, read fresh: a primary-key read cheap enough for every
        request (so a revocation counts at once, with no cache to outlive it).

        On SQLite through a plain sqlite3 connection of the calling thread's own: about 3 µs,
        against about 90 µs for a pooled SQLAlchemy transaction (measured; ``python -m bench
        bench_auth``). In WAL mode every such read sees the last commit. On PostgreSQL a pooled
        read (a network round trip either way).
        """
        if self.path is None:
            with self.read() as conn:
                row = conn.execute(_TOKEN_BY_HASH, {"h": token_hash}).first()
            return None if row is None else TokenRow(*row)
        conn = getattr(self._quick, "conn", None)
        if conn is None:
            conn = self._quick.conn = sqlite3.connect(self.path, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=5000")
            self._quick_all.append(conn)
        row = conn.execute(_TOKEN_SQL, (token_hash,)).fetchone()
        return None if row is None else TokenRow(*row)

    def close(self) -> None:
        """Release every pooled connection."""
        for conn in self._quick_all:
            conn.close()
        self._quick_all.clear()
        self._quick = threading.local()
        self.engine.dispose()


    def unreachable(self) -> str:
        """'' when the database answers a trivial read now, else why not (PostgreSQL: for the
        health check; a SQLite file is probed by ``kiosk.datafile.probe``)."""
        try:
            with self.read() as conn:
                conn.execute(select(meta.c.key).limit(1)).first()
        except DBAPIError as exc:
            lines = str(exc.orig).strip().splitlines()
            return lines[0] if lines else type(exc.orig).__name__
        return ""

    @property
    def kind(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return "sqlite" if self.path is not None else "postgresql"


class TokenRow(NamedTuple):
    """What the server needs to know of a token (never the token itself)."""

    id: int
    role: str
    device: str
    window: int | None
    revoked_at: float | None


_TOKEN_COLUMNS = (tokens.c.id, tokens.c.role, tokens.c.device, tokens.c.window, tokens.c.revoked_at)
_TOKEN_BY_HASH = select(*_TOKEN_COLUMNS).where(tokens.c.token_hash == bindparam("h"))
_TOKEN_SQL = 'SELECT id, role, device, "window", revoked_at FROM tokens WHERE token_hash = ?'


_BUMP_COUNTER = (  # bind names differ from the columns: an UPDATE reserves those
    update(counters)
    .where(counters.c.day == bindparam("b_day"), counters.c.service == bindparam("b_service"))
    .values(last=counters.c.last + 1)
    .returning(counters.c.last)  # one statement per number (SQLite ≥ 3.35 and PostgreSQL)
)
_INSERT_COUNTER = insert(counters)
_INSERT_HALL_EVENT = insert(hall_events)


_NUMBER_TAKEN = select(tickets.c.id).where(tickets.c.day == bindparam("day"), tickets.c.number == bindparam("number"))


def next_sequence(conn: Connection, day: str, service: str, number_of: Callable[[int], str] | None = None,
                  limit: int | None = None) -> int:
    """Allocate the next sequence number of ``service`` on ``day`` inside a write transaction.

    With ``number_of`` (sequence → printed number), a sequence whose number some ticket already
    holds that day is skipped: a number taken another way (an offline ticket, an old bug) must
    never wedge the counter on the UNIQUE (day, number) constraint. The search stops past
    ``limit``, where the caller refuses anyway, so it is bounded.
    """
    while True:
        seq = _bump(conn, day, service)
        if number_of is None or (limit is not None and seq > limit):
            return seq
        if conn.execute(_NUMBER_TAKEN, {"day": day, "number": number_of(seq)}).first() is None:
            return seq


def insert_ticket_if_free(conn: Connection, row: dict) -> bool:
    """Insert the ticket ``row`` unless its number is taken that day (its id or (day, number)
    held already): True when inserted. One statement where a look-up and an INSERT were two;
    ``ON CONFLICT DO NOTHING`` is written alike by SQLite (≥ 3.24) and PostgreSQL."""
    # RETURNING, not rowcount: with rowcount the day's first ticket was refused on PostgreSQL.
    return _INSERT_TICKET_IF_FREE[conn.dialect.name](conn, row).first() is not None


def bump_sequence(conn: Connection, day: str, service: str) -> int:
    """The next sequence number of ``service`` on ``day`` (the counter moved, in the caller's
    write transaction), whether or not a ticket holds its number (``insert_ticket_if_free``)."""
    return _bump(conn, day, service)


def _bump(conn: Connection, day: str, service: str) -> int:
    last = _BUMP_PREPARED(conn, {"b_day": day, "b_service": service}).scalar()
    if last is None:  # the day's first ticket of the service
        conn.execute(_INSERT_COUNTER, {"day": day, "service": service, "last": 1})
        return 1
    return last


def append_event(conn: Connection, at: float, kind: str, data: dict) -> int | None:
    """Append one hall event; returns its hall-wide sequence number, or None when the
    transaction gathers its event rows (``event_rows``: the number is known at the flush). On
    PostgreSQL the write transaction notifies ``Store.event_channel`` of the newest one before
    it commits."""
    row = {"at": at, "type": kind, "data": json.dumps(data, ensure_ascii=False)}
    gathered = conn.info.get(_EVENT_ROWS)
    if gathered is not None:
        gathered.hall.append(row)
        return None
    result = conn.execute(_INSERT_HALL_EVENT, row)
    seq = conn.info[_EVENT_SEQ] = int(result.inserted_primary_key[0])
    return seq


def record_ticket_event(conn: Connection, row: dict) -> None:
    """Write one ``ticket_events`` row (the audit trail), or gather it (``event_rows``)."""
    gathered = conn.info.get(_EVENT_ROWS)
    if gathered is not None:
        gathered.ticket.append(row)
    else:
        conn.execute(_INSERT_TICKET_EVENT, row)


_EVENT_ROWS = "event_rows"  # conn.info: the EventRows the open transaction gathers, if any
_INSERT_TICKET_EVENT = insert(ticket_events)
_INSERT_HALL_EVENTS = insert(hall_events).returning(hall_events.c.seq)


class EventRows:
    """The event rows a write transaction gathers, written together before it commits: an
    issue batch's 3 rows a ticket as 2 statements a batch, not 3 a ticket (DESIGN.md §8)."""

    def __init__(self) -> None:
        self.hall: list[dict] = []
        self.ticket: list[dict] = []

    def mark(self) -> tuple[int, int]:
        """Where the rows stand now (before a savepoint)."""
        return len(self.hall), len(self.ticket)

    def drop_after(self, mark: tuple[int, int]) -> None:
        """Forget the rows gathered since ``mark`` (their savepoint was rolled back)."""
        del self.hall[mark[0]:]
        del self.ticket[mark[1]:]


@contextlib.contextmanager
def event_rows(conn: Connection) -> Iterator[EventRows]:
    """Gather the transaction's event rows while open, and write them when it closes without an
    error: the hall events in one multi-row INSERT … RETURNING (their order kept: sequence
    numbers follow the order of the changes), the ticket events in one executemany. Nothing
    inside may read those tables back before the end (the issue path does not)."""
    rows = conn.info[_EVENT_ROWS] = EventRows()
    try:
        yield rows
    finally:
        conn.info.pop(_EVENT_ROWS, None)
    if rows.ticket:
        conn.execute(_INSERT_TICKET_EVENT, rows.ticket)
    if rows.hall:
        seqs = conn.execute(_INSERT_HALL_EVENTS, rows.hall).scalars().all()
        conn.info[_EVENT_SEQ] = max(int(s) for s in seqs)


class Prepared:
    """A constant Core statement compiled once per dialect and run through
    ``Connection.exec_driver_sql`` with the driver's own parameters (a tuple for SQLite's ``?``,
    a dict for psycopg's ``%(name)s``).

    For the few statements every ticket runs: a Core ``execute`` spends about 13 µs of Python
    per statement (the cache key, the compiled cache, the parameters through each column's
    processor) where the driver needs 1 µs; through ``exec_driver_sql`` it is about 5 µs, and
    the statement is still seen by SQLAlchemy's events (the statement counts of the tests) and
    runs in the caller's transaction. Only for statements whose values need no processing
    (strings, numbers, booleans, None); a column the parameters leave out gets its scalar
    default, else NULL. The result rows come from the driver: booleans read back as 0/1 on
    SQLite.
    """

    def __init__(self, statement, table: Table | None = None):
        self.statement = statement
        self.defaults = {c.key: c.default.arg for c in (table.c if table is not None else [])
                         if c.default is not None and c.default.is_scalar}
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, tuple[str, ...]]] = {}

    def __call__(self, conn: Connection, params: dict) -> CursorResult:
        """Run it in ``conn``'s transaction with ``params`` (by bind name)."""
        found = self._compiled.get(conn.dialect.name)
        if found is None:
            found = self._compiled[conn.dialect.name] = self._compile(conn)
        sql, order, fallback = found
        if order is not None:
            return conn.exec_driver_sql(sql, tuple([params.get(k, fallback[k]) for k in order]))
        return conn.exec_driver_sql(sql, {k: params.get(k, v) for k, v in fallback.items()})

    def _compile(self, conn: Connection) -> tuple[str, tuple[str, ...] | None, dict]:
        """The SQL text, the bind names in their order (positional drivers) and each bind's
        value when the parameters leave it out: the column's default, or the value the
        statement holds (``last + 1``'s 1)."""
        compiled = self.statement.compile(dialect=conn.dialect)
        order = tuple(compiled.positiontup) if compiled.positional else None
        fallback = {name: self.defaults.get(name, bind.value) for name, bind in compiled.binds.items()}
        return compiled.string, order, fallback


_INSERT_TICKET_IF_FREE = {
    "sqlite": Prepared(sqlite_insert(tickets).on_conflict_do_nothing().returning(tickets.c.id), tickets),
    "postgresql": Prepared(postgresql_insert(tickets).on_conflict_do_nothing().returning(tickets.c.id), tickets),
}
_BUMP_PREPARED = Prepared(_BUMP_COUNTER)
