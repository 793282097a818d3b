"""The hall engine's cases: the bad-rating hook, 办不成事 cases, steps and deadline alerts.

A mixin of ``HallEngine`` (kiosk.engine): each method runs one write transaction through the
functions of ``kiosk.cases`` and wakes the event stream after it commits.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection

from kiosk import cases, exporter
from kiosk.case_models import Case, CaseActionBody, CaseContact, CaseCreate, CaseStep
from kiosk.domain import HallError


class CaseRules:
    """Cases of the hall engine (needs ``config``, ``store``, ``clock``, ``tz``, ``keys``, ``feed``)."""

    def after_rating(self, conn: Connection, rating: dict) -> None:
        """Called by the engine inside a rating's write transaction (``rating``: the stored
        ``ratings`` row as a dict): the rating is queued for export, and a bad one opens its
        rectification case. The caller notifies the event stream after its commit."""
        now = self.clock.now()
        exporter.enqueue_rating(conn, rating, self.config, now)
        cases.open_case_for_bad_rating(conn, rating, self.config, now)

    def register_case(self, body: CaseCreate, actor: str, window: int | None = None) -> Case:
        """Register a 办不成事 case for ``actor`` (from the token), at ``window`` if a counter."""
        from kiosk.sealing import SealError, seal

        now = self.clock.now()
        id_hash = id_mask = None
        if body.id_sealed:
            try:
                who = self.keys.identity(body.id_sealed, datetime.fromtimestamp(now, self.tz).date())
            except SealError as exc:
                raise HallError("validation_error", f"id_sealed: {exc}") from None
            id_hash, id_mask = who.id_hash, who.id_mask
        services = list(body.services)
        if body.ticket_id is not None:
            ticket = self.ticket(body.ticket_id)  # unknown_ticket (404) when there is none
            services = services or [ticket.service]
        if not services:
            raise HallError("validation_error", "name the services concerned (services) or the citizen's ticket "
                            "(ticket_id)")
        phone = "".join(ch for ch in body.phone if ch.isdigit() or ch == "+") if body.phone else None
        req = cases.UnresolvedRequest(
            request=body.request, reason=body.reason, services=tuple(services), actor=actor,
            ticket_id=body.ticket_id, id_hash=id_hash, id_mask=id_mask,
            phone_sealed=seal(phone, self.keys.public_key) if phone else None,
            phone_tail=phone[-4:] if phone else None, owner=body.owner, window=window)
        with self.store.write() as conn:
            case_id = cases.register_unresolved(conn, req, self.config, now)
            view = self._case_view(conn, case_id, now)
        self.feed.notify()
        return view

    def case_step(self, case_id: int, action: str, body: CaseActionBody, actor: str) -> Case:
        """Apply one step (``action``) to a case, as ``actor``; validated against its state."""
        now = self.clock.now()
        change = cases.CaseChange(action, actor, body.note, body.owner, body.level, body.date, body.outcome)
        with self.store.write() as conn:
            cases.apply_change(conn, case_id, change, self.config, now)
            view = self._case_view(conn, case_id, now)
        self.feed.notify()
        return view

    def case(self, case_id: int) -> Case:
        """One case with its history."""
        with self.store.read() as conn:
            return self._case_view(conn, case_id, self.clock.now())

    def case_kind(self, case_id: int) -> str:
        """Whether case ``case_id`` is a ``rectify`` or an ``unresolved`` case."""
        with self.store.read() as conn:
            return cases.row_of(conn, case_id)["kind"]

    def list_cases(self, state: str | None = None, kind: str | None = None, overdue: bool | None = None) -> list[Case]:
        """Cases by deadline, filtered; ``overdue`` true: those past their deadline unanswered."""
        now = self.clock.now()
        with self.store.read() as conn:
            return [self._case_of(r, now) for r in cases.list_rows(conn, state, kind, overdue, now)]

    def case_contact(self, case_id: int, actor: str) -> CaseContact:
        """The case's phone in full, for a call back; the reading is recorded in its history."""
        from kiosk.sealing import unseal

        now = self.clock.now()
        with self.store.write() as conn:
            row = cases.row_of(conn, case_id)
            phone = unseal(row["phone_sealed"], self.keys.seal_private) if row["phone_sealed"] else None
            cases.record_step(conn, case_id, now, "contact", row["state"], row["state"], actor,
                           "read the contact phone", {})
        return CaseContact(id=case_id, phone=phone)

    def check_cases(self) -> list[tuple[int, str]]:
        """Raise the reminder and overdue alerts now due (the server's periodic check)."""
        now = self.clock.now()
        with self.store.read() as conn:  # most rounds find nothing: no write lock for them
            if not cases.alerts_due(conn, now):
                return []
        with self.store.write() as conn:
            raised = cases.check_deadlines(conn, self.config, now)
        if raised:
            self.feed.notify()
        return raised

    def _case_view(self, conn: Connection, case_id: int, now: float) -> Case:
        steps = [CaseStep(at=datetime.fromtimestamp(h["at"], self.tz), action=h["action"], from_state=h["from_state"],
                          to_state=h["to_state"], actor=h["actor"], note=h["note"], detail=json.loads(h["detail"]))
                 for h in cases.history_of(conn, case_id)]
        return self._case_of(cases.row_of(conn, case_id), now, steps)

    def _case_of(self, row: dict, now: float, steps: list[CaseStep] | None = None) -> Case:
        def at(ts: float) -> datetime:
            return datetime.fromtimestamp(ts, self.tz)

        return Case(
            id=row["id"], kind=row["kind"], state=row["state"], opened_at=at(row["opened_at"]),
            opened_by=row["opened_by"], updated_at=at(row["updated_at"]), deadline=at(row["deadline_at"]),
            remind_at=at(row["remind_at"]), overdue=cases.is_overdue(row, now), ticket_id=row["ticket_id"],
            service=row["service"], services=json.loads(row["services"] or "[]"), window=row["window"],
            clerk=row["clerk"], level=row["level"], reasons=json.loads(row["reasons"] or "[]"),
            comment=row["comment"], channel=row["channel"], request=row["request"], reason=row["reason"],
            id_mask=row["id_mask"], phone_tail=row["phone_tail"], owner=row["owner"], outcome=row["outcome"],
            citizen_level=row["citizen_level"], history=steps or [])
