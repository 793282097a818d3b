"""The PIN dialog: a touch keypad, masked digits, a lockout message, a dev-PIN warning."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.pins import PinLocked
from ui.staff.style import overlay


def _centred(widget: QWidget, column: QVBoxLayout) -> None:
    """``column`` in the middle of ``widget``, as wide as its keypad, texts wrapping inside it."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addLayout(column)
    row.addStretch(1)
    outer = QVBoxLayout(widget)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(1)


class PinDialog(QWidget):
    """Asks for a PIN for ``roles``; emits ``accepted(role)`` or ``cancelled``."""

    accepted = Signal(str)
    cancelled = Signal()

    def __init__(self, controller, roles: tuple[str, ...] = ("staff", "tech"),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.roles = roles
        self.pin = ""
        self.busy = False
        self.setObjectName("staffPin")
        overlay(self)
        column = QVBoxLayout()
        centre = Qt.AlignmentFlag.AlignCenter
        self.title = QLabel(objectName="title", alignment=centre, wordWrap=True)
        self.banner = QLabel(objectName="devBanner", alignment=centre, wordWrap=True)
        self.banner.setVisible(controller.gate.dev_pins_active)
        self.dots = QLabel(objectName="pinDots", alignment=centre)
        self.message = QLabel(objectName="message", alignment=centre, wordWrap=True)
        for widget in (self.title, self.banner, self.dots, self.message):
            column.addWidget(widget)
        column.addLayout(self._keypad())
        _centred(self, column)
        self.retranslate()
        self._show_dots()

    def _keypad(self) -> QGridLayout:
        grid = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"]
        for index, key in enumerate(labels):
            button = QPushButton(key if key.isdigit() else "", objectName=f"pinKey_{key}")
            button.setMinimumSize(120, 90)
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(button, index // 3, index % 3)
            self.keys[key] = button
        self.ok = QPushButton(objectName="pinOk")
        self.ok.clicked.connect(self.submit)
        self.cancel = QPushButton(objectName="pinCancel")
        self.cancel.clicked.connect(self._cancel)
        grid.addWidget(self.cancel, 4, 0)
        grid.addWidget(self.ok, 4, 1, 1, 2)
        return grid

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.title.setText(self.tr("Technician PIN") if self.roles == ("tech",) else self.tr("Staff PIN"))
        self.banner.setText(self.tr("Development PINs are active: set PIN hashes in kiosk.toml"))
        self.keys["clear"].setText(self.tr("Clear"))
        self.keys["back"].setText(self.tr("Back"))
        self.ok.setText(self.tr("Enter"))
        self.cancel.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reset(self) -> None:
        """Empty the entry (when the dialog is shown again)."""
        self.pin = ""
        self.message.setText("")
        self._show_dots()

    def press(self, key: str) -> None:
        """A keypad key."""
        if key == "clear":
            self.pin = ""
        elif key == "back":
            self.pin = self.pin[:-1]
        elif len(self.pin) < 12:
            self.pin += key
        self._show_dots()

    def _show_dots(self) -> None:
        self.dots.setText("●" * len(self.pin) + "○" * max(0, 4 - len(self.pin)))

    def submit(self) -> None:
        """Check the PIN (off the GUI thread)."""
        if self.busy or not self.pin:
            return
        self.busy = True
        self.message.setText(self.tr("Checking…"))
        pin, self.pin = self.pin, ""
        self._show_dots()
        self.controller.submit_pin(pin, self.roles, self._checked)

    def _checked(self, result) -> None:
        self.busy = False
        if isinstance(result, PinLocked):
            minutes = max(1, round(result.remaining / 60))
            self.message.setText(self.tr("Too many wrong PINs. Try again in %n minute(s).", "", minutes))
        elif result is None:
            self.message.setText(self.tr("Wrong PIN"))
        else:
            self.message.setText("")
            self.accepted.emit(result)

    def _cancel(self) -> None:
        self.reset()
        self.cancelled.emit()
