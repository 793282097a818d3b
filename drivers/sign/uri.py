"""Sign bus URIs: one config string picks the transport, the protocol and the bus timing.

``serial:///dev/ttyUSB2?baudrate=9600&protocol=ascii485``, ``tcp://192.168.1.60:5005?protocol=
ascii485``, ``sim:``; pyserial URLs (``loop://``, ``spy:///dev/ttyUSB2``, ``socket://h:p``) are
accepted as serial ports. Common options: ``protocol`` (default ascii485), ``gap_ms`` (inter-frame
gap, default 250) and ``width`` (sign width in half-width cells, default 16).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from drivers.sign.bus import DEFAULT_GAP, DEFAULT_WIDTH, SignBus
from drivers.sign.protocol import SignProtocolError, protocol_by_name
from drivers.sign.transport import SerialTransport, SignTransport, SimTransport, TcpTransport

#: pyserial URL schemes passed through to ``serial_for_url`` untouched.
PYSERIAL_SCHEMES = ("loop", "spy", "socket", "rfc2217", "alt", "hwgrep")
_COMMON = ("protocol", "gap_ms", "width")
MAX_GAP_MS = 5000


class SignUriError(ValueError):
    """A sign URI that cannot be used; the message names the part that is wrong."""


@dataclass(frozen=True)
class SignBusConfig:
    """What a sign URI says: the transport, the protocol name and the bus timing."""

    transport: SignTransport
    protocol: str
    gap: float
    width: int


def parse_sign_uri(uri: str) -> SignBusConfig:
    """Read a sign URI; raises :class:`SignUriError` naming what is wrong."""
    if not isinstance(uri, str) or not uri.strip():
        raise SignUriError("sign URI is empty")
    parts = urlsplit(uri.strip())
    scheme = parts.scheme.lower()
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    common = {k: query.pop(k) for k in _COMMON if k in query}
    if scheme == "serial":
        transport = _serial(parts.path or parts.netloc, query, uri)
    elif scheme in PYSERIAL_SCHEMES:
        rest = f"?{urlencode(query)}" if query else ""
        transport = SerialTransport(f"{parts.scheme}://{parts.netloc}{parts.path}{rest}")
    elif scheme == "tcp":
        transport = _tcp(parts, query, uri)
    elif scheme == "sim":
        _no_extra(query, uri)
        transport = SimTransport()
    else:
        raise SignUriError(
            f"sign URI {uri!r}: unknown scheme {parts.scheme!r} (use serial://, tcp:// or sim:)"
        )
    protocol = common.get("protocol", "ascii485")
    try:
        protocol_by_name(protocol)
    except SignProtocolError as exc:
        raise SignUriError(f"sign URI {uri!r}: {exc}") from None
    gap_ms = _int(common, "gap_ms", round(DEFAULT_GAP * 1000), 0, MAX_GAP_MS, uri)
    width = _int(common, "width", DEFAULT_WIDTH, 1, 255, uri)
    return SignBusConfig(transport, protocol, gap_ms / 1000, width)


def open_sign_bus(uri: str, **options: Any) -> SignBus:
    """A :class:`SignBus` for ``uri``; keyword ``options`` override the URI's and go to SignBus.

    The bus opens its transport lazily on the worker thread, so this never blocks.
    """
    config = parse_sign_uri(uri)
    options.setdefault("gap", config.gap)
    options.setdefault("width", config.width)
    return SignBus(config.transport, protocol_by_name(config.protocol), **options)


def _serial(path: str, query: dict[str, str], uri: str) -> SerialTransport:
    if not path:
        raise SignUriError(f"sign URI {uri!r}: no serial port path (serial:///dev/ttyUSB2)")
    baudrate = _int(query, "baudrate", 9600, 300, 921600, uri)
    query.pop("baudrate", None)
    _no_extra(query, uri)
    return SerialTransport(path, baudrate=baudrate)


def _tcp(parts: Any, query: dict[str, str], uri: str) -> TcpTransport:
    _no_extra(query, uri)
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise SignUriError(f"sign URI {uri!r}: bad port: {exc}") from None
    if not host or port is None:
        raise SignUriError(f"sign URI {uri!r}: needs host and port (tcp://192.168.1.60:5005)")
    return TcpTransport(host, port)


def _int(query: dict[str, str], key: str, default: int, low: int, high: int, uri: str) -> int:
    raw = query.get(key)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SignUriError(f"sign URI {uri!r}: {key}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise SignUriError(f"sign URI {uri!r}: {key}={value} is outside {low}-{high}")
    return value


def _no_extra(query: dict[str, str], uri: str) -> None:
    if query:
        raise SignUriError(f"sign URI {uri!r}: unknown option(s) {', '.join(sorted(query))}")
