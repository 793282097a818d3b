"""LED window signs: protocols, transports and the bus worker that keeps signs following calls.

Typical use, once per call event::

    bus = open_sign_bus("serial:///dev/ttyUSB2?baudrate=9600&protocol=ascii485")
    bus.show(window.sign_address, window_sign_text(call["number"]))
    bus.status()  # connected, last_error, what each sign shows
"""

from drivers.sign.bus import DEFAULT_GAP, DEFAULT_WIDTH, SignBus, SignBusStatus, SignState
from drivers.sign.protocol import (
    PROTOCOLS,
    Ascii485Protocol,
    SignProtocol,
    SignProtocolError,
    protocol_by_name,
)
from drivers.sign.text import (
    SUBSTITUTE,
    PreparedText,
    SignTextError,
    check_ticket_number,
    prepare_text,
    window_sign_text,
)
from drivers.sign.transport import (
    SerialTransport,
    SignTransport,
    SignTransportError,
    SimFrame,
    SimTransport,
    TcpTransport,
)
from drivers.sign.uri import SignBusConfig, SignUriError, open_sign_bus, parse_sign_uri

__all__ = [
    "DEFAULT_GAP",
    "DEFAULT_WIDTH",
    "PROTOCOLS",
    "SUBSTITUTE",
    "Ascii485Protocol",
    "PreparedText",
    "SerialTransport",
    "SignBus",
    "SignBusConfig",
    "SignBusStatus",
    "SignProtocol",
    "SignProtocolError",
    "SignState",
    "SignTextError",
    "SignTransport",
    "SignTransportError",
    "SignUriError",
    "SimFrame",
    "SimTransport",
    "TcpTransport",
    "check_ticket_number",
    "open_sign_bus",
    "parse_sign_uri",
    "prepare_text",
    "protocol_by_name",
    "window_sign_text",
]
