"""Kiosks' calls for staff, as the board and the guide desk show them (no Qt here).

A citizen's "call staff" at a kiosk is one hall event of type ``device`` with data
``{"event": "help", "device", "screen", "at"}``. Each call is shown for ``seconds`` counted from
when the kiosk made it (``at``), not from when this screen heard of it: an event replayed after
a reconnect that is older than that is never shown, and one already taken (same kiosk, same
time) is not shown again, even after a clerk has acknowledged it. A newer call of the same kiosk
takes the place of its older one.

``at`` is the hall's time and the expiry is measured on this machine's clock (``Clock``), so
the two are assumed to agree (both are set by the hall's time server); a screen whose clock runs
behind the hall's shows a call for ``seconds`` from when it heard of it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from kiosk.clock import Clock
from kiosk.models import HelpCall

DEFAULT_SECONDS = 60.0
SEEN_LIMIT = 1000  # calls remembered so that a replayed one is not shown twice
HELP_FIELDS = ("event", "device", "screen", "at")


@dataclass(frozen=True)
class HelpNotice:
    """One kiosk's call for staff on screen: which kiosk, on which of its screens, when it
    called, and until when (epoch seconds) it is shown."""

    device: str
    screen: str
    at: datetime
    until: float

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the call in a replayed event: the kiosk and the time it called."""
        return self.device, self.at.isoformat()


def help_call(data: object) -> HelpCall | None:
    """The call for staff in a ``device`` event's data, or None (another device event, or
    data that cannot be read; fields this version does not know are ignored)."""
    if not isinstance(data, Mapping) or data.get("event") != "help":
        return None
    try:
        call = HelpCall.model_validate({k: data[k] for k in HELP_FIELDS if k in data})
    except ValidationError:
        return None
    return call if call.device.strip() else None


class HelpCalls:
    """The calls for staff to show now, oldest first; fed by hall events, aged by ``clock``."""

    def __init__(self, seconds: float = DEFAULT_SECONDS, clock: Clock | None = None) -> None:
        self.seconds = seconds
        self.clock = clock or Clock()
        self._active: dict[str, HelpNotice] = {}  # device → its newest call, in arrival order
        self._seen: set[tuple[str, str]] = set()
        self._seen_order: deque[tuple[str, str]] = deque()

    def take(self, kind: str, data: object) -> HelpNotice | None:
        """Take one hall event; the notice when it is a call for staff to show now (it is new
        and younger than ``seconds``), else None."""
        call = help_call(data) if kind == "device" else None
        if call is None:
            return None
        now = self.clock.now()
        notice = HelpNotice(call.device.strip(), call.screen, call.at, 0.0)
        if notice.key in self._seen:
            return None
        self._remember(notice.key)
        age = max(0.0, now - call.at.timestamp())
        if age >= self.seconds:
            return None
        notice = HelpNotice(notice.device, notice.screen, notice.at, now + self.seconds - age)
        self._active.pop(notice.device, None)
        self._active[notice.device] = notice
        return notice

    def _remember(self, key: tuple[str, str]) -> None:
        self._seen.add(key)
        self._seen_order.append(key)
        if len(self._seen_order) > SEEN_LIMIT:
            self._seen.discard(self._seen_order.popleft())

    def expire(self) -> list[HelpNotice]:
        """Drop the calls shown long enough; returns them."""
        now = self.clock.now()
        gone = [n for n in self._active.values() if n.until <= now]
        for notice in gone:
            del self._active[notice.device]
        return gone

    def dismiss(self, device: str) -> bool:
        """Stop showing ``device``'s call (a clerk is on the way); False when none is shown."""
        return self._active.pop(device, None) is not None

    @property
    def active(self) -> list[HelpNotice]:
        """The calls shown now, oldest first."""
        return list(self._active.values())

    @property
    def devices(self) -> list[str]:
        """The kiosks whose calls are shown now, oldest first."""
        return list(self._active)
