"""Devices' own reports: stored, listed with "last seen", and turned into alerts (DESIGN.md §5, "Devices").

Every program (kiosk, board, counter, evaluator) reports its version and its parts' states at
start, every ``[policy] device_report_s`` and when a part changes (``kiosk.device_reporter``).
The hall keeps one row per device (``device_status``); who the device is comes from its token
(or, in-process, from the kiosk file), never from the report. A ``devstate`` hall event goes out
only when a part's state changes or a device comes back after being offline, so the console
and the screens update live without a stream of heartbeats.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from kiosk import store as db
from kiosk.clock import local
from kiosk.device_models import Alert, DeviceReport, DeviceView, PartView
from kiosk.support import scrub

if TYPE_CHECKING:
    from kiosk.engine import HallEngine
    from kiosk.tokens import Identity

EVENT = "devstate"
"""The hall event of a device's change (a type of at most 16 characters)."""
MISSED_REPORTS = 3
"""A device is offline once it missed this many report intervals."""
WINDOW_ROLES = ("counter", "rater")
REPORTING_ROLES = ("kiosk", "counter", "display", "rater")
"""The roles of devices that run a program and report; a guide's or admin's token serves a
person or a script, so one that never reported is not listed as a device never seen."""


def device_key(role: str, device: str, window: int | None) -> str:
    """The row key of a device: its role and what its token binds it to (a window for a
    counter or an evaluator, else its name), so two tokens of one device share one row."""
    if role in WINDOW_ROLES and window is not None:
        return f"{role}:w{window}"
    return f"{role}:{device}"


def device_name(role: str, device: str, window: int | None) -> str:
    """How people read a device: ``kiosk K01``, ``counter window 3``, ``display board-1``."""
    if role in WINDOW_ROLES and window is not None:
        return f"{role} window {window}"
    return f"{role} {device}".strip()


def interval_s(engine: HallEngine) -> float:
    """How often devices report: the hall file's ``[policy] device_report_s``."""
    return float(engine.config.policy.device_report_s)


def record(engine: HallEngine, who: Identity, report: DeviceReport, address: str = "") -> bool:
    """Store ``report`` as the latest of ``who``'s device (last seen: the engine's clock).
    Returns whether a ``devstate`` event went out: a part's state changed (a part first
    reported counts; a detail alone does not), or the device was offline and is back."""
    now = engine.clock.now()
    key = device_key(who.role, who.device, who.window)
    parts = {name: {"state": part["state"], "detail": scrub(part["detail"])} for name, part in report.parts().items()}
    values = {"program": report.program, "version": report.version, "outbox_pending": report.outbox_pending,
              "uptime_s": report.uptime_s, "address": address[:64], "last_seen": now}
    table = db.device_status
    with engine.store.write() as conn:
        row = conn.execute(select(table.c.parts, table.c.last_seen).where(table.c.key == key)).first()
        before = json.loads(row.parts) if row is not None else {}
        back = row is not None and _offline(now - row.last_seen, engine)
        changed = sorted(name for name, part in parts.items() if before.get(name, {}).get("state") != part["state"])
        for name, part in parts.items():  # since when each part is in its state
            part["since"] = now if name in changed else before[name].get("since", now)
        stored = json.dumps(parts, ensure_ascii=False)
        if row is None:
            conn.execute(insert(table).values(key=key, role=who.role, device=who.device, window=who.window,
                                              first_seen=now, parts=stored, **values))
        else:
            conn.execute(update(table).where(table.c.key == key).values(parts=stored, **values))
        gone = [name for name in before if name not in parts]
        if not (changed or gone or back):
            return False
        shown = {name: {"state": part["state"], "detail": part["detail"]} for name, part in parts.items()}
        data = {"key": key, "name": device_name(who.role, who.device, who.window), "role": who.role,
                "program": report.program, "version": report.version, "parts": shown,
                "changed": sorted([*changed, *gone]), "back": back}
        db.append_event(conn, now, EVENT, data)
    engine.feed.notify()
    return True


def _offline(silent_s: float, engine: HallEngine) -> bool:
    return silent_s > MISSED_REPORTS * interval_s(engine)


def devices(engine: HallEngine) -> list[DeviceView]:
    """Every device that reported, and every device of a reporting role (kiosk, counter,
    display, rater) with a live token that never did ("never seen", offline), by role and
    window or name."""
    now = engine.clock.now()
    table, tokens = db.device_status, db.tokens
    with engine.store.read() as conn:
        rows = conn.execute(select(table)).all()
        bound = conn.execute(select(tokens.c.role, tokens.c.device, tokens.c.window)
                             .where(tokens.c.revoked_at.is_(None))).all()
    views = {row.key: _view(row, now, engine) for row in rows}
    for role, device, window in bound:
        key = device_key(role, device, window)
        if key not in views and role in REPORTING_ROLES:
            views[key] = DeviceView(key=key, name=device_name(role, device, window), role=role, device=device,
                                    window=window, seen=False, offline=True, status="never_seen")
    return sorted(views.values(), key=lambda v: (v.role, v.window or 0, v.device))


def _view(row, now: float, engine: HallEngine) -> DeviceView:  # noqa: ANN001 - a device_status row
    offline = _offline(now - row.last_seen, engine)
    return DeviceView(key=row.key, name=device_name(row.role, row.device, row.window), role=row.role,
                      device=row.device, window=row.window, seen=True, offline=offline,
                      status="offline" if offline else "online", last_seen=local(row.last_seen, engine.tz),
                      version=row.version, program=row.program, parts=_parts(json.loads(row.parts), engine),
                      outbox_pending=row.outbox_pending, uptime_s=row.uptime_s, address=row.address)


def _parts(stored: dict, engine: HallEngine) -> dict[str, PartView]:
    return {name: PartView(state=part["state"], detail=part.get("detail", ""),
                           since=local(part["since"], engine.tz) if part.get("since") is not None else None)
            for name, part in stored.items()}


_PART_ALERTS = {
    ("printer", "paper_out"): ("paper_out", "error", "is out of paper: put in a new roll"),
    ("printer", "paper_low"): ("paper_low", "warning", "is running out of paper: have a roll ready"),
    ("printer", "cover_open"): ("printer", "error", "has its printer's cover open: close it"),
    ("printer", "offline"): ("printer", "error", "cannot reach its printer: check its cable and power"),
    ("printer", "error"): ("printer", "error", "has a printer fault: see its diagnostics"),
    ("reader", "offline"): ("reader", "error", "cannot reach its ID card reader: check its cable"),
    ("reader", "error"): ("reader", "error", "has an ID card reader fault: see its diagnostics"),
    ("sign", "offline"): ("sign", "error", "cannot reach its LED window signs: check the sign line"),
    ("sign", "error"): ("sign", "error", "has an LED sign fault: see its diagnostics"),
}


def device_alerts(engine: HallEngine) -> list[Alert]:
    """The device problems the console's Live page shows, errors first: a printer out of (or
    low on) paper or failing, a reader or sign bus failed, and kiosks gone offline (another
    program that stops reporting is listed as offline, not raised: a board or counter switched
    off at night is normal). A device's parts are not alerted while it is offline: its last
    report is old news."""
    alerts: list[Alert] = []
    for view in devices(engine):
        if view.offline:
            if view.role == "kiosk" and view.seen:
                when = _when(view.last_seen, engine)
                alerts.append(Alert(kind="offline", level="error", device=view.key, name=view.name,
                                    message=f"{view.name} has not reported since {when}: "
                                            "check that it is on and connected", since=view.last_seen))
            continue
        for part, value in sorted(view.parts.items()):
            found = _PART_ALERTS.get((part, value.state))
            if found:
                kind, level, words = found
                detail = f" ({value.detail})" if value.detail else ""
                alerts.append(Alert(kind=kind, level=level, device=view.key, name=view.name,
                                    message=f"{view.name} {words}{detail}", since=value.since))
    return sorted(alerts, key=lambda a: (a.level != "error", a.name))


def _when(seen, engine: HallEngine) -> str:  # noqa: ANN001 - an aware datetime
    """``10:42`` today, ``2026-11-30 10:42`` on another day (hall time)."""
    return f"{seen:%H:%M}" if seen.date().isoformat() == engine.today() else f"{seen:%Y-%m-%d %H:%M}"
