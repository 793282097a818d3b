"""Offline tickets the hall server refused, and the one thing staff can do about them.

A refused offline ticket is paper in a citizen's hand that the hall does not know (its number
was taken meanwhile, say by a kiosk restored from an old backup). Staff give it the next offline
number: the ticket keeps its issue time, so the citizen keeps their place, and the new ticket is
printed to replace the old one. Shown on the alerts page; the action is audited.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.ops import Lane
from ui.staff import ops
from ui.staff.lang import current_language


class RefusedOfflineBox(QWidget):
    """The refused offline tickets of this kiosk's outbox, with "new number and print"."""

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.services = controller.services
        self.lane = Lane("staff-refused", self)
        self.entries: list = []
        self.busy = False
        self.renumbering = ""  # the refused number being replaced
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(objectName="subtitle", wordWrap=True)
        self.list = QListWidget(objectName="refusedList", wordWrap=True)
        self.button = QPushButton(objectName="renumberButton")
        self.button.clicked.connect(self.renumber)
        self.status = QLabel(objectName="status", wordWrap=True)
        for widget in (self.heading, self.list, self.button, self.status):
            layout.addWidget(widget)
        self.setVisible(False)  # shown only while there is something to resolve

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.heading.setText(self.tr("Offline tickets the hall server refused: give each a new "
                                     "number (it keeps its place) and hand the citizen the new ticket."))
        self.button.setText(self.tr("New number and print"))
        self._show(self.entries)

    def load(self) -> None:
        """Read the refused entries from the outbox (on a lane)."""
        terminal = self.services.terminal
        method = getattr(terminal, "refused_offline", None)
        if callable(method):
            self.lane.run(method, self._show, lambda exc: self.status.setText(str(exc)))

    def _show(self, entries: list) -> None:
        self.entries = list(entries)
        self.list.clear()
        for entry in self.entries:
            self.list.addItem(QListWidgetItem(f"{entry.number}  {entry.service}  —  {entry.error}"))
        if self.entries and self.list.currentRow() < 0:
            self.list.setCurrentRow(0)
        self.button.setEnabled(bool(self.entries) and not self.busy)
        self.setVisible(bool(self.entries) or bool(self.status.text()))

    def renumber(self) -> None:
        """Renumber and print the selected refused ticket."""
        self.controller.touch()
        row, actor = self.list.currentRow(), self.controller.actor
        if row < 0 or actor is None or self.busy:
            return
        entry, language = self.entries[row], current_language()
        self.renumbering = entry.number
        self.busy = True
        self.button.setEnabled(False)
        self.status.setText(self.tr("Working…"))
        self.services.hall_lane.run(
            lambda: ops.renumber(self.services, self.controller.audit, actor, entry, language),
            self._renumbered, self._failed)

    def _renumbered(self, outcome) -> None:
        self.busy = False
        old = self.renumbering
        text = self.tr("New ticket %1 printed: give it to the citizen holding %2.") if outcome.printed \
            else self.tr("New ticket %1 NOT printed: write it down for the citizen holding %2.")
        self.status.setText(text.replace("%1", outcome.ticket.number).replace("%2", old))
        self.load()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        detail = getattr(exc, "detail", None) or str(exc)
        self.status.setText(self.tr("Refused: %1").replace("%1", detail))
        self.load()
