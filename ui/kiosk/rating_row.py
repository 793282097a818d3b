"""The done screen's optional 好差评 row: the citizen may rate the kiosk's self-service with one
touch of the five levels (local rules 5.1.3: after a transaction the terminal offers the rating).

Shown only when the hall rates kiosks' self-service (the catalog's ``ratings``) and the ticket is
on the hall (not an offline one); never in the citizen's way: the countdown home runs on, and
the rating goes to the hall on the kiosk's hall lane (``KioskTerminal.rate_self_service``).
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.models import Ticket
from kiosk.rating_models import LEVELS
from ui.kiosk.widgets import TouchButton, label
from ui.layouts import WrapRow

ROOMY_HEIGHT = 900
"""Screens at least this high show the row in elderly mode too (1280×1024 does, 1366×768 not)."""


class RatingRow(QWidget):
    """A prompt and the five levels, best first; after a touch, a thank-you."""

    def __init__(self, kiosk) -> None:  # noqa: ANN001 - the KioskWindow
        super().__init__()
        self.kiosk = kiosk
        self.setObjectName("ratingRow")
        self.ticket: Ticket | None = None
        self.rated = False
        self.wanted = False
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        self.prompt = label("", "hint", center=True)
        box.addWidget(self.prompt)
        host = QWidget()
        row = WrapRow(host, spacing=12)
        self.buttons: dict[int, TouchButton] = {}
        for level in LEVELS:  # 5 非常满意 … 1 非常不满意
            button = TouchButton("", "secondary")
            button.setObjectName(f"rate{level}")
            button.clicked.connect(lambda _=False, lv=level: self.rate(lv))
            self.buttons[level] = button
            row.addWidget(button)
        self.levels = host
        box.addWidget(host)

    def offer(self, ticket: Ticket, *, wanted: bool = True) -> None:
        """Offer the rating of ``ticket``'s self-service, if the hall asks for it and the screen
        has room (``wanted``: not on an e-ticket, whose QR code the citizen must photograph)."""
        catalog = self.kiosk.catalog
        self.ticket, self.rated = ticket, False
        self.wanted = bool(wanted and catalog and catalog.ratings.kiosk_self_service and not ticket.offline)
        self.render()

    def rate(self, level: int) -> None:
        """Send ``level`` on the hall lane and thank the citizen at once."""
        if self.ticket is None or self.rated:
            return
        self.rated = True
        terminal, ticket_id = self.kiosk.services.terminal, self.ticket.id
        self.kiosk.services.hall_lane.run(lambda: terminal.rate_self_service(ticket_id, level))
        self.render()

    def render(self) -> None:
        """Texts in the citizen's language."""
        lang = self.kiosk.language
        # The ticket comes first: a short screen in elderly mode has no room for the row below
        # the number and the QR code, and there the row stays away.
        roomy = not self.kiosk.elderly or self.kiosk.height() >= ROOMY_HEIGHT
        self.setVisible(self.wanted and roomy)
        self.prompt.setText(self.tr("Thank you for your rating!") if self.rated
                            else self.tr("How was this self-service? (optional)"))
        self.levels.setVisible(not self.rated)
        for level, button in self.buttons.items():
            button.setText(LEVELS[level]["en" if lang == "en" else "zh"])
