"""Qt's own warnings, minus the one the offscreen platform prints for every top-level window.

Headless runs (the demo, the benchmarks) use the ``offscreen`` platform, whose windows answer
each resize with "This plugin does not support propagateSizeHints()": harmless, and enough of
them to bury the lines that matter. Every other message still reaches stderr.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QtMsgType, qInstallMessageHandler

_HARMLESS = ("This plugin does not support propagateSizeHints()",)


def _handler(_kind: QtMsgType, _context, message: str) -> None:
    if message not in _HARMLESS:
        print(message, file=sys.stderr)


def quiet_offscreen_warnings() -> None:
    """Install the filter (once per process is enough; installing again is harmless)."""
    qInstallMessageHandler(_handler)
