"""LED window signs: protocols, the simulator and the bus worker that keeps signs following calls.

The bus writes to a byte pipe (``drivers.pipe``) named by the sign URI.

Typical use, once per call event::

    bus = open_sign_bus("serial:///dev/ttyUSB2?baudrate=9600&protocol=ascii485")
    bus.show(window.sign_address, window_sign_text(call["number"]))
    bus.show(desk.sign_address, help_sign_text("K01", bus.width))  # a kiosk calls for staff
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
from drivers.sign.simulator import SimFrame, SimTransport
from drivers.sign.text import (
    SUBSTITUTE,
    PreparedText,
    SignTextError,
    check_ticket_number,
    help_sign_text,
    prepare_text,
    window_sign_text,
)
from drivers.sign.uri import SignBusConfig, SignUriError, open_sign_bus, parse_sign_uri

__all__ = [
    "DEFAULT_GAP",
    "DEFAULT_WIDTH",
    "PROTOCOLS",
    "SUBSTITUTE",
    "Ascii485Protocol",
    "PreparedText",
    "SignBus",
    "SignBusConfig",
    "SignBusStatus",
    "SignProtocol",
    "SignProtocolError",
    "SignState",
    "SignTextError",
    "SignUriError",
    "SimFrame",
    "SimTransport",
    "check_ticket_number",
    "help_sign_text",
    "open_sign_bus",
    "parse_sign_uri",
    "prepare_text",
    "protocol_by_name",
    "window_sign_text",
]
