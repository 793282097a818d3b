"""The one wiring of the citizen kiosk.

``kiosk run``, the demo, the tests and the benchmarks all get their kiosk from ``build_kiosk``:
the kiosk file read and checked, the hall (in-process for a standalone kiosk, else the server),
the printer and the card reader the file names, the issuing pipeline with its durable outbox and
offline range, the lanes that own each device, the staff alerts, the window and its staff mode.
What differs between them is only what they pass in: the kiosk file (tests write one with
simulated devices), the data folder, and, for tests, a fake clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from drivers.printer import PrinterError, open_printer
from kiosk.clock import Clock
from kiosk.config import KioskConfig, load_kiosk_config
from kiosk.hall import open_hall
from kiosk.terminal import KioskTerminal, open_terminal

log = logging.getLogger(__name__)


@dataclass
class KioskApp:
    """A built kiosk: what ``kiosk run`` shows and what tests drive."""

    config_path: Path
    config: KioskConfig
    data_dir: Path
    terminal: KioskTerminal
    services: object  # ui.kiosk.KioskRuntime
    window: object  # ui.kiosk.KioskWindow
    staff: object  # ui.staff.entry.StaffEntry

    def close(self) -> None:
        """Stop the window's and staff mode's timers, the device threads, the lanes and the
        outbox sender; close the outbox."""
        self.window.stop()
        self.staff.controller.stop()
        self.services.close()


def data_dir_for(config: KioskConfig, config_path: Path, data: Path | None = None) -> Path:
    """Where the kiosk keeps its outbox, logs and (standalone) hall: ``data``, else the kiosk
    file's ``data_dir`` (relative to the file), else the platform's data folder."""
    from app.cli.common import default_data_dir

    if data is not None:
        return Path(data)
    if config.kiosk.data_dir:
        path = Path(config.kiosk.data_dir)
        return path if path.is_absolute() else config_path.parent / path
    return default_data_dir(f"kiosk-{config.kiosk.id}")


def printer_from_config(config: KioskConfig):
    """The configured printer, or None when ``uri`` is empty (a kiosk without one) or the
    ``[printer]`` table is unusable (logged): the kiosk then shows every ticket as an e-ticket
    and staff see the printer as missing."""
    if not config.printer.uri:
        log.info("no printer configured: every ticket is shown as an e-ticket")
        return None
    try:
        return open_printer(config.printer)
    except (PrinterError, ValueError) as exc:
        log.warning("printer not usable: %s", exc)
        return None


FROM_CONFIG = "from config"


def build_terminal(config: KioskConfig, config_path: Path, data_dir: Path, *, dev: bool = False,
                   clock: Clock | None = None, printer=FROM_CONFIG, hall=None,
                   start: bool = True, keys: Path | None = None, db: str | None = None) -> KioskTerminal:
    """The Qt-free pipeline alone (``kiosk issue``, ``kiosk sync``, benchmarks of the core):
    the hall the file points at, the file's printer (or ``printer``: another one, or None for
    none), the outbox and the offline plan. A standalone kiosk's in-process hall keeps its ID
    keys in the folder ``keys`` (default: the user's config folder, ``kiosk.idkeys``), never in
    ``data_dir``, and its hall in the PostgreSQL database ``db`` when given."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if hall is None:
        hall = open_hall(config, config_path.parent, data_dir, dev=dev, clock=clock, keys=keys, db=db)
    if printer is FROM_CONFIG:
        printer = printer_from_config(config)
    return open_terminal(config, config_path.parent, data_dir, hall, printer, dev=dev,
                         clock=clock.now if clock else None, start=start)


def build_kiosk(config_path: Path | str, *, data_dir: Path | None = None, dev: bool = False,
                clock: Clock | None = None, hall=None, languages=None, hide_cursor: bool = False,
                terminal: KioskTerminal | None = None, keys: Path | None = None, **window_options) -> KioskApp:
    """Build the whole kiosk from its file; raises ``ConfigError`` for a bad file.

    ``hall`` is a hall already open in this process, shared with other windows (the demo runs
    kiosk, board and counter over one; tests look into it); None opens the one the file names.
    ``terminal`` is the pipeline ``build_terminal(..., start=False)`` made from the same file
    (``kiosk run`` opens it before importing Qt); None builds it here. Its outbox sender starts
    here, once the staff alerts listen to it (a link lost or an offline ticket refused before
    that would never reach staff: the link tells only of changes).
    ``keys`` is the key folder of a standalone kiosk's in-process hall (``build_terminal``).
    ``window_options`` are the window's timings (tests shorten them); ``languages`` lets tests
    share one set of compiled translations.
    """
    config_path = Path(config_path)
    config = load_kiosk_config(config_path)
    data = data_dir_for(config, config_path, data_dir)
    if terminal is None:
        terminal = build_terminal(config, config_path, data, dev=dev, clock=clock, hall=hall, start=False,
                                  keys=keys)
    from ui.kiosk import KioskWindow
    from ui.staff.entry import attach

    services = build_services(config, config_path, terminal, data)
    terminal.start()
    window = KioskWindow(services, languages=languages, hide_cursor=hide_cursor, **window_options)
    staff = attach(window, services, dev=dev, **({"clock": clock.now} if clock else {}))
    return KioskApp(config_path, config, data, terminal, services, window, staff)


def build_services(config: KioskConfig, config_path: Path, terminal: KioskTerminal, data_dir: Path):
    """The container the kiosk's screens and staff panels share: the pipeline, one lane per
    device, the alerts, the reader on its own thread, and the bridges that carry the device
    threads' news to the GUI thread."""
    from drivers.idcard import ReaderWorker
    from kiosk.device_reporter import reader_listener
    from ui.kiosk.bootstrap import KioskRuntime, LinkBridge, PrinterBridge, ReaderBridge
    from ui.ops import Lane
    from ui.services import AlertCenter

    runtime = KioskRuntime(config=config, config_path=config_path, hall=terminal.hall, terminal=terminal,
                           hall_lane=Lane("hall"), printer_lane=Lane("printer"), alerts=AlertCenter(),
                           data_dir=data_dir)
    runtime.device_states["printer"] = "configured" if terminal.printer is not None else "missing"
    link = LinkBridge(runtime.alerts)
    terminal.link.listeners.append(link.changed.emit)
    if not terminal.link.online:  # lost before the window was built: the link tells only changes
        link.changed.emit(False, terminal.link.last_error)
    terminal.sender.rejected_listeners.append(link.rejected.emit)
    runtime.link_bridge = link
    printed = PrinterBridge(runtime)
    terminal.print_listeners.append(printed.printed.emit)
    runtime.printer_bridge = printed
    if terminal.printer is not None:
        runtime.printer_watch = watch_printer(terminal, printed.watched.emit)
    runtime.guide = voice_guide(config)
    uri = config.id_reader.uri
    if uri:
        bridge = ReaderBridge()
        # The reporter hears the reader's losses and returns on its thread, before the GUI does.
        terminal.reporter.set_part("reader", "ok")  # until the reader's thread says otherwise
        runtime.reader = ReaderWorker(uri, reader_listener(terminal.reporter, bridge.event.emit),
                                      poll_interval=config.id_reader.poll_interval_s)
        runtime.reader_events = bridge
        runtime.device_states["reader"] = "starting"
        runtime.reader.start()
    else:
        runtime.device_states["reader"] = "missing"
    return runtime


def printer_gone(error) -> bool:  # noqa: ANN001 - a drivers.printer.PrinterError or None
    """Whether a failed print means the printer itself is away (unplugged, switched off, its
    line dead or silent), so it must be looked for again; not a printer that answered (paper
    out, cover open), whose state the status reports already follow."""
    from drivers.printer import PrinterNotResponding, PrinterUnavailable, PrintTimeout

    return isinstance(error, PrinterUnavailable | PrintTimeout | PrinterNotResponding)


def watch_printer(terminal: KioskTerminal, tell_gui):  # noqa: ANN001, ANN201 - tell_gui(what, status)
    """A ``PrinterWatch`` on the terminal's printer, started by a print that finds the printer
    gone and ended by its return or by a ticket that prints. Its news goes to the hall's
    status report (``reconnecting``: the printer stays offline, the detail says so; back: the
    state read) and, through ``tell_gui``, to the staff alerts and the home screen."""
    from drivers.printer.watch import BACK, PrinterWatch
    from kiosk.device_reporter import printer_part

    reporter = terminal.reporter

    def changed(what: str, status) -> None:  # noqa: ANN001 - a PrinterStatus, on the watch's thread
        if what == BACK:
            reporter.set_part("printer", *printer_part(status))
        else:
            reporter.set_part("printer", "offline", f"reconnecting: {status.detail}")
        tell_gui(what, status)

    watch = PrinterWatch(terminal.printer, changed)

    def after_print(outcome) -> None:  # noqa: ANN001 - an IssueOutcome, on the printer's lane
        if outcome.printed:
            watch.printed()
        elif printer_gone(outcome.print_error):
            watch.lost()

    terminal.print_listeners.append(after_print)
    terminal.printer_watch = watch
    return watch


def voice_guide(config: KioskConfig):
    """The voice that reads screens aloud, when ``voice_guidance`` asks for one and the kiosk has
    somewhere to play it (None otherwise, logged)."""
    if config.kiosk.voice_guidance == "off" or config.voice.backend == "silent":
        return None
    from drivers.voice.guide import Guide
    from ui.calling.voice import clip_library, sink_for

    sink = sink_for(config.voice)
    if sink is None:
        log.warning("voice guidance off: no audio player (aplay, paplay, play) on this machine")
        return None
    return Guide(clip_library(config.voice), sink)
