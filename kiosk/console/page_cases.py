"""The console's Ratings & cases page: 好差评 ratings and the follow-up of cases.

- ``/console/cases``: cases with filters (state, kind, overdue, service, window) and their
  deadlines in the hall's working days; ``/console/cases/{id}``: one case with its history and a
  small form for each step its state allows (the engine's ``case_step``, as the cases API calls
  it); ``/console/cases/new``: a 办不成事 case registered as the 办不成事 window's staff would.
- ``/console/cases/ratings``: ratings of a date range with filters and the satisfaction rate of
  the filtered set; ``/console/cases/ratings/{ticket id}``: one rating.

The actor of every step is the signed-in account (``console NAME``), never a form field. The
contact phone is read only by an explicit POST, which the engine records in the case's history
(as ``GET /api/v1/cases/{id}/contact`` does). The engine's refusals are shown as its sentence.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from kiosk.accounts import Account
from kiosk.case_models import Case
from kiosk.console import cases_view as view
from kiosk.console.i18n import lang_of, pick, words
from kiosk.console.web import Page, Refused, console_of, form_of, render, signed_in
from kiosk.domain import HallError
from kiosk.rating_models import CHANNELS, LEVELS

PAGE = Page("cases", "/console/cases", "评价与工单", "Ratings & cases", ("director", "guide"), order=30)
router = APIRouter(prefix="/console/cases", include_in_schema=False)
Staff = Annotated[Account, Depends(signed_in("director", "guide"))]  # admin always passes
MAX_CASE_ID = 2**63 - 1  # SQLite's INTEGER range

TEXT = {
    "page": ("评价与工单", "Ratings & cases"),
    "cases": ("工单", "Cases"), "ratings": ("评价", "Ratings"),
    "new_case": ("登记办不成事", "Register a 办不成事 case"),
    "filter": ("筛选", "Filter"), "clear_filters": ("清除筛选", "Clear filters"), "any": ("全部", "Any"),
    "state": ("状态", "State"), "kind": ("类型", "Kind"), "overdue": ("超期", "Overdue"),
    "yes": ("是", "Yes"), "no": ("否", "No"),
    "service": ("业务", "Service"), "services": ("涉及业务", "Services"), "window": ("窗口", "Window"),
    "clerk": ("工作人员", "Clerk"), "channel": ("评价渠道", "Channel"), "level": ("评价", "Level"),
    "from": ("开始日期", "From"), "to": ("结束日期", "To"),
    "case_no": ("工单号", "Case"), "opened": ("登记时间", "Opened"), "deadline": ("办理期限", "Deadline"),
    "owner": ("承办人", "Owner"), "ticket": ("票号", "Ticket"), "time": ("时间", "Time"),
    "reasons": ("原因", "Reasons"), "comment": ("意见", "Comment"), "detail": ("详情", "Detail"),
    "no_cases": ("没有符合条件的工单。", "No case matches these filters."),
    "no_ratings": ("这段时间没有符合条件的评价。", "No rating in this period matches these filters."),
    "n_cases": ("共 {n} 件", "{n} case(s)"),
    "satisfaction": ("满意率", "Satisfaction"),
    "satisfaction_of": ("好评 {good} / 共 {total} 条", "{good} good of {total}"),
    "shown_of": ("显示最新 {shown} 条，共 {total} 条；缩小日期范围可查看其余。",
                 "Showing the newest {shown} of {total}; narrow the dates to see the rest."),
    "kind_rectify": ("差评整改", "Rectification"), "kind_unresolved": ("办不成事", "办不成事 (unresolved)"),
    "state_registered": ("已登记", "Registered"), "state_assigned": ("已分派", "Assigned"),
    "state_replied": ("已答复", "Replied"), "state_rectified": ("已整改", "Rectified"),
    "state_rerated": ("已回评", "Re-rated"), "state_rated": ("已评价", "Rated"), "state_closed": ("已关闭", "Closed"),
    "action_open": ("登记", "Opened"), "action_assign": ("分派", "Assign"), "action_reply": ("答复", "Reply"),
    "action_rectify": ("整改", "Rectify"), "action_rerate": ("回访评价", "Re-rate"),
    "action_rate": ("群众评价", "Citizen's rating"), "action_callback": ("记录回访", "Record a call back"),
    "action_close": ("关闭", "Close"), "action_reminder": ("到期提醒", "Reminder"),
    "action_overdue": ("超期", "Overdue"), "action_contact": ("查看联系电话", "Contact read"),
    "channel_window": ("窗口评价器", "Window evaluator"), "channel_kiosk": ("自助终端", "Kiosk"),
    "channel_qr": ("扫码评价", "QR page"),
    "level_bad": ("差评（不满意及以下）", "Bad (dissatisfied or worse)"),
    "level_good": ("好评（基本满意及以上）", "Good (fairly satisfied or better)"),
    "days_left": ("剩 {n} 个工作日", "{n} working day(s) left"),
    "due_today": ("今天截止", "Due today"),
    "overdue_by": ("已超期 {n} 个工作日", "Overdue by {n} working day(s)"),
    "overdue_now": ("已超期", "Overdue"),
    "answered": ("已答复，无需计时", "Answered"),
    "until": ("截止 {day}", "due {day}"),
    "history": ("办理记录", "History"), "step": ("操作", "Step"), "steps": ("可办理的操作", "Next steps"), "actor": ("操作人", "By"),
    "from_to": ("状态", "State"), "note": ("说明", "Note"),
    "facts": ("工单信息", "The case"),
    "rating_level": ("差评等级", "Bad rating"), "citizen_level": ("群众评价", "Citizen's rating"),
    "outcome": ("结果", "Outcome"), "request": ("诉求", "Request"), "reason": ("未办成原因", "Why not done"),
    "id_mask": ("证件号（脱敏）", "ID (masked)"), "phone": ("联系电话", "Phone"),
    "opened_by": ("登记人", "Opened by"),
    "by_rating": ("差评自动生成", "the bad rating"), "by_hall": ("系统", "the hall"),
    "show_contact": ("显示联系电话（回访用，将被记录）", "Show contact for a call back (recorded)"),
    "contact_shown": ("联系电话：{phone}（本次查看已记入办理记录）", "Contact phone: {phone} (this reading is recorded)"),
    "no_phone": ("该工单没有留联系电话。", "This case has no contact phone."),
    "no_steps": ("工单已关闭，不能再办理。", "This case is closed; nothing more can be done."),
    "call_date": ("回访日期", "Date of the call"), "call_outcome": ("回访结果", "Outcome of the call"),
    "owner_hint": ("承办人姓名或工号", "Owner's name or staff number"),
    "reply_note": ("答复内容", "The reply given"), "rectify_note": ("整改情况", "What was rectified"),
    "close_note": ("关闭原因", "Why the case is closed"), "new_level": ("群众评价", "The citizen's rating"),
    "done": ("已完成：{action}。", "Done: {action}."),
    "refused": ("未能办理：", "Not done: "),
    "typed": ("您填写的内容（未保存）", "What you typed (not saved)"),
    "registered_note": ("已登记。", "Registered."),
    "request_hint": ("群众想办的事项", "What the citizen came to get done"),
    "reason_hint": ("为什么没能办成", "Why it could not be done"),
    "ticket_hint": ("今天的票号（如 A001），可不填", "Today's ticket number (e.g. A001), optional"),
    "phone_hint": ("回访电话，可不填；只保存加密后的号码", "For the reply, optional; stored sealed"),
    "owner_now": ("立即分派给（可不填）", "Assign at once to (optional)"),
    "register": ("登记", "Register"), "at_window": ("登记窗口：{window}", "Registered at: {window}"),
    "no_service_chosen": ("请至少选择一项涉及的业务，或填写群众的票号。",
                          "Choose at least one service concerned, or give the citizen's ticket."),
    "ticket_info": ("所评票号", "The ticket"), "issued": ("取号", "Issued"), "called": ("叫号", "Called"),
    "finished": ("办结", "Finished"), "rating_case": ("由此差评生成的工单", "The case this bad rating opened"),
    "subject": ("评价对象", "Rated"), "subject_service": ("窗口服务", "Service at the window"),
    "subject_kiosk": ("终端自助服务", "Kiosk self-service"),
    "rating_of": ("{ticket} 的评价", "Rating of {ticket}"), "case_title": ("工单 {id}", "Case {id}"),
    "no_rating": ("没有这条评价；请从评价列表进入。", "There is no such rating; open it from the list."),
    "back_list": ("返回列表", "Back to the list"),
    "bad_date": ("{field} 日期应写成 年-月-日（如 2026-11-23），而不是“{value}”。",
                 "{field} must be a date written YYYY-MM-DD (e.g. 2026-11-23), not “{value}”."),
    "bad_window": ("没有 {value} 号窗口，请从列表中选择。", "There is no window {value}; choose one from the list."),
    "bad_service": ("没有代码为 {value} 的业务，请从列表中选择。", "No service has the code {value}; choose one from the list."),
    "bad_choice": ("{field} 不能是“{value}”，可选：{allowed}。", "{field} cannot be “{value}”; use one of: {allowed}."),
    "period_reversed": ("开始日期 {start} 晚于结束日期 {end}，请调换。",
                        "The period starts ({start}) after it ends ({end}); swap them."),
    "period_too_long": ("日期范围不能超过 {days} 天，请缩短。", "The period is longer than {days} days; shorten it."),
    "bad_clerk": ("工号只含字母、数字、_ 和 -，不能是“{value}”。",
                  "A clerk's number holds letters, digits, _ and - only, not “{value}”."),
    "bad_level": ("评价等级是 1 到 5，不能是“{value}”。", "A rating level is 1 to 5, not “{value}”."),
    "bad_action": ("没有“{value}”这项操作，可选：{allowed}。", "There is no step “{value}”; the steps: {allowed}."),
    "bad_ticket": ("票号应像 A001（今天的）或 20261123-A001，而不是“{value}”。",
                   "A ticket is like A001 (today's) or 20261123-A001, not “{value}”."),
    "bad_field": ("{field} 填写有误：{detail}", "{field} is not right: {detail}"),
}


def _say(request: Request, problem: view.Invalid) -> str:
    return words(request, TEXT)[problem.key].format(**problem.values)


def _helpers(request: Request) -> dict:
    """Template helpers in the request's language: names of services, windows, levels, clerks, times."""
    engine = console_of(request).engine
    config, en = engine.config, lang_of(request) == "en"

    def service_name(code: str | None) -> str:
        s = config.service(code) if code else None
        return (s.name.en if en else s.name.zh) if s else (code or "—")

    def window_name(number: int | None) -> str:
        w = next((w for w in config.windows if w.number == number), None)
        return (w.name.en if en else w.name.zh) if w else ("—" if number is None else str(number))

    def when(value: float | datetime | None) -> str:
        if value is None:
            return "—"
        moment = value if isinstance(value, datetime) else datetime.fromtimestamp(value, engine.tz)
        return moment.strftime("%Y-%m-%d %H:%M")

    reasons = {r.code: (r.name.en if en else r.name.zh) for r in config.rating_reasons}
    joiner = ", " if en else "、"
    return {"service_name": service_name, "window_name": window_name, "when": when,
            "service_names": lambda codes: joiner.join(service_name(c) for c in codes if c) or "—",
            "reason_names": lambda codes: joiner.join(reasons.get(c, c) for c in codes) or "—",
            "level_name": lambda n: LEVELS.get(n, {}).get("en" if en else "zh", str(n)),
            "all_services": [(s.code, s.name.en if en else s.name.zh) for s in config.services],
            "all_windows": [(w.number, w.name.en if en else w.name.zh) for w in config.windows],
            "levels": LEVELS, "channels": CHANNELS, "states": view.STATES}


@router.get("")
def cases_page(request: Request, account: Staff) -> Response:
    """Cases by deadline, filtered; each with its deadline in working days."""
    engine = console_of(request).engine
    params = request.query_params
    error, found = "", []
    try:
        chosen = view.case_filter(params, engine.config)
        found = view.list_cases(engine, chosen)
    except view.Invalid as problem:
        error = _say(request, problem)
    today = date.fromisoformat(engine.today())
    rows = [(c, view.deadline_of(c, engine.config.calendar, today)) for c in found]
    return render(request, "cases.html", status=422 if error else 200, texts=TEXT, tab="cases", rows=rows,
                  params=params, error=error, **_helpers(request))


@router.get("/ratings")
def ratings_page(request: Request, account: Staff) -> Response:
    """Ratings of a date range (the last 7 days by default) with filters and the satisfaction rate."""
    engine = console_of(request).engine
    today = date.fromisoformat(engine.today())
    error, found, chosen = "", None, None
    try:
        chosen = view.rating_filter(request.query_params, engine.config, today)
        found = view.list_ratings(engine.store, chosen)
    except view.Invalid as problem:
        error = _say(request, problem)
    return render(request, "ratings.html", status=422 if error else 200, texts=TEXT, tab="ratings",
                  found=found, chosen=chosen, params=request.query_params, error=error, today=today.isoformat(),
                  clerks=engine.clerks(), limit=view.LIST_LIMIT, **_helpers(request))


@router.get("/ratings/{ticket_id}")
def rating_page(request: Request, account: Staff, ticket_id: str, subject: str = "service") -> Response:
    """One rating: its level, reasons, comment, the ticket, the clerk and the case it opened."""
    engine = console_of(request).engine
    rating = view.rating_detail(engine.store, ticket_id[:40], subject if subject in ("service", "kiosk") else "")
    if rating is None:
        return render(request, "rating.html", status=404, texts=TEXT, tab="ratings", rating=None,
                      **_helpers(request))
    return render(request, "rating.html", texts=TEXT, tab="ratings", rating=rating, **_helpers(request))


@router.get("/new")
def new_case_page(request: Request, account: Staff) -> Response:
    """The form registering a 办不成事 case."""
    return _new_case(request)


@router.post("/new")
async def register_case(request: Request, account: Staff) -> Response:
    """Register a 办不成事 case at the hall's 办不成事 window, by the signed-in account."""
    engine = console_of(request).engine
    form = await form_of(request)
    services = [s.code for s in engine.config.services if form.get(f"svc.{s.code}")]
    try:
        body = view.unresolved_body(form, services, engine.today())
        if not body.services and body.ticket_id is None:
            return _new_case(request, form, error=words(request, TEXT)["no_service_chosen"], status=422)
        case = engine.register_case(body, account.actor, engine.config.cases.unresolved_window)
    except view.Invalid as problem:
        return _new_case(request, form, error=_say(request, problem), status=422)
    except HallError as exc:
        return _new_case(request, form, error=words(request, TEXT)["refused"] + exc.detail, status=exc.status)
    return RedirectResponse(f"/console/cases/{case.id}?done=open", status_code=303)


def _new_case(request: Request, form: dict | None = None, *, error: str = "", status: int = 200) -> Response:
    engine = console_of(request).engine
    return render(request, "case_new.html", status=status, texts=TEXT, tab="new", form=form or {}, error=error,
                  unresolved_window=engine.config.cases.unresolved_window, **_helpers(request))


@router.get("/{case_id:int}")
def case_page(request: Request, account: Staff, case_id: int) -> Response:
    """One case with its history and the forms of the steps its state allows."""
    done = request.query_params.get("done", "")
    return _case(request, case_id, done=done if done in (*view.cases.ACTIONS, "open") else "")


@router.post("/{case_id:int}/contact")
def case_contact(request: Request, account: Staff, case_id: int) -> Response:
    """The case's phone in full for a call back: recorded in the case's history by the engine;
    shown on this response only (no redirect: the number is never in a URL)."""
    engine = console_of(request).engine
    _known(engine, case_id)
    contact = engine.case_contact(case_id, account.actor)
    return _case(request, case_id, contact=contact.phone or "")


@router.post("/{case_id:int}/{action}")
async def case_step(request: Request, account: Staff, case_id: int, action: str) -> Response:
    """One step of a case (assign, reply, rectify, rerate, rate, callback, close) by the account."""
    engine = console_of(request).engine
    _known(engine, case_id)
    form = await form_of(request)
    try:
        body = view.step_body(action, form)
        engine.case_step(case_id, action, body, account.actor)
    except view.Invalid as problem:
        return _case(request, case_id, error=_say(request, problem), failed=action, form=form, status=422)
    except HallError as exc:
        return _case(request, case_id, error=words(request, TEXT)["refused"] + exc.detail, failed=action,
                     form=form, status=exc.status)
    return RedirectResponse(f"/console/cases/{case_id}?done={action}", status_code=303)


def _known(engine, case_id: int) -> None:  # noqa: ANN001 - HallEngine
    if not 1 <= case_id <= MAX_CASE_ID:
        raise Refused(404, "not_found")
    try:
        engine.case_kind(case_id)
    except HallError:
        raise Refused(404, "not_found") from None


def _case(request: Request, case_id: int, *, status: int = 200, error: str = "", failed: str = "",
          form: dict | None = None, done: str = "", contact: str | None = None) -> Response:
    engine = console_of(request).engine
    _known(engine, case_id)
    case: Case = engine.case(case_id)
    today = date.fromisoformat(engine.today())
    said = words(request, TEXT)
    machine = {"rating": said["by_rating"], "hall": said["by_hall"]}  # actors that are not people
    return render(request, "case.html", status=status, texts=TEXT, tab="cases", case=case,
                  who=lambda actor: machine.get(actor, actor),
                  deadline=view.deadline_of(case, engine.config.calendar, today),
                  actions=view.allowed_actions(case.kind, case.state), error=error, failed=failed,
                  form=form or {}, done=done, contact=contact, today=today.isoformat(),
                  title_text=pick(request, f"工单 {case.id}", f"Case {case.id}"), **_helpers(request))
