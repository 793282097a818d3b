"""线上取号: remote tickets (DESIGN.md §8 "Remote tickets").

A citizen takes a place for today from their phone with an ID number or a booking code
(``RemoteDesk.take``). The place is a row of ``remote_tickets``, not a ticket: it is in no
"ahead" count and no window calls it. It becomes a queue ticket when the citizen checks in at a
kiosk (``check_in``: the place's code or the ID card), or by itself at its slot when the hall's
``[remote] join`` is "slot" (``admit_due``). Its place in the queue is its slot's start: a
citizen who checks in late within ``check_in_late_minutes`` still stands where the slot put them,
one who checks in early stands where they arrived; past that the place lapses.

Limits: the hall's ``[remote]`` must be enabled and the service ``remote = true``; the daily
quota over all services; the taking hours; one place a day per ID number (or booking code). ID
numbers are kept only as the hall's keyed hash (``kiosk.privacy.id_hash``), as the kiosks' are.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, time

from pydantic import BaseModel, Field
from sqlalchemy import Connection, func, insert, select, update

from kiosk import store as db
from kiosk.clock import local
from kiosk.config import Service
from kiosk.domain import HallError
from kiosk.models import (  # noqa: F401 - CheckIn: this module's API
    REMOTE_CODE_ALPHABET,
    REMOTE_CODE_LENGTH,
    ActionRequest,
    CheckIn,
    Citizen,
    IssueRequest,
    Ticket,
)
from kiosk.privacy import id_checksum_ok, id_hash, normalise_id

CODE_ALPHABET, CODE_LENGTH = REMOTE_CODE_ALPHABET, REMOTE_CODE_LENGTH  # kept in kiosk.models: the kiosk checks the form


class RemoteRequest(BaseModel):
    """What the hall's page sends: the service and one proof of who asks (sent over TLS)."""

    service: str = Field(min_length=1, max_length=32)
    id_number: str | None = Field(default=None, max_length=32)
    booking_code: str | None = Field(default=None, max_length=32)
    slot: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$", description="HH:MM today; default now")


class RemoteTicket(BaseModel):
    """A remote place as the citizen's phone shows it."""

    code: str
    service: str
    day: str
    state: str  # booked, joined, lapsed
    slot_start: datetime
    check_in_until: datetime
    ticket: str | None = None  # the queue ticket's id once joined


def new_code() -> str:
    """A fresh random check-in code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class RemoteDesk:
    """Takes, shows, checks in and admits remote places over a hall engine."""

    def __init__(self, engine):  # noqa: ANN001 - a kiosk.engine.HallEngine
        self.engine = engine

    @property
    def settings(self):  # noqa: ANN201 - the hall's RemoteSettings, read live (settings may change)
        return self.engine.config.remote

    # ----- taking a place -----------------------------------------------------------------------

    def take(self, body: RemoteRequest) -> RemoteTicket:
        """A place for today within the hall's limits; HallError with a sentence otherwise."""
        engine, now = self.engine, self.engine.clock.now()
        service = self._remote_service(body.service)
        self._check_hours(now)
        holder = self._holder(body)
        slot = self._slot(body.slot, now)
        day = engine.today()
        with engine.store.write() as conn:
            self._lapse(conn, day, now)
            r = db.remote_tickets
            if conn.execute(select(r.c.code).where(r.c.day == day, r.c.holder == holder)).first():
                raise HallError("duplicate_active", "this ID number or booking code already took a remote "
                                "ticket today; check in with its code at a kiosk, or take a ticket there")
            taken = conn.execute(select(func.count()).select_from(r).where(r.c.day == day)).scalar()
            if taken >= self.settings.daily_quota:
                raise HallError("quota_exhausted", "all of today's remote tickets are taken; "
                                "please come to the hall and take a ticket at a kiosk")
            code = new_code()
            conn.execute(insert(r).values(code=code, day=day, service=service.code, holder=holder,
                                          slot_start=slot, created_at=now, state="booked"))
            return self._view(conn, code)

    def _remote_service(self, code: str) -> Service:
        if not self.settings.enabled:
            raise HallError("service_closed", "this hall does not take remote tickets; "
                            "please take a ticket at a kiosk in the hall")
        service = self.engine.config.service(code)
        if service is None:
            raise HallError("unknown_service", f"no service {code!r}; see the hall's catalog for the codes")
        if not service.remote:
            raise HallError("service_closed", f"service {code} cannot be taken remotely; "
                            "please take a ticket at a kiosk in the hall")
        return service

    def _check_hours(self, now: float) -> None:
        when = local(now, self.engine.tz)
        hours = self.engine.config.hall.hours
        start, end = self.settings.start or hours.open, self.settings.end or hours.close
        if when.isoweekday() not in hours.weekdays or not start <= when.time() < end:
            raise HallError("service_closed", f"remote tickets are taken on working days from {start:%H:%M} "
                            f"to {end:%H:%M}; please try again then")

    def _holder(self, body: RemoteRequest) -> str:
        """The keyed hash the one-a-day rule compares: of the ID number, or of the booking code."""
        key = self.engine.keys.hash_key
        if bool(body.id_number) == bool(body.booking_code):
            raise HallError("validation_error", "give either your ID number or your booking code (one of them)")
        if body.id_number:
            value = normalise_id(body.id_number)
            if len(value) != 18 or not value[:17].isdigit() or not id_checksum_ok(value):
                raise HallError("validation_error", "the ID number is not an 18-character resident ID number "
                                "with a valid check digit; check it and send it again")
            return id_hash(value, key)
        code = body.booking_code.strip().upper()
        with self.engine.store.read() as conn:
            a = db.appointments
            row = conn.execute(select(a.c.id_hash).where(a.c.booking_code == code, a.c.day == self.engine.today())).first()
        if row is None:
            raise HallError("unknown_appointment", f"no booking {code} for today; check the code in your booking message")
        return row.id_hash or hmac.new(key, f"booking:{code}".encode(), hashlib.sha256).hexdigest()

    def _slot(self, slot: str | None, now: float) -> float:
        """The slot's start: the time asked for (today, not past, before closing), else now."""
        if slot is None:
            return now
        try:
            at = time.fromisoformat(slot)
        except ValueError:
            raise HallError("validation_error", f"slot {slot!r} is not a time of day; write HH:MM, e.g. 14:30") from None
        when = datetime.combine(local(now, self.engine.tz).date(), at, self.engine.tz).timestamp()
        close = self.settings.end or self.engine.config.hall.hours.close
        if at >= close:
            raise HallError("validation_error", f"slot {slot} is after the hall closes ({close:%H:%M}); pick an earlier time")
        return max(when, now)

    # ----- reading ------------------------------------------------------------------------------

    def show(self, code: str) -> RemoteTicket:
        """A place by its code (the code is the secret: 2^50 of them)."""
        with self.engine.store.write() as conn:
            self._lapse(conn, self.engine.today(), self.engine.clock.now())
            return self._view(conn, code.strip().upper())

    def _view(self, conn: Connection, code: str) -> RemoteTicket:
        r = db.remote_tickets
        row = conn.execute(select(r).where(r.c.code == code)).first()
        if row is None:
            raise HallError("not_found", "no remote ticket with this code; check the code you were given")
        tz, late = self.engine.tz, self.settings.check_in_late_minutes * 60
        return RemoteTicket(code=row.code, service=row.service, day=row.day, state=row.state,
                            slot_start=datetime.fromtimestamp(row.slot_start, tz),
                            check_in_until=datetime.fromtimestamp(row.slot_start + late, tz), ticket=row.ticket_id)

    def _lapse(self, conn: Connection, day: str, now: float) -> None:
        """Places not checked in by their slot's end lapse (the quota they held stays used)."""
        r = db.remote_tickets
        late = self.settings.check_in_late_minutes * 60
        conn.execute(update(r).where(r.c.state == "booked", (r.c.day < day) | (r.c.slot_start + late < now))
                     .values(state="lapsed"))

    # ----- joining the queue --------------------------------------------------------------------

    def check_in(self, body: CheckIn, device: str, actor: str) -> Ticket:
        """The citizen is at a kiosk: the place becomes a ticket in the queue, standing at its slot.

        Refusals carry ``extra["remote"]`` for the kiosk's words: ``unknown``, ``not_today``,
        ``early`` (with ``opens``), ``lapsed``, ``joined`` (with the ``ticket``, reprinted: a
        second check-in never makes a second ticket)."""
        engine, now = self.engine, self.engine.clock.now()
        if bool(body.code) == bool(body.citizen):
            raise HallError("validation_error", "give the remote ticket's code or the citizen's ID card (one of them)")
        with engine.store.write() as conn:
            self._lapse(conn, engine.today(), now)
            row = self._booked(conn, body, now)
            if row.state != "joined":
                ticket = self._join(conn, row, body.citizen, device, actor, now)
        if row.state == "joined":
            self._reprinted(row, actor or device)
        engine.feed.notify()
        return ticket

    def _booked(self, conn: Connection, body: CheckIn, now: float):  # noqa: ANN202 - a row
        """Today's place of the code or card, if it may join now (or already joined)."""
        r, day = db.remote_tickets, self.engine.today()
        if body.code:
            row = conn.execute(select(r).where(r.c.code == body.code.strip().upper())).first()
        else:
            holder = self.engine._identity(body.citizen, now).id_hash
            row = conn.execute(select(r).where(r.c.holder == holder, r.c.day == day)).first()
        if row is None or (body.service and row.service != body.service):
            raise HallError("unknown_appointment", "no remote ticket for today with this code or card; "
                            "please take a ticket as usual", {"remote": "unknown"})
        if row.day != day:
            raise HallError("appointment_outside_window", f"this remote ticket was for {row.day}, not today; "
                            "please take a ticket as usual", {"remote": "not_today", "day": row.day})
        if row.state == "lapsed":
            raise HallError("appointment_outside_window", "this remote ticket lapsed: it was not checked in within "
                            f"{self.settings.check_in_late_minutes:.0f} minutes of its slot; please take a ticket "
                            "as usual", {"remote": "lapsed"})
        opens = row.slot_start - self.settings.check_in_early_minutes * 60
        if row.state == "booked" and now < opens:
            at = local(opens, self.engine.tz).strftime("%H:%M")
            raise HallError("appointment_outside_window", f"this remote ticket can be checked in from {at}; "
                            "please come back then", {"remote": "early", "opens": at})
        return row

    def _reprinted(self, row, actor: str) -> None:  # noqa: ANN001 - a remote_tickets row
        """A place checked in before: its ticket is printed again (recorded as a reprint)."""
        try:
            ticket = self.engine.act(row.ticket_id, "reprint",
                                     ActionRequest(actor=actor, reason="remote ticket checked in again"))
        except HallError:  # served or cancelled meanwhile: nothing to print
            raise HallError("duplicate_active", "this remote ticket is already in the queue and its ticket was "
                            "used; please ask at the help desk", {"remote": "joined"}) from None
        raise HallError("duplicate_active", f"this remote ticket is already in the queue as {ticket.number}; "
                        "it is printed again", {"remote": "joined", "ticket": ticket.model_dump(mode="json")})

    def _join(self, conn: Connection, row, citizen: Citizen | None, device: str, actor: str,  # noqa: ANN001
              now: float) -> Ticket:
        """Issue the queue ticket (channel api, device "remote") and put it at its slot's place."""
        engine = self.engine
        service = engine._service(row.service)
        req = IssueRequest(service=row.service, channel="api", device="remote", citizen=citizen,
                           actor=actor or device, reason=f"remote ticket checked in at {device}")
        ticket = engine._issue_tx(conn, service, req, f"remote-{row.code}")
        place = min(now, row.slot_start)
        t = db.tickets
        if place < now:  # a late citizen keeps the place the slot gave them
            conn.execute(update(t).where(t.c.id == ticket.id).values(arrival_at=place))
        r = db.remote_tickets
        conn.execute(update(r).where(r.c.code == row.code).values(state="joined", ticket_id=ticket.id))
        return engine._view(conn, engine._row(conn, ticket.id))

    def admit_due(self) -> list[Ticket]:
        """With ``join = "slot"``: the places whose slot has come join the queue by themselves
        (services that need an ID card wait for the check-in, which reads it)."""
        if self.settings.join != "slot" or not self.settings.enabled:
            return []
        engine, now = self.engine, self.engine.clock.now()
        joined = []
        with engine.store.write() as conn:
            self._lapse(conn, engine.today(), now)
            r = db.remote_tickets
            rows = conn.execute(select(r).where(r.c.day == engine.today(), r.c.state == "booked",
                                                r.c.slot_start <= now).order_by(r.c.slot_start)).all()
            for row in rows:
                if engine.config.service(row.service) is None or engine.config.service(row.service).id_required:
                    continue
                try:
                    with conn.begin_nested():
                        joined.append(self._join(conn, row, None, "remote", "remote slot", now))
                except HallError:
                    continue  # the service is closed now: the citizen can still check in
        if joined:
            engine.feed.notify()
        return joined

