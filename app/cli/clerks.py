"""``kiosk clerks add | list | disable``: the hall's clerks (DESIGN.md §4 Clerks)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app.cli.common import DB_HELP, HALL_HELP, ask_pin_twice, hall_store
from app.cli.common import fail as _fail


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``kiosk clerks`` and its subcommands."""
    clerks = sub.add_parser("clerks", help="manage the clerks who sign in at the windows")
    clerks_sub = clerks.add_subparsers(dest="clerks_command", required=True)
    add = clerks_sub.add_parser("add", help="register a clerk; asks the PIN twice (not shown)")
    add.add_argument("--code", required=True, help="the clerk's 工号 (letters, digits, - and _)")
    add.add_argument("--name", required=True, help="the name the window's screen shows")
    add.add_argument("--photo", type=Path, help="the clerk's photo, a PNG or JPEG of at most 2 MB (optional): "
                                                "copied into the data folder's clerk-photos/, which the server "
                                                "serves to the window's screens")
    add.add_argument("--pin-stdin", action="store_true", help="read the PIN from the first line of standard "
                                                                "input (scripts) instead of asking twice")
    add.add_argument("--card-stdin", action="store_true", help="also register the clerk's staff card: its "
                                                                 "number is read from the next line of standard input "
                                                                 "and kept only as a salted hash")
    add.add_argument("--data", type=Path, help="folder of the hall database (as for kiosk serve)")
    add.add_argument("--db", metavar="URL", help=DB_HELP)
    add.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    add.set_defaults(handler=run_add)

    listing = clerks_sub.add_parser("list", help="list the clerks: 工号, name, window, state")
    listing.add_argument("--data", type=Path)
    listing.add_argument("--db", metavar="URL", help=DB_HELP)
    listing.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    listing.set_defaults(handler=run_list)

    disable = clerks_sub.add_parser("disable", help="disable a clerk; one signed in is signed out")
    disable.add_argument("code", help="the clerk's 工号")
    disable.add_argument("--data", type=Path)
    disable.add_argument("--db", metavar="URL", help=DB_HELP)
    disable.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    disable.set_defaults(handler=run_disable)


def _read_pin(from_stdin: bool) -> str:
    """The PIN, from standard input's first line or asked twice without echo (ValueError)."""
    if from_stdin:
        return sys.stdin.readline().strip()
    return ask_pin_twice()


def _read_photo(path: Path | None) -> bytes | None:
    """The checked bytes of the photo file ``path`` (ValueError saying what is wrong), or None."""
    if path is None:
        return None
    from kiosk.clerk_photos import read_photo

    return read_photo(path.expanduser())


def _read_card(wanted: bool) -> str | None:
    """The staff card's entry (a salted hash) from the next line of standard input, or None."""
    if not wanted:
        return None
    from kiosk.idkeys import staff_card_entry
    from kiosk.privacy import id_checksum_ok, normalise_id

    number = normalise_id(sys.stdin.readline().strip())
    if not id_checksum_ok(number):
        raise ValueError("the staff card's number is not a valid ID number (18 characters, check digit last)")
    return staff_card_entry(number)


def run_add(args: argparse.Namespace) -> int:
    """Register a clerk; only the PIN's hash is stored."""
    from pydantic import ValidationError

    from kiosk.clerk_models import NewClerk
    from kiosk.clerk_photos import save_photo, stored_name
    from kiosk.clerks import add_clerk
    from kiosk.domain import HallError

    try:
        photo = _read_photo(args.photo)  # checked before any PIN is asked for
        pin = _read_pin(args.pin_stdin)
        stored = stored_name(args.code, photo) if photo is not None else None
        new = NewClerk(code=args.code, name=args.name, pin=pin, photo=stored)
        card = _read_card(args.card_stdin)
        store = hall_store(args.data, db=args.db, hall=args.hall)
        info = add_clerk(store, new, time.time(), actor="kiosk clerks add", card_entry=card)
        if photo is not None:  # written once the clerk exists: a taken 工号 keeps its owner's photo
            save_photo(store.data_dir, stored, photo)
    except ValidationError as exc:
        wrong = exc.errors()[0]
        field = ".".join(str(p) for p in wrong["loc"]) or "value"
        hint = "a PIN is 4 to 12 digits" if field == "pin" else wrong["msg"]
        return _fail(f"{field}: {hint}")
    except ValueError as exc:
        return _fail(str(exc))
    except HallError as exc:
        return _fail(exc.detail)
    card = " and the staff card" if info.card else ""
    print(f"clerk {info.code} ({info.name}) added; the PIN{card} stored only as hashes")
    if info.photo:
        print(f"their photo copied to {info.photo} in the data folder")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print every clerk; never a PIN or its hash."""
    from kiosk.clerks import list_clerks
    from kiosk.domain import HallError

    try:
        clerks = list_clerks(hall_store(args.data, existing=True, db=args.db, hall=args.hall), time.time())
    except HallError as exc:
        return _fail(exc.detail)
    if not clerks:
        print("no clerks yet; add one with: kiosk clerks add --code 0123 --name NAME")
        return 0
    print(f"{'工号':<10} {'name':<16} {'window':>6}  state")
    for c in clerks:
        state = "disabled" if c.disabled else f"locked {c.locked_seconds} s" if c.locked_seconds else "active"
        window = "-" if c.window is None else str(c.window)
        print(f"{c.code:<12} {c.name:<16} {window:>6}  {state}")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    """Disable one clerk; a running server's screens hear of it at once."""
    from kiosk.clerks import disable_clerk
    from kiosk.domain import HallError

    try:
        info, now = disable_clerk(hall_store(args.data, existing=True, db=args.db, hall=args.hall), args.code, time.time(), actor="kiosk clerks disable")
    except HallError as exc:
        return _fail(exc.detail)
    if not now:
        print(f"clerk {info.code} was already disabled")
        return 0
    print(f"clerk {info.code} ({info.name}) disabled; they can no longer sign in")
    return 0
