"""The hall's working-day calendar (DESIGN.md §4 Cases): weekends, public holidays and 调休.

Chinese public holidays move working days around: a holiday week is paid back by working a
Saturday or Sunday next to it (调休). The hall file lists both (``[calendar] holidays`` and
``workdays``); a day is a working day when it is a declared make-up day, or a weekday that is
not a holiday. Deadlines of cases count working days from the day after they open, and end at
midnight (the hall's time zone) after the last one: "5 working days" means the whole fifth day.

Pure functions over dates; nothing here reads a clock or a file.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_DAYS = 366
"""The longest run of days without one working day that the search accepts: past it the
calendar (a misconfigured one that declares everything a holiday) is refused, not looped on."""


class CalendarSettings(BaseModel):
    """``[calendar]`` of the hall file: the year's holidays and make-up working days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    holidays: list[date] = Field(default=[], description="public holidays (no work, even on a weekday)")
    workdays: list[date] = Field(default=[], description="调休 make-up working days (work, even on a weekend)")
    weekend: list[int] = Field(default=[6, 7], description="ISO weekdays that are the weekend (1 Monday … 7 Sunday)")

    @model_validator(mode="after")
    def _consistent(self) -> CalendarSettings:
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            shown = ", ".join(d.isoformat() for d in both)
            raise ValueError(f"{shown} is both a holiday and a make-up working day; keep it in one list only")
        bad = [d for d in self.weekend if not 1 <= d <= 7]
        if bad:
            raise ValueError(f"weekend days are ISO weekdays 1 (Monday) to 7 (Sunday), not {bad[0]}")
        return self


def is_working_day(day: date, calendar: CalendarSettings) -> bool:
    """Whether the hall works on ``day``."""
    if day in calendar.workdays:
        return True
    if day in calendar.holidays:
        return False
    return day.isoweekday() not in calendar.weekend


def add_working_days(start: date, n: int, calendar: CalendarSettings) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself does not count; a negative
    ``n`` counts backwards; 0 gives ``start``). ValueError when the calendar has no working day
    within a year of the search."""
    step = 1 if n >= 0 else -1
    day, left, idle = start, abs(n), 0
    while left:
        day += timedelta(days=step)
        if is_working_day(day, calendar):
            left, idle = left - 1, 0
        else:
            idle += 1
            if idle > MAX_DAYS:
                raise ValueError("the hall calendar has no working day in a whole year; check [calendar]")
    return day


def working_days_between(start: date, end: date, calendar: CalendarSettings) -> int:
    """How many working days lie after ``start`` up to and including ``end`` (0 when ``end``
    is not after ``start``)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day, calendar)
    return count


def hall_date(ts: float, tz: ZoneInfo) -> date:
    """The hall's calendar date of an epoch time."""
    return datetime.fromtimestamp(ts, tz).date()


def end_of_day(day: date, tz: ZoneInfo) -> float:
    """Midnight after ``day`` in the hall's time zone, as an epoch time: a deadline "on" a day
    lasts the whole day."""
    return datetime.combine(day + timedelta(days=1), time(0), tz).timestamp()


def deadline_after(opened_at: float, n: int, calendar: CalendarSettings, tz: ZoneInfo) -> float:
    """The deadline of something opened at ``opened_at`` with ``n`` working days to answer:
    the end of the ``n``-th working day after the opening day, in the hall's time zone."""
    return end_of_day(add_working_days(hall_date(opened_at, tz), n, calendar), tz)


def reminder_before(deadline_at: float, n: int, calendar: CalendarSettings, tz: ZoneInfo) -> float:
    """When to remind of a deadline ``n`` working days ahead: the start of the working day
    ``n`` working days before the deadline's last day (0: the start of that last day)."""
    last = hall_date(deadline_at - 1, tz)  # the deadline is midnight after its last day
    return end_of_day(add_working_days(last, -n, calendar) - timedelta(days=1), tz)
