"""``kiosk run``: the citizen's full-screen touch kiosk.

The Qt parts, and the core, are imported inside the handler, so ``kiosk --help`` and the other
subcommands stay Qt-free and building the parser loads neither.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from app.cli.common import PROJECT_CONFIG_DIR
from app.cli.core import hour_arg

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``kiosk run``."""
    run = sub.add_parser("run", help="run the citizen's touch kiosk (full screen)")
    run.add_argument("--config", type=Path, default=PROJECT_CONFIG_DIR / "kiosk.toml",
                     help="kiosk file (default: the sample config/kiosk.toml)")
    run.add_argument("--dev", action="store_true",
                     help="standalone hall open at any hour, data in the platform's data folder")
    run.add_argument("--windowed", action="store_true",
                     help="a normal window instead of the locked full screen (development)")
    run.add_argument("--cursor", choices=["auto", "show", "hide"], default="auto",
                     help="mouse cursor; auto hides it when full screen (touch screens)")
    run.add_argument("--data", type=Path, help="data folder (default: the config's data_dir)")
    run.add_argument("--keys", type=Path, help="a standalone kiosk's ID key folder, outside the data folder "
                                               "(default: the user's config folder, hall-kiosk/keys)")
    run.add_argument("--db", metavar="URL",
                     help="a standalone kiosk's hall in this PostgreSQL database (postgresql://user@host/name) "
                          "instead of the SQLite file in the data folder (default: the hall file's [storage])")
    run.add_argument("--backup-dir", type=Path, help="where nightly backups go (default: <data>/backups)")
    run.add_argument("--backup-hour", type=hour_arg, default=2, help="hour of the nightly backup (default 2)")
    run.set_defaults(handler=run_kiosk)


def run_kiosk(args: argparse.Namespace) -> int:
    """Start the kiosk and run until staff close it; exit code 1 on a bad config."""
    from app.kiosk_app import build_kiosk, build_terminal, data_dir_for
    from kiosk.backup import hold_data_dir, start_nightly_backups
    from kiosk.config import ConfigError, load_kiosk_config
    from kiosk.datafile import DataDirError, check_data_dir
    from kiosk.devsecrets import dev_secrets, refusal
    from kiosk.domain import HallError
    from kiosk.logfile import lifetime, log_to_file

    try:
        config = load_kiosk_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    found = [] if args.dev else dev_secrets(config)  # --dev: the sample secrets are expected
    if found:
        print(f"kiosk: {refusal(found, 'kiosk run', args.config)}", file=sys.stderr)
        return 1
    if args.db and config.link.mode != "standalone":
        print(f"kiosk: --db is for a standalone kiosk's own hall; this kiosk uses the hall server at "
              f"{config.link.url}: leave --db out (the server keeps the hall)", file=sys.stderr)
        return 1
    data = data_dir_for(config, args.config, args.data)
    try:
        check_data_dir(data)
    except DataDirError as exc:
        print(f"kiosk: cannot start: {exc.detail}", file=sys.stderr)
        return 1
    log_to_file(data, "kiosk")  # months of running: a rotating file the support bundle takes
    log.info("kiosk %s starting: %s link, data in %s", config.kiosk.id, config.link.mode, data)
    try:
        # The Qt-free half (hall or server link, outbox, printer) before PySide6 is imported:
        # PySide6 reads the source of every module imported after it (looking for ``from
        # __feature__ import``) and keeps it in linecache for the life of the process. Opened
        # first, the standalone hall (SQLAlchemy) costs 12 MB and 50 ms less.
        terminal = build_terminal(config, args.config, data, dev=args.dev, start=False, keys=args.keys,
                                  db=args.db)
    except (ConfigError, HallError, OSError) as exc:  # a bad hall file, a data file that cannot be opened
        print(f"kiosk: cannot start: {exc}", file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    hide = args.cursor == "hide" or (args.cursor == "auto" and not args.windowed)
    try:
        kiosk = build_kiosk(args.config, data_dir=data, dev=args.dev, hide_cursor=hide, terminal=terminal)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    kiosk.window.lock_down(windowed=args.windowed)
    if args.windowed:
        kiosk.window.unlock_exit()  # a development window may be closed normally
    from app.signals import quit_on_signals

    tick = quit_on_signals(app)  # a service manager's stop runs the clean-up below
    hold_data_dir(data)  # `kiosk backup restore` refuses while the kiosk runs
    backups = start_nightly_backups(data, out=args.backup_dir, hour=args.backup_hour)
    try:
        with lifetime("kiosk run", f"kiosk {config.kiosk.id}, data in {data}"):
            return app.exec()
    finally:
        tick.stop()
        backups.stop()
        kiosk.close()
