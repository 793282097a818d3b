"""What the clerk's caller knows about its window, fed by action results and hall events.

No Qt here. The current ticket is the one called to or served at this window; held tickets are
those this window put on hold (only it may call them back). Hall events keep both in step with
what other programs do (a guide voiding a ticket, another counter of the same window).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from kiosk.models import Catalog, QueueEntry, Ticket, WindowClerk

ACTIVE = ("called", "serving")


@dataclass
class CounterState:
    """The window's current ticket, its held tickets, waiting counts and pause state."""

    window: int
    recall_limit: int = 3
    catalog: Catalog | None = None
    current: Ticket | None = None
    held: dict[str, Ticket] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    paused: bool = False
    clerk: WindowClerk | None = None  # who is signed in at this window

    @property
    def services(self) -> list[str]:
        """The codes of the services this window serves."""
        window = self.catalog.window(self.window) if self.catalog else None
        return list(window.services) if window else []

    def set_catalog(self, catalog: Catalog) -> None:
        """Take services, waiting counts and the window's pause state from the catalog."""
        self.catalog = catalog
        self.waiting = {s.code: s.waiting for s in catalog.services}
        window = catalog.window(self.window)
        self.paused = bool(window and window.paused)
        self.clerk = window.clerk if window else None

    def apply_ticket(self, ticket: Ticket) -> None:
        """Take a ticket's new state (from an action result or a ticket event)."""
        mine = ticket.window == self.window
        if mine and ticket.state in ACTIVE:
            self.current = ticket
            self.held.pop(ticket.id, None)
            return
        if mine and ticket.state == "held":
            self.held[ticket.id] = ticket
        else:
            self.held.pop(ticket.id, None)
        if self.current is not None and self.current.id == ticket.id:
            self.current = None

    def apply_event(self, kind: str, data: dict) -> bool:
        """Apply a hall event; True when it changed something this window shows."""
        try:
            if kind == "ticket":
                ticket = Ticket.model_validate(data)
                relevant = ticket.window == self.window or ticket.id in self.held or (
                    self.current is not None and self.current.id == ticket.id)
                if relevant:
                    self.apply_ticket(ticket)
                return relevant
            if kind == "queue" and "service" in data:
                entry = QueueEntry.model_validate(data)
                self.waiting[entry.service] = entry.waiting
                return entry.service in self.services
            if kind == "queue" and data.get("window") == self.window:
                self.paused = bool(data.get("paused"))
                return True
            if kind == "clerk" and data.get("window") == self.window:
                clerk = data.get("clerk")
                self.clerk = None if clerk is None else WindowClerk.model_validate(clerk)
                return True
        except (ValidationError, TypeError, ValueError):
            return False
        return False

    def service_name(self, code: str, lang: str) -> str:
        """A service's name in ``lang``."""
        service = self.catalog.service(code) if self.catalog else None
        if service is None:
            return code
        return service.name.en if lang == "en" else service.name.zh

    def can(self, action: str) -> bool:
        """Whether ``action`` makes sense now (buttons are enabled by this)."""
        state = self.current.state if self.current else None
        return {
            "recall": state == "called",
            "start": state == "called",
            "finish": state in ACTIVE,
            "no-show": state == "called",
            "hold": state in ACTIVE,
            "transfer": state in ACTIVE,
        }.get(action, True)
