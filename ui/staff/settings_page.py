"""The technician's device settings, generated from kiosk.settings_schema, with device tests.

Values are read from the kiosk TOML and written back through kiosk.configwrite (validated in
full first, comments kept, ``.bak`` kept). A refused save marks the offending fields red and
writes nothing. A good save hands the new config to ``controller.set_config`` so live settings
apply at once, and says which ones need a restart. Disk and device work run on lanes.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.client import ca_path
from kiosk.configwrite import SettingsInvalid, save_settings
from kiosk.settings_schema import GROUPS, SETTINGS, get_value, in_group, restart_needed
from ui.ops import Lane
from ui.staff import devicetests
from ui.staff.fields import FieldEditor, make_editor
from ui.staff.lang import current_language
from ui.staff.layouts import scrolling
from ui.staff.style import mark_invalid

TOOLS = {"printer": ("test_print", "printer_status"), "reader": ("test_read",), "signs": ("test_signs",),
         "voice": ("test_voice",), "display": ("screens",), "server": ("test_server",), "kiosk": ()}
"""The device tests under each page's fields."""
SCAN_GROUPS = ("printer", "reader")
"""Pages with a "find devices" row."""


def effective_values(path: Path) -> dict:
    """Every declared setting's value: the file's, else the model default. Blocking."""
    from kiosk.config import KioskConfig

    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    defaults = KioskConfig.model_validate(data).model_dump()
    return {s.key: get_value(data, s.key, get_value(defaults, s.key)) for s in SETTINGS}


def found_devices() -> list:
    """USB printers and serial ports on this machine. Blocking."""
    from kiosk.support import list_serial_ports, list_usb_printers

    return list_usb_printers() + list_serial_ports()


class SettingsPage(QWidget):
    """One tab per device group; Save and Revert at the bottom."""

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.services = controller.services
        self.lane = Lane("staff-settings", self)
        self.loaded: dict = {}
        self.editors: dict[str, FieldEditor] = {}
        self.labels: dict[str, QLabel] = {}
        self.helps: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        self.results: dict[str, QLabel] = {}
        self.tool_buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        self.heading = QLabel(objectName="title")
        layout.addWidget(self.heading)
        self.tabs = QTabWidget(objectName="settingsTabs")
        layout.addWidget(self.tabs, 1)
        for group in GROUPS:
            self.tabs.addTab(self._group_tab(group), group)
        bottom = QHBoxLayout()
        self.status = QLabel(objectName="status", wordWrap=True)
        self.save_button = QPushButton(objectName="saveSettings")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(objectName="revertSettings")
        self.revert_button.clicked.connect(self.load)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        layout.addLayout(bottom)
        self.retranslate()
        self.load()

    # -- building ------------------------------------------------------------------------------
    def _group_tab(self, group: str) -> QWidget:
        # A grid, not a QFormLayout: the form gave a field the height of its first help line
        # when the help wrapped, so the text was cut; the grid honours wrapped heights.
        page = QWidget()
        grid = QGridLayout(page)
        grid.setColumnStretch(1, 1)
        for row, setting in enumerate(in_group(group)):
            editor = make_editor(setting)
            self.editors[setting.key] = editor
            cell = QVBoxLayout()
            cell.addWidget(editor.widget)
            self.helps[setting.key] = QLabel(objectName="help", wordWrap=True)
            self.errors[setting.key] = QLabel(objectName="fieldError", wordWrap=True)
            cell.addWidget(self.helps[setting.key])
            cell.addWidget(self.errors[setting.key])
            self.labels[setting.key] = QLabel(wordWrap=True)
            grid.addWidget(self.labels[setting.key], row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addLayout(cell, row, 1)
        below = [self._scan_row(group)] if group in SCAN_GROUPS else []
        self.results[group] = QLabel(objectName="status", wordWrap=True)
        self.results[group].setObjectName(f"result_{group}")
        for item in [*below, self._tools(group), self.results[group]]:
            row = grid.rowCount()
            if isinstance(item, QWidget):
                grid.addWidget(item, row, 0, 1, 2)
            else:
                grid.addLayout(item, row, 0, 1, 2)
        grid.setRowStretch(grid.rowCount(), 1)
        return scrolling(page)

    def _scan_row(self, group: str) -> QHBoxLayout:
        """Devices found on this machine, to pick one instead of typing its URI."""
        row = QHBoxLayout()
        combo = QComboBox(objectName=f"found_{group}")
        # device names can be long: the box keeps a fixed size, the name shows in its tooltip
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(16)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        use = QPushButton(objectName=f"use_{group}")
        use.clicked.connect(lambda _=False, g=group, c=combo: self._use_found(g, c))
        row.addWidget(combo, 1)
        row.addWidget(use)
        self.tool_buttons[f"use_{group}"] = use
        setattr(self, f"found_{group}", combo)
        self._tool_button(row, "scan", group)
        return row

    def _tools(self, group: str) -> QHBoxLayout:
        row = QHBoxLayout()
        for name in TOOLS[group]:
            self._tool_button(row, name, group)
        row.addStretch(1)
        return row

    def _tool_button(self, row: QHBoxLayout, name: str, group: str) -> None:
        button = QPushButton(objectName=f"{name}_{group}")
        button.clicked.connect(lambda _=False, n=name, g=group: self.run_tool(n, g))
        row.addWidget(button)
        self.tool_buttons[f"{name}_{group}"] = button

    # -- language ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Labels and help come from the declarations in the current language; buttons from tr()."""
        lang = current_language()
        self.heading.setText(self.tr("Device settings"))
        titles = {"printer": self.tr("Printer"), "reader": self.tr("ID card reader"),
                  "signs": self.tr("LED signs"), "voice": self.tr("Voice"),
                  "display": self.tr("Display"), "server": self.tr("Hall server"),
                  "kiosk": self.tr("Kiosk")}
        for index, group in enumerate(GROUPS):
            self.tabs.setTabText(index, titles[group])
        restart = self.tr("(restart)")
        for key, editor in self.editors.items():
            setting = editor.setting
            self.labels[key].setText(setting.label(lang) + ("" if setting.live else f" {restart}"))
            self.helps[key].setText(setting.help(lang))
        self.editors["signs"].widget.set_headers(self.tr("URI"), self.tr("Protocol"),
                                                 self.tr("Window=address"))
        names = {"test_print": self.tr("Test print"), "printer_status": self.tr("Printer status"),
                 "scan": self.tr("Find devices"), "test_read": self.tr("Test read"),
                 "test_signs": self.tr("Test signs"), "test_voice": self.tr("Test announcement"),
                 "screens": self.tr("List screens"), "test_server": self.tr("Test connection")}
        for key, button in self.tool_buttons.items():
            name = key.rsplit("_", 1)[0]
            button.setText(self.tr("Use") if name == "use" else names[name])
        self.save_button.setText(self.tr("Save"))
        self.revert_button.setText(self.tr("Revert"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- load and save -------------------------------------------------------------------------
    def load(self) -> None:
        """Read the file's values (on a lane) into the fields."""
        path = Path(self.services.config_path)
        self.lane.run(lambda: effective_values(path), self._loaded, self._load_failed)

    def _loaded(self, values: dict) -> None:
        self.loaded = values
        for key, editor in self.editors.items():
            editor.set_value(values.get(key))
            self._mark(key, "")

    def _load_failed(self, exc: BaseException) -> None:
        self._say(self.tr("Cannot read the settings file: %1").replace("%1", str(exc)), True)

    def _mark(self, key: str, problem: str) -> None:
        widget = self.editors[key].widget
        target = widget.table if key == "signs" else widget
        mark_invalid(target, bool(problem))
        self.errors[key].setText(problem)
        self.errors[key].setVisible(bool(problem))

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def changes(self) -> dict:
        """{key: value} of fields that differ from the file; raises SettingsInvalid for a field
        the widget itself cannot read (a malformed address map)."""
        out, problems = {}, {}
        for key, editor in self.editors.items():
            try:
                value = editor.value()
            except ValueError as exc:
                problems[key] = str(exc)
                continue
            if value != self.loaded.get(key):
                out[key] = value
        if problems:
            raise SettingsInvalid(problems)
        return out

    def save(self) -> None:
        """Validate and write the changed settings (on a lane)."""
        self.controller.touch()
        for key in self.editors:
            self._mark(key, "")
        try:
            changes = self.changes()
        except SettingsInvalid as exc:
            self._refused(exc)
            return
        if not changes:
            self._say(self.tr("Nothing changed."))
            return
        path = Path(self.services.config_path)
        self.save_button.setEnabled(False)
        self._say(self.tr("Saving…"))
        actor = self.controller.actor.name if self.controller.actor else "tech"
        self.lane.run(lambda: self._save_job(path, changes, actor), self._saved, self._refused)

    def _save_job(self, path: Path, changes: dict, actor: str):
        result = save_settings(path, changes)
        self.controller.audit.append(actor=actor, action="settings", reason="technician",
                                     detail={"changed": sorted(result.changed)})
        return result

    def _saved(self, result) -> None:
        self.save_button.setEnabled(True)
        self.loaded = {**self.loaded, **{k: self.editors[k].value() for k in result.changed}}
        self.controller.set_config(result.config)
        restart = restart_needed(result.changed)
        text = self.tr("Saved (previous file kept as %1).").replace("%1", result.backup.name)
        if restart:
            lang = current_language()
            names = ", ".join(self.editors[k].setting.label(lang) for k in restart)
            text += " " + self.tr("Restart the kiosk to apply: %1").replace("%1", names)
        self._say(text)

    def _refused(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(exc, SettingsInvalid):
            self._say(self.tr("Not saved: %1").replace("%1", str(exc)), True)
            return
        for problem_key, reason in exc.problems.items():
            for key in self._editors_for(problem_key):
                self._mark(key, reason)
        self._say(self.tr("Not saved: fix the fields marked in red."), True)

    def _editors_for(self, problem_key: str) -> list[str]:
        """The fields a validation problem points at (a table's problem marks its fields)."""
        if problem_key in self.editors:
            return [problem_key]
        inside = [k for k in self.editors if k.startswith(problem_key + ".")]
        if inside:
            return inside
        return [k for k in self.editors if problem_key.startswith(k + ".")]

    # -- device tools --------------------------------------------------------------------------
    def _value(self, key: str):
        return self.editors[key].value()

    def _printer_settings(self) -> dict:
        base = self.services.config.printer.model_dump()
        return {**base, **{k.split(".", 1)[1]: self._value(k) for k in self.editors
                           if k.startswith("printer.")}}

    def run_tool(self, name: str, group: str) -> None:
        """Run a device test or lookup; its one-line result shows under the group."""
        self.controller.touch()
        label = self.results[group]
        label.setText(self.tr("Working…"))
        s = self.services
        if name == "test_print":
            settings = self._printer_settings()
            lane, job = s.printer_lane, lambda: devicetests.check_print(s, settings)
        elif name == "printer_status":
            settings = self._printer_settings()
            lane, job = s.printer_lane, lambda: devicetests.printer_status(s, settings)
        elif name == "scan":
            lane, job = self.lane, found_devices
        elif name == "test_read":
            uri = self._value("id_reader.uri")
            lane, job = self.lane, lambda: devicetests.check_read(uri)
        elif name == "test_signs":
            try:
                signs = self._value("signs")
            except ValueError as exc:
                label.setText(str(exc))
                return
            lane, job = self.lane, lambda: devicetests.check_signs(signs)
        elif name == "test_voice":
            backend, languages = self._value("voice.backend"), list(self._value("voice.languages"))
            lane, job = self.lane, lambda: devicetests.check_voice(backend, languages)
        elif name == "test_server":
            url, token, timeout = (self._value(k) for k in ("link.url", "link.token", "link.timeout_s"))
            ca_file = ca_path(self._value("link.ca_file"), Path(s.config_path).parent)
            lane, job = s.hall_lane, lambda: devicetests.check_server(url, token, timeout, ca_file)
        else:
            label.setText(self._screens())
            return
        lane.run(job, lambda result: self._tool_done(name, group, result),
                 lambda exc: label.setText(self.tr("Failed: %1").replace("%1", str(exc))))

    def _tool_done(self, name: str, group: str, result) -> None:
        if name == "scan":
            combo: QComboBox = getattr(self, f"found_{group}")
            combo.clear()
            for device in result:
                if group == "printer" or device.uri.startswith("serial://"):
                    combo.addItem(device.description, device.uri)
                    combo.setItemData(combo.count() - 1, f"{device.description}\n{device.uri}",
                                      Qt.ItemDataRole.ToolTipRole)
            self.results[group].setText(self.tr("%n device(s) found.", "", combo.count()))
            return
        self.results[group].setText(str(result))

    def _use_found(self, group: str, combo: QComboBox) -> None:
        uri = combo.currentData()
        if not uri:
            return
        if group == "reader" and "?" not in uri:
            uri += "?baudrate=115200"
        self.editors["printer.uri" if group == "printer" else "id_reader.uri"].set_value(uri)

    def _screens(self) -> str:
        screens = QGuiApplication.screens()
        return "; ".join(f"{i}: {sc.name()} {sc.geometry().width()}×{sc.geometry().height()}"
                         for i, sc in enumerate(screens)) or self.tr("No screen found.")
