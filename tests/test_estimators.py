"""The wait estimators (kiosk.estimators) on a fixed small history, figures worked out by hand,
and the error measures kiosk simulate prints (kiosk.simulate)."""

from __future__ import annotations

import math

import pytest

from kiosk.estimators import (
    PRIOR_SERVICES,
    Estimate,
    Figures,
    erlang_c,
    estimate,
    ranged,
    shown_range,
    throughput,
    wait_text,
)
from kiosk.simulate import Sample, error_row

# Window 1 serves A then B, window 2 serves A only; the hall file says A takes 6 minutes, B 10.
WINDOWS = {1: ["A", "B"], 2: ["A"]}
DEFAULTS = {"A": 6.0, "B": 10.0}


def history() -> Figures:
    """Ten calls two minutes apart (window 1: A, B alternately; window 2: A), each served 4 min
    at window 2 and 8 min at window 1; two B tickets and three A tickets wait now (t = 1080)."""
    figures = Figures(WINDOWS, DEFAULTS)
    for i in range(10):
        window = 1 if i % 2 else 2
        service = "A" if window == 2 or i % 4 == 1 else "B"
        figures.called(window, service, i * 120.0)
        figures.served(window, service, 480.0 if window == 1 else 240.0)
        figures.arrived(service, i * 120.0)
    figures.waiting = {"A": 3, "B": 2}
    return figures


def minutes(name: str, ahead: int, windows=(1, 2), now=1080.0) -> float:
    return estimate(history(), "A", ahead, list(windows), now, name).minutes


def test_before_anything_was_served_the_hall_file_times_count():
    empty = Figures(WINDOWS, DEFAULTS)
    assert empty.mean_minutes("A") == 6.0
    assert empty.share(1, "A") == 1.0  # nobody waits for B: window 1 would serve A only
    empty.waiting = {"A": 2, "B": 6}
    assert empty.share(1, "A") == 0.25  # before five calls: by the tickets waiting
    assert estimate(empty, "A", 4, [1, 2], 0.0, "today").minutes == 12.0  # 4 / 2 windows x 6 min


# A's mean: 5 served at window 2 (4 min), 3 at window 1 (8 min), and the hall file's 6 min
# weighed as PRIOR_SERVICES more (a few early samples are the short ones).
MEAN_A = (5 * 4 + 3 * 8 + PRIOR_SERVICES * 6) / (8 + PRIOR_SERVICES)


def test_figures_from_the_history():
    figures = history()
    assert figures.mean_minutes("A") == pytest.approx(MEAN_A)
    assert figures.window_minutes(1, "A") == 8.0 and figures.window_minutes(2, "A") == 4.0
    assert figures.share(1, "A") == pytest.approx(3 / 5) and figures.share(2, "A") == 1.0
    assert throughput(figures, "A", [1, 2]) == pytest.approx(3 / 5 / 8 + 1 / 4)


def test_each_estimator_by_hand():
    mean_a = MEAN_A
    assert minutes("today", 4) == pytest.approx(4 / 2 * mean_a)
    assert minutes("recent", 4) == pytest.approx((4 - 0.5) / (3 / 5 / 8 + 1 / 4) + 0.3)
    # The pace: A was called 8 times in the last 30 minutes, from t=0 to t=1080 at "now".
    assert minutes("drain", 4) == pytest.approx((4 + 0.5) / ((8 - 1) / 1080 * 60))
    # The work ahead: A's own 4 tickets; B's 2 waiting come after them (window 1 prefers A).
    assert minutes("pool", 4) == pytest.approx((4 * mean_a - 0.5 * mean_a) / 2 + 0.3)
    # The blend: the pace of 7 intervals weighed with the moving averages' throughput as 4 calls.
    model = 3 / 5 / 8 + 1 / 4
    rate = (7 * (7 / 1080 * 60) + 4 * model) / (7 + 4)
    assert minutes("blend", 4) == pytest.approx(max((4 + 0.5) / rate, minutes("pool", 4)))
    # Erlang-C: A arrived 8 times in 1080 s, faster than its 1.6 windows' worth can serve it, so
    # the queue drains at their capacity.
    rate, capacity = 8 / 1080 * 60, (3 / 5 + 1) / mean_a
    assert rate > capacity and minutes("erlang", 4) == pytest.approx(4 / capacity)


def test_erlang_c_known_values():
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)  # two servers, one Erlang of load
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: the utilisation
    assert erlang_c(3, 3.0) == 1.0  # cannot keep up: everyone waits


@pytest.mark.parametrize("name", ["today", "recent", "erlang", "drain", "pool", "blend", "flow", "mix"])
def test_no_open_window_is_no_estimate(name):
    assert estimate(history(), "A", 3, [], 1080.0, name) is None


@pytest.mark.parametrize("name", ["recent", "drain", "pool", "blend"])
def test_nobody_ahead_is_now_for_the_rules_that_ignore_the_windows(name):
    found = estimate(history(), "A", 0, [1, 2], 1080.0, name)
    assert found.minutes == 0.0 and found.shown == 0
    assert wait_text(found) == "马上" and wait_text(found, "en") == "now"


@pytest.mark.parametrize("name", ["flow", "mix"])
def test_nobody_ahead_is_now_only_when_a_window_is_free(name):
    figures = Figures(PREFERS_B, DEFAULTS)
    figures.waiting = {"A": 1}
    # Both windows serving for 3 minutes, none of their times measured: window 2's A (6 min)
    # ends in 3, window 1's B (10 min) in 7; the ticket is called when window 2 frees.
    figures.window_states({1: ("B", 0.0, 60.0), 2: ("A", 0.0, 60.0)}, idle=set())
    busy = estimate(figures, "A", 0, [1, 2], 240.0, name)
    assert busy.minutes == pytest.approx(3 + 0.3) and busy.shown == 4
    assert wait_text(busy) == "约 1–6 分钟" and wait_text(busy, "en") == "about 1–6 min"
    # Window 2 signed in with nobody at it: called at once.
    figures.window_states({1: ("B", 0.0, 60.0)}, idle={2})
    free = estimate(figures, "A", 0, [1, 2], 240.0, name)
    assert free.shown == 0 and wait_text(free) == "马上"


def test_a_window_frees_after_the_rest_of_its_service_or_the_walk_up_and_a_service():
    figures = Figures(PREFERS_B, DEFAULTS)
    for seconds in (120.0, 300.0, 480.0, 600.0):
        figures.served(2, "A", seconds)
    figures.window_states({2: ("A", 0.0, 60.0), 1: ("B", 200.0, None)}, idle=set())
    # Serving 4 minutes: of the A services measured, 5, 8 and 10 minutes lasted longer; they
    # had 1, 4 and 6 minutes left.
    assert figures.free_in(2, 300.0) == pytest.approx((1 + 4 + 6) / 3)
    # Called half a minute ago, the walk-up (0.5 min before any was measured) is over: a tenth
    # of a minute left, then B's mean (the hall file's 10 minutes, nothing measured).
    assert figures.free_in(1, 230.0) == pytest.approx(0.1 + 10)
    assert figures.free_in(3, 230.0) is None  # not a window it knows: off


def test_ranges_narrow_with_more_people_ahead_and_round_when_long():
    one, many = ranged(10.0, 1), ranged(10.0, 30)
    assert (one.high - one.low) > (many.high - many.low)
    assert ranged(40.0, 20) == Estimate(40.0, 30, 50)  # ±15 %: 34–46, shown by fives
    assert wait_text(ranged(40.0, 20)) == "约 30–50 分钟"
    assert wait_text(ranged(40.0, 20), "en") == "about 30–50 min"
    assert wait_text(Estimate(1.2, 1, 2)) == "约 2 分钟"  # narrow: one figure
    assert wait_text(None) == "—"
    assert shown_range(12, 4) == (8, 16)  # ±27 % around 12


def sample(wait_min: float | None, estimate_min: float, service: str = "A") -> Sample:
    return Sample("t", service, "normal", 0.0, 1, None, {"x": ranged(estimate_min, 8)},
                  None if wait_min is None else wait_min * 60)


def test_error_measures():
    samples = [sample(20, 22), sample(30, 21), sample(40, 40), sample(2, 4), sample(None, 5)]
    row = error_row("x", "A", samples)
    assert row.n == 4  # the ticket never called has no wait to compare with
    assert row.median_min == 2.0  # errors 2, 9, 0, 2
    # Each error of its wait, or of 15 minutes for the 2-minute wait: 10 %, 30 %, 0 %, 13.3 %.
    assert row.median_pct == 11.7 and row.p90_pct == 30.0 and row.holds
    assert (row.long_n, row.long_median_pct, row.long_p90_pct) == (3, 10.0, 30.0)  # 20, 30, 40 min
    assert row.within == 75.0  # 30 → 21 misses 20 % (6 min); 2 → 4 is within 3 min
    # Shown (±20 % with 8 ahead): 17–27 holds 20, 16–26 misses 30, 30–50 holds 40, 3–5 misses 2.
    assert row.in_range == 50.0
    assert not error_row("x", "A", [sample(20, 5), sample(30, 30)]).holds  # median 37.5 %
    assert math.isclose(error_row("x", "B", []).n, 0)


# Window 1 prefers B to A (it takes A only when no B waits), window 2 serves A alone; the hall file
# says A takes 6 minutes, B 10; nothing measured yet, so the walk-up is WALK_UP_MIN (0.5).
PREFERS_B = {1: ["B", "A"], 2: ["A"]}


def test_pool_counts_the_other_services_work_only_where_a_window_serves_it_first():
    figures = Figures(PREFERS_B, DEFAULTS)
    figures.waiting = {"A": 5, "B": 2}
    # Window 1 serves B before A: B's 2 tickets (10 min each) are work ahead of A's ticket there.
    assert estimate(figures, "A", 4, [1, 2], 0.0, "pool").minutes == pytest.approx((4 * 6 + 2 * 10 - 3) / 2 + 0.3)
    # For a B ticket, A's 5 waiting are no work ahead: window 1 serves B first, window 2 not B.
    assert estimate(figures, "B", 1, [1], 0.0, "pool").minutes == pytest.approx((1 * 10 - 5) / 1 + 0.3)


def test_flow_plays_the_windows_forward_by_their_preference():
    figures = Figures(PREFERS_B, DEFAULTS)
    figures.waiting = {"A": 1, "B": 2}
    # Windows free at 1/4 and 3/4 of A's 6.5 min (service + walk-up): 1.625 and 4.875. Window 1
    # takes a B (10.5 min); window 2 takes the one A ahead, frees at 11.375 and calls the ticket.
    assert estimate(figures, "A", 1, [1, 2], 0.0, "flow").minutes == pytest.approx(11.375 + 0.3)
    figures.waiting = {"A": 1}
    # Nobody waits for B: window 1 takes the A ahead at 1.625, window 2 calls the ticket at 4.875.
    assert estimate(figures, "A", 1, [1, 2], 0.0, "flow").minutes == pytest.approx(4.875 + 0.3)


def test_flow_counts_the_preferred_service_arriving_meanwhile():
    figures = Figures(PREFERS_B, DEFAULTS)
    figures.waiting = {"A": 1}
    for i in range(11):  # B arrives once a minute: by 1.625 one more B waits for window 1
        figures.arrived("B", i * 60.0)
    assert estimate(figures, "A", 1, [1, 2], 600.0, "flow").minutes == pytest.approx(11.375 + 0.3)


def test_the_walk_up_is_measured_from_the_rows_and_counted_by_mix():
    served = [(2, "A", 240.0, 30.0), (2, "A", 240.0, 90.0), (1, "B", 480.0, None)]  # newest first
    figures = Figures.from_rows(WINDOWS, DEFAULTS, served, [], issued=[("A", 60.0), ("B", 0.0)])
    assert figures.walk_minutes() == pytest.approx(1.0)  # (30 + 90) / 2 s
    # The service alone, walk-up apart: two of 4 minutes beside the hall file's 6.
    assert figures.mean_minutes("A") == pytest.approx((2 * 4 + PRIOR_SERVICES * 6) / (2 + PRIOR_SERVICES))
    assert list(figures.arrivals["B"]) == [0.0]
    figures = history()
    figures.reached(60.0)
    flow = estimate(figures, "A", 4, [1, 2], 1080.0, "flow").minutes
    model = 3 / 5 / 9 + 1 / 5  # each window held a minute longer a ticket
    rate = (7 * (7 / 1080 * 60) + 4 * model) / (7 + 4)
    pool = (4 * (MEAN_A + 1) - 0.5 * MEAN_A) / 2 + 0.3
    assert estimate(figures, "A", 4, [1, 2], 1080.0, "mix").minutes == pytest.approx(
        0.3 * flow + 0.7 * max((4 + 0.5) / rate, pool))
