"""Reusable kiosk widgets: big touch buttons, service tiles, the QR code, the booking keypad
and the telephone keypad of a mobile number."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


def label(text: str = "", name: str = "", *, wrap: bool = True, center: bool = False) -> QLabel:
    """A QLabel with an object name for the style sheet; word-wrapped unless told otherwise."""
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    if center:
        widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return widget


class TouchButton(QPushButton):
    """A large push button; ``kind`` (primary, secondary, danger, bar) picks its QSS look."""

    def __init__(self, text: str = "", kind: str = "primary", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setProperty("kind", kind)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)


class ServiceTile(QPushButton):
    """One service on the home screen: zone, name, people waiting and the estimate, or why closed.

    The texts are child labels so long names wrap; a closed service is disabled (greyed by the
    style sheet) and shows its reason instead of the waiting count.
    """

    def __init__(self, code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.code = code
        self.setObjectName("tile")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.zone = label("", "tileZone")
        self.name = label("", "tileName")
        self.status = label("", "tileStatus")
        for child in (self.zone, self.name, self.status):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(4)
        layout.addWidget(self.zone)
        layout.addWidget(self.name, 1)
        layout.addWidget(self.status)

    def show_service(self, zone: str, name: str, status: str, open_: bool) -> None:
        """Fill the tile; a service that is not open is disabled."""
        self.zone.setText(zone)
        self.name.setText(name)
        self.status.setText(status)
        self.setEnabled(open_)
        self.setProperty("closed", not open_)
        self.style().unpolish(self)
        self.style().polish(self)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return self.layout().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.layout().minimumSize()


def qr_pixmap(text: str, size: int) -> QPixmap:
    """A QR code of ``text`` drawn with the qrcode package's module matrix, ``size`` px square."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    # One 8-bit grey byte per module, handed to QImage in one call: per-pixel Qt calls are slow,
    # and PySide6 6.12 mis-counts references to None on some void calls made by the million.
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = QImage(pixels, n, n, n, QImage.Format.Format_Grayscale8).copy()
    scaled = image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                          Qt.TransformationMode.FastTransformation)
    return QPixmap.fromImage(scaled)


class QrLabel(QLabel):
    """Shows one QR code; ``text`` keeps what it encodes, for tests and the e-ticket."""

    def __init__(self, size: int = 220, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("qr")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_size = size
        self.text_encoded = ""

    def show_code(self, text: str, size: int | None = None) -> None:
        """Render ``text`` as a QR code."""
        self.qr_size = size or self.qr_size
        self.text_encoded = text
        self.setPixmap(qr_pixmap(text, self.qr_size))
        self.setFixedSize(self.qr_size + 8, self.qr_size + 8)


KEYPAD_KEYS = "123456789-0ABCDEFGHJKLMNPQRSTUVWXYZ"


class Keypad(QWidget):
    """A touch keypad for booking codes: digits, ``-`` and letters (no I or O: read as 1 and 0)."""

    changed = Signal(str)

    def __init__(self, columns: int = 9, max_length: int = 16, parent: QWidget | None = None,
                 keys: str = KEYPAD_KEYS):
        super().__init__(parent)
        self.value = ""
        self.max_length = max_length
        self.keys: dict[str, QPushButton] = {}
        self._grid = QGridLayout(self)
        self._grid.setSpacing(8)
        for key in keys:
            button = TouchButton(key, "key")
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            self.keys[key] = button
        self.backspace = TouchButton("⌫", "key")
        self.backspace.clicked.connect(self.delete)
        self.set_columns(columns)

    def set_columns(self, columns: int) -> None:
        """Lay the keys out in ``columns`` columns (fewer on a portrait screen)."""
        buttons = [*self.keys.values(), self.backspace]
        for button in buttons:
            self._grid.removeWidget(button)
        for i, button in enumerate(buttons):
            self._grid.addWidget(button, i // columns, i % columns)

    def press(self, key: str) -> None:
        """Append one character."""
        if len(self.value) < self.max_length:
            self.value += key
            self.changed.emit(self.value)

    def type_key(self, key: int, text: str) -> bool:
        """A keyboard's or a scanner's key (``Qt.Key``, its text): backspace deletes, one of the
        pad's characters is pressed; False for any other key (the screen handles it)."""
        if key == Qt.Key.Key_Backspace:
            self.delete()
        elif len(text) == 1 and text in self.keys:
            self.press(text)
        else:
            return False
        return True

    def delete(self) -> None:
        """Remove the last character."""
        self.value = self.value[:-1]
        self.changed.emit(self.value)

    def clear(self) -> None:
        """Start over."""
        self.value = ""
        self.changed.emit(self.value)


class PhoneKeypad(Keypad):
    """The digits of a telephone's keypad, 1 to 9 in three rows, then 0 and backspace: a mobile
    number of 11 digits at most. The keys grow with the room given (few keys, big targets)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(3, 11, parent, keys="1234567890")
        self._grid.setSpacing(12)
        for button in (*self.keys.values(), self.backspace):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_columns(self, columns: int) -> None:
        """Always the telephone's layout; 0 under 8 as on any phone, backspace beside it."""
        for button in (*self.keys.values(), self.backspace):
            self._grid.removeWidget(button)
        for i, key in enumerate("123456789"):
            self._grid.addWidget(self.keys[key], i // 3, i % 3)
        self._grid.addWidget(self.keys["0"], 3, 1)
        self._grid.addWidget(self.backspace, 3, 2)


def grouped_phone(digits: str) -> str:
    """A mobile number as people read it aloud: 138 0013 8000 (also while it is typed)."""
    return " ".join(part for part in (digits[:3], digits[3:7], digits[7:11]) if part)


class LongPressArea(QWidget):
    """An invisible corner that emits ``long_pressed`` after being held ``hold_ms`` (staff access)."""

    long_pressed = Signal()

    def __init__(self, hold_ms: int = 3000, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("staffCorner")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(hold_ms)
        self._timer.timeout.connect(self.long_pressed)

    def set_hold_ms(self, ms: int) -> None:
        """How long the corner must be held."""
        self._timer.setInterval(ms)

    def event(self, e: QEvent) -> bool:  # noqa: D102
        kind = e.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self._timer.start()
            e.accept()
            return True
        if kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel,
                    QEvent.Type.Leave):
            self._timer.stop()
            e.accept()
            return True
        return super().event(e)
