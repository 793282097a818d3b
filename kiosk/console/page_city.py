"""The City page: every hall of a city database side by side (kiosk.city), for city accounts.

One row per hall (tickets, served, waiting now, mean and p90 wait, long waits, satisfaction,
cases overdue), the city's total row (every hall's tickets pooled), and per hall a filter that
shows its rows by service and a link to its own console. Only a city account's session
(``kiosk.city_api``: signed in at /console/city/login) opens it; a hall's accounts never see it,
not even in their top bar (``Page.city``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kiosk.city_api import city_of, city_session, today_of
from kiosk.console.i18n import Table, lang_of, pick, words
from kiosk.console.page_stats import TEXT as STATS_TEXT
from kiosk.console.page_stats import parse_query, quick_picks
from kiosk.console.stats_view import shown, table_of
from kiosk.console.web import Page, Refused, console_of
from kiosk.domain import HallError

PAGE = Page("city", "/console/city", "城市总览", "City", (), order=90, city=True)
router = APIRouter(prefix="/console/city", include_in_schema=False)

TEXT = {
    "title": ("城市总览", "City"),
    "city": ("全市政务服务大厅", "City service halls"),
    "city_sign_in": ("城市账户登录", "City account sign-in"),
    "city_hint": ("请使用城市账户（kiosk accounts add --city）登录；各大厅自己的账户不能查看城市总览。",
                  "Sign in with a city account (kiosk accounts add --city); a hall's own accounts do not open "
                  "the city view."),
    "hall": ("大厅", "Hall"),
    "halls": ("各大厅", "Halls"),
    "all_halls": ("全部大厅", "All halls"),
    "waiting_now": ("当前等候", "Waiting now"),
    "issued": ("取号", "Issued"),
    "served": ("办结", "Served"),
    "no_show": ("过号", "No-show"),
    "mean_wait": ("平均等候", "Mean wait"),
    "p90_wait": ("P90 等候", "P90 wait"),
    "long_waits": ("超时率", "Long waits"),
    "mean_service": ("平均办理", "Mean service"),
    "satisfaction": ("好评率", "Satisfied"),
    "overdue": ("超期工单", "Cases overdue"),
    "links": ("查看", "View"),
    "by_service_of": ("按服务事项", "By service"),
    "its_console": ("本厅控制台", "Its console"),
    "city_total": ("全市合计", "City total"),
    "no_halls": ("数据库里还没有大厅：用 kiosk serve --db … --hall 代码 启动各大厅的服务器。",
                 "The database holds no hall yet: start each hall's server with kiosk serve --db … --hall CODE."),
    "unknown_hall": ("没有代码为“{code}”的大厅，请从列表中选择。", "There is no hall “{code}”; choose one from the list."),
    "minutes_note": ("时间单位：分钟", "Times in minutes"),
    "detail_of": ("{hall}：按服务事项", "{hall}: by service"),
}


def render_city(request: Request, template: str, account, *, status: int = 200, texts: Table | None = None,
                **context: Any) -> HTMLResponse:  # noqa: ANN001 - the city Account or None
    """A city page: the console's templates with the city's top bar (its account, its sign-out)
    instead of a hall's."""
    console = console_of(request)
    session = city_session(request) if account is not None else None
    base = {
        "request": request, "t": words(request, *([texts] if texts else []), TEXT), "lang": lang_of(request),
        "account": account, "csrf": session.csrf if session else "",
        "static": lambda f: f"/console/static/{f}?v={console.version(f)}",
        "here": quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe=""),
        "pick": lambda names: pick(request, names.get("zh", ""), names.get("en", "")),
    }
    html = console.env.get_template(template).render(**base, **context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def hall_cells(row) -> list[str]:  # noqa: ANN001 - a StatsRow
    """The figures a hall's (or the total's) row shows, in the table's column order, written as
    the Statistics page writes them (kiosk.console.stats_view.shown)."""
    return [shown(row.issued, "count"), shown(row.served, "count"), shown(row.no_show, "count"),
            shown(row.wait.mean, "minutes"), shown(row.wait.p90, "minutes"), shown(row.wait.over, "share"),
            shown(row.service.mean, "minutes"), shown(row.satisfaction, "share"), shown(row.cases_overdue, "count")]


@router.get("")
def page(request: Request) -> Response:
    """The halls' table for the period (default today) and, filtered to a hall, its services."""
    if getattr(request.app.state, "city", None) is None:  # a hall server started without --city
        raise Refused(404, "not_found")
    city = city_of(request)
    session = city_session(request)
    if session is None:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
        return RedirectResponse(f"/console/city/login?next={target}", status_code=303)
    t = words(request, STATS_TEXT, TEXT)
    today = today_of(request)
    q = parse_query(request.query_params, today, t)
    only = request.query_params.get("hall") or None
    halls = city.halls()
    if only is not None and only not in {h.code for h in halls}:
        q.errors.append(t["unknown_hall"].format(code=only[:24]))
    context = {"q": q, "only": only, "halls": halls, "picks": quick_picks(today), "report": None, "detail": None}
    if not q.errors:
        try:
            report = city.report(q.first, q.last, threshold_min=q.minutes, now=request.app.state.engine.clock.now(),
                                 today=today.isoformat(), only=only)
        except HallError as exc:
            q.errors.append(exc.detail)
        else:
            detail = table_of(report.detail, t, lang_of(request)) if report.detail is not None else None
            context.update(report=report, detail=detail, cells=hall_cells)
    return render_city(request, "city.html", session.account, status=400 if q.errors else 200, texts=STATS_TEXT,
                       **context)
