"""Keep a full-screen window on its screen while monitors come and go.

The display belongs on the configured screen (``display.screen``, an index into the screens the
system lists) or, when that one is missing, on the primary screen. Unplugging a monitor, plugging
it back, or a change of the primary screen moves the window and shows it full screen again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


def pick_screen(screens: Sequence, configured: int, primary):  # noqa: ANN001, ANN201
    """The configured screen if it exists, else the primary one, else the first (or None)."""
    if 0 <= configured < len(screens):
        return screens[configured]
    if primary is not None and primary in screens:
        return primary
    return screens[0] if screens else None


class ScreenKeeper(QObject):
    """Places ``widget`` full screen on its screen now and after every screen change."""

    def __init__(self, widget: QWidget, configured: int, *, windowed: bool = False,
                 screens: Callable[[], Sequence[QScreen]] = QGuiApplication.screens,
                 primary: Callable[[], QScreen | None] = QGuiApplication.primaryScreen) -> None:
        super().__init__(widget)
        self.widget = widget
        self.configured = configured
        self.windowed = windowed
        self._screens = screens
        self._primary = primary
        self.current = None
        self.moves = 0
        app = QGuiApplication.instance()
        app.screenAdded.connect(self._changed)
        app.screenRemoved.connect(self._changed)
        app.primaryScreenChanged.connect(self._changed)

    def target(self):  # noqa: ANN201
        """The screen the window belongs on now."""
        return pick_screen(list(self._screens()), self.configured, self._primary())

    def _changed(self, *_args: object) -> None:
        # Qt is still removing the screen when it tells us; place the window once it is gone.
        QTimer.singleShot(0, self.place)

    def place(self) -> None:
        """Move the window to its screen and show it (full screen unless windowed)."""
        screen = self.target()
        if screen is None:
            log.warning("display: no screen at all; waiting for one")
            return
        if screen is not self.current:
            self.moves += 1
            log.info("display: showing on screen %s", screen.name())
        self.current = screen
        if self.windowed:
            self.widget.show()
            return
        self.widget.setScreen(screen)
        self.widget.setGeometry(screen.geometry())
        self.widget.showFullScreen()
