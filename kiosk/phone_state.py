"""What the citizen's phone page shows of ONE ticket (DESIGN.md "The citizen's phone").

``public_state`` is the whole of it: the page's first render, its JSON poll and its event
stream all carry this and nothing else: no ticket id, no masked ID or name, nothing of other
tickets. Qt-free, no web framework.
"""

from __future__ import annotations

from sqlalchemy import select

from kiosk import store as db
from kiosk.domain import place_label
from kiosk.estimators import shown_range
from kiosk.phone_store import mask_phone, subscribed

NOTE_ACTIONS = {"requeue": "requeued", "transfer": "transferred"}
"""Last actions a waiting ticket's page explains: put back in the queue, moved to a service."""


def public_state(engine, ticket_id: str) -> dict:  # noqa: ANN001 - the HallEngine
    """The phone page's view of ``ticket_id`` (a JSON-ready dict)."""
    ticket = engine.ticket(ticket_id)
    config = engine.config
    service = config.service(ticket.service)
    with engine.store.read() as conn:
        phone = subscribed(conn, ticket_id)
        last = _last_action(conn, ticket_id)
    state = {
        "number": ticket.number,
        "service_code": ticket.service,
        "service": service.name.model_dump() if service else {"zh": ticket.service, "en": ticket.service},
        "state": ticket.state,
        "ahead": ticket.ahead,
        "eta_minutes": ticket.eta_minutes,
        # The range the kiosk shows too (kiosk.estimators.shown_range); none for "now".
        "eta_range": _eta_range(ticket),
        "window": ticket.window,
        "place": _place(config, ticket.window),
        "recalls": ticket.recalls,
        "note": NOTE_ACTIONS.get(last) if ticket.state == "waiting" else None,
        "rating": _rating(engine, ticket),
        "notify": {"enabled": config.notify.enabled, "ahead": config.notify.ahead,
                   "phone": mask_phone(phone) if phone else None},
    }
    return state


def _eta_range(ticket) -> list[int] | None:  # noqa: ANN001 - a Ticket
    """[low, high] minutes of a waiting ticket's estimate; None when it is "now" or not known."""
    if not ticket.eta_minutes or ticket.ahead is None:
        return None
    return list(shown_range(ticket.eta_minutes, ticket.ahead))


def _place(config, window: int | None) -> dict | None:  # noqa: ANN001 - HallConfig
    """The window's name in both languages, as the hall calls it."""
    if window is None:
        return None
    found = config.window(window)
    if found is not None:
        return found.name.model_dump()
    return {lang: place_label(window, "window", lang) for lang in ("zh", "en")}


def _rating(engine, ticket) -> str | None:  # noqa: ANN001
    """``open`` (the page may rate now), ``rated``, ``closed`` (too late), None (not finished)."""
    if ticket.state != "done":
        return None
    if engine.rated(ticket.id):
        return "rated"
    return "open" if engine.qr_rating_open(ticket.id) else "closed"


def _last_action(conn, ticket_id: str) -> str | None:  # noqa: ANN001 - a Connection
    e = db.ticket_events
    return conn.execute(select(e.c.action).where(e.c.ticket_id == ticket_id)
                        .order_by(e.c.id.desc()).limit(1)).scalar()
