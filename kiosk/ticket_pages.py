"""A day's tickets a page at a time: filters in SQL, keyset paging in issue order.

A page is read from ``ix_ticket_order`` (day, issued_at, number) after the last ticket of the
previous page, so a page costs the same early or late in the day, whatever its length; an
OFFSET would read and drop every earlier ticket. The cursor names that last ticket; it is
opaque to callers (base64 of a small JSON list) and checked when it comes back.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass, field

from sqlalchemy import Select, select, tuple_

from kiosk.domain import HallError
from kiosk.models import Ticket
from kiosk.store import tickets as t

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


@dataclass
class TicketPage:
    """One page of a listing and the cursor of the next (None on the last page)."""

    tickets: list[Ticket] = field(default_factory=list)
    next_cursor: str | None = None


def check_limit(limit: int | None) -> int:
    """The page size asked for, or the default; refuses sizes outside 1..MAX_LIMIT."""
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise HallError("validation_error", f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    return limit


def encode_cursor(day: str, issued_at: float, number: str) -> str:
    """The cursor that continues a listing of ``day`` after the ticket (issued_at, number)."""
    raw = json.dumps([day, issued_at, number], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, day: str) -> tuple[float, str]:
    """The (issued_at, number) a cursor continues after; refuses one not made for ``day``'s
    listing by this server."""
    wrong = HallError("validation_error", "cursor: not a cursor of this listing; start again without one "
                      "and follow the next_cursor each page gives")
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError):  # not base64, not JSON, nested past the limit
        raise wrong from None
    if not (isinstance(value, list) and len(value) == 3 and value[0] == day
            and isinstance(value[1], int | float) and not isinstance(value[1], bool)
            and math.isfinite(value[1]) and isinstance(value[2], str)):
        raise wrong
    return float(value[1]), value[2]


def page_query(day: str, service: str | None, state: str | None, id_hash: str | None,
               after: tuple[float, str] | None, limit: int) -> Select:
    """The SELECT of one page: the filters given, after ``after``, at most ``limit`` + 1 rows
    (the extra row only tells whether a next page exists)."""
    query = select(t).where(t.c.day == day)
    for column, value in ((t.c.service, service), (t.c.state, state), (t.c.id_hash, id_hash)):
        if value:
            query = query.where(column == value)
    if after is not None:
        query = query.where(tuple_(t.c.issued_at, t.c.number) > tuple_(*after))
    return query.order_by(t.c.issued_at, t.c.number).limit(limit + 1)
