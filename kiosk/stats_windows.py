"""Windows' open and idle time for the statistics (DESIGN.md "Statistics"): when each window was
open, from its audit rows, and the parts of that time no ticket kept it busy."""

from __future__ import annotations

import json
from collections import defaultdict


def open_intervals(rows, period) -> dict[int, list[tuple[float, float, str]]]:  # noqa: ANN001
    """Per window, when it was open (a clerk signed in and the window not paused), clipped to
    the period and to ``now``; an interval never runs past the end of the hall day it began in
    (a clerk who forgets to sign out is not counted through the night). ``rows``: the audit
    rows (subject ``window:N``, at, action, detail) in time order; ``period``: a
    ``kiosk.stats._Period`` (its ``lo``, ``hi``, ``now`` and ``day_end``)."""
    state: dict[int, dict] = defaultdict(lambda: {"clerk": None, "paused": False, "since": None})
    found: dict[int, list[tuple[float, float, str]]] = defaultdict(list)

    def close(window: int, s: dict, at: float) -> None:
        if s["since"] is not None:
            start, end = max(s["since"], period.lo), min(at, period.day_end(s["since"]), period.hi, period.now)
            if end > start:
                found[window].append((start, end, s["clerk"]))
            s["since"] = None

    for subject, at, action, detail in rows:
        try:
            window = int(subject.split(":", 1)[1])
        except ValueError:
            continue
        s = state[window]
        close(window, s, at)
        if action == "sign-in":
            s["clerk"] = json.loads(detail).get("clerk")
        elif action == "sign-out":
            s["clerk"] = None
        elif action in ("pause", "resume"):
            s["paused"] = action == "pause"
        if s["clerk"] and not s["paused"]:
            s["since"] = at
    for window, s in state.items():
        close(window, s, period.hi)
    return found


def union(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping intervals merged, in order."""
    merged: list[list[float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def subtract(opened: list[tuple[float, float, str]], busy: list[tuple[float, float]]) -> list[tuple[float, float, str]]:
    """The parts of the ``opened`` intervals no ``busy`` interval covers (both in order)."""
    idle, i = [], 0
    for start, end, clerk in opened:
        while i < len(busy) and busy[i][1] <= start:
            i += 1
        cursor, j = start, i
        while j < len(busy) and busy[j][0] < end:
            if busy[j][0] > cursor:
                idle.append((cursor, busy[j][0], clerk))
            cursor = max(cursor, busy[j][1])
            j += 1
        if cursor < end:
            idle.append((cursor, end, clerk))
    return idle
