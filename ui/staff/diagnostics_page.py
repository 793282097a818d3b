"""Diagnostics: versions, device states and last errors, the offline outbox, server latency,
the audit log's integrity, and the support bundle export (kiosk.support)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.logfile import log_dir, log_files
from kiosk.support import build_bundle, versions
from ui.ops import Lane
from ui.staff.devicewords import device_name, device_state


def outbox_length(terminal) -> str:
    """The offline outbox length when the terminal has one, else a dash. Blocking."""
    method = getattr(terminal, "outbox_length", None)
    return str(method()) if callable(method) else "—"


def hall_latency_ms(hall) -> float:
    """Milliseconds one health() call to the hall takes. Blocking."""
    started = time.perf_counter()
    hall.health()
    return (time.perf_counter() - started) * 1000


class DiagnosticsPage(QWidget):
    """What a technician checks first, and a zip to send to support."""

    def __init__(self, controller, parent: QWidget | None = None, *,
                 log_files: list[Path] | None = None, bundle_dir: Path | None = None):
        super().__init__(parent)
        self.controller = controller
        self.services = controller.services
        self.log_files = log_files or []
        self.lane = Lane("staff-diagnostics", self)
        layout = QVBoxLayout(self)
        self.heading = QLabel(objectName="title")
        layout.addWidget(self.heading)
        form = QFormLayout()
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}
        for key in ("versions", "devices", "outbox", "latency", "audit"):
            self.rows[key] = (QLabel(), QLabel(objectName=f"diag_{key}", wordWrap=True))
            form.addRow(*self.rows[key])
        layout.addLayout(form)
        row = QHBoxLayout()
        self.refresh_button = QPushButton(objectName="diagRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.bundle_dir = QLineEdit(str(bundle_dir or Path.home() / "kiosk-support"),
                                    objectName="bundleDir")
        self.export_button = QPushButton(objectName="exportBundle")
        self.export_button.clicked.connect(self.export)
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        row.addWidget(self.bundle_dir, 2)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.status = QLabel(objectName="status", wordWrap=True)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.last_bundle: Path | None = None
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.heading.setText(self.tr("Diagnostics"))
        titles = {"versions": self.tr("Versions"), "devices": self.tr("Devices"),
                  "outbox": self.tr("Offline outbox"), "latency": self.tr("Server latency"),
                  "audit": self.tr("Audit log")}
        for key, (label, _value) in self.rows.items():
            label.setText(titles[key])
        self.refresh_button.setText(self.tr("Refresh"))
        self.export_button.setText(self.tr("Export support bundle"))
        self._show_static()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        self.refresh()
        super().showEvent(event)

    def _show_static(self) -> None:
        v = versions()
        self.rows["versions"][1].setText(
            f"kiosk {v['kiosk']} · Python {v['python']} · Qt {v['qt']} · PySide6 {v['pyside6']}")
        states, errors = self.services.device_states, self.services.last_errors
        lines = [f"{device_name(name)}: {device_state(states.get(name, '—'))}"
                 + (f" — {errors[name]}" if errors.get(name) else "")
                 for name in sorted(set(states) | set(errors))]
        self.rows["devices"][1].setText("\n".join(lines) or self.tr("No device reported yet."))

    def refresh(self) -> None:
        """Re-read device states; ask the terminal for its outbox and time a hall health call."""
        self._show_static()
        terminal, hall = self.services.terminal, self.services.hall
        self.lane.run(lambda: outbox_length(terminal), self.rows["outbox"][1].setText,
                      lambda exc: self.rows["outbox"][1].setText(str(exc)))
        audit = self.controller.audit
        self.lane.run(audit.verify, self._audit_checked,
                      lambda exc: self.rows["audit"][1].setText(str(exc)))
        self.rows["latency"][1].setText(self.tr("measuring…"))
        self.services.hall_lane.run(lambda: hall_latency_ms(hall), self._latency,
                                    lambda exc: self.rows["latency"][1].setText(
                                        self.tr("unreachable: %1").replace("%1", str(exc))))

    def _audit_checked(self, result) -> None:
        label = self.rows["audit"][1]
        if result.ok:
            label.setText(self.tr("intact, %1 entries").replace("%1", str(result.lines)))
        else:
            label.setText(self.tr("TAMPERED at line %1: %2").replace("%1", str(result.first_bad_line))
                          .replace("%2", result.problem))
        label.setProperty("alert", not result.ok)
        label.style().unpolish(label)
        label.style().polish(label)

    def _latency(self, ms: float) -> None:
        self.rows["latency"][1].setText(f"{ms:.1f} ms")

    def export(self) -> None:
        """Write the support zip into the folder typed in the field (on a lane)."""
        self.controller.touch()
        folder = Path(self.bundle_dir.text().strip() or ".")
        out = folder / time.strftime(f"support-{self.services.config.kiosk.id}-%Y%m%d-%H%M%S.zip")
        s = self.services
        states, errors = dict(s.device_states), dict(s.last_errors)
        logs = self.log_files
        folder = log_dir(s.data_dir) if s.data_dir else None
        job = lambda: build_bundle(out, config_path=s.config_path,  # noqa: E731
                                   log_files=logs or log_files(folder),
                                   device_states=states, last_errors=errors,
                                   extra={"outbox": outbox_length(s.terminal)})
        self.status.setText(self.tr("Exporting…"))
        self.lane.run(job, self._exported,
                      lambda exc: self.status.setText(self.tr("Export failed: %1").replace("%1", str(exc))))

    def _exported(self, path: Path) -> None:
        self.last_bundle = path
        self.status.setText(self.tr("Support bundle written: %1").replace("%1", str(path)))
