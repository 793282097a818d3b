"""How fast ``kiosk simulate`` plays hall days through the real engine (DESIGN.md §8 "Estimates
that hold", issue 17: "thousands of tickets in seconds").

The same 2 days of 1,500 tickets (the sample hall staffed for them, seed 1), played in this
process (``jobs=1``) and spread over two worker processes (``jobs=2``): tickets per wall-clock
second of the whole play, and tickets per CPU-second of the days' own play (what one core does;
the workers' start-up is outside it, so wall-clock × jobs is a little more than the CPU-seconds).
"""

from __future__ import annotations

from bench import Figure
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from kiosk.simulate import simulate

DAYS, TICKETS, SEED = 2, 1500, 1
TARGET = 1000.0
"""Issue 17's "thousands of tickets in seconds", read as 1,000 tickets a second."""


def run(quick: bool = False) -> list[Figure]:
    """Play the days with one and with two processes; their figures."""
    config = load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")
    tickets = 300 if quick else TICKETS
    figures = []
    for jobs in (1, 2):
        played = simulate(config, DAYS, tickets_per_day=tickets, seed=SEED, jobs=jobs)
        label = f"{DAYS} days x {tickets}, --jobs {jobs}"
        rate = played.tickets / played.seconds
        figures.append(Figure(f"simulate: tickets/s wall-clock, {label}", rate, "tickets/s",
                              f">= {TARGET:,.0f}", rate >= TARGET))
        figures.append(Figure(f"simulate: tickets per CPU-second, {label}",
                              played.tickets / played.cpu_seconds, "tickets/s"))
        figures.append(Figure(f"simulate: wall-clock, {label}", played.seconds, "s"))
    return figures
