"""The staff panel: navigation on the left, one page at a time, lock and close at the top.

Staff see the queue, the actions and the alerts; the technician pages (settings, diagnostics)
ask for the technician PIN first unless the session is already a technician's.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.staff.actions_page import ActionsPage
from ui.staff.alerts_page import AlertsPage
from ui.staff.diagnostics_page import DiagnosticsPage
from ui.staff.pin import PinDialog
from ui.staff.queue_page import QueuePage
from ui.staff.settings_page import SettingsPage
from ui.staff.style import overlay

PAGES = ("queue", "actions", "alerts", "settings", "diagnostics")
TECH_PAGES = {"settings", "diagnostics"}
NAV_WIDTH = 220  # the navigation column on a landscape screen


class StaffPanel(QWidget):
    """Everything staff mode shows; emits ``closeRequested`` when staff leave it."""

    closeRequested = Signal()

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("staffPanel")
        overlay(self)
        outer = QVBoxLayout(self)
        outer.addLayout(self._top_bar())
        self.banner = QLabel(objectName="staffDevBanner")
        self.banner.setVisible(controller.gate.dev_pins_active)
        outer.addWidget(self.banner)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        outer.addLayout(self.body, 1)
        nav = self.nav_box = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.addLayout(nav)
        self.stack = QStackedWidget()
        self.body.addWidget(self.stack, 1)
        self.pages = {
            "queue": QueuePage(controller), "actions": ActionsPage(controller),
            "alerts": AlertsPage(controller), "settings": SettingsPage(controller),
            "diagnostics": DiagnosticsPage(controller),
        }
        self.nav_group = QButtonGroup(self)
        self.nav: dict[str, QPushButton] = {}
        for name in PAGES:
            button = QPushButton(objectName="staffNav", checkable=True)
            button.clicked.connect(lambda _=False, n=name: self.show_page(n))
            self.nav_group.addButton(button)
            nav.addWidget(button)
            self.nav[name] = button
            self.stack.addWidget(self.pages[name])
        nav.addStretch(1)
        self.tech_pin = PinDialog(controller, roles=("tech",))
        self.tech_pin.accepted.connect(lambda _role: self.show_page(self._wanted))
        self.tech_pin.cancelled.connect(lambda: self.show_page("queue"))
        self.stack.addWidget(self.tech_pin)
        self._wanted = "queue"
        controller.services.alerts.changed.connect(self._update_alert_count)
        controller.opened.connect(lambda _role: self._update_role())
        self.retranslate()
        self._orient(False)
        self.show_page("queue")
        self.installEventFilter(self)

    def _top_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.title = QLabel(objectName="title")
        self.role = QLabel(objectName="role")
        self.lock_button = QPushButton(objectName="lockButton")
        self.lock_button.clicked.connect(self.controller.lock)
        self.close_button = QPushButton(objectName="closeButton")
        self.close_button.clicked.connect(self.closeRequested.emit)
        bar.addWidget(self.title)
        bar.addStretch(1)
        bar.addWidget(self.role)
        bar.addWidget(self.lock_button)
        bar.addWidget(self.close_button)
        return bar

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._orient(self.height() > self.width())

    def _orient(self, portrait: bool) -> None:
        """Navigation down the left side on a landscape screen; across the top on a portrait
        one, so the pages get the whole (narrow) width."""
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if portrait
                               else QBoxLayout.Direction.LeftToRight)
        self.nav_box.setDirection(QBoxLayout.Direction.LeftToRight if portrait
                                  else QBoxLayout.Direction.TopToBottom)
        for button in self.nav.values():
            button.setMinimumWidth(0 if portrait else NAV_WIDTH)

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.title.setText(self.tr("Staff mode"))
        self.banner.setText(self.tr("Development PINs are active: set PIN hashes in kiosk.toml"))
        self.lock_button.setText(self.tr("Lock"))
        self.close_button.setText(self.tr("Back to kiosk"))
        self._update_role()
        self._update_alert_count()

    def _update_role(self) -> None:
        role = self.controller.role
        self.role.setText({"staff": self.tr("Guide staff"), "tech": self.tr("Technician")}.get(role, ""))

    def _update_alert_count(self) -> None:
        names = {"queue": self.tr("Queue and devices"), "actions": self.tr("Actions"),
                 "alerts": self.tr("Alerts"), "settings": self.tr("Settings"),
                 "diagnostics": self.tr("Diagnostics")}
        count = len(self.controller.services.alerts.active())
        if count:
            names["alerts"] += f" ({count})"
        for name, button in self.nav.items():
            button.setText(names[name])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress,
                            QEvent.Type.TouchBegin):
            self.controller.touch()
        return False

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.controller.touch()
        super().mousePressEvent(event)

    def show_page(self, name: str) -> None:
        """Show page ``name``; a technician page asks for the technician PIN first."""
        self.controller.touch()
        self._wanted = name
        self.nav[name].setChecked(True)
        if name in TECH_PAGES and self.controller.role != "tech":
            self.tech_pin.reset()
            self.stack.setCurrentWidget(self.tech_pin)
            return
        self.stack.setCurrentWidget(self.pages[name])

    def current_page(self) -> str:
        """The name of the page shown (``tech_pin`` while the technician PIN is asked)."""
        widget = self.stack.currentWidget()
        if widget is self.tech_pin:
            return "tech_pin"
        return next(n for n, p in self.pages.items() if p is widget)
