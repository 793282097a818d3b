"""The Live page: every queue, every window and the alerts, redrawn on each hall event.

The page opens an event stream (``/console/events``, the hub's stream authorised by the session
cookie: EventSource cannot send an Authorization header) and on each event fetches
``/console/live.json`` and redraws; it never reloads.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from kiosk.accounts import Account
from kiosk.console import live
from kiosk.console.i18n import words
from kiosk.console.web import Page, console_of, render, signed_in

PAGE = Page("live", "/console/", "实时", "Live", ("director", "guide", "it", "admin"), order=10)
router = APIRouter(prefix="/console", include_in_schema=False)
Anyone = Depends(signed_in())

TEXT = {
    "live": ("实时", "Live"),
    "queues": ("排队", "Queues"),
    "windows": ("窗口", "Windows"),
    "alerts": ("提醒", "Alerts"),
    "no_alerts": ("暂无提醒", "No alerts"),
    "service": ("业务", "Service"),
    "waiting": ("等候", "Waiting"),
    "longest": ("最长等候", "Longest wait"),
    "estimate": ("预计", "Estimate"),
    "state": ("状态", "State"),
    "issued": ("已取号", "Issued"),
    "open": ("开放", "Open"),
    "paused": ("暂停", "Paused"),
    "closed_paused": ("已暂停", "Paused"),
    "closed_quota": ("号已取完", "Quota used"),
    "closed_lunch": ("午休", "Lunch break"),
    "closed_not_today": ("今日不办理", "Not today"),
    "closed_before_hours": ("未到办理时间", "Not open yet"),
    "closed_after_hours": ("已过办理时间", "Closed for today"),
    "no_clerk": ("无人登录", "Nobody signed in"),
    "unstaffed": ("无人值守", "Unstaffed"),
    "idle": ("空闲", "Idle"),
    "called": ("已呼叫", "Called"),
    "serving": ("办理中", "Serving"),
    "minutes": ("分钟", "min"),
    "desk": ("咨询台", "Help desk"),
    "window": ("窗口", "Window"),
    "reconnecting": ("连接中断，正在重连…", "Connection lost, reconnecting…"),
    "updated": ("更新于", "Updated"),
}


@router.get("/")
def live_page(request: Request, account: Account = Anyone) -> Response:
    """The page; its tables are drawn by console.js from live.json."""
    return render(request, "live.html", texts=TEXT, words_json=_words(request))


@router.get("/live.json")
async def live_json(request: Request, account: Account = Anyone) -> Response:
    """The Live page's data (small: a hall has tens of services and windows)."""
    data = await run_in_threadpool(live.snapshot, console_of(request).engine)
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


@router.get("/events")
async def events(request: Request, account: Account = Anyone) -> Response:
    """The hall's event stream for the console, from the newest event on (the page refetches
    the whole state after a reconnection, so it needs no replay)."""
    engine = console_of(request).engine
    return request.app.state.event_hub.response(engine.feed.last_seq())


def _words(request: Request) -> dict:
    """The page's words for its script, in the request's language."""
    return dict(words(request, TEXT))
