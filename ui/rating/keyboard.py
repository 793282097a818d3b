"""A plain on-screen keyboard for the evaluator's comment: digits, QWERTY letters, a few marks,
space and delete. No pinyin: a citizen who wants to write Chinese says it at the window; the
comment is optional."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL,", "ZXCVBNM")
DELETE = "\b"


class Keyboard(QWidget):
    """Emits ``typed`` with a character, or ``DELETE`` (backspace)."""

    typed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for row, keys in enumerate(ROWS):
            for col, key in enumerate(keys):
                grid.addWidget(self._key(key, key.lower() if key.isalpha() else key), row, col)
        self.space = self._key("", " ")
        self.delete = self._key("", DELETE)
        self.space.setObjectName("space")
        self.delete.setObjectName("delete")
        last = len(ROWS) - 1  # beside Z…M: four rows fit the 480-pixel pad
        grid.addWidget(self.space, last, len(ROWS[last]), 1, 2)
        grid.addWidget(self.delete, last, len(ROWS[last]) + 2, 1, 1)

    def _key(self, label: str, char: str) -> QPushButton:
        button = QPushButton(label, self)
        button.setObjectName(f"key-{label}" if label else "")
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.clicked.connect(lambda: self.typed.emit(char))
        return button

    def set_words(self, space: str, delete: str) -> None:
        """The labels of the space and delete keys, in the pad's language."""
        self.space.setText(space)
        self.delete.setText(delete)
