"""LED window signs follow the hall's calls (no Qt here).

The kiosk config's ``[[signs]]`` lists buses, each with the map window number → sign address.
On a call, the sign of that window gets ``请A012号`` through its bus worker, which never blocks.
"""

from __future__ import annotations

import logging

from drivers.sign import SignBus, SignProtocolError, SignTextError, open_sign_bus, window_sign_text
from kiosk.config import SignSettings
from kiosk.models import Call

log = logging.getLogger(__name__)


class SignFollower:
    """Sends each call to the window's LED sign on every bus that has that window."""

    def __init__(self, buses: list[tuple[SignBus, dict[int, int]]], lang: str = "zh") -> None:
        self.buses = buses
        self.lang = lang

    @classmethod
    def from_config(cls, signs: list[SignSettings], lang: str = "zh") -> SignFollower:
        """Open every configured bus (lazily: nothing blocks here)."""
        buses = []
        for sign in signs:
            addresses = {}
            for window, address in sign.addresses.items():
                if window.strip().isdigit():
                    addresses[int(window)] = address
                else:
                    log.warning("signs: %s: %r is not a window number; ignored", sign.uri, window)
            buses.append((open_sign_bus(sign.uri), addresses))
        return cls(buses, lang)

    def on_call(self, call: Call) -> int:
        """Show ``call`` on its window's sign(s); returns how many signs were addressed."""
        try:
            text = window_sign_text(call.number, lang=self.lang)
        except SignTextError as exc:
            log.warning("signs: call %s: %s", call.seq, exc)
            return 0
        shown = 0
        for bus, addresses in self.buses:
            address = addresses.get(call.window)
            if address is None:
                continue
            try:
                bus.show(address, text)
                shown += 1
            except (SignProtocolError, RuntimeError) as exc:
                log.warning("signs: window %d (address %d): %s", call.window, address, exc)
        return shown

    def close(self) -> None:
        """Stop every bus worker."""
        for bus, _ in self.buses:
            bus.close()
