"""What the console's Ratings & cases page reads, and the checks of its filters and forms.

The page (``page_cases``) renders; this module reads the ``ratings`` table for a date range
(the engine's ``ratings`` gives one day only), words a case's deadline in the hall's working
days, lists the follow-up steps a case's state allows (from ``kiosk.cases.TRANSITIONS``) and
turns posted forms into the engine's own request models. Nothing here names a citizen: a rating
row holds the ticket, service, window and clerk only, and the rating's ticket is shown by its
number and times, never its masked name or ID.

Wrong input is an ``Invalid`` carrying a key of the page's ``TEXT`` and the values for its
``{placeholders}``, so the page says it in the reader's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import ValidationError
from sqlalchemy import and_, case, func, select

from kiosk import cases, exporter
from kiosk import store as db
from kiosk.case_models import Case, CaseActionBody, CaseCreate
from kiosk.rating_models import CHANNELS, LEVELS
from kiosk.stats import GOOD_LEVEL, MAX_DAYS
from kiosk.workdays import hall_date, is_working_day, working_days_between

LIST_LIMIT = 500
"""The most ratings one list shows (newest first); the counts and the rate cover all of them."""
STATES = ("registered", "assigned", "replied", "rectified", "rerated", "rated", "closed")
LEVEL_CHOICES = ("bad", "good", "5", "4", "3", "2", "1")
TICKET_ID = re.compile(r"^\d{8}-[A-Z]{1,2}\d{2,5}$")
TICKET_NUMBER = re.compile(r"^[A-Z]{1,2}\d{2,5}$")
CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class Invalid(Exception):
    """A filter or a form the page refuses: ``key`` of its TEXT, ``values`` for its placeholders."""

    def __init__(self, key: str, **values: object):
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class RatingFilter:
    """The ratings list's filters: a date range and optional level, service, window, clerk, channel."""

    start: date
    end: date
    level: str = ""
    service: str = ""
    window: int | None = None
    clerk: str = ""
    channel: str = ""


@dataclass(frozen=True)
class CaseFilter:
    """The cases list's filters (empty: any)."""

    state: str = ""
    kind: str = ""
    overdue: str = ""  # "yes", "no" or ""
    service: str = ""
    window: int | None = None


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("bad_date", field=name, value=value[:20]) from None


def _window(value: str, config) -> int | None:  # noqa: ANN001 - HallConfig
    if not value:
        return None
    if not value.isdigit() or not any(w.number == int(value) for w in config.windows):
        raise Invalid("bad_window", value=value[:10])
    return int(value)


def _service(value: str, config) -> str:  # noqa: ANN001
    if value and config.service(value) is None:
        raise Invalid("bad_service", value=value[:32])
    return value


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value and value not in allowed:
        raise Invalid("bad_choice", field=name, value=value[:20], allowed=", ".join(allowed))
    return value


def rating_filter(params: Mapping[str, str], config, today: date) -> RatingFilter:  # noqa: ANN001
    """The ratings filters from the query string (the last 7 days by default), or Invalid."""
    end = _day(params["to"], "to") if params.get("to") else today
    start = _day(params["from"], "from") if params.get("from") else end - timedelta(days=6)
    if start > end:
        raise Invalid("period_reversed", start=start.isoformat(), end=end.isoformat())
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid("period_too_long", days=MAX_DAYS)
    clerk = params.get("clerk", "").strip()
    if clerk and not CODE.match(clerk):
        raise Invalid("bad_clerk", value=clerk[:32])
    return RatingFilter(start, end, _choice(params.get("level", ""), LEVEL_CHOICES, "level"),
                        _service(params.get("service", ""), config), _window(params.get("window", ""), config),
                        clerk, _choice(params.get("channel", ""), CHANNELS, "channel"))


def case_filter(params: Mapping[str, str], config) -> CaseFilter:  # noqa: ANN001
    """The cases filters from the query string, or Invalid."""
    return CaseFilter(_choice(params.get("state", ""), STATES, "state"),
                      _choice(params.get("kind", ""), cases.KINDS, "kind"),
                      _choice(params.get("overdue", ""), ("yes", "no"), "overdue"),
                      _service(params.get("service", ""), config), _window(params.get("window", ""), config))


def _rating_where(f: RatingFilter) -> list:
    r = db.ratings
    where = [r.c.day >= f.start.isoformat(), r.c.day <= f.end.isoformat()]
    if f.level == "bad":
        where.append(r.c.level < GOOD_LEVEL)
    elif f.level == "good":
        where.append(r.c.level >= GOOD_LEVEL)
    elif f.level:
        where.append(r.c.level == int(f.level))
    for column, value in ((r.c.service, f.service), (r.c.window, f.window), (r.c.clerk, f.clerk),
                          (r.c.channel, f.channel)):
        if value not in ("", None):
            where.append(column == value)
    return where


@dataclass(frozen=True)
class RatingList:
    """The filtered ratings (newest first, at most LIST_LIMIT), how many there are and how many good."""

    rows: list[dict]
    total: int
    good: int

    @property
    def satisfaction(self) -> float | None:
        """好评 / all, as the national 好差评 rules count it (kiosk.stats); None without ratings."""
        return self.good / self.total if self.total else None


def list_ratings(store: db.Store, f: RatingFilter) -> RatingList:
    """The ratings matching ``f``, with each one's ticket number."""
    r, t = db.ratings, db.tickets
    where = and_(*_rating_where(f))
    counts = select(func.count(), func.coalesce(func.sum(case((r.c.level >= GOOD_LEVEL, 1), else_=0)), 0)).where(where)
    rows = (select(r, t.c.number).select_from(r.outerjoin(t, t.c.id == r.c.ticket_id)).where(where)
            .order_by(r.c.at.desc()).limit(LIST_LIMIT))
    with store.read() as conn:
        total, good = conn.execute(counts).one()
        found = [dict(row._mapping) for row in conn.execute(rows).all()]
    for row in found:
        row["reasons"] = json.loads(row["reasons"] or "[]")
    return RatingList(found, int(total), int(good))


def rating_detail(store: db.Store, ticket_id: str, subject: str) -> dict | None:
    """One rating with its ticket (number, channel, times, window), its clerk's name and the case it
    opened; None when there is no such rating. The ticket's masked name and ID are not read."""
    r, t, c, k = db.ratings, db.tickets, db.clerks, db.cases
    with store.read() as conn:
        row = conn.execute(select(r).where(r.c.ticket_id == ticket_id, r.c.subject == subject)).first()
        if row is None:
            return None
        rating = dict(row._mapping)
        rating["reasons"] = json.loads(rating["reasons"] or "[]")
        ticket = conn.execute(select(t.c.number, t.c.service, t.c.priority, t.c.channel, t.c.state, t.c.issued_at,
                                     t.c.called_at, t.c.started_at, t.c.finished_at, t.c.window)
                              .where(t.c.id == ticket_id)).first()
        rating["ticket"] = dict(ticket._mapping) if ticket else None
        rating["clerk_name"] = conn.execute(select(c.c.name).where(c.c.code == rating["clerk"])).scalar() \
            if rating["clerk"] else None
        rating["case_id"] = conn.execute(select(k.c.id).where(k.c.source == exporter.rating_key(rating))).scalar()
    return rating


def list_cases(engine, f: CaseFilter) -> list[Case]:  # noqa: ANN001 - HallEngine
    """Cases by deadline: the engine's list (state, kind, overdue), then service and window."""
    overdue = {"yes": True, "no": False}.get(f.overdue)
    found = engine.list_cases(f.state or None, f.kind or None, overdue)
    if f.service:
        found = [c for c in found if f.service in c.services or c.service == f.service]
    if f.window is not None:
        found = [c for c in found if c.window == f.window]
    return found


@dataclass(frozen=True)
class Deadline:
    """A case's deadline in the hall's working days: its last day, whether the case still owes its
    answer, working days left after today, whether today is the last day, working days late."""

    last_day: date
    owing: bool
    left: int
    today: bool
    late: int


def deadline_of(case_row: Case, calendar, today: date) -> Deadline:  # noqa: ANN001 - CalendarSettings
    """How ``case_row``'s deadline stands on ``today`` (the deadline is midnight after its last day)."""
    last = hall_date(case_row.deadline.timestamp() - 1, case_row.deadline.tzinfo)
    owing = case_row.state in cases.OPEN_STATES[case_row.kind]
    late = working_days_between(last, today, calendar) if case_row.overdue else 0  # 0 on a day off after it
    return Deadline(last, owing, working_days_between(today, last, calendar), today == last and
                    is_working_day(today, calendar), late)


def allowed_actions(kind: str, state: str) -> list[str]:
    """The steps a case of ``kind`` in ``state`` may take now, in kiosk.cases' order: its state
    machine's next steps, then callback and close (any state but closed)."""
    if state == "closed":
        return []
    steps = [action for (k, action), (sources, _target) in cases.TRANSITIONS.items() if k == kind and state in sources]
    return [a for a in cases.ACTIONS if a in steps] + ["callback", "close"]


def _model_problem(exc: ValidationError) -> Invalid:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "form"
    return Invalid("bad_field", field=field, detail=first["msg"])


def step_body(action: str, form: Mapping[str, str]) -> CaseActionBody:
    """The engine's CaseActionBody from a step's form (only the fields of ``action``), or Invalid.
    Missing fields are left to the engine, which says which one the step needs."""
    if action not in cases.ACTIONS:
        raise Invalid("bad_action", value=action[:20], allowed=", ".join(cases.ACTIONS))
    values: dict = {"note": form.get("note", "").strip(), "outcome": form.get("outcome", "").strip()}
    if form.get("owner", "").strip():
        values["owner"] = form["owner"].strip()
    if form.get("level"):
        if form["level"] not in {str(n) for n in LEVELS}:
            raise Invalid("bad_level", value=form["level"][:10])
        values["level"] = int(form["level"])
    if form.get("date"):
        values["date"] = _day(form["date"], "date")
    try:
        return CaseActionBody(**values)
    except ValidationError as exc:
        raise _model_problem(exc) from None


def ticket_id_of(text: str, today: str) -> str | None:
    """A ticket typed on the register form: a ticket id (20261123-A001) or today's number (A001)."""
    text = text.strip().upper()
    if not text:
        return None
    if TICKET_ID.match(text):
        return text
    if TICKET_NUMBER.match(text):
        return f"{today.replace('-', '')}-{text}"
    raise Invalid("bad_ticket", value=text[:20])


def unresolved_body(form: Mapping[str, str], services: list[str], today: str) -> CaseCreate:
    """The engine's CaseCreate of a 办不成事 case from the register form, or Invalid."""
    values: dict = {"request": form.get("request", "").strip(), "reason": form.get("reason", "").strip(),
                    "services": services, "ticket_id": ticket_id_of(form.get("ticket", ""), today)}
    for name in ("phone", "owner"):
        if form.get(name, "").strip():
            values[name] = form[name].strip()
    try:
        return CaseCreate(**values)
    except ValidationError as exc:
        raise _model_problem(exc) from None
