"""LED window signs follow the hall's calls (no Qt here).

The kiosk config's ``[[signs]]`` lists buses, each with the map window number → sign address.
On a call, the sign of that window gets ``请A012号`` through its bus worker, which never blocks.
While kiosks call for staff, the signs of the guide desks show the newest caller (``K01求助``);
when no call is left, each goes back to its last call (or to the desk's name).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from drivers.sign import (
    SignBus,
    SignProtocolError,
    SignTextError,
    help_sign_text,
    open_sign_bus,
    window_sign_text,
)
from kiosk.config import SignSettings
from kiosk.models import Call

log = logging.getLogger(__name__)


class SignFollower:
    """Sends each call to the window's LED sign on every bus that has that window, and kiosks'
    calls for staff to the guide desks' signs."""

    def __init__(self, buses: list[tuple[SignBus, dict[int, int]]], lang: str = "zh") -> None:
        self.buses = buses
        self.lang = lang
        self._call_text: dict[int, str] = {}  # window → what its last call put on its sign

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
        self._call_text[call.window] = text
        return self._show(call.window, lambda _bus, _address: text)

    def show_help(self, devices: list[str], desks: Mapping[int, str]) -> int:
        """Show the newest of the kiosks calling for staff (``devices``, oldest first) on the
        signs of ``desks`` (desk number → its name); with none left, each desk's sign goes back
        to its last call, or to its name. Returns how many signs were addressed."""
        shown = 0
        for desk, name in desks.items():
            if devices:
                shown += self._show(desk, lambda bus, address: help_sign_text(
                    devices[-1], bus.widths.get(address, bus.width), self.lang, bus.protocol.encoding))
            else:
                restored = self._call_text.get(desk, name)
                shown += self._show(desk, lambda _bus, _address, text=restored: text)
        return shown

    def _show(self, window: int, text: Callable[[SignBus, int], str]) -> int:
        """Send ``text(bus, address)`` to ``window``'s sign on every bus that has it."""
        shown = 0
        for bus, addresses in self.buses:
            address = addresses.get(window)
            if address is None:
                continue
            try:
                bus.show(address, text(bus, address))
                shown += 1
            except (SignProtocolError, SignTextError, RuntimeError) as exc:
                log.warning("signs: window %d (address %d): %s", window, address, exc)
        return shown

    def close(self) -> None:
        """Stop every bus worker."""
        for bus, _ in self.buses:
            bus.close()
