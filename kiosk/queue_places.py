"""How many tickets stand ahead of each of several waiting tickets, and which one a window calls
next, by THE order (kiosk.ordering), without reading the services' whole queues.

The order splits a service's waiting tickets into *normal* ones (not in their slot, a priority of
rank 0) and the few with precedence (*special*: in their slot, or a ranked priority). Specials are
read whole (one indexed query; there are few). Normal tickets keep their arrival order among
themselves, and which of them stand ahead of a ticket x follows from x alone:

- x normal, or x waiting past the maximum wait: every normal ticket before x in (arrival, id);
- x special within the maximum wait: the normal tickets past the maximum wait (arrival ≤ now −
  max wait), and no other.

So each place is a count of normal tickets before a point, and for a page of tickets (near each
other in arrival) one COUNT up to the earliest of them plus the normal rows between the earliest
and the latest give all of them; a ticket far from the others (requeued, so arrived late) gets a
COUNT of its own. COUNTs walk ix_ticket_arrival, which holds what the normal test needs: their cost
follows the tickets ahead, never the day's length.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from sqlalchemy import Connection, and_, bindparam, func, literal_column, or_, select

from kiosk.domain import State
from kiosk.ordering import Candidate, order_key
from kiosk.store import tickets as t

WINDOW_ROWS = 2000
"""Normal rows read between a page's earliest and latest ticket at most; later ones are counted."""

_WAITING = (t.c.day == bindparam("day"), t.c.service == bindparam("service"), t.c.state == State.WAITING.value)
_NORMAL = (t.c.in_slot.is_not(True), t.c.priority.not_in(bindparam("ranked", expanding=True)))
# Every waiting ticket of the service before the point (arrival, id): a covering range of
# ix_ticket_arrival, plus the ties on arrival; the specials among them are known already.
WAITING_BEFORE = select(
    select(func.count()).where(*_WAITING, t.c.arrival_at < bindparam("a")).scalar_subquery()
    + select(func.count()).where(*_WAITING, t.c.arrival_at == bindparam("a"), t.c.id < bindparam("tid"))
    .scalar_subquery()
)
WAITING_PAST_WAIT = select(func.count()).where(*_WAITING, t.c.arrival_at <= bindparam("upto"))
# The partial index ix_ticket_special's own terms, with literals as it has them, then the exact
# test. ``day || ''`` keeps SQLite off the indexes that start with the day (see the index).
SPECIALS = select(t.c.id, t.c.priority, t.c.arrival_at, t.c.in_slot, t.c.overtaken).where(
    t.c.service == bindparam("service"), t.c.state == literal_column("'waiting'"),
    t.c.day.concat(literal_column("''")) == bindparam("day"),
    or_(t.c.in_slot.is_(True), t.c.priority != literal_column("'normal'")),
    or_(t.c.in_slot.is_(True), t.c.priority.in_(bindparam("ranked", expanding=True))))
NORMALS_FROM = (
    select(t.c.arrival_at, t.c.id)
    .where(*_WAITING, *_NORMAL, t.c.arrival_at >= bindparam("a"), t.c.arrival_at <= bindparam("last"),
           or_(t.c.arrival_at > bindparam("a"), and_(t.c.arrival_at == bindparam("a"), t.c.id >= bindparam("tid"))))
    .order_by(t.c.arrival_at, t.c.id)
    .limit(WINDOW_ROWS)
)


_NEXT_COLUMNS = (t.c.id, t.c.priority, t.c.arrival_at, t.c.in_slot, t.c.overtaken)
FIRST_NORMAL = select(*_NEXT_COLUMNS).where(*_WAITING, *_NORMAL).order_by(t.c.arrival_at, t.c.id).limit(1)
FIRST_BLOCKED = (  # the earliest normal ticket overtaken ``ratio`` times that arrived before ``before``
    select(*_NEXT_COLUMNS)
    .where(*_WAITING, *_NORMAL, t.c.overtaken >= bindparam("ratio"), t.c.arrival_at < bindparam("before"))
    .order_by(t.c.arrival_at, t.c.id).limit(1)
)


class QueuePlaces:
    """Ahead counts of one day's waiting tickets, for an engine's ranks and maximum wait."""

    def __init__(self, conn: Connection, day: str, ranks: dict[str, int], now: float, max_wait_s: float):
        self.conn, self.day, self.now, self.max_wait = conn, day, now, max_wait_s
        self.ranks = ranks
        self.ranked = sorted(code for code, rank in ranks.items() if rank > 0)
        self.past_wait = now - max_wait_s  # arrival at or before it: past the maximum wait

    def aheads(self, rows: list[dict]) -> dict[str, int]:
        """{ticket id: tickets ahead of it in its service} for waiting ticket rows of the day."""
        by_service: dict[str, list[dict]] = {}
        for row in rows:
            by_service.setdefault(row["service"], []).append(row)
        found: dict[str, int] = {}
        for service, mine in by_service.items():
            found.update(self._service(service, mine))
        return found

    def _candidate(self, row, preference: int = 0) -> Candidate:  # noqa: ANN001 - a row or a dict
        get = row.get if isinstance(row, dict) else row._mapping.get
        return Candidate(get("id"), get("arrival_at"), self.ranks.get(get("priority"), 0), bool(get("in_slot")),
                         get("overtaken") or 0, preference)

    def next_for(self, services: list[str], ratio: int) -> tuple[Candidate, str] | None:
        """The ticket ``ordering.pick_next`` picks among the waiting tickets of ``services`` (a
        window's, best first), and its service; None when nobody waits.

        Only the tickets that can win are read: every special, and each service's earliest
        normal ticket (a later normal one loses to it in every class). When a special wins, the
        fairness bound asks for the earliest normal ticket overtaken ``ratio`` times that arrived
        before it: one more indexed row per service.
        """
        contenders: list[tuple[Candidate, str]] = []
        for preference, service in enumerate(services):
            params = {"day": self.day, "service": service, "ranked": self.ranked}
            rows = [*self.conn.execute(SPECIALS, params), *self.conn.execute(FIRST_NORMAL, params)]
            contenders.extend((self._candidate(r, preference), service) for r in rows)
        if not contenders:
            return None
        chosen = min(contenders, key=lambda pair: order_key(pair[0], self.now, self.max_wait))
        if chosen[0].is_normal:
            return chosen
        blocked = []
        for preference, service in enumerate(services):
            row = self.conn.execute(FIRST_BLOCKED, {"day": self.day, "service": service, "ranked": self.ranked,
                                                    "ratio": ratio, "before": chosen[0].arrival_at}).first()
            if row is not None:
                blocked.append((self._candidate(row, preference), service))
        return min(blocked, key=lambda pair: (pair[0].arrival_at, pair[0].id)) if blocked else chosen

    def _service(self, service: str, mine: list[dict]) -> dict[str, int]:
        params = {"day": self.day, "service": service, "ranked": self.ranked}
        specials = [self._candidate(r) for r in self.conn.execute(SPECIALS, params)]
        special_keys = sorted(order_key(c, self.now, self.max_wait) for c in specials)
        self._special_points = sorted((c.arrival_at, c.id) for c in specials)
        targets = [self._candidate(r) for r in mine]
        by_point = [c for c in targets if c.is_normal or c.arrival_at <= self.past_wait]
        normals_before = self._normals_before(params, sorted((c.arrival_at, c.id) for c in by_point))
        past_wait = None
        found = {}
        for c in targets:
            key = order_key(c, self.now, self.max_wait)
            ahead = bisect_left(special_keys, key)  # a special x's own key is not below itself
            if c.is_normal or c.arrival_at <= self.past_wait:
                ahead += normals_before((c.arrival_at, c.id))
            else:
                if past_wait is None:
                    waiting = self.conn.execute(WAITING_PAST_WAIT, {**params, "upto": self.past_wait}).scalar()
                    past_wait = waiting - sum(1 for c in specials if c.arrival_at <= self.past_wait)
                ahead += past_wait
            found[c.id] = ahead
        return found

    def _normals_before(self, params: dict, points: list[tuple[float, str]]) -> Callable[[tuple[float, str]], int]:
        """A function: point (arrival, id) → normal tickets before it, for the given ``points``."""
        if not points:
            return lambda _point: 0
        first, last = points[0], points[-1]
        base = self._counted_before(params, first)
        between = [tuple(r) for r in self.conn.execute(
            NORMALS_FROM, {**params, "a": first[0], "tid": first[1], "last": last[0]})]
        complete = len(between) < WINDOW_ROWS

        def before(point: tuple[float, str]) -> int:
            if complete or (between and point <= between[-1]):
                return base + bisect_left(between, point)
            return self._counted_before(params, point)

        return before

    def _counted_before(self, params: dict, point: tuple[float, str]) -> int:
        """Normal waiting tickets before ``point``: every waiting one less the specials."""
        waiting = self.conn.execute(WAITING_BEFORE, {**params, "a": point[0], "tid": point[1]}).scalar()
        return waiting - bisect_left(self._special_points, point)

