"""Layouts that keep a screen whole on every shape a hall's screens come in.

``scrolling`` wraps a page's body in a frameless scroll area, so a long page on a short screen
scrolls instead of pushing its buttons off the bottom. ``WrapRow`` lays buttons side by side
while they fit the width and starts another line when they do not (three long English labels
on a portrait screen, or a row of elderly-mode buttons on a 1366-pixel screen), every line
sharing its width equally.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QFrame, QLayout, QLayoutItem, QScrollArea, QWidget


class ScrollArea(QScrollArea):
    """A frameless scroll area whose body is as tall as its wrapped text needs at the area's
    width. QScrollArea alone sizes the body by its minimum size, which does not know that a
    wrapped label grows taller as the page gets narrower: the page was squeezed (text cut, boxes
    flattened) where it should have scrolled."""

    def __init__(self, body: QWidget):
        super().__init__(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        self.setWidget(body)
        body.installEventFilter(self)
        self.viewport().installEventFilter(self)  # narrower when the scroll bar comes: more lines
        self._refit = QTimer(self, singleShot=True, interval=0)
        self._refit.timeout.connect(self.fit_body)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.LayoutRequest or (
                watched is self.viewport() and event.type() == QEvent.Type.Resize):
            self._refit.start()  # once the body has worked out its new contents
        return super().eventFilter(watched, event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_body()

    def fit_body(self) -> None:
        """Give the body at least the height its layout needs at the viewport's width."""
        body = self.widget()
        layout = body.layout() if body is not None else None
        if layout is None or not layout.hasHeightForWidth():
            return
        needed = layout.totalHeightForWidth(self.viewport().width())
        if needed != body.minimumHeight():
            body.setMinimumHeight(needed)


def scrolling(body: QWidget) -> QScrollArea:
    """``body`` in a frameless scroll area; its width follows the area's (bodies are laid out to
    scroll up and down only: the layout tests check none is wider than its area)."""
    return ScrollArea(body)


class WrapRow(QLayout):
    """Widgets in lines: as many side by side as fit, the widths of a line shared out equally.

    A line's widgets are as wide as the widest of them needs (buttons of one row look alike),
    and as many go on a line as fit at that width; the layout reports the height it needs for a
    given width, so the parent grows when the row wraps.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 24):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout's item list ------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt naming)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # -- sizes --------------------------------------------------------------------------------
    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def minimumSize(self) -> QSize:  # noqa: N802
        shown = self._shown()
        if not shown:
            return QSize(0, 0)
        widest = max(item.minimumSize().width() for item in shown)
        return QSize(widest, max(item.minimumSize().height() for item in shown))

    def sizeHint(self) -> QSize:  # noqa: N802
        shown = self._shown()
        if not shown:
            return QSize(0, 0)
        cell = self._cell(shown)
        wide = len(shown) * cell.width() + (len(shown) - 1) * self.spacing()
        return QSize(wide, cell.height())

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    # -- placing ------------------------------------------------------------------------------
    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    @staticmethod
    def _cell(items: list[QLayoutItem]) -> QSize:
        return QSize(max(i.sizeHint().width() for i in items), max(i.sizeHint().height() for i in items))

    def per_line(self, width: int) -> int:
        """How many widgets fit side by side in ``width``."""
        shown = self._shown()
        if not shown:
            return 1
        cell, gap = self._cell(shown).width(), self.spacing()
        return max(1, min(len(shown), (width + gap) // (cell + gap)))

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        shown = self._shown()
        if not shown:
            return 0
        n, gap = self.per_line(rect.width()), self.spacing()
        height = self._cell(shown).height()
        lines = [shown[i:i + n] for i in range(0, len(shown), n)]
        y = rect.y()
        for line in lines:
            width = (rect.width() - gap * (len(line) - 1)) // len(line)
            for column, item in enumerate(line):
                if place:
                    item.setGeometry(QRect(QPoint(rect.x() + column * (width + gap), y), QSize(width, height)))
            y += height + gap
        return y - gap - rect.y()
