"""The Hall settings page: services, windows, opening hours, holidays and 调休, the notice.

Over ``kiosk.hallsettings`` and nothing else: it shows ``editable()`` of the hall file the server
was started with, and each form is read (``kiosk.console.settings_form``) into a change that
``save_hall_settings`` checks like ``kiosk config check``, writes back with the file's comments
kept, applies to the running hall and audits with the console account as the actor. A refused
or invalid change writes nothing and shows the form again as typed, each problem next to its
field. A saved change shows what applied at once, what waits for a restart and the notes. A
server started without a hall file (``kiosk serve --dev``) shows the settings read-only.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from kiosk.accounts import Account
from kiosk.config import ConfigError, load_hall_config
from kiosk.configwrite import SettingsInvalid
from kiosk.console import settings_form as forms
from kiosk.console.i18n import lang_of, words
from kiosk.console.web import Page, console_of, form_of, render, signed_in
from kiosk.hallsettings import (
    HallFileUnwritable,
    SaveResult,
    SettingsRefused,
    editable,
    field_changes,
    restart_fields,
    save_hall_settings,
)

PAGE = Page("settings", "/console/settings", "大厅设置", "Hall settings", ("director", "it"), order=40)
router = APIRouter(prefix="/console/settings", include_in_schema=False)
Editor = Annotated[Account, Depends(signed_in("director", "it"))]
HOME = "/console/settings"
UNCHECKED = object()  # a save that no one else's change can make stale (a date added or removed)

TEXT = {
    "title": ("大厅设置", "Hall settings"),
    "services": ("业务", "Services"), "windows": ("窗口", "Windows"), "hours": ("办理时间", "Opening hours"),
    "calendar": ("节假日与调休", "Holidays and make-up days"), "notice": ("大厅公告", "Hall notice"),
    "code": ("编码", "Code"), "number": ("编号", "Number"), "name": ("名称", "Name"),
    "name_zh": ("中文名称", "Name (Chinese)"), "name_en": ("英文名称", "Name (English)"),
    "zone": ("区域", "Zone"), "prefix": ("号码前缀", "Prefix"), "daily_quota": ("每日限额", "Daily quota"),
    "priorities": ("优先类别", "Priorities"), "materials": ("所需材料", "Materials"),
    "materials_zh": ("所需材料（中文，每行一项）", "Materials in Chinese (one a line)"),
    "materials_en": ("所需材料（英文，每行一项）", "Materials in English (one a line)"),
    "served_by": ("办理窗口", "Windows that serve it"), "serves": ("办理业务", "Services it serves"),
    "serves_hint": ("已办业务保持原有叫号顺序，新勾选的排在最后。",
                    "Services keep their calling order; newly ticked ones come last."),
    "kind": ("类型", "Kind"), "kind_window": ("窗口", "Window"), "kind_desk": ("咨询台", "Help desk"),
    "open": ("开始办理", "Opens"), "close": ("结束办理", "Closes"), "lunch_start": ("午休开始", "Lunch from"),
    "lunch_end": ("午休结束", "Lunch until"), "lunch_hint": ("两项都清空表示不午休。", "Clear both for no lunch break."),
    "weekdays": ("办理日", "Open on"),
    "wd_1": ("周一", "Mon"), "wd_2": ("周二", "Tue"), "wd_3": ("周三", "Wed"), "wd_4": ("周四", "Thu"),
    "wd_5": ("周五", "Fri"), "wd_6": ("周六", "Sat"), "wd_7": ("周日", "Sun"),
    "holidays": ("节假日（休息）", "Holidays (closed)"), "workdays": ("调休上班日", "Make-up working days"),
    "date": ("日期", "Date"), "add_date": ("添加日期", "Add the date"), "none": ("无", "None"),
    "notice_zh": ("公告（中文）", "Notice in Chinese"), "notice_en": ("公告（英文）", "Notice in English"),
    "notice_hint": ("两项都清空即撤下公告。", "Clear both to take the notice down."),
    "edit": ("编辑", "Edit"), "view": ("查看", "View"), "save": ("保存", "Save"), "cancel": ("返回", "Back"), "remove": ("删除", "Remove"),
    "add_service": ("新增业务", "Add a service"), "add_window": ("新增窗口", "Add a window"),
    "new_service": ("新增业务", "New service"), "new_window": ("新增窗口", "New window"),
    "remove_service": ("删除此业务", "Remove this service"), "remove_window": ("删除此窗口", "Remove this window"),
    "remove_service_hint": ("今日仍有排队的号或待办预约的业务不能删除；可先把每日限额调低，停止取号。",
                            "A service with tickets in today's queue or appointments to come cannot be removed; "
                            "lower its daily quota first to stop new tickets."),
    "remove_window_hint": ("有工作人员登录或正在叫号、办理的窗口不能删除。",
                           "A window where a clerk is signed in or a ticket is called or served cannot be removed."),
    "window_n": ("{n}号窗口", "Window {n}"), "desk_n": ("{n}号咨询台", "Help desk {n}"),
    "saved": ("已保存。", "Saved."), "nothing_changed": ("没有改动，未写入任何内容。", "Nothing changed; nothing was written."),
    "applied": ("已立即生效", "Applied at once"), "restart": ("重启服务后生效", "Waits for a restart"),
    "notes": ("说明", "Notes"), "backup": ("原文件已备份为", "The previous file was kept as"),
    "refused": ("运行中的大厅现在不能接受此改动，未写入任何内容：",
                "The running hall cannot take this change now; nothing was written:"),
    "invalid": ("此改动有问题，未写入任何内容：", "This change has problems; nothing was written:"),
    "unwritable": ("无法写入大厅配置文件，未做任何改动：", "The hall file could not be written; nothing was changed:"),
    "pending": ("配置文件中以下改动要重启服务后才生效：", "These changes in the hall file wait for a restart:"),
    "read_only": ("只读：", "Read only:"),
    "stale": ("您打开表单后，此项已被他人修改，未写入任何内容：",
              "Someone else changed this since you opened the form; nothing was written:"),
    "stale_hint": ("您填写的内容保留在下面；请与现在的设置核对，再次保存将覆盖他人的修改。",
                   "Your values are kept below; check them against the settings as they are now. "
                   "Saving again overwrites the other change."),
    "no_file": ("本服务启动时没有指定大厅配置文件，设置不能在这里修改；请用 kiosk serve --config hall.toml 启动。",
                "This server was started without a hall file, so its settings cannot be changed here; "
                "start it with 'kiosk serve --config hall.toml'."),
    "bad_file": ("大厅配置文件有问题，请先手工修正（kiosk config check）：",
                 "The hall file has problems; fix them by hand first ('kiosk config check'):"),
    "no_such": ("没有这项设置，请从列表进入。", "There is no such entry; open it from the list."),
    "field": ("项目", "Field"), "old": ("原值", "Before"), "new": ("新值", "After"),
}
FIELD_WORDS = ("name", "zone", "prefix", "daily_quota", "priorities", "materials", "kind", "open", "close",
               "lunch_start", "lunch_end", "weekdays", "holidays", "workdays")

_RESULTS: OrderedDict[str, tuple[str, dict]] = OrderedDict()  # token -> (account, result), the newest 64
_RESULTS_LOCK = threading.Lock()


# ----- reading the hall file -----------------------------------------------------------------


def _loaded(request: Request) -> tuple[dict, str | None, list[str], list[str]]:
    """The editable view, why it is read-only (None: editable), the file's problems and the
    fields in the file that wait for a restart (read once per request)."""
    if not hasattr(request.state, "hall_settings"):
        request.state.hall_settings = _load(request)
    return request.state.hall_settings


def _load(request: Request) -> tuple[dict, str | None, list[str], list[str]]:
    console = console_of(request)
    running = console.engine.config
    if console.hall_file is None:
        return editable(running), "no_file", [], []
    try:
        config = load_hall_config(console.hall_file)
    except ConfigError as exc:
        return editable(running), "bad_file", [f"{k}: {v}" for k, v in exc.problems], []
    return editable(config), None, [], restart_fields(field_changes(running, config))


def version(value: Any) -> str:
    """A short hash of a section as a form showed it: a save from a form opened before someone
    else's change to the same section is caught instead of undoing that change."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _name(request: Request, text: dict | None) -> str:
    return "" if not text else (text.get("en") if lang_of(request) == "en" else text.get("zh")) or ""


def describe(request: Request, words: dict, view: dict, path: str) -> str:
    """A changed field's path (``services.TX01.daily_quota``) said in the page's language."""
    parts = path.split(".")
    head = parts[0]
    if head == "services" and len(parts) > 1:
        service = next((s for s in view["services"] if s["code"] == parts[1]), None)
        where = f"{words['services']} {parts[1]}" + (f" {_name(request, service['name'])}" if service else "")
        rest = parts[2:]
    elif head == "windows" and len(parts) > 1:
        where, rest = words["window_n"].format(n=parts[1]), parts[2:]
    elif head in ("hours", "calendar", "notice"):
        where, rest = words[head], parts[1:]
    else:
        return path
    if rest and rest[0] == "windows":
        rest = ["served_by", *rest[1:]]
    said = [words[p] if p in (*FIELD_WORDS, "served_by") else p for p in rest]
    return " · ".join([where, *said])


def shown(value: Any) -> str:
    """A setting's value in a line: lists joined, a name's two languages side by side."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return " / ".join(shown(v) for v in value.values()) if value else "—"
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value) if value else "—"
    return str(value)


# ----- rendering -----------------------------------------------------------------------------


def _page(request: Request, template: str, *, status: int = 200, problems: dict | None = None,
          outcome: str | None = None, **context: Any) -> Response:
    view, read_only, file_problems, pending = _loaded(request)
    found = dict(problems or {})
    context.setdefault("typed", {})
    return render(request, template, status=status, texts=TEXT, view=view, read_only=read_only,
                  file_problems=file_problems, pending=pending, problems=found, outcome=outcome,
                  problem=lambda *keys: [v for k, v in found.items() if any(k == p or k.startswith(p + ".")
                                                                            for p in keys)],
                  problem_at=lambda *keys: [v for k, v in found.items() if k in keys], shown=shown, version=version,
                  name_of=lambda text: _name(request, text), say=lambda p: describe(request, _words(request), view, p),
                  **context)


def _words(request: Request) -> dict:
    return words(request, TEXT)


def _overview(request: Request, account: Account, **context: Any) -> Response:
    token = request.query_params.get("result", "")
    with _RESULTS_LOCK:
        owner, result = _RESULTS.get(token, ("", None))
    return _page(request, "settings.html", result=result if owner == account.name else None, **context)


# ----- saving --------------------------------------------------------------------------------


def _remember(account: Account, result: dict) -> str:
    token = secrets.token_urlsafe(12)
    with _RESULTS_LOCK:
        _RESULTS[token] = (account.name, result)
        while len(_RESULTS) > 64:
            _RESULTS.popitem(last=False)
    return token


async def _save(request: Request, account: Account, read: forms.FormChange,
                again: Callable[..., Response], current: Any = UNCHECKED) -> Response:
    """Save ``read``'s change and go to the overview with the result; or show the form again
    (``again(status=, problems=, outcome=)``) with what is wrong, nothing written. ``current``:
    the section as it is now, which the form's ``base`` must match."""
    console = console_of(request)
    if console.hall_file is None or _loaded(request)[1]:
        return again(status=409, problems={}, outcome=None)
    base = (await form_of(request)).get("base")
    if current is not UNCHECKED and base is not None and base != version(current):
        return again(status=409, problems={"(form)": _words(request)["stale_hint"]}, outcome="stale")
    if read.problems:
        index = 1 if lang_of(request) == "en" else 0
        return again(status=422, problems={k: pair[index] for k, pair in read.problems.items()}, outcome="invalid")
    if not read.changes:
        return RedirectResponse(f"{HOME}?result={_remember(account, {'changed': []})}", status_code=303)
    try:
        result: SaveResult = await run_in_threadpool(
            save_hall_settings, console.hall_file, read.changes, actor=account.actor, engine=console.engine)
    except HallFileUnwritable as exc:
        return again(status=503, problems=exc.problems, outcome="unwritable")
    except SettingsRefused as exc:
        return again(status=409, problems=exc.problems, outcome="refused")
    except SettingsInvalid as exc:
        return again(status=422, problems=exc.problems, outcome="invalid")
    summary = result.summary()
    summary.pop("settings")
    return RedirectResponse(f"{HOME}?result={_remember(account, summary)}", status_code=303)


# ----- the overview and its sections ---------------------------------------------------------


@router.get("")
def overview(request: Request, account: Editor) -> Response:
    """Every section, with the result of the last save when the URL names it."""
    return _overview(request, account)


def _section_again(request: Request, account: Account, section: str, values: dict) -> Callable[..., Response]:
    def again(*, status: int, problems: dict, outcome: str | None) -> Response:
        return _overview(request, account, status=status, problems=problems, outcome=outcome,
                         typed={section: values})
    return again


@router.post("/hours")
async def save_hours(request: Request, account: Editor) -> Response:
    """The opening hours, the lunch break and the weekdays."""
    view = _loaded(request)[0]
    read = forms.read_hours(await form_of(request), view)
    return await _save(request, account, read, _section_again(request, account, "hours", read.values), view["hours"])


@router.post("/notice")
async def save_notice(request: Request, account: Editor) -> Response:
    """The hall's notice (both cleared: none)."""
    view = _loaded(request)[0]
    read = forms.read_notice(await form_of(request), view)
    return await _save(request, account, read, _section_again(request, account, "notice", read.values),
                       view["notice"])


@router.post("/calendar/add")
async def add_date(request: Request, account: Editor) -> Response:
    """A holiday or a make-up working day added."""
    read = forms.read_calendar(await form_of(request), _loaded(request)[0], add=True)
    return await _save(request, account, read, _section_again(request, account, "calendar", read.values))


@router.post("/calendar/remove")
async def remove_date(request: Request, account: Editor) -> Response:
    """A holiday or a make-up working day removed."""
    read = forms.read_calendar(await form_of(request), _loaded(request)[0], add=False)
    return await _save(request, account, read, _section_again(request, account, "calendar", read.values))


# ----- a service -----------------------------------------------------------------------------


def _service_again(request: Request, values: dict | None, code: str | None) -> Callable[..., Response]:
    def again(*, status: int, problems: dict, outcome: str | None) -> Response:
        return _page(request, "settings_service.html", status=status, problems=problems, outcome=outcome,
                     code=code, values=values)
    return again


def _item(view: dict, ident: str | int) -> dict | None:
    """A service (by code) or a window (by number) of the view."""
    section, key = ("windows", "number") if isinstance(ident, int) else ("services", "code")
    return next((item for item in view[section] if item[key] == ident), None)


def _service_values(view: dict, code: str) -> dict | None:
    service = _item(view, code)
    return None if service is None else {**service, "daily_quota": str(service["daily_quota"])}


@router.get("/services/new")
def new_service(request: Request, account: Editor) -> Response:
    """An empty service form."""
    values = {"code": "", "name": {"zh": "", "en": ""}, "zone": "", "prefix": "", "daily_quota": "300",
              "materials": {"zh": [], "en": []}, "windows": [], "priorities": ["normal"]}
    return _service_again(request, values, None)(status=200, problems={}, outcome=None)


@router.post("/services/new")
async def add_service(request: Request, account: Editor) -> Response:
    """A new service, with the windows that serve it."""
    read = forms.read_service(await form_of(request), _loaded(request)[0], None)
    return await _save(request, account, read, _service_again(request, read.values, None))


@router.get("/services/{code}")
def service(request: Request, account: Editor, code: str) -> Response:
    """One service's detail form."""
    values = _service_values(_loaded(request)[0], code)
    return _service_again(request, values, code)(status=200 if values else 404, problems={}, outcome=None)


@router.post("/services/{code}")
async def save_service(request: Request, account: Editor, code: str) -> Response:
    """One service changed."""
    view = _loaded(request)[0]
    if _service_values(view, code) is None:
        return _service_again(request, None, code)(status=404, problems={}, outcome=None)
    read = forms.read_service(await form_of(request), view, code)
    return await _save(request, account, read, _service_again(request, read.values, code), _item(view, code))


@router.post("/services/{code}/remove")
async def remove_service(request: Request, account: Editor, code: str) -> Response:
    """One service removed (refused while it still has tickets today or appointments to come)."""
    values = _service_values(_loaded(request)[0], code)
    if values is None:
        return _service_again(request, None, code)(status=404, problems={}, outcome=None)
    read = forms.FormChange(changes={"services": {code: None}})
    return await _save(request, account, read, _service_again(request, values, code))


# ----- a window ------------------------------------------------------------------------------


def _window_again(request: Request, values: dict | None, number: int | None) -> Callable[..., Response]:
    def again(*, status: int, problems: dict, outcome: str | None) -> Response:
        return _page(request, "settings_window.html", status=status, problems=problems, outcome=outcome,
                     number=number, values=values)
    return again


def _window_values(view: dict, number: int) -> dict | None:
    window = _item(view, number)
    return None if window is None else {**window, "number": str(number)}


@router.get("/windows/new")
def new_window(request: Request, account: Editor) -> Response:
    """An empty window form."""
    values = {"number": "", "name": {"zh": "", "en": ""}, "zone": "", "services": [], "kind": "window"}
    return _window_again(request, values, None)(status=200, problems={}, outcome=None)


@router.post("/windows/new")
async def add_window(request: Request, account: Editor) -> Response:
    """A new window, with the services it serves."""
    read = forms.read_window(await form_of(request), _loaded(request)[0], None)
    return await _save(request, account, read, _window_again(request, read.values, None))


@router.get("/windows/{number}")
def window(request: Request, account: Editor, number: int) -> Response:
    """One window's detail form."""
    values = _window_values(_loaded(request)[0], number)
    return _window_again(request, values, number)(status=200 if values else 404, problems={}, outcome=None)


@router.post("/windows/{number}")
async def save_window(request: Request, account: Editor, number: int) -> Response:
    """One window changed."""
    view = _loaded(request)[0]
    if _window_values(view, number) is None:
        return _window_again(request, None, number)(status=404, problems={}, outcome=None)
    read = forms.read_window(await form_of(request), view, number)
    return await _save(request, account, read, _window_again(request, read.values, number), _item(view, number))


@router.post("/windows/{number}/remove")
async def remove_window(request: Request, account: Editor, number: int) -> Response:
    """One window removed (refused while a clerk is signed in there or it holds a ticket)."""
    values = _window_values(_loaded(request)[0], number)
    if values is None:
        return _window_again(request, None, number)(status=404, problems={}, outcome=None)
    read = forms.FormChange(changes={"windows": {str(number): None}})
    return await _save(request, account, read, _window_again(request, values, number))
