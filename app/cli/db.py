"""``kiosk db upgrade``, ``kiosk db status`` and ``kiosk db copy``: the hall database's schema
revision (kiosk.migrations) and a SQLite hall moved into PostgreSQL (kiosk.dbcopy)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import DB_HELP, default_data_dir, fail, hall_store
from kiosk.domain import HallError

DATA_HELP = "the hall server's data folder, holding hall.db (default: the server's usual folder)"


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``kiosk db`` and its subcommands."""
    parser = sub.add_parser("db", help="the hall database: schema revision, upgrade, copy to PostgreSQL")
    db_sub = parser.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="bring the hall database's schema up to this version")
    status = db_sub.add_parser("status", help="show the hall database's schema revision (changes nothing)")
    for command, handler in ((upgrade, run_upgrade), (status, run_status)):
        where = command.add_mutually_exclusive_group()
        where.add_argument("--data", type=Path, help=DATA_HELP)
        where.add_argument("--db", metavar="URL", help=DB_HELP)
        command.set_defaults(handler=handler)
    copy = db_sub.add_parser("copy", help="copy a SQLite hall into an empty PostgreSQL database")
    copy.add_argument("--data", type=Path, help=DATA_HELP)
    copy.add_argument("--to", required=True, metavar="URL",
                      help="the empty PostgreSQL database (postgresql://user@host/name)")
    copy.set_defaults(handler=run_copy)


def _where(store) -> str:  # noqa: ANN001 - a kiosk.store.Store
    return store.url or str(store.path)


def _unreachable(exc: Exception, shown: str) -> int:
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()
    return fail(f"cannot reach the hall database {shown}: {reason[0] if reason else type(exc).__name__}; "
                "check that PostgreSQL runs there, the database exists and the user may use it")


def run_upgrade(args: argparse.Namespace) -> int:
    """Open the hall database, which brings it up to this version; print from → to."""
    try:
        store = hall_store(args.data, existing=True, db=args.db)
    except HallError as exc:
        return fail(exc.detail)
    try:
        before, after = store.upgraded
        if before == after:
            print(f"hall database {_where(store)}: already at revision {after}, nothing to do")
        else:
            print(f"hall database {_where(store)}: upgraded from {before} to {after}")
        return 0
    finally:
        store.close()


def _connect(data: Path | None, db: str | None):  # noqa: ANN202 - a kiosk.store.Store, not migrated
    from kiosk.store import Store

    if db:
        return Store(db, migrate=False)
    path = Path(data or default_data_dir("server")) / "hall.db"
    if not path.is_file():
        raise HallError("not_found", f"no hall database at {path}; give the hall server's folder with --data")
    return Store(path, migrate=False)


def run_status(args: argparse.Namespace) -> int:
    """Print the stored revision, this version's head and what an upgrade would do."""
    from sqlalchemy.exc import DBAPIError

    from kiosk.migrations import pending, status

    try:
        store = _connect(args.data, args.db)
    except HallError as exc:
        return fail(exc.detail)
    try:
        with store.read() as conn:
            found = status(conn)
    except DBAPIError as exc:
        return _unreachable(exc, _where(store))
    finally:
        store.close()
    steps = pending(found)
    print(f"hall database {_where(store)}: revision {found.shown}; this version's head: {found.head}")
    if steps is None:
        return fail(f"the hall database was written by a newer version (revision {found.revision}); "
                    "install that version or newer")
    if found.up_to_date:
        print("up to date")
    else:
        print(f"to apply: {', '.join(steps)} (kiosk db upgrade, or the next start of the server)")
    return 0


def run_copy(args: argparse.Namespace) -> int:
    """Copy the SQLite hall of ``--data`` into the empty database ``--to``; print each table's
    row counts and checksums side by side; exit 1 on any difference."""
    from sqlalchemy.exc import DBAPIError

    from kiosk.backup import in_use
    from kiosk.dbcopy import check_tables, copy_hall
    from kiosk.store import Store

    data = Path(args.data or default_data_dir("server"))
    holder = in_use(data)
    if holder:
        return fail(f"a program ({holder}) is running with {data}: stop kiosk serve (or kiosk run) first, "
                    "so that nothing is written to the hall after the copy")
    try:
        source = hall_store(data, existing=True)
        target = Store(args.to, data_dir=data, migrate=False)
    except HallError as exc:
        return fail(exc.detail)
    try:
        if source.upgraded[0] != source.upgraded[1]:
            print(f"{source.path}: upgraded from {source.upgraded[0]} to {source.upgraded[1]} first")
        copied = copy_hall(source, target)
        checks = check_tables(source, target)
    except HallError as exc:
        return fail(exc.detail)
    except DBAPIError as exc:
        return _unreachable(exc, target.url)
    finally:
        source.close()
        target.close()
    return _report(checks, copied, target.url, data)


def _report(checks, copied: int, shown: str, data: Path) -> int:  # noqa: ANN001 - list[kiosk.dbcopy.TableCheck]
    width = max(len(c.table) for c in checks)
    print(f"{'table':<{width}}  {'sqlite rows':>11}  {'postgresql rows':>15}  {'sqlite checksum':<16}  "
          f"{'postgresql checksum':<19}")
    for c in checks:
        print(f"{c.table:<{width}}  {c.source_rows:>11}  {c.target_rows:>15}  {c.source_sum:<16}  "
              f"{c.target_sum:<19}  {'ok' if c.same else 'DIFFERENT'}")
    wrong = [c.table for c in checks if not c.same]
    if wrong:
        return fail(f"the copy in {shown} differs from the SQLite hall in {', '.join(wrong)}: do not use it; "
                    "drop that database, make a new empty one and copy again")
    print(f"copied {copied} rows of {len(checks)} tables into {shown}: every count and checksum agrees")
    print(f"serve it with: kiosk serve --db {shown} --data {data} (and the same ID key folder, --keys)")
    return 0
