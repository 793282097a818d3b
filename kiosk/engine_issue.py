"""Issuing tickets: idempotency, the real-name rule, appointments, hours, quotas, numbers.

A mixin of ``HallEngine`` (``kiosk.engine``): these methods use its config, store, views and
internals, and run inside its write transactions.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlalchemy import Connection, delete, update

from kiosk import day_stats, estimators
from kiosk import queries as q
from kiosk import store as db
from kiosk.clock import hall_day, local
from kiosk.config import Service
from kiosk.domain import HallError, State, format_number, parse_number
from kiosk.idkeys import Identity
from kiosk.models import Citizen, IssueRequest, Ticket
from kiosk.phone_store import page_token_for, subscribe
from kiosk.sealing import SealError

OFFLINE_AHEAD_S = 600.0
"""How far ahead of the hall's clock an offline ticket's time may be (a kiosk clock running
fast); such a time counts as the hall's now. Ten minutes, not seconds: a fast clock must not
cost a citizen their ticket, and a time in the future gains no place in the queue."""


class IssuingRules:
    """``issue`` and the checks a new ticket passes (DESIGN.md §4)."""

    def issue(self, req: IssueRequest, idempotency_key: str) -> Ticket:
        """Issue a ticket; replaying the same key and body returns the same ticket."""
        self._check_key(idempotency_key)
        with self.store.write() as conn, db.event_rows(conn):
            # The service is looked up under the write lock: a hall settings change
            # (kiosk.hallsettings) swaps the config under the same lock, so no ticket is
            # issued on the old quota or prefix after the change.
            service = self._service(req.service)
            ticket = self._issue_tx(conn, service, req, idempotency_key)
        self.feed.notify()
        return ticket

    def issue_batch(self, items: list[tuple[IssueRequest, str]]) -> list[Ticket | Exception]:
        """Issue several tickets in one transaction: one commit (one fsync) for all of them.

        One refused request (its ``HallError`` in its place in the result) leaves the others
        untouched and no trace of its own. When the commit itself fails, every place holds that
        error: nothing was acknowledged. The hall server's group commit.

        A savepoint per request cost 2 statements a ticket, for the few requests refused after
        they wrote something (a number drawn past the last one, a supersede, a broken
        constraint): most refusals come from checks that write nothing. So the batch runs
        without them; when a request fails after it wrote (``_WROTE``), or with an error of the
        database, the transaction is rolled back and run again with a savepoint for that
        request and those after it (each pass moves that point back, so it ends).
        """
        careful = len(items)  # requests from this index on run in savepoints
        try:
            while True:
                try:
                    results = self._issue_all(items, careful)
                    break
                except _Refused as refused:  # rolled back: again, carefully from that request on
                    careful = refused.index
        except Exception as exc:  # noqa: BLE001 - the commit failed: no ticket exists
            return [exc] * len(items)
        self.feed.notify()
        return results

    def _issue_all(self, items: list[tuple[IssueRequest, str]], careful: int) -> list[Ticket | Exception]:
        """One pass of ``issue_batch``: requests before ``careful`` without a savepoint (a
        failure there raises ``_Refused``), the others each in its own."""
        results: list[Ticket | Exception] = []
        with self.store.write() as conn, db.event_rows(conn) as events:
            for index, (req, key) in enumerate(items):
                try:  # checks that write nothing: no savepoint needed
                    self._check_key(key)
                    service = self._service(req.service)
                except HallError as exc:
                    results.append(exc)
                    continue
                if index < careful:
                    conn.info[_WROTE] = False
                    try:
                        results.append(self._issue_tx(conn, service, req, key))
                    except HallError as exc:
                        if conn.info[_WROTE]:
                            raise _Refused(index) from exc
                        results.append(exc)  # refused by a check, before it wrote: nothing to undo
                    except Exception as exc:  # a database error may have ended the transaction
                        raise _Refused(index) from exc
                    continue
                mark = events.mark()
                try:
                    with conn.begin_nested():
                        results.append(self._issue_tx(conn, service, req, key))
                except Exception as exc:  # noqa: BLE001 - each request gets its own outcome
                    events.drop_after(mark)
                    results.append(exc)
        return results

    @staticmethod
    def _check_key(idempotency_key: str) -> None:
        if not idempotency_key or len(idempotency_key) > 128:
            raise HallError("validation_error", "an Idempotency-Key of 1 to 128 characters is required")

    def _issue_tx(self, conn: Connection, service: Service, req: IssueRequest, idempotency_key: str) -> Ticket:
        """The issue itself, inside the caller's write transaction."""
        # Fields added later are left out while unset, so a request stored by a kiosk before an
        # upgrade hashes as it did then (its replay is no mismatch).
        unset = {name for name in ("page_token", "phone") if getattr(req, name) is None}
        body_hash = hashlib.sha256(req.model_dump_json(exclude=unset).encode()).hexdigest()
        now = self.clock.now()
        replay = self._replayed(conn, idempotency_key, body_hash, req, now)
        if replay is not None:
            return self._view(conn, replay)
        today = self.today()
        state = self.views.day_state(conn, today, service.code)
        row = self._issue_in(conn, service, req, now, state)
        q.INSERT_IDEMPOTENCY(conn, {"key": idempotency_key, "body_hash": body_hash, "ticket_id": row["id"],
                                    "created_at": now})
        state["issued"][service.code] = state["issued"].get(service.code, 0) + 1
        # Today's counters were read under this transaction's lock (and their row made): the new
        # ticket adds one waiting, no need to read them again. Yesterday's (an offline ticket) are read.
        waiting = state["waiting"].get(service.code, 0) + 1 if row["day"] == today else None
        ticket = self._publish_ticket(conn, now, row, state, fresh=True, waiting=waiting)
        detail = {"channel": req.channel, "device": req.device, "priority": row["priority"]}
        if not row["offline"]:  # the estimate the citizen was shown; statistics compare it with the wait
            detail.update(eta_minutes=ticket.eta_minutes, ahead=ticket.ahead, estimator=estimators.BEST)
        self._record(conn, row["id"], now, "issue", None, State.WAITING, req.actor, req.reason, detail)
        return ticket

    def _replayed(self, conn: Connection, key: str, body_hash: str, req: IssueRequest, now: float):
        found = q.IDEMPOTENCY_BY_KEY(conn, {"key": key}).first()
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
        old = conn.execute(q.TICKET_BY_ID, {"tid": found.ticket_id}).first()
        if old is None or old.offline or old.device != req.device:
            return False
        conn.info[_WROTE] = True
        if old.state == State.WAITING.value:
            t = db.tickets
            conn.execute(update(t).where(t.c.id == old.id).values(state=State.VOID.value))
            day_stats.moved(conn, old.day, (old.service, State.WAITING.value), (old.service, State.VOID.value))
            self._record(conn, old.id, now, "void", State.WAITING, State.VOID, req.device,
                         f"superseded by offline ticket {req.number}", {"superseded_by": req.number})
            voided = self._view(conn, self._row(conn, old.id))
            db.append_event(conn, now, "ticket", self._event_view(voided))
        conn.execute(delete(db.idempotency).where(db.idempotency.c.key == found.key))
        return True

    def _issue_in(self, conn: Connection, service: Service, req: IssueRequest, now: float, state: dict) -> dict:
        offline = req.number is not None
        issued_at = self._issue_time(req, now)
        day = hall_day(issued_at, self.tz)
        priority = self._check_priority(service, req.priority)
        who = self._identity(req.citizen, issued_at)
        if who:
            self._check_real_name(conn, day, service.code, who.id_hash)
        if service.id_required and req.citizen is None and not offline:
            raise HallError("validation_error", f"service {service.code} requires an ID card (citizen)")
        appointment = self._check_in(conn, day, service, req, issued_at, who.id_hash if who else None)
        if appointment is not None:
            priority = "appointment" if "appointment" in service.priorities else priority
        row = {
            "id": None,
            "day": day,
            "service": service.code,
            "seq": None,
            "number": None,
            "priority": priority,
            "state": State.WAITING.value,
            "channel": req.channel,
            "device": req.device,
            "id_hash": who.id_hash if who else None,
            "id_mask": who.id_mask if who else None,
            "name_mask": req.citizen.name_mask if req.citizen else None,
            "age": who.age_band if who else None,  # the band's first year: 40 = 40–49
            "appointment": appointment,
            "in_slot": appointment is not None,
            "issued_at": issued_at,
            "arrival_at": issued_at,
            "recalls": 0,
            "overtaken": 0,
            "offline": offline,
            "window": None,
            "called_at": None,
            "started_at": None,
            "finished_at": None,
            # The phone page's token: an offline ticket keeps the one its kiosk printed.
            "page_token": page_token_for(conn, req.page_token if offline else None),
        }
        if offline:
            seq, number = self._offline_number(conn, day, service, req)
            conn.info[_WROTE] = True
            # A constant statement with a parameter dict: SQLAlchemy compiles it once, not per ticket.
            conn.execute(q.INSERT_TICKET, _numbered(row, seq, number))
        else:
            self._check_open(service, state, now)
            conn.info[_WROTE] = True  # the checks are passed: from here on it writes
            self._insert_online(conn, service, row)
        day_stats.moved(conn, day, None, (service.code, State.WAITING.value))
        if req.phone and self.config.notify.enabled:  # a hall that sends nothing keeps no number
            subscribe(conn, row["id"], req.phone, now)
        if appointment:
            a = db.appointments
            conn.execute(update(a).where(a.c.booking_code == appointment).values(ticket_id=row["id"]))
        return row  # its "issue" event is recorded by _issue_tx, with the estimate published

    def _insert_online(self, conn: Connection, service: Service, row: dict) -> None:
        """Give ``row`` the service's next free number and insert it.

        Numbers some ticket already holds are skipped, never collided with: a taken number must
        not wedge the day's sequence on the UNIQUE (day, number) constraint. The INSERT itself
        tells (``ON CONFLICT DO NOTHING``), so a free number costs no look-up; the search ends
        at the last number the hall hands out online, where the request is refused.
        """
        while True:
            seq = db.bump_sequence(conn, row["day"], service.code)
            self._check_online_range(service, seq)
            if db.insert_ticket_if_free(conn, _numbered(row, seq, format_number(service.prefix, seq, service.digits))):
                return

    def _issue_time(self, req: IssueRequest, now: float) -> float:
        """When the ticket counts as issued: the kiosk's time for offline tickets, never the future.

        An offline ticket's time must fall on the hall's current day or the day before (a kiosk
        cut off over midnight), and at most ``OFFLINE_AHEAD_S`` after the hall's now: a kiosk
        clock that far ahead is wrong, and nearer times are taken as now. Older times would let
        a ticket claim a place in the queue it never had.
        """
        if req.number is None:
            return now
        if req.issued_at is None:
            raise HallError("validation_error", "an offline ticket (number given) needs issued_at")
        issued = req.issued_at.timestamp()
        if issued > now + OFFLINE_AHEAD_S:
            raise HallError("validation_error", f"offline ticket {req.number} is dated "
                            f"{local(issued, self.tz):%Y-%m-%d %H:%M}, later than the hall's clock allows "
                            f"({OFFLINE_AHEAD_S // 60:.0f} min ahead at most); set the kiosk's clock right")
        today = self.today()
        yesterday = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
        if hall_day(issued, self.tz) not in (today, yesterday):
            raise HallError("validation_error", f"offline ticket {req.number} is dated "
                            f"{local(issued, self.tz):%Y-%m-%d}; the hall takes offline tickets of today "
                            "and yesterday only")
        return min(issued, now)

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

    def _online_limit(self, service: Service) -> int:
        """The last sequence the hall hands out online: below the kiosks' offline ranges."""
        starts = [r.start for r in self.config.offline_ranges]
        return min(min(starts) - 1, 10**service.digits - 1) if starts else 10**service.digits - 1

    def _check_online_range(self, service: Service, seq: int) -> None:
        """Numbers the server hands out stop below the kiosks' reserved offline ranges."""
        if seq > self._online_limit(service):
            raise HallError("quota_exhausted", f"no numbers left for {service.code} today")

    def _offline_number(self, conn: Connection, day: str, service: Service, req: IssueRequest) -> tuple[int, str]:
        """The sequence and number of an offline ticket: a number of the service, written as the
        hall writes it, inside the reserved range of the kiosk that sends it, not taken yet."""
        prefix, seq = parse_number(req.number or "")
        if prefix != service.prefix:
            raise HallError("validation_error", f"number {req.number} does not belong to service {service.code}")
        written = format_number(service.prefix, seq, service.digits)
        if req.number != written:
            raise HallError("validation_error", f"number {req.number} is not written as the hall writes it ({written})")
        ranges = [r for r in self.config.offline_ranges if r.kiosk == req.device]
        if not ranges:
            raise HallError("validation_error", f"the hall file reserves no offline range ([[offline_ranges]]) for "
                            f"kiosk {req.device or '(none named)'}, so it cannot take its offline ticket {req.number}")
        if not any(r.start <= seq <= r.end for r in ranges):
            raise HallError("validation_error", f"number {req.number} is outside kiosk {req.device}'s offline range "
                            f"({', '.join(f'{r.start}-{r.end}' for r in ranges)})")
        if conn.execute(q.NUMBER_TAKEN, {"day": day, "number": req.number}).first():
            raise HallError("number_taken", f"number {req.number} already exists today")
        return seq, req.number or ""

    def citizen_age(self, citizen: Citizen | None) -> int | None:
        """The card holder's age today, from the sealed number (opened here, then forgotten):
        the server's check of the senior priority trusts no age a kiosk sends."""
        if citizen is None:
            return None
        try:
            return self.keys.age(citizen.id_sealed, local(self.clock.now(), self.tz).date())
        except SealError as exc:
            raise HallError("validation_error", f"citizen: {exc}") from None

    def _identity(self, citizen: Citizen | None, at: float) -> Identity | None:
        """The card holder's keyed hash, mask and age band, from the sealed number (which is
        opened here and forgotten); a value that is not a sealed ID of this hall is refused."""
        if citizen is None:
            return None
        try:
            return self.keys.identity(citizen.id_sealed, local(at, self.tz).date())
        except SealError as exc:
            raise HallError("validation_error", f"citizen: {exc}") from None

    def _check_in(self, conn: Connection, day: str, service: Service, req: IssueRequest, now: float,
                  id_hash: str | None = None) -> str | None:
        """The booking code checked in with this ticket, or None; refuses codes outside their
        window. ``id_hash`` (the card holder's) finds an appointment booked for the card."""
        if req.appointment:
            row = conn.execute(q.APPOINTMENT_BY_CODE, {"code": req.appointment}).first()
            if row is None or row.day != day or row.service != service.code:
                raise HallError("unknown_appointment", f"no appointment {req.appointment} for {service.code} today")
            if row.ticket_id:
                raise HallError("duplicate_active", f"appointment {req.appointment} is already checked in")
        elif id_hash:
            rows = conn.execute(q.OPEN_APPOINTMENTS_FOR_ID,
                                {"day": day, "service": service.code, "id_hash": id_hash}).all()
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


def _numbered(row: dict, seq: int, number: str) -> dict:
    """``row`` given its sequence, number and the id made of them (in place; returned)."""
    row.update(seq=seq, number=number, id=f"{row['day'].replace('-', '')}-{number}")
    return row


_WROTE = "issue_wrote"
"""conn.info: the request being issued has written (a ticket, a supersede); a refusal from then
on needs its writes undone. The day counters' row ``day_stats.ensure`` may make before is made
from the tickets, so it is right whether the request is issued or not."""


class _Refused(Exception):
    """A request of an issue batch failed outside a savepoint: the batch is run again."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index
