"""The staff panels' look: plain, high-contrast, large enough to touch; invalid fields in red.

Staff panels are shown over the citizen screens (``KioskWindow.show_overlay``), so each overlay
paints its own background (``overlay()``): on a real X server an unpainted widget lets the
tiles underneath show through its gaps. Its palette also fixes the text colours, so a dark
desktop theme cannot put light text on the light background.
"""

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

BACKGROUND = "#eef1f6"
TEXT = "#14213d"

STAFF_QSS = f"""
QWidget {{ font-size: 20px; }}
QWidget[staffOverlay="true"] {{ background: {BACKGROUND}; color: {TEXT}; }}
QLabel#title {{ font-size: 34px; font-weight: bold; }}
QLabel#subtitle {{ font-size: 22px; font-weight: bold; color: #b71c1c; }}
QLabel#pinDots {{ font-size: 48px; letter-spacing: 12px; }}
QLabel#message {{ color: #b71c1c; min-height: 32px; }}
QLabel#devBanner, QLabel#staffDevBanner {{ background: #ffb300; color: black; padding: 8px;
    font-weight: bold; }}
QLabel#status {{ color: #1b5e20; }}
QLabel#status[error="true"] {{ color: #b71c1c; }}
QLabel[alert="true"] {{ color: #b71c1c; font-weight: bold; }}
QPushButton {{ min-height: 52px; padding: 4px 16px; }}
QPushButton#staffNav {{ text-align: left; }}
QPushButton#staffNav:checked {{ background: #1565c0; color: white; }}
QLineEdit[invalid="true"], QComboBox[invalid="true"], QSpinBox[invalid="true"],
QDoubleSpinBox[invalid="true"], QTableWidget[invalid="true"] {{
    border: 3px solid #d32f2f; background: #fdecea; }}
QLabel#fieldError {{ color: #b71c1c; font-size: 16px; }}
QLabel#help {{ color: #555; font-size: 16px; }}
QCheckBox::indicator {{ width: 28px; height: 28px; }}
QHeaderView::section {{ padding: 2px 8px; }}
QTableView::item {{ padding: 2px 6px; }}
QGroupBox {{ font-weight: bold; margin-top: 18px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; }}
"""


def overlay(widget: QWidget) -> None:
    """Make ``widget`` a staff overlay: the staff style sheet, and opaque (its own painted
    background, its own text colours) so nothing of the citizen screens shows through."""
    widget.setProperty("staffOverlay", True)
    widget.setStyleSheet(STAFF_QSS)
    opaque(widget)


def opaque(widget: QWidget) -> None:
    """Give ``widget`` a painted background in the staff colours (and text colours to match)."""
    widget.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    widget.setAutoFillBackground(True)
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(BACKGROUND))
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Button):
        palette.setColor(role, QColor("#ffffff"))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(role, QColor(TEXT))
    widget.setPalette(palette)


def mark_invalid(widget, invalid: bool) -> None:
    """Set the ``invalid`` property that the style sheet paints red, and repaint."""
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
