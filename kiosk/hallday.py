"""A simulated busy hall day through the real engine (DESIGN.md §8 "A simulated day").

``simulate_day`` plays one hall day in time order, a discrete-event loop on the engine's fake
clock: citizens arrive at the kiosks (``kiosk.hallday_plan``), clerks sign in at their windows,
call, wait for the citizen to walk up, recall, mark no-shows, serve for a lognormal time, send a
citizen away for missing materials (the guide requeues the ticket when they come back: 补正),
transfer a few, pause their window now and then, go to lunch and home. Citizens rate the
service; bad ratings open their rectification cases by themselves, the 办不成事 window registers
cases, and the guide answers them. Everything goes through the engine's public methods, with the
actors the hall server would record from the callers' tokens; nothing is written around it.

``simulate_days`` does it for the working days of a period, on one data folder: the month of
statistics the benchmark and the demo read.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import time as timer
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.case_models import CaseActionBody, CaseCreate
from kiosk.clerk_models import NewClerk
from kiosk.clock import FakeClock
from kiosk.config import HallConfig
from kiosk.domain import HallError
from kiosk.engine import HallEngine
from kiosk.hallday_plan import GUIDE, PORTAL, Arrival, Profile, busy_hall, day_times, plan_day
from kiosk.models import ActionRequest, Appointment, Citizen, IssueRequest, Ticket, WindowChange
from kiosk.pins import DEFAULT_N
from kiosk.rating_models import QR_RATER, Rater, RatingRequest
from kiosk.sealing import seal
from kiosk.workdays import is_working_day

OFFLINE_FROM, OFFLINE_MINUTES = clock_time(14, 40), 20
"""The kiosks that have an offline range ([[offline_ranges]]) lose the hall server for 20
minutes in the afternoon (their network switch), issue from their ranges, and send their
offline tickets when the link is back."""
LUNCH_OVERRUN_S = 1800.0
"""A window goes on serving its queue this long past the start of lunch or closing time."""
CASE_OWNER = "整改专员"
OVERDUE_OWNER = "综合科"
"""The owner of the case left unanswered on purpose: it goes overdue."""
COMMENTS = ("等了太久", "窗口人员态度不好", "材料要求说明不清楚", "")
UNRESOLVED = ("跨区迁移需原籍地出具证明，大厅当场无法办理", "系统对接未完成，需要到区分中心办理",
              "所需证明须由其他部门出具")


@dataclass
class DaySummary:
    """What a simulated day did, counted by outcome."""

    day: str
    arrivals: int = 0
    issued: int = 0
    refused: Counter = field(default_factory=Counter)  # by the engine's error code
    channels: Counter = field(default_factory=Counter)  # kiosk, staff, api, offline, appointment
    priorities: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)  # every ticket's state at the end of the day
    actions: Counter = field(default_factory=Counter)  # call, recall, start, finish, no-show, hold, requeue …
    ratings: Counter = field(default_factory=Counter)  # by level
    cases_opened: int = 0
    cases_registered: int = 0
    cases_answered: int = 0
    cases_left_open: int = 0
    sign_ins: int = 0
    pauses: int = 0
    seconds: float = 0.0  # wall-clock time the simulation took

    def as_dict(self) -> dict:
        """A plain dict (for JSON): counters as dicts."""
        return {k: dict(v) if isinstance(v, Counter) else v for k, v in self.__dict__.items()}


@dataclass
class _Window:
    number: int
    services: list[str]
    clerk: str
    state: str = "off"  # off, idle, busy, paused
    ticket: str | None = None
    service: str = ""
    shift_end: float = 0.0  # lunch or closing: no new shift part after it
    stop_at: float = 0.0  # the queue is left to the next shift part after this
    pause_pending: float = 0.0  # a break of this many seconds once the current ticket is done


class HallDay:
    """One simulated day over an engine on a FakeClock; ``run`` plays it."""

    rates = True
    """Whether citizens rate (kiosk, window pad, QR); ``kiosk simulate``'s days do not: ratings
    change no wait, and they were a tenth of the day's engine calls."""
    pin_cost = DEFAULT_N
    """scrypt's n of the simulated clerks' PIN hashes (made once per hall: ``ensure_clerks``)."""

    def __init__(self, engine: HallEngine, day: date, tickets: int, seed: int, leave_overdue: bool,
                 profile: Profile | None = None):
        if not isinstance(engine.clock, FakeClock):
            raise TypeError("simulate_day needs an engine on a kiosk.clock.FakeClock: it moves the clock itself")
        self.engine, self.config, self.day = engine, engine.config, day
        self.clock: FakeClock = engine.clock
        self.rng = random.Random(f"{seed}:{day.isoformat()}")
        self.tickets = tickets
        self.leave_overdue = leave_overdue
        self.profile = profile or Profile()
        self.times = day_times(self.config.hall.hours, day, engine.tz)
        self.summary = DaySummary(day.isoformat())
        self._queue: list = []
        self._seq = itertools.count()
        self._idle: dict[str, list[int]] = {}
        self._offline: list[tuple[Arrival, str]] = []
        self._numbers: dict[tuple[str, str], int] = {}
        self._ranges = {r.kiosk: r for r in reversed(self.config.offline_ranges)}
        self._seal_key = engine.keys.public_key
        self._complaints = 0
        self.windows = {w.number: _Window(w.number, list(w.services), clerk_code(w.number))
                        for w in self.config.windows}

    # ----- the loop ---------------------------------------------------------------------------

    def at(self, when: float, kind: str, *args) -> None:
        """Schedule ``kind`` (a method ``_on_<kind>``) at ``when``."""
        heapq.heappush(self._queue, (when, next(self._seq), kind, args))

    def run(self) -> DaySummary:
        """Play the day: morning chores, the events in time order, the evening's count."""
        start = timer.perf_counter()
        self.clock.set(self.times["open"] - 1800)
        plan = plan_day(self.config, self.day, self.tickets, self.rng, self.profile)
        self._morning([a for a in plan if a.booking])
        for arrival in plan:
            self.at(arrival.at, "arrive", arrival)
        self._plan_windows()
        self._plan_offline()
        while self._queue:
            when, _, kind, args = heapq.heappop(self._queue)
            self.clock.set(max(when, self.clock.now()))
            getattr(self, f"_on_{kind}")(*args)
        self._evening()
        self.summary.seconds = timer.perf_counter() - start
        return self.summary

    # ----- morning and evening ------------------------------------------------------------------

    def _morning(self, booked: list[Arrival]) -> None:
        """Clerks exist, the case worker looks at deadlines, the guide answers earlier days'
        cases, and the day's bookings are imported (as ``kiosk appointments import`` would)."""
        ensure_clerks(self.engine, self.windows.values(), pin_cost=self.pin_cost)
        self.engine.check_cases()
        self._answer_cases(earlier=True)
        if booked:
            self.engine.add_appointments([self._booking(a) for a in booked])

    def _booking(self, arrival: Arrival) -> Appointment:
        start, end = arrival.slot
        sealed = seal(arrival.id_number, self._seal_key) if arrival.id_number else None
        return Appointment(booking_code=arrival.booking, service=arrival.service, id_sealed=sealed,
                           slot_start=datetime.fromtimestamp(start, self.engine.tz),
                           slot_end=datetime.fromtimestamp(end, self.engine.tz))

    def _evening(self) -> None:
        self.clock.set(max(self.clock.now(), self.times["close"] + LUNCH_OVERRUN_S) + 600)
        self._answer_cases(earlier=False)
        self.engine.check_cases()
        for ticket in self.engine.tickets(self.day.isoformat()):
            self.summary.states[ticket.state] += 1
            self.summary.priorities[ticket.priority] += 1

    def _answer_cases(self, earlier: bool) -> None:
        """The guide's round: assign and reply to the cases that owe an answer (the ones opened
        earlier, or today's), leaving one unanswered on the first day so it goes overdue."""
        today = self.day.isoformat()
        for case in self.engine.list_cases():
            if case.state not in ("registered", "assigned") or case.owner == OVERDUE_OWNER:
                continue
            opened_today = case.opened_at.date().isoformat() == today
            if earlier == opened_today:
                continue
            if not earlier and self.leave_overdue:
                self.leave_overdue = False
                self._step(case.id, "assign", owner=OVERDUE_OWNER)
                self.summary.cases_left_open += 1
                continue
            if not earlier and self.rng.random() < 0.15:
                continue  # answered tomorrow morning
            if case.state == "registered":
                self._step(case.id, "assign", owner=CASE_OWNER)
            self._step(case.id, "reply", note="已联系当事人说明情况并致歉" if case.kind == "rectify" else "已协调相关部门办理")
            self.summary.cases_answered += 1

    def _step(self, case_id: int, action: str, **body) -> None:
        self.engine.case_step(case_id, action, CaseActionBody(**body), GUIDE)

    # ----- citizens ------------------------------------------------------------------------------

    def _on_arrive(self, arrival: Arrival) -> None:
        self.summary.arrivals += 1
        if arrival.channel == "kiosk" and not arrival.booking and arrival.kiosk in self._ranges \
                and self._link_down():
            self._issue_offline(arrival)
            return
        citizen = Citizen(id_sealed=seal(arrival.id_number, self._seal_key)) if arrival.id_number else None
        staff = arrival.channel != "kiosk"
        req = IssueRequest(
            service=arrival.service, priority=arrival.priority if not arrival.booking else "normal",
            channel=arrival.channel, device="desk-1" if arrival.channel == "staff" else
            "portal" if arrival.channel == "api" else arrival.kiosk, citizen=citizen, appointment=arrival.booking,
            actor=(GUIDE if arrival.channel == "staff" else PORTAL) if staff else f"kiosk {arrival.kiosk}")
        try:
            ticket = self.engine.issue(req, f"sim-{self.day:%Y%m%d}-{arrival.index}")
        except HallError as exc:
            self.summary.refused[exc.code] += 1
            return
        self._issued(ticket, "appointment" if ticket.appointment else arrival.channel)
        if arrival.rate_kiosk and self.rates:
            self._rate(ticket.id, self._level(), Rater("kiosk", f"kiosk {arrival.kiosk}", device=arrival.kiosk))

    def _issued(self, ticket: Ticket, channel: str) -> None:
        self.summary.issued += 1
        self.summary.channels[channel] += 1
        self._wake(ticket.service)

    def _link_down(self) -> bool:
        start = self._offline_start()
        return start <= self.clock.now() < start + OFFLINE_MINUTES * 60

    def _offline_start(self) -> float:
        return datetime.combine(self.day, OFFLINE_FROM, self.engine.tz).timestamp()

    def _plan_offline(self) -> None:
        if not self._ranges:
            return
        self.at(self._offline_start() + OFFLINE_MINUTES * 60 + 5, "sync")

    def _issue_offline(self, arrival: Arrival) -> None:
        """The kiosk numbers the ticket from its own range; it reaches the hall at the sync."""
        from kiosk.domain import format_number

        service = self.config.service(arrival.service)
        key = (arrival.kiosk, service.code)
        seq = self._numbers.get(key, self._ranges[arrival.kiosk].start)
        self._numbers[key] = seq + 1
        self._offline.append((arrival, format_number(service.prefix, seq, service.digits)))

    def _on_sync(self) -> None:
        """The link is back: the kiosks' outboxes send their offline tickets, oldest first."""
        for arrival, number in self._offline:
            citizen = Citizen(id_sealed=seal(arrival.id_number, self._seal_key)) if arrival.id_number else None
            req = IssueRequest(service=arrival.service, priority=arrival.priority, channel="offline",
                               device=arrival.kiosk, citizen=citizen, number=number,
                               issued_at=datetime.fromtimestamp(arrival.at, self.engine.tz),
                               actor=f"kiosk {arrival.kiosk}")
            try:
                ticket = self.engine.issue(req, f"sim-{self.day:%Y%m%d}-{arrival.index}")
            except HallError as exc:
                self.summary.refused[exc.code] += 1
                continue
            self._issued(ticket, "offline")
        self._offline.clear()

    # ----- windows -------------------------------------------------------------------------------

    def _plan_windows(self) -> None:
        """Each window's clerk signs in before opening and after lunch, and takes a break or two."""
        t = self.times
        parts = [(t["open"], t["lunch_start"] or t["close"])]
        if t["lunch_start"]:
            parts.append((t["lunch_end"], t["close"]))
        for window in self.windows.values():
            for begin, end in parts:
                self.at(begin - self.rng.uniform(60, 600), "sign_in", window.number, end)
                self.at(end, "shift_end", window.number)
                if self.rng.random() < 0.5:
                    self.at(self.rng.uniform(begin + 1800, end - 1800), "pause", window.number,
                            self.rng.uniform(300, 900))
        if t["lunch_start"]:  # after lunch a few clerks work at another window than in the morning
            spare = sorted(self.windows)[:: max(1, len(self.windows) // 3)]
            for number in spare[1:]:
                self.windows[number].clerk = clerk_code(number, spare=True)

    def _on_sign_in(self, number: int, shift_end: float) -> None:
        window = self.windows[number]
        if number == min(self.windows) and shift_end == (self.times["lunch_start"] or self.times["close"]):
            self._wrong_pin(number)
        clerk = afternoon_clerk(window, self.times, self.clock.now())
        self.engine.sign_in(number, clerk, clerk_pin(clerk), actor=f"window {number}")
        self.summary.sign_ins += 1
        window.state, window.shift_end, window.stop_at = "idle", shift_end, shift_end + LUNCH_OVERRUN_S
        self._free(window)

    def _wrong_pin(self, number: int) -> None:
        """Every morning someone mistypes their PIN once (the audit keeps it)."""
        try:
            self.engine.sign_in(number, clerk_code(number), "0000", actor=f"window {number}")
        except HallError:
            pass

    def _on_shift_end(self, number: int) -> None:
        window = self.windows[number]
        if window.state == "idle":
            self._sign_out(window)

    def _sign_out(self, window: _Window) -> None:
        self._unidle(window)
        self.engine.sign_out(window.number, actor=f"window {window.number}")
        window.state = "off"

    def _on_pause(self, number: int, seconds: float) -> None:
        window = self.windows[number]
        if window.state == "busy":
            window.pause_pending = seconds
        elif window.state == "idle":
            self._pause(window, seconds)

    def _pause(self, window: _Window, seconds: float) -> None:
        self._unidle(window)
        self.engine.change_window(window.number, WindowChange(paused=True, actor=f"window {window.number}"))
        self.summary.pauses += 1
        window.state, window.pause_pending = "paused", 0.0
        self.at(self.clock.now() + seconds, "resume", window.number)

    def _on_resume(self, number: int) -> None:
        window = self.windows[number]
        self.engine.change_window(number, WindowChange(paused=False, actor=f"window {number}"))
        window.state = "idle"
        self._free(window)

    def _on_free(self, number: int) -> None:
        window = self.windows[number]
        if window.state == "idle":
            self._free(window)

    def _free(self, window: _Window) -> None:
        """The window is done with its ticket: a break, the end of its shift part, or the next call."""
        now = self.clock.now()
        window.state, window.ticket = "idle", None
        if window.pause_pending:
            self._pause(window, window.pause_pending)
            return
        if now >= window.stop_at:
            self._sign_out(window)
            return
        call = self.engine.call_next(window.number, actor=f"window {window.number}")
        if call is None:
            if now >= window.shift_end:
                self._sign_out(window)
            else:
                for service in window.services:
                    self._idle.setdefault(service, []).append(window.number)
            return
        self.summary.actions["call"] += 1
        window.state, window.ticket, window.service = "busy", call.ticket, call.service
        self._citizen_answers(window, call.ticket)

    def _unidle(self, window: _Window) -> None:
        for numbers in self._idle.values():
            if window.number in numbers:
                numbers.remove(window.number)

    def _wake(self, service: str) -> None:
        """A ticket waits in ``service``: one idle window serving it notices within seconds."""
        numbers = self._idle.get(service)
        if numbers:
            window = self.windows[numbers[0]]
            self._unidle(window)
            self.at(self.clock.now() + self.rng.uniform(3, 20), "free", window.number)

    # ----- one ticket at a window ----------------------------------------------------------------

    def _citizen_answers(self, window: _Window, ticket: str) -> None:
        """After the call: the citizen walks up (recalled if slow), or never comes (no-show)."""
        now = self.clock.now()
        # Outcomes by count, not by dice, so that a small day has each of them too: the 13th
        # call of every 25 is a no-show (4 %).
        if self.summary.actions["call"] % 25 == 13:
            self.at(now + 60, "act", window.number, ticket, "recall")
            self.at(now + 120, "act", window.number, ticket, "recall")
            self.at(now + 180, "no_show", window.number, ticket)
            return
        walk = self.rng.lognormvariate(math.log(35), 0.6)
        if walk > 75:
            self.at(now + 60, "act", window.number, ticket, "recall")
        self.at(now + walk, "start", window.number, ticket)

    def _act(self, window: int, ticket: str, action: str, **fields):
        req = ActionRequest(window=window, actor=f"window {window}", **fields)
        result = self.engine.act(ticket, action, req, only_window=window)
        self.summary.actions[action] += 1
        return result

    def _on_act(self, number: int, ticket: str, action: str) -> None:
        self._act(number, ticket, action)

    def _on_no_show(self, number: int, ticket: str) -> None:
        self._act(number, ticket, "no-show", reason="did not come")
        self._free(self.windows[number])

    def _on_start(self, number: int, ticket: str) -> None:
        self._act(number, ticket, "start")
        service = self.config.service(self.windows[number].service)
        starts = self.summary.actions["start"]
        if starts % 33 == 17:  # about 3 %: a document is missing
            self.at(self.clock.now() + self.rng.uniform(90, 300), "missing", number, ticket)
        elif starts % 100 == 51:  # 1 %: the wrong service
            self.at(self.clock.now() + self.rng.uniform(60, 180), "transfer", number, ticket, service.code)
        else:
            minutes = self.profile.minutes(self.rng, service)
            self.at(self.clock.now() + minutes * 60, "finish", number, ticket)

    def _on_finish(self, number: int, ticket: str) -> None:
        done = self._act(number, ticket, "finish")
        if number == self.config.cases.unresolved_window and self.config.service(done.service).kind == "complaint":
            self._complaints += 1
            if self._complaints % 3 == 1:  # a third of the complaints become 办不成事 cases
                self._register_unresolved(number, done)
        roll = self.rng.random()
        # The delays are drawn also when nobody rates, so that the day's other draws stay the same.
        if roll < 0.75:
            rater, later = Rater("window", f"rater window {number}", number), self.rng.uniform(5, 90)
        else:
            rater, later = QR_RATER, self.rng.uniform(600, 7200) if roll < 0.8 else None
        if self.rates and later is not None:
            self.at(self.clock.now() + later, "rate", ticket, rater)
        self._free(self.windows[number])

    def _register_unresolved(self, number: int, ticket) -> None:  # noqa: ANN001 - a Ticket
        """The 办不成事 window writes down what the citizen could not get done elsewhere."""
        others = [s.code for s in self.config.services if s.kind == "standard"] or [ticket.service]
        body = CaseCreate(request="办理" + self.config.service(others[0]).name.zh, reason=self.rng.choice(UNRESOLVED),
                          services=[self.rng.choice(others)], ticket_id=ticket.id)
        self.engine.register_case(body, f"window {number}", number)
        self.summary.cases_registered += 1

    def _on_missing(self, number: int, ticket: str) -> None:
        """A document is missing: the clerk holds the ticket; the citizen fetches it and the guide
        puts the ticket back in the queue (补正回队), its place kept within the grace period."""
        self._act(number, ticket, "hold", reason="补正: missing materials")
        back = self.clock.now() + self.rng.lognormvariate(math.log(1500), 0.4)
        if back < self.times["close"]:
            self.at(back, "back", ticket)
        self._free(self.windows[number])

    def _on_back(self, ticket: str) -> None:
        req = ActionRequest(actor=GUIDE, reason="补正: materials brought")
        result = self.engine.act(ticket, "requeue", req)
        self.summary.actions["requeue"] += 1
        self._wake(result.service)

    def _on_transfer(self, number: int, ticket: str, service: str) -> None:
        targets = [s.code for s in self.config.services if s.code != service and self.config.windows_for(s.code)]
        target = self.rng.choice(targets)
        self._act(number, ticket, "transfer", service=target, reason="wrong service")
        self._free(self.windows[number])
        self._wake(target)

    def _on_rate(self, ticket: str, rater: Rater) -> None:
        rated = sum(self.summary.ratings.values())
        # Every day has its few bad ratings, also a small one: the 10th and 40th are bad.
        self._rate(ticket, {10: 2, 40: 1}.get(rated, self._level()), rater)

    def _level(self) -> int:
        return self.rng.choices((5, 4, 3, 2, 1), weights=(72, 21, 6.4, 0.4, 0.2))[0]

    def _rate(self, ticket: str, level: int, rater: Rater) -> None:
        reasons, comment = [], ""
        if level <= 2:
            codes = [r.code for r in self.config.rating_reasons]
            reasons = self.rng.sample(codes, min(len(codes), self.rng.randint(1, 2)))
            comment = self.rng.choice(COMMENTS)
        try:
            self.engine.rate(ticket, RatingRequest(level=level, reasons=reasons, comment=comment), rater)
        except HallError as exc:
            self.summary.refused[f"rate:{exc.code}"] += 1
            return
        self.summary.ratings[level] += 1
        self.summary.cases_opened += level <= 2


# ----- clerks ---------------------------------------------------------------------------------------

def clerk_code(window: int, spare: bool = False) -> str:
    """The 工号 of window ``window``'s clerk (``spare``: the one who takes it after lunch)."""
    return f"{'S' if spare else ''}0{window:03d}"


def clerk_pin(code: str) -> str:
    """The made-up PIN of a simulated clerk."""
    return f"{sum(ord(ch) for ch in code) % 9000 + 1000}"


def afternoon_clerk(window: _Window, times: dict, now: float) -> str:
    """Who signs in: the morning clerk, or after lunch the window's clerk of the afternoon."""
    if times["lunch_end"] is not None and now >= times["lunch_start"]:
        return window.clerk
    return clerk_code(window.number)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def ensure_clerks(engine: HallEngine, windows, pin_cost: int = DEFAULT_N) -> None:  # noqa: ANN001 - _Window values
    """Register the simulated clerks the hall does not have yet (a PIN hash each: once per hall,
    at scrypt cost ``pin_cost``: their PINs are made up from their 工号 anyway)."""
    known = {c.code for c in engine.clerks()}
    codes = [clerk_code(w.number) for w in windows] + [clerk_code(w.number, spare=True) for w in windows]
    for i, code in enumerate(codes):
        if code not in known:
            name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
            engine.add_clerk(NewClerk(code=code, name=name, pin=clerk_pin(code)), actor="admin it", pin_cost=pin_cost)


# ----- the public functions -------------------------------------------------------------------------

def simulate_day(engine: HallEngine, day: date, *, tickets: int = 3000, seed: int = 1,
                 leave_overdue: bool = True) -> DaySummary:
    """Play one hall day of ``tickets`` arrivals through ``engine`` (on a FakeClock, which this
    moves); ``leave_overdue``: one of the day's cases is assigned but never answered."""
    return HallDay(engine, day, tickets, seed, leave_overdue).run()


def working_days(first_day: date, days: int, config: HallConfig) -> list[date]:
    """The first ``days`` days from ``first_day`` on which the hall works: its calendar's
    working days that its opening hours take too."""
    found, day = [], first_day
    while len(found) < days:
        if is_working_day(day, config.calendar) and day.isoweekday() in config.hall.hours.weekdays:
            found.append(day)
        day += timedelta(days=1)
        if day > first_day + timedelta(days=days * 3 + 30):
            raise ValueError("the hall works too few days for this period; check [calendar] and [hall.hours]")
    return found


def simulate_days(data_dir: Path | str, hall_config: HallConfig, first_day: date, days: int,
                  tickets_per_day: int = 3000, seed: int = 1, *, keys: Path | str | None = None,
                  sync: str = "normal") -> list[DaySummary]:
    """Simulate ``days`` working days from ``first_day`` into ``data_dir``/hall.db, with the
    hall staffed for the load (``busy_hall``; the same config is what statistics of the folder
    should be read with). ``sync="normal"``: the simulated store skips the fsync per commit,
    which the real server keeps; it changes nothing the statistics read. The hall's ID keys go
    to ``keys`` (default: a folder beside ``data_dir``, never inside it)."""
    from kiosk.hall import open_engine

    config = busy_hall(hall_config, tickets_per_day)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = Path(keys) if keys else data_dir.with_name(data_dir.name + "-keys")
    dates = working_days(first_day, days, config)
    clock = FakeClock(datetime.combine(dates[0], clock_time(0), ZoneInfo(config.hall.timezone)))
    engine = open_engine(config, data_dir, clock=clock, sync=sync, keys=keys)
    try:
        return [simulate_day(engine, day, tickets=tickets_per_day, seed=seed, leave_overdue=i == 0)
                for i, day in enumerate(dates)]
    finally:
        engine.store.close()
