"""``kiosk display``: the LED-style calling screen, the hall's main board or one window's.

The display follows the hall's events (``HallFeed``), keeps a ``BoardModel``, and lays it out on
one ``LedMatrix``. Every new call is shown, blinks for ``display.blink_seconds``, is handed to
the voice announcer and to the window's LED sign; both work on their own threads. A kiosk's call
for staff shows on the board and on a guide desk's screen for ``display.help_seconds``, chimes,
and goes to the desks' signs (``ui.calling.help``).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.clock import Clock
from kiosk.config import DisplaySettings
from kiosk.models import Call
from ui.calling.board import BOARD_GRID, lay_out_board
from ui.calling.feed import HallFeed
from ui.calling.help import HelpCalls, HelpNotice
from ui.calling.led import LedMatrix
from ui.calling.model import BoardModel
from ui.calling.signs import SignFollower
from ui.calling.voice import CallVoice
from ui.calling.window_screen import WINDOW_GRID, lay_out_window
from ui.calling.words import LANGS
from ui.ops import Lane

log = logging.getLogger(__name__)

FRAME_MS = 40  # 25 frames a second: scrolling moves one dot per frame
BLINK_PERIOD = 0.8


class CallingDisplay(QWidget):
    """The calling screen. ``window`` None is the main board, else that window's screen;
    ``lang`` (``zh`` or ``en``) the language of its words and of the hall's names; ``clock``
    ages kiosks' calls for staff (the hall's clock in tests)."""

    def __init__(self, hall, settings: DisplaySettings | None = None, *,  # noqa: ANN001
                 window: int | None = None, voice: CallVoice | None = None,
                 signs: SignFollower | None = None, tz=None, lang: str = "zh",  # noqa: ANN001
                 clock: Clock | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hall = hall
        self.lang = lang if lang in LANGS else "zh"
        self.settings = settings or DisplaySettings()
        self.window = window if window is not None else self.settings.window
        self.voice, self.signs, self.tz = voice, signs, tz
        self.model = BoardModel(self.settings.recent_calls, self.window)
        self.linked = False
        self.announced: list[Call] = []  # every call handed to voice and signs, in order
        self.help = HelpCalls(self.settings.help_seconds, clock)
        self.helped: list[HelpNotice] = []  # every call for staff shown, in order
        self._blink_until = 0.0
        self._blink_start = 0.0
        grid = WINDOW_GRID if self.window is not None else BOARD_GRID
        self.matrix = LedMatrix(*grid, self, base=grid)  # more dots on a bigger or other-shaped screen
        self.matrix.gridChanged.connect(self.relayout)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.matrix)
        self.setStyleSheet("background: black;")
        self.setWindowTitle("Calling display")
        self.lane = Lane("display-hall", self)
        self.feed = HallFeed(hall, max(self.settings.recent_calls, 1), self)
        self.feed.calls.connect(self._on_calls)
        self.feed.event.connect(self._on_event)
        self.feed.status.connect(self._on_status)
        self._frame = QTimer(self, interval=FRAME_MS, timeout=self.frame)
        self._clock = QTimer(self, interval=1000, timeout=self._second)
        self.relayout()

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Fetch the catalog (off the GUI thread), then follow the hall."""
        self.lane.run(self.hall.catalog, self._on_catalog, self._on_catalog_failed)
        self._frame.start()
        self._clock.start()

    def _on_catalog(self, catalog) -> None:  # noqa: ANN001
        self.model.set_catalog(catalog)
        self.relayout()
        self.feed.start(catalog.hall.day)

    def _on_new_catalog(self, catalog) -> None:  # noqa: ANN001
        self.model.set_catalog(catalog)
        self.relayout()

    def _on_catalog_failed(self, exc: BaseException) -> None:
        log.warning("display: catalog not available yet: %s", exc)
        self._on_status("reconnecting")
        QTimer.singleShot(2000, lambda: self.lane.run(self.hall.catalog, self._on_catalog,
                                                      self._on_catalog_failed))

    def stop(self) -> None:
        """Stop following, timers, voice and signs."""
        self._frame.stop()
        self._clock.stop()
        self.feed.stop()
        self.lane.shutdown()
        if self.voice is not None:
            self.voice.close()
        if self.signs is not None:
            self.signs.close()

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt naming
        self.stop()
        super().closeEvent(event)

    # -- hall input --------------------------------------------------------------------------

    def _on_calls(self, calls: list, initial: bool) -> None:
        fresh = self.model.add_calls(calls)
        if not initial:
            self._announce(fresh)
        self.relayout()

    def _on_event(self, kind: str, data: dict) -> None:
        if kind == "device":
            self._on_help(kind, data)
            return
        if kind == "catalog" and data.get("settings"):
            # The hall's settings changed (names, windows, the notice): read the catalog again.
            self.lane.run(self.hall.catalog, self._on_new_catalog,
                          lambda exc: log.warning("display: catalog not read after a settings change: %s", exc))
            return
        fresh = self.model.apply_event(kind, data)
        self._announce(fresh)
        self.relayout()

    def _on_status(self, status: str) -> None:
        linked = status == "connected"
        if linked != self.linked:
            self.linked = linked
            self.relayout()

    def _announce(self, calls: list[Call]) -> None:
        """Voice, signs and blinking for calls new to this screen, in call order."""
        for call in calls:
            if self.window is not None and call.window != self.window:
                continue
            self.announced.append(call)
            if self.voice is not None:
                self.voice.announce(call)
            if self.signs is not None:
                self.signs.on_call(call)
        if calls:
            self._blink_start = time.monotonic()
            self._blink_until = self._blink_start + self.settings.blink_seconds

    # -- calls for staff ---------------------------------------------------------------------

    def shows_help(self) -> bool:
        """Whether kiosks' calls for staff show here: on the board and a guide desk's screen."""
        return self.window is None or self.model.window_kind(self.window) == "desk"

    def _on_help(self, kind: str, data: dict) -> None:
        notice = self.help.take(kind, data) if self.shows_help() else None
        if notice is None:  # another device event, a replayed or stale call, or not a desk
            return
        self.helped.append(notice)
        if self.voice is not None:
            self.voice.chime(notice)
        self._help_changed()

    def _help_changed(self) -> None:
        """The calls for staff changed: the desks' signs follow, the screen is laid out."""
        if self.signs is not None:
            self.signs.show_help(self.help.devices, self._desks(self.signs.lang))
        self.relayout()

    def _desks(self, lang: str) -> dict[int, str]:
        """The guide desks whose signs this screen drives (all on the board), with names."""
        catalog = self.model.catalog
        numbers = [self.window] if self.window is not None else \
            [w.number for w in (catalog.windows if catalog else []) if w.kind == "desk"]
        return {n: self.model.window_name(n, lang) for n in numbers}

    def _second(self) -> None:
        """Once a second: calls for staff shown long enough go; the clock moves on."""
        if self.help.expire():
            self._help_changed()
        else:
            self.relayout()

    # -- drawing -----------------------------------------------------------------------------

    def relayout(self) -> None:
        """Lay the model out on the matrix (runs change only where their text changed)."""
        if self.window is None:
            lay_out_board(self.matrix, self.model, datetime.now(self.tz), linked=self.linked,
                          lang=self.lang, helping=self.help.devices)
        else:
            lay_out_window(self.matrix, self.model, self.window, linked=self.linked, lang=self.lang,
                           helping=self.help.devices)

    def set_language(self, lang: str) -> None:
        """Show the board in ``lang`` (``zh`` or ``en``)."""
        self.lang = lang if lang in LANGS else "zh"
        self.relayout()

    def frame(self) -> None:
        """One animation step: scroll by a dot, blink while a new call is fresh."""
        self.matrix.tick()
        now = time.monotonic()
        blinking = now < self._blink_until
        self.matrix.set_blink(not blinking or ((now - self._blink_start) % BLINK_PERIOD)
                              < BLINK_PERIOD * 0.6)

    def snapshot(self):  # noqa: ANN201 - QPixmap
        """The screen as a pixmap with blinking runs lit (screenshots should show the call)."""
        self.matrix.set_blink(True)
        return self.grab()

    def shown_numbers(self) -> list[str]:
        """Ticket numbers on screen now, newest first (tests, the demo)."""
        return [c.number for c in reversed(self.model.recent)]
