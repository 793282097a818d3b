"""What the Live page shows, read from the hall engine: queues, windows and alerts.

``ALERT_SOURCES`` is the hook for alerts kept elsewhere: a function ``(engine) -> list[Alert]``
appended to it (the devices page adds printer paper, readers and offline kiosks) is asked on
every refresh; one that fails is logged and skipped, never the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from kiosk import store as db
from kiosk.clock import local

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    """One line of the Live page's alerts: ``level`` is ``warn`` or ``bad``; ``kind`` says where
    it comes from (``case``, ``printer`` …); the text in both languages; ``detail``, words of a
    device's own in no known language, is shown only as the line's tooltip."""

    kind: str
    level: str
    zh: str
    en: str
    link: str = ""
    detail: str = ""


ALERT_SOURCES: list[Callable[[object], list[Alert]]] = []
"""Functions giving more alerts; each is called with the engine on every refresh."""


def queues(engine, catalog, now: float) -> list[dict]:  # noqa: ANN001 - HallEngine, Catalog
    """Every service: waiting, the longest wait in seconds, the estimate, open or why closed."""
    t = db.tickets
    with engine.store.read() as conn:
        oldest = dict(conn.execute(
            select(t.c.service, func.min(t.c.arrival_at))
            .where(t.c.day == engine.today(), t.c.state == "waiting").group_by(t.c.service)).all())
    return [{
        "code": s.code, "prefix": s.prefix, "zh": s.name.zh, "en": s.name.en, "waiting": s.waiting,
        "longest_s": max(0, int(now - oldest[s.code])) if s.code in oldest else None,
        "eta_minutes": s.eta_minutes, "open": s.open, "closed_reason": s.closed_reason,
        "issued": s.issued, "quota": s.quota,
    } for s in catalog.services]


def windows(engine, catalog, now: float) -> list[dict]:  # noqa: ANN001
    """Every window: paused or open, the clerk signed in, the ticket at it and for how long."""
    t = db.tickets
    with engine.store.read() as conn:
        rows = conn.execute(
            select(t.c.window, t.c.number, t.c.state, t.c.service, t.c.called_at, t.c.started_at)
            .where(t.c.day == engine.today(), t.c.state.in_(("called", "serving")), t.c.window.is_not(None))
            .order_by(t.c.called_at)).all()
    current = {r.window: r for r in rows}  # the latest call of a window wins
    sign_in = engine.config.policy.clerk_sign_in == "required" or any(w.clerk for w in catalog.windows)
    out = []
    for w in catalog.windows:
        row = current.get(w.number)
        since = (row.started_at or row.called_at) if row is not None else None
        out.append({
            "number": w.number, "kind": w.kind, "zh": w.name.zh, "en": w.name.en, "paused": w.paused,
            "staffing": staffing(w, sign_in),
            "clerk": None if w.clerk is None else {"code": w.clerk.code, "name": w.clerk.name},
            "ticket": None if row is None else {"number": row.number, "state": row.state, "service": row.service,
                                                "for_s": max(0, int(now - since)) if since else 0},
        })
    return out


def staffing(window, sign_in: bool) -> str:  # noqa: ANN001 - a catalog window
    """What a window's card says it is: ``paused``; ``open`` with a clerk signed in;
    ``unstaffed`` with nobody signed in where the hall signs clerks in (``sign_in``: the policy
    requires it, or some clerk is signed in now); else ``open`` (a hall that does not sign
    clerks in cannot tell an empty window from a staffed one)."""
    if window.paused:
        return "paused"
    return "unstaffed" if sign_in and window.clerk is None else "open"


def alerts(engine) -> list[dict]:  # noqa: ANN001
    """Overdue cases, then the alerts of ``ALERT_SOURCES``."""
    found = [Alert("case", "bad", f"第 {c.id} 号{'整改' if c.kind == 'rectify' else '办不成事'}工单已超期",
                   f"Case {c.id} ({'rectification' if c.kind == 'rectify' else '办不成事'}) is overdue",
                   f"/console/cases/{c.id}")  # the case on the Ratings & cases page
             for c in engine.list_cases(overdue=True)]
    for source in ALERT_SOURCES:
        try:
            found.extend(source(engine))
        except Exception:  # another module's alert must not take the Live page down
            log.exception("an alert source of the Live page failed; its alerts are left out")
    return [asdict(a) for a in found]


def snapshot(engine) -> dict:  # noqa: ANN001
    """The whole Live page as JSON: the hall's time, day, queues, windows and alerts."""
    now = engine.clock.now()
    catalog = engine.catalog()
    clock = local(now, engine.tz).strftime("%H:%M:%S")
    return {"now": now, "day": engine.today(), "clock": clock, "queues": queues(engine, catalog, now),
            "windows": windows(engine, catalog, now), "alerts": alerts(engine),
            "last_event": engine.feed.last_seq()}
