"""The guide desk's side of a kiosk's call for staff, in the clerk's caller (``kiosk counter``).

At a desk (a window of kind ``desk``) the caller shows each kiosk calling for staff, oldest
first, with an "I'm going" button that clears that call on this caller only: the hall is not
told, the board and the other screens keep showing it until ``display.help_seconds`` have
passed. Calls are aged on the caller's own timer (``ui.calling.help``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from kiosk.clock import Clock
from ui.calling.help import DEFAULT_SECONDS, HelpCalls

MAX_ROWS = 2  # calls listed with their own button; more are counted below them


class HelpPanel(QFrame):
    """Kiosks calling for staff, each with "I'm going"; hidden while none calls (or when the
    window is not a desk)."""

    def __init__(self, seconds: float = DEFAULT_SECONDS, clock: Clock | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("help")
        self.calls = HelpCalls(seconds, clock)
        self.desk = False
        self.texts: list[QLabel] = []
        self.buttons: list[QPushButton] = []
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(4)
        for row in range(MAX_ROWS):
            text = QLabel(objectName="helpText", wordWrap=True)
            text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            button = QPushButton()
            button.clicked.connect(lambda _=False, r=row: self.acknowledge_row(r))
            grid.addWidget(text, row, 0)
            grid.addWidget(button, row, 1)
            self.texts.append(text)
            self.buttons.append(button)
        self.more = QLabel(wordWrap=True)
        grid.addWidget(self.more, MAX_ROWS, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self._timer = QTimer(self, interval=1000, timeout=self.expire)
        self.refresh()

    def set_desk(self, desk: bool) -> None:
        """Show calls for staff (``desk`` True) or never (a window that is not a desk)."""
        self.desk = desk
        if desk:
            self._timer.start()
        else:
            self._timer.stop()
        self.refresh()

    def take(self, kind: str, data: object) -> bool:
        """Take a hall event; True when it is a new call for staff shown here."""
        if not self.desk or self.calls.take(kind, data) is None:
            return False
        self.refresh()
        return True

    def acknowledge(self, device: str) -> None:
        """The clerk goes to ``device``: its call leaves this caller."""
        if self.calls.dismiss(device):
            self.refresh()

    def acknowledge_row(self, row: int) -> None:
        """The "I'm going" button of ``row`` was pressed."""
        active = self.calls.active
        if row < len(active):
            self.acknowledge(active[row].device)

    def expire(self) -> None:
        """Drop the calls shown for long enough."""
        if self.calls.expire():
            self.refresh()

    def stop(self) -> None:
        """Stop aging calls."""
        self._timer.stop()

    def refresh(self) -> None:
        """Show the calls: a row each for the oldest, a count of the rest."""
        active = self.calls.active if self.desk else []
        for row, (text, button) in enumerate(zip(self.texts, self.buttons, strict=True)):
            shown = row < len(active)
            text.setText(self.tr("Kiosk %1 needs help").replace("%1", active[row].device) if shown else "")
            button.setText(self.tr("I'm going"))
            text.setVisible(shown)
            button.setVisible(shown)
        rest = len(active) - MAX_ROWS
        self.more.setText(self.tr("More kiosks need help: %1").replace("%1", str(rest)) if rest > 0 else "")
        self.more.setVisible(rest > 0)
        self.setVisible(bool(active))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)
