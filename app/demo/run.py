"""``kiosk demo``: the whole hall on one machine, on simulated devices.

With a screen it opens the windows (kiosk, calling board, a counter) over one in-process hall.
Without one (or with ``--headless``) it plays the scripted day of ``app.demo.day`` and then
lets each part of the UI photograph its screens: every ``app.demo.*_shots`` module's ``capture(ctx)``.
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

from app.demo.day import run_day
from kiosk.config import PROJECT_CONFIG_DIR, KioskConfig, load_kiosk_config
from kiosk.engine import HallEngine
from kiosk.hall import LocalHall

log = logging.getLogger(__name__)

# The parts of the UI that photograph themselves, in the order a visitor meets them.
CAPTURE_MODULES = ("app.demo.kiosk_shots", "app.demo.calling_shots", "app.demo.rating_shots",
                   "app.demo.staff_shots", "app.demo.console_shots")


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
    extra: dict = field(default_factory=dict)
    """Top-level sections a part adds to summary.json (the console act's ``console``)."""

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

    from ui.qtlog import quiet_offscreen_warnings

    quiet_offscreen_warnings()
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
    summary.update(ctx.extra)
    summary["files"] = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and "data" not in p.parts)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    summary_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
    print(f"demo: {summary['tickets']} tickets, {len(summary['calls'])} calls, "
          f"{sum(1 for f in summary['files'] if f.endswith('.png'))} images in {out}")
    for name in failures:
        print(f"demo: part {name} failed; see summary.json")
    return 1 if failures else 0


def _seed(hall: LocalHall) -> None:
    """A few citizens already waiting and called, so the windows open on a living hall."""
    import uuid

    from kiosk.models import IssueRequest

    for service in ("GC01", "GC01", "TX01", "AP01", "GC02", "TX01", "GC01", "AP02"):
        hall.issue(IssueRequest(service=service, device="demo"), uuid.uuid4().hex)
    for window in (18, 8, 5):
        hall.call_next(window, actor=f"clerk-{window}")


def run_windows(out: Path, quit_after: float | None = None) -> int:
    """Open the kiosk, the calling board and window 18's counter over one in-process hall.

    The hall runs on the real clock in development mode (open at any hour). ``quit_after``
    closes everything after that many seconds, writing a screenshot of each window first
    (for smoke tests on a virtual screen).
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.demo.files import kiosk_file
    from app.kiosk_app import build_kiosk
    from kiosk.hall import open_engine
    from ui.calling.counter import CounterWindow
    from ui.calling.display import CallingDisplay
    from ui.calling.voice import CallVoice, choose_backend
    from ui.i18n import Languages
    from ui.kiosk.bootstrap import translations_dir

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    config = load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml")
    engine = open_engine(PROJECT_CONFIG_DIR / "hall.toml", out / "data", dev=True, keys=out / "keys")
    hall = LocalHall(engine)
    _seed(hall)
    languages = Languages(app, translations_dir())
    path = kiosk_file(out / "data" / "kiosk", printer=f"file://{(out / 'printed.bin').resolve()}",
                      reader="sim:resident?instance=demo-kiosk")
    built = build_kiosk(path, data_dir=out / "data" / "kiosk", dev=True, hall=hall, languages=languages)
    kiosk = built.window
    kiosk.unlock_exit()  # a demo window may be closed normally
    board = CallingDisplay(hall, config.display, voice=CallVoice(choose_backend(config.voice), config.voice),
                           tz=engine.tz)
    counter = CounterWindow(hall, 18, recall_limit=engine.config.policy.recall_limit, languages=languages)
    # The kiosk at 1280×1024, one of the layouts it is checked at; board and counter beside it.
    windows = {"kiosk": (kiosk, (0, 0, 1280, 1024)), "board": (board, (1290, 0, 960, 540)),
               "counter": (counter, (1290, 580, 520, 560))}
    for widget, (x, y, w, h) in windows.values():
        widget.setGeometry(x, y, w, h)
        widget.show()
    board.start()
    counter.start()
    if quit_after is not None:
        def finish() -> None:
            for name, (widget, _geometry) in windows.items():
                widget.grab().save(str(out / f"window-{name}.png"))
            app.quit()

        QTimer.singleShot(int(quit_after * 1000), finish)
    print(f"demo: the hall's windows are open (staff PIN 1234, technician 9999); data in {out}")
    try:
        return app.exec()
    finally:
        board.stop()
        counter.stop()
        built.close()
