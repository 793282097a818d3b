"""What the Statistics page shows of a report: its table (columns grouped under headings, values
formatted) and its four charts (kiosk.console.charts), in the page's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from kiosk.console import charts
from kiosk.console.charts import Series
from kiosk.stats_models import LEVELS, StatsReport, StatsRow

LEVEL_COLORS = {5: "#1b7f3b", 4: "#63b06a", 3: "#b7c95a", 2: "#e59a3c", 1: "#b3261e"}
LEVEL_NAMES = {5: ("非常满意", "Very satisfied"), 4: ("满意", "Satisfied"), 3: ("基本满意", "Fairly satisfied"),
               2: ("不满意", "Dissatisfied"), 1: ("非常不满意", "Very dissatisfied")}


@dataclass(frozen=True)
class Col:
    """A column of the table: its heading group, its key in the page's words, its value, how it
    is shown (``count``, ``minutes``, ``hours``, ``share``) and the key of its tooltip."""

    group: str
    key: str
    value: Callable[[StatsRow], float | None]
    kind: str = "count"
    hint: str = ""


COLUMNS = (
    Col("g_tickets", "issued", lambda r: r.issued),
    Col("g_tickets", "served", lambda r: r.served),
    Col("g_tickets", "no_show", lambda r: r.no_show),
    Col("g_tickets", "transferred", lambda r: r.transferred),
    Col("g_tickets", "requeued", lambda r: r.requeued),
    Col("g_wait", "mean", lambda r: r.wait.mean, "minutes"),
    Col("g_wait", "median", lambda r: r.wait.median, "minutes"),
    Col("g_wait", "p90", lambda r: r.wait.p90, "minutes"),
    Col("g_wait", "over", lambda r: r.wait.over, "share", "over_hint"),
    Col("g_service", "mean", lambda r: r.service.mean, "minutes"),
    Col("g_service", "median", lambda r: r.service.median, "minutes"),
    Col("g_service", "p90", lambda r: r.service.p90, "minutes"),
    Col("g_walk", "mean", lambda r: r.walk.mean, "minutes"),
    Col("g_windows", "open", lambda r: r.open_min, "hours"),
    Col("g_windows", "idle", lambda r: r.idle_min, "hours", "idle_hint"),
    Col("g_estimate", "mae", lambda r: r.estimate.mae, "minutes"),
    Col("g_estimate", "bias", lambda r: r.estimate.bias, "minutes", "bias_hint"),
    Col("g_ratings", "rated", lambda r: r.rated),
    Col("g_ratings", "satisfaction", lambda r: r.satisfaction, "share", "satisfaction_hint"),
    Col("g_cases", "cases_opened", lambda r: r.cases_opened),
    Col("g_cases", "cases_in_time", lambda r: r.cases_in_time),
    Col("g_cases", "cases_overdue", lambda r: r.cases_overdue),
)


def shown(value: float | None, kind: str) -> str:
    """A cell's text: minutes and hours with one decimal, shares in percent, none as a dash."""
    if value is None:
        return "—"
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "hours":
        return f"{value / 60:.1f}"
    if kind == "minutes":
        return f"{value:.1f}"
    return str(value)


def table_of(report: StatsReport, t, lang: str) -> dict:  # noqa: ANN001 - the page's words
    """The table's headings (groups with their spans, then columns), its rows and totals row."""
    groups: list[dict] = []
    for col in COLUMNS:
        if groups and groups[-1]["key"] == col.group:
            groups[-1]["span"] += 1
        else:
            groups.append({"key": col.group, "title": t[col.group], "span": 1})
    heads = [{"title": t[c.key], "hint": t[c.hint].format(n=report.threshold_min) if c.hint else ""}
             for c in COLUMNS]

    def line(row: StatsRow) -> dict:
        return {"label": row.label.get(lang, row.key), "key": row.key,
                "cells": [shown(c.value(row), c.kind) for c in COLUMNS]}

    return {"groups": groups, "heads": heads, "rows": [line(r) for r in report.rows], "totals": line(report.totals)}


def charts_of(reports: dict[str, StatsReport], by: str, t, lang: str) -> list[dict]:  # noqa: ANN001
    """The page's four charts, each a title and its SVG (or a sentence when there is nothing)."""
    return [
        {"id": "waits", "title": t["c_waits"], "svg": waits_by_hour(reports["hour"], t)},
        {"id": "services", "title": t["c_services"], "svg": tickets_by_service(reports["service"], t, lang)},
        {"id": "windows", "title": t["c_windows"], "svg": windows_load(reports["window"], t, lang)},
        {"id": "ratings", "title": t["c_ratings"], "svg": ratings_by_level(reports[by], t, lang)},
    ]


def waits_by_hour(report: StatsReport, t) -> Markup:  # noqa: ANN001
    """Mean and P90 wait per hour of issue."""
    rows = [r for r in report.rows if r.key and r.wait.n]
    return charts.columns([f"{r.key}:00" for r in rows],
                          [Series(t["s_mean"], "#0b5cad"), Series(t["s_p90"], "#8cb4de")],
                          [[r.wait.mean, r.wait.p90] for r in rows],
                          title=t["c_waits"], axis=t["minutes"], empty_text=t["e_waits"])


def tickets_by_service(report: StatsReport, t, lang: str) -> Markup:  # noqa: ANN001
    """Tickets issued per service: served, no-show and the rest stacked."""
    rows = [r for r in report.rows if r.issued]
    return charts.stacked_bars(
        [r.label.get(lang, r.key) for r in rows],
        [Series(t["s_served"], "#1b7f3b"), Series(t["s_no_show"], "#e59a3c"), Series(t["s_other"], "#b9c3ce")],
        [[r.served, r.no_show, r.issued - r.served - r.no_show] for r in rows],
        title=t["c_services"], axis=t["tickets"], empty_text=t["e_services"])


def windows_load(report: StatsReport, t, lang: str) -> Markup:  # noqa: ANN001
    """Each window's open time in hours: busy (a ticket called or served) and idle stacked."""
    rows = [r for r in report.rows if r.key and r.open_min]
    return charts.stacked_bars(
        [r.label.get(lang, r.key) for r in rows],
        [Series(t["s_busy"], "#0b5cad"), Series(t["s_idle"], "#c9d3de")],
        [[(r.open_min - (r.idle_min or 0)) / 60, (r.idle_min or 0) / 60] for r in rows],
        title=t["c_windows"], axis=t["hours"], empty_text=t["e_windows"])


def ratings_by_level(report: StatsReport, t, lang: str) -> Markup:  # noqa: ANN001
    """Ratings per group of the table's grouping and in total, levels stacked best first."""
    index = 1 if lang == "en" else 0
    rows = [r for r in report.rows if r.rated]
    if rows:
        rows.append(report.totals)
    return charts.stacked_bars(
        [t["total"] if r is report.totals else r.label.get(lang, r.key) for r in rows],
        [Series(LEVEL_NAMES[level][index], LEVEL_COLORS[level]) for level in LEVELS],
        [[r.ratings.get(str(level), 0) for level in LEVELS] for r in rows],
        title=t["c_ratings"], axis=t["ratings"], empty_text=t["e_ratings"])
