"""The queue and the devices at a glance: per service waiting, estimate, quota, open or paused."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.staff import ops
from ui.staff.devicewords import device_name, device_state
from ui.staff.lang import current_language


def _table(name: str, columns: int, wide: int) -> QTableWidget:
    """A read-only table whose columns are as wide as their texts; column ``wide`` takes the
    rest of the width and wraps its texts (service names, error messages)."""
    table = QTableWidget(0, columns, objectName=name, wordWrap=True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(wide, QHeaderView.ResizeMode.Stretch)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    return table


class QueuePage(QWidget):
    """Reads catalog and queue on the hall lane; refreshes while visible."""

    def __init__(self, controller, parent: QWidget | None = None, refresh_ms: int = 5000):
        super().__init__(parent)
        self.controller = controller
        self.services = controller.services
        self.data: dict | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.heading = QLabel(objectName="title")
        self.refresh_button = QPushButton(objectName="refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.status = QLabel(objectName="status")
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.status)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.table = _table("queueTable", 7, wide=1)
        layout.addWidget(self.table, 3)
        self.devices_heading = QLabel(objectName="title")
        layout.addWidget(self.devices_heading)
        self.devices = _table("devicesTable", 3, wide=2)
        layout.addWidget(self.devices, 1)
        self.timer = QTimer(self, interval=refresh_ms)
        self.timer.timeout.connect(self.refresh)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.heading.setText(self.tr("Queue"))
        self.devices_heading.setText(self.tr("Devices"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Code"), self.tr("Service"), self.tr("Waiting"), self.tr("Estimate (min)"),
            self.tr("Open windows"), self.tr("Issued / quota"), self.tr("State")])
        self.devices.setHorizontalHeaderLabels([self.tr("Device"), self.tr("State"),
                                                self.tr("Last error")])
        if self.data:
            self._fill(self.data)
        self._fill_devices()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        self.refresh()
        self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802
        self.timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        """Ask the hall for the current queue (on the hall lane)."""
        self.services.hall_lane.run(lambda: ops.snapshot(self.services), self._fill, self._failed)
        self._fill_devices()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(self.tr("Hall not reachable: %1").replace("%1", str(exc)))

    def _fill(self, data: dict) -> None:
        self.data = data
        self.status.setText("")
        lang = current_language()
        queue = {q.service: q for q in data["queue"]}
        services = data["catalog"].services
        self.table.setRowCount(len(services))
        for row, svc in enumerate(services):
            entry = queue.get(svc.code)
            if svc.paused:
                state = self.tr("Paused")
            elif svc.open:
                state = self.tr("Open")
            else:
                state = self.tr("Closed")
            cells = [svc.code, getattr(svc.name, lang), str(svc.waiting),
                     "—" if svc.eta_minutes is None else str(svc.eta_minutes),
                     ", ".join(str(n) for n in (entry.open_windows if entry else [])) or "—",
                     f"{svc.issued} / {svc.quota}", state]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))

    def _fill_devices(self) -> None:
        states = self.services.device_states
        errors = self.services.last_errors
        names = sorted(set(states) | set(errors))
        self.devices.setRowCount(len(names))
        for row, name in enumerate(names):
            cells = (device_name(name), device_state(states.get(name, "—")), errors.get(name, ""))
            for col, text in enumerate(cells):
                self.devices.setItem(row, col, QTableWidgetItem(text))
