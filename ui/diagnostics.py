"""A technician's look at a screen program that has no staff mode: the board, a window's screen,
the clerk's caller and the evaluator (the kiosk's own is a page of its staff mode).

F12, or a 3 s press on the screen's top-left corner (touch screens without a keyboard), shows a
panel over the screen with the program's version — the package's, as the hall's device list
shows it — the Python, Qt and PySide6 versions, whether status reports reach the hall, and the
state of the devices the program drives (its LED sign buses). The same key or press hides it,
and it hides itself after 30 s, so a citizen never finds it left open.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.support import versions

CORNER_PX = 80
PRESS_MS = 3000
SHOWN_MS = 30_000
PROGRAM_NAMES = {"display": "显示屏 Display", "counter": "窗口呼叫器 Counter", "rate": "评价器 Evaluator"}


def diagnostics_text(program: str, reporter=None) -> str:  # noqa: ANN001 - a StatusReporter or None
    """The panel's lines: program and versions, the hall's reports, the devices' states."""
    v = versions()
    lines = [f"{PROGRAM_NAMES.get(program, program)} — hall-kiosk {v['kiosk']}",
             f"Python {v['python']} · Qt {v['qt']} · PySide6 {v['pyside6']}"]
    if reporter is not None:  # its parts as of its last report (at most one interval old)
        if reporter.last_error:
            lines.append(f"状态报告未送达 Status reports not reaching the hall: {reporter.last_error}")
        else:
            lines.append(f"状态报告 Status reports sent: {reporter.sent}")
        for part, (state, detail) in sorted(reporter.parts().items()):
            lines.append(f"{part}: {state}" + (f" — {detail}" if detail else ""))
    return "\n".join(lines)


class DiagnosticsPanel(QLabel):
    """The panel over ``host``; ``toggle()`` is what F12 and the corner press do."""

    def __init__(self, host: QWidget, program: str, reporter=None, *,  # noqa: ANN001
                 press_ms: int = PRESS_MS, shown_ms: int = SHOWN_MS) -> None:
        super().__init__(host)
        self.setObjectName("diagnosticsPanel")
        self.program = program
        self.reporter = reporter
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setStyleSheet("#diagnosticsPanel { background: #ffffff; color: #000000; font-size: 20px;"
                           " border: 3px solid #1f3f8f; padding: 16px; }")
        self.hide()
        self._hide_timer = QTimer(self, singleShot=True, interval=shown_ms, timeout=self.hide)
        self._press = QTimer(self, singleShot=True, interval=press_ms, timeout=self.toggle)
        self.shortcut = QShortcut(QKeySequence(Qt.Key.Key_F12), host, activated=self.toggle)
        self.shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        host.installEventFilter(self)

    def toggle(self) -> None:
        """Show the panel with what is true now, or hide it."""
        if self.isVisible():
            self.hide()
            return
        self.setText(diagnostics_text(self.program, self.reporter))
        host = self.parentWidget()
        self.setGeometry(host.rect().adjusted(host.width() // 8, host.height() // 8,
                                              -host.width() // 8, -host.height() // 8))
        self.show()
        self.raise_()
        self._hide_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """A press held on the host's top-left corner toggles the panel; a release cancels it."""
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            at = event.position().toPoint()
            if at.x() < CORNER_PX and at.y() < CORNER_PX:
                self._press.start()
        elif kind == QEvent.Type.MouseButtonRelease:
            self._press.stop()
        return False


def attach_diagnostics(host: QWidget, program: str, reporter=None) -> DiagnosticsPanel:  # noqa: ANN001
    """Give a screen program its diagnostics panel (``app.calling`` does it for each)."""
    return DiagnosticsPanel(host, program, reporter)


__all__ = ["DiagnosticsPanel", "attach_diagnostics", "diagnostics_text"]
