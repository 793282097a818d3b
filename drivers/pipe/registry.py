"""The scheme registry: which handler opens a byte pipe for which URI scheme, per device.

As pyserial's ``serial_for_url`` finds ``protocol_<scheme>`` modules, ``pipe_for_uri`` finds the
handler registered for a URI's scheme. ``serial``, ``tcp`` and ``file`` (and pyserial's own
``loop://``, ``socket://``, ``spy://`` …) serve every device; a driver registers schemes only it
understands under its device name (the printer's ``usb``, ``cups`` and ``dummy``, each
simulator's ``sim``). A handler is ``handler(uri, options) -> BytePipe``; it checks the target,
reads its options and returns the pipe unopened, so checking a URI never touches a device.
Handlers may be registered as ``"module:function"`` and are imported on first use, which keeps
optional libraries and simulators out of a process that never names them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from drivers.pipe.base import BytePipe
from drivers.pipe.uri import Options, PipeUri, parse_uri

Handler = Callable[[PipeUri, Options], BytePipe]

#: URL schemes pyserial's ``serial_for_url`` understands itself.
PYSERIAL_SCHEMES = ("loop", "socket", "spy", "rfc2217", "alt", "hwgrep", "cp2110")


@dataclass(frozen=True)
class Scheme:
    """One registered scheme: its handler, an example for error messages, its device (None:
    every device) and whether its pipes can carry answers back. Unlisted schemes work but are
    left out of the suggestions."""

    name: str
    handler: Handler | str
    example: str
    device: str | None = None
    listed: bool = True
    answers: bool = True

    def resolve(self) -> Handler:
        """The handler, imported now if it was registered by name."""
        if not isinstance(self.handler, str):
            return self.handler
        module, _, attr = self.handler.partition(":")
        return getattr(importlib.import_module(module), attr)


_SCHEMES: dict[tuple[str | None, str], Scheme] = {}


def register(name: str, handler: Handler | str, *, example: str, device: str | None = None,
             listed: bool = True, answers: bool = True) -> None:
    """Let ``handler`` open URIs of scheme ``name`` for ``device`` (None: for every device).

    ``example`` is shown when a URI names an unknown scheme; ``answers`` says whether the
    scheme's pipes can carry replies (used to suggest alternatives to one that cannot).
    """
    key = (device, name.lower())
    _SCHEMES[key] = Scheme(name.lower(), handler, example, device, listed, answers)


def schemes_for(device: str) -> list[Scheme]:
    """The schemes a device accepts, its own first."""
    own = [s for (d, _), s in _SCHEMES.items() if d == device]
    shared = [s for (d, n), s in _SCHEMES.items() if d is None and (device, n) not in _SCHEMES]
    return own + shared


def pipe_for_uri(uri: str | PipeUri, *, device: str = "device",
                 defaults: Mapping[str, object] | None = None, needs_answers: bool = False,
                 driver_options: Sequence[str] = ()) -> BytePipe:
    """The pipe a URI names, checked but not opened; ``PipeUriError`` says what is wrong.

    ``defaults`` are the device's option defaults (``baudrate``, a TCP ``port``);
    ``needs_answers`` refuses lines that cannot carry the device's replies back;
    ``driver_options`` are the options the driver took off the URI itself, named in hints.
    """
    parsed = uri if isinstance(uri, PipeUri) else parse_uri(uri, device)
    scheme = _lookup(parsed)
    options = Options(parsed, defaults=defaults)
    pipe = scheme.resolve()(parsed, options)
    options.check_all_read(driver_options)
    if needs_answers and not pipe.can_answer:
        raise parsed.error(f"{scheme.name}: cannot carry the {parsed.device}'s answers back",
                           f"use one of {_suggestions(parsed.device, answers=True)}")
    return pipe


def _lookup(uri: PipeUri) -> Scheme:
    scheme = _SCHEMES.get((uri.device, uri.scheme)) or _SCHEMES.get((None, uri.scheme))
    if scheme is None:
        raise uri.error(f"unknown scheme {uri.scheme!r}", f"use one of {_suggestions(uri.device)}")
    return scheme


def _suggestions(device: str, answers: bool = False) -> str:
    return ", ".join(s.example for s in schemes_for(device)
                     if s.listed and (s.answers or not answers))


register("serial", "drivers.pipe.scheme_serial:serial_pipe", example="serial:///dev/ttyUSB0")
for _name in PYSERIAL_SCHEMES:
    register(_name, "drivers.pipe.scheme_serial:pyserial_pipe", example=f"{_name}://",
             listed=False)
register("tcp", "drivers.pipe.scheme_tcp:tcp_pipe", example="tcp://host:port")
register("file", "drivers.pipe.scheme_file:file_pipe", example="file:///path", answers=False)
