"""Ordering properties (DESIGN.md §4 "Order"), checked by hypothesis over random hall days.

A simulated window serves random arrivals with the engine's own rule (``pick_next`` plus the
overtaking count the engine keeps); the properties are checked on what was served, not on how.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.ordering import Candidate, overtaken_by, pick_next

RATIO, MAX_WAIT = 3, 45 * 60.0

arrival = st.tuples(
    st.floats(min_value=0, max_value=120, allow_nan=False),  # seconds after the previous event
    st.sampled_from([0, 0, 0, 1, 2, 3]),  # priority rank, mostly normal
    st.booleans(),  # in an appointment slot (rare below)
    st.integers(min_value=0, max_value=2),  # the window's preference for its service
)
day = st.lists(st.one_of(st.tuples(st.just("arrive"), arrival), st.tuples(st.just("call"), st.none())),
               min_size=1, max_size=120)


def simulate(events):
    """Serve ``events`` at one window; returns the called tickets with their waiting set at the time."""
    now, waiting, served, n = 0.0, {}, [], 0
    for kind, data in events:
        if kind == "arrive":
            gap, rank, slot, pref = data
            now += gap
            n += 1
            waiting[f"t{n:04d}"] = Candidate(f"t{n:04d}", now, rank, slot and rank == 1, 0, pref)
        else:
            now += 30
            candidates = list(waiting.values())
            chosen = pick_next(candidates, now, RATIO, MAX_WAIT)
            if chosen is None:
                continue
            for ticket_id in overtaken_by(chosen, candidates):
                waiting[ticket_id] = replace(waiting[ticket_id], overtaken=waiting[ticket_id].overtaken + 1)
            served.append((now, chosen, candidates))
            del waiting[chosen.id]
    return served


@settings(max_examples=300, deadline=None)
@given(day)
def test_no_normal_ticket_is_overtaken_by_more_priority_tickets_than_the_ratio(events):
    served = simulate(events)
    overtakes: dict[str, int] = {}
    for _now, chosen, candidates in served:
        if chosen.is_normal:
            continue
        for c in candidates:
            if c.is_normal and c.arrival_at < chosen.arrival_at:
                overtakes[c.id] = overtakes.get(c.id, 0) + 1
    assert all(count <= RATIO for count in overtakes.values()), overtakes


@settings(max_examples=300, deadline=None)
@given(day)
def test_no_ticket_past_the_maximum_wait_is_passed_by_a_later_arrival(events):
    for now, chosen, candidates in simulate(events):
        overdue = [c for c in candidates if now - c.arrival_at >= MAX_WAIT]
        if overdue:
            assert chosen.arrival_at <= min(c.arrival_at for c in overdue)


@settings(max_examples=200, deadline=None)
@given(day)
def test_among_normal_tickets_of_one_service_arrival_order_holds(events):
    for _now, chosen, candidates in simulate(events):
        if chosen.is_normal:
            same = [c for c in candidates if c.is_normal and c.preference == chosen.preference]
            assert chosen.arrival_at == min(c.arrival_at for c in same)


def test_priority_goes_first_until_the_ratio_is_reached():
    normal = Candidate("n", 0.0)
    prio = [Candidate(f"p{i}", 1.0 + i, rank=2) for i in range(5)]
    waiting, order = [normal, *prio], []
    while waiting:
        chosen = pick_next(waiting, 10.0, RATIO, MAX_WAIT)
        for ticket_id in overtaken_by(chosen, waiting):
            waiting = [replace(c, overtaken=c.overtaken + 1) if c.id == ticket_id else c for c in waiting]
        order.append(chosen.id)
        waiting = [c for c in waiting if c.id != chosen.id]
    assert order == ["p0", "p1", "p2", "n", "p3", "p4"]
