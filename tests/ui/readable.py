"""What the elderly-mode rules (适老化) measure on a screen: text size, line spacing, contrast and
touch targets, read off the widgets Qt laid out and the pixels it painted.

One pixel is taken as one dp-equivalent (docs/DESIGN.md §6). Contrast follows WCAG 2: relative
luminance of the text colour against the colour most of the text's rectangle is painted in.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget


def text_widgets(root: QWidget) -> list[QWidget]:
    """Visible labels and buttons of ``root``'s window that show text."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not root:
            continue
        if isinstance(widget, (QLabel, QAbstractButton)) and widget.text().strip():
            found.append(widget)
    return found


def font_px(widget: QWidget) -> float:
    """The text's size in pixels."""
    font = widget.font()
    if font.pixelSize() > 0:
        return float(font.pixelSize())
    return font.pointSizeF() * widget.logicalDpiY() / 72.0


def line_ratio(widget: QWidget) -> float:
    """Line spacing as a multiple of the text size."""
    return widget.fontMetrics().lineSpacing() / font_px(widget)


def _luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour(widget: QWidget) -> QColor:
    """The colour the style sheet gives the widget's text."""
    role = QPalette.ColorRole.ButtonText if isinstance(widget, QAbstractButton) else widget.foregroundRole()
    return widget.palette().color(role)


def background_under(widget: QWidget, shot: QImage, root: QWidget) -> QColor:
    """The colour most of ``widget``'s rectangle is painted in (its background), from ``shot``,
    a grab of ``root``."""
    origin = widget.mapTo(root, widget.rect().topLeft())
    step = max(1, min(widget.width(), widget.height()) // 24)
    counts: Counter[int] = Counter()
    for x in range(origin.x() + 2, origin.x() + widget.width() - 2, step):
        for y in range(origin.y() + 2, origin.y() + widget.height() - 2, step):
            if 0 <= x < shot.width() and 0 <= y < shot.height():
                counts[shot.pixel(x, y)] += 1
    return QColor.fromRgb(counts.most_common(1)[0][0]) if counts else QColor("white")


def contrast(widget: QWidget, shot: QImage, root: QWidget) -> float:
    """The contrast of ``widget``'s text against its background."""
    return contrast_ratio(text_colour(widget), background_under(widget, shot, root))


def small_targets(root: QWidget, least: int = 60) -> list[str]:
    """Visible, enabled buttons smaller than ``least`` pixels either way."""
    return [f"{b.objectName() or b.text()[:20]!r} {b.width()}x{b.height()}"
            for b in root.findChildren(QAbstractButton)
            if b.isVisible() and b.isEnabled() and b.window() is root
            and (b.width() < least or b.height() < least)]
