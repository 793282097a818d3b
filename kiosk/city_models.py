"""The city view's report (kiosk.city): what ``GET /api/v1/city/stats`` sends and the console's
City page shows. Figures are ``kiosk.stats_models.StatsRow``s: minutes and shares as there."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from kiosk.stats_models import StatsReport, StatsRow


class CityRow(BaseModel):
    """One hall: its code, names, where its own console is, how many wait now, and the totals
    row of its statistics report for the period."""

    code: str
    name: dict[str, str] = Field(description="the hall's name in zh and en")
    public_url: str | None = Field(default=None, description="the hall server's address, as its hall file gives it")
    waiting: int = Field(description="tickets of today waiting or held now")
    figures: StatsRow


class CityReport(BaseModel):
    """Every hall's figures of the days ``start`` to ``end`` and the city's total (all halls'
    tickets pooled); ``detail``: the one hall's report when the view is filtered to it."""

    start: date
    end: date
    threshold_min: int
    halls: list[CityRow]
    total: StatsRow
    waiting: int
    detail: StatsReport | None = None
