"""The Devices & tokens page's lists and forms: tokens and clerks, read and changed through
``kiosk.tokens`` and the engine's clerks (``kiosk.clerks``), with each refusal worded in both
languages for the field it is about.

A problem is ``{field: (zh, en)}``; the template shows it beside its field.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from pydantic import ValidationError

from kiosk.clerk_models import ClerkInfo, NewClerk
from kiosk.clock import local
from kiosk.console.devices_view import device_label
from kiosk.domain import HallError
from kiosk.tokens import NAME, ROLES, WINDOW_ROLES, add_token, check_binding, list_tokens

if TYPE_CHECKING:
    from kiosk.engine import HallEngine

Problems = dict[str, tuple[str, str]]
TEXT = {"form_problem": ("请更正标出的内容。", "Please correct what is marked.")}


def _when(engine: HallEngine, ts: float | None) -> str:
    return "" if ts is None else f"{local(ts, engine.tz):%Y-%m-%d %H:%M}"


def token_rows(engine: HallEngine) -> list[dict]:
    """Every token for the tokens table, newest first: id, role, what it is bound to, made and
    revoked (hall time). Never a token or its hash: the table holds neither in clear."""
    return [{"id": t.id, "role": t.role, "bound": _place(t.device, t.window),
             "label": device_label(engine, t.role, t.device, t.window),
             "device": t.device, "window": t.window, "created": _when(engine, t.created_at),
             "revoked": _when(engine, t.revoked_at)}
            for t in reversed(list_tokens(engine.store))]


def _place(device: str, window: int | None) -> tuple[str, str]:
    """What a token is bound to, without its role: ``3号窗口`` / ``window 3``, or the device's name."""
    return (f"{window}号窗口", f"window {window}") if window is not None else (device or "—", device or "—")


def _window_problem(engine: HallEngine, role: str, text: str) -> tuple[int | None, tuple[str, str] | None]:
    """The window field: a number of a window the hall has, for a counter or evaluator only."""
    text = text.strip()
    if role not in WINDOW_ROLES:
        if text:
            return None, ("只有呼叫器和评价器令牌绑定窗口；请清空窗口号。",
                          "Only a counter or an evaluator token has a window; leave the window empty.")
        return None, None
    if not text:
        return None, ("呼叫器和评价器令牌需要窗口号。", "A counter or an evaluator token needs its window's number.")
    if not text.isdigit() or not 1 <= int(text) <= 999:
        return None, ("窗口号是 1 到 999 的数字。", "The window is a number from 1 to 999.")
    window = int(text)
    if engine.config.window(window) is None:
        known = ", ".join(str(w.number) for w in engine.config.windows)
        return None, (f"大厅没有 {window} 号窗口；现有窗口：{known}。",
                      f"The hall has no window {window}; its windows are {known}.")
    return window, None


def _device_problem(role: str, device: str) -> tuple[str, str] | None:
    """The device name field: required except for a counter or evaluator, in the kiosk id's pattern."""
    if not device and role not in WINDOW_ROLES:
        if role == "kiosk":
            return ("自助机令牌需要自助机编号（kiosk.toml 的 [kiosk] id）。",
                    "A kiosk token needs the kiosk's id ([kiosk] id in its kiosk.toml).")
        return ("此令牌需要一个设备名称，如 desk-1。", "This token needs a name for its device, such as desk-1.")
    if device and not NAME.match(device):
        return ("设备名称为 1 到 32 个字母、数字、- 或 _。", "A device name is 1 to 32 letters, digits, - or _.")
    return None


def _offline_range_note(engine: HallEngine, role: str, device: str) -> tuple[str, str] | None:
    """A kiosk without a reserved offline range can issue online only: say so when making its token."""
    if role != "kiosk" or any(r.kiosk == device for r in engine.config.offline_ranges):
        return None
    return (f"注意：大厅配置没有为自助机 {device} 预留离线号段（[[offline_ranges]]），断网时它取的号将被拒绝。",
            f"Note: the hall file reserves no offline range ([[offline_ranges]]) for kiosk {device}: "
            "its offline tickets will be refused until one is added.")


def create_token(engine: HallEngine, form: dict[str, str], actor: str) -> tuple[dict | None, Problems]:
    """Make a token from the form's ``role``, ``device`` and ``window``; returns what to show
    once (the token itself, its id and binding, a note) or the problems by field."""
    role, device = form.get("role", ""), form.get("device", "").strip()
    if role not in ROLES:
        return None, {"role": ("请选择一个角色。", "Choose a role.")}
    window, window_problem = _window_problem(engine, role, form.get("window", ""))
    problems = {name: p for name, p in (("device", _device_problem(role, device)), ("window", window_problem)) if p}
    if problems:
        return None, problems
    try:
        check_binding(role, device, window)  # the rule of kiosk.tokens decides, whatever the words above
    except ValueError as exc:
        return None, {"role": (str(exc), str(exc))}
    token = secrets.token_urlsafe(24)
    number = add_token(engine.store, token, role, device, engine.clock.now(), window, actor=actor)
    return {"id": number, "token": token, "label": device_label(engine, role, device, window),
            "note": _offline_range_note(engine, role, device)}, {}


def clerk_rows(engine: HallEngine) -> list[dict]:
    """Every clerk for the clerks table: 工号, name, window, card, disabled, locked; never a PIN
    or its hash (``ClerkInfo`` holds neither)."""
    return [{"code": c.code, "name": c.name, "window": c.window, "card": c.card, "disabled": c.disabled,
             "disabled_at": f"{c.disabled_at:%Y-%m-%d %H:%M}" if c.disabled_at else "",
             "locked": c.locked_seconds, "created": f"{c.created_at:%Y-%m-%d %H:%M}"}
            for c in engine.clerks()]


_CLERK_FIELD_WORDS = {
    "code": ("工号为 1 到 32 个字母、数字、- 或 _。", "A 工号 is 1 to 32 letters, digits, - or _."),
    "name": ("姓名为 1 到 32 个字符，不含控制字符。", "A name is 1 to 32 characters, without control characters."),
    "pin": ("PIN 为 4 到 12 位数字。", "A PIN is 4 to 12 digits."),
}


def create_clerk(engine: HallEngine, form: dict[str, str], actor: str) -> tuple[ClerkInfo | None, Problems]:
    """Add a clerk from the form's ``code``, ``name``, ``pin`` and ``pin2`` (the PIN typed twice),
    by the rules of ``kiosk clerks add`` (``NewClerk``); returns the clerk or the problems."""
    pin, again = form.get("pin", ""), form.get("pin2", "")
    try:
        new = NewClerk(code=form.get("code", "").strip(), name=form.get("name", ""), pin=pin)
    except ValidationError as exc:
        fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        return None, {f: _CLERK_FIELD_WORDS[f] for f in ("code", "name", "pin") if f in fields}
    if pin != again:
        return None, {"pin2": ("两次输入的 PIN 不一致；请重新输入。", "The two PINs differ; type it again twice.")}
    try:
        return engine.add_clerk(new, actor=actor), {}
    except HallError as exc:
        if exc.code == "clerk_exists":
            return None, {"code": (f"工号 {new.code} 已被使用（停用的工作人员也保留其工号）；请换一个。",
                                   f"工号 {new.code} is taken (a disabled clerk keeps theirs); choose another.")}
        raise
