"""What the kiosk window runs on besides its screens: the signal bridges from device threads,
the runtime container, translations and style sheets.

The one wiring that fills the container is ``app.kiosk_app.build_kiosk``: ``kiosk run``, the
demo, the tests and the benchmarks all build their kiosk there.
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

from ui.i18n import I18N_DIR
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


PRINTER_ALERTS = ("paper_out", "printer_offline", "printer_error")
PRINTER_WORKING = ("ok", "configured")
"""Printer states in which the home screen says nothing about the printer."""


def printer_alert_kind(error) -> str:  # noqa: ANN001 - a drivers.printer.PrinterError or None
    """Which staff alert a failed print raises."""
    from drivers.printer import PaperOut, PrinterUnavailable

    if isinstance(error, PaperOut):
        return "paper_out"
    if isinstance(error, PrinterUnavailable) or error is None:
        return "printer_offline"
    return "printer_error"


class PrinterBridge(QObject):
    """Carries each print's outcome from the printer's lane to the GUI thread, where it sets the
    printer's state staff see and raises or clears the printer alerts (whoever printed); and the
    printer watch's news (``watched``: reconnecting, back) from its thread. ``changed`` tells the
    window that the printer's state changed (home says when tickets are shown on screen only)."""

    printed = Signal(object)
    watched = Signal(str, object)
    changed = Signal()

    def __init__(self, services: KioskServices):
        super().__init__(services.alerts)
        self.services = services
        self.printed.connect(self._show)
        self.watched.connect(self._watched)

    def _watched(self, what: str, status) -> None:  # noqa: ANN001 - a drivers.printer.PrinterStatus
        """The watch tried the printer again (``reconnecting``) or found it (``back``)."""
        alerts, states = self.services.alerts, self.services.device_states
        if what == "back":
            state = str(status.state)
            # Back on its line; a printer that came back without paper still cannot print.
            states["printer"] = "paper_out" if state == "paper_out" else "ok"
            if state != "paper_out":
                self.services.last_errors.pop("printer", None)
                for kind in PRINTER_ALERTS:
                    alerts.clear(kind)
        else:
            states["printer"] = "reconnecting"
            self.services.last_errors["printer"] = f"reconnecting: {status.detail}"
        self.changed.emit()

    def _show(self, outcome) -> None:  # noqa: ANN001 - a kiosk.terminal.IssueOutcome
        alerts, states = self.services.alerts, self.services.device_states
        if outcome.printed:
            states["printer"] = "ok"
            for kind in PRINTER_ALERTS:
                alerts.clear(kind)
            self.changed.emit()
            return
        error = outcome.print_error
        kind = printer_alert_kind(error)
        message = (f"ticket {outcome.ticket.number} shown as e-ticket: "
                   + (str(error) if error else "no printer configured"))
        states["printer"] = kind
        self.services.last_errors["printer"] = message
        alerts.raise_alert(kind, message, "error")
        self.changed.emit()


class ReaderBridge(QObject):
    """Carries ``ReaderEvent``s from the reader's own thread to the GUI thread.

    The worker calls ``event.emit`` on its thread; Qt queues the signal to receivers that live
    on the GUI thread, so no widget is touched from the reader thread.
    """

    event = Signal(object)


@dataclass
class KioskRuntime(KioskServices):
    """``KioskServices`` plus the signal bridges of the reader (None without one), of the
    printer and of the hall link, and the printer's watch (None without a printer)."""

    reader_events: ReaderBridge | None = None
    link_bridge: LinkBridge | None = None
    printer_bridge: PrinterBridge | None = None
    printer_watch: object | None = None  # drivers.printer.watch.PrinterWatch with a printer
    guide: object | None = None  # drivers.voice.guide.Guide when voice guidance is on

    def close(self) -> None:
        """Stop the reader thread, the printer watch and the lanes (on exit)."""
        if self.reader is not None:
            self.reader.stop(timeout=2.0)
        if self.printer_watch is not None:
            self.printer_watch.stop(timeout=2.0)
        if self.guide is not None:
            self.guide.close()
        # The running jobs finish first (bounded by the hall's timeout and the printer's write
        # limit): the outbox they write to is closed after them, never under them.
        self.hall_lane.shutdown(wait=True)
        self.printer_lane.shutdown(wait=True)
        self.terminal.close()


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
