"""The hall file's document side of hall settings (kiosk.hallsettings): the form of a change,
and writing it into the file's tomlkit document so comments, order and layout survive.

A change has the shape of ``kiosk.hallsettings.editable``, only what changes: services keyed by
code, windows by number, ``null`` removing one (or a key). Values are not judged here: the
whole file is validated afterwards, as ``kiosk config check`` reads it. Qt-free.
"""

from __future__ import annotations

from datetime import time
from typing import Any

import tomlkit
from tomlkit.items import Whitespace

from kiosk.configproblems import unknown_key
from kiosk.configwrite import to_toml

SERVICE_FIELDS = ("name", "zone", "prefix", "materials", "windows", "daily_quota", "priorities")
WINDOW_FIELDS = ("name", "zone", "services", "kind")
HOURS_FIELDS = ("open", "close", "lunch_start", "lunch_end", "weekdays")
CALENDAR_FIELDS = ("holidays", "workdays")
SECTIONS = ("services", "windows", "hours", "calendar", "notice")


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


def unknown_windows(changes: dict, numbers: set) -> dict[str, str]:
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
