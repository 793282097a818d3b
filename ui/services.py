"""What the kiosk's screens and panels share: the hall, the pipeline, the device lanes, alerts.

One ``KioskServices`` is built at start-up (``kiosk run``, the demo, tests) and handed to the
citizen screens and to the staff and technician panels, so every part sees the same devices and
the same alerts. Hall and device calls go through the lanes, never on the GUI thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from kiosk.config import KioskConfig
from kiosk.hall import Hall
from kiosk.terminal import KioskTerminal
from ui.ops import Lane


@dataclass(frozen=True)
class Alert:
    """Something staff must know: ``kind`` is e.g. ``paper_out``, ``reader_lost``, ``server_down``."""

    kind: str
    staff_message: str
    severity: str = "warning"  # "info" | "warning" | "error"
    since: float = field(default_factory=time.time)


class AlertCenter(QObject):
    """Current alerts by kind; raising an existing kind keeps its first time."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._alerts: dict[str, Alert] = {}

    def raise_alert(self, kind: str, staff_message: str, severity: str = "warning") -> None:
        """Record or refresh an alert."""
        old = self._alerts.get(kind)
        self._alerts[kind] = Alert(kind, staff_message, severity, old.since if old else time.time())
        self.changed.emit()

    def clear(self, kind: str) -> None:
        """The condition is over."""
        if self._alerts.pop(kind, None) is not None:
            self.changed.emit()

    def active(self) -> list[Alert]:
        """Current alerts, oldest first."""
        return sorted(self._alerts.values(), key=lambda a: a.since)

    def has(self, kind: str) -> bool:
        """Whether ``kind`` is currently raised."""
        return kind in self._alerts


@dataclass
class KioskServices:
    """Everything the kiosk's widgets use besides Qt itself."""

    config: KioskConfig
    config_path: Path
    hall: Hall
    terminal: KioskTerminal
    hall_lane: Lane
    printer_lane: Lane
    alerts: AlertCenter
    reader: object | None = None  # drivers.idcard.ReaderWorker when a reader is configured
    device_states: dict[str, str] = field(default_factory=dict)
    last_errors: dict[str, str] = field(default_factory=dict)
    data_dir: Path | None = None  # the program's data folder: audit log, logs/ (kiosk run sets it)
