"""Keep a full-screen window on its screen while monitors come and go.

The display belongs on the configured screen (``display.screen``, an index into the screens the
system lists) or, when that one is missing, on the primary screen. Unplugging a monitor, plugging
it back, or a change of the primary screen moves the window and shows it full screen again; so
does a change of the screen's own geometry (a new resolution, a monitor turned to portrait).

The window is given the screen's geometry before it is shown full screen: on a bare X server
with no window manager (a kiosk started by xinit) nobody else would size it, and asking for
full screen alone leaves it at its default size in the top-left corner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

PRIMARY = -1  # the configured screen index that always means the primary screen


def pick_screen(screens: Sequence, configured: int, primary):  # noqa: ANN001, ANN201
    """The configured screen if it exists, else the primary one, else the first (or None)."""
    if 0 <= configured < len(screens):
        return screens[configured]
    if primary is not None and primary in screens:
        return primary
    return screens[0] if screens else None


def _key(screen) -> int:  # noqa: ANN001
    """Which monitor ``screen`` is: PySide may hand out a new wrapper for the same QScreen."""
    return shiboken6.getCppPointer(screen)[0] if isinstance(screen, QObject) else id(screen)


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
        self._geometry_link = None
        self._current_key: int | None = None
        app = QGuiApplication.instance()
        app.screenAdded.connect(self._changed)
        app.screenRemoved.connect(self._changed)
        app.primaryScreenChanged.connect(self._changed)

    def target(self):  # noqa: ANN201
        """The screen the window belongs on now."""
        return pick_screen(list(self._screens()), self.configured, self._primary())

    def _changed(self, *_args: object) -> None:
        if not shiboken6.isValid(self.widget):  # the window is gone: stop following screens
            self._release()
            return
        # Qt is still removing the screen when it tells us; place the window once it is gone.
        QTimer.singleShot(0, self.place)

    def _release(self) -> None:
        app = QGuiApplication.instance()
        for signal in (app.screenAdded, app.screenRemoved, app.primaryScreenChanged):
            signal.disconnect(self._changed)
        if self._geometry_link is not None:
            QObject.disconnect(self._geometry_link)
            self._geometry_link = None

    def place(self) -> None:
        """Move the window to its screen and show it (full screen unless windowed)."""
        if not shiboken6.isValid(self.widget):
            return
        screen = self.target()
        if screen is None:
            log.warning("display: no screen at all; waiting for one")
            return
        if _key(screen) != self._current_key:
            self._current_key = _key(screen)
            self.moves += 1
            log.info("%s: showing on screen %s", self.widget.windowTitle() or "window", screen.name())
            self._follow(screen)
        self.current = screen
        if self.windowed:
            self.widget.show()
            return
        self.widget.setScreen(screen)
        self.widget.setGeometry(screen.geometry())
        self.widget.showFullScreen()

    def _follow(self, screen) -> None:  # noqa: ANN001 - a QScreen
        """Place the window again whenever ``screen`` changes its geometry (and stop following
        the screen it was on before)."""
        if self._geometry_link is not None:
            QObject.disconnect(self._geometry_link)
        signal = getattr(screen, "geometryChanged", None)
        self._geometry_link = signal.connect(self._changed) if signal is not None else None
