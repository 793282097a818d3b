"""Start-up of ``kiosk display``, ``kiosk counter`` and ``kiosk rate``: the hall, the devices, the window.

The hall is a server (``--server URL --token T``, or the config's ``[link]``) or in-process over
the kiosk's data folder (standalone; ``--dev`` uses the sample hall, always open). Voice and LED
signs come from the kiosk config; both fall back to doing nothing rather than failing.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from app.signals import quit_on_signals
from kiosk.client import HallClient, ca_path
from kiosk.config import HallConfig, KioskConfig, Policy, load_hall_config, load_kiosk_config
from kiosk.device_reporter import StatusReporter, sign_probe
from kiosk.hall import open_hall

log = logging.getLogger(__name__)

DISPLAY_WINDOWED = (1280, 720)
COUNTER_WINDOWED = (640, 720)
RATING_WINDOWED = (800, 480)


@dataclass
class Setup:
    """What both programs need: the kiosk config, the hall, and the hall file if readable."""

    config: KioskConfig
    hall: object
    hall_config: HallConfig | None

    @property
    def recall_limit(self) -> int:
        """The hall policy's recall limit (the default where the hall file is not at hand)."""
        return (self.hall_config.policy if self.hall_config else Policy()).recall_limit

    @property
    def tz(self) -> ZoneInfo | None:
        """The hall's time zone, or None for the machine's own."""
        return ZoneInfo(self.hall_config.hall.timezone) if self.hall_config else None


def setup(config_path: Path, data_dir: Path, *, server: str | None, token: str | None,
          dev: bool, role: str) -> Setup:
    """Read the config and open the hall; raises ConfigError on a bad config."""
    config = load_kiosk_config(config_path)
    hall_path = Path(config.kiosk.hall_config)
    if not hall_path.is_absolute():
        hall_path = config_path.parent / hall_path
    try:
        hall_config = load_hall_config(hall_path)
    except Exception as exc:  # a server-linked device may not have the hall file: fine
        log.info("hall file %s not read (%s); using defaults", hall_path, exc)
        hall_config = None
    if server:
        hall = HallClient(server, token or f"dev-{role}", config.link.timeout_s,
                          ca_path(config.link.ca_file, config_path.parent))
    else:
        hall = open_hall(config, config_path.parent, data_dir, dev=dev)
    return Setup(config, hall, hall_config)


def run_display(s: Setup, *, window: int | None, windowed: bool, lang: str | None = None) -> int:
    """Show the calling screen (in ``lang``, else the kiosk file's language) until it is closed."""
    from PySide6.QtWidgets import QApplication

    from drivers.sign import SignUriError
    from ui.calling.display import CallingDisplay
    from ui.calling.screens import ScreenKeeper
    from ui.calling.signs import SignFollower
    from ui.calling.tts import QtSpeechBackend
    from ui.calling.voice import CallVoice, choose_backend

    app = QApplication.instance() or QApplication(sys.argv)
    voice = CallVoice(choose_backend(s.config.voice, qt_factory=QtSpeechBackend.create), s.config.voice)
    try:
        signs = SignFollower.from_config(s.config.signs)
    except SignUriError as exc:
        log.warning("LED signs disabled: %s", exc)
        signs = None
    display = CallingDisplay(s.hall, s.config.display, window=window, voice=voice, signs=signs, tz=s.tz,
                             lang=lang or s.config.kiosk.language)
    keeper = ScreenKeeper(display, s.config.display.screen, windowed=windowed)
    buses = [bus for bus, _addresses in signs.buses] if signs is not None else []
    return _run_placed(app, display, keeper, DISPLAY_WINDOWED if windowed else None,
                       status_reporter(s, "display", window=window, sign_buses=buses))


def run_counter(s: Setup, *, window: int, windowed: bool = False) -> int:
    """Show the clerk's caller (full screen on the primary screen, unless ``windowed``) until
    it is closed."""
    from PySide6.QtWidgets import QApplication

    from ui.calling.counter import CounterWindow
    from ui.calling.screens import PRIMARY, ScreenKeeper
    from ui.i18n import Languages

    app = QApplication.instance() or QApplication(sys.argv)
    languages = Languages(app)
    languages.set(s.config.kiosk.language)
    counter = CounterWindow(s.hall, window, recall_limit=s.recall_limit, languages=languages,
                            help_seconds=s.config.display.help_seconds)
    keeper = ScreenKeeper(counter, PRIMARY, windowed=windowed)
    return _run_placed(app, counter, keeper, COUNTER_WINDOWED if windowed else None,
                       status_reporter(s, "counter", window=window))


def run_rating(s: Setup, *, window: int, windowed: bool = False, lang: str | None = None,
               idle_s: float = 60.0) -> int:
    """Show the window's evaluator (full screen on the primary screen, unless ``windowed``)
    until it is closed."""
    from PySide6.QtWidgets import QApplication

    from ui.calling.screens import PRIMARY, ScreenKeeper
    from ui.rating.pad import RatingPad

    app = QApplication.instance() or QApplication(sys.argv)
    pad = RatingPad(s.hall, window, lang=lang or s.config.kiosk.language, idle_s=idle_s)
    keeper = ScreenKeeper(pad, PRIMARY, windowed=windowed)
    return _run_placed(app, pad, keeper, RATING_WINDOWED if windowed else None,
                       status_reporter(s, "rate", window=window))


def status_reporter(s: Setup, program: str, *, window: int | None = None,
                    sign_buses: list | None = None) -> StatusReporter:
    """The program's reports of its version and last seen to the hall (kiosk.device_reporter),
    with its LED sign buses' state where it drives some. A server names the device by its
    token; an in-process hall by this machine's kiosk id, or the window."""
    probes = [sign_probe(sign_buses)] if sign_buses else []
    return StatusReporter(s.hall, program, device=s.config.kiosk.id, window=window,
                          interval_s=s.config.link.report_interval_s, probes=probes)


def _run_placed(app, widget, keeper, windowed_size: tuple[int, int] | None,  # noqa: ANN001
                reporter: StatusReporter) -> int:
    """Place ``widget`` on its screen (or as a window of ``windowed_size``) with its
    diagnostics panel, start it and its status reporter, run the event loop until it is closed or the program is told to stop,
    then stop them."""
    from ui.diagnostics import attach_diagnostics

    if windowed_size is not None:
        widget.resize(*windowed_size)
    attach_diagnostics(widget, reporter.program, reporter)  # F12: versions and devices
    keeper.place()
    widget.start()
    reporter.start()  # its own thread: a hall that does not answer never stalls the screen
    tick = quit_on_signals(app)  # a service manager's stop still runs stop() below
    code = app.exec()
    tick.stop()
    reporter.stop(timeout=1.0)
    widget.stop()
    return code
