"""What the console's Devices & tokens page shows of devices, and the Live page's device alerts.

The decisions (online or offline, which part state is an alert) are ``kiosk.device_status``'s;
this module only words them in Chinese and English and marks how bad each one looks.
``live_alerts`` is appended to ``kiosk.console.live.ALERT_SOURCES`` by ``page_devices``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from kiosk import device_status
from kiosk.console.live import Alert as LiveAlert

if TYPE_CHECKING:
    from kiosk.device_models import DeviceView, PartView
    from kiosk.engine import HallEngine

ROLE_NAMES = {
    "kiosk": ("自助机", "Kiosk"),
    "counter": ("呼叫器", "Counter"),
    "display": ("显示屏", "Display"),
    "rater": ("评价器", "Evaluator"),
    "guide": ("导服台", "Guide desk"),
    "admin": ("管理接口", "Admin"),
}
"""A device token's role as people read it, the groups of the devices table in this order."""

PART_NAMES = {"printer": ("打印机", "Printer"), "reader": ("身份证阅读器", "ID reader"),
              "sign": ("LED 窗口屏", "LED signs")}

STATE_WORDS = {
    "ok": ("正常", "OK"),
    "paper_low": ("纸将用完", "Paper low"),
    "paper_out": ("缺纸", "Paper out"),
    "cover_open": ("盖未合上", "Cover open"),
    "offline": ("未连接", "Not connected"),
    "error": ("故障", "Fault"),
}

_PART_ALERT_WORDS = {
    ("printer", "paper_out"): ("打印机缺纸：请换新纸卷", "is out of paper: put in a new roll"),
    ("printer", "paper_low"): ("打印机纸将用完：请备好纸卷", "is running out of paper: have a roll ready"),
    ("printer", "cover_open"): ("打印机盖未合上：请合上", "has its printer's cover open: close it"),
    ("printer", "offline"): ("连不上打印机：请检查线缆和电源", "cannot reach its printer: check its cable and power"),
    ("printer", "error"): ("打印机故障：请查看诊断页", "has a printer fault: see its diagnostics"),
    ("reader", "offline"): ("连不上身份证阅读器：请检查线缆", "cannot reach its ID card reader: check its cable"),
    ("reader", "error"): ("身份证阅读器故障：请查看诊断页", "has an ID card reader fault: see its diagnostics"),
    ("sign", "offline"): ("连不上 LED 窗口屏：请检查屏线", "cannot reach its LED window signs: check the sign line"),
    ("sign", "error"): ("LED 窗口屏故障：请查看诊断页", "has an LED sign fault: see its diagnostics"),
}
"""The Live page's words for ``device_status``'s part alerts (which ones are alerts is its call)."""

_ALERT_PART = {"paper_out": "printer", "paper_low": "printer"}
"""An alert's kind → the part it is about (the other kinds name their part)."""


def device_label(engine: HallEngine, role: str, device: str, window: int | None) -> tuple[str, str]:
    """A device as people read it, in both languages: ``自助机 K01`` / ``Kiosk K01``,
    ``3号窗口 呼叫器`` / ``Counter, window 3`` (``18号咨询台`` for a help desk)."""
    zh, en = ROLE_NAMES.get(role, (role, role))
    if role in device_status.WINDOW_ROLES and window is not None:
        desk = (w := engine.config.window(window)) is not None and w.kind == "desk"
        place_zh, place_en = (f"{window}号咨询台", f"help desk {window}") if desk else (f"{window}号窗口", f"window {window}")
        return f"{place_zh} {zh}", f"{en}, {place_en}"
    return f"{zh} {device}".strip(), f"{en} {device}".strip()


def part_level(state: str) -> str:
    """How a part's state looks: ``ok``, ``warn`` (paper low) or ``bad``."""
    return "ok" if state == "ok" else "warn" if state == "paper_low" else "bad"


def _ago(seconds: float) -> tuple[str, str]:
    """``2 分钟前`` / ``2 min ago``: how long since a device was last heard of."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return "刚刚", "just now"
    if seconds < 3600:
        return f"{seconds // 60} 分钟前", f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} 小时前", f"{seconds // 3600} h ago"
    return f"{seconds // 86400} 天前", f"{seconds // 86400} days ago"


def clock_text(when: datetime | None, today: str) -> str:
    """``10:42:05`` today, ``2026-11-30 10:42`` on another day (hall time); ``—`` for none."""
    if when is None:
        return "—"
    return f"{when:%H:%M:%S}" if when.date().isoformat() == today else f"{when:%Y-%m-%d %H:%M}"


def _part_row(name: str, part: PartView, today: str, stale: bool) -> dict:
    return {"name": name, "label": PART_NAMES.get(name, (name, name)),
            "state": STATE_WORDS.get(part.state, (part.state, part.state)),
            "level": "stale" if stale else part_level(part.state), "detail": part.detail,
            "since": clock_text(part.since, today)}


def _status_level(view: DeviceView) -> str:
    """A kiosk gone quiet is an alert (bad); another device offline is only worth a look (warn):
    a board or counter switched off at night is normal."""
    if view.status == "online":
        return "ok"
    if view.status == "never_seen":
        return "muted"
    return "bad" if view.role == "kiosk" else "warn"


def row_mark(level: str, parts: list[dict]) -> str:
    """How a device's row is marked: ``bad`` (red) if it or a part is in error, ``warn`` (amber)
    if the worst is a warning (paper low, a counter offline), else ``""`` (no mark)."""
    levels = {level, *(p["level"] for p in parts)}
    return "bad" if "bad" in levels else "warn" if "warn" in levels else ""


def device_rows(engine: HallEngine) -> list[dict]:
    """Every device for the devices table: label, status, last seen, version, parts with their
    state, detail and since when, outbox, address, and whether it has a problem to highlight."""
    now, today = engine.clock.now(), engine.today()
    order = list(ROLE_NAMES)
    rows = []
    for view in device_status.devices(engine):
        stale = view.offline  # an offline device's parts are its last report: old news
        parts = [_part_row(name, view.parts[name], today, stale)
                 for name in sorted(view.parts, key=lambda n: (list(PART_NAMES).index(n) if n in PART_NAMES else 9, n))]
        level = _status_level(view)
        problem = level == "bad" or any(p["level"] in ("bad", "warn") for p in parts)
        rows.append({
            "key": view.key, "role": view.role, "group": ROLE_NAMES.get(view.role, (view.role, view.role)),
            "label": device_label(engine, view.role, view.device, view.window), "status": view.status,
            "level": level, "problem": problem, "mark": row_mark(level, parts),
            "ago": _ago(now - view.last_seen.timestamp()) if view.last_seen else ("—", "—"),
            "seen_at": clock_text(view.last_seen, today), "version": view.version or "—",
            "program": view.program or "", "parts": parts, "outbox": view.outbox_pending if view.seen else None,
            "address": view.address or "—",
        })
    rows.sort(key=lambda r: (order.index(r["role"]) if r["role"] in order else 99))  # stable: keeps window order
    return rows


def summary(rows: list[dict]) -> dict:
    """How many devices are online, offline, never seen, and how many have a problem."""
    count = {"total": len(rows), "online": 0, "offline": 0, "never_seen": 0}
    for row in rows:
        count[row["status"]] += 1
    count["problems"] = sum(1 for r in rows if r["problem"])
    return count


def live_alerts(engine: HallEngine) -> list[LiveAlert]:
    """``device_status.device_alerts`` as the Live page's alerts, in both languages: paper out
    or low, a printer, reader or sign bus failing, a kiosk gone offline."""
    views = {v.key: v for v in device_status.devices(engine)}
    today = engine.today()
    found = []
    for alert in device_status.device_alerts(engine):
        view = views.get(alert.device)
        if view is None:  # reported in between the two reads: next refresh has it
            continue
        zh_name, en_name = device_label(engine, view.role, view.device, view.window)
        level = "bad" if alert.level == "error" else "warn"
        if alert.kind == "offline":
            when = clock_text(alert.since, today)
            found.append(LiveAlert("device", level, f"{zh_name} 自 {when} 起未上报：请检查是否开机、联网",
                                   f"{en_name} has not reported since {when}: check that it is on and connected"))
            continue
        part = _ALERT_PART.get(alert.kind, alert.kind)
        state = view.parts[part].state if part in view.parts else ""
        zh, en = _PART_ALERT_WORDS.get((part, state), ("需要处理", "needs a look"))
        raw = view.parts[part].detail if part in view.parts else ""
        known = state_word(raw)
        if known not in (None, "ok", state):  # a known word the sentence does not already say
            zh, en = f"{zh}（{STATE_WORDS[known][0]}）", f"{en} ({STATE_WORDS[known][1]})"
        # No link: guides see these alerts too, and the devices page is hall IT's. A device words
        # other details in its own language, maybe not the page's: those are the line's tooltip.
        found.append(LiveAlert("device", level, f"{zh_name} {zh}", f"{en_name} {en}",
                               detail="" if known else raw.strip()))
    return found


def state_word(detail: str) -> str | None:
    """The part state a device's detail names (``paper_out``, ``Paper low``, ``paper_near_end``
    …), as a key of ``STATE_WORDS``; None for any other text."""
    key = detail.strip().lower().replace(" ", "_").replace("-", "_")
    key = {"paper_near_end": "paper_low"}.get(key, key)
    return key if key in STATE_WORDS else None
