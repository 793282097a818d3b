"""Hall settings changed while the server runs (DESIGN.md §4 "Hall settings").

``editable(config)`` is what the console's Hall settings page shows and edits: services (names,
prefix, materials, the windows that serve them, daily quota, priorities), windows (names,
services), opening hours and lunch break, holidays and 调休 make-up days, the hall's notice.

``save_hall_settings(path, changes, actor=…, engine=…)`` applies ``changes`` (the same shape,
only what changes; ``null`` removes a service, a window or the notice) to the hall file's
tomlkit document, so comments, order and layout survive, and validates the text it would write
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
from tomlkit.items import Whitespace

from kiosk import store as db
from kiosk.config import CrossReferenceError, HallConfig
from kiosk.configproblems import explain, unknown_key
from kiosk.configwrite import SettingsInvalid, load_document, to_toml, write_with_backup
from kiosk.domain import ACTIVE_STATES, State

if TYPE_CHECKING:
    from kiosk.engine import HallEngine

SUBJECT = "settings:hall"
"""The audit trail's subject of hall settings changes (a ``ticket_events.ticket_id``)."""

SERVICE_FIELDS = ("name", "zone", "prefix", "materials", "windows", "daily_quota", "priorities")
WINDOW_FIELDS = ("name", "zone", "services", "kind")
HOURS_FIELDS = ("open", "close", "lunch_start", "lunch_end", "weekdays")
CALENDAR_FIELDS = ("holidays", "workdays")
SECTIONS = ("services", "windows", "hours", "calendar", "notice")
NEW_SERVICE_NEEDS = ("name", "zone", "prefix")
NEW_WINDOW_NEEDS = ("name", "zone", "services")

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


# ----- checking the shape of a change ------------------------------------------------------


def shape_problems(changes: Any) -> dict[str, str]:
    """What is wrong with the form of ``changes`` itself (unknown sections or fields, a service
    that is not an object …), keyed by field; the values are checked later, with the whole file."""
    if not isinstance(changes, dict):
        return {"(changes)": "send a JSON object: {\"services\": {...}, \"windows\": {...}, \"hours\": {...}, "
                             "\"calendar\": {...}, \"notice\": {...}}"}
    problems: dict[str, str] = {}
    for section, value in changes.items():
        if section not in SECTIONS:
            problems[section] = unknown_key(section, list(SECTIONS))
        elif section in ("services", "windows"):
            problems.update(_items_problems(section, value))
        elif section in ("hours", "calendar"):
            allowed = HOURS_FIELDS if section == "hours" else CALENDAR_FIELDS
            problems.update(_fields_problems(section, value, allowed))
        elif value is not None:
            problems.update(_fields_problems(section, value, ("zh", "en")))
    return problems


def _items_problems(section: str, items: Any) -> dict[str, str]:
    if not isinstance(items, dict):
        return {section: f"{section} must be an object keyed by "
                         f"{'service code' if section == 'services' else 'window number'}"}
    allowed = SERVICE_FIELDS if section == "services" else WINDOW_FIELDS
    problems: dict[str, str] = {}
    for key, value in items.items():
        if section == "windows" and not str(key).isdigit():
            problems[f"windows.{key}"] = f"{key!r} is not a window number (1-999)"
        elif value is not None:
            problems.update(_fields_problems(f"{section}.{key}", value, allowed, merged=True))
            served_by = value.get("windows", []) if section == "services" and isinstance(value, dict) else []
            if not isinstance(served_by, list) or not all(type(n) is int for n in served_by):
                problems[f"services.{key}.windows"] = "give the numbers of the windows that serve it, e.g. [1, 2]"
    return problems


def _unknown_windows(changes: dict, numbers: set) -> dict[str, str]:
    """Windows named by a service's ``windows`` that are not among the hall's ``numbers``."""
    problems = {}
    for code, edit in (changes.get("services") or {}).items():
        missing = [n for n in (edit or {}).get("windows") or [] if n not in numbers]
        if missing:
            problems[f"services.{code}.windows"] = f"no window {missing[0]}: add the window first"
    return problems


def _fields_problems(prefix: str, value: Any, allowed: tuple[str, ...], merged: bool = False) -> dict[str, str]:
    """Unknown fields and values TOML cannot hold; ``merged``: a field's object is merged into
    the table it changes (a service's names), so its own keys may be null too."""
    if not isinstance(value, dict):
        return {prefix: f"must be an object with some of: {', '.join(allowed)}"}
    problems = {f"{prefix}.{k}": unknown_key(str(k), list(allowed)) for k in value if k not in allowed}
    for key, item in value.items():
        # null removes a field (or one key of a merged table); deeper it means nothing
        inner = item.values() if merged and isinstance(item, dict) else [item]
        if key in allowed and not all(_writable(v) for v in inner):
            problems[f"{prefix}.{key}"] = "null or an empty key cannot be written inside a value; leave it out"
    return problems


def _writable(value: Any, top: bool = True) -> bool:
    """Whether TOML can hold ``value`` (``None`` only where it removes a key)."""
    if value is None:
        return top
    if isinstance(value, list):
        return all(_writable(v, False) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and k and _writable(v, False) for k, v in value.items())
    return isinstance(value, str | int | float)


# ----- applying a change to the document ---------------------------------------------------


def apply_changes(doc: tomlkit.TOMLDocument, changes: dict) -> None:
    """Write ``changes`` (shape already checked) into the hall file's document."""
    for number, edit in (changes.get("windows") or {}).items():
        _edit_item(doc, "windows", "number", int(number), edit, WINDOW_FIELDS)
    for code, edit in (changes.get("services") or {}).items():
        served_by = None if edit is None else edit.get("windows")
        _edit_item(doc, "services", "code", code, edit and {k: v for k, v in edit.items() if k != "windows"},
                   SERVICE_FIELDS)
        if edit is None:
            _set_serving_windows(doc, code, [])
        elif served_by is not None:
            _set_serving_windows(doc, code, served_by)
    hall = doc.setdefault("hall", tomlkit.table())
    if "hours" in changes:
        hours = hall.setdefault("hours", tomlkit.table())
        for key, value in (changes["hours"] or {}).items():
            _set(hours, key, _as_time(value) if key != "weekdays" else value)
    if "calendar" in changes:
        calendar = doc.setdefault("calendar", tomlkit.table())
        for key, value in (changes["calendar"] or {}).items():
            _set(calendar, key, value)  # ISO texts, as the sample writes them; validation checks each
    if "notice" in changes:
        notice = changes["notice"]
        if notice is None:
            hall.pop("notice", None)
        else:
            _merge(hall, "notice", notice)


def _edit_item(doc: tomlkit.TOMLDocument, section: str, key: str, ident: Any, edit: dict | None,
               allowed: tuple[str, ...]) -> None:
    """Change, add (an unknown ``ident``) or remove (``edit`` None) one ``[[section]]`` table."""
    tables = doc.get(section)
    index = next((i for i, t in enumerate(tables or []) if t.get(key) == ident), None)
    if edit is None:
        if index is not None:
            if index == len(tables) - 1 and index > 0:  # the next section's comment stays
                _add_trailing(tables[index - 1], _take_trailing(tables[index]))
            del tables[index]
        return
    table = tables[index] if index is not None else tomlkit.table()
    if index is None:
        table[key] = ident
    for name in allowed:
        if name in edit:
            if isinstance(edit[name], dict):
                _merge(table, name, edit[name])
            else:
                _set(table, name, edit[name])
    if index is None:
        _append_table(doc, section, table)


def _append_table(doc: tomlkit.TOMLDocument, section: str, table: Any) -> None:
    """Add ``table`` after the last ``[[section]]``. The comment that followed the last table
    introduces what comes next in the file (tomlkit keeps it inside that table): it moves to
    the end of the new table, so it stays above the section it describes."""
    tables = doc.get(section)
    if tables is None:
        doc[section] = tomlkit.aot()
        doc[section].append(table)
        return
    _add_trailing(table, _take_trailing(tables[-1]))
    tables.append(table)


def _take_trailing(table: Any) -> list:
    """Remove and return the comments at the end of ``table`` (after its closing blank line)."""
    body = table.value.body
    tail = len(body)
    while tail and body[tail - 1][0] is None:
        tail -= 1
    while tail < len(body) and isinstance(body[tail][1], Whitespace):
        tail += 1  # the blank line closing the table stays with it
    moved = [item for _key, item in body[tail:]]
    del body[tail:]
    return moved


def _add_trailing(table: Any, items: list) -> None:
    body = table.value.body
    if items and not (body and isinstance(body[-1][1], Whitespace)):
        table.add(tomlkit.nl())
    for item in items:
        table.add(item)


def _set_serving_windows(doc: tomlkit.TOMLDocument, code: str, numbers: list[int]) -> None:
    """Make exactly the windows ``numbers`` serve ``code``: a window that starts serving it puts
    it last in its preference; one that stops keeps its other services in order."""
    wanted = set(numbers)
    for table in doc.get("windows") or []:
        services = list(table.get("services") or [])
        serves = code in services
        if table.get("number") in wanted and not serves:
            table["services"] = [*services, code]
        elif table.get("number") not in wanted and serves:
            table["services"] = [s for s in services if s != code]


def _set(table: Any, key: str, value: Any) -> None:
    if value is None:
        table.pop(key, None)
    else:
        table[key] = to_toml(value)


def _merge(table: Any, key: str, value: dict) -> None:
    """Set the keys of a sub-table (a name's zh and en), keeping its other keys and its style."""
    current = table.get(key)
    if current is None or not hasattr(current, "keys"):
        table[key] = to_toml({k: v for k, v in value.items() if v is not None})  # a null removes nothing new
        return
    for k, v in value.items():
        _set(current, str(k), v)


def _as_time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value)
        except ValueError:
            return value  # left as text: validation names the field
        return value if parsed.tzinfo else parsed  # "17:00Z": validation says a local time is wanted
    return value


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
        unknown = _unknown_windows(changes, {t.get("number") for t in doc.get("windows") or []})
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
