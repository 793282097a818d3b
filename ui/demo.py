"""``kiosk demo``: the whole hall on one machine, on simulated devices.

With a screen it opens the windows (kiosk, calling board, a counter) over one in-process hall.
Without one (or with ``--headless``) it plays the scripted day of ``kiosk.demo_day`` and then
lets each part of the UI photograph its screens: every ``ui.demo_*`` module's ``capture(ctx)``.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import PROJECT_CONFIG_DIR, KioskConfig, load_kiosk_config
from kiosk.demo_day import run_day
from kiosk.engine import HallEngine
from kiosk.hall import LocalHall

log = logging.getLogger(__name__)

# The parts of the UI that photograph themselves, in the order a visitor meets them.
CAPTURE_MODULES = ("ui.demo_kiosk", "ui.demo_calling", "ui.demo_staff")


@dataclass
class DemoContext:
    """What a ``capture(ctx)`` function gets."""

    out: Path
    app: object
    hall: LocalHall
    engine: HallEngine
    kiosk_config: KioskConfig
    config_dir: Path
    data_dir: Path
    notes: list[dict] = field(default_factory=list)

    def note(self, name: str, detail: str) -> None:
        """Record what a capture step did (kept in summary.json)."""
        self.notes.append({"name": name, "detail": detail})


def has_screen() -> bool:
    """Whether a real display is there to open windows on."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and \
        os.environ.get("QT_QPA_PLATFORM", "") != "offscreen"


def run_headless(out: Path) -> int:
    """The scripted day, then every part's screenshots; exit code 0 when all went through."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    started = time.perf_counter()
    day = run_day(out)
    app = QApplication.instance() or QApplication([])
    ctx = DemoContext(out, app, day.hall, day.engine, load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml"),
                      PROJECT_CONFIG_DIR, out / "data")
    failures = []
    for name in CAPTURE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            ctx.note(name, "not built yet")
            continue
        try:
            module.capture(ctx)
        except Exception:  # one broken part must not hide the others' screenshots
            failures.append(name)
            ctx.note(name, "failed:\n" + traceback.format_exc())
            log.exception("demo part %s failed", name)
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text("utf-8"))
    summary["captures"] = ctx.notes
    summary["files"] = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and "data" not in p.parts)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    summary_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
    print(f"demo: {summary['tickets']} tickets, {len(summary['calls'])} calls, "
          f"{sum(1 for f in summary['files'] if f.endswith('.png'))} images in {out}")
    for name in failures:
        print(f"demo: part {name} failed; see summary.json")
    return 1 if failures else 0


def run_windows(out: Path) -> int:
    """Open the hall's windows on the screen over one in-process hall (blocks until closed)."""
    from PySide6.QtWidgets import QApplication

    day = run_day(out)
    app = QApplication.instance() or QApplication([])
    opened = []
    for name in ("ui.kiosk.demo_windows", "ui.calling.demo_windows"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        opened += module.open_windows(day.hall, load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml"))
    if not opened:
        print("demo: no windows are built yet; the scripted day ran into", out)
        return 0
    return app.exec()
