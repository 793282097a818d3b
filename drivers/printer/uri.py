"""Printer device URIs, parsed and validated into a ``DeviceUri``.

Accepted forms::

    usb://0416:5011?in_ep=0x81&out_ep=0x03      vendor:product, endpoints optional
    serial:///dev/ttyUSB0?baudrate=115200       any path, also a pty or a udev symlink
    serial://loop://  or  loop://, socket://host:port, spy://..., rfc2217://...
                                                handed to pyserial's serial_for_url
    tcp://192.168.1.50:9100                     raw TCP (port 9100 if omitted)
    cups://TicketPrinter                        a CUPS queue, sent raw
    file:///tmp/ticket.bin                      appended to a file or a device node
    dummy:                                      kept in memory
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from drivers.printer.errors import PrinterConfigError

# URL schemes pyserial's serial_for_url understands itself.
PYSERIAL_SCHEMES = ("loop", "socket", "spy", "rfc2217", "hwgrep", "alt", "cp2110")
SERIAL_OPTIONS = {
    "baudrate": int,
    "bytesize": int,
    "parity": str,
    "stopbits": float,
    "rtscts": bool,
    "dsrdtr": bool,
    "xonxoff": bool,
}
USB_OPTIONS = ("in_ep", "out_ep", "interface")


@dataclass(frozen=True)
class DeviceUri:
    """A parsed printer URI: ``kind`` picks the transport, the rest are its arguments."""

    kind: str
    target: str = ""  # path, serial URL, host, queue name
    port: int = 0
    options: dict[str, object] = field(default_factory=dict)

    @property
    def can_answer(self) -> bool:
        """Whether this transport can carry a status answer back."""
        return self.kind in ("usb", "serial", "tcp")


def parse_uri(uri: str) -> DeviceUri:
    """Parse ``uri``; raise ``PrinterConfigError`` naming what is wrong."""
    if not isinstance(uri, str) or not uri.strip():
        raise PrinterConfigError("printer URI is empty")
    uri = uri.strip()
    if uri.startswith("/"):
        return _serial(uri, {})
    scheme, sep, rest = uri.partition(":")
    scheme = scheme.lower()
    if not sep:
        raise PrinterConfigError(f"printer URI {uri!r} has no scheme (usb:, serial:, tcp: ...)")
    if scheme in PYSERIAL_SCHEMES:
        return DeviceUri("serial", uri)
    parsers = {
        "usb": _usb,
        "serial": _serial_uri,
        "tcp": _tcp,
        "cups": _cups,
        "file": _file,
        "dummy": lambda _u: DeviceUri("dummy"),
    }
    if scheme not in parsers:
        raise PrinterConfigError(
            f"printer URI scheme {scheme!r} unknown; use one of {', '.join(sorted(parsers))}"
        )
    return parsers[scheme](uri)


def _query(uri: str, query: str, allowed: tuple[str, ...] | dict) -> dict[str, str]:
    params = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise PrinterConfigError(
            f"printer URI {uri!r}: unknown option {unknown[0]!r}; allowed: {', '.join(allowed)}"
        )
    return params


def _usb(uri: str) -> DeviceUri:
    parts = urlsplit(uri)
    ids = parts.netloc.split(":")
    if len(ids) != 2:
        raise PrinterConfigError(f"printer URI {uri!r}: expected usb://VVVV:PPPP (hex ids)")
    try:
        vendor, product = (int(x, 16) for x in ids)
    except ValueError:
        raise PrinterConfigError(f"printer URI {uri!r}: vendor/product ids must be hex") from None
    options: dict[str, object] = {"vendor": vendor, "product": product}
    for key, value in _query(uri, parts.query, USB_OPTIONS).items():
        try:
            options[key] = int(value, 0)
        except ValueError:
            raise PrinterConfigError(f"printer URI {uri!r}: {key}={value!r} is not a number") from None
    return DeviceUri("usb", parts.netloc, options=options)


def _serial_uri(uri: str) -> DeviceUri:
    rest = uri[len("serial:"):]
    if not rest.startswith("//"):
        raise PrinterConfigError(f"printer URI {uri!r}: expected serial:///dev/ttyX")
    rest = rest[2:]
    if rest.split(":", 1)[0].lower() in PYSERIAL_SCHEMES:
        return DeviceUri("serial", rest)
    path, _, query = rest.partition("?")
    if not path.startswith("/"):
        raise PrinterConfigError(f"printer URI {uri!r}: serial path must be absolute")
    return _serial(unquote(path), _query(uri, query, SERIAL_OPTIONS), uri)


def _serial(path: str, raw: dict[str, str], uri: str | None = None) -> DeviceUri:
    options: dict[str, object] = {"baudrate": 115200}
    for key, text in raw.items():
        kind = SERIAL_OPTIONS[key]
        try:
            if kind is bool:
                if text.lower() not in ("1", "0", "true", "false", "yes", "no"):
                    raise ValueError(text)
                options[key] = text.lower() in ("1", "true", "yes")
            else:
                options[key] = kind(text)
        except ValueError:
            raise PrinterConfigError(f"printer URI {uri or path!r}: bad {key}={text!r}") from None
    if not 50 <= int(options["baudrate"]) <= 4_000_000:
        raise PrinterConfigError(f"printer URI {uri or path!r}: baudrate out of range")
    return DeviceUri("serial", path, options=options)


def _tcp(uri: str) -> DeviceUri:
    parts = urlsplit(uri)
    _query(uri, parts.query, ())
    try:
        port = parts.port or 9100
    except ValueError:
        raise PrinterConfigError(f"printer URI {uri!r}: port must be 1-65535") from None
    if not parts.hostname:
        raise PrinterConfigError(f"printer URI {uri!r}: host missing (tcp://host:9100)")
    return DeviceUri("tcp", parts.hostname, port)


def _cups(uri: str) -> DeviceUri:
    name = unquote(uri[len("cups:"):].lstrip("/"))
    if not name or any(c in name for c in " /#\t"):
        raise PrinterConfigError(f"printer URI {uri!r}: expected cups://QueueName")
    return DeviceUri("cups", name)


def _file(uri: str) -> DeviceUri:
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise PrinterConfigError(f"printer URI {uri!r}: expected file:///absolute/path")
    return DeviceUri("file", unquote(parts.path))
