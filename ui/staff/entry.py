"""Wiring staff mode into the citizen kiosk window.

``attach(kiosk_window, services)`` connects the window's hidden gesture (``staffRequested``) to
the PIN dialog and shows the staff panel through ``show_overlay``; leaving or locking staff
mode closes the overlay and sends the kiosk home. The window is duck-typed: anything with
``staffRequested``, ``show_overlay(widget)``, ``close_overlay()`` and ``reset_to_home()`` works.
Cards come from ``services.reader_events`` (the kiosk's reader bridge, whose ``event`` signal
carries ``ReaderEvent``s) when it exists, or from a ``cardRead(IdCard)`` signal on the window:
a registered staff card opens staff mode, and in staff mode a citizen's card finds their ticket.
While the panel is shown the reader polls; the kiosk stops it again when it goes home.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from kiosk.audit import AuditLog
from ui.staff.controller import StaffController
from ui.staff.pin import PinDialog

if TYPE_CHECKING:
    from ui.staff.panel import StaffPanel


class StaffEntry:
    """The staff mode of one kiosk window: controller, PIN dialog and panel."""

    def __init__(self, kiosk_window, services, *, dev: bool | None = None,
                 audit: AuditLog | None = None, clock=None):
        if dev is None:
            dev = bool(getattr(services, "dev", getattr(kiosk_window, "dev", False)))
        kwargs = {"clock": clock} if clock else {}
        self.window = kiosk_window
        self.controller = StaffController(services, audit=audit, dev=dev, **kwargs)
        self.pin = PinDialog(self.controller)
        self.pin.setProperty("fitOverlay", True)  # meant to lie over the citizen screens
        self.pin.accepted.connect(lambda _role: self.show_panel())
        self.pin.cancelled.connect(self.leave)
        self.controller.locked.connect(self._locked)
        self.controller.opened.connect(lambda _role: self.show_panel())
        self._panel: StaffPanel | None = None
        self._shown = None

    @property
    def panel(self) -> StaffPanel:
        """The staff panel, built the first time staff mode is asked for: its five pages are
        some 15 MB and 0.2-0.5 s of GUI-thread work that a citizen kiosk need not pay at start
        (on most days nobody opens staff mode)."""
        if self._panel is None:
            from ui.staff.panel import StaffPanel

            self._panel = StaffPanel(self.controller)
            self._panel.setProperty("fitOverlay", True)
            self._panel.closeRequested.connect(self.leave)
        return self._panel

    def request(self) -> None:
        """The hidden gesture: ask for a PIN (or go straight in if a session is still open)."""
        if self.controller.role is not None:
            self.show_panel()
            return
        self.pin.reset()
        self._show(self.pin)
        if self._panel is None:  # built while staff type their PIN, once the dialog is up
            QTimer.singleShot(0, self.pin, lambda: self.panel)

    def show_panel(self) -> None:
        """Show the staff panel over the kiosk screens, the citizen's visit dropped first (a card
        read in staff mode must not also go to the citizen flow), and the reader polling."""
        if self._shown is not self.panel:
            self.window.reset_to_home()
        self._show(self.panel)
        self.panel.show_page("queue")
        reader = getattr(self.controller.services, "reader", None)
        if reader is not None and hasattr(reader, "start_polling"):
            reader.start_polling()

    def _show(self, widget) -> None:
        if self._shown is not widget:
            self.window.show_overlay(widget)
            self._shown = widget

    def leave(self) -> None:
        """Back to the citizen screens (the session is locked)."""
        self.controller.lock()
        self._close()

    def _locked(self) -> None:
        self._close()

    def _close(self) -> None:
        if self._shown is not None:
            self._shown = None
            self.window.close_overlay()
            self.window.reset_to_home()

    def card_presented(self, card) -> bool:
        """A card was read: True when staff mode took it (a staff card, or a lookup in staff mode)."""
        return self.controller.card_presented(card)

    def reader_event(self, event) -> None:
        """A ``ReaderEvent`` from the kiosk's reader bridge: only card reads matter here."""
        if str(getattr(event, "kind", "")) == "card_read" and event.card is not None:
            self.card_presented(event.card)


def attach(kiosk_window, services, **options) -> StaffEntry:
    """Give ``kiosk_window`` its staff mode; returns the StaffEntry (keep a reference)."""
    entry = StaffEntry(kiosk_window, services, **options)
    kiosk_window.staffRequested.connect(entry.request)
    bridge = getattr(services, "reader_events", None)
    if bridge is not None:
        bridge.event.connect(entry.reader_event)
    elif getattr(kiosk_window, "cardRead", None) is not None:
        kiosk_window.cardRead.connect(entry.card_presented)
    apply = getattr(kiosk_window, "apply_config", None)
    if callable(apply):  # live settings (timeouts, elderly age, voice volume…) without a restart
        entry.controller.configChanged.connect(apply)
    kiosk_window._staff_entry = entry  # keep it alive as long as the window
    return entry
