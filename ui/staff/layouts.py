"""Layout helpers that keep the staff pages whole on every kiosk screen, landscape or portrait.

``Reflow`` puts its widgets in as many columns as the width allows (three side by side on a
1920-wide screen, one above the other on a portrait one); ``scrolling`` wraps a page's body in
a scroll area, so a long page on a short screen scrolls instead of pushing its buttons off the
bottom. Bodies are laid out to scroll only vertically (tests/ui/test_staff_layout.py checks
that none ever needs to scroll sideways).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QScrollArea, QWidget

from ui.layouts import scrolling

__all__ = ["Reflow", "room_beside_scroll_bar", "scrolling"]


class Reflow(QWidget):
    """Widgets in a grid of as many columns as ``fit_to(width)`` allows, in reading order.

    When a widget's own size changes (a combo box filled with longer names), the columns are
    worked out again for the last width given.
    """

    def __init__(self, widgets: list[QWidget], parent: QWidget | None = None):
        super().__init__(parent)
        self.items = list(widgets)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.columns = 0
        self.width_given: int | None = None
        self._again = QTimer(self, singleShot=True, interval=0)
        self._again.timeout.connect(lambda: self.fit_to(self.width_given))
        self._place(len(self.items))
        for widget in self.items:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.LayoutRequest and self.width_given is not None:
            self._again.start()  # once, after the widget has laid itself out
        return False

    def needed_width(self, columns: int) -> int:
        """The narrowest width that shows the widgets in ``columns`` columns."""
        widths = [w.minimumSizeHint().width() for w in self.items]
        rows = [widths[i:i + columns] for i in range(0, len(widths), columns)]
        per_column = [max((row[c] for row in rows if c < len(row)), default=0) for c in range(columns)]
        return sum(per_column) + self.grid.horizontalSpacing() * (columns - 1)

    def fit_to(self, width: int) -> None:
        """Use the most columns (up to one per widget) whose widgets fit in ``width``."""
        self.width_given = width
        columns = next((n for n in range(len(self.items), 1, -1) if self.needed_width(n) <= width), 1)
        if columns != self.columns:
            self._place(columns)

    def _place(self, columns: int) -> None:
        for widget in self.items:
            self.grid.removeWidget(widget)
        for index, widget in enumerate(self.items):
            self.grid.addWidget(widget, index // columns, index % columns, Qt.AlignmentFlag.AlignTop)
        for column in range(max(columns, self.columns)):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        rows = -(-len(self.items) // columns)
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(rows, 1)  # the room left goes below the groups, not between them
        self.columns = columns


def room_beside_scroll_bar(area: QScrollArea) -> int:
    """The width a scroll area's body can count on, leaving room for its vertical scroll bar."""
    return area.width() - area.verticalScrollBar().sizeHint().width()
