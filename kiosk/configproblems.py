"""Validation errors of a config file, said so a technician can fix them.

pydantic names the key path; this module words the reason. An unknown key (every config model
forbids them) is named with the valid keys of its table, and the closest one when the key looks
like a typo: ``printer.widht_mm: unknown key 'widht_mm': did you mean 'width_mm'?``. Qt-free.
"""

from __future__ import annotations

import difflib
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel


def explain(error: dict, model: type[BaseModel]) -> str:
    """The reason for one pydantic ``error`` (from ``ValidationError.errors()``) in ``model``."""
    if error["type"] == "extra_forbidden":
        *table, key = error["loc"]
        return unknown_key(str(key), valid_keys(model, table))
    # "Value error, " is pydantic's wrapper around our validators' own sentences
    return error["msg"].removeprefix("Value error, ")


def unknown_key(key: str, valid: list[str]) -> str:
    """The sentence for ``key`` not being one of ``valid``: a suggestion, or the valid keys."""
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    if close:
        return f"unknown key {key!r}: did you mean {close[0]!r}?"
    if valid:
        return f"unknown key {key!r}: remove it (valid keys here: {', '.join(valid)})"
    return f"unknown key {key!r}: remove it"


def valid_keys(model: type[BaseModel], path: list | tuple) -> list[str]:
    """The keys the table at ``path`` (a pydantic location inside ``model``) may hold."""
    node: Any = model
    for part in path:
        node = _inner(node)
        if isinstance(part, int):
            continue  # an item of a list: _inner already went from the list to its items
        if not _is_model(node) or part not in node.model_fields:
            return []
        node = node.model_fields[part].annotation
    node = _inner(node)
    return list(node.model_fields) if _is_model(node) else []


def _is_model(node: Any) -> bool:
    return isinstance(node, type) and issubclass(node, BaseModel)


def _inner(node: Any) -> Any:
    """The model a field's type holds: through ``Annotated``, ``list[...]`` and ``X | None``."""
    while True:
        origin = get_origin(node)
        if origin is Annotated or origin is list:
            node = get_args(node)[0]
        elif origin is Union or origin is types.UnionType:
            models = [arg for arg in get_args(node) if _is_model(arg)]
            if len(models) != 1:
                return node
            node = models[0]
        else:
            return node
