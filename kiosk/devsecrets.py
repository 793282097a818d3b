"""Development secrets left in a real hall's files (DESIGN.md §7).

The sample files in ``config/`` carry secrets everybody knows: the link token ``dev-kiosk``, the
ID-hash key ``dev-only-id-hash-key``, and PIN hashes of the development PINs 1234 and 9999 (an
empty hash means the same PINs in ``--dev``). ``dev_secrets(config)`` lists each one found in a
loaded hall or kiosk config, with how to set a real one; ``kiosk config check`` warns about
them and ``kiosk serve`` / ``kiosk run`` refuse to start on them without ``--dev``. Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from kiosk.pins import DEV_PINS, PinHashError, verify_pin

SAMPLE_VALUES = {"dev-only-id-hash-key", "changeme", "secret", "test"}
"""Secret values the sample files or their comments use (besides anything starting ``dev-``)."""
_SECRET_WORDS = ("token", "key", "secret", "password")
_PIN_FIELDS = {"pin_hash": "staff", "tech_pin_hash": "tech"}

HOW_TOKEN = ("create a token on the hall server with `kiosk tokens add --role kiosk --device <id> "
             "--data <server data>` and put it in [link] token")
HOW_KEY = "set a long random value, e.g. the output of `python -c \"import secrets; print(secrets.token_hex(32))\"`"
HOW_PIN = "hash a real PIN with `kiosk config pin-hash` and put the printed line in [staff]"


@dataclass(frozen=True)
class DevSecret:
    """One development secret: where it is (dotted key path), what it is and how to replace it."""

    key: str
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.key}: {self.what}; {self.fix}"


def dev_secrets(config: BaseModel) -> list[DevSecret]:
    """Every development secret in a loaded hall or kiosk config (empty when there is none).

    Walks the whole model, so a secret a later version adds (any field named like a token, key,
    secret or password) is found too; PIN hashes are tried against the development PINs.
    """
    found: list[DevSecret] = []
    _walk(config, "", found)
    return found


def _walk(model: BaseModel, prefix: str, found: list[DevSecret]) -> None:
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            _walk(value, f"{path}.", found)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    _walk(item, f"{path}[{index}].", found)
        elif isinstance(value, str):
            problem = _secret_problem(model, name, value)
            if problem:
                found.append(DevSecret(path, *problem))


def _secret_problem(model: BaseModel, name: str, value: str) -> tuple[str, str] | None:
    """(what, fix) when the string field ``name`` holds a development secret."""
    if name in _PIN_FIELDS:
        return _pin_problem(_PIN_FIELDS[name], value)
    if not any(word in name for word in _SECRET_WORDS):
        return None
    if name == "token" and getattr(model, "mode", "server") != "server":
        return None  # a standalone kiosk never sends its token
    if value.startswith("dev-") or value.lower() in SAMPLE_VALUES:
        fix = HOW_TOKEN if "token" in name else HOW_KEY
        return f"the development value {value!r} that every copy of the sample has", fix
    return None


def _pin_problem(role: str, stored: str) -> tuple[str, str] | None:
    pin = DEV_PINS[role]
    if not stored:
        return f"empty, so the development {role} PIN {pin} opens it", HOW_PIN
    try:
        if verify_pin(pin, stored):
            return f"the hash of the development {role} PIN {pin}", HOW_PIN
    except PinHashError:
        return None  # the config check reports a malformed hash itself
    return None


def refusal(found: list[DevSecret], program: str, config_path) -> str:  # noqa: ANN001 - a path
    """The message of ``kiosk serve`` / ``kiosk run`` refusing development secrets."""
    lines = "\n".join(f"  {secret}" for secret in found)
    return (f"{program} will not start on development secrets in {config_path}:\n{lines}\n"
            f"Set real ones (the file is checked with `kiosk config check {config_path}`), or add --dev "
            "for a development run.")
