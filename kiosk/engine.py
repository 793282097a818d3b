"""The hall engine: the one implementation of the queue (DESIGN.md §4).

The HTTP server is a thin layer over it, and a standalone kiosk calls it in-process through the
same methods the HTTP client offers (see ``kiosk.hall``). Every change happens in one write
transaction together with its ticket event and its hall event, so what the engine acknowledged
is on disk and in the event stream, or nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select, update

from kiosk import __version__, day_stats
from kiosk import queries as q
from kiosk import store as db
from kiosk.clerks import ClerkDesk
from kiosk.clock import Clock, hall_day, local
from kiosk.config import HallConfig, Service
from kiosk.domain import HallError, State, call_text, place_label
from kiosk.engine_actions import TicketActions
from kiosk.engine_cases import CaseRules
from kiosk.engine_issue import IssuingRules
from kiosk.engine_views import ViewBuilder
from kiosk.events import EventFeed
from kiosk.hours import hours_reason
from kiosk.idkeys import Identity, IdKeys
from kiosk.models import (
    Appointment,
    Call,
    Catalog,
    HallEvent,
    HelpCall,
    QueueEntry,
    ServiceChange,
    Ticket,
    WindowChange,
    page_url,
)
from kiosk.queue_places import QueuePlaces
from kiosk.ratings import RatingRules
from kiosk.ticket_pages import (
    MAX_LIMIT,
    TicketPage,
    check_limit,
    decode_cursor,
    encode_cursor,
    page_query,
)

HELP_REPEAT_S = 60.0
"""Presses of "call staff" at one kiosk within this many seconds are one call."""


class HallEngine(CaseRules, IssuingRules, TicketActions, ClerkDesk, RatingRules):
    """The queue of one hall, over a Store."""

    def __init__(self, config: HallConfig, store: db.Store, clock: Clock | None = None, *, dev: bool = False,
                 keys: IdKeys | None = None):
        """``keys`` are the hall's ID keys (``kiosk.hall.open_engine`` reads them from the key
        folder); None makes keys that live in memory only, for a hall whose ID hashes need not
        outlive the process (tests, the demo's scripted day)."""
        self.config = config
        self.keys = keys or IdKeys.generate()
        self._seal_key = self.keys.public_key
        self.store = store
        self.clock = clock or Clock()
        self.dev = dev
        self.tz = ZoneInfo(config.hall.timezone)
        self.feed = EventFeed(store)
        self.views = ViewBuilder(config, self.tz, self.clock.now)
        self._ranks = {p.code: p.rank for p in config.priorities}
        self._help_calls: dict[str, HelpCall] = {}  # device → its last call for staff

    def use_config(self, config: HallConfig) -> None:
        """Run on ``config`` from now on (kiosk.hallsettings, inside a write transaction, so no
        write sees half of it). Everything derived from the config is rebuilt here; the time
        zone is not: a changed one waits for a restart. Code reads ``self.config`` when it
        needs it rather than keeping parts of it."""
        self.config = config
        self.views.config = config
        self.views.forget()  # the service-time means depend on recent_service_samples
        self._ranks = {p.code: p.rank for p in config.priorities}

    # ----- reading -------------------------------------------------------------------------

    def health(self) -> dict:
        """Liveness and version."""
        return {"status": "ok", "version": __version__, "hall": self.config.hall.code}

    def today(self) -> str:
        """The hall's current calendar day."""
        return hall_day(self.clock.now(), self.tz)

    def catalog(self) -> Catalog:
        """The hall's offer with live open/closed state, waiting counts and estimates."""
        now = self.clock.now()
        with self.store.read() as conn:
            state = self.views.day_state(conn, self.today())
            entries = {e.service: e for e in self._queue(conn, now, state)}
        catalog = self.views.catalog(entries, state, self.today())
        catalog.id_seal_key = self._seal_key
        return catalog

    def queue(self) -> list[QueueEntry]:
        """Per service: waiting count, estimate, open windows."""
        with self.store.read() as conn:
            return self._queue(conn, self.clock.now(), self.views.day_state(conn, self.today()))

    def ticket(self, ticket_id: str) -> Ticket:
        """One ticket by id."""
        with self.store.read() as conn:
            row = self._row(conn, ticket_id)
            return self._view(conn, row)

    def held_by(self, ticket_id: str, id_sealed: str) -> bool:
        """Whether ``ticket_id`` was issued to the card whose number ``id_sealed`` holds (a kiosk
        may reprint only the ticket of the card on its reader). A value that is not a sealed ID
        of this hall proves nothing."""
        import hmac

        from kiosk.sealing import SealError

        try:
            digest = self.keys.hash_of(id_sealed)
        except SealError:
            return False
        with self.store.read() as conn:
            stored = self._row(conn, ticket_id).get("id_hash")
        return bool(stored) and hmac.compare_digest(stored, digest)

    def tickets(self, day: str | None = None, service: str | None = None, state: str | None = None,
                id_sealed: str | None = None) -> list[Ticket]:
        """A day's tickets (today by default), optionally filtered, in issue order: every page
        of ``tickets_page`` (for in-process callers that want them all)."""
        found: list[Ticket] = []
        cursor = None
        while True:
            page = self.tickets_page(day, service, state, id_sealed, limit=MAX_LIMIT, cursor=cursor)
            found.extend(page.tickets)
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor

    def tickets_page(self, day: str | None = None, service: str | None = None, state: str | None = None,
                     id_sealed: str | None = None, *, limit: int | None = None,
                     cursor: str | None = None) -> TicketPage:
        """One page of a day's tickets (today by default), optionally filtered, in issue order;
        ``cursor`` is the ``next_cursor`` of the previous page. Waiting tickets carry their place
        and estimate, worked out for the whole page at once.

        ``id_sealed`` (a card's number sealed to the hall's key) finds a card holder's tickets
        (staff reprint by card); the hash is made here and never shown in a ticket.
        """
        from kiosk.sealing import SealError

        limit = check_limit(limit)
        day = day or self.today()
        id_hash = None
        if id_sealed:
            try:
                id_hash = self.keys.hash_of(id_sealed)
            except SealError as exc:
                raise HallError("validation_error", f"id_sealed: {exc}") from None
        after = decode_cursor(cursor, day) if cursor else None
        with self.store.read() as conn:
            rows = [dict(r._mapping) for r in conn.execute(page_query(day, service, state, id_hash, after, limit))]
            more = len(rows) > limit
            views = self._views(conn, rows[:limit])
        last = rows[limit - 1] if more else None
        return TicketPage(views, encode_cursor(day, last["issued_at"], last["number"]) if last else None)

    def calls(self, after: int = 0, limit: int = 50) -> list[Call]:
        """Calls with a sequence number above ``after``, oldest first."""
        c = db.calls
        with self.store.read() as conn:
            rows = conn.execute(select(c).where(c.c.seq > after).order_by(c.c.seq).limit(limit)).all()
        return [self._call_view(r) for r in rows]

    def events_after(self, seq: int, limit: int = 500) -> list[HallEvent]:
        """Hall events after ``seq`` (for SSE resume)."""
        return self.feed.after(seq, limit)

    def wait_events(self, seq: int, timeout: float) -> list[HallEvent]:
        """Hall events after ``seq``, waiting up to ``timeout`` seconds for the first one."""
        return self.feed.wait(seq, timeout)

    def _service(self, code: str) -> Service:
        service = self.config.service(code)
        if service is None:
            raise HallError("unknown_service", f"no service with code {code!r}; see GET /api/v1/catalog")
        return service

    def _closed_reason(self, service: Service, state: dict, now: float) -> str | None:
        day_state = state["services"].get(service.code, {})
        if day_state.get("paused"):
            return "paused"
        quota = day_state.get("quota")
        quota = service.daily_quota if quota is None else quota
        if state["issued"].get(service.code, 0) >= quota:
            return "quota"
        if self.dev:
            return None
        return hours_reason(service.hours or self.config.hall.hours, local(now, self.tz))

    # ----- staff changes -------------------------------------------------------------------

    def change_service(self, code: str, change: ServiceChange) -> Catalog:
        """Pause or resume a service, or change today's quota."""
        self._service(code)
        now = self.clock.now()
        day = self.today()
        with self.store.write() as conn:
            self.views.set_service_day(conn, day, code, change)
            self._record(conn, f"service:{code}", now, "service", None, State.WAITING, change.actor,
                         change.reason, change.model_dump(exclude={"actor", "reason"}, exclude_none=True))
            db.append_event(conn, now, "catalog", {"service": code, **change.model_dump(exclude_none=True)})
        self.feed.notify()
        return self.catalog()

    def change_window(self, number: int, change: WindowChange) -> None:
        """Pause or resume a window."""
        if self.config.window(number) is None:
            raise HallError("unknown_window", f"no window {number}")
        now = self.clock.now()
        with self.store.write() as conn:
            self.views.set_window_paused(conn, number, change.paused)
            # In the audit trail as clerks' sign-ins are: statistics read windows' open time from both.
            self._record(conn, f"window:{number}", now, "pause" if change.paused else "resume", None, State.WAITING,
                         change.actor, "", {})
            db.append_event(conn, now, "queue", {"window": number, "paused": change.paused})
        self.feed.notify()

    def request_help(self, device: str, screen: str = "") -> HelpCall:
        """A citizen at kiosk ``device`` asks for staff: one ``device`` event on the hall stream
        (the guide desk's screens and signs show it). A second press within HELP_REPEAT_S of the
        same kiosk is the same call: the desk is not flooded."""
        now = self.clock.now()
        last = self._help_calls.get(device)
        if last is not None and now - last.at.timestamp() < HELP_REPEAT_S:
            return last
        call = HelpCall(device=device, screen=screen, at=local(now, self.tz))
        with self.store.write() as conn:
            db.append_event(conn, now, "device", call.model_dump(mode="json"))
        self.feed.notify()
        self._help_calls[device] = call
        return call

    def add_appointments(self, items: Iterable[Appointment]) -> int:
        """Store booked slots (replacing same booking codes); returns how many. A holder's
        sealed ID number is opened here and kept as its keyed hash and mask only."""
        from kiosk.sealing import SealError

        pairs, today = [], local(self.clock.now(), self.tz).date()
        for item in items:
            try:
                who = self.keys.identity(item.id_sealed, today) if item.id_sealed else None
            except SealError as exc:
                raise HallError("validation_error", f"appointment {item.booking_code}: {exc}") from None
            pairs.append((item, who))
        return self._store_appointments(pairs)

    def _store_appointments(self, pairs: Iterable[tuple[Appointment, Identity | None]]) -> int:
        a = db.appointments
        count = 0
        with self.store.write() as conn:
            for item, who in pairs:
                self._service(item.service)
                if item.slot_end <= item.slot_start:
                    raise HallError("validation_error", f"appointment {item.booking_code}: slot ends before it starts")
                values = {
                    "day": hall_day(item.slot_start.timestamp(), self.tz),
                    "service": item.service,
                    "slot_start": item.slot_start.timestamp(),
                    "slot_end": item.slot_end.timestamp(),
                    "id_hash": who.id_hash if who else None,
                    "id_mask": who.id_mask if who else None,
                }
                if conn.execute(select(a.c.booking_code).where(a.c.booking_code == item.booking_code)).first():
                    conn.execute(update(a).where(a.c.booking_code == item.booking_code).values(**values))
                else:
                    conn.execute(insert(a).values(booking_code=item.booking_code, **values))
                count += 1
        return count

    def import_appointments(self, path: Path | str) -> int:
        """Import appointments from a CSV or JSON file (see ``kiosk.appointments``); ID numbers
        in it are hashed with the hall's own key."""
        from kiosk.appointments import read_appointments

        return self._store_appointments(read_appointments(Path(path), self.tz, self.keys))

    # ----- internals -----------------------------------------------------------------------

    def _row(self, conn: Connection, ticket_id: str) -> dict:
        row = conn.execute(q.TICKET_BY_ID, {"tid": ticket_id}).first()
        if row is None:
            raise HallError("unknown_ticket", f"no ticket {ticket_id!r}")
        return dict(row._mapping)

    def _view(self, conn: Connection, row, state: dict | None = None) -> Ticket:
        """The API view of a ticket; waiting tickets of today get their place and estimate."""
        row = dict(row._mapping) if hasattr(row, "_mapping") else row
        return self._views(conn, [row], state)[0]

    def _views(self, conn: Connection, rows: list, state: dict | None = None) -> list[Ticket]:
        """The API views of ``rows`` in one pass: each service's queue is read once, as far as
        the latest of the rows' arrivals (``_aheads``), and the day state once."""
        rows = [dict(r._mapping) if hasattr(r, "_mapping") else r for r in rows]
        today = self.today()
        aheads = self._aheads(conn, [r for r in rows if r["state"] == State.WAITING.value and r["day"] == today])
        if aheads and state is None:
            state = self.views.day_state(conn, today)
        views = []
        for row in rows:
            ahead = aheads.get(row["id"])
            eta = None if ahead is None else self.views.eta(state, row["service"], ahead)
            views.append(self.views.ticket(row, ahead, eta))
        return views

    def _aheads(self, conn: Connection, waiting: list[dict]) -> dict[str, int]:
        """How many tickets stand ahead of each of today's ``waiting`` tickets in its service, by
        THE order (``kiosk.ordering``), reading only what can be ahead (``kiosk.queue_places``)."""
        if not waiting:
            return {}
        places = QueuePlaces(conn, self.today(), self._ranks, self.clock.now(),
                             self.config.policy.max_wait_minutes * 60)
        return places.aheads(waiting)

    def _queue(self, conn: Connection, now: float, state: dict, only: str | None = None) -> list[QueueEntry]:
        entries = []
        for service in self.config.services:
            if only and service.code != only:
                continue
            reason = self._closed_reason(service, state, now)
            count = state["waiting"].get(service.code, 0)
            entries.append(QueueEntry(
                service=service.code, waiting=count, eta_minutes=self.views.eta(state, service.code, count),
                open_windows=self.views.open_windows(state, service.code), open=reason is None,
                closed_reason=reason,
            ))
        return entries

    def _record(self, conn: Connection, ticket_id: str, at: float, action: str, before: State | None,
                after: State, actor: str, reason: str, detail: dict) -> None:
        import json

        db.record_ticket_event(conn, {
            "ticket_id": ticket_id, "at": at, "action": action, "from_state": before.value if before else None,
            "to_state": after.value, "actor": actor or "", "reason": reason or "",
            "detail": json.dumps(detail, ensure_ascii=False, default=str),
        })

    def _event_view(self, ticket: Ticket) -> dict:
        """A ticket as the hall's event stream carries it: without its phone page's token, which
        every device's stream would otherwise hand out (boards and counters too); the page is
        the citizen's, reached from the QR code the issuing kiosk printed."""
        return ticket.model_copy(update={"status_url": page_url(self.config.hall.public_url, None)}).model_dump(
            mode="json")

    def _publish_call(self, conn: Connection, row: dict, now: float) -> Call:
        result = conn.execute(q.INSERT_CALL, {
            "day": row["day"], "ticket_id": row["id"], "number": row["number"], "window": row["window"],
            "service": row["service"], "called_at": now, "repeat": row["recalls"],
        })
        seq = int(result.inserted_primary_key[0])
        call = self._call_view(conn.execute(q.CALL_BY_SEQ, {"seq": seq}).one())
        db.append_event(conn, now, "call", call.model_dump(mode="json"))
        return call

    def _publish_ticket(self, conn: Connection, now: float, row: dict, state: dict,
                        fresh: bool = False, waiting: int | None = None) -> Ticket:
        """Emit the ticket's event and its service's queue event; returns the ticket's view.

        A ``fresh`` normal ticket was issued just now, so every waiting ticket of its service is
        ahead of it: the waiting counter answers, where the ordering would read the queue.
        ``waiting``: the service's waiting count on the ticket's day, when the caller knows it.
        """
        if waiting is None:
            waiting = day_stats.read(conn, row["day"], row["service"]).waiting
        simple = fresh and row["state"] == State.WAITING.value and row["priority"] == "normal" \
            and not row["in_slot"] and not row["offline"]
        if simple:
            ahead = waiting - 1
            ticket = self.views.ticket(row, ahead, self.views.eta(state, row["service"], ahead))
        else:
            ticket = self._view(conn, row, state)
        db.append_event(conn, now, "ticket", self._event_view(ticket))
        service = self.config.service(row["service"])
        reason = self._closed_reason(service, state, now)
        entry = QueueEntry(
            service=service.code, waiting=waiting, eta_minutes=self.views.eta(state, service.code, waiting),
            open_windows=self.views.open_windows(state, service.code), open=reason is None,
            closed_reason=reason,
        )
        db.append_event(conn, now, "queue", entry.model_dump(mode="json"))
        return ticket

    def _call_view(self, row) -> Call:
        window = self.config.window(row.window)
        kind = window.kind if window else "window"
        name = window.name.model_dump() if window else {
            lang: place_label(row.window, kind, lang) for lang in ("zh", "en")}
        return Call(
            seq=row.seq, number=row.number, ticket=row.ticket_id, window=row.window,
            window_name=name, window_kind=kind, service=row.service,
            called_at=datetime.fromtimestamp(row.called_at, self.tz), repeat=row.repeat,
            text=call_text(row.number, row.window, kind),
        )
