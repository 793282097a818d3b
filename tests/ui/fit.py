"""Whether what a person sees fits: every text inside its widget, every widget inside its parent
and the window, no two neighbours on top of each other.

Used by the layout tests of every screen (kiosk, staff, board, window screen, counter) at every
screen shape. It reads what Qt laid out, after style sheets, fonts and word wrap, so it fails
whenever a citizen would see a cut word, a button past the bottom edge or two tiles overlapping.

A widget may opt out of the overlap check with the dynamic property ``fitOverlay`` (the hidden
staff corner, a full-screen overlay): those are meant to lie over others.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)

SLACK = 1  # pixels of rounding Qt's layouts may leave


def _name(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, (QLabel, QAbstractButton)):
        text = widget.text()
    elif isinstance(widget, QComboBox):
        text = widget.currentText()
    label = widget.objectName() or type(widget).__name__
    return f"{label} {text[:32]!r}" if text else label


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def text_problem(widget: QWidget) -> str | None:
    """Why the text of ``widget`` does not fit its rectangle, or None."""
    size = widget.size()
    if isinstance(widget, QLabel):
        if not widget.text() or widget.pixmap() is not None and not widget.pixmap().isNull():
            return None
        if widget.wordWrap():
            longest = widget.minimumSizeHint().width()  # the longest word that cannot break
            high = widget.heightForWidth(size.width())
            if longest > size.width() + SLACK or high > size.height() + SLACK:
                return f"needs {longest}px wide and {high}px high, has {size.width()}x{size.height()}"
            return None
        need = widget.sizeHint()
    elif isinstance(widget, (QAbstractButton, QComboBox)):
        text = widget.text() if isinstance(widget, QAbstractButton) else widget.currentText()
        if not text:
            return None
        need = widget.sizeHint()
    elif isinstance(widget, QLineEdit):
        text = widget.text() or widget.placeholderText()
        if not text:
            return None
        room = widget.contentsRect().width() - 8  # the frame's inner margins
        wide = widget.fontMetrics().horizontalAdvance(text)
        return None if wide <= room + SLACK else f"needs {wide}px, has {room}"
    else:
        return None
    if need.width() > size.width() + SLACK or need.height() > size.height() + SLACK:
        return f"needs {need.width()}x{need.height()}, has {size.width()}x{size.height()}"
    return None


def _scrolled(widget: QWidget) -> bool:
    """Inside a scroll area's viewport: may lie beyond it (the area scrolls)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _outside(widget: QWidget, root: QWidget) -> str | None:
    parent = widget.parentWidget()
    if parent is None:
        return None
    area = parent.parentWidget()
    if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
        return _sideways(area)  # the scrolled body: only its width is bounded
    own = widget.geometry()
    if not parent.rect().adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(own):
        return f"lies outside its parent ({_rect(own)} in {parent.width()}x{parent.height()})"
    if _scrolled(widget):
        return None  # below the fold of a scroll area: scrolled to, not cut
    top_left = widget.mapTo(root, widget.rect().topLeft())
    in_root = QRect(top_left, widget.size())
    if not root.rect().adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(in_root):
        return f"lies outside the window ({_rect(in_root)} in {root.width()}x{root.height()})"
    return None


def _sideways(area: QAbstractScrollArea) -> str | None:
    """A scrolled body wider than its viewport is cut at the side (the areas scroll only up and
    down: nobody finds a sideways scroll on a touch screen)."""
    body = area.widget() if hasattr(area, "widget") else None
    if body is None or body.width() <= area.viewport().width() + SLACK:
        return None
    return f"is {body.width()} px wide in a {area.viewport().width()} px scroll area (cut at the side)"

def _rect(r: QRect) -> str:
    return f"{r.width()}x{r.height()}+{r.x()}+{r.y()}"


def _overlaps(parent: QWidget) -> list[str]:
    kids = [w for w in parent.findChildren(QWidget, options=_direct()) if _shown(w)
            and not w.property("fitOverlay") and not w.isWindow()]
    found = []
    for i, a in enumerate(kids):
        for b in kids[i + 1:]:
            both = a.geometry().intersected(b.geometry())
            if both.width() > SLACK and both.height() > SLACK:
                found.append(f"{_name(a)} overlaps {_name(b)} ({_rect(both)})")
    return found


def _direct():
    from PySide6.QtCore import Qt

    return Qt.FindChildOption.FindDirectChildrenOnly


def fit_problems(root: QWidget, *, where: str = "", within: QWidget | None = None) -> list[str]:
    """Every fitting problem among the visible widgets of ``root`` (a window), one line each;
    only those of ``within`` and its children when given (an overlay shown over the window)."""
    for _ in range(10):  # a wrapped label's new height is laid out some posted events later
        QApplication.processEvents()
    prefix = f"{where}: " if where else ""
    found = []
    scope = within or root
    widgets = [scope] + [w for w in scope.findChildren(QWidget) if _shown(w) and w.window() is root]
    for widget in widgets:
        why = text_problem(widget)
        if why:
            found.append(f"{prefix}{_name(widget)} text {why}")
        if widget is not root:
            why = _outside(widget, root)
            if why:
                found.append(f"{prefix}{_name(widget)} {why}")
        if not _scrolled(widget) and not isinstance(widget, QAbstractScrollArea):
            found += [f"{prefix}{line}" for line in _overlaps(widget)]
    return found


def covers_screen(window: QWidget) -> str | None:
    """Why ``window`` does not cover its screen exactly, or None."""
    screen = window.screen().geometry()
    got = window.frameGeometry()
    if got != screen:
        return f"window at {_rect(got)}, screen is {_rect(screen)}"
    return None
