"""Who is called next: DESIGN.md §4 "Order", as a pure function over the waiting tickets.

Classes, best first: tickets waiting past the maximum wait (by arrival, whatever their
priority), appointments checked in within their slot, priority tickets (higher rank first),
normal tickets. Inside a class a window prefers its first services, then earlier arrival.
Fairness bound: a normal ticket that has already been overtaken ``ratio`` times by later
priority tickets is called before any later-arriving ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the ordering rule sees it."""

    id: str
    arrival_at: float
    rank: int = 0
    in_slot: bool = False
    overtaken: int = 0
    preference: int = 0

    @property
    def is_normal(self) -> bool:
        """True for tickets with no precedence of their own."""
        return self.rank == 0 and not self.in_slot


def _key(c: Candidate, now: float, max_wait_s: float) -> tuple:
    # The id (day + number) breaks ties of equal arrival times in issue order.
    if now - c.arrival_at >= max_wait_s:
        return (0, 0, 0, c.arrival_at, c.id)
    if c.in_slot:
        return (1, 0, c.preference, c.arrival_at, c.id)
    if c.rank > 0:
        return (2, -c.rank, c.preference, c.arrival_at, c.id)
    return (3, 0, c.preference, c.arrival_at, c.id)


def order_key(c: Candidate, now: float, max_wait_s: float) -> tuple:
    """The sort key of THE order for tickets of one service: ``rank_in_queue`` counts the keys
    below a ticket's; sorting once and bisecting gives every ticket's count in one pass."""
    return _key(c, now, max_wait_s)


def pick_next(
    candidates: Sequence[Candidate], now: float, ratio: int, max_wait_s: float
) -> Candidate | None:
    """The ticket a window should call now, or None when nobody waits."""
    if not candidates:
        return None
    chosen = min(candidates, key=lambda c: _key(c, now, max_wait_s))
    if chosen.is_normal:
        return chosen
    blocked = [
        c for c in candidates if c.is_normal and c.overtaken >= ratio and c.arrival_at < chosen.arrival_at
    ]
    return min(blocked, key=lambda c: (c.arrival_at, c.id)) if blocked else chosen


def overtaken_by(chosen: Candidate, candidates: Sequence[Candidate]) -> list[str]:
    """Ids of the normal tickets that ``chosen`` overtakes by being called now."""
    if chosen.is_normal:
        return []
    return [c.id for c in candidates if c.is_normal and c.arrival_at < chosen.arrival_at]


def rank_in_queue(
    target: Candidate, candidates: Sequence[Candidate], now: float, max_wait_s: float
) -> int:
    """How many of ``candidates`` stand ahead of ``target`` in its service (for estimates)."""
    mine = _key(target, now, max_wait_s)
    return sum(1 for c in candidates if c.id != target.id and _key(c, now, max_wait_s) < mine)
