"""Cases (DESIGN.md §4 Cases): rectification of bad ratings and 办不成事 ("couldn't get it done").

A rating of level 2 or 1 opens a rectification case (``open_case_for_bad_rating``, called in
the rating's own write transaction, so a stored bad rating always has its case). A 办不成事
case is registered by the 办不成事 window or a guide (``register_unresolved``). Each case has a
deadline in the hall's working days (kiosk.workdays) and a reminder before it; every change is
a row of ``case_history`` with its actor (from the caller's token), time and note.

States, validated per kind::

    rectify:    registered → assigned → replied → rectified → rerated
    unresolved: registered → assigned → replied → rated

``close`` ends a case from any state (with a note); ``callback`` records a call back to the
citizen (date, outcome) without changing the state; ``assign`` again hands it to another owner.

The functions here work inside a transaction the caller holds; they append the hall events
(type ``case``) and export items in it too, so a case, its history, its alert and its export are
stored together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select, update

from kiosk import exporter
from kiosk import store as db
from kiosk.config import HallConfig
from kiosk.domain import HallError
from kiosk.workdays import deadline_after, hall_date, reminder_before

BAD_LEVEL = 2
"""Ratings at or below this level are bad (不满意, 非常不满意) and open a rectification case."""

KINDS = ("rectify", "unresolved")
ACTIONS = ("assign", "reply", "rectify", "rerate", "rate", "callback", "close")

# (kind, action) → the states it may start from and the state it leads to (None: unchanged).
TRANSITIONS: dict[tuple[str, str], tuple[frozenset[str], str | None]] = {
    ("rectify", "assign"): (frozenset({"registered", "assigned"}), "assigned"),
    ("rectify", "reply"): (frozenset({"assigned"}), "replied"),
    ("rectify", "rectify"): (frozenset({"replied"}), "rectified"),
    ("rectify", "rerate"): (frozenset({"rectified"}), "rerated"),
    ("unresolved", "assign"): (frozenset({"registered", "assigned"}), "assigned"),
    ("unresolved", "reply"): (frozenset({"assigned"}), "replied"),
    ("unresolved", "rate"): (frozenset({"replied"}), "rated"),
}
OPEN_STATES = {"rectify": {"registered", "assigned", "replied"}, "unresolved": {"registered", "assigned"}}
"""States in which a case still owes its answer: its deadline counts (reminder, overdue)."""


@dataclass(frozen=True)
class CaseChange:
    """What a staff member does to a case; ``actor`` comes from the caller's token."""

    action: str
    actor: str
    note: str = ""
    owner: str | None = None
    level: int | None = None
    date: date | None = None
    outcome: str = ""


def check_change(kind: str, state: str, change: CaseChange) -> str:
    """The state ``change`` leads to from ``state``, or a HallError saying what is wrong."""
    if change.action not in ACTIONS:
        raise HallError("validation_error", f"unknown case action {change.action!r}; use one of {', '.join(ACTIONS)}")
    if state == "closed":
        raise HallError("invalid_transition", "this case is closed; nothing more can be done to it")
    _check_fields(change)
    if change.action == "callback":
        return state
    if change.action == "close":
        return "closed"
    allowed = TRANSITIONS.get((kind, change.action))
    if allowed is None:
        raise HallError("validation_error", f"a {kind} case has no {change.action!r} step; "
                        f"its steps: {', '.join(a for k, a in TRANSITIONS if k == kind)}, callback, close")
    sources, target = allowed
    if state not in sources:
        raise HallError("invalid_transition", f"cannot {change.action} a case that is {state}; "
                        f"it must be {' or '.join(sorted(sources))}")
    return target or state


_NEEDS = {
    "assign": ("owner", "the owner's name or staff number (owner)"),
    "reply": ("note", "the reply given (note)"),
    "rectify": ("note", "what was rectified (note)"),
    "close": ("note", "why the case is closed (note)"),
    "rerate": ("level", "the citizen's new rating, 1 to 5 (level)"),
    "rate": ("level", "the citizen's rating of the outcome, 1 to 5 (level)"),
    "callback": ("outcome", "the outcome of the call back (outcome)"),
}


def _check_fields(change: CaseChange) -> None:
    field, what = _NEEDS[change.action]
    if not getattr(change, field):
        raise HallError("validation_error", f"{change.action} needs {what}")
    if change.action == "callback" and change.date is None:
        raise HallError("validation_error", "callback needs the date of the call (date, YYYY-MM-DD)")


def _deadlines(config: HallConfig, now: float, days: int) -> tuple[float, float]:
    tz = ZoneInfo(config.hall.timezone)
    deadline = deadline_after(now, days, config.calendar, tz)
    return deadline, reminder_before(deadline, config.cases.remind_days, config.calendar, tz)


def open_case_for_bad_rating(conn: Connection, rating: dict, config: HallConfig, now: float) -> int | None:
    """Open the rectification case of ``rating`` (a ``ratings`` row as a dict: ticket_id, day,
    service, window, clerk, level, reasons, comment, channel, at) when it is bad; returns the
    case id, or None for a good rating. Inside the rating's write transaction. A rating whose
    case exists already (a retried hook) returns that case: one case per rated ticket."""
    level = int(rating["level"])
    if level > BAD_LEVEL:
        return None
    source = exporter.rating_key(rating)
    known = conn.execute(select(db.cases.c.id).where(db.cases.c.source == source)).scalar()
    if known is not None:
        return int(known)
    reasons = rating.get("reasons") or []
    if isinstance(reasons, str):  # the ratings row keeps them as JSON text
        reasons = json.loads(reasons)
    deadline, remind = _deadlines(config, now, config.cases.rectify_days)
    values = {
        "kind": "rectify", "source": source, "state": "registered", "opened_at": now, "opened_by": "rating",
        "updated_at": now, "deadline_at": deadline, "remind_at": remind, "ticket_id": rating["ticket_id"],
        "service": rating.get("service"), "services": json.dumps([rating["service"]] if rating.get("service") else []),
        "window": rating.get("window"), "clerk": rating.get("clerk"), "level": level,
        "reasons": json.dumps(list(reasons), ensure_ascii=False), "comment": (rating.get("comment") or "")[:200],
        "channel": rating.get("channel"),
    }
    return _open(conn, values, config, now, f"bad rating ({level}) of ticket {rating['ticket_id']}")


@dataclass(frozen=True)
class UnresolvedRequest:
    """A 办不成事 case as registered: only masked identity (the hall makes hash and mask from the
    sealed number), the phone sealed to the hall's key with its last 4 digits shown."""

    request: str
    reason: str
    services: tuple[str, ...]
    actor: str
    ticket_id: str | None = None
    id_hash: str | None = None
    id_mask: str | None = None
    phone_sealed: str | None = None
    phone_tail: str | None = None
    owner: str | None = None
    window: int | None = None


def register_unresolved(conn: Connection, req: UnresolvedRequest, config: HallConfig, now: float) -> int:
    """Register a 办不成事 case; returns its id. Unknown services are refused."""
    unknown = [s for s in req.services if config.service(s) is None]
    if unknown:
        raise HallError("unknown_service", f"no service with code {unknown[0]!r}; see GET /api/v1/catalog")
    deadline, remind = _deadlines(config, now, config.cases.unresolved_days)
    values = {
        "kind": "unresolved", "state": "registered", "opened_at": now, "opened_by": req.actor, "updated_at": now,
        "deadline_at": deadline, "remind_at": remind, "ticket_id": req.ticket_id,
        "service": req.services[0] if req.services else None, "services": json.dumps(list(req.services)),
        "window": req.window, "request": req.request, "reason": req.reason, "id_hash": req.id_hash,
        "id_mask": req.id_mask, "phone_sealed": req.phone_sealed, "phone_tail": req.phone_tail,
    }
    case_id = _open(conn, values, config, now, "registered", actor=req.actor)
    if req.owner:
        apply_change(conn, case_id, CaseChange("assign", req.actor, owner=req.owner), config, now)
    return case_id


def _open(conn: Connection, values: dict, config: HallConfig, now: float, note: str, actor: str = "rating") -> int:
    case_id = int(conn.execute(insert(db.cases).values(**values)).inserted_primary_key[0])
    entry = record_step(conn, case_id, now, "open", None, "registered", actor, note, {})
    row = _row(conn, case_id)
    _announce(conn, row, config, now, "opened")
    exporter.enqueue_case(conn, row, config, entry, "open", now)
    return case_id


def apply_change(conn: Connection, case_id: int, change: CaseChange, config: HallConfig, now: float) -> dict:
    """Apply ``change`` to case ``case_id`` (validated against its state); returns the row."""
    row = _row(conn, case_id)
    target = check_change(row["kind"], row["state"], change)
    values: dict = {"state": target, "updated_at": now}
    if change.action == "assign":
        values["owner"] = change.owner
    if change.action in ("reply", "rectify") or (change.action == "close" and not row["outcome"]):
        values["outcome"] = change.note
    if change.action in ("rerate", "rate"):
        values["citizen_level"] = change.level
    conn.execute(update(db.cases).where(db.cases.c.id == case_id).values(**values))
    detail = {k: v for k, v in (("owner", change.owner), ("level", change.level), ("outcome", change.outcome),
                                ("date", change.date.isoformat() if change.date else None)) if v}
    entry = record_step(conn, case_id, now, change.action, row["state"], target, change.actor, change.note, detail)
    row = _row(conn, case_id)
    _announce(conn, row, config, now, "changed", action=change.action)
    exporter.enqueue_case(conn, row, config, entry, change.action, now)
    return row


def _due_query(now: float):
    c = db.cases
    owing = sorted(set().union(*OPEN_STATES.values()))  # answered and closed cases are never read again
    return (select(c.c.id, c.c.kind, c.c.state, c.c.deadline_at, c.c.reminded_at)
            .where(c.c.state.in_(owing), c.c.remind_at <= now, c.c.overdue_at.is_(None)))


def alerts_due(conn: Connection, now: float) -> bool:
    """Whether some case needs its reminder or overdue alert at ``now`` (a cheap read)."""
    return any(_alert_of(kind, state, deadline, reminded, now)
               for _id, kind, state, deadline, reminded in conn.execute(_due_query(now)).all())


def _alert_of(kind: str, state: str, deadline: float, reminded: float | None, now: float) -> str | None:
    if state not in OPEN_STATES[kind]:
        return None
    return "overdue" if now >= deadline else "reminder" if reminded is None else None


def check_deadlines(conn: Connection, config: HallConfig, now: float) -> list[tuple[int, str]]:
    """Raise the reminder and overdue alerts now due, once each; returns (case id, alert)."""
    c = db.cases
    raised = []
    for case_id, kind, state, deadline, reminded in conn.execute(_due_query(now)).all():
        alert = _alert_of(kind, state, deadline, reminded, now)
        if alert is None:
            continue
        column = "overdue_at" if alert == "overdue" else "reminded_at"
        conn.execute(update(c).where(c.c.id == case_id).values({column: now}))
        record_step(conn, case_id, now, alert, state, state, "hall", "", {})
        _announce(conn, _row(conn, case_id), config, now, alert)
        raised.append((case_id, alert))
    return raised


def record_step(conn: Connection, case_id: int, at: float, action: str, before: str | None, after: str, actor: str,
                note: str, detail: dict) -> int:
    """Append one step to the case's history (its audit trail); returns the step's id."""
    result = conn.execute(insert(db.case_history).values(
        case_id=case_id, at=at, action=action, from_state=before, to_state=after, actor=actor or "",
        note=note or "", detail=json.dumps(detail, ensure_ascii=False)))
    return int(result.inserted_primary_key[0])


def _row(conn: Connection, case_id: int) -> dict:
    row = conn.execute(select(db.cases).where(db.cases.c.id == case_id)).first()
    if row is None:
        raise HallError("not_found", f"no case {case_id}; GET /api/v1/cases lists them")
    return dict(row._mapping)


def row_of(conn: Connection, case_id: int) -> dict:
    """Case ``case_id`` as a stored row (a HallError ``not_found`` when there is none)."""
    return _row(conn, case_id)


def history_of(conn: Connection, case_id: int) -> list[dict]:
    """Every recorded step of case ``case_id``, oldest first."""
    h = db.case_history
    rows = conn.execute(select(h).where(h.c.case_id == case_id).order_by(h.c.id)).all()
    return [dict(r._mapping) for r in rows]


def list_rows(conn: Connection, state: str | None = None, kind: str | None = None, overdue: bool | None = None,
              now: float = 0.0) -> list[dict]:
    """Cases filtered by state, kind and whether they are past their deadline unanswered."""
    c = db.cases
    query = select(c)
    if state:
        query = query.where(c.c.state == state)
    if kind:
        query = query.where(c.c.kind == kind)
    rows = [dict(r._mapping) for r in conn.execute(query.order_by(c.c.deadline_at, c.c.id)).all()]
    if overdue is not None:
        rows = [r for r in rows if is_overdue(r, now) == overdue]
    return rows


def is_overdue(row: dict, now: float) -> bool:
    """Whether the case still owes its answer after its deadline."""
    return row["state"] in OPEN_STATES[row["kind"]] and now >= row["deadline_at"]


def _announce(conn: Connection, row: dict, config: HallConfig, now: float, event: str, action: str = "") -> None:
    """The ``case`` hall event staff screens alert on: no personal data, only what and when."""
    tz = ZoneInfo(config.hall.timezone)
    data = {"event": event, "id": row["id"], "kind": row["kind"], "state": row["state"],
            "deadline": datetime.fromtimestamp(row["deadline_at"], tz).isoformat(),
            "deadline_day": hall_date(row["deadline_at"] - 1, tz).isoformat(),
            "window": row["window"], "service": row["service"], "owner": row["owner"]}
    if action:
        data["action"] = action
    db.append_event(conn, now, "case", data)
