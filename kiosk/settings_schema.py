"""The technician panel's settings, generated from the config models (each setting declared once).

A field of ``KioskConfig`` (or of one of its tables, ``[printer]`` included) appears on the panel
when its ``json_schema_extra`` names a ``panel`` page (``kiosk.config.panel``): its label and
Chinese help come from there, its English help from the field's ``description``, and its kind,
default, limits and choices from the field's own type and constraints, in the spirit of
Electrum's ``ConfigVar``. Adding a setting to a model with a ``panel`` page adds its field, its
limits and its "needs a restart" note; a saved value is validated by the same model
(kiosk.configwrite). Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from kiosk.config import KioskConfig


@dataclass(frozen=True)
class Setting:
    """One editable setting of the kiosk TOML, as the panel shows it.

    ``key`` is a dotted path (``printer.width_mm``); ``kind`` one of ``str``, ``secret``, ``int``,
    ``float``, ``choice`` (its choices may be tuples: the setting is then a list), ``bool``,
    ``signs`` (the list of LED sign buses). ``live`` says whether the kiosk applies it without a
    restart.
    """

    key: str
    group: str
    label_zh: str
    label_en: str
    help_zh: str
    help_en: str
    kind: str = "str"
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()
    live: bool = True

    def label(self, lang: str) -> str:
        """The label in ``lang``."""
        return self.label_en if lang == "en" else self.label_zh

    def help(self, lang: str) -> str:
        """The help text in ``lang``."""
        return self.help_en if lang == "en" else self.help_zh


GROUPS = ("printer", "reader", "signs", "voice", "display", "server", "kiosk")
"""Pages of the technician panel, in order."""

_KINDS = {bool: "bool", int: "int", float: "float", str: "str"}


class SchemaError(TypeError):
    """A model field marked for the panel that the panel cannot edit as declared."""


def _kind(key: str, info: FieldInfo, extra: dict) -> tuple[str, tuple]:
    """The editor kind and the choices of a field, from its type (``extra`` may override)."""
    if "kind" in extra:
        return extra["kind"], ()
    if "choices" in extra:
        return "choice", tuple(tuple(c) if isinstance(c, list) else c for c in extra["choices"])
    annotation = info.annotation
    if get_origin(annotation) is Literal:
        return "choice", get_args(annotation)
    if annotation in _KINDS:
        return _KINDS[annotation], ()
    raise SchemaError(f"{key}: the panel has no editor for {annotation!r}; give 'kind' or 'choices'")


def _limits(key: str, info: FieldInfo, kind: str) -> tuple[float | None, float | None]:
    """The field's inclusive ``ge``/``le`` limits; a number on the panel needs both."""
    low = high = None
    for item in info.metadata:  # annotated_types' Ge, Le, Gt, Lt: one attribute each
        if hasattr(item, "gt") or hasattr(item, "lt"):
            raise SchemaError(f"{key}: a spin box cannot show an exclusive limit; use ge/le")
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    if kind in ("int", "float") and (low is None or high is None):
        raise SchemaError(f"{key}: a number on the panel needs both ge and le")
    return low, high


def setting_of(key: str, info: FieldInfo) -> Setting | None:
    """The panel's view of the model field ``info`` at ``key``, or None when it is not shown."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if "panel" not in extra:
        return None
    kind, choices = _kind(key, info, extra)
    low, high = _limits(key, info, kind)
    default = None if info.default is PydanticUndefined else info.default
    label = extra["label"]
    return Setting(key, extra["panel"], label["zh"], label["en"], extra["help_zh"],
                   info.description or "", kind, default, low, high, choices, extra.get("live", True))


def settings_of(model: type[BaseModel]) -> tuple[Setting, ...]:
    """Every setting the panel shows of a config ``model``: its own fields and its tables'."""
    found = []
    for name, info in model.model_fields.items():
        table = info.annotation
        if isinstance(table, type) and issubclass(table, BaseModel):
            found += [s for sub, sub_info in table.model_fields.items()
                      if (s := setting_of(f"{name}.{sub}", sub_info)) is not None]
        elif (setting := setting_of(name, info)) is not None:
            found.append(setting)
    unknown = {s.group for s in found} - set(GROUPS)
    if unknown:
        raise SchemaError(f"settings on pages the panel does not have: {sorted(unknown)}")
    return tuple(found)


SETTINGS: tuple[Setting, ...] = settings_of(KioskConfig)
"""What the technician panel edits, in the models' order."""

BY_KEY = {s.key: s for s in SETTINGS}


def in_group(group: str) -> list[Setting]:
    """The settings on one page."""
    return [s for s in SETTINGS if s.group == group]


def get_value(data: dict, key: str, default: Any = None) -> Any:
    """The value at dotted ``key`` in a plain config dict, or ``default``."""
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def restart_needed(keys: list[str] | set[str]) -> list[str]:
    """Of the changed ``keys``, those the kiosk only picks up after a restart."""
    return sorted(k for k in keys if k in BY_KEY and not BY_KEY[k].live)
