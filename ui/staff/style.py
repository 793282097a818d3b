"""The staff panels' look: plain, high-contrast, large enough to touch; invalid fields in red."""

STAFF_QSS = """
QWidget { font-size: 20px; }
QLabel#title { font-size: 34px; font-weight: bold; }
QLabel#subtitle { font-size: 22px; font-weight: bold; color: #b71c1c; }
QLabel#pinDots { font-size: 48px; letter-spacing: 12px; }
QLabel#message { color: #b71c1c; min-height: 32px; }
QLabel#devBanner, QLabel#staffDevBanner { background: #ffb300; color: black; padding: 8px;
    font-weight: bold; }
QLabel#status { color: #1b5e20; }
QLabel#status[error="true"] { color: #b71c1c; }
QLabel[alert="true"] { color: #b71c1c; font-weight: bold; }
QPushButton { min-height: 52px; padding: 4px 16px; }
QPushButton#staffNav { text-align: left; }
QPushButton#staffNav:checked { background: #1565c0; color: white; }
QLineEdit[invalid="true"], QComboBox[invalid="true"], QSpinBox[invalid="true"],
QDoubleSpinBox[invalid="true"], QTableWidget[invalid="true"] {
    border: 3px solid #d32f2f; background: #fdecea; }
QLabel#fieldError { color: #b71c1c; font-size: 16px; }
QLabel#help { color: #555; font-size: 16px; }
QGroupBox { font-weight: bold; margin-top: 18px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; }
"""


def mark_invalid(widget, invalid: bool) -> None:
    """Set the ``invalid`` property that the style sheet paints red, and repaint."""
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
