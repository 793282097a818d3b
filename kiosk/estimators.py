"""Wait estimators (DESIGN.md §8 "Estimates that hold").

An estimator answers "how long until this ticket is called?" from small figures the hall keeps
per service and per window (``Figures``: the last few service times, the last few calls and
arrivals), never from a scan of the day. Eight are compared by ``kiosk simulate`` on the same
simulated days:

``today``   the engine's first rule: ahead / windows of the service x the service's mean time.
``recent``  moving averages: each window's recent service time and the share of its recent calls
            that went to the service give the service's throughput (tickets a minute); the wait
            is the tickets ahead over that throughput. Windows shared with other services count
            for the part of their time they give this one.
``erlang``  Erlang-C per service (M/M/c): the mean wait of a queue with the service's recent
            arrival rate, its mean service time and its windows, ignoring who stands ahead.
``drain``   the service's observed pace: its recent calls a minute; the wait is ahead / pace.
``pool``    the work waiting at the ticket's windows, over the windows: its service's tickets ahead
            and the other services' waiting tickets where a window serves theirs first (a
            window that prefers the ticket's service serves the others after it).
``blend``   the observed pace shrunk toward ``recent``'s throughput (weighing it as PRIOR_CALLS
            calls), never less than ``pool``: a pace seen before a surge underestimates it, the
            work ahead catches it; a pace of few calls is noise, the moving averages steady it.
``flow``    the ticket's windows played forward: each, as it frees, takes the first service of
            its preference with someone waiting (its preferred services' tickets arriving at
            their recent rate meanwhile) until the ticket's turn; a window is held for the
            citizen's walk-up too (call to start, measured), not only the service.
``mix``     ``blend`` with the walk-up counted, averaged with ``flow`` (FLOW_WEIGHT): ``blend``
            sees the pace that happened, ``flow`` the windows that will free up for the ticket;
            their errors are partly independent, so the average errs less than either.

``BEST`` is the one the engine uses (``engine_views.ViewBuilder.eta`` calls ``estimate``).
Every estimate is a range (``Estimate.low``..``high``) that narrows as more people are ahead
(the sum of many service times varies less than one), and ``wait_text`` says it the way the
kiosk and the ticket page show it: "马上" when nobody waits, "约 10–15 分钟" when uncertain.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

RECENT = 20
"""How many recent service times, calls and arrivals the figures keep per service/window."""
RATE_SPAN_S = 1800.0
"""Calls and arrivals older than this (half an hour) no longer say how fast a queue moves."""
PRIOR_CALLS = 4
"""``blend``: the moving averages' throughput counts as this many observed calls (a pace seen in
two calls is mostly the model's; one seen in twenty is mostly what happened)."""
PRIOR_SERVICES = 3
"""How many services the hall file's service_minutes counts for beside the measured ones."""
CALL_DELAY_MIN = 0.3
"""Minutes between a window becoming free and its call reaching the next ticket (the clerk's click)."""
WALK_UP_MIN = 0.5
"""Minutes from a call to the start of the service (the citizen walks up) before any was measured."""
FLOW_WEIGHT = 0.3
"""``mix``: the weight of ``flow`` against ``blend`` (chosen on seed 1 of ``kiosk simulate``,
checked on seeds 2 and 3: DESIGN.md §8)."""
FLOW_STEPS = 2000
"""``flow`` plays at most this many calls (a queue longer than that is answered by its pace)."""


@dataclass
class Figures:
    """What an estimator may know about the hall right now: a few numbers per service and window.

    The engine builds it from the day's latest rows (``from_rows``); the simulator feeds it one
    event at a time (``served``, ``called``, ``arrived``). Both hold at most ``RECENT`` values each.
    """

    windows: dict[int, list[str]]  # each window's services, in its order of preference
    default_minutes: dict[str, float]  # the hall file's service_minutes, before anything was served
    service_s: dict[str, deque] = field(default_factory=dict)  # recent service seconds per service
    window_s: dict[int, deque] = field(default_factory=dict)  # recent service seconds per window
    window_calls: dict[int, deque] = field(default_factory=dict)  # the services of a window's recent calls
    calls: dict[str, deque] = field(default_factory=dict)  # recent call times per service
    arrivals: dict[str, deque] = field(default_factory=dict)  # recent issue times per service
    waiting: dict[str, int] = field(default_factory=dict)  # tickets waiting per service now
    keep: int = RECENT  # how many service times are kept per service (the hall's recent_service_samples)
    reach_s: deque = field(default_factory=lambda: deque(maxlen=RECENT))  # recent call-to-start seconds
    busy: dict[int, tuple[str, float, float | None]] = field(default_factory=dict)
    """The windows with a citizen now: window -> (service, called at, service started at or None)."""
    idle: set[int] | None = None
    """The windows signed in with nobody at them; None when not known (a hall without sign-in)."""

    def served(self, window: int, service: str, seconds: float) -> None:
        """A ticket of ``service`` took ``seconds`` at ``window`` (start to finish)."""
        _push(self.service_s, service, seconds, self.keep)
        _push(self.window_s, window, seconds, self.keep)

    def called(self, window: int, service: str, at: float) -> None:
        """``window`` called a ticket of ``service`` at ``at``."""
        _push(self.window_calls, window, service)
        _push(self.calls, service, at)

    def arrived(self, service: str, at: float) -> None:
        """A ticket of ``service`` was issued at ``at``."""
        _push(self.arrivals, service, at)

    def reached(self, seconds: float) -> None:
        """A called citizen reached the window (the service started) ``seconds`` after the call."""
        self.reach_s.append(max(seconds, 0.0))

    def window_states(self, busy: dict[int, tuple[str, float, float | None]], idle: set[int] | None) -> None:
        """What each window is doing now: ``busy`` (window -> service, called at, started at or
        None while the citizen walks up) and ``idle`` (signed in, nobody there; None: not known)."""
        self.busy, self.idle = busy, idle

    def free_in(self, window: int, now: float) -> float | None:
        """Minutes until ``window`` can call again: 0 when idle; the walk-up left and a service
        when it has called; the expected rest of the service (from the recent service times
        longer than the one under way) when serving; None when it is off or not known."""
        state = self.busy.get(window)
        if state is None:
            return 0.0 if self.idle is not None and window in self.idle else None
        service, called, started = state
        mean = self.mean_minutes(service)
        if started is None:
            return max(self.walk_minutes() - (now - called) / 60, 0.1) + mean
        elapsed = (now - started) / 60
        longer = [t / 60 - elapsed for t in self.service_s.get(service, ()) if t / 60 > elapsed]
        if len(longer) >= 3:
            return sum(longer) / len(longer)
        return max(mean - elapsed, 0.3 * mean)

    def walk_minutes(self) -> float:
        """The recent mean minutes from a call to the start of the service (WALK_UP_MIN before any)."""
        return sum(self.reach_s) / len(self.reach_s) / 60 if self.reach_s else WALK_UP_MIN

    def mean_minutes(self, service: str) -> float:
        """The service's recent mean service time, weighed with the hall file's figure as
        PRIOR_SERVICES services: early in the day the only services finished are the short ones
        (the long ones are still under way), so a few samples alone run low."""
        times = self.service_s.get(service) or ()
        default = self.default_minutes.get(service, 8.0)
        return max((sum(times) / 60 + PRIOR_SERVICES * default) / (len(times) + PRIOR_SERVICES), 0.5)

    def means(self) -> dict[str, float]:
        """The recent mean service time of each service that has served someone, in minutes."""
        return {service: self.mean_minutes(service) for service in self.service_s}

    def window_minutes(self, window: int, service: str) -> float:
        """A window's recent mean service time (all its services), or the service's."""
        times = self.window_s.get(window)
        if not times or len(times) < 3:
            return self.mean_minutes(service)
        return max(sum(times) / len(times) / 60, 0.5)

    def share(self, window: int, service: str) -> float:
        """The part of ``window``'s time that goes to ``service``: its share of the window's recent
        calls; before five calls, its share of the tickets waiting for the window's services (a
        window whose other services have nobody waiting gives this one all its time)."""
        recent = self.window_calls.get(window)
        if not recent or len(recent) < 5:
            waiting = {s: self.waiting.get(s, 0) for s in self.windows.get(window, [service])}
            waiting[service] = max(waiting.get(service, 0), 1)
            return waiting[service] / sum(waiting.values())
        return max(sum(1 for s in recent if s == service) / len(recent), 0.05)

    @classmethod
    def from_rows(cls, windows: dict[int, list[str]], default_minutes: dict[str, float],
                  served: Iterable[tuple], called: Iterable[tuple[int, str, float]],
                  keep: int = RECENT, issued: Iterable[tuple[str, float]] = ()) -> Figures:
        """Figures from the day's latest rows, newest first: (window, service, seconds[, walk-up
        seconds]) of finished tickets, (window, service, called_at) of calls and (service,
        issued_at) of issued tickets."""
        figures = cls(windows, default_minutes, keep=keep)
        for row in reversed(list(served)):
            figures.served(row[0], row[1], row[2])
            if len(row) > 3 and row[3] is not None:
                figures.reached(row[3])
        for window, service, at in reversed(list(called)):
            figures.called(window, service, at)
        for service, at in reversed(list(issued)):
            figures.arrived(service, at)
        return figures


def _push(table: dict, key, value, keep: int = RECENT) -> None:  # noqa: ANN001 - any key and value
    table.setdefault(key, deque(maxlen=keep)).append(value)


@dataclass(frozen=True)
class Estimate:
    """A wait in minutes: the central figure and the range shown when it is uncertain."""

    minutes: float
    low: int
    high: int

    @property
    def shown(self) -> int:
        """The whole minutes stored and shown where one number fits (0: now)."""
        return math.ceil(self.minutes) if self.minutes >= 0.5 else 0


def ranged(minutes: float, ahead: int) -> Estimate:
    """``minutes`` with its range: ±60 % for one ticket ahead, narrowing as 1/√n to ±15 %, and
    rounded to 5 minutes past half an hour (nobody reads "约 37–43 分钟")."""
    minutes = max(minutes, 0.0)
    spread = max(0.15, 0.6 / math.sqrt(ahead + 1))
    low, high = minutes * (1 - spread), minutes * (1 + spread)
    if high > 30:
        low, high = 5 * math.floor(low / 5), 5 * math.ceil(high / 5)
    else:
        low, high = math.floor(low), math.ceil(high)
    return Estimate(minutes, int(low), int(max(high, low)))


def _today(figures: Figures, service: str, ahead: int, windows: list[int], now: float | None) -> float | None:
    return ahead / len(windows) * figures.mean_minutes(service)


def throughput(figures: Figures, service: str, windows: list[int], walk: float = 0.0) -> float:
    """Tickets of ``service`` the open ``windows`` finish a minute, by their recent figures, each
    ticket holding its window ``walk`` minutes more than its service (the walk-up)."""
    return sum(figures.share(w, service) / (figures.window_minutes(w, service) + walk) for w in windows)


def _recent(figures: Figures, service: str, ahead: int, windows: list[int], now: float | None) -> float | None:
    if ahead == 0:
        return 0.0
    rate = throughput(figures, service, windows)
    # Tickets are called as windows free up: the first of ``ahead`` in about half a service time
    # (the windows are mid-ticket), each next one a full 1 / rate later.
    return (ahead - 0.5) / rate + CALL_DELAY_MIN


def pace(figures: Figures, service: str, now: float | None) -> tuple[int, float]:
    """The service's observed pace: how many intervals between its calls of the last half hour
    (before ``now``, or its latest call) there were, and their rate in calls a minute."""
    recent = figures.calls.get(service, ())
    latest = now if now is not None else max(recent, default=0.0)
    calls = [t for t in recent if latest - t <= RATE_SPAN_S]
    if len(calls) < 2:
        return 0, 0.0
    return len(calls) - 1, (len(calls) - 1) / max(latest - calls[0], 60.0) * 60


def _drain(figures: Figures, service: str, ahead: int, windows: list[int], now: float | None) -> float | None:
    if ahead == 0:
        return 0.0
    seen, rate = pace(figures, service, now)
    if seen < 3:  # too few calls to tell a pace: the work ahead
        return _pool(figures, service, ahead, windows, now)
    return (ahead + 0.5) / rate


def _blend(figures: Figures, service: str, ahead: int, windows: list[int], now: float | None,
           walk: float = 0.0) -> float | None:
    if ahead == 0:
        return 0.0
    seen, observed = pace(figures, service, now)
    rate = (seen * observed + PRIOR_CALLS * throughput(figures, service, windows, walk)) / (seen + PRIOR_CALLS)
    # The citizen is called at the (ahead + 1)-th call, the first one about half a pace away.
    return max((ahead + 0.5) / rate, _pool(figures, service, ahead, windows, now, walk))


def _pool(figures: Figures, service: str, ahead: int, windows: list[int], now: float | None,
          walk: float = 0.0) -> float | None:
    if ahead == 0:
        return 0.0
    mine = set(windows)
    work = ahead * (figures.mean_minutes(service) + walk)
    for other, count in figures.waiting.items():
        if other == service or not count:
            continue
        work += count * (figures.mean_minutes(other) + walk) * _part_first(figures, mine, other, service)
    return (work - 0.5 * figures.mean_minutes(service)) / len(windows) + CALL_DELAY_MIN


def _part_first(figures: Figures, mine: set[int], other: str, service: str) -> float:
    """The part of ``other``'s windows that are among ``mine`` and serve ``other`` before
    ``service`` (a window that prefers the ticket's service serves the other's queue after it)."""
    theirs = [w for w, services in figures.windows.items() if other in services]
    first = [w for w in mine.intersection(theirs)
             if service not in figures.windows[w] or figures.windows[w].index(other) < figures.windows[w].index(service)]
    return len(first) / max(len(theirs), 1)


def _part(figures: Figures, mine: set[int], other: str) -> float:
    """The part of ``other``'s windows that are among ``mine`` (its queue's share that they serve)."""
    theirs = [w for w, services in figures.windows.items() if other in services]
    return len(mine.intersection(theirs)) / max(len(theirs), 1)


def arrival_rates(figures: Figures, now: float | None) -> dict[str, float]:
    """Tickets a minute per service over its arrivals of the last half hour before ``now`` (or
    the latest arrival); a service with fewer than two has none."""
    if now is None:
        now = max((max(a) for a in figures.arrivals.values() if a), default=0.0)
    rates = {}
    for service, recent in figures.arrivals.items():
        times = [t for t in recent if now - t <= RATE_SPAN_S]
        if len(times) >= 2:
            rates[service] = len(times) / max(now - times[0], 300.0) * 60
    return rates


def _latest(figures: Figures) -> float:
    """The time of the latest call, arrival or window change the figures know (no clock given)."""
    times = [max(d) for table in (figures.calls, figures.arrivals) for d in table.values() if d]
    times += [max(c, s or c) for _, c, s in figures.busy.values()]
    return max(times, default=0.0)


def _free_at(figures: Figures, windows: list[int], service: str, now: float, walk: float) -> list[tuple[float, int]]:
    """When each of the ticket's windows can call next, in minutes from ``now``: from what each
    is doing (``Figures.free_in``) when the figures know it (off windows left out), else spread
    over one ticket's time (the windows are mid-ticket, their ends evenly apart)."""
    known = {w: figures.free_in(w, now) for w in windows}
    if figures.idle is not None or figures.busy:
        free = [(at, w) for w, at in known.items() if at is not None]
        if free:
            return free
    return [((i + 0.5) / len(windows) * (figures.window_minutes(w, service) + walk), w)
            for i, w in enumerate(sorted(windows))]


def _flow(figures: Figures, service: str, ahead: int, windows: list[int], now: float | None) -> float | None:
    now = _latest(figures) if now is None else now
    mine, walk = set(windows), figures.walk_minutes()
    others = {s for w in windows for s in figures.windows.get(w, ()) if s != service}
    # Other services' queues and arrivals count for the part of their windows that are the ticket's.
    queue = {s: figures.waiting.get(s, 0) * _part(figures, mine, s) for s in others}
    rates = {s: r * _part(figures, mine, s) for s, r in arrival_rates(figures, now).items() if s in others}
    hold = {s: figures.mean_minutes(s) + walk for s in others | {service}}
    free = _free_at(figures, windows, service, now, walk)
    heapq.heapify(free)
    left, last = ahead, 0.0
    for _ in range(FLOW_STEPS):
        at, window = heapq.heappop(free)
        for other, rate in rates.items():
            queue[other] += rate * (at - last)
        last = at
        taken = next((s for s in figures.windows.get(window, [service]) if s == service or queue.get(s, 0) >= 1),
                     service)
        if taken == service:
            if left == 0:
                return at + CALL_DELAY_MIN
            left -= 1
        else:
            queue[taken] -= 1
        heapq.heappush(free, (at + hold[taken], window))
    return last + (left + 0.5) / max(throughput(figures, service, windows, walk), 1e-6)


def _mix(figures: Figures, service: str, ahead: int, windows: list[int], now: float | None) -> float | None:
    if ahead == 0:  # only the windows' state tells: a free window now, or the first to finish
        return _flow(figures, service, ahead, windows, now)
    blended = _blend(figures, service, ahead, windows, now, figures.walk_minutes())
    return FLOW_WEIGHT * _flow(figures, service, ahead, windows, now) + (1 - FLOW_WEIGHT) * blended


def erlang_c(servers: float, load: float) -> float:
    """The probability that an arrival waits in an M/M/c queue with ``servers`` windows and
    ``load`` = arrival rate x service time (Erlang-C); 1 when the queue cannot keep up."""
    c = max(1, round(servers))
    if load >= c:
        return 1.0
    term, total = 1.0, 1.0
    for k in range(1, c):
        term *= load / k
        total += term
    last = term * load / c * c / (c - load)
    return last / (total + last)


def _erlang(figures: Figures, service: str, ahead: int, windows: list[int], now: float | None) -> float | None:
    mean = figures.mean_minutes(service)
    servers = sum(figures.share(w, service) for w in windows)
    recent = figures.arrivals.get(service, ())
    now = now if now is not None else max(recent, default=0.0)
    arrivals = [t for t in recent if now - t <= RATE_SPAN_S]
    if len(arrivals) < 2:
        return ahead / max(servers, 0.2) * mean
    rate = len(arrivals) / max(now - arrivals[0], 60.0) * 60  # arrivals a minute
    load = rate * mean
    capacity = max(servers, 0.2) / mean  # tickets the windows finish a minute
    if load >= max(round(servers), 1) or capacity <= rate:
        return ahead / capacity  # overloaded: the queue drains at capacity
    return erlang_c(servers, load) / (capacity - rate)


Rule = Callable[[Figures, str, int, list[int], float], "float | None"]
ESTIMATORS: dict[str, Rule] = {"today": _today, "recent": _recent, "erlang": _erlang, "drain": _drain,
                               "pool": _pool, "blend": _blend, "flow": _flow, "mix": _mix}
BEST = "mix"
"""The estimator the engine uses: the best of ``kiosk simulate``'s comparison (DESIGN.md §8)."""


def estimate(figures: Figures, service: str, ahead: int, windows: list[int], now: float | None,
             name: str = BEST) -> Estimate | None:
    """The wait of a ticket with ``ahead`` tickets before it in ``service``, whose open windows are
    ``windows``; None when no window serves it now (nobody can say). ``now`` None: the time of
    the latest call or arrival in the figures (the engine's views have no clock)."""
    if not windows:
        return None
    minutes = ESTIMATORS[name](figures, service, max(ahead, 0), windows, now)
    return None if minutes is None else ranged(minutes, ahead)


def shown_range(minutes: int, ahead: int) -> tuple[int, int]:
    """The range a screen shows for a published whole-minute estimate (``Ticket.eta_minutes``)
    and the tickets ahead: the same spread as ``ranged``, so kiosk and page agree."""
    found = ranged(float(minutes), ahead)
    return max(found.low, 1), max(found.high, 1)


def wait_text(estimate: Estimate | None, lang: str = "zh") -> str:
    """The estimate as a citizen reads it: "马上" / "now" when a window is free for the ticket
    (under half a minute), a single figure when the range is narrow, else "约 10–15 分钟"; "—"
    when it cannot be known. Nobody ahead while every window is busy is a wait, not "now"."""
    if estimate is None:
        return "—" if lang == "zh" else "not known"
    if estimate.shown == 0:
        return "马上" if lang == "zh" else "now"
    if estimate.high - estimate.low <= 2:
        return f"约 {max(estimate.shown, 1)} 分钟" if lang == "zh" else f"about {max(estimate.shown, 1)} min"
    low = max(estimate.low, 1)
    return f"约 {low}–{estimate.high} 分钟" if lang == "zh" else f"about {low}–{estimate.high} min"


def hall_figures(conn, config, day: str) -> Figures:  # noqa: ANN001 - a Connection and a HallConfig
    """The figures of ``day`` from its latest rows: the last finished tickets and calls (a few per
    service, by LIMIT, newest first) and the waiting count per service; the engine's views keep
    them as long as the rest of their slow state."""
    from kiosk import day_stats

    keep = config.policy.recent_service_samples
    served_q, called_q, issued_q = _figure_queries(max(keep, RECENT) * len(config.services))
    served = conn.execute(served_q, {"day": day}).all()
    called = conn.execute(called_q, {"day": day}).all()
    # The latest issues (the (day, issued_at) index): the arrival rates ``flow`` expects.
    issued = conn.execute(issued_q, {"day": day}).all()
    figures = Figures.from_rows({w.number: list(w.services) for w in config.windows},
                                {s.code: s.service_minutes for s in config.services}, served, called, keep, issued)
    # The waiting counts from the per-service counters (kiosk.day_stats), not a count of rows.
    counts = day_stats.read_day(conn, day, [s.code for s in config.services])
    figures.waiting = {code: c.waiting for code, c in counts.items() if c.waiting}
    return figures


@functools.lru_cache(maxsize=8)
def _figure_queries(limit: int) -> tuple:
    """``hall_figures``' three statements, built once per LIMIT (building a statement costs more
    than running it: a simulated day rebuilt them 1,500 times)."""
    from sqlalchemy import bindparam, select

    from kiosk import store as db

    t, c = db.tickets, db.calls
    day = bindparam("day")
    served = (select(t.c.window, t.c.service, t.c.finished_at - t.c.started_at, t.c.started_at - t.c.called_at)
              .where(t.c.day == day, t.c.finished_at.is_not(None), t.c.started_at.is_not(None),
                     t.c.window.is_not(None))
              .order_by(t.c.finished_at.desc()).limit(limit))
    called = (select(c.c.window, c.c.service, c.c.called_at).where(c.c.day == day, c.c.repeat == 0)
              .order_by(c.c.seq.desc()).limit(limit))
    issued = select(t.c.service, t.c.issued_at).where(t.c.day == day).order_by(t.c.issued_at.desc()).limit(limit)
    return served, called, issued
