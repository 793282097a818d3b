"""The base of every citizen screen, and the citizen's visit that the screens fill in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.models import CatalogService, Citizen
from ui.layouts import WrapRow, scrolling

if TYPE_CHECKING:
    from ui.kiosk.window import KioskWindow


@dataclass
class Visit:
    """One citizen's way through the screens, from the tile touched to the ticket.

    ``key`` is the idempotency key of the ticket request: a retry after the hall did not answer
    sends the same key, so the citizen never gets two numbers for one touch.
    """

    service: CatalogService
    card: object | None = None  # drivers.idcard.IdCard, held in memory only for this visit
    citizen: Citizen | None = None
    priority: str = "normal"
    appointment: str | None = None
    remote_asked: bool = False  # the hall was asked for this citizen's phone place (线上取号)
    key: str = field(default_factory=lambda: uuid.uuid4().hex)


class Screen(QWidget):
    """A full-page citizen screen. ``render()`` sets every text; it runs again on a language switch.

    ``body`` holds what the screen says; it scrolls when a short screen cannot show it all. The
    buttons (``button_row``) sit in the ``footer`` below it, always on screen, and wrap to a
    second line when they do not fit side by side.
    """

    name = "screen"

    def __init__(self, kiosk: KioskWindow):
        super().__init__()
        self.kiosk = kiosk
        self.setObjectName(f"screen_{self.name}")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 12, 40, 16)
        outer.setSpacing(12)
        content = QWidget()
        content.setObjectName("screenContent")
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(12)
        self.scroll = scrolling(content)
        self.scroll.setObjectName("screenScroll")
        outer.addWidget(self.scroll, 1)
        self.footer = QVBoxLayout()
        self.footer.setSpacing(14)
        outer.addLayout(self.footer)

    @property
    def lang(self) -> str:
        """The citizen's language now: ``zh`` or ``en``."""
        return self.kiosk.language

    def entered(self) -> None:
        """Called each time the screen is shown; screens refresh what they show here."""
        self.scroll.verticalScrollBar().setValue(0)
        self.render()

    def left(self) -> None:
        """Called when another screen replaces this one."""

    def render(self) -> None:
        """Set every text in the current language."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.LanguageChange:
            self.render()
        super().changeEvent(event)

    def button_row(self, *buttons: QWidget) -> WrapRow:
        """A row of buttons at the foot of the screen, wrapping when they do not fit."""
        host = QWidget()
        host.setObjectName("buttonRow")
        row = WrapRow(host)
        for button in buttons:
            row.addWidget(button)
        self.footer.addWidget(host)
        return row
