"""The hall engine: the one implementation of the queue (DESIGN.md §4).

The HTTP server is a thin layer over it, and a standalone kiosk calls it in-process through the
same methods the HTTP client offers (see ``kiosk.hall``). Every change happens in one write
transaction together with its ticket event and its hall event, so what the engine acknowledged
is on disk and in the event stream, or nowhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, func, insert, select, update

from kiosk import __version__
from kiosk import queries as q
from kiosk import store as db
from kiosk.clock import Clock, hall_day, local
from kiosk.config import HallConfig, Service
from kiosk.domain import HallError, State, call_text, check_transition, format_number
from kiosk.engine_views import ViewBuilder
from kiosk.events import EventFeed
from kiosk.hours import hours_reason
from kiosk.models import (
    ActionRequest,
    Appointment,
    Call,
    Catalog,
    HallEvent,
    IssueRequest,
    QueueEntry,
    ServiceChange,
    Ticket,
    WindowChange,
)
from kiosk.ordering import Candidate, overtaken_by, pick_next, rank_in_queue


class HallEngine:
    """The queue of one hall, over a Store."""

    def __init__(self, config: HallConfig, store: db.Store, clock: Clock | None = None, *, dev: bool = False):
        self.config = config
        self.store = store
        self.clock = clock or Clock()
        self.dev = dev
        self.tz = ZoneInfo(config.hall.timezone)
        self.feed = EventFeed(store)
        self.views = ViewBuilder(config, self.tz)
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
        return self.views.catalog(entries, state, self.today())

    def queue(self) -> list[QueueEntry]:
        """Per service: waiting count, estimate, open windows."""
        with self.store.read() as conn:
            return self._queue(conn, self.clock.now(), self.views.day_state(conn, self.today()))

    def ticket(self, ticket_id: str) -> Ticket:
        """One ticket by id."""
        with self.store.read() as conn:
            row = self._row(conn, ticket_id)
            return self._view(conn, row)

    def tickets(self, day: str | None = None, service: str | None = None, state: str | None = None) -> list[Ticket]:
        """A day's tickets (today by default), optionally filtered, in issue order."""
        t = db.tickets
        query = select(t).where(t.c.day == (day or self.today()))
        if service:
            query = query.where(t.c.service == service)
        if state:
            query = query.where(t.c.state == state)
        with self.store.read() as conn:
            rows = conn.execute(query.order_by(t.c.issued_at, t.c.number)).all()
            return [self._view(conn, r) for r in rows]

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

    # ----- issuing -------------------------------------------------------------------------

    def issue(self, req: IssueRequest, idempotency_key: str) -> Ticket:
        """Issue a ticket; replaying the same key and body returns the same ticket."""
        if not idempotency_key or len(idempotency_key) > 128:
            raise HallError("validation_error", "an Idempotency-Key of 1 to 128 characters is required")
        service = self._service(req.service)
        body_hash = hashlib.sha256(req.model_dump_json().encode()).hexdigest()
        now = self.clock.now()
        with self.store.write() as conn:
            replay = self._replayed(conn, idempotency_key, body_hash, req, now)
            if replay is not None:
                return self._view(conn, replay)
            state = self.views.day_state(conn, self.today())
            row = self._issue_in(conn, service, req, now, state)
            conn.execute(q.INSERT_IDEMPOTENCY,
                         {"key": idempotency_key, "body_hash": body_hash, "ticket_id": row["id"], "created_at": now})
            state["issued"][service.code] = state["issued"].get(service.code, 0) + 1
            ticket = self._publish_ticket(conn, now, row, state, fresh=True)
        self.feed.notify()
        return ticket

    def _replayed(self, conn: Connection, key: str, body_hash: str, req: IssueRequest, now: float):
        found = conn.execute(q.IDEMPOTENCY_BY_KEY, {"key": key}).first()
        if found is None:
            return None
        if found.body_hash != body_hash:
            if self._supersede(conn, found, req, now):
                return None
            raise HallError(
                "idempotency_mismatch",
                "this Idempotency-Key was already used with a different request; use a new key",
            )
        return self._row(conn, found.ticket_id)

    def _supersede(self, conn: Connection, found, req: IssueRequest, now: float) -> bool:
        """An offline ticket sent under the key of the same kiosk's online request replaces it.

        A kiosk whose online request timed out cannot know whether the server committed it, so
        it prints an offline ticket and later sends it under the same key (DESIGN.md §7). If the
        online ticket did get committed, nobody holds it: it is voided and the key moves to the
        offline ticket, so the citizen's request yields exactly one live ticket.
        """
        if req.number is None or not req.device:
            return False
        old = conn.execute(select(db.tickets).where(db.tickets.c.id == found.ticket_id)).first()
        if old is None or old.offline or old.device != req.device:
            return False
        if old.state == State.WAITING.value:
            t = db.tickets
            conn.execute(update(t).where(t.c.id == old.id).values(state=State.VOID.value))
            self._record(conn, old.id, now, "void", State.WAITING, State.VOID, req.device,
                         f"superseded by offline ticket {req.number}", {"superseded_by": req.number})
            voided = self._view(conn, self._row(conn, old.id))
            db.append_event(conn, now, "ticket", voided.model_dump(mode="json"))
        conn.execute(delete(db.idempotency).where(db.idempotency.c.key == found.key))
        return True

    def _issue_in(self, conn: Connection, service: Service, req: IssueRequest, now: float, state: dict) -> dict:
        offline = req.number is not None
        issued_at = self._issue_time(req, now)
        day = hall_day(issued_at, self.tz)
        priority = self._check_priority(service, req.priority)
        if req.citizen:
            self._check_real_name(conn, day, service.code, req.citizen.id_hash)
        if service.id_required and req.citizen is None and not offline:
            raise HallError("validation_error", f"service {service.code} requires an ID card (citizen)")
        appointment = self._check_in(conn, day, service, req, issued_at)
        if appointment is not None:
            priority = "appointment" if "appointment" in service.priorities else priority
        if offline:
            seq, number = self._offline_number(conn, day, service, req)
        else:
            self._check_open(service, state, now)
            seq = db.next_sequence(conn, day, service.code)
            self._check_online_range(service, seq)
            number = format_number(service.prefix, seq, service.digits)
        row = {
            "id": f"{day.replace('-', '')}-{number}",
            "day": day,
            "service": service.code,
            "seq": seq,
            "number": number,
            "priority": priority,
            "state": State.WAITING.value,
            "channel": req.channel,
            "device": req.device,
            "id_hash": req.citizen.id_hash if req.citizen else None,
            "id_mask": req.citizen.id_mask if req.citizen else None,
            "name_mask": req.citizen.name_mask if req.citizen else None,
            "age": req.citizen.age if req.citizen else None,
            "appointment": appointment,
            "in_slot": appointment is not None,
            "issued_at": issued_at,
            "arrival_at": issued_at,
            "recalls": 0,
            "overtaken": 0,
            "offline": offline,
        }
        # A constant statement with a parameter dict: SQLAlchemy compiles it once, not per ticket.
        conn.execute(q.INSERT_TICKET, {**row, "window": None, "called_at": None, "started_at": None,
                                          "finished_at": None})
        row.update(window=None, called_at=None, started_at=None, finished_at=None)
        if appointment:
            a = db.appointments
            conn.execute(update(a).where(a.c.booking_code == appointment).values(ticket_id=row["id"]))
        self._record(conn, row["id"], now, "issue", None, State.WAITING, req.actor, req.reason,
                     {"channel": req.channel, "device": req.device, "priority": priority})
        return row

    def _issue_time(self, req: IssueRequest, now: float) -> float:
        """When the ticket counts as issued: the kiosk's time for offline tickets, never the future."""
        if req.number is None:
            return now
        if req.issued_at is None:
            raise HallError("validation_error", "an offline ticket (number given) needs issued_at")
        return min(req.issued_at.timestamp(), now)

    def _service(self, code: str) -> Service:
        service = self.config.service(code)
        if service is None:
            raise HallError("unknown_service", f"no service with code {code!r}; see GET /api/v1/catalog")
        return service

    def _check_priority(self, service: Service, priority: str) -> str:
        if priority == "normal":
            return priority
        if self.config.priority(priority) is None:
            raise HallError("validation_error", f"unknown priority {priority!r}")
        if priority not in service.priorities:
            raise HallError("validation_error", f"service {service.code} does not take priority {priority!r}")
        return priority

    def _check_real_name(self, conn: Connection, day: str, service: str, id_hash: str) -> None:
        existing = conn.execute(q.ACTIVE_FOR_ID, {"day": day, "service": service, "id_hash": id_hash}).first()
        if existing is not None:
            view = self._view(conn, existing)
            raise HallError(
                "duplicate_active",
                f"this ID already holds ticket {existing.number} for this service; it can be reprinted",
                {"ticket": view.model_dump(mode="json")},
            )

    def _check_open(self, service: Service, state: dict, now: float) -> None:
        reason = self._closed_reason(service, state, now)
        if reason == "quota":
            raise HallError("quota_exhausted", f"all of today's tickets for {service.code} are taken")
        if reason:
            raise HallError("service_closed", f"service {service.code} is not taking tickets now ({reason})",
                            {"closed_reason": reason})

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

    def _check_online_range(self, service: Service, seq: int) -> None:
        """Numbers the server hands out stop below the kiosks' reserved offline ranges."""
        starts = [r.start for r in self.config.offline_ranges]
        limit = (min(starts) - 1) if starts else 10**service.digits - 1
        if seq > limit:
            raise HallError("quota_exhausted", f"no numbers left for {service.code} today")

    def _offline_number(self, conn: Connection, day: str, service: Service, req: IssueRequest) -> tuple[int, str]:
        from kiosk.domain import parse_number

        prefix, seq = parse_number(req.number or "")
        if prefix != service.prefix:
            raise HallError("validation_error", f"number {req.number} does not belong to service {service.code}")
        ranges = [r for r in self.config.offline_ranges if r.kiosk == req.device]
        if ranges and not any(r.start <= seq <= r.end for r in ranges):
            raise HallError("validation_error", f"number {req.number} is outside kiosk {req.device}'s offline range")
        if conn.execute(q.NUMBER_TAKEN, {"day": day, "number": req.number}).first():
            raise HallError("number_taken", f"number {req.number} already exists today")
        return seq, req.number or ""

    def _check_in(self, conn: Connection, day: str, service: Service, req: IssueRequest, now: float) -> str | None:
        """The booking code checked in with this ticket, or None; refuses codes outside their window."""
        if req.appointment:
            row = conn.execute(q.APPOINTMENT_BY_CODE, {"code": req.appointment}).first()
            if row is None or row.day != day or row.service != service.code:
                raise HallError("unknown_appointment", f"no appointment {req.appointment} for {service.code} today")
            if row.ticket_id:
                raise HallError("duplicate_active", f"appointment {req.appointment} is already checked in")
        elif req.citizen:
            rows = conn.execute(q.OPEN_APPOINTMENTS_FOR_ID,
                                {"day": day, "service": service.code, "id_hash": req.citizen.id_hash}).all()
            row = next((r for r in rows if self._in_window(r, now)), None)
            if row is None:
                return None
        else:
            return None
        if not self._in_window(row, now):
            policy = self.config.policy
            opens = local(row.slot_start - policy.appointment_early_minutes * 60, self.tz).strftime("%H:%M")
            closes = local(row.slot_end + policy.appointment_late_minutes * 60, self.tz).strftime("%H:%M")
            raise HallError(
                "appointment_outside_window",
                f"appointment {row.booking_code} can be checked in between {opens} and {closes}",
                {"opens": opens, "closes": closes},
            )
        return row.booking_code

    def _in_window(self, row, now: float) -> bool:
        policy = self.config.policy
        return (
            row.slot_start - policy.appointment_early_minutes * 60
            <= now
            <= row.slot_end + policy.appointment_late_minutes * 60
        )

    # ----- actions -------------------------------------------------------------------------

    def act(self, ticket_id: str, action: str, req: ActionRequest | None = None) -> Ticket:
        """Apply a counter or guide action to a ticket; refuses illegal transitions."""
        req = req or ActionRequest()
        now = self.clock.now()
        with self.store.write() as conn:
            row = self._row(conn, ticket_id)
            state = State(row["state"])
            target = check_transition(state, action)
            changes = self._action_changes(conn, row, action, req, now)
            changes_from = row["service"]
            new_state = target or state
            changes["state"] = new_state.value
            t = db.tickets
            conn.execute(update(t).where(t.c.id == ticket_id).values(**changes))
            if action == "finish":
                self.views.forget()  # the mean service time changed
            detail = {k: v for k, v in changes.items() if k in ("window", "service", "priority", "recalls")}
            self._record(conn, ticket_id, now, action, state, new_state, req.actor, req.reason, detail)
            row = self._row(conn, ticket_id)
            if action in ("call", "recall"):
                self._publish_call(conn, row, now)
            ticket = self._publish_ticket(conn, now, row, self.views.day_state(conn, self.today()))
            if action == "transfer":
                (entry,) = self._queue(conn, now, self.views.day_state(conn, self.today()), only=changes_from)
                db.append_event(conn, now, "queue", entry.model_dump(mode="json"))
        self.feed.notify()
        return ticket

    def _action_changes(self, conn: Connection, row: dict, action: str, req: ActionRequest, now: float) -> dict:
        """The column changes an action makes, after checking its arguments."""
        policy = self.config.policy
        if action == "call":
            window = self._window_for(row, req, held=row["state"] == State.HELD.value)
            return {"window": window, "called_at": now, "recalls": 0}
        if action == "recall":
            self._same_window(row, req)
            if row["recalls"] >= policy.recall_limit:
                raise HallError("invalid_transition", f"ticket {row['number']} was already recalled "
                                f"{row['recalls']} times (limit {policy.recall_limit})",
                                {"state": row["state"]})
            return {"recalls": row["recalls"] + 1, "called_at": now}
        if action == "start":
            return {"started_at": now}
        if action == "finish":
            return {"finished_at": now, "started_at": row["started_at"] or row["called_at"] or now}
        if action in ("requeue", "transfer"):
            changes: dict = {"window": None, "recalls": 0}
            if now - row["arrival_at"] > policy.requeue_grace_minutes * 60:
                changes["arrival_at"] = now
            if action == "transfer":
                changes.update(self._transfer_changes(row, req))
            return changes
        if action == "prioritize":
            if not req.priority:
                raise HallError("validation_error", "prioritize needs a priority")
            service = self._service(row["service"])
            return {"priority": self._check_priority(service, req.priority), "overtaken": 0}
        return {}

    def _transfer_changes(self, row: dict, req: ActionRequest) -> dict:
        if not req.service:
            raise HallError("validation_error", "transfer needs the target service")
        target = self._service(req.service)
        if target.code == row["service"]:
            raise HallError("validation_error", f"ticket is already in service {target.code}")
        priority = row["priority"] if row["priority"] in target.priorities else "normal"
        return {"service": target.code, "priority": priority}

    def _window_for(self, row: dict, req: ActionRequest, held: bool) -> int:
        if req.window is None:
            raise HallError("validation_error", "call needs the window number")
        window = self.config.window(req.window)
        if window is None:
            raise HallError("unknown_window", f"no window {req.window}")
        if held and row["window"] != req.window:
            raise HallError("invalid_transition", f"ticket {row['number']} is held by window {row['window']}",
                            {"state": row["state"]})
        if row["service"] not in window.services:
            raise HallError("validation_error", f"window {req.window} does not serve {row['service']}")
        return req.window

    @staticmethod
    def _same_window(row: dict, req: ActionRequest) -> None:
        if req.window is not None and req.window != row["window"]:
            raise HallError("invalid_transition", f"ticket {row['number']} was called by window {row['window']}",
                            {"state": row["state"]})

    def call_next(self, window: int, actor: str = "") -> Call | None:
        """Call the best waiting ticket for ``window``; None when nobody waits."""
        config = self.config.window(window)
        if config is None:
            raise HallError("unknown_window", f"no window {window}")
        now = self.clock.now()
        with self.store.write() as conn:
            if self.views.window_paused(conn, window):
                raise HallError("invalid_transition", f"window {window} is paused; resume it first",
                                {"state": "paused"})
            candidates = self._candidates(conn, config.services, now)
            chosen = pick_next(candidates, now, self.config.policy.priority_ratio,
                               self.config.policy.max_wait_minutes * 60)
            if chosen is None:
                return None
            t = db.tickets
            for overtaken in overtaken_by(chosen, candidates):
                conn.execute(q.BUMP_OVERTAKEN, {"tid": overtaken})
            conn.execute(update(t).where(t.c.id == chosen.id).values(
                state=State.CALLED.value, window=window, called_at=now, recalls=0))
            self._record(conn, chosen.id, now, "call", State.WAITING, State.CALLED, actor, "call-next",
                         {"window": window})
            row = self._row(conn, chosen.id)
            call = self._publish_call(conn, row, now)
            self._publish_ticket(conn, now, row, self.views.day_state(conn, self.today()))
        self.feed.notify()
        return call

    def _candidates(self, conn: Connection, services: list[str], now: float) -> list[Candidate]:
        rows = conn.execute(q.CANDIDATES, {"day": self.today(), "services": services}).all()
        return [
            Candidate(r.id, r.arrival_at, self._ranks.get(r.priority, 0), bool(r.in_slot), r.overtaken,
                      services.index(r.service))
            for r in rows
        ]

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
            db.append_event(conn, now, "queue", {"window": number, "paused": change.paused})
        self.feed.notify()

    def add_appointments(self, items: Iterable[Appointment]) -> int:
        """Store booked slots (replacing same booking codes); returns how many."""
        a = db.appointments
        count = 0
        with self.store.write() as conn:
            for item in items:
                self._service(item.service)
                if item.slot_end <= item.slot_start:
                    raise HallError("validation_error", f"appointment {item.booking_code}: slot ends before it starts")
                values = {
                    "day": hall_day(item.slot_start.timestamp(), self.tz),
                    "service": item.service,
                    "slot_start": item.slot_start.timestamp(),
                    "slot_end": item.slot_end.timestamp(),
                    "id_hash": item.id_hash,
                    "id_mask": item.id_mask,
                }
                if conn.execute(select(a.c.booking_code).where(a.c.booking_code == item.booking_code)).first():
                    conn.execute(update(a).where(a.c.booking_code == item.booking_code).values(**values))
                else:
                    conn.execute(insert(a).values(booking_code=item.booking_code, **values))
                count += 1
        return count

    def import_appointments(self, path: Path | str, id_hash_key: bytes | None = None) -> int:
        """Import appointments from a CSV or JSON file (see ``kiosk.appointments``)."""
        from kiosk.appointments import read_appointments

        return self.add_appointments(read_appointments(Path(path), self.tz, id_hash_key))

    # ----- internals -----------------------------------------------------------------------

    def _row(self, conn: Connection, ticket_id: str) -> dict:
        row = conn.execute(q.TICKET_BY_ID, {"tid": ticket_id}).first()
        if row is None:
            raise HallError("unknown_ticket", f"no ticket {ticket_id!r}")
        return dict(row._mapping)

    def _view(self, conn: Connection, row, state: dict | None = None,
              candidates: list[Candidate] | None = None) -> Ticket:
        """The API view of a ticket; waiting tickets of today get their place and estimate."""
        row = dict(row._mapping) if hasattr(row, "_mapping") else row
        ahead = eta = None
        if row["state"] == State.WAITING.value and row["day"] == self.today():
            now = self.clock.now()
            if candidates is None:
                candidates = self._candidates(conn, [row["service"]], now)
            me = next((c for c in candidates if c.id == row["id"]), None)
            ahead = rank_in_queue(me, candidates, now, self.config.policy.max_wait_minutes * 60) if me else 0
            eta = self.views.eta(state or self.views.day_state(conn, row["day"]), row["service"], ahead)
        return self.views.ticket(row, ahead, eta)

    def _queue(self, conn: Connection, now: float, state: dict, only: str | None = None) -> list[QueueEntry]:
        t = db.tickets
        query = select(t.c.service, func.count()).where(t.c.day == self.today(), t.c.state == State.WAITING.value)
        if only:
            query = query.where(t.c.service == only)
        waiting = dict(conn.execute(query.group_by(t.c.service)).all())
        entries = []
        for service in self.config.services:
            if only and service.code != only:
                continue
            reason = self._closed_reason(service, state, now)
            count = waiting.get(service.code, 0)
            entries.append(QueueEntry(
                service=service.code, waiting=count, eta_minutes=self.views.eta(state, service.code, count),
                open_windows=self.views.open_windows(state, service.code), open=reason is None,
                closed_reason=reason,
            ))
        return entries

    def _record(self, conn: Connection, ticket_id: str, at: float, action: str, before: State | None,
                after: State, actor: str, reason: str, detail: dict) -> None:
        import json

        conn.execute(q.INSERT_TICKET_EVENT, {
            "ticket_id": ticket_id, "at": at, "action": action, "from_state": before.value if before else None,
            "to_state": after.value, "actor": actor or "", "reason": reason or "",
            "detail": json.dumps(detail, ensure_ascii=False, default=str),
        })

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
                        fresh: bool = False) -> Ticket:
        """Emit the ticket's event and its service's queue event; returns the ticket's view.

        A ``fresh`` normal ticket was issued just now, so every waiting ticket of its service is
        ahead of it: one COUNT answers, where the full ordering would scan the whole queue.
        """
        waiting = conn.execute(q.WAITING_IN_SERVICE, {"day": row["day"], "service": row["service"]}).scalar()
        simple = fresh and row["state"] == State.WAITING.value and row["priority"] == "normal" \
            and not row["in_slot"] and not row["offline"]
        if simple:
            ahead = waiting - 1
            ticket = self.views.ticket(row, ahead, self.views.eta(state, row["service"], ahead))
        else:
            ticket = self._view(conn, row, state)
        db.append_event(conn, now, "ticket", ticket.model_dump(mode="json"))
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
        name_zh = window.name.zh if window else f"{row.window}号窗口"
        name_en = window.name.en if window else f"Window {row.window}"
        return Call(
            seq=row.seq, number=row.number, ticket=row.ticket_id, window=row.window,
            window_name={"zh": name_zh, "en": name_en}, service=row.service,
            called_at=datetime.fromtimestamp(row.called_at, self.tz), repeat=row.repeat,
            text=call_text(row.number, name_zh, name_en),
        )
