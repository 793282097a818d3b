"""What the clerk's caller asks of the hall: plain functions run on its hall lane, never on the
GUI thread."""

from __future__ import annotations

from kiosk.models import Call, Ticket
from ui.calling.feed import recent_calls

HISTORY_CALLS = 200  # calls scanned at start to find this window's current and held tickets


def load_window(hall, window: int) -> tuple:  # noqa: ANN001 - any Hall
    """Catalog and this window's active and held tickets (runs on the hall lane)."""
    catalog = hall.catalog()
    order: dict[str, None] = {}
    for call in recent_calls(hall, HISTORY_CALLS):
        if call.window == window:  # ordered by each ticket's latest call: the newest is current
            order.pop(call.ticket, None)
            order[call.ticket] = None
    tickets = [hall.ticket(i) for i in order]
    return catalog, [t for t in tickets if t.window == window]


class Called:
    """A call-next result: the call and the ticket as it stands after it."""

    def __init__(self, call: Call, ticket: Ticket) -> None:
        self.number, self.ticket_now = call.number, ticket


def call_next(hall, window: int, actor: str) -> Called | None:  # noqa: ANN001
    """Call the next ticket and read it back (runs on the hall lane); None when nobody waits."""
    call = hall.call_next(window, actor)
    return None if call is None else Called(call, hall.ticket(call.ticket))
