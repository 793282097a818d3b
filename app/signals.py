"""Stopping a GUI program cleanly on SIGTERM or SIGINT (a service manager stopping the kiosk, a
technician's Ctrl+C), so its clean-up runs: lanes finish their job before the outbox closes.

Python runs signal handlers only between bytecodes, and Qt's event loop is C++: a timer that
wakes the interpreter a few times a second lets the handler run while the loop waits.
"""

from __future__ import annotations

import signal

from PySide6.QtCore import QCoreApplication, QTimer


def quit_on_signals(app: QCoreApplication) -> QTimer:
    """Make SIGTERM and SIGINT end ``app.exec()`` normally; keep the returned timer alive."""
    def stop(signum, _frame) -> None:  # noqa: ANN001
        app.exit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)  # a moment in Python for a pending handler
    tick.start(250)
    return tick
