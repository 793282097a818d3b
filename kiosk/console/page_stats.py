"""The Statistics page: a period's figures (kiosk.stats) as a table and four SVG charts, and the
period's report as a CSV or XLSX download (kiosk.stats_export), for the director.

The table and the charts come from one read of the database (``kiosk.stats.compute_many``: the
table's grouping and the charts' hour, service and window); a month of a busy hall is about a
second of it, so a page view never computes twice. Bad input is a sentence on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from kiosk.accounts import Account
from kiosk.clock import local
from kiosk.console.i18n import lang_of, words
from kiosk.console.stats_view import charts_of, table_of
from kiosk.console.web import Page, console_of, render, signed_in
from kiosk.stats import MAX_DAYS, compute, compute_many
from kiosk.stats_api import EXPORTS
from kiosk.stats_export import file_name
from kiosk.stats_models import GROUPINGS

PAGE = Page("stats", "/console/stats", "统计", "Statistics", ("director",), order=20)
router = APIRouter(prefix="/console/stats", include_in_schema=False)
Director = Annotated[Account, Depends(signed_in("director"))]
CHART_GROUPINGS = ("hour", "service", "window")
"""The groupings the charts draw (waits by hour, tickets by service, windows' load)."""

TEXT = {
    "title": ("统计", "Statistics"),
    "from": ("开始日期", "From"),
    "to": ("结束日期", "To"),
    "date_hint": ("年-月-日", "YYYY-MM-DD"),
    "by": ("分组", "Group by"),
    "threshold": ("长等候阈值（分钟）", "Long wait over (min)"),
    "show": ("查询", "Show"),
    "today": ("今天", "Today"),
    "week": ("本周", "This week"),
    "month": ("本月", "This month"),
    "export": ("导出", "Export"),
    "by_service": ("服务事项", "Service"),
    "by_window": ("窗口", "Window"),
    "by_clerk": ("工作人员", "Clerk"),
    "by_hour": ("时段", "Hour"),
    "by_day": ("日期", "Day"),
    "by_priority": ("优先级", "Priority"),
    "by_channel": ("取号渠道", "Channel"),
    "period": ("统计期间", "Period"),
    "no_tickets": ("这段时间没有取号记录。", "No ticket was issued in this period."),
    "figures": ("统计数据", "Figures"),
    "g_tickets": ("票数", "Tickets"),
    "g_wait": ("等候（分钟）", "Wait (min)"),
    "g_service": ("办理（分钟）", "Service (min)"),
    "g_walk": ("到窗（分钟）", "Walk (min)"),
    "g_windows": ("窗口（小时）", "Windows (h)"),
    "g_estimate": ("预计误差（分钟）", "Estimate error (min)"),
    "g_ratings": ("评价", "Ratings"),
    "g_cases": ("工单", "Cases"),
    "issued": ("取号", "Issued"),
    "served": ("办结", "Served"),
    "no_show": ("过号", "No-show"),
    "transferred": ("转移", "Moved"),
    "requeued": ("补正", "Requeued"),
    "mean": ("平均", "Mean"),
    "median": ("中位", "Median"),
    "p90": ("P90", "P90"),
    "over": ("超时率", "Over"),
    "open": ("开放", "Open"),
    "idle": ("空闲", "Idle"),
    "mae": ("平均误差", "MAE"),
    "bias": ("偏差", "Bias"),
    "rated": ("评价数", "Rated"),
    "satisfaction": ("好评率", "Satisfied"),
    "cases_opened": ("新开", "Opened"),
    "cases_in_time": ("按时", "In time"),
    "cases_overdue": ("超期", "Overdue"),
    "over_hint": ("等候超过 {n} 分钟的比例", "Share of waits over {n} min"),
    "bias_hint": ("实际等候减预计等候的平均值：大于 0 表示群众等得比告知的久",
                  "Mean of actual minus estimated wait: above 0, citizens waited longer than told"),
    "satisfaction_hint": ("非常满意、满意、基本满意占全部评价的比例", "Very satisfied, satisfied and fairly satisfied "
                          "over all ratings"),
    "idle_hint": ("窗口开放但没有叫号或办理的时间", "Open with no ticket called or being served"),
    "charts": ("图表", "Charts"),
    "c_waits": ("各时段等候时间", "Waits by hour"),
    "c_services": ("各服务事项取号数", "Tickets by service"),
    "c_windows": ("窗口负荷", "Windows' load"),
    "c_ratings": ("评价等级", "Ratings by level"),
    "minutes": ("分钟", "min"),
    "hours": ("小时", "hours"),
    "tickets": ("张", "tickets"),
    "ratings": ("条", "ratings"),
    "s_mean": ("平均等候", "Mean wait"),
    "s_p90": ("P90 等候", "P90 wait"),
    "s_served": ("办结", "Served"),
    "s_no_show": ("过号", "No-show"),
    "s_other": ("其他（等候、转出、作废）", "Other (waiting, moved, void)"),
    "s_busy": ("忙碌", "Busy"),
    "s_idle": ("空闲", "Idle"),
    "e_waits": ("这段时间没有叫过号，没有等候时间可画。", "No ticket was called in this period: no wait to draw."),
    "e_services": ("这段时间没有取号。", "No ticket was issued in this period."),
    "e_windows": ("这段时间没有窗口开放记录（开放时间来自工作人员在窗口签到）。",
                  "No window was open in this period (open time comes from clerks signing in at windows)."),
    "e_ratings": ("这段时间没有评价。", "No rating was given in this period."),
    "total": ("合计", "Total"),
    "bad_date": ("{name}“{value}”不是日期，请按“年-月-日”填写，例如 2026-11-01。",
                 "{name} “{value}” is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01."),
    "bad_order": ("开始日期 {start} 晚于结束日期 {end}，请把开始日期改为不晚于结束日期。",
                  "The period starts ({start}) after it ends ({end}); choose a start on or before the end."),
    "too_long": ("{start} 至 {end} 超过 {days} 天，请一次最多查询一年。",
                 "{start} to {end} is longer than {days} days; ask for a year or less at a time."),
    "bad_by": ("没有“{value}”这种分组，请从列表中选择。", "There is no grouping “{value}”; choose one from the list."),
    "bad_format": ("导出格式只能是 CSV 或 XLSX，请用页面上的导出按钮。", "Export as CSV or XLSX: use the page's export buttons."),
    "bad_threshold": ("长等候阈值“{value}”应为 0 到 1440 之间的整数分钟数，例如 30。",
                      "The long-wait threshold “{value}” must be a whole number of minutes from 0 to 1440, e.g. 30."),
}


@dataclass
class Query:
    """What the page was asked for, as typed (to show back in the form), and what is wrong."""

    start: str
    end: str
    by: str
    threshold: str
    errors: list[str] = field(default_factory=list)
    first: date | None = None
    last: date | None = None
    minutes: int = 30


def parse_query(params, today: date, t) -> Query:  # noqa: ANN001 - query parameters, the page's words
    """The period, grouping and threshold of a request (defaults: today, by service, 30 min),
    with a sentence for each thing wrong."""
    q = Query(params.get("from") or today.isoformat(), params.get("to") or today.isoformat(),
              params.get("by") or "service", (params.get("threshold") or "30").strip())
    q.first = _day(q.start, t["from"], t, q.errors)
    q.last = _day(q.end, t["to"], t, q.errors)
    if q.first and q.last:
        if q.first > q.last:
            q.errors.append(t["bad_order"].format(start=q.first, end=q.last))
        elif (q.last - q.first).days + 1 > MAX_DAYS:
            q.errors.append(t["too_long"].format(start=q.first, end=q.last, days=MAX_DAYS))
    if q.by not in GROUPINGS:
        q.errors.append(t["bad_by"].format(value=q.by[:40]))
    if not q.threshold.isdecimal() or len(q.threshold) > 4 or int(q.threshold) > 24 * 60:  # not isdigit: "²"
        q.errors.append(t["bad_threshold"].format(value=q.threshold[:20]))
    else:
        q.minutes = int(q.threshold)
    return q


def _day(text: str, name: str, t, errors: list[str]) -> date | None:  # noqa: ANN001 - the page's words
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors.append(t["bad_date"].format(name=name, value=text[:40]))
        return None


def quick_picks(today: date) -> dict[str, tuple[date, date]]:
    """Today, this week (from its Monday) and this month (from its 1st), each up to today."""
    return {"today": (today, today), "week": (today - timedelta(days=today.weekday()), today),
            "month": (today.replace(day=1), today)}


def _today(engine) -> date:  # noqa: ANN001 - a HallEngine
    return local(engine.clock.now(), engine.tz).date()


@router.get("")
def page(request: Request, account: Director) -> Response:
    """The form, and for a good query the figures' table and the charts."""
    engine = console_of(request).engine
    t = words(request, TEXT)
    today = _today(engine)
    q = parse_query(request.query_params, today, t)
    context = {"q": q, "groupings": GROUPINGS, "picks": quick_picks(today), "report": None}
    if not q.errors:
        reports = compute_many(engine.store, engine.config, q.first, q.last, (q.by, *CHART_GROUPINGS),
                               threshold_min=q.minutes, now=engine.clock.now())
        lang = lang_of(request)
        context.update(report=reports[q.by], table=table_of(reports[q.by], t, lang),
                       charts=charts_of(reports, q.by, t, lang))
    return render(request, "stats.html", status=400 if q.errors else 200, texts=TEXT, **context)


@router.get("/export")
def export(request: Request, account: Director) -> Response:
    """The shown period and grouping as a CSV or XLSX file in the page's language."""
    engine = console_of(request).engine
    t = words(request, TEXT)
    q = parse_query(request.query_params, _today(engine), t)
    kind = request.query_params.get("format", "xlsx")
    if kind not in EXPORTS:
        q.errors.append(t["bad_format"])
    if q.errors:
        context = {"q": q, "groupings": GROUPINGS, "picks": quick_picks(_today(engine)), "report": None}
        return render(request, "stats.html", status=400, texts=TEXT, **context)
    report = compute(engine.store, engine.config, q.first, q.last, q.by, threshold_min=q.minutes,
                     now=engine.clock.now())
    write, media = EXPORTS[kind]
    return Response(write(report, lang_of(request)), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{file_name(report, kind)}"', "Cache-Control": "no-store"})
