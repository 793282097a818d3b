"""Cases' alerts as the guide desk shows them (no Qt here).

The hall raises a ``case`` event when a case is opened, when its reminder is due and when it is
past its deadline unanswered (DESIGN.md §4 Cases): ``{"event": "opened"|"changed"|"reminder"|
"overdue", "id", "kind", "state", "deadline", "deadline_day", "window", "service", "owner"}``,
no personal data. The desk keeps:

- an **overdue** case until the case changes state (a reply, an assignment of a registered case,
  a close): it is the alert that must not be missed, so it has no "seen" button, and a desk that
  starts or reconnects reads the overdue cases again (``GET /cases?overdue=true``, ``load``);
- an **opened** case or a **reminder** for ``seconds`` from when the desk heard of it, until a
  clerk marks it seen, or until the case changes state.

A ``changed`` event that keeps the state (a call back recorded, a case handed to another owner)
leaves the alert where it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import ConfigDict, Field, ValidationError

from kiosk.case_models import Case
from kiosk.clock import Clock
from kiosk.models import ApiModel

NOTICE_SECONDS = 600.0  # an opened case or a reminder shows this long unless marked seen


class CaseEvent(ApiModel):
    """The fields of a ``case`` hall event the desk reads (others are ignored)."""

    model_config = ConfigDict(extra="ignore")

    event: Literal["opened", "changed", "reminder", "overdue"]
    id: int = Field(ge=1)
    kind: Literal["rectify", "unresolved"]
    state: str = Field(min_length=1, max_length=32)
    window: int | None = None
    deadline_day: date | None = None


@dataclass(frozen=True)
class CaseNotice:
    """One case's alert on the desk: which case, which alert, the state it was raised in, the
    window it concerns, its last day, and until when (epoch seconds) it shows; ``until`` None:
    until the case changes state (an overdue case)."""

    id: int
    kind: str
    alert: str
    state: str
    window: int | None
    deadline_day: date | None
    until: float | None

    @property
    def due(self) -> str:
        """The last day as ``10-13`` (the year is the desk's own), or empty."""
        return f"{self.deadline_day:%m-%d}" if self.deadline_day else ""


def case_event(data: object) -> CaseEvent | None:
    """The ``case`` event in ``data``, or None when it cannot be read."""
    if not isinstance(data, Mapping):
        return None
    try:
        return CaseEvent.model_validate(data)
    except ValidationError:
        return None


def overdue_notice(case: Case) -> CaseNotice:
    """The overdue alert of ``case`` as the cases listing gives it (its deadline is the end of
    its last day, so that day is the one before the deadline's midnight)."""
    last_day = (case.deadline - timedelta(seconds=1)).date()
    return CaseNotice(case.id, case.kind, "overdue", case.state, case.window, last_day, None)


class CaseAlerts:
    """The cases' alerts shown now: overdue ones first (by case number), then the others in the
    order they came; fed by hall events and the overdue listing, aged by ``clock``."""

    def __init__(self, seconds: float = NOTICE_SECONDS, clock: Clock | None = None) -> None:
        self.seconds = seconds
        self.clock = clock or Clock()
        self._active: dict[int, CaseNotice] = {}  # case id → its alert, in arrival order

    def take(self, kind: str, data: object) -> bool:
        """Take one hall event; True when what is shown changed."""
        event = case_event(data) if kind == "case" else None
        if event is None:
            return False
        shown = self._active.get(event.id)
        if event.event == "changed":
            if shown is None or shown.state == event.state:
                return False
            del self._active[event.id]
            return True
        if shown is not None and shown.alert == "overdue" and event.event != "overdue":
            return False  # an overdue case stays overdue until its state changes
        until = None if event.event == "overdue" else self.clock.now() + self.seconds
        self._active.pop(event.id, None)
        self._active[event.id] = CaseNotice(event.id, event.kind, event.event, event.state, event.window,
                                            event.deadline_day, until)
        return True

    def load(self, cases: Iterable[Case]) -> bool:
        """Take the overdue cases the hall lists (at start and after a reconnection); True when
        what is shown changed. Alerts already shown are kept: the stream tells their changes."""
        changed = False
        for case in cases:
            if not case.overdue:
                continue
            shown = self._active.get(case.id)
            if shown is not None and shown.alert == "overdue":
                continue
            self._active.pop(case.id, None)
            self._active[case.id] = overdue_notice(case)
            changed = True
        return changed

    def expire(self) -> list[CaseNotice]:
        """Drop the opened and reminder alerts shown long enough; returns them."""
        now = self.clock.now()
        gone = [n for n in self._active.values() if n.until is not None and n.until <= now]
        for notice in gone:
            del self._active[notice.id]
        return gone

    def dismiss(self, case_id: int) -> bool:
        """A clerk has seen case ``case_id``'s opened or reminder alert: it goes. An overdue
        alert stays (False), as does an unknown one."""
        shown = self._active.get(case_id)
        if shown is None or shown.alert == "overdue":
            return False
        del self._active[case_id]
        return True

    @property
    def active(self) -> list[CaseNotice]:
        """The alerts shown now: overdue first by case number, then the rest as they came."""
        overdue = sorted((n for n in self._active.values() if n.alert == "overdue"), key=lambda n: n.id)
        return overdue + [n for n in self._active.values() if n.alert != "overdue"]
