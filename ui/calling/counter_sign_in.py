"""The counter's sign-in page: the clerk's 工号 and PIN, typed on a large on-screen number pad
(or the keyboard), with refusals and lockouts in plain words. It only collects and shows; the
counter sends the sign-in on its hall lane (``ui.calling.counter``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from kiosk.domain import HallError

PAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back")


class SignInPanel(QFrame):
    """工号 and PIN fields over a number pad; ``submitted(code, pin)`` when the clerk presses
    Sign in, ``cancelled`` on Cancel."""

    submitted = Signal(str, str)
    cancelled = Signal()

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setObjectName("signIn")
        self.heading = QLabel(objectName="title", wordWrap=True)
        self.code_label, self.pin_label = QLabel(), QLabel()
        self.code = QLineEdit(maxLength=32)
        self.pin = QLineEdit(maxLength=12, echoMode=QLineEdit.EchoMode.Password)
        self.target = self.code  # the field the pad types into: the one last touched
        for field in (self.code, self.pin):
            field.installEventFilter(self)
        self.code.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.submit)
        self.keys: dict[str, QPushButton] = {}
        pad = QGridLayout()
        for i, key in enumerate(PAD):
            button = self.keys[key] = QPushButton(key)
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            pad.addWidget(button, i // 3, i % 3)
        self.sign_in_button, self.cancel_button = QPushButton(), QPushButton()
        self.sign_in_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.cancelled)
        self.error = QLabel(objectName="status", wordWrap=True)
        fields = QGridLayout()
        fields.addWidget(self.code_label, 0, 0)
        fields.addWidget(self.code, 0, 1)
        fields.addWidget(self.pin_label, 1, 0)
        fields.addWidget(self.pin, 1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.sign_in_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(fields)
        layout.addLayout(pad, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self.retranslate()

    def retranslate(self) -> None:
        """Every text in the current language."""
        self.heading.setText(self.tr("Sign in at this window"))
        self.code_label.setText(self.tr("Staff no. (工号)"))
        self.pin_label.setText(self.tr("PIN"))
        self.keys["clear"].setText(self.tr("Clear"))
        self.keys["back"].setText("⌫")
        self.sign_in_button.setText(self.tr("Sign in"))
        self.cancel_button.setText(self.tr("Cancel"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.FocusIn and watched in (self.code, self.pin):
            self.target = watched
        return super().eventFilter(watched, event)

    def reset(self) -> None:
        """Empty fields, no error, the pad on the 工号."""
        self.code.clear()
        self.pin.clear()
        self.error.clear()
        self.target = self.code
        self.code.setFocus()

    def press(self, key: str) -> None:
        """A pad key: a digit, ``clear`` or ``back`` on the field last touched."""
        field = self.target
        if key == "clear":
            field.clear()
        elif key == "back":
            field.backspace()
        elif len(field.text()) < field.maxLength():
            field.insert(key)

    def submit(self) -> None:
        """Check the fields are filled, then ask the counter to sign in."""
        code, pin = self.code.text().strip(), self.pin.text()
        if not code:
            self.show_error(self.tr("Type your staff number (工号) first."))
            self.target = self.code
            return
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            self.show_error(self.tr("The PIN is 4 to 12 digits."))
            self.target = self.pin
            return
        self.error.clear()
        self.submitted.emit(code, pin)

    def show_error(self, text: str) -> None:
        """A refusal under the pad."""
        self.error.setText(text)

    def refused(self, exc: BaseException) -> str | None:
        """The plain words for a refused sign-in (None: not a sign-in refusal); the PIN is
        cleared for the next try."""
        if not isinstance(exc, HallError):
            return None
        self.pin.clear()
        self.target = self.pin
        if exc.code == "wrong_pin":
            return self.tr("Staff number or PIN is wrong. Check both and try again.")
        if exc.code == "pin_locked":
            minutes = max(1, -(-int(exc.extra.get("seconds", 60)) // 60))
            return self.tr("Too many wrong PINs: sign-in is locked for %1 more minute(s).").replace(
                "%1", str(minutes))
        if exc.code == "forbidden" and "disabled" in exc.detail:
            return self.tr("This staff number is disabled. Ask the hall's administrator.")
        return None
