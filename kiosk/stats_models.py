"""The statistics report (DESIGN.md "Statistics"): what ``kiosk.stats.compute`` returns, the
stats API sends and the exports write. Times are in minutes, shares between 0 and 1."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

GROUPINGS = ("service", "window", "clerk", "hour", "day", "priority", "channel")
"""What a report's rows may be: one row per service, window, clerk, hour of the day, day,
priority or issuing channel."""
Grouping = Literal["service", "window", "clerk", "hour", "day", "priority", "channel"]

CHANNELS = ("kiosk", "staff", "appointment", "offline", "remote")
"""How a ticket came: a kiosk, staff (a guide's desk), an appointment checked in (whatever
issued it), a kiosk's offline paper sent later, or a remote system through the API."""

LEVELS = (5, 4, 3, 2, 1)
"""Rating levels, best first: 5 非常满意 … 1 非常不满意."""


class Figures(BaseModel):
    """Durations in minutes: how many, their mean, median and 90th percentile (None without
    any); ``over`` the share above the report's threshold (waits only)."""

    n: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    over: float | None = None


class EstimateError(BaseModel):
    """The wait estimate shown at issue against the wait that followed, in minutes: the mean
    absolute error, the bias (mean of actual − estimate: above 0, citizens waited longer than
    told) and how many tickets had both."""

    n: int = 0
    mae: float | None = None
    bias: float | None = None


class StatsRow(BaseModel):
    """One group of the report (or the totals): ``key`` is the service code, window number,
    clerk's 工号, hour (``09``), day (``2026-11-23``), priority code or channel; ``""`` holds
    what has none (tickets never called have no window)."""

    key: str
    label: dict[str, str] = Field(description="the group's name in zh and en")
    issued: int = 0
    channels: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    served: int = 0
    no_show: int = 0
    transferred: int = 0
    requeued: int = 0
    wait: Figures = Field(default_factory=Figures, description="arrival (issue) to first call")
    service: Figures = Field(default_factory=Figures, description="start to finish of served tickets")
    walk: Figures = Field(default_factory=Figures, description="call to start")
    open_min: float | None = Field(default=None, description="windows open: a clerk signed in, not paused")
    idle_min: float | None = Field(default=None, description="open with no ticket called or in service")
    estimate: EstimateError = Field(default_factory=EstimateError)
    ratings: dict[str, int] = Field(default_factory=lambda: {str(level): 0 for level in LEVELS})
    rated: int = 0
    satisfaction: float | None = Field(default=None, description="share of ratings at level 3 or better")
    cases_opened: int = 0
    cases_in_time: int = 0
    cases_overdue: int = 0


class StatsReport(BaseModel):
    """Figures of the hall's days ``start`` to ``end`` (inclusive, in its time zone), one row per
    group of ``by`` and a totals row."""

    hall: str
    hall_name: dict[str, str]
    timezone: str
    start: date
    end: date
    by: Grouping
    threshold_min: int
    rows: list[StatsRow]
    totals: StatsRow
