"""The Hall settings page's forms read into a change for ``kiosk.hallsettings.save_hall_settings``.

Each reader takes a posted form (``{field: text}``, one value per name: checkboxes are named
``win_5``, ``prio_elderly``, ``svc_TX01``, ``wd_6``) and the editable view it edits
(``kiosk.hallsettings.editable``), and gives a ``FormChange``: the change, holding only what
differs from the view (so the hall file's untouched lines stay as they are), the problems this
form can see by itself (a quota that is no number), keyed by field like ``SettingsInvalid`` and
said in Chinese and English, and
the values as typed, to show the form again. Values are judged by ``save_hall_settings``, with
the whole file, as ``kiosk config check`` judges them. Qt-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Said = tuple[str, str]
"""A problem this form finds, in Chinese and English (the page shows the one of its language)."""
CODE = re.compile(r"^[A-Za-z0-9_]{1,16}$")
CALENDAR_KINDS = ("holidays", "workdays")


@dataclass
class FormChange:
    """A form read: the change to save, problems found before saving, the values as typed."""

    changes: dict = field(default_factory=dict)
    problems: dict[str, Said] = field(default_factory=dict)
    values: dict = field(default_factory=dict)


def _text(form: dict[str, str], key: str) -> str:
    return (form.get(key) or "").strip()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _checked(form: dict[str, str], prefix: str, choices: list) -> list:
    """The ``choices`` whose checkbox ``prefix + str(choice)`` was ticked, in the choices' order."""
    return [c for c in choices if form.get(f"{prefix}{c}")]


def _only_changed(current: dict, wanted: dict) -> dict:
    """The fields of ``wanted`` that differ from ``current`` (a name's zh and en one by one)."""
    out: dict = {}
    for key, value in wanted.items():
        old = current.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and key == "name":
            part = {k: v for k, v in value.items() if old.get(k) != v}
            if part:
                out[key] = part
        elif old != value:
            out[key] = value
    return out


# ----- services ------------------------------------------------------------------------------


def read_service(form: dict[str, str], view: dict, code: str | None) -> FormChange:
    """A service's detail form; ``code`` None: a new service, whose code is in the form."""
    result = FormChange()
    current = next((s for s in view["services"] if s["code"] == code), None) if code else None
    key = code or _text(form, "code")
    if code is None:
        if not CODE.match(key):
            result.problems["code"] = ("编码写 1-16 个字母、数字或 _，例如 TX03", "write a code of 1-16 letters, digits or _, e.g. TX03")
        elif any(s["code"] == key for s in view["services"]):
            result.problems["code"] = (f"已有业务 {key}，请换一个编码", f"there is already a service {key}: choose another code")
    windows = _checked(form, "win_", [w["number"] for w in view["windows"]])
    priorities = _checked(form, "prio_", [p["code"] for p in view["choices"]["priorities"]])
    wanted = {
        "name": {"zh": _text(form, "name_zh"), "en": _text(form, "name_en")},
        "zone": _text(form, "zone"), "prefix": _text(form, "prefix").upper(),
        "materials": {"zh": _lines(form.get("materials_zh") or ""), "en": _lines(form.get("materials_en") or "")},
        "windows": windows, "priorities": priorities,
    }
    quota_text = _text(form, "daily_quota")
    result.values = {**wanted, "code": key, "daily_quota": quota_text}
    if quota_text.isdigit():
        wanted["daily_quota"] = int(quota_text)
    else:
        result.problems["daily_quota"] = ("每日限额请写整数，例如 120", "write the number of tickets a day as a whole number, e.g. 120")
    for lang in ("zh", "en"):
        if not wanted["name"][lang]:
            result.problems[f"name.{lang}"] = ("请填写业务的中英文名称", "write the service's name in both languages")
    if not priorities:
        result.problems["priorities"] = ("至少勾选“普通”", "tick at least the normal priority")
    if current is None and not windows:
        result.problems["windows"] = ("请勾选办理此业务的窗口（至少一个）", "tick the windows that will serve it (at least one)")
    edit = wanted if current is None else _only_changed(current, wanted)
    if edit and not result.problems:
        result.changes = {"services": {key: edit}}
    result.problems = {f"services.{key}.{k}" if k != "code" else "code": v for k, v in result.problems.items()}
    return result


# ----- windows -------------------------------------------------------------------------------


def read_window(form: dict[str, str], view: dict, number: int | None) -> FormChange:
    """A window's detail form; ``number`` None: a new window, whose number is in the form.
    The services it serves keep their order of preference; newly ticked ones come last."""
    result = FormChange()
    current = next((w for w in view["windows"] if w["number"] == number), None) if number else None
    typed = str(number) if number else _text(form, "number")
    if number is None:
        if not (typed.isdigit() and 1 <= int(typed) <= 999):
            result.problems["number"] = ("窗口编号请写 1-999", "write the window's number, 1-999")
        elif any(w["number"] == int(typed) for w in view["windows"]):
            result.problems["number"] = (f"已有 {typed} 号窗口，请换一个编号", f"there is already a window {typed}: choose another number")
    ticked = _checked(form, "svc_", [s["code"] for s in view["services"]])
    before = current["services"] if current else []
    services = [c for c in before if c in ticked] + [c for c in ticked if c not in before]
    kind = _text(form, "kind") or "window"
    wanted = {"name": {"zh": _text(form, "name_zh"), "en": _text(form, "name_en")},
              "zone": _text(form, "zone"), "services": services, "kind": kind}
    result.values = {**wanted, "number": typed}
    for lang in ("zh", "en"):
        if not wanted["name"][lang]:
            result.problems[f"name.{lang}"] = ("请填写窗口的中英文名称", "write the window's name in both languages")
    if not services:
        result.problems["services"] = ("请至少勾选一项此窗口办理的业务", "tick at least one service this window serves")
    edit = wanted if current is None else _only_changed(current, wanted)
    if edit and not result.problems:
        result.changes = {"windows": {typed: edit}}
    result.problems = {f"windows.{typed}.{k}" if k != "number" else "number": v for k, v in result.problems.items()}
    return result


# ----- hours, calendar, notice ---------------------------------------------------------------


def _hhmm(text: str) -> str:
    """``8:30`` as ``08:30`` (the way the view shows a time); anything else as typed."""
    return f"0{text}" if re.fullmatch(r"\d:\d\d", text) else text


def read_hours(form: dict[str, str], view: dict) -> FormChange:
    """The opening hours: open, close, the lunch break (both empty: none) and the weekdays."""
    result = FormChange()
    wanted: dict[str, Any] = {k: _hhmm(_text(form, k)) or None for k in ("open", "close", "lunch_start", "lunch_end")}
    wanted["weekdays"] = _checked(form, "wd_", list(range(1, 8)))
    result.values = dict(wanted)
    for key in ("open", "close"):
        if wanted[key] is None:
            result.problems[f"hours.{key}"] = ("请填写时间，例如 08:30", "write a time of day, e.g. 08:30")
    if (wanted["lunch_start"] is None) != (wanted["lunch_end"] is None):
        result.problems["hours.lunch_end"] = ("午休的开始和结束都要填写；不午休则两项都清空", "give both times of the lunch break, or clear both for none")
    if not wanted["weekdays"]:
        result.problems["hours.weekdays"] = ("请勾选办理日（至少一天）", "tick the days the hall is open (at least one)")
    edit = _only_changed(view["hours"], wanted)
    if edit and not result.problems:
        result.changes = {"hours": edit}
    return result


def read_calendar(form: dict[str, str], view: dict, *, add: bool) -> FormChange:
    """One date added to, or removed from, the holidays or the 调休 make-up days."""
    result = FormChange()
    kind, typed = _text(form, "kind"), _text(form, "date")
    result.values = {"kind": kind, "date": typed}
    if kind not in CALENDAR_KINDS:
        result.problems["calendar"] = ("请选择节假日或调休上班日", "choose a holiday or a make-up working day")
        return result
    try:
        day = date.fromisoformat(typed).isoformat()
    except ValueError:
        result.problems[f"calendar.{kind}"] = ("日期请按 YYYY-MM-DD 填写，例如 2026-10-01", "write the date as YYYY-MM-DD, e.g. 2026-10-01")
        return result
    days = list(view["calendar"][kind])
    if add and day in days:
        result.problems[f"calendar.{kind}"] = (f"{day} 已在列表中", f"{day} is already in the list")
    elif add:
        result.changes = {"calendar": {kind: sorted([*days, day])}}
    elif day in days:
        result.changes = {"calendar": {kind: [d for d in days if d != day]}}
    return result


def read_notice(form: dict[str, str], view: dict) -> FormChange:
    """The hall's notice in both languages; both cleared removes it."""
    result = FormChange()
    wanted = {"zh": _text(form, "notice_zh"), "en": _text(form, "notice_en")}
    result.values = wanted
    if bool(wanted["zh"]) != bool(wanted["en"]):
        missing = "en" if wanted["zh"] else "zh"
        result.problems[f"notice.{missing}"] = ("公告请同时填写中英文；撤下公告则两项都清空", "write the notice in both languages, or clear both to remove it")
        return result
    new = wanted if wanted["zh"] else None
    if new != view["notice"]:
        result.changes = {"notice": new if new is None else _only_changed(view["notice"] or {}, new)}
    return result
