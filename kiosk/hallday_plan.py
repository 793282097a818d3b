"""The plan of a simulated hall day: who comes when, for what (DESIGN.md §8 "A simulated day").

Pure and seeded: the same hall, day and seed give the same plan. ``kiosk.hallday`` plays the plan
through the real engine. Citizens' ID numbers are made up here (valid check digit, a birth date
that fits the priority they ask for) and only ever leave this module sealed to the hall's key.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from drivers.idcard.idnumber import check_character
from kiosk.config import HallConfig, Hours, Service, Window
from kiosk.hours import hours_reason

# Relative arrivals per hour of the day (by the hour the arrival falls in): a morning peak
# 9–11, an afternoon peak 14–16; the lunch break and closed hours are cut by the hall's hours.
HOURLY_CURVE = {8: 0.9, 9: 1.55, 10: 1.6, 11: 1.1, 12: 0.5, 13: 0.7, 14: 1.3, 15: 1.25, 16: 0.8, 17: 0.4}
# Uneven shares of the sample hall's services (a hall's other services get Zipf-like shares).
SHARES = {"GC01": 22, "SS01": 17, "TX01": 13, "SS02": 10, "PS02": 9, "TX02": 8, "AP01": 5, "PS01": 5,
          "RE01": 4, "GC02": 3, "AP02": 2}
KIOSKS = ("K01", "K02", "K03", "K04")
GUIDE = "guide desk-1"
"""The guide desk's token actor: staff tickets, requeues after 补正, case steps."""
PORTAL = "guide portal"
"""Remote tickets (channel ``api``): the hall's booking portal, with a guide token of its own."""
REGIONS = ("310101", "310104", "320102", "330106", "110105", "440305", "510107", "420106")
UTILISATION = 0.8
"""How busy ``busy_hall`` plans the windows to be over the day, peaks aside."""


@dataclass(frozen=True)
class Arrival:
    """One citizen's request at the hall."""

    index: int
    at: float
    service: str
    priority: str = "normal"  # what the kiosk or the guide asks for
    channel: str = "kiosk"  # kiosk, staff, api (offline: decided by the kiosk's link at the time)
    kiosk: str = "K01"
    id_number: str | None = None  # made up; sealed before it reaches the hall
    booking: str | None = None
    slot: tuple[float, float] | None = None
    rate_kiosk: bool = False  # rates the kiosk's self-service on its done screen


def day_times(hours: Hours, day: date, tz: ZoneInfo) -> dict[str, float]:
    """The hall day's landmarks as epoch times: open, lunch (start, end) and close."""
    def at(t: time) -> float:
        return datetime.combine(day, t, tz).timestamp()

    lunch_start = at(hours.lunch_start) if hours.lunch_start else None
    return {"open": at(hours.open), "close": at(hours.close), "lunch_start": lunch_start,
            "lunch_end": at(hours.lunch_end) if hours.lunch_end else None}


@dataclass(frozen=True)
class Profile:
    """What a day's demand looks like: relative arrivals per hour of the day, services' relative
    shares, and each service's service time as a lognormal (mu, sigma of ln minutes). Empty
    fields fall back to HOURLY_CURVE, SHARES and the hall file's service_minutes
    (``kiosk.simulate`` fits one from an event log)."""

    hourly: dict[int, float] = field(default_factory=dict)
    shares: dict[str, float] = field(default_factory=dict)
    service_time: dict[str, tuple[float, float]] = field(default_factory=dict)

    def minutes(self, rng: random.Random, service: Service) -> float:
        """One citizen's service time at the window, in minutes (capped at four times the mean)."""
        if service.code not in self.service_time:
            return min(rng.lognormvariate(math.log(service.service_minutes * 0.85), 0.5), service.service_minutes * 4)
        mu, sigma = self.service_time[service.code]
        return min(rng.lognormvariate(mu, sigma), math.exp(mu + sigma * sigma / 2) * 4)


def shares(config: HallConfig, profile: Profile | None = None) -> dict[str, float]:
    """Each service's share of the arrivals (summing to 1)."""
    given = profile.shares if profile and profile.shares else SHARES
    weights = {s.code: given.get(s.code, 10 / (i + 1)) for i, s in enumerate(config.services)}
    total = sum(weights.values())
    return {code: w / total for code, w in weights.items()}


def arrival_times(rng: random.Random, count: int, day: date, config: HallConfig,
                  curve: dict[int, float] | None = None) -> list[float]:
    """``count`` arrival times over the hall's open minutes, following ``curve`` (HOURLY_CURVE)."""
    curve = curve or HOURLY_CURVE
    tz = ZoneInfo(config.hall.timezone)
    start = datetime.combine(day, time(0), tz)
    minutes, weights = [], []
    for minute in range(24 * 60):
        when = start + timedelta(minutes=minute)
        if hours_reason(config.hall.hours, when) is None:
            minutes.append(when.timestamp())
            weights.append(curve.get(when.hour, 0.2))
    if not minutes:
        raise ValueError(f"the hall is closed all of {day} (its [hall.hours]); pick a day it opens")
    picks = rng.choices(minutes, weights=weights, k=count)
    return sorted(p + rng.random() * 60 for p in picks)


def id_number(rng: random.Random, born: date) -> str:
    """A made-up 18-digit resident ID number with a valid check character."""
    first = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first + check_character(first)


def _birth(rng: random.Random, day: date, elderly: bool) -> date:
    age = rng.randint(66, 88) if elderly else rng.randint(19, 62)
    return date(day.year - age - 1, rng.randint(1, 12), rng.randint(1, 28))


def plan_day(config: HallConfig, day: date, tickets: int, rng: random.Random,
             profile: Profile | None = None) -> list[Arrival]:
    """The day's arrivals in time order: services by their shares, priorities (seniors by a
    card's age, disability at the kiosk, staff-only ones from the guide desk), a few remote
    tickets, appointments with their slots, and which citizens carry an ID card."""
    times = arrival_times(rng, tickets, day, config, profile.hourly if profile else None)
    share = shares(config, profile)
    codes, weights = list(share), list(share.values())
    arrivals = []
    for index, at in enumerate(times):
        service = config.service(rng.choices(codes, weights)[0])
        roll = rng.random()
        priority, channel = "normal", "kiosk"
        if roll < 0.06 and "elderly" in service.priorities:
            priority = "elderly"
        elif roll < 0.08 and "disabled" in service.priorities:
            priority = "disabled"
        elif roll < 0.09:
            priority, channel = next((p for p in ("green", "military", "pregnant") if p in service.priorities),
                                     "normal"), "staff"
        elif roll < 0.11:
            channel = "api"
        booking = slot = None
        if channel == "kiosk" and priority == "normal" and rng.random() < 0.03 and "appointment" in service.priorities:
            slot_start = (at + 600) // 1800 * 1800  # the half hour the citizen booked, arriving early or a bit late
            slot = (slot_start, slot_start + 1800)
            booking = f"BK{day:%Y%m%d}{index:05d}"
        carries_card = service.id_required or priority == "elderly" or rng.random() < 0.3
        born = _birth(rng, day, priority == "elderly")
        arrivals.append(Arrival(
            index=index, at=at, service=service.code, priority=priority, channel=channel,
            kiosk=rng.choice(KIOSKS), id_number=id_number(rng, born) if carries_card else None,
            booking=booking, slot=slot, rate_kiosk=channel == "kiosk" and rng.random() < 0.08))
    return arrivals


def open_minutes(hours: Hours) -> float:
    """Minutes a window is open on a day of ``hours``, lunch excluded."""
    def minutes(t: time) -> float:
        return t.hour * 60 + t.minute

    total = minutes(hours.close) - minutes(hours.open)
    if hours.lunch_start and hours.lunch_end:
        total -= minutes(hours.lunch_end) - minutes(hours.lunch_start)
    return total


def busy_hall(config: HallConfig, tickets: int, utilisation: float = UTILISATION) -> HallConfig:
    """``config`` staffed for ``tickets`` a day: each zone gets the windows its expected work
    needs to be busy ``utilisation`` of the open hours (copies of its windows, numbered after the
    last), and each service a daily quota with room above its expected share. A hall that can
    take the day already is returned as is."""
    share = shares(config)
    work: dict[str, float] = {}
    for service in config.services:
        work[service.zone] = work.get(service.zone, 0.0) + tickets * share[service.code] * service.service_minutes
    per_window = open_minutes(config.hall.hours) * utilisation
    windows = list(config.windows)
    number = max(w.number for w in windows)
    for zone, minutes in work.items():
        own = [w for w in config.windows if w.zone == zone]
        need = math.ceil(minutes / per_window) - len(own)
        for i in range(max(0, need) if own else 0):
            number += 1
            windows.append(_copy_window(own[i % len(own)], number))
    services = [s.model_copy(update={"daily_quota": max(s.daily_quota, math.ceil(tickets * share[s.code] * 1.5) + 20)})
                for s in config.services]
    if len(windows) == len(config.windows) and services == config.services:
        return config
    return HallConfig.model_validate({**config.model_dump(), "windows": [w.model_dump() for w in windows],
                                      "services": [s.model_dump() for s in services]})


def _copy_window(window: Window, number: int) -> Window:
    if window.kind == "desk":
        name = {"zh": f"{number}号咨询台", "en": f"Help desk {number}"}
    else:
        name = {"zh": f"{number}号窗口", "en": f"Window {number}"}
    return Window.model_validate({**window.model_dump(), "number": number, "name": name})
