"""The kiosk's durable outbox: every ticket request is on disk before anything else happens.

One SQLite file (WAL, ``synchronous=FULL``: a commit is fsync'd before it returns). An entry is
one citizen's request, keyed by its id, which is also the request's Idempotency-Key, so sending
it again can never make a second ticket. Its life::

    inflight  an online request is being made (written before the request goes out)
    pending   waiting for the sender: an offline ticket, or an online request a crash interrupted
    sent      the server acknowledged it; ``ticket`` is the server's view
    refused   the server refused the online request while the citizen waited (no ticket)
    rejected  the server refused to take an offline ticket later (staff must look at it)
    renumbered  a rejected offline ticket staff gave a new offline number (a new entry holds it)

``printed`` records whether the ticket reached the citizen (0 no, 1 printed, 2 shown as an
e-ticket), so after a crash the kiosk can offer the tickets nobody got. Offline numbers come from
``counters`` in the same transaction as the entry, so a restart never reuses one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiosk.datafile import check_contents, expected_id, opening, settle_identity
from kiosk.domain import HallError
from kiosk.models import Catalog, IssueRequest, Ticket

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    mode TEXT NOT NULL,
    state TEXT NOT NULL,
    service TEXT NOT NULL,
    body TEXT NOT NULL,
    online_body TEXT,
    day TEXT,
    number TEXT,
    ticket TEXT,
    printed INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    sent_at REAL
);
CREATE INDEX IF NOT EXISTS ix_entries_state ON entries (state, created_at);
CREATE INDEX IF NOT EXISTS ix_entries_ticket ON entries (json_extract(ticket, '$.id'));
CREATE TABLE IF NOT EXISTS counters (
    day TEXT NOT NULL, service TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (day, service)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

UNPRINTED, PRINTED, ETICKET = 0, 1, 2


class OutboxError(HallError):
    """The outbox cannot record a ticket (disk full, read-only, corrupt): refuse to issue."""

    def __init__(self, detail: str):
        super().__init__("outbox_unavailable", detail)


@dataclass(frozen=True)
class Entry:
    """One outbox row."""

    id: str
    created_at: float
    mode: str
    state: str
    service: str
    body: str
    online_body: str | None
    day: str | None
    number: str | None
    ticket_json: str | None
    printed: int
    attempts: int
    error: str
    sent_at: float | None

    @property
    def request(self) -> IssueRequest:
        """The request to send (with ``number`` and ``issued_at`` for offline tickets).

        An entry written before kiosks sealed ID numbers holds a citizen hashed under the old
        kiosk key, which no hall can check any more: it is sent without the citizen, so the
        ticket itself is kept (the hall takes an offline ticket without one)."""
        data = json.loads(self.body)
        citizen = data.get("citizen")
        if isinstance(citizen, dict) and "id_sealed" not in citizen:
            data["citizen"] = None
        return IssueRequest.model_validate(data)

    @property
    def ticket(self) -> Ticket | None:
        """The ticket as last known: the server's once sent, the local one before."""
        return Ticket.model_validate_json(self.ticket_json) if self.ticket_json else None


class Outbox:
    """The outbox file; thread-safe (one connection behind a lock, writers take the file lock).

    ``max_pages`` caps the file (``PRAGMA max_page_count``), to emulate a full disk in tests.
    """

    def __init__(self, path: Path | str, *, max_pages: int | None = None):
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with opening(self.path):  # another process creating the same outbox waits
                known = expected_id(self.path, "outbox")  # an emptied or foreign outbox is refused
                self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                           timeout=10)
                check_contents(self._db, self.path, "outbox")
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(SCHEMA)
                if max_pages:
                    self._db.execute(f"PRAGMA max_page_count={int(max_pages)}")
                self._settle_identity(known)
            self._recover()
        except (sqlite3.Error, OSError) as exc:
            raise OutboxError(f"cannot open the outbox {self.path}: {exc}") from exc

    def _settle_identity(self, known: str | None) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='file_id'").fetchone()
        identity = settle_identity(self.path, "outbox", known, row[0] if row else None)
        if row is None:
            with self._write() as db:
                db.execute("INSERT INTO meta (key, value) VALUES ('file_id', ?)", (identity,))

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction; any SQLite or OS failure becomes an OutboxError."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError) as exc:
                raise OutboxError(f"the outbox {self.path} cannot record the ticket: {exc}") from exc

    def _recover(self) -> None:
        """Entries left in flight by a crash are sent again, under the same key."""
        with self._write() as db:
            db.execute("UPDATE entries SET state='pending' WHERE state='inflight'")

    # ----- writing ---------------------------------------------------------------------------

    def begin_online(self, entry_id: str, req: IssueRequest, now: float) -> None:
        """Record an online request before it is made, so a retry reuses its key."""
        body = req.model_dump_json()
        with self._write() as db:
            db.execute("INSERT INTO entries (id, created_at, mode, state, service, body) "
                       "VALUES (?, ?, 'online', 'inflight', ?, ?)", (entry_id, now, req.service, body))

    def acknowledge(self, entry_id: str, ticket: Ticket, now: float) -> None:
        """The server answered with ``ticket``."""
        with self._write() as db:
            db.execute("UPDATE entries SET state='sent', ticket=?, day=?, number=?, sent_at=?, error='' "
                       "WHERE id=?", (ticket.model_dump_json(), ticket.issued_at.date().isoformat(),
                                      ticket.number, now, entry_id))

    def refuse(self, entry_id: str, reason: str) -> None:
        """The server refused the online request: no ticket, nothing to send."""
        with self._write() as db:
            db.execute("UPDATE entries SET state='refused', error=? WHERE id=?", (reason, entry_id))

    def record_offline(self, entry_id: str, req: IssueRequest, day: str, first: int, last: int,
                       number_of, ticket_of, now: float, *, converted: bool = False,
                       replaces: str | None = None) -> Ticket:
        """Allocate the next offline number of ``req.service`` on ``day`` and store the ticket,
        in one transaction. ``number_of(seq)`` formats the number, ``ticket_of(number)`` builds
        the ticket. ``converted``: the entry exists as an online request that went unanswered;
        it keeps its key (and its time), so the server can tell the two apart. ``replaces``: a
        rejected entry this one renumbers, marked ``renumbered`` in the same transaction (so a
        crash never leaves both, or neither)."""
        from kiosk.offline import OfflineUnavailable

        with self._write() as db:
            if replaces is not None:
                found = db.execute("SELECT state FROM entries WHERE id=?", (replaces,)).fetchone()
                if found is None or found[0] != "rejected":
                    raise HallError("validation_error", "that offline ticket is not waiting for a new number")
            row = db.execute("SELECT last FROM counters WHERE day=? AND service=?", (day, req.service)).fetchone()
            seq = (row[0] if row else first - 1) + 1
            if seq > last:
                raise OfflineUnavailable(f"the offline range {first}-{last} of {req.service} is used up today")
            number = number_of(seq)
            offline_req = req.model_copy(update={"number": number, "channel": "offline"})
            ticket = ticket_of(offline_req, number)
            offline_req = offline_req.model_copy(update={"issued_at": ticket.issued_at})
            db.execute("INSERT INTO counters (day, service, last) VALUES (?, ?, ?) "
                       "ON CONFLICT (day, service) DO UPDATE SET last=excluded.last", (day, req.service, seq))
            values = (offline_req.model_dump_json(), day, number, ticket.model_dump_json())
            if converted:
                db.execute("UPDATE entries SET mode='offline', state='pending', online_body=body, body=?, "
                           "day=?, number=?, ticket=? WHERE id=?", (*values, entry_id))
            else:
                db.execute("INSERT INTO entries (id, created_at, mode, state, service, body, day, number, ticket) "
                           "VALUES (?, ?, 'offline', 'pending', ?, ?, ?, ?, ?)",
                           (entry_id, now, req.service, *values))
            if replaces is not None:
                db.execute("UPDATE entries SET state='renumbered', error=? WHERE id=?",
                           (f"renumbered as {number} (entry {entry_id})", replaces))
            return ticket

    def mark_printed(self, entry_id: str, how: int = PRINTED) -> None:
        """The citizen got the ticket (printed, or shown as an e-ticket)."""
        with self._write() as db:
            db.execute("UPDATE entries SET printed=MAX(printed, ?) WHERE id=?", (how, entry_id))

    def mark_sent(self, entry_id: str, ticket: Ticket, now: float) -> None:
        """The sender delivered the entry; ``ticket`` is the server's view."""
        with self._write() as db:
            db.execute("UPDATE entries SET state='sent', ticket=?, number=?, sent_at=?, error='', "
                       "attempts=attempts+1 WHERE id=?", (ticket.model_dump_json(), ticket.number, now, entry_id))

    def mark_rejected(self, entry_id: str, reason: str) -> None:
        """The server will not take the entry; staff must look at it."""
        with self._write() as db:
            db.execute("UPDATE entries SET state='rejected', error=?, attempts=attempts+1 WHERE id=?",
                       (reason, entry_id))

    def note_attempt(self, entry_id: str, reason: str) -> None:
        """A delivery attempt failed for a passing reason (server away); best effort."""
        try:
            with self._write() as db:
                db.execute("UPDATE entries SET attempts=attempts+1, error=? WHERE id=?", (reason, entry_id))
        except OutboxError:
            pass

    # ----- reading ---------------------------------------------------------------------------

    def _select(self, where: str, args: tuple = ()) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, created_at, mode, state, service, body, online_body, day, number, ticket, "
                f"printed, attempts, error, sent_at FROM entries {where}", args).fetchall()
        return [Entry(*r) for r in rows]

    def get(self, entry_id: str) -> Entry | None:
        """One entry by id."""
        found = self._select("WHERE id=?", (entry_id,))
        return found[0] if found else None

    def by_ticket(self, ticket_id: str) -> Entry | None:
        """The entry holding ``ticket_id`` (local or server id; they are the same).

        Found through the index on the ticket's id: the outbox keeps every entry, and reading
        them all to compare ids grew with every ticket the kiosk ever issued (13 MB and 0.1-0.2 s
        per reprint or e-ticket after 10,000 tickets; 0.2 ms now)."""
        found = self._select("WHERE json_extract(ticket, '$.id') = ? ORDER BY created_at DESC LIMIT 1",
                             (ticket_id,))
        return found[0] if found else None

    def pending(self, limit: int = 100) -> list[Entry]:
        """Entries waiting for the sender, oldest first."""
        return self._select("WHERE state='pending' ORDER BY created_at LIMIT ?", (limit,))

    def length(self) -> int:
        """How many entries wait to be sent (what staff see as the outbox length)."""
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM entries WHERE state='pending'").fetchone()[0]

    def entries(self, state: str | None = None) -> list[Entry]:
        """Every entry (or those in ``state``), oldest first."""
        if state:
            return self._select("WHERE state=? ORDER BY created_at", (state,))
        return self._select("ORDER BY created_at")

    def unprinted(self) -> list[Entry]:
        """Tickets that exist (or will, once sent) but never reached the citizen: offer a reprint."""
        return self._select("WHERE printed=0 AND ticket IS NOT NULL AND state IN ('pending', 'sent') "
                            "ORDER BY created_at")

    # ----- catalog cache ---------------------------------------------------------------------

    def save_catalog(self, catalog: Catalog) -> None:
        """Keep the last catalog for offline use; a failure to keep it is not fatal."""
        body = catalog.model_dump_json()
        with self._lock:
            known = self._db.execute("SELECT value FROM meta WHERE key='catalog'").fetchone()
        if known and json.loads(known[0]).get("catalog") == json.loads(body):
            return
        value = json.dumps({"saved_at": time.time(), "catalog": json.loads(body)}, ensure_ascii=False)
        try:
            with self._write() as db:
                db.execute("INSERT INTO meta (key, value) VALUES ('catalog', ?) "
                           "ON CONFLICT (key) DO UPDATE SET value=excluded.value", (value,))
        except OutboxError:
            pass

    def cached_catalog(self) -> Catalog | None:
        """The last catalog saved, or None."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='catalog'").fetchone()
        if not row:
            return None
        try:
            return Catalog.model_validate(json.loads(row[0])["catalog"])
        except (ValueError, KeyError):
            return None
