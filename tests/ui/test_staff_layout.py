# ruff: noqa: F811  (pytest fixtures imported from test_kiosk_fixtures and used as arguments)
"""Staff and technician panels over the real kiosk window: every page at four screen shapes and
in both languages fits (no clipped text, nothing outside the screen, no overlapping neighbours),
and no overlay lets the citizen screens show through."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QListWidget, QTabBar, QTableWidget

from kiosk.audit import AuditLog
from kiosk.configwrite import SettingsInvalid
from tests.ui.fit import SLACK, fit_problems
from tests.ui.test_kiosk_fixtures import (  # noqa: F401 (fixtures)
    hall,
    kiosk_config,
    make_kiosk,
    qm_dir,
)
from ui.staff.actions_page import select_data
from ui.staff.entry import attach
from ui.staff.settings_page import SettingsPage

SIZES = [(1920, 1080), (1080, 1920), (1280, 1024), (1366, 768)]
LANGUAGES = ["zh", "en"]
MAGENTA = QColor("#ff00ff")
CELL_PADDING = 8  # the item view's text margins, both sides


@pytest.fixture
def staff(qtbot, make_kiosk, tmp_path):
    """Factory: a kiosk window of ``size`` with its staff mode attached, nobody signed in."""

    def make(size):
        rig = make_kiosk(size=size)
        entry = attach(rig.window, rig.services, dev=True, audit=AuditLog(tmp_path / "audit.jsonl"))
        # The sample kiosk has PIN hashes; a kiosk without them shows these warnings: room for them.
        for banner in (entry.pin.banner, entry.panel.banner, entry.panel.tech_pin.banner):
            banner.setVisible(True)
        rig.services.last_errors["printer"] = ("printer not answering on usb://0416:5011?in_ep=0x81&out_ep=0x03 "
                                               "after 3 status queries: check the cable and the power")
        return rig.window, entry

    return make


def _text_problem(fm, text: str, width: int, height: int, wrap: bool) -> str | None:
    """Why ``text`` does not fit ``width``×``height`` in font metrics ``fm``, or None."""
    if wrap:
        need = fm.boundingRect(QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap, text)
        need_w, need_h = need.width(), need.height()
    else:
        lines = text.split("\n")
        need_w, need_h = max(fm.horizontalAdvance(line) for line in lines), fm.height() * len(lines)
    if need_w > width + SLACK or need_h > height + SLACK:
        return f"needs {need_w}x{need_h}, has {width}x{height}"
    return None


def _cells(view):
    """(text, rectangle) of every header section and item a table or list view shows."""
    if isinstance(view, QTableWidget):
        header = view.horizontalHeader()
        for col in range(view.columnCount()):
            item = view.horizontalHeaderItem(col)
            if item is not None:
                yield f"header {item.text()!r}", item.text(), QRect(0, 0, header.sectionSize(col), header.height()), \
                    header.fontMetrics(), False
        items = [view.item(r, c) for r in range(view.rowCount()) for c in range(view.columnCount())]
    else:
        items = [view.item(i) for i in range(view.count())]
    for item in filter(None, items):
        yield f"item {item.text()[:30]!r}", item.text(), view.visualItemRect(item), view.fontMetrics(), view.wordWrap()


def view_problems(root, where: str) -> list[str]:
    """What ``fit_problems`` cannot see: table and list texts cut off, areas scrolling sideways,
    tabs hidden behind the tab bar's scroll arrows."""
    found = []
    for view in root.findChildren(QAbstractScrollArea):
        if not view.isVisible():
            continue
        name = view.objectName() or type(view).__name__
        if view.horizontalScrollBar().maximum() > 0:
            found.append(f"{where}: {name} scrolls sideways by {view.horizontalScrollBar().maximum()}px")
        if isinstance(view, QTableWidget | QListWidget):
            for what, text, rect, fm, wrap in _cells(view):
                why = _text_problem(fm, text, rect.width() - CELL_PADDING, rect.height(), wrap)
                if why:
                    found.append(f"{where}: {name} {what} {why}")
    for bar in root.findChildren(QTabBar):
        if bar.isVisible() and any(bar.tabRect(i).right() > bar.width() for i in range(bar.count())):
            found.append(f"{where}: tabs do not all fit ({bar.width()}px)")
    return found


def _settle(qtbot, until=lambda: True) -> None:
    qtbot.waitUntil(until, timeout=10_000)
    QApplication.processEvents()


def _long_alerts(services) -> None:
    services.alerts.raise_alert("paper_low", "printer reports paper near end (sensor 2): refill the roll "
                                "before the morning peak", "warning")
    services.alerts.raise_alert("server_down", "hall server unreachable (connection refused by "
                                "http://192.168.100.200:8600/api/v1/health); issuing offline", "error")


def _refused(entry) -> None:
    """Two refused offline tickets in the alerts page's box (the outbox is faked: layout only)."""
    box = entry.panel.pages["alerts"].refused
    refused = [SimpleNamespace(number=f"K90{i}", service="GC01", error="number already issued by the hall")
               for i in (1, 2)]
    box._show(refused)


def views(qtbot, window, entry):
    """Put every overlay page on the screen in turn; yields its name."""
    entry.request()
    entry.pin.press("1")
    assert window.overlay is entry.pin
    yield "pin"
    entry.pin.message.setText(entry.pin.tr("Too many wrong PINs. Try again in %n minute(s).", "", 5))
    yield "pin-locked"
    entry.controller.open("staff", "staff")
    panel = entry.panel
    _settle(qtbot, lambda: panel.pages["queue"].data is not None)
    yield "queue"
    panel.show_page("settings")
    assert window.overlay is panel and panel.current_page() == "tech_pin"
    yield "tech-pin"
    entry.controller.open("tech", "tech")
    panel.show_page("actions")
    actions = panel.pages["actions"]
    _settle(qtbot, lambda: actions.catalog is not None)
    assert select_data(actions.ticket_action, "requeue")  # the longest reasons
    actions._say(actions.tr("Ticket %1 issued but NOT printed: write the number down for the citizen.")
                 .replace("%1", "C001"), error=True)
    yield "actions"
    _long_alerts(entry.controller.services)
    _refused(entry)
    panel.show_page("alerts")
    yield "alerts"
    panel.show_page("settings")
    settings: SettingsPage = panel.pages["settings"]
    _settle(qtbot, lambda: bool(settings.loaded))
    found = [SimpleNamespace(description="USB printer 0416:5011 Winbond Electronics Corp. Virtual Com Port "
                                         "(POS-80 thermal receipt printer)", uri="usb://0416:5011")]
    settings._tool_done("scan", "printer", found)
    for index in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(index)
        yield f"settings-{index}"
    settings._refused(SettingsInvalid({"printer.uri": "printer URI scheme 'bogus' unknown (use usb://, "
                                                      "serial://, tcp://, cups://, file:// or dummy:)"}))
    settings.tabs.setCurrentIndex(0)
    yield "settings-invalid"
    panel.show_page("diagnostics")
    diagnostics = panel.pages["diagnostics"]
    _settle(qtbot, lambda: diagnostics.rows["latency"][1].text().endswith("ms"))
    yield "diagnostics"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_staff_page_fits_the_screen(qtbot, staff, size, language):
    window, entry = staff(size)
    window.set_language(language)
    found = []
    for name in views(qtbot, window, entry):
        assert window.overlay is not None and window.overlay.geometry() == window.rect(), name
        where = f"{name} {language} {size}"
        found += fit_problems(window, where=where, within=window.overlay)
        found += view_problems(window.overlay, where)
    assert found == [], "\n".join(found)


def _magenta_pixels(window) -> int:
    QApplication.processEvents()
    image = window.grab().toImage()
    step = 7  # every 7th pixel of every 7th row: a see-through overlay shows whole tiles
    return sum(image.pixelColor(x, y) == MAGENTA
               for y in range(0, image.height(), step) for x in range(0, image.width(), step))


def test_no_overlay_lets_the_citizen_screens_show_through(qtbot, staff):
    window, entry = staff((1280, 1024))
    # Paint everything the citizen sees magenta: any magenta pixel under an overlay is see-through.
    window.root.setStyleSheet("#kioskRoot, #kioskRoot * { background: #ff00ff; }")
    assert _magenta_pixels(window) > 1000  # the test sees the citizen screens when nothing covers them
    for name in views(qtbot, window, entry):
        assert _magenta_pixels(window) == 0, name


def test_the_panel_rearranges_itself_to_the_screen(qtbot, staff):
    window, entry = staff((1920, 1080))
    window.set_language("en")
    entry.controller.open("tech", "tech")
    panel, actions = entry.panel, entry.panel.pages["actions"]
    panel.show_page("actions")
    _settle(qtbot, lambda: actions.catalog is not None)
    assert len({button.y() for button in panel.nav.values()}) == len(panel.nav)  # a column of buttons
    assert actions.groups.columns == 3  # the three groups abreast
    window.resize(1366, 768)
    _settle(qtbot, lambda: actions.groups.columns < 3)  # narrower: fewer columns, the page scrolls
    window.resize(1080, 1920)
    _settle(qtbot, lambda: len({button.y() for button in panel.nav.values()}) == 1)  # a row across the top
    assert fit_problems(window, within=panel) == []
