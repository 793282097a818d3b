"""The citizen's phone page as HTML, in Chinese or English (DESIGN.md "The citizen's phone").

The server renders the whole page with the ticket's state as it is now (readable without
JavaScript); ``phone.js`` then keeps the status block live from the same ``public_state`` and
the same texts, which travel in the page as JSON. Texts are here, once, for both. Qt-free.
"""

from __future__ import annotations

import hashlib
import html
import json
from functools import cache
from pathlib import Path

from kiosk.config import HallConfig, Hours
from kiosk.rating_models import BAD_LEVEL, LEVELS

STATIC_DIR = Path(__file__).with_name("phone_static")

TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "我的排队号", "switch": "English", "switch_lang": "en",
        "ahead": "前面还有 {n} 人", "ahead_one": "前面还有 1 人", "next": "下一位就是您", "next_detail": "请留意大厅叫号屏和广播",
        "eta": "预计等待约 {m} 分钟", "eta_range": "预计等待约 {lo}–{hi} 分钟", "eta_unknown": "暂时无法估计等待时间",
        "requeued": "您已重新排队，以上为最新位置。", "transferred": "您已转到本业务排队，以上为最新位置。",
        "called": "请到 {place}", "called_detail": "正在叫您的号，请尽快前往。",
        "recalled": "第 {n} 次叫号，过号后需重新排队。",
        "serving": "正在 {place} 办理", "serving_detail": "工作人员正在为您办理。",
        "held": "业务暂停（挂起）",
        "held_detail": "工作人员暂停了您的业务（通常是等待材料或核实）。请留在 {place} 附近，稍后会再次叫您。",
        "no_show": "已过号", "no_show_detail": "叫号时您不在。请到咨询台说明情况，工作人员可以为您重新排队。",
        "done": "办理完成", "done_detail": "感谢您的耐心等待。",
        "void": "此号已作废", "void_detail": "如仍需办理，请重新取号。",
        "unknown": "状态：{state}", "live_lost": "连接中断，正在重试…",
        "rate_title": "请评价本次服务", "reasons": "不满意的原因（可多选）", "comment": "意见（选填）",
        "submit": "提交评价", "rated": "感谢您的评价！", "rate_failed": "评价未能提交：{why}",
        "notify_title": "到号短信提醒",
        "notify_text": "留下手机号，前面还剩 {n} 人和轮到您时各发一条短信。号码在办结后即删除。",
        "phone_label": "手机号", "notify_button": "提醒我", "notify_saved": "将发短信到 {phone}",
        "notify_cancel": "不用提醒了", "notify_bad": "请输入 11 位手机号（1 开头）。",
        "notify_failed": "未能保存：{why}",
        "sound": "开启到号提示音", "sound_on": "提示音已开启",
        "materials": "请准备以下材料", "hall": "大厅信息", "address": "地址", "hours": "办公时间",
        "lunch": "午休", "closed_days": "节假日以公告为准",
    },
    "en": {
        "title": "My queue ticket", "switch": "中文", "switch_lang": "zh",
        "ahead": "{n} people ahead of you", "ahead_one": "1 person ahead of you", "next": "You are next", "next_detail": "Watch the hall's screens and listen for your number",
        "eta": "About {m} min wait", "eta_range": "About {lo}–{hi} min wait", "eta_unknown": "No wait estimate right now",
        "requeued": "You are back in the queue; this is your new place.",
        "transferred": "You were moved to this service's queue; this is your new place.",
        "called": "Please go to {place}", "called_detail": "Your number is being called now. Please go there.",
        "recalled": "Call number {n}: if you miss it you must queue again.",
        "serving": "Being served at {place}", "serving_detail": "A clerk is handling your matter.",
        "held": "On hold",
        "held_detail": "The clerk paused your matter (usually to wait for a document or a check). "
                       "Please stay near {place}; you will be called again.",
        "no_show": "Missed", "no_show_detail": "You were called but were not there. Ask at the help desk: "
                                               "staff can put you back in the queue.",
        "done": "Finished", "done_detail": "Thank you for waiting.",
        "void": "Ticket cancelled", "void_detail": "If you still need the service, please take a new ticket.",
        "unknown": "State: {state}", "live_lost": "Connection lost, retrying…",
        "rate_title": "Please rate this service", "reasons": "What went wrong (tick any)", "comment": "Comment (optional)",
        "submit": "Send rating", "rated": "Thank you for your rating!", "rate_failed": "The rating was not sent: {why}",
        "notify_title": "Text me before my turn",
        "notify_text": "Leave a mobile number: one text when {n} people are ahead, one when it is your turn. "
                       "The number is deleted when your ticket ends.",
        "phone_label": "Mobile number", "notify_button": "Notify me", "notify_saved": "We will text {phone}",
        "notify_cancel": "Stop the texts", "notify_bad": "Enter an 11-digit mobile number starting with 1.",
        "notify_failed": "Not saved: {why}",
        "sound": "Turn on the call sound", "sound_on": "Call sound is on",
        "materials": "Please have these ready", "hall": "The hall", "address": "Address", "hours": "Opening hours",
        "lunch": "lunch break", "closed_days": "public holidays as announced",
    },
}
QUIET = frozenset({"done", "no_show", "void"})
"""States in which the page offers no call sound: nothing more will be called."""
WEEKDAYS = {"zh": "一二三四五六日", "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}


def language(query: str | None, accept: str | None) -> str:
    """``zh`` or ``en``: the page's ``?lang=``, else the phone's first Accept-Language that is
    one of them (Chinese when neither says)."""
    if query in TEXTS:
        return query
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


@cache
def asset(name: str) -> tuple[str, bytes]:
    """(versioned name, bytes) of a static file: ``phone.css`` → ``phone.3f2a1b0c.css``, so a
    changed file has a new address and the old one may be cached for a year."""
    data = (STATIC_DIR / name).read_bytes()
    stem, ext = name.rsplit(".", 1)
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{ext}", data


def status_lines(state: dict, lang: str) -> tuple[str, str, str]:
    """(headline, detail, extra) of the status block; ``phone.js`` mirrors this function."""
    t = TEXTS[lang]
    place = (state.get("place") or {}).get(lang, "")
    kind = state["state"]
    if kind == "waiting":
        ahead = state.get("ahead")
        headline = t["next"] if ahead == 0 else t["ahead_one"] if ahead == 1 else \
            t["ahead"].format(n="—" if ahead is None else ahead)
        if state.get("eta_range"):  # nobody ahead while every window is busy is a wait too
            low, high = state["eta_range"]
            detail = t["eta"].format(m=low) if low == high else t["eta_range"].format(lo=low, hi=high)
        elif ahead == 0:
            detail = t["next_detail"]
        elif state.get("eta_minutes") is not None:
            detail = t["eta"].format(m=max(1, state["eta_minutes"]))
        else:
            detail = t["eta_unknown"]
        return headline, detail, t[state["note"]] if state.get("note") in t else ""
    if kind == "called":
        extra = t["recalled"].format(n=state["recalls"] + 1) if state.get("recalls") else ""
        return t["called"].format(place=place), t["called_detail"], extra
    if kind in ("serving", "held"):
        return t[kind].format(place=place), t[f"{kind}_detail"].format(place=place), ""
    if kind in ("no_show", "done", "void"):
        return t[kind], t[f"{kind}_detail"], ""
    return t["unknown"].format(state=kind), "", ""


def hours_text(hours: Hours, lang: str) -> str:
    """``周一至周五 08:30–12:00、13:30–17:30`` / ``Mon–Fri 08:30–12:00, 13:30–17:30``."""
    days = sorted(hours.weekdays)
    names = WEEKDAYS[lang]
    prefix = "周" if lang == "zh" else ""
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        span = f"{prefix}{names[days[0] - 1]}至{prefix}{names[days[-1] - 1]}" if lang == "zh" \
            else f"{names[days[0] - 1]}–{names[days[-1] - 1]}"
    else:
        span = ("、" if lang == "zh" else ", ").join(f"{prefix}{names[d - 1]}" for d in days)

    def hm(value) -> str:  # noqa: ANN001 - a time
        return value.strftime("%H:%M")

    if hours.lunch_start and hours.lunch_end:
        sep = "、" if lang == "zh" else ", "
        times = f"{hm(hours.open)}–{hm(hours.lunch_start)}{sep}{hm(hours.lunch_end)}–{hm(hours.close)}"
    else:
        times = f"{hm(hours.open)}–{hm(hours.close)}"
    return f"{span} {times}"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render(config: HallConfig, state: dict, lang: str, token: str) -> str:
    """The whole page of one ticket."""
    t = TEXTS[lang]
    headline, detail, extra = status_lines(state, lang)
    css, _ = asset("phone.css")
    js, _ = asset("phone.js")
    data = {"lang": lang, "texts": t, "state": state, "base": f"/p/{token}", "bad_level": BAD_LEVEL,
            "levels": {str(k): v[lang] for k, v in LEVELS.items()}}
    return "".join([
        f"<!doctype html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<meta name='referrer' content='no-referrer'><meta name='robots' content='noindex'>",
        f"<title>{_e(state['number'])} · {_e(t['title'])}</title>",
        f"<link rel='stylesheet' href='/p/static/{css}'></head><body>",
        f"<header><span class='hall'>{_e(config.hall.name.get(lang))}</span>",
        f"<a class='lang' href='?lang={t['switch_lang']}' hreflang='{t['switch_lang']}' "
        f"lang='{'en' if lang == 'zh' else 'zh-CN'}'>{t['switch']}</a></header><main>",
        f"<section class='ticket'><p class='service'>{_e(state['service'][lang])}</p>",
        f"<p class='number' id='number'>{_e(state['number'])}</p>",
        f"<div id='status' class='status state-{_e(state['state'])}' role='status' aria-live='assertive'>",
        f"<p class='headline' id='headline'>{_e(headline)}</p><p class='detail' id='detail'>{_e(detail)}</p>",
        f"<p class='extra' id='extra'{'' if extra else ' hidden'}>{_e(extra)}</p></div>",
        f"<p class='live' id='live' hidden>{_e(t['live_lost'])}</p>",
        f"<button type='button' id='sound' class='quiet'{' hidden' if state['state'] in QUIET else ''}>"
        f"{_e(t['sound'])}</button></section>",
        _rating_section(config, state, lang),
        _notify_section(state, lang),
        _materials_section(config, state, lang),
        _hall_section(config, lang),
        "</main>",
        f"<script type='application/json' id='phone-data'>{_json_in_html(data)}</script>",
        f"<script src='/p/static/{js}' defer></script></body></html>",
    ])


def _json_in_html(data: dict) -> str:
    # "</" would end the script element early; JSON allows "<\/" for it.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _rating_section(config: HallConfig, state: dict, lang: str) -> str:
    t = TEXTS[lang]
    buttons = "".join(f"<button type='button' class='level' data-level='{level}'>{_e(name[lang])}</button>"
                      for level, name in LEVELS.items())
    reasons = "".join(f"<label class='check'><input type='checkbox' value='{_e(r.code)}'> {_e(r.name.get(lang))}</label>"
                      for r in config.rating_reasons)
    hidden = "" if state.get("rating") == "open" else " hidden"
    thanks_hidden = "" if state.get("rating") == "rated" else " hidden"
    return (f"<section id='rate' class='card'{hidden}><h2>{_e(t['rate_title'])}</h2><div id='levels'>{buttons}</div>"
            f"<fieldset id='bad' hidden><legend>{_e(t['reasons'])}</legend>{reasons}"
            f"<label for='comment'>{_e(t['comment'])}</label>"
            "<textarea id='comment' maxlength='200' rows='3'></textarea>"
            f"<button type='button' id='send-rating'>{_e(t['submit'])}</button></fieldset>"
            "<p id='rate-result' role='status'></p></section>"
            f"<p id='rated' class='card'{thanks_hidden}>{_e(t['rated'])}</p>")


def _notify_section(state: dict, lang: str) -> str:
    t = TEXTS[lang]
    notify = state["notify"]
    shown = notify["enabled"] and state["state"] in ("waiting", "held")
    saved = notify.get("phone")
    return (f"<section id='notify' class='card'{'' if shown else ' hidden'}><h2>{_e(t['notify_title'])}</h2>"
            f"<p>{_e(t['notify_text'].format(n=notify['ahead']))}</p>"
            f"<form id='notify-form' novalidate{' hidden' if saved else ''}><label for='phone'>{_e(t['phone_label'])}</label>"
            "<input id='phone' name='phone' type='tel' inputmode='numeric' autocomplete='tel' maxlength='14' "
            "pattern='(\\+86)?1[3-9][0-9]{9}' required>"
            f"<button type='submit'>{_e(t['notify_button'])}</button></form>"
            f"<p id='notify-saved'{'' if saved else ' hidden'}><span id='notify-phone'>"
            f"{_e(t['notify_saved'].format(phone=saved or ''))}</span> "
            f"<button type='button' id='notify-cancel' class='quiet'>{_e(t['notify_cancel'])}</button></p>"
            "<p id='notify-msg' role='status'></p></section>")


def _materials_section(config: HallConfig, state: dict, lang: str) -> str:
    service = config.service(state.get("service_code", ""))
    items = service.materials.get(lang) if service else []
    if not items:
        return ""
    rows = "".join(f"<li>{_e(item)}</li>" for item in items)
    return f"<section class='card'><h2>{_e(TEXTS[lang]['materials'])}</h2><ul>{rows}</ul></section>"


def _hall_section(config: HallConfig, lang: str) -> str:
    t = TEXTS[lang]
    hall = config.hall
    address = f"<p><strong>{_e(t['address'])}</strong> {_e(hall.address.get(lang))}</p>" if hall.address else ""
    note = f"（{t['closed_days']}）" if lang == "zh" else f" ({t['closed_days']})"
    return (f"<section class='card'><h2>{_e(t['hall'])}</h2>{address}"
            f"<p><strong>{_e(t['hours'])}</strong> {_e(hours_text(hall.hours, lang))}{_e(note)}</p></section>")
