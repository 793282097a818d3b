"""The Devices & tokens page: every device's state live, the device tokens, the clerks.

Three tabs under ``/console/devices``: the devices (hall IT; redrawn from ``/console/events``'
``devstate`` events), the tokens (make one, shown once; revoke one after a confirmation) and
the clerks (add, disable; directors too). Every change is recorded with the account as its
actor (``console NAME``). Words live in ``TEXT``; the device wording in ``devices_view``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from kiosk.accounts import Account
from kiosk.console import devices_view, live
from kiosk.console.devices_forms import TEXT as FORM_TEXT
from kiosk.console.devices_forms import clerk_rows, create_clerk, create_token, token_rows
from kiosk.console.i18n import lang_of, words
from kiosk.console.web import Page, console_of, form_of, render, signed_in
from kiosk.domain import HallError
from kiosk.tokens import ROLES, revoke_token

PAGE = Page("devices", "/console/devices", "设备与令牌", "Devices & tokens", ("it", "director"), order=50)
"""Directors see the clerks' tab only; the nav takes them there."""
router = APIRouter(prefix="/console/devices", include_in_schema=False)
ItStaff = Annotated[Account, Depends(signed_in("it"))]
ClerkKeeper = Annotated[Account, Depends(signed_in("it", "director"))]

if devices_view.live_alerts not in live.ALERT_SOURCES:  # the Live page shows paper, readers, kiosks offline
    live.ALERT_SOURCES.append(devices_view.live_alerts)

TEXT = {
    "title": ("设备与令牌", "Devices & tokens"),
    "tab_devices": ("设备", "Devices"),
    "tab_tokens": ("令牌", "Tokens"),
    "tab_clerks": ("工作人员", "Clerks"),
    "device": ("设备", "Device"),
    "status": ("状态", "Status"),
    "last_seen": ("最后上报", "Last seen"),
    "version": ("版本", "Version"),
    "parts": ("部件", "Parts"),
    "outbox": ("待发送", "Outbox"),
    "address": ("地址", "Address"),
    "st_online": ("在线", "Online"),
    "st_offline": ("离线", "Offline"),
    "st_never_seen": ("从未上报", "Never seen"),
    "since": ("自", "since"),
    "no_parts": ("无部件", "No parts"),
    "no_devices": ("还没有设备：在“令牌”页为设备生成令牌，设备启动后会自动上报。",
                   "No devices yet: make a token for each device on the Tokens tab; a device reports once it starts."),
    "summary": ("共 {total} 台：{online} 在线，{offline} 离线，{never_seen} 从未上报；{problems} 台有问题",
                "{total} devices: {online} online, {offline} offline, {never_seen} never seen; "
                "{problems} with a problem"),
    "reconnecting": ("连接中断，正在重连…", "Connection lost, reconnecting…"),
    "id": ("编号", "ID"),
    "role": ("角色", "Role"),
    "bound_to": ("设备 / 窗口", "Device / window"),
    "created": ("创建时间", "Created"),
    "revoked": ("吊销时间", "Revoked"),
    "valid": ("有效", "Valid"),
    "revoke": ("吊销", "Revoke"),
    "new_token": ("生成令牌", "Make a token"),
    "device_name": ("设备名称", "Device name"),
    "device_hint": ("自助机填其编号（kiosk.toml 的 [kiosk] id），其他填一个名称，如 desk-1；字母、数字、- 或 _",
                    "A kiosk: its id ([kiosk] id in its kiosk.toml); others: a name such as desk-1; "
                    "letters, digits, - or _"),
    "window": ("窗口号", "Window"),
    "window_hint": ("呼叫器和评价器绑定一个窗口", "A counter or an evaluator is bound to one window"),
    "make": ("生成", "Make"),
    "no_tokens": ("还没有令牌。", "No tokens yet."),
    "token_shown_once": ("令牌 {id}（{label}）已生成。它只显示这一次，服务器只保存其散列值：请现在复制，填入设备配置文件的 "
                         "[link] token。", "Token {id} ({label}) is made. It is shown this once; the server keeps "
                         "only its hash: copy it now into the device's file as [link] token."),
    "copy": ("复制", "Copy"),
    "copied": ("已复制", "Copied"),
    "copy_hint": ("若复制按钮无效，请选中后按 Ctrl+C。", "If the button does not copy, select it and press Ctrl+C."),
    "revoked_note": ("令牌 {id} 已吊销：使用它的设备从下一次请求起被拒绝。",
                     "Token {id} is revoked: the device using it is refused from its next request."),
    "already_revoked": ("令牌 {id} 早已吊销。", "Token {id} was already revoked."),
    "confirm_revoke": ("吊销令牌 {id}（{label}）？使用它的设备将立即无法连接大厅服务器，需要新令牌才能恢复。",
                       "Revoke token {id} ({label})? The device using it stops reaching the hall server at once "
                       "and needs a new token to work again."),
    "confirm": ("确认", "Confirm"),
    "revoke_title": ("吊销令牌", "Revoke a token"),
    "disable_title": ("停用工作人员", "Disable a clerk"),
    "cancel": ("取消", "Cancel"),
    "code": ("工号", "Code"),
    "name": ("姓名", "Name"),
    "signed_in_at": ("登录窗口", "Signed in at"),
    "state": ("状态", "State"),
    "active": ("在用", "Active"),
    "disabled": ("已停用", "Disabled"),
    "locked": ("锁定 {seconds} 秒", "Locked {seconds} s"),
    "card": ("工作证", "Staff card"),
    "yes": ("有", "Yes"),
    "disable": ("停用", "Disable"),
    "add_clerk": ("添加工作人员", "Add a clerk"),
    "pin": ("PIN（4–12 位数字）", "PIN (4–12 digits)"),
    "pin2": ("再输一次 PIN", "PIN again"),
    "add": ("添加", "Add"),
    "no_clerks": ("还没有工作人员。", "No clerks yet."),
    "added_note": ("已添加工作人员 {code}；PIN 只保存其散列值。", "Clerk {code} is added; only the PIN's hash is kept."),
    "disabled_note": ("工作人员 {code} 已停用（如已登录则已退出）。", "Clerk {code} is disabled (and signed out if they were)."),
    "confirm_disable": ("停用工作人员 {code}（{name}）？如在窗口登录将被退出，之后不能再登录；工号保留。",
                        "Disable clerk {code} ({name})? They are signed out if signed in and cannot sign in again; "
                        "the 工号 stays theirs."),
    "problem": ("请更正：", "Please correct:"),
    "unknown_token": ("没有编号为 {id} 的令牌；请看令牌列表。", "There is no token {id}; see the list of tokens."),
    "unknown_clerk": ("没有工号为 {code} 的工作人员；请看列表。", "There is no clerk {code}; see the list."),
    **{f"trole_{r}": pair for r, pair in devices_view.ROLE_NAMES.items()},  # not role_*: the top bar's
    **{f"rolehelp_{r}": pair for r, pair in {
        "kiosk": ("自助机：取号", "Kiosk: issues tickets"),
        "counter": ("呼叫器：一个窗口叫号", "Counter: calls for one window"),
        "display": ("显示屏：只读", "Display: reads only"),
        "rater": ("评价器：一个窗口的评价", "Evaluator: one window's ratings"),
        "guide": ("导服台：导服操作", "Guide desk: the guides' actions"),
        "admin": ("管理接口：所有操作", "Admin: every action"),
    }.items()},
}


def _tabs(account: Account) -> list[str]:
    return ["clerks"] if account.role == "director" else ["devices", "tokens", "clerks"]


def _li(request: Request) -> int:
    """The index of the request's language in a (zh, en) pair."""
    return 0 if lang_of(request) == "zh" else 1


def _page(request: Request, account: Account, tab: str, *, status: int = 200, **context) -> Response:
    return render(request, "devices.html", status=status, texts={**TEXT, **FORM_TEXT}, tab=tab,
                  tabs=_tabs(account), roles=ROLES, li=_li(request), **context)


def _devices_context(request: Request) -> dict:
    rows = devices_view.device_rows(console_of(request).engine)
    return {"rows": rows, "count": devices_view.summary(rows)}


@router.get("")
def devices_page(request: Request, account: ClerkKeeper) -> Response:
    """The devices tab (a director, who may see the clerks only, goes there)."""
    if account.role == "director":
        return RedirectResponse("/console/devices/clerks", status_code=303)
    return _page(request, account, "devices", **_devices_context(request))


@router.get("/table")
def devices_table(request: Request, account: ItStaff) -> Response:
    """The devices table alone, which the page's script swaps in on each ``devstate`` event."""
    return render(request, "devices_table.html", texts=TEXT, li=_li(request), **_devices_context(request))


@router.get("/tokens")
def tokens_page(request: Request, account: ItStaff) -> Response:
    """The tokens tab: every token (never a token or its hash) and the form making one."""
    return _page(request, account, "tokens", **_tokens_context(request))


def _tokens_context(request: Request) -> dict:
    engine = console_of(request).engine
    note = {}
    if (revoked := request.query_params.get("revoked", "")).isdigit():
        key = "already_revoked" if request.query_params.get("again") else "revoked_note"
        note = {"key": key, "id": revoked}
    return {"tokens": token_rows(engine), "note": note, "form": {}, "problems": {}}


@router.post("/tokens")
async def make_token(request: Request, account: ItStaff) -> Response:
    """Make a token from the form: shown in this answer only (only its hash is stored)."""
    form = await form_of(request)
    engine = console_of(request).engine
    made, problems = await run_in_threadpool(create_token, engine, form, account.actor)
    context = _tokens_context(request)
    if problems:
        context.update(form=form, problems=problems)
        return _page(request, account, "tokens", status=422, **context)
    return _page(request, account, "tokens", **{**context, "made": made})


@router.post("/tokens/{token_id}/revoke")
async def revoke(request: Request, account: ItStaff, token_id: int) -> Response:
    """Revoke a token: without ``confirm=yes`` the answer is the question; with it, done."""
    form = await form_of(request)
    engine = console_of(request).engine
    found = next((t for t in token_rows(engine) if t["id"] == token_id), None)
    if found is None:
        return _page(request, account, "tokens", status=404, **{**_tokens_context(request),
                                                                "error": ("unknown_token", {"id": token_id})})
    if form.get("confirm") != "yes":
        label = found["label"][_li(request)]
        return render(request, "devices_confirm.html", texts=TEXT, tab="tokens",
                      question=words(request, TEXT)["confirm_revoke"].format(id=token_id, label=label),
                      action=f"/console/devices/tokens/{token_id}/revoke", back="/console/devices/tokens",
                      button="revoke", heading="revoke_title")
    try:
        _, now = await run_in_threadpool(revoke_token, engine.store, token_id, engine.clock.now(),
                                         actor=account.actor)
    except HallError:  # gone between the two reads: tokens are never deleted, so this is a bad id
        return _page(request, account, "tokens", status=404, **{**_tokens_context(request),
                                                                "error": ("unknown_token", {"id": token_id})})
    again = "" if now else "&again=1"
    return RedirectResponse(f"/console/devices/tokens?revoked={token_id}{again}", status_code=303)


@router.get("/clerks")
def clerks_page(request: Request, account: ClerkKeeper) -> Response:
    """The clerks tab: every clerk (never a PIN or its hash) and the form adding one."""
    return _page(request, account, "clerks", **_clerks_context(request))


def _clerks_context(request: Request) -> dict:
    engine = console_of(request).engine
    note = {}
    for key in ("added", "disabled"):
        if code := request.query_params.get(key, ""):
            note = {"key": f"{key}_note", "code": code[:32]}
    return {"clerks": clerk_rows(engine), "note": note, "form": {}, "problems": {}}


@router.post("/clerks")
async def add_clerk(request: Request, account: ClerkKeeper) -> Response:
    """Add a clerk from the form (the PIN typed twice; only its hash is kept)."""
    form = await form_of(request)
    engine = console_of(request).engine
    added, problems = await run_in_threadpool(create_clerk, engine, form, account.actor)
    if problems:
        context = _clerks_context(request)
        kept = {k: form.get(k, "") for k in ("code", "name")}  # never the PIN back into the page
        context.update(form=kept, problems=problems)
        return _page(request, account, "clerks", status=422, **context)
    return RedirectResponse(f"/console/devices/clerks?added={added.code}", status_code=303)


@router.post("/clerks/{code}/disable")
async def disable_clerk(request: Request, account: ClerkKeeper, code: str) -> Response:
    """Disable a clerk after a confirmation (signed out at once if signed in)."""
    form = await form_of(request)
    engine = console_of(request).engine
    found = next((c for c in clerk_rows(engine) if c["code"] == code), None)
    if found is None:
        return _page(request, account, "clerks", status=404, **{**_clerks_context(request),
                                                                "error": ("unknown_clerk", {"code": code[:32]})})
    if form.get("confirm") != "yes":
        return render(request, "devices_confirm.html", texts=TEXT, tab="clerks",
                      question=words(request, TEXT)["confirm_disable"].format(code=code, name=found["name"]),
                      action=f"/console/devices/clerks/{code}/disable", back="/console/devices/clerks",
                      button="disable", heading="disable_title")
    await run_in_threadpool(engine.disable_clerk, code, account.actor)
    return RedirectResponse(f"/console/devices/clerks?disabled={code}", status_code=303)
