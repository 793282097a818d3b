"""Per day and service counts kept as tickets change: issued (the quota's count) and waiting.

Counting a service's tickets with COUNT costs as much as the day is long (an index walk of
every ticket), and each issue needs both counts. So every change of a ticket's service or state
moves these counters in the same transaction (``moved``), and reads are one primary-key row.

A missing row (a new day, a database from before this table) is made from the tickets
themselves the first time a write transaction asks for it (``ensure``); changes before that
leave no row to move, so the count made later already includes them. A read transaction that
finds no row counts without storing.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, bindparam, case, func, insert, select, update

from kiosk.domain import State
from kiosk.store import Prepared
from kiosk.store import day_service_stats as s
from kiosk.store import tickets as t

WAITING = State.WAITING.value


class Counts(NamedTuple):
    """One service's counts on one day."""

    issued: int
    waiting: int


_ROW = select(s.c.issued, s.c.waiting).where(s.c.day == bindparam("day"), s.c.service == bindparam("service"))
_DAY = select(s.c.service, s.c.issued, s.c.waiting).where(s.c.day == bindparam("day"))
_COUNT = select(func.count(), func.coalesce(func.sum(case((t.c.state == WAITING, 1), else_=0)), 0)).where(
    t.c.day == bindparam("day"), t.c.service == bindparam("service"))
_INSERT = insert(s)
_MOVE = Prepared(  # bind names differ from the columns: an UPDATE reserves those
    update(s)
    .where(s.c.day == bindparam("m_day"), s.c.service == bindparam("m_service"))
    .values(issued=s.c.issued + bindparam("d_issued"), waiting=s.c.waiting + bindparam("d_waiting"))
)
_ROW_PREPARED = Prepared(_ROW)  # read by every issue (its state)
_DAY_PREPARED = Prepared(_DAY)  # read by every issue, call and action (the day's state)


def _counted(conn: Connection, day: str, service: str) -> Counts:
    issued, waiting = conn.execute(_COUNT, {"day": day, "service": service}).one()
    return Counts(int(issued), int(waiting))


def ensure(conn: Connection, day: str, service: str) -> Counts:
    """The counts of ``service`` on ``day``, inside a write transaction; makes the row from the
    tickets when it is missing (one COUNT, once per day and service)."""
    row = _ROW_PREPARED(conn, {"day": day, "service": service}).first()
    if row is not None:
        return Counts(row.issued, row.waiting)
    counts = _counted(conn, day, service)
    conn.execute(_INSERT, {"day": day, "service": service, "issued": counts.issued, "waiting": counts.waiting})
    return counts


def read(conn: Connection, day: str, service: str) -> Counts:
    """The counts of ``service`` on ``day`` (any transaction; counts the tickets if no row)."""
    row = _ROW_PREPARED(conn, {"day": day, "service": service}).first()
    return Counts(row.issued, row.waiting) if row is not None else _counted(conn, day, service)


def read_day(conn: Connection, day: str, services: list[str]) -> dict[str, Counts]:
    """The counts of each of ``services`` on ``day``: one statement, plus a COUNT for a service
    that has no row yet (in a write transaction the row is made then, so once a day)."""
    found = {service: Counts(issued, waiting) for service, issued, waiting in _DAY_PREPARED(conn, {"day": day})}
    for service in services:
        if service not in found:
            found[service] = ensure(conn, day, service) if conn.info.get("write") else _counted(conn, day, service)
    return found


def moved(conn: Connection, day: str, before: tuple[str, str] | None, after: tuple[str, str] | None) -> None:
    """A ticket of ``day`` went from (service, state) ``before`` to ``after`` (None: it did not
    exist). Call it in the transaction of the change, after or before the change itself."""
    if before == after:
        return
    deltas: dict[str, list[int]] = {}
    for sign, place in ((-1, before), (1, after)):
        if place is None:
            continue
        service, state = place
        delta = deltas.setdefault(service, [0, 0])
        delta[0] += sign
        delta[1] += sign if state == WAITING else 0
    for service, (issued, waiting) in deltas.items():
        if issued or waiting:  # a row not made yet is made later from the tickets, change included
            _MOVE(conn, {"m_day": day, "m_service": service, "d_issued": issued, "d_waiting": waiting})
