"""Current alerts (paper low or out, reader lost, server unreachable…) from the AlertCenter."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ui.staff.refused_box import RefusedOfflineBox

SEVERITY_COLOURS = {"error": "#ffcdd2", "warning": "#ffe0b2", "info": "#e3f2fd"}


class AlertsPage(QWidget):
    """Lists ``services.alerts.active()``; follows the center's ``changed`` signal live."""

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.alerts = controller.services.alerts
        layout = QVBoxLayout(self)
        self.heading = QLabel(objectName="title")
        self.empty = QLabel(objectName="help")
        self.list = QListWidget(objectName="alertsList", wordWrap=True)  # long details wrap
        layout.addWidget(self.heading)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        self.refused = RefusedOfflineBox(controller)
        layout.addWidget(self.refused)
        self.alerts.changed.connect(self.refresh)
        self.alerts.changed.connect(self.refused.load)  # a refusal raises an alert
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.heading.setText(self.tr("Alerts"))
        self.empty.setText(self.tr("No alerts: every device is working."))
        self.refused.retranslate()
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        self.refused.load()
        super().showEvent(event)

    def headlines(self) -> dict[str, str]:
        """What each alert kind means, in the staff's language (the detail stays technical)."""
        return {
            "paper_out": self.tr("Printer out of paper: tickets are shown as e-tickets"),
            "paper_low": self.tr("Printer paper running low"),
            "printer_offline": self.tr("Printer not answering: tickets are shown as e-tickets"),
            "printer_error": self.tr("Printer fault: tickets are shown as e-tickets"),
            "reader_lost": self.tr("ID card reader lost"),
            "server_down": self.tr("Hall server unreachable: the kiosk issues offline tickets"),
            "offline_rejected": self.tr("Offline tickets refused by the hall server: "
                                        "help these citizens at the guide desk"),
            "help_requested": self.tr("A citizen at this kiosk pressed \"call staff\""),
            "out_of_service": self.tr("The kiosk cannot issue tickets: citizens see \"out of service\""),
        }

    def _zone(self):  # noqa: ANN202 - a ZoneInfo, or None for the machine's own
        terminal = getattr(self.controller.services, "terminal", None)
        return terminal.timezone if terminal is not None else None

    def refresh(self) -> None:
        """Show the current alerts, oldest first."""
        self.list.clear()
        active = self.alerts.active()
        self.empty.setVisible(not active)
        names = {"error": self.tr("Error"), "warning": self.tr("Warning"), "info": self.tr("Info")}
        headlines = self.headlines()
        for alert in active:
            since = datetime.fromtimestamp(alert.since, self._zone()).strftime("%H:%M")  # hall time
            headline = headlines.get(alert.kind)
            text = f"{headline}\n{alert.staff_message}" if headline else alert.staff_message
            item = QListWidgetItem(f"[{names.get(alert.severity, alert.severity)}] {since}  {text}")
            item.setBackground(QColor(SEVERITY_COLOURS.get(alert.severity, "#eeeeee")))
            self.list.addItem(item)
