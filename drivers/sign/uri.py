"""Sign bus URIs: one config string picks the transport, the protocol and the bus timing.

``serial:///dev/ttyUSB2?baudrate=9600&protocol=ascii485``, ``tcp://192.168.1.60:5005?protocol=
ascii485``, ``sim:``; pyserial URLs (``loop://``, ``spy:///dev/ttyUSB2``, ``socket://h:p``) are
accepted as serial ports. The transport comes from the scheme registry of ``drivers.pipe``
(serial lines default to 9600 baud here); the bus's own options are ``protocol`` (default
ascii485), ``gap_ms`` (inter-frame gap, default 250) and ``width`` (sign width in half-width
cells, default 16).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drivers.pipe import BytePipe, Options, PipeUriError, parse_uri, pipe_for_uri
from drivers.sign import simulator
from drivers.sign.bus import DEFAULT_GAP, DEFAULT_WIDTH, SignBus
from drivers.sign.protocol import SignProtocolError, protocol_by_name

DEFAULTS = {"baudrate": 9600}
BUS_OPTIONS = ("protocol", "gap_ms", "width")
MAX_GAP_MS = 5000


class SignUriError(PipeUriError):
    """A sign URI that cannot be used; the message names the part that is wrong (a ValueError)."""


@dataclass(frozen=True)
class SignBusConfig:
    """What a sign URI says: the transport, the protocol name and the bus timing."""

    transport: BytePipe
    protocol: str
    gap: float
    width: int


def parse_sign_uri(uri: str) -> SignBusConfig:
    """Read a sign URI; raises :class:`SignUriError` naming what is wrong."""
    try:
        parsed = parse_uri(uri, simulator.DEVICE)
        own, rest = parsed.take(*BUS_OPTIONS)
        transport = pipe_for_uri(rest, device=simulator.DEVICE, defaults=DEFAULTS,
                                 driver_options=BUS_OPTIONS)
        return _bus_config(transport, Options(parsed, own))
    except PipeUriError as exc:
        raise SignUriError(str(exc)) from None


def open_sign_bus(uri: str, **options: Any) -> SignBus:
    """A :class:`SignBus` for ``uri``; keyword ``options`` override the URI's and go to SignBus.

    The bus opens its transport lazily on the worker thread, so this never blocks.
    """
    config = parse_sign_uri(uri)
    options.setdefault("gap", config.gap)
    options.setdefault("width", config.width)
    return SignBus(config.transport, protocol_by_name(config.protocol), **options)


def _bus_config(transport: BytePipe, options: Options) -> SignBusConfig:
    protocol = options.text("protocol", "ascii485") or ""
    try:
        protocol_by_name(protocol)
    except SignProtocolError as exc:
        raise options.uri.error(str(exc), "write protocol=ascii485") from None
    gap_ms = options.integer("gap_ms", round(DEFAULT_GAP * 1000), 0, MAX_GAP_MS)
    width = options.integer("width", DEFAULT_WIDTH, 1, 255)
    return SignBusConfig(transport, protocol, gap_ms / 1000, width)
