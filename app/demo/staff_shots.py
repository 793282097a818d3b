"""Headless demo of staff mode and the technician panels: ``capture(ctx)`` writes screenshots.

Called by ``app/demo/run.py`` with a context holding the app, a LocalHall over a dev engine with some
tickets, the kiosk config and folders. The kiosk is built as ``kiosk run`` builds it, from its
own kiosk file in the demo's data folder (so the demo never rewrites the project's sample file),
over the demo hall; its audit log goes to the demo's data folder.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.demo.files import kiosk_file
from app.kiosk_app import build_kiosk
from drivers.idcard.simulator import forget_sim
from ui.i18n import Languages
from ui.kiosk.bootstrap import translations_dir
from ui.staff.actions_page import select_data
from ui.staff.panel import StaffPanel
from ui.staff.pin import PinDialog

SIZE = (1920, 1080)


def _settle(app, until=lambda: True, timeout: float = 5.0) -> None:
    """Let lanes deliver and widgets paint, until ``until()`` or ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if until():
            app.processEvents()
            return
        time.sleep(0.02)


def _shot(widget, out: Path, name: str, ctx) -> None:
    widget.grab().save(str(out / name))
    ctx.note(name, f"staff demo: {name[:-4]}")


def capture(ctx) -> None:
    """Screenshots in Chinese and English (``staff-alerts-zh.png``…): PIN, staff home (queue),
    actions, alerts, settings pages, diagnostics."""
    app = ctx.app or QApplication.instance()
    out = Path(ctx.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(ctx.data_dir) / "staff-demo"
    path = kiosk_file(work, printer="dummy:", reader="sim:resident?instance=demo-staff")
    kiosk = build_kiosk(path, data_dir=work, dev=True, hall=ctx.hall,
                        languages=Languages(app, translations_dir()), idle_ms=600_000)
    kiosk.window.resize(*SIZE)
    kiosk.window.show()
    kiosk.terminal.issue("GC01")  # a ticket on paper: the printer's state is known, not assumed
    try:
        for language in ("zh", "en"):
            kiosk.window.set_language(language)
            _capture_all(app, out, ctx, kiosk.window, kiosk.staff.controller, f"-{language}")
        _shapes(app, out / "shapes", ctx, kiosk.window, kiosk.staff.controller)
    finally:
        kiosk.window.languages.set("en")
        kiosk.window.unlock_exit()
        kiosk.window.close()
        kiosk.close()
        forget_sim("sim:resident?instance=demo-staff")


def _capture_all(app, out: Path, ctx, window, controller, suffix: str) -> None:
    """Each panel as the kiosk shows it: an overlay over the citizen screens (photographed
    with the window, so a see-through panel would show)."""
    pin = PinDialog(controller)
    window.show_overlay(pin)
    for key in "12":
        pin.press(key)
    _settle(app, timeout=0.2)
    _shot(window, out, f"staff-pin{suffix}.png", ctx)
    window.close_overlay()

    controller.open("tech", "tech")
    panel = StaffPanel(controller)
    window.show_overlay(panel)
    queue = panel.pages["queue"]
    _settle(app, lambda: queue.data is not None)
    _shot(window, out, f"staff-home{suffix}.png", ctx)
    _shot(window, out, f"staff-queue{suffix}.png", ctx)

    panel.show_page("actions")
    actions = panel.pages["actions"]
    _settle(app, lambda: actions.catalog is not None)
    select_data(actions.issue_service, "AP01")
    select_data(actions.issue_priority, "green")
    select_data(actions.issue_reason, "urgent_case")
    actions.issue()
    _settle(app, lambda: not actions.busy)
    _shot(window, out, f"staff-actions{suffix}.png", ctx)

    alerts = controller.services.alerts
    alerts.raise_alert("paper_low", "Printer paper near its end: refill soon", "warning")
    alerts.raise_alert("server_down", "Hall server unreachable: issuing offline", "error")
    panel.show_page("alerts")
    _settle(app, timeout=0.2)
    _shot(window, out, f"staff-alerts{suffix}.png", ctx)

    panel.show_page("settings")
    settings = panel.pages["settings"]
    _settle(app, lambda: bool(settings.loaded))
    for index, name in ((0, "printer"), (1, "reader"), (2, "signs"), (3, "voice"), (4, "display"),
                        (5, "server")):
        settings.tabs.setCurrentIndex(index)
        if name == "server":
            settings.run_tool("test_server", "server")  # fails: no server in a standalone demo
            _settle(app, lambda: "…" not in settings.results["server"].text())
        _settle(app, timeout=0.2)
        _shot(window, out, f"settings-{name}{suffix}.png", ctx)
    settings.editors["printer.uri"].widget.setText("bogus://printer")
    settings.tabs.setCurrentIndex(0)
    settings.save()
    _settle(app, lambda: settings.save_button.isEnabled())
    _shot(window, out, f"settings-invalid{suffix}.png", ctx)
    settings.load()

    panel.show_page("diagnostics")
    diagnostics = panel.pages["diagnostics"]
    _settle(app, lambda: diagnostics.rows["latency"][1].text().endswith("ms"))
    _shot(window, out, f"settings-diagnostics{suffix}.png", ctx)
    window.close_overlay()
    controller.lock()


SHAPES = ((1920, 1080), (1080, 1920), (1280, 1024), (1366, 768))


def _shapes(app, out: Path, ctx, window, controller) -> None:
    """The staff panel's queue, actions and first settings page at each screen shape, in both
    languages (``shapes/staff-<WxH>-<page>-<zh|en>.png``)."""
    out.mkdir(parents=True, exist_ok=True)
    controller.open("tech", "tech")
    panel = StaffPanel(controller)
    window.show_overlay(panel)
    for width, height in SHAPES:
        window.resize(width, height)
        for language in ("zh", "en"):
            window.set_language(language)
            for page in ("queue", "actions", "settings"):
                panel.show_page(page)
                _settle(app, timeout=0.3)
                window.grab().save(str(out / f"staff-{width}x{height}-{page}-{language}.png"))
    window.close_overlay()
    controller.lock()
    window.resize(*SIZE)
    ctx.note("staff shapes", "queue, actions and settings at four shapes, both languages")
