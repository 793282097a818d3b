"""Editor widgets made from setting declarations (kiosk.settings_schema), one per kind.

``make_editor(setting)`` returns a ``FieldEditor``: the widget plus ``value()``/``set_value()``,
so the settings page never branches on kinds itself. The LED sign list has its own editor.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.settings_schema import Setting


class FieldEditor:
    """A widget editing one setting's value."""

    def __init__(self, setting: Setting, widget: QWidget):
        self.setting = setting
        self.widget = widget
        widget.setObjectName("field_" + setting.key.replace(".", "_"))

    def value(self):
        """The value in the widget, typed as the config wants it."""
        w, kind = self.widget, self.setting.kind
        if kind in ("str", "secret"):
            return w.text().strip()
        if kind in ("int", "float"):
            return w.value()
        if kind == "choice":
            data = w.currentData()
            return data.split(",") if _list_choices(self.setting) else data
        if kind == "bool":
            return w.isChecked()
        return w.value()

    def set_value(self, value) -> None:
        """Show ``value`` (the file's or the default)."""
        w, kind = self.widget, self.setting.kind
        if kind in ("str", "secret"):
            w.setText("" if value is None else str(value))
        elif kind == "int":
            w.setValue(int(value if value is not None else self.setting.default or 0))
        elif kind == "float":
            w.setValue(float(value if value is not None else self.setting.default or 0))
        elif kind == "choice":
            index = w.findData(_choice_key(value))
            w.setCurrentIndex(index if index >= 0 else w.findData(_choice_key(self.setting.default)))
        elif kind == "bool":
            w.setChecked(bool(value))
        else:
            w.set_value(value or [])


def make_editor(setting: Setting) -> FieldEditor:
    """The editor for ``setting``'s kind."""
    kind = setting.kind
    if kind in ("str", "secret"):
        widget = QLineEdit()
        if kind == "secret":
            widget.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
    elif kind == "int":
        widget = QSpinBox(minimum=int(setting.minimum or 0), maximum=int(setting.maximum or 10**6))
    elif kind == "float":
        widget = QDoubleSpinBox(minimum=setting.minimum or 0.0, maximum=setting.maximum or 1e6,
                                decimals=2, singleStep=0.1 if (setting.maximum or 10) <= 10 else 1)
    elif kind == "choice":
        widget = QComboBox()
        for choice in setting.choices:
            widget.addItem(_choice_label(choice), _choice_key(choice))
    elif kind == "bool":
        widget = QCheckBox()
    elif kind == "signs":
        widget = SignsEditor()
    else:
        raise ValueError(f"no editor for setting kind {kind!r}")
    return FieldEditor(setting, widget)


LANGUAGE_NAMES = {"zh": "中文", "en": "English"}  # each in its own language, as language menus do


def _choice_label(choice) -> str:
    if isinstance(choice, tuple):  # announcement languages
        return " + ".join(LANGUAGE_NAMES.get(item, item) for item in choice)
    return str(choice)


def _list_choices(setting: Setting) -> bool:
    """True when the setting's choices are lists (``voice.languages``), kept as "a,b" keys."""
    return any(isinstance(choice, tuple) for choice in setting.choices)


def _choice_key(value):
    """A combo box item's data: the value itself, or "a,b" for a list (Qt compares it reliably)."""
    return ",".join(value) if isinstance(value, list | tuple) else value


def parse_addresses(text: str) -> dict[str, int]:
    """``1=1, 2=7`` → {"1": 1, "2": 7}; ValueError naming the bad pair."""
    out: dict[str, int] = {}
    for pair in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        window, sep, address = pair.partition("=")
        if not sep or not window.strip().isdigit() or not address.strip().isdigit():
            raise ValueError(f"{pair!r} is not window=address")
        out[window.strip()] = int(address)
    return out


def format_addresses(addresses: dict) -> str:
    """{"1": 1} → ``1=1``."""
    return ", ".join(f"{k}={v}" for k, v in addresses.items())


def uri_protocol(uri: str) -> str:
    """The ``protocol`` option of a sign URI (ascii485 when absent)."""
    return dict(parse_qsl(urlsplit(uri).query)).get("protocol", "ascii485")


def with_protocol(uri: str, protocol: str) -> str:
    """``uri`` with its ``protocol`` option set (left out for ``sim:`` and the default)."""
    parts = urlsplit(uri)
    if parts.scheme == "sim":
        return uri
    query = dict(parse_qsl(parts.query))
    if protocol == "ascii485":
        query.pop("protocol", None)
    else:
        query["protocol"] = protocol
    return urlunsplit(parts._replace(query=urlencode(query)))


class SignsEditor(QWidget):
    """The LED sign buses: URI, protocol and window→address map per row; add and remove."""

    def __init__(self, parent: QWidget | None = None):
        from drivers.sign import PROTOCOLS

        super().__init__(parent)
        self.protocols = list(PROTOCOLS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 3, objectName="signsTable")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # rows as high as the protocol box in them
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(180)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.add_button = QPushButton("+", objectName="addSign")
        self.remove_button = QPushButton("−", objectName="removeSign")
        self.add_button.clicked.connect(lambda: self._add({"uri": "sim:", "addresses": {}}))
        self.remove_button.clicked.connect(self._remove)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)

    def set_headers(self, uri: str, protocol: str, addresses: str) -> None:
        """Column titles in the current language."""
        self.table.setHorizontalHeaderLabels([uri, protocol, addresses])

    def _add(self, sign: dict) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(sign.get("uri", "")))
        combo = QComboBox()
        for name in self.protocols:
            combo.addItem(name, name)
        combo.setCurrentIndex(max(0, combo.findData(uri_protocol(sign.get("uri", "")))))
        self.table.setCellWidget(row, 1, combo)
        # never lower than the box: ResizeToContents alone measured the text cells only
        combo.ensurePolished()
        header = self.table.verticalHeader()
        header.setMinimumSectionSize(max(header.minimumSectionSize(), combo.sizeHint().height() + 4))
        self.table.setItem(row, 2, QTableWidgetItem(format_addresses(sign.get("addresses", {}))))

    def _remove(self) -> None:
        row = self.table.currentRow()
        self.table.removeRow(row if row >= 0 else self.table.rowCount() - 1)

    def set_value(self, signs: list[dict]) -> None:
        """Show the configured sign buses."""
        self.table.setRowCount(0)
        for sign in signs:
            self._add(sign)

    def value(self) -> list[dict]:
        """The sign buses as config tables; ValueError names a bad address map."""
        out = []
        for row in range(self.table.rowCount()):
            uri = (self.table.item(row, 0).text() if self.table.item(row, 0) else "").strip()
            protocol = self.table.cellWidget(row, 1).currentData()
            text = self.table.item(row, 2).text() if self.table.item(row, 2) else ""
            try:
                addresses = parse_addresses(text)
            except ValueError as exc:
                raise ValueError(f"row {row + 1}: {exc}") from None
            out.append({"uri": with_protocol(uri, protocol), "addresses": addresses})
        return out
