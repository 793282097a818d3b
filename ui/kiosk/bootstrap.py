"""Building what a kiosk process needs: services, translations, style sheets.

``kiosk run``, the headless demo, the tests and the benchmark all start a kiosk through
``build_services``, so they run the same wiring: the hall, the printer, the card reader on its own
thread and the lanes that keep blocking work off the GUI thread.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from drivers.printer import PrinterError, PrinterSettings, open_printer
from kiosk.config import KioskConfig
from kiosk.hall import Hall
from kiosk.terminal import KioskTerminal
from ui.i18n import I18N_DIR
from ui.ops import Lane
from ui.services import AlertCenter, KioskServices

log = logging.getLogger(__name__)

STYLE_DIR = Path(__file__).resolve().parents[2] / "assets" / "style"


class LinkBridge(QObject):
    """Carries the hall link's online/offline changes from the outbox sender's thread to the
    GUI thread, where they become (or clear) the staff alert ``server_down``; and offline tickets
    the server refused, which become ``offline_rejected`` (those citizens hold a printed ticket
    the hall does not know: staff must help them)."""

    changed = Signal(bool, str)
    rejected = Signal(str, str)

    def __init__(self, alerts: AlertCenter):
        super().__init__(alerts)
        self.refused_count = 0
        self.latest_refused: deque[str] = deque(maxlen=5)  # months of running: keep a few
        self.changed.connect(self._show)
        self.rejected.connect(self._refused)

    def _refused(self, number: str, reason: str) -> None:
        self.refused_count += 1
        self.latest_refused.append(f"{number} ({reason})")
        self.alerts.raise_alert("offline_rejected", f"{self.refused_count} offline ticket(s) refused: "
                                + "; ".join(self.latest_refused), "error")

    def _show(self, online: bool, reason: str) -> None:
        if online:
            self.alerts.clear("server_down")
            return
        # The outbox length changes with every ticket: the diagnostics page shows it live.
        self.alerts.raise_alert("server_down", f"hall server unreachable ({reason}); the kiosk issues "
                                "offline tickets and sends them when the server is back", "error")

    @property
    def alerts(self) -> AlertCenter:
        return self.parent()


class ReaderBridge(QObject):
    """Carries ``ReaderEvent``s from the reader's own thread to the GUI thread.

    The worker calls ``event.emit`` on its thread; Qt queues the signal to receivers that live
    on the GUI thread, so no widget is touched from the reader thread.
    """

    event = Signal(object)


@dataclass
class KioskRuntime(KioskServices):
    """``KioskServices`` plus the reader's signal bridge (None without a reader)."""

    reader_events: ReaderBridge | None = None

    def close(self) -> None:
        """Stop the reader thread and the lanes (on exit)."""
        if self.reader is not None:
            self.reader.stop(timeout=2.0)
        self.hall_lane.shutdown()
        self.printer_lane.shutdown()
        self.terminal.close()


def printer_from_config(config: KioskConfig):
    """The configured printer, or None when the ``[printer]`` table is unusable (logged)."""
    try:
        return open_printer(PrinterSettings.model_validate(config.printer or {}))
    except (PrinterError, ValueError) as exc:
        log.warning("printer not usable: %s", exc)
        return None


def build_services(kiosk_config: KioskConfig, config_path: Path | str, hall: Hall, printer=None,
                   reader_uri: str | None = None, *, start_reader: bool = True,
                   terminal: KioskTerminal | None = None) -> KioskRuntime:
    """Everything the kiosk screens and staff panels share.

    ``printer`` None means no printer (every ticket becomes an e-ticket); ``reader_uri`` None
    means no card reader (services that need an ID send citizens to the help desk).
    ``terminal`` is the issuing pipeline; ``kiosk run`` passes one with its offline outbox
    (``kiosk.terminal.open_terminal``), tests may leave it to a plain online one.
    """
    from drivers.idcard import ReaderWorker

    runtime = KioskRuntime(
        config=kiosk_config, config_path=Path(config_path), hall=hall,
        terminal=terminal or KioskTerminal(kiosk_config, hall, printer),
        hall_lane=Lane("hall"), printer_lane=Lane("printer"), alerts=AlertCenter(),
    )
    runtime.device_states["printer"] = "configured" if printer is not None else "missing"
    link = getattr(runtime.terminal, "link", None)
    if link is not None:  # the outbox terminal: tell staff when the kiosk goes offline and back
        bridge = LinkBridge(runtime.alerts)
        link.listeners.append(bridge.changed.emit)
        sender = getattr(runtime.terminal, "sender", None)
        if sender is not None:
            sender.rejected_listeners.append(bridge.rejected.emit)
    if reader_uri:
        bridge = ReaderBridge()
        runtime.reader = ReaderWorker(reader_uri, bridge.event.emit,
                                      poll_interval=kiosk_config.id_reader.poll_interval_s)
        runtime.reader_events = bridge
        runtime.device_states["reader"] = "starting"
        if start_reader:
            runtime.reader.start()
    else:
        runtime.device_states["reader"] = "missing"
    return runtime


def _lrelease() -> str | None:
    beside = Path(sys.executable).parent / "pyside6-lrelease"
    return str(beside) if beside.exists() else shutil.which("pyside6-lrelease")


def translations_dir(source: Path = I18N_DIR) -> Path:
    """A folder holding compiled ``*_zh_CN.qm`` for every ``.ts`` in ``source``.

    The set-up builds them next to the ``.ts`` files; when any is missing or older than its
    source (a developer checkout), they are compiled into a per-user cache folder instead.
    """
    sources = sorted(source.glob("*_zh_CN.ts"))

    def fresh(folder: Path) -> bool:
        return all((folder / (ts.stem + ".qm")).exists()
                   and (folder / (ts.stem + ".qm")).stat().st_mtime >= ts.stat().st_mtime
                   for ts in sources)

    if fresh(source):
        return source
    cache = Path(tempfile.gettempdir()) / f"hall-kiosk-qm-{os.getuid()}"
    if fresh(cache):
        return cache
    tool = _lrelease()
    if tool is None:
        log.warning("pyside6-lrelease not found: the kiosk runs in English only")
        return source
    cache.mkdir(parents=True, exist_ok=True)
    for ts in sources:
        subprocess.run([tool, "-silent", str(ts), "-qm", str(cache / (ts.stem + ".qm"))],
                       check=False, capture_output=True, timeout=60)
    return cache


def style_sheet(elderly: bool) -> str:
    """The kiosk's QSS, with the elderly-mode overrides appended when asked."""
    text = (STYLE_DIR / "kiosk.qss").read_text(encoding="utf-8")
    if elderly:
        text += "\n" + (STYLE_DIR / "kiosk-elderly.qss").read_text(encoding="utf-8")
    return text
