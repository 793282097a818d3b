"""The citizen's full-screen kiosk window: top bar, screens, idle timeout, lockdown, staff hook.

Staff panels (issue 7) plug in through ``staffRequested`` (a 3-second press in the top-left
corner), ``show_overlay(widget)`` / ``close_overlay()``, ``reset_to_home()``, ``unlock_exit()``
and ``services``.
"""

from __future__ import annotations

import logging
import os
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from drivers.printer import load_renderer
from kiosk.models import Catalog
from ui.i18n import Languages
from ui.kiosk.bootstrap import KioskRuntime, style_sheet, translations_dir
from ui.kiosk.flow import CitizenFlow
from ui.kiosk.home import HomeScreen
from ui.kiosk.results import DoneScreen, MessageScreen, PrintingScreen
from ui.kiosk.screen import Screen, Visit
from ui.kiosk.sms import SmsScreen
from ui.kiosk.steps import BookingScreen, IdentifyScreen, MaterialsScreen, PriorityScreen
from ui.kiosk.widgets import LongPressArea, TouchButton, label

log = logging.getLogger(__name__)


def process_seconds() -> float:
    """Seconds since this process started (Linux: from /proc; elsewhere since import)."""
    try:
        with open("/proc/self/stat") as stat:
            started_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as uptime:
            up = float(uptime.read().split()[0])
        return up - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


_IMPORTED = time.monotonic()

HELP_SHOWN_MS = 60_000
"""How long the bar says staff were called (the hall treats presses within 60 s as one call)."""

INPUT_EVENTS = {QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress,
                QEvent.Type.TouchUpdate, QEvent.Type.Wheel}


class _ActivityFilter(QObject):
    """Any touch, click or key anywhere in the application restarts the idle timer."""

    def __init__(self, on_activity, parent: QObject | None = None):
        super().__init__(parent)
        self.on_activity = on_activity

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() in INPUT_EVENTS:
            self.on_activity()
        return False


class KioskWindow(CitizenFlow, QWidget):
    """The kiosk. Timings may be injected (milliseconds) so tests run fast."""

    staffRequested = Signal()  # noqa: N815 (Qt signal naming)

    def __init__(self, services: KioskRuntime, *, languages: Languages | None = None,
                 idle_ms: int | None = None, elderly_idle_ms: int | None = None,
                 done_ms: int | None = None, retry_ms: int = 5000, refresh_ms: int = 15000,
                 long_press_ms: int = 3000, hide_cursor: bool = False):
        QWidget.__init__(self)
        self.setObjectName("kioskWindow")
        self.setWindowTitle("Hall kiosk")
        self.services = services
        self.config = services.config
        self.catalog: Catalog | None = None
        self.visit: Visit | None = None
        self.elderly = False
        self.elderly_for_visit = False  # switched on by a senior's card, off when the visit ends
        self.exit_unlocked = False
        self._painted = False
        self._usable = False  # a frame showing the services has been painted
        self._timings = {"idle": idle_ms, "elderly_idle": elderly_idle_ms, "done": done_ms}
        app = QApplication.instance()
        self.languages = languages or Languages(app, translations_dir())
        self.language = self.config.kiosk.language
        self.languages.set(self.language)
        self._build(long_press_ms)
        self._timers(retry_ms, refresh_ms)
        self._filter = _ActivityFilter(self.poke, self)
        app.installEventFilter(self._filter)
        if hide_cursor:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
        if services.reader_events is not None:
            services.reader_events.event.connect(self.on_reader_event)
        bridge = getattr(services, "printer_bridge", None)
        if bridge is not None:
            bridge.changed.connect(self.on_printer_changed)
        self.show_screen("home")
        self.refresh_catalog()

    # -- construction ---------------------------------------------------------------------------
    def _build(self, long_press_ms: int) -> None:
        self.root = QWidget(self)
        self.root.setObjectName("kioskRoot")
        self.root.setStyleSheet(style_sheet(False))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.root)
        column = QVBoxLayout(self.root)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._top_bar())
        self.stack = QStackedWidget()
        column.addWidget(self.stack, 1)
        self.screens: dict[str, Screen] = {}
        for cls in (HomeScreen, MaterialsScreen, IdentifyScreen, BookingScreen, PriorityScreen,
                    PrintingScreen, DoneScreen, SmsScreen, MessageScreen):
            screen = cls(self)
            self.screens[cls.name] = screen
            self.stack.addWidget(screen)
        self.corner = LongPressArea(long_press_ms, self)
        self.corner.long_pressed.connect(self.staffRequested)
        self.corner.setGeometry(0, 0, 120, 100)
        self.corner.setProperty("fitOverlay", True)  # an invisible press area over the top bar
        self.corner.raise_()
        self.overlay: QWidget | None = None

    def _top_bar(self) -> QWidget:
        bar = QWidget()
        bar.setObjectName("topBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(32, 10, 24, 10)
        row.setSpacing(18)
        self.hall_name = label("", "hallName", wrap=False)
        # Never widens the window: shown only where it fits (_fit_hall_name).
        self.hall_name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.clock = label("", "clock", wrap=False)
        self.help_button = TouchButton("", "help")
        self.home_button = TouchButton("", "bar")
        self.lang_button = TouchButton("", "bar")
        self.help_button.setObjectName("callStaff")
        self.help_button.clicked.connect(self.call_staff)
        self.home_button.clicked.connect(self.go_home)
        self.lang_button.clicked.connect(self.toggle_language)
        row.addWidget(self.hall_name, 1)
        row.addStretch(0)  # takes the room only where the name is hidden
        row.addWidget(self.clock)
        row.addWidget(self.help_button)
        row.addWidget(self.home_button)
        row.addWidget(self.lang_button)
        return bar

    def _timers(self, retry_ms: int, refresh_ms: int) -> None:
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._idle)
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.setInterval(retry_ms)
        self.retry_timer.timeout.connect(self.refresh_catalog)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(refresh_ms)
        self.refresh_timer.timeout.connect(self._periodic_refresh)
        self.refresh_timer.start()
        self.help_timer = QTimer(self)  # how long the bar says "staff called"
        self.help_timer.setSingleShot(True)
        self.help_timer.setInterval(HELP_SHOWN_MS)
        self.help_timer.timeout.connect(self.topbar_render)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(1000)
        self.clock_timer.timeout.connect(self._tick_clock)
        self.clock_timer.start()

    # -- timings --------------------------------------------------------------------------------
    def idle_ms(self) -> int:
        """The idle timeout now: longer in elderly mode."""
        if self.elderly:
            ms = self._timings["elderly_idle"]
            return ms if ms is not None else int(self.config.kiosk.elderly_idle_timeout_s * 1000)
        ms = self._timings["idle"]
        return ms if ms is not None else int(self.config.kiosk.idle_timeout_s * 1000)

    def done_ms(self) -> int:
        """How long the done screen stays (twice as long in elderly mode)."""
        ms = self._timings["done"]
        ms = ms if ms is not None else int(self.config.kiosk.done_timeout_s * 1000)
        return ms * 2 if self.elderly else ms

    def poke(self) -> None:
        """Citizen activity: restart the idle countdown."""
        if self.screen_name() != "home" and self.overlay is None:
            self.idle_timer.start(self.idle_ms())

    def _idle(self) -> None:
        if self.overlay is not None or self.screen_name() in ("home", "printing", "unavailable"):
            return
        log.info("idle on %s: back home", self.screen_name())
        self.go_home()

    # -- navigation -----------------------------------------------------------------------------
    def screen_name(self) -> str:
        """What the citizen sees: home, materials, identify, booking, priority, printing, done,
        eticket, sms (a mobile number for text reminders), error or unavailable."""
        screen = self.stack.currentWidget()
        if isinstance(screen, MessageScreen):
            return screen.kind
        if isinstance(screen, DoneScreen) and screen.eticket:
            return "eticket"
        return screen.name if screen is not None else ""

    def show_screen(self, name: str) -> None:
        """Switch to the screen called ``name``."""
        current = self.stack.currentWidget()
        screen = self.screens[name]
        if current is not None and current is not screen:
            current.left()
        self.stack.setCurrentWidget(screen)
        reader = self.services.reader
        if reader is not None:
            if name == "identify":
                # A new visit must see a card already lying on the reader: the worker reports a
                # card once per placement, so it is re-armed for this visit.
                reader.start_polling(rearm=True)
            elif name == "home":
                reader.start_polling()  # a staff card opens staff mode from the home screen
            else:
                reader.stop_polling()
        screen.entered()
        self.topbar_render()
        self.guide(self.screen_name())
        self.idle_timer.stop()
        self.poke()

    def show_message(self, kind: str, error: BaseException | None) -> None:
        """An error (``error``) or the hall-unreachable page (``unavailable``)."""
        self.screens["error"].show_error(kind, error)
        self.show_screen("error")

    def go_home(self) -> None:
        """Back to the start: the visit and the card in memory are dropped."""
        if self._issue_pending:
            return  # the hall is issuing; the printing screen moves on by itself
        self.visit = None
        if self.elderly_for_visit:  # the senior's visit is over: the next citizen starts standard
            self.set_elderly(False)
        self.show_screen("home")
        self.refresh_catalog()

    def reset_to_home(self) -> None:
        """Staff hook: abandon the current visit and show home (also clears a pending issue)."""
        self._issue_pending = False
        self.go_home()

    def _periodic_refresh(self) -> None:
        if self.screen_name() == "home":
            self.refresh_catalog()

    # -- languages and modes --------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        """Switch every screen to ``zh`` or ``en`` live."""
        self.language = language
        self.languages.set(language)
        self.topbar_render()
        for screen in self.screens.values():
            screen.render()

    def toggle_language(self) -> None:
        """The one-touch language button."""
        self.set_language("en" if self.language == "zh" else "zh")

    def toggle_elderly(self) -> None:
        """The citizen's button: elderly mode on or off."""
        self.set_elderly(not self.elderly)

    def set_elderly(self, on: bool, *, for_visit: bool = False) -> None:
        """Elderly mode: larger text, higher contrast, fewer tiles per page, longer timeouts.
        ``for_visit``: switched on by a senior's card, for the rest of this visit only."""
        self.elderly_for_visit = on and for_visit
        if on == self.elderly:
            return
        self.elderly = on
        self.root.setStyleSheet(style_sheet(self.elderly))
        self.screens["home"].page = 0
        self.stack.currentWidget().render()
        self.topbar_render()
        self.poke()
        self.guide(self.screen_name())

    def guide(self, screen: str) -> None:
        """Read ``screen``'s guidance aloud when the kiosk's voice_guidance asks for it: always,
        or in elderly mode."""
        mode, guide = self.config.kiosk.voice_guidance, self.services.guide
        if guide is not None and (mode == "always" or mode == "elderly" and self.elderly):
            guide.say(screen, self.language)

    def call_staff(self) -> None:
        """The citizen's "call staff" button, on every screen: staff are alerted here at once and
        the hall is told (the guide desk's screens and signs show it); the bar says so."""
        screen = self.screen_name()
        self.services.alerts.raise_alert(
            "help_requested", f"a citizen at this kiosk asks for help (screen: {screen})", "warning")
        if not self.help_timer.isActive():
            terminal = self.services.terminal
            self.services.hall_lane.run(lambda: terminal.request_help(screen))
        self.help_timer.start()
        self.topbar_render()
        self.guide("help")

    def topbar_render(self) -> None:
        """Hall name, clock and the bar's buttons in the current language."""
        name = getattr(self.catalog.hall.name, self.language) if self.catalog else ""
        self.hall_name.setText(name)
        self.help_button.setText(self.tr("Staff called ✓") if self.help_timer.isActive()
                                 else self.tr("Call staff"))
        self.home_button.setText(self.tr("Home"))
        self.home_button.setVisible(self.screen_name() not in ("home", "printing", "unavailable"))
        # The button names the other language in that language, so a citizen can find it.
        self.lang_button.setText("English" if self.language == "zh" else "中文")
        self._tick_clock()
        self._fit_hall_name()

    def _fit_hall_name(self) -> None:
        """The hall's name shows only where it fits on one line beside the bar's buttons: on a
        narrow screen in elderly mode the buttons matter more (a citizen knows where they are)."""
        bar = self.hall_name.parentWidget()
        row = bar.layout()
        others = sum(w.sizeHint().width() + row.spacing() for w in (self.clock, self.help_button,
                     self.home_button, self.lang_button) if not w.isHidden())
        margins = row.contentsMargins()
        room = bar.width() - margins.left() - margins.right() - others - row.spacing()  # the stretch
        self.hall_name.setVisible(bool(self.hall_name.text()) and self.hall_name.sizeHint().width() <= room)

    def apply_config(self, config) -> None:  # noqa: ANN001 - a KioskConfig
        """Use a saved configuration at once: idle and done timeouts, the elderly age threshold
        and the start language are read from it at each use. Device and hall settings need a
        restart (the technician panel says which)."""
        self.config = config
        self.services.config = config
        self.poke()

    def _tick_clock(self) -> None:
        # The hall's time, online or offline, whatever zone the kiosk's own clock is set to.
        self.clock.setText(self.services.terminal.hall_time().strftime("%H:%M"))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().paintEvent(event)
        if not self._painted:
            # The moment a citizen first sees the kiosk: logged once (the start benchmark and
            # the log file both read it).
            self._painted = True
            log.info("kiosk first frame %.2f s after the process started", process_seconds())
        if not self._usable and self.catalog is not None and self.screen_name() == "home":
            # The first frame a citizen can use: the services are on it (the start benchmark
            # reads this line too).
            self._usable = True
            log.info("kiosk first usable frame %.2f s after the process started", process_seconds())
            if self.services.terminal.printer is not None:
                # The ticket renderer (python-escpos, Pillow) was left out of the start: loaded
                # now, on the printer's lane, while the citizen reads the screen.
                self.services.printer_lane.run(load_renderer)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.LanguageChange:
            self.topbar_render()
        super().changeEvent(event)

    # -- staff hook -----------------------------------------------------------------------------
    def show_overlay(self, widget: QWidget) -> None:
        """Show a full-screen staff panel over the citizen screens (idle timeout paused)."""
        self.close_overlay()
        self.services.alerts.clear("help_requested")  # staff are here
        self.help_timer.stop()
        self.overlay = widget
        widget.setParent(self)
        widget.setGeometry(self.rect())
        widget.show()
        widget.raise_()
        self.idle_timer.stop()

    def close_overlay(self) -> None:
        """Remove the staff panel, if any."""
        if self.overlay is not None:
            self.overlay.hide()
            self.overlay.setParent(None)
            self.overlay = None
            self.poke()

    def unlock_exit(self, unlocked: bool = True) -> None:
        """Staff (after the PIN) allow the window to be closed."""
        self.exit_unlocked = unlocked

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self._fit_hall_name()
        if self.overlay is not None:
            self.overlay.setGeometry(self.rect())
        self.corner.raise_()
        if self.overlay is not None:
            self.overlay.raise_()
        if self.screen_name() == "home":
            self.screens["home"].render()

    # -- lockdown -------------------------------------------------------------------------------
    def lock_down(self, windowed: bool = False) -> None:
        """Full screen, frameless, on top, on the whole of its screen even without a window
        manager (and again after a monitor change); ``windowed`` for development."""
        from ui.calling.screens import ScreenKeeper

        if windowed:
            self.resize(1280, 1024)
            self.show()
            return
        self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        self.screen_keeper = ScreenKeeper(self, 0)
        self.screen_keeper.place()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt naming)
        if not self.exit_unlocked:
            event.ignore()  # Alt+F4 and the like: the kiosk stays up without the staff PIN
            return
        self.stop()
        event.accept()

    def stop(self) -> None:
        """Stop every timer and the activity filter: no hall call may start after the lanes
        are shut down (on exit)."""
        QApplication.instance().removeEventFilter(self._filter)
        for timer in (self.idle_timer, self.retry_timer, self.refresh_timer, self.clock_timer,
                      self.help_timer):
            timer.stop()


