"""The one parser of device URIs, and ``Options``: query options read by name, checked in words.

``parse_uri`` only splits ``scheme:[//]target[?name=value&…]``; the scheme's handler (see
``drivers.pipe.registry``) then checks the target and reads the options it understands through
``Options``, which refuses the rest. So ``serial:///dev/ttyUSB0?baudrate=9600`` means the same to
the printer, the sign bus and the card reader, and every mistake is reported the same way:
``<device> URI '<uri>': <what is wrong>; <what to write instead>``.

A bare absolute path (``/dev/ttyUSB0``) is a serial port, as pyserial reads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import parse_qsl, unquote

T = TypeVar("T")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
EXAMPLES = "serial:///dev/ttyUSB0?baudrate=9600 or tcp://192.168.1.50:9100"


class PipeUriError(ValueError):
    """A device URI that cannot be used; the message names what is wrong and what to write."""


@dataclass(frozen=True)
class PipeUri:
    """A device URI split into its parts; ``device`` names the device in error messages."""

    text: str
    scheme: str
    target: str = ""
    options: Mapping[str, str] = field(default_factory=dict)
    device: str = "device"

    def error(self, problem: str, fix: str = "") -> PipeUriError:
        """The error for this URI: ``<device> URI '<text>': <problem>; <fix>``."""
        message = f"{self.device} URI {self.text!r}: {problem}"
        return PipeUriError(f"{message}; {fix}" if fix else message)

    def take(self, *names: str) -> tuple[dict[str, str], PipeUri]:
        """Split off the options a driver reads itself (``protocol``, ``gap_ms`` …): returns
        those present and this URI without them, for the scheme's handler."""
        taken = {name: self.options[name] for name in names if name in self.options}
        rest = {name: value for name, value in self.options.items() if name not in taken}
        return taken, PipeUri(self.text, self.scheme, self.target, rest, self.device)


def parse_uri(text: str, device: str = "device") -> PipeUri:
    """Split ``text`` into scheme, target and options; raise ``PipeUriError`` when it has no
    usable scheme. The scheme is lower-cased, the target percent-decoded, and an option given
    twice keeps its last value."""
    if not isinstance(text, str) or not text.strip():
        raise PipeUriError(f"{device} URI is empty; write one such as {EXAMPLES}")
    text = text.strip()
    if text.startswith("/"):
        scheme, rest = "serial", "//" + text
    else:
        scheme, colon, rest = text.partition(":")
        if not colon or not _SCHEME.fullmatch(scheme):
            raise PipeUri(text, "", device=device).error(
                "has no scheme", f"begin it with one, as in {EXAMPLES}")
    body, _, query = rest.partition("?")
    target = body[2:] if body.startswith("//") else body
    options = dict(parse_qsl(query, keep_blank_values=True))
    return PipeUri(text, scheme.lower(), unquote(target), options, device)


class Options:
    """The query options of one URI, read by name and converted; mistakes become ``PipeUriError``.

    Each option a handler reads is remembered as known; ``check_all_read`` then refuses whatever
    is left, naming the options that scheme does take. ``defaults`` are the device's own
    defaults (the sign bus runs at 9600 baud, a printer at 115200).
    """

    def __init__(self, uri: PipeUri, values: Mapping[str, str] | None = None,
                 defaults: Mapping[str, object] | None = None) -> None:
        self.uri = uri
        self._values = dict(uri.options if values is None else values)
        self._defaults = dict(defaults or {})
        self._known: list[str] = []

    def default(self, name: str, fallback: T) -> T:
        """The device's default for ``name``, else ``fallback``."""
        return self._defaults.get(name, fallback)  # type: ignore[return-value]

    def text(self, name: str, default: str | None = None) -> str | None:
        """The option as written, or ``default``."""
        raw = self._take(name)
        return default if raw is None else raw

    def integer(self, name: str, default: int, low: int, high: int, base: int = 10) -> int:
        """A whole number from ``low`` to ``high`` (``base=0`` also reads ``0x81``)."""
        raw = self._take(name)
        if raw is None:
            return default
        fix = f"write {name}=N with N from {low} to {high}"
        try:
            value = int(raw, base)
        except ValueError:
            raise self.uri.error(f"{name}={raw!r} is not a whole number", fix) from None
        if not low <= value <= high:
            raise self.uri.error(f"{name}={value} is outside {low}-{high}", fix)
        return value

    def choice(self, name: str, choices: Mapping[str, T], default: T) -> T:
        """One of ``choices`` (by its key, case-insensitive), or ``default``."""
        raw = self._take(name)
        if raw is None:
            return default
        for key, value in choices.items():
            if raw.lower() == key.lower():
                return value
        raise self.uri.error(f"{name}={raw!r} is not one of {', '.join(choices)}",
                             f"write {name}={next(iter(choices))}, for example")

    def flag(self, name: str, default: bool) -> bool:
        """A yes/no option: 1, true, yes, on or 0, false, no, off."""
        words = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
        return self.choice(name, words, default)

    def convert(self, name: str, convert: Callable[[str], T], default: T) -> T:
        """The option passed through ``convert``; its ``ValueError`` is reported with the name."""
        raw = self._take(name)
        if raw is None:
            return default
        try:
            return convert(raw)
        except ValueError as exc:
            raise self.uri.error(f"bad {name}={raw!r}: {exc}") from None

    def rest(self) -> dict[str, str]:
        """Every option not read yet, counted as read (a handler hands them on, e.g. to pyserial)."""
        rest, self._values = self._values, {}
        self._known.extend(rest)
        return rest

    def check_all_read(self, known_elsewhere: Sequence[str] = ()) -> None:
        """Refuse options nobody read, naming those this URI does take."""
        if not self._values:
            return
        unknown = ", ".join(repr(name) for name in sorted(self._values))
        known = sorted({*self._known, *known_elsewhere})
        fix = f"options here: {', '.join(known)}" if known else "leave the options out here"
        raise self.uri.error(f"unknown option {unknown}", fix)

    def _take(self, name: str) -> str | None:
        self._known.append(name)
        return self._values.pop(name, None)
