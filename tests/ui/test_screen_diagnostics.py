"""Every screen program shows its version on a diagnostics panel (F12, or a long press on the
top-left corner of a touch screen), the version the hall's device list shows for it."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication

from drivers.sign import open_sign_bus
from kiosk import __version__
from kiosk.device_reporter import StatusReporter, sign_probe
from tests.ui.test_calling_support import dev_hall  # noqa: F401 - fixture
from ui.calling.counter import CounterWindow
from ui.calling.display import CallingDisplay
from ui.diagnostics import DiagnosticsPanel, attach_diagnostics
from ui.rating.pad import RatingPad

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_the_packages() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert __version__ == project["version"] == metadata.version("hall-kiosk")


def build(kind: str, hall):  # noqa: ANN001, ANN201
    if kind == "board":
        return CallingDisplay(hall), "display"
    if kind == "window screen":
        return CallingDisplay(hall, window=1), "display"
    if kind == "counter":
        return CounterWindow(hall, 1, recall_limit=3), "counter"
    return RatingPad(hall, 1), "rate"


@pytest.mark.parametrize("kind", ["board", "window screen", "counter", "evaluator"])
def test_f12_shows_the_version_and_the_devices(qtbot, dev_hall, kind) -> None:  # noqa: F811
    widget, program = build(kind, dev_hall)
    qtbot.addWidget(widget)
    bus = open_sign_bus("sim:?gap_ms=0")
    reporter = StatusReporter(dev_hall, program, device="D1", window=1, probes=[sign_probe([bus])])
    try:
        assert reporter.report_now()  # what the hall's device list shows: this version
        panel = attach_diagnostics(widget, program, reporter)
        widget.resize(1280, 720)
        widget.show()
        qtbot.waitExposed(widget)
        widget.activateWindow()
        # Shortcuts go to the focus window: wait until Qt has made it ours, not only active.
        qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is widget.windowHandle(), timeout=5000)
        assert not panel.isVisible()
        qtbot.keyClick(widget, Qt.Key.Key_F12)
        assert panel.isVisible()
        text = panel.text()
        assert f"hall-kiosk {__version__}" in text and "Qt " in text
        assert "sign: ok" in text and "sent: 1" in text
        qtbot.keyClick(widget, Qt.Key.Key_F12)
        assert not panel.isVisible()
    finally:
        bus.close()
        if hasattr(widget, "stop"):
            widget.stop()


def test_a_long_press_on_the_corner_opens_it_on_a_touch_screen_and_it_closes_itself(qtbot, dev_hall) -> None:  # noqa: F811
    pad = RatingPad(dev_hall, 1)
    qtbot.addWidget(pad)
    panel = DiagnosticsPanel(pad, "rate", press_ms=200, shown_ms=500)
    pad.resize(800, 480)
    pad.show()
    qtbot.waitExposed(pad)
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(400, 240))  # not the corner
    qtbot.wait(400)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(400, 240))
    assert not panel.isVisible()
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.waitUntil(panel.isVisible, timeout=3000)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert __version__ in panel.text()
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=3000)  # never left open
    pad.stop()
