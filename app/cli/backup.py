"""``kiosk backup create`` and ``kiosk backup restore``: copies of hall.db / outbox.db."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import fail as _fail

KEEP = 14
"""``kiosk.backup.KEEP``, repeated so that building the command line loads no backup code."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``kiosk backup create|restore``."""
    backup = sub.add_parser("backup", help="back up or restore the data files of a server or kiosk")
    backup_sub = backup.add_subparsers(dest="backup_command", required=True)
    create = backup_sub.add_parser("create", help="back up hall.db and/or outbox.db now (safe while running)")
    create.add_argument("--data", type=Path, required=True, help="data folder of the server or kiosk")
    create.add_argument("--out", type=Path, help="backup folder (default: <data>/backups)")
    create.add_argument("--keep", type=int, default=KEEP, help=f"newest backups kept per file (default {KEEP})")
    create.set_defaults(handler=run_create)
    back = backup_sub.add_parser("restore", help="put a backup back (the program must be stopped)")
    back.add_argument("--data", type=Path, required=True, help="data folder of the server or kiosk")
    back.add_argument("--from", dest="source", type=Path, required=True, help="the backup file")
    back.set_defaults(handler=run_restore)


def run_create(args: argparse.Namespace) -> int:
    """Make the backups; print each file made."""
    from kiosk.backup import BackupError, create_backups
    from kiosk.datafile import DataDirError

    if args.keep < 1:
        return _fail("--keep must be at least 1")
    try:
        if not args.data.is_dir():
            raise DataDirError(f"the data folder {args.data} does not exist or is not a folder; give "
                               "the folder of a hall server or kiosk with --data.")
        made = create_backups(args.data, args.out, keep=args.keep)
    except (BackupError, DataDirError) as exc:
        return _fail(exc.detail)
    for path in made:
        print(f"backed up to {path}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Restore a backup; print what was done."""
    from kiosk.backup import BackupError, restore
    from kiosk.datafile import DataDirError, check_data_dir

    try:
        check_data_dir(args.data)
        done = restore(args.data, args.source)
    except (BackupError, DataDirError) as exc:
        return _fail(exc.detail)
    except OSError as exc:
        return _fail(f"the restore stopped: {exc}. Nothing was deleted; check {args.data}.")
    for line in done:
        print(line)
    return 0
