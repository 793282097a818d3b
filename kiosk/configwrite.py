"""Writing settings back into the kiosk TOML, comments kept, validated first, old file kept.

``save_settings(path, changes)`` applies ``{dotted key: value}`` changes to the file's tomlkit
document (so comments, order and layout survive), validates the result as a whole with the
same model that loads the file (``KioskConfig``, its ``[printer]`` and sign URIs included), and
only then writes it: the previous file goes to ``kiosk.toml.bak`` and the new one replaces it
atomically. Nothing is written when anything is wrong; ``SettingsInvalid.problems`` maps each
bad key to its reason so the panel can mark the field. Blocking disk I/O: call it off the GUI
thread. Qt-free.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from pydantic import ValidationError
from tomlkit.exceptions import TOMLKitError

from kiosk.config import KioskConfig
from kiosk.configproblems import explain


class SettingsInvalid(ValueError):
    """Changes that would make an invalid config; ``problems`` is {dotted key: reason}."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


@dataclass(frozen=True)
class SaveResult:
    """A successful save: the new config, the backup file and the keys that changed."""

    config: KioskConfig
    backup: Path | None
    changed: list[str]


def load_document(path: Path | str) -> tomlkit.TOMLDocument:
    """A TOML file (kiosk or hall) as an editable document; SettingsInvalid if it does not parse."""
    try:
        return tomlkit.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, TOMLKitError, UnicodeDecodeError) as exc:
        raise SettingsInvalid({"(file)": f"cannot read {path}: {exc}"}) from None


def to_toml(value: Any) -> Any:
    """Plain values as tomlkit items; dicts inside lists become inline tables (sign addresses)."""
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update({str(k): to_toml(v) for k, v in value.items()})
        return table
    return value


def _set_signs(doc: tomlkit.TOMLDocument, signs: list[dict]) -> None:
    """Replace the ``[[signs]]`` tables, keeping the existing tables (and their comments)."""
    existing = doc.get("signs")
    if existing is None or not signs:
        if existing is not None:
            del doc["signs"]
        if signs:
            aot = tomlkit.aot()
            for sign in signs:
                aot.append(_sign_table(tomlkit.table(), sign))
            doc["signs"] = aot
        return
    while len(existing) > len(signs):
        existing.pop()
    for index, sign in enumerate(signs):
        if index < len(existing):
            _sign_table(existing[index], sign)
        else:
            existing.append(_sign_table(tomlkit.table(), sign))


def _sign_table(table, sign: dict):
    table["uri"] = sign["uri"]
    table["addresses"] = to_toml(dict(sign.get("addresses", {})))
    return table


def apply_changes(doc: tomlkit.TOMLDocument, changes: dict[str, Any]) -> None:
    """Set each dotted key in ``doc``, creating tables that are missing."""
    for key, value in changes.items():
        if key == "signs":
            _set_signs(doc, value)
            continue
        *parents, leaf = key.split(".")
        node = doc
        for part in parents:
            if part not in node:
                node[part] = tomlkit.table()
            node = node[part]
        node[leaf] = to_toml(value)


def validate(data: dict) -> KioskConfig:
    """Check a plain config dict in full; SettingsInvalid names every bad key."""
    try:
        return KioskConfig.model_validate(data)
    except ValidationError as exc:
        raise SettingsInvalid(_pydantic_problems(exc)) from None


def _pydantic_problems(exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        # a model-level validator (e.g. link needs a token in server mode) has no field: its table
        key = ".".join(str(p) for p in err["loc"]) or "(file)"
        out.setdefault(key, explain(err, KioskConfig))
    return out


def save_settings(path: Path | str, changes: dict[str, Any]) -> SaveResult:
    """Validate ``changes`` applied to the file at ``path``, then write it with a ``.bak`` copy."""
    path = Path(path)
    doc = load_document(path)
    before = doc.unwrap()
    apply_changes(doc, changes)
    data = doc.unwrap()
    config = validate(data)
    changed = [k for k in changes if _get(before, k) != _get(data, k)]
    backup = write_with_backup(path, tomlkit.dumps(doc))
    return SaveResult(config, backup, changed)


def write_with_backup(path: Path, text: str) -> Path:
    """Keep the current file as ``<name>.bak``, then replace it atomically with ``text``; the
    backup's path. Shared by the kiosk file and the hall file (kiosk.hallsettings)."""
    backup = path.with_name(path.name + ".bak")
    shutil.copy2(path, backup)
    _write_atomic(path, text)
    return backup


def _get(data: dict, key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _write_atomic(path: Path, text: str) -> None:
    """Write next to ``path``, fsync, then rename over it: a power cut leaves old or new."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
