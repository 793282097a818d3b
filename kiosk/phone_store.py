"""What the hall database keeps for the citizen's phone (DESIGN.md "The citizen's phone"): the
ticket's page token and, while the ticket lives, the mobile number its text messages go to.

Plain SQLAlchemy Core inside the caller's transaction; no web framework, no Qt.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update

from kiosk import store as db
from kiosk.models import new_page_token

ENDED = frozenset({"done", "no_show", "void", "transferred"})
"""States after which a ticket's number is deleted and its unsent messages dropped. A transferred
ticket lives on under the same id as a waiting one, so its row never stays in this state."""


def page_token_for(conn: Connection, given: str | None) -> str:
    """The token a new ticket gets: ``given`` (an offline kiosk printed it already) unless some
    ticket holds it, else a fresh one. A taken token is never shared: that page would show
    another citizen's ticket."""
    if given and conn.execute(select(db.tickets.c.id).where(db.tickets.c.page_token == given)).first() is None:
        return given
    return new_page_token()


def ticket_id_of(conn: Connection, token: str) -> str | None:
    """The id of the ticket whose page token is ``token``, or None."""
    return conn.execute(select(db.tickets.c.id).where(db.tickets.c.page_token == token)).scalar()


def subscribe(conn: Connection, ticket_id: str, phone: str, now: float) -> None:
    """Keep ``phone`` (already validated) for the ticket's messages; a second number replaces
    the first."""
    n = db.notify_numbers
    if conn.execute(select(n.c.ticket_id).where(n.c.ticket_id == ticket_id)).first() is None:
        conn.execute(insert(n).values(ticket_id=ticket_id, phone=phone, created_at=now))
    else:
        conn.execute(update(n).where(n.c.ticket_id == ticket_id).values(phone=phone))


def unsubscribe(conn: Connection, ticket_id: str) -> None:
    """Forget the ticket's number and drop the messages not yet sent to it."""
    conn.execute(delete(db.notify_numbers).where(db.notify_numbers.c.ticket_id == ticket_id))
    m = db.notify_messages
    conn.execute(update(m).where(m.c.ticket_id == ticket_id, m.c.state.in_(("pending", "sending")))
                 .values(state="dropped", error="the ticket ended before it was sent"))


def subscribed(conn: Connection, ticket_id: str) -> str | None:
    """The number kept for the ticket, or None."""
    n = db.notify_numbers
    return conn.execute(select(n.c.phone).where(n.c.ticket_id == ticket_id)).scalar()


def mask_phone(phone: str) -> str:
    """A number as logs and pages may show it: 138****1234."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def public_url_problem(url: str) -> tuple[str, str] | None:
    """What is wrong with the hall's ``public_url`` for the phone page, as (level, sentence):
    ``error`` when no phone can open the QR code (empty, not http(s), no host), ``warning`` when
    only this machine can (a loopback address); None when it looks right."""
    from urllib.parse import urlsplit

    fix = "set [hall] public_url to the address phones reach the hall server at, e.g. https://hall.example.gov.cn"
    text = url.strip()
    if not text:
        return "error", f"it is empty, so the QR code on every ticket leads nowhere; {fix}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "error", f"{url!r} is not an http:// or https:// address, so phones cannot open the QR code; {fix}"
    if parts.query or parts.fragment:
        return "error", f"{url!r} has a query or fragment; the ticket's page path is added to it; {fix}"
    if parts.hostname in ("127.0.0.1", "localhost", "::1") or parts.hostname.startswith("127."):
        return "warning", f"{url!r} is this machine's own loopback address: a phone scanning the QR code cannot reach it; {fix}"
    return None
