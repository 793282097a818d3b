"""Hall settings changed while the server runs (DESIGN.md §4 "Hall settings").

``editable(config)`` is what the console's Hall settings page shows and edits: services (names,
prefix, materials, the windows that serve them, daily quota, priorities), windows (names,
services), opening hours and lunch break, holidays and 调休 make-up days, the hall's notice.

``save_hall_settings(path, changes, actor=…, engine=…)`` applies ``changes`` (the same shape,
only what changes; ``null`` removes a service, a window or the notice) to the hall file's
tomlkit document (``kiosk.hallsettings_doc``), so comments, order and layout survive, and validates the text it would write
exactly as ``kiosk config check`` reads a file. Nothing is written when anything is wrong:
``SettingsInvalid.problems`` maps each field (``services.SS01.daily_quota``,
``windows.5.services``, ``hours``) to its reason. With the running ``engine``, changes that
would break today's queue are refused (``SettingsRefused``, also keyed by field); the rest is
written (the previous file kept as ``hall.toml.bak``), swapped into the engine, audited and
announced in the same write transaction. Qt-free; blocking disk I/O.
"""

from __future__ import annotations

import json
import threading
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomlkit
from pydantic import ValidationError
from sqlalchemy import Connection, func, select

from kiosk import store as db
from kiosk.config import CrossReferenceError, HallConfig
from kiosk.configproblems import explain
from kiosk.configwrite import SettingsInvalid, load_document, write_with_backup
from kiosk.domain import ACTIVE_STATES, State
from kiosk.hallsettings_doc import apply_changes, shape_problems, unknown_windows

if TYPE_CHECKING:
    from kiosk.engine import HallEngine

SUBJECT = "settings:hall"
"""The audit trail's subject of hall settings changes (a ``ticket_events.ticket_id``)."""


RESTART_ONLY = ("hall.code", "hall.timezone", "export", "cases.check_interval_s")
"""What the running server takes only at its start: the time zone dates every ticket, backup
and case deadline; the case worker reads its periods and export sinks when it starts."""

QUEUED_STATES = tuple(s.value for s in ACTIVE_STATES) + (State.NO_SHOW.value,)
"""A ticket in these states may still be served (a no-show can be requeued)."""

_SAVE_LOCK = threading.Lock()  # one save at a time: read, change and write the file as one step


class HallFileUnwritable(SettingsInvalid):
    """The hall file could not be written (permissions, a full disk); nothing was changed."""


class SettingsRefused(SettingsInvalid):
    """Valid settings the running hall cannot take now (a prefix of a service that already
    issued today, a window with a clerk signed in …); ``problems`` is {field: sentence}."""


@dataclass(frozen=True)
class FieldChange:
    """One changed field, as the audit trail records it."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class SaveResult:
    """A saved change: the file's new config, its backup, what changed and how it applies."""

    config: HallConfig
    backup: Path | None
    changed: list[FieldChange]
    applied_live: list[str] = field(default_factory=list)
    needs_restart: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """The result as JSON-ready data (the API's answer)."""
        return {"changed": [{"field": c.field, "old": c.old, "new": c.new} for c in self.changed],
                "applied_live": self.applied_live, "needs_restart": self.needs_restart, "notes": self.notes,
                "backup": self.backup.name if self.backup else None, "settings": editable(self.config)}


# ----- the editable view -------------------------------------------------------------------


def editable(config: HallConfig) -> dict:
    """What the Hall settings page edits, as JSON-ready data; ``choices`` lists the zones and
    priorities a service or window may name."""
    hours = config.hall.hours
    return {
        "services": [{
            "code": s.code, "name": s.name.model_dump(), "zone": s.zone, "prefix": s.prefix,
            "materials": s.materials.model_dump(), "windows": config.windows_for(s.code),
            "daily_quota": s.daily_quota, "priorities": list(s.priorities),
        } for s in config.services],
        "windows": [{"number": w.number, "name": w.name.model_dump(), "zone": w.zone,
                     "services": list(w.services), "kind": w.kind} for w in config.windows],
        "hours": {"open": _hhmm(hours.open), "close": _hhmm(hours.close), "lunch_start": _hhmm(hours.lunch_start),
                  "lunch_end": _hhmm(hours.lunch_end), "weekdays": list(hours.weekdays)},
        "calendar": {"holidays": [d.isoformat() for d in config.calendar.holidays],
                     "workdays": [d.isoformat() for d in config.calendar.workdays]},
        "notice": config.hall.notice.model_dump() if config.hall.notice else None,
        "choices": {"zones": [z.model_dump() for z in config.zones],
                    "priorities": [p.model_dump() for p in config.priorities]},
    }


def _hhmm(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


# ----- validating the result ----------------------------------------------------------------


def validate_text(text: str) -> HallConfig:
    """The hall config ``text`` holds, read as ``kiosk config check`` reads a file (tomllib,
    then the whole model with its cross-references); SettingsInvalid keyed by field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsInvalid({"(file)": f"the change would not be valid TOML: {exc}"}) from None
    try:
        return HallConfig.model_validate(data)
    except ValidationError as exc:
        raise SettingsInvalid(_problems(exc, data)) from None


def _problems(exc: ValidationError, data: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, CrossReferenceError):
            for key, sentence in cause.problems:
                out.setdefault(key, sentence)
        else:
            out.setdefault(_field_key(err["loc"], data), explain(err, HallConfig))
    return out


def _field_key(loc: tuple, data: dict) -> str:
    """A pydantic location as the editable view's key: services by code, windows by number,
    ``[hall.hours]`` as ``hours`` and the notice as ``notice``."""
    parts = [str(p) for p in loc]
    if len(loc) >= 2 and loc[0] in ("services", "windows") and isinstance(loc[1], int):
        ident = "code" if loc[0] == "services" else "number"
        items = data.get(loc[0]) or []
        item = items[loc[1]] if loc[1] < len(items) and isinstance(items[loc[1]], dict) else {}
        parts[1] = str(item.get(ident, loc[1]))
    elif parts[:2] in (["hall", "hours"], ["hall", "notice"]):
        parts = parts[1:]
    return ".".join(parts) or "(file)"


# ----- what changed -------------------------------------------------------------------------


def _view(config: HallConfig) -> dict:
    """Everything the running hall uses, keyed the way the editable view keys it."""
    data = config.model_dump(mode="json")
    view = editable(config)
    view.pop("choices")
    view["services"] = {s["code"]: {**s, "windows": config.windows_for(s["code"])} for s in data.pop("services")}
    view["windows"] = {str(w["number"]): w for w in data.pop("windows")}
    hall = data.pop("hall")
    hall.pop("hours"), hall.pop("notice")
    if data["export"].get("webhook_token"):
        data["export"]["webhook_token"] = "(set)"  # a secret: the audit says it changed, not what to
    if data.get("storage", {}).get("database"):  # a URL may carry a password: never into the audit
        from kiosk.store import without_password

        data["storage"]["database"] = without_password(data["storage"]["database"])
    view["calendar"] = data.pop("calendar")  # with its weekend, which the page does not edit
    return {**view, "hall": hall, **data}


def field_changes(old: HallConfig | None, new: HallConfig) -> list[FieldChange]:
    """Every field that differs from ``old`` to ``new``; a service or window added or removed
    is one change of its own key."""
    out: list[FieldChange] = []
    _diff("", _view(old) if old else {}, _view(new), out)
    return out


def _diff(prefix: str, old: Any, new: Any, out: list[FieldChange]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in dict.fromkeys([*old, *new]):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in old or key not in new:
                if prefix in ("services", "windows") or not prefix:
                    out.append(FieldChange(path, old.get(key), new.get(key)))
                    continue
            _diff(path, old.get(key), new.get(key), out)
    elif old != new:
        out.append(FieldChange(prefix, old, new))


def restart_fields(changed: list[FieldChange]) -> list[str]:
    """The changed fields the running server takes only at its next start."""
    return [c.field for c in changed if any(c.field == r or c.field.startswith(r + ".") for r in RESTART_ONLY)]


def live_config(running: HallConfig, new: HallConfig) -> HallConfig:
    """``new`` with what only a restart may change kept as it runs now."""
    hall = new.hall.model_copy(update={"code": running.hall.code, "timezone": running.hall.timezone})
    cases = new.cases.model_copy(update={"check_interval_s": running.cases.check_interval_s})
    return new.model_copy(update={"hall": hall, "cases": cases, "export": running.export})


# ----- refusals: what today's queue cannot take ---------------------------------------------


def refusals(conn: Connection, day: str, running: HallConfig, new: HallConfig) -> dict[str, str]:
    """Changes the running hall must not take today, keyed by field, each said with what to do."""
    t, c, a = db.tickets, db.clerks, db.appointments
    issued = dict(conn.execute(select(t.c.service, func.count()).where(t.c.day == day).group_by(t.c.service)).all())
    queued = dict(conn.execute(select(t.c.service, func.count()).where(
        t.c.day == day, t.c.state.in_(QUEUED_STATES)).group_by(t.c.service)).all())
    booked = dict(conn.execute(select(a.c.service, func.count()).where(
        a.c.day >= day, a.c.ticket_id.is_(None)).group_by(a.c.service)).all())
    out: dict[str, str] = {}
    for old in running.services:
        now = new.service(old.code)
        if now is None:
            if queued.get(old.code) or booked.get(old.code):
                out[f"services.{old.code}"] = (
                    f"service {old.code} still has {queued.get(old.code, 0)} ticket(s) in the queue today and "
                    f"{booked.get(old.code, 0)} appointment(s) to come: remove it after they are served, "
                    "or set its daily quota to stop new tickets")
        elif (now.prefix, now.digits) != (old.prefix, old.digits) and issued.get(old.code):
            out[f"services.{old.code}.prefix"] = (
                f"service {old.code} has issued {issued[old.code]} ticket(s) today as {old.prefix}…: a new prefix "
                "now would mix two numberings and refuse the kiosks' offline tickets; change it after today "
                "(before the first ticket of a day)")
    busy = {r.window for r in conn.execute(select(t.c.window).where(
        t.c.day == day, t.c.window.is_not(None),
        t.c.state.in_((State.CALLED.value, State.SERVING.value, State.HELD.value))))}
    signed_in = set(conn.execute(select(c.c.window).where(c.c.window.is_not(None))).scalars())
    for window in running.windows:
        if new.window(window.number) is None and (window.number in busy or window.number in signed_in):
            why = "a clerk is signed in there" if window.number in signed_in else "it is serving a ticket"
            out[f"windows.{window.number}"] = (f"window {window.number} cannot be removed now: {why}; "
                                               "sign the clerk out and finish its tickets first")
    return out


def _override_notes(conn: Connection, day: str, changed: list[FieldChange]) -> list[str]:
    """Quota changes that a staff override of today hides until tomorrow."""
    s = db.service_days
    overrides = {r.service: r.quota for r in conn.execute(select(s).where(s.c.day == day, s.c.quota.is_not(None)))}
    notes = []
    for change in changed:
        parts = change.field.split(".")
        if len(parts) == 3 and parts[0] == "services" and parts[2] == "daily_quota" and parts[1] in overrides:
            notes.append(f"services.{parts[1]}.daily_quota: today's quota set by staff ({overrides[parts[1]]}) "
                         "still applies today; the new quota counts from tomorrow")
    return notes


# ----- saving --------------------------------------------------------------------------------


def save_hall_settings(path: Path | str, changes: Any, *, actor: str, engine: HallEngine | None = None) -> SaveResult:
    """Apply ``changes`` to the hall file at ``path`` and, given the running ``engine``, to the
    hall itself; SettingsInvalid or SettingsRefused (nothing written) when anything is wrong."""
    path = Path(path)
    with _SAVE_LOCK:
        doc = load_document(path)
        problems = shape_problems(changes)
        if problems:
            raise SettingsInvalid(problems)
        apply_changes(doc, changes)
        text = tomlkit.dumps(doc)
        unknown = unknown_windows(changes, {t.get("number") for t in doc.get("windows") or []})
        try:
            config = validate_text(text)
        except SettingsInvalid as exc:
            raise SettingsInvalid({**exc.problems, **unknown}) from None
        if unknown:
            raise SettingsInvalid(unknown)
        if engine is None:
            changed = field_changes(_file_config(path), config)
            backup = _write(path, text) if changed else None
            return SaveResult(config, backup, changed, [], [c.field for c in changed])
        return _save_live(engine, path, text, config, actor)


def _write(path: Path, text: str) -> Path:
    """Write the hall file with its backup; a disk that refuses is a problem said plainly (inside
    the engine's transaction it also undoes the audit rows: nothing was changed)."""
    try:
        return write_with_backup(path, text)
    except OSError as exc:
        raise HallFileUnwritable({"(file)": f"cannot write {path} ({exc.strerror or exc}); nothing was changed: check "
                                         "that the server's user may write its folder and that the disk has room"}) from None


def _file_config(path: Path) -> HallConfig | None:
    try:
        return validate_text(path.read_text(encoding="utf-8"))
    except (OSError, SettingsInvalid, UnicodeDecodeError):
        return None


def _save_live(engine: HallEngine, path: Path, text: str, config: HallConfig, actor: str) -> SaveResult:
    """Refuse, or write, swap, audit and announce, all inside one write transaction: no ticket
    is issued between the checks and the swap."""
    now = engine.clock.now()
    with engine.store.write() as conn:
        running = engine.config
        changed = field_changes(running, config)
        refused = refusals(conn, engine.today(), running, config)
        if refused:
            raise SettingsRefused(refused)
        backup = _write(path, text) if changed or text != path.read_text(encoding="utf-8") else None
        if not changed:
            return SaveResult(config, backup, [])
        restart = restart_fields(changed)
        engine.use_config(live_config(running, config))
        for change in changed:
            conn.execute(db.ticket_events.insert().values(
                ticket_id=SUBJECT, at=now, action="settings", from_state=None, to_state=State.WAITING.value,
                actor=actor or "", reason="", detail=json.dumps(
                    {"field": change.field, "old": change.old, "new": change.new}, ensure_ascii=False, default=str)))
        db.append_event(conn, now, "catalog", {"settings": "hall", "changed": [c.field for c in changed]})
        notes = _override_notes(conn, engine.today(), changed)
    engine.feed.notify()
    live = [c.field for c in changed if c.field not in restart]
    return SaveResult(config, backup, changed, live, restart, notes)
