"""``kiosk accounts add | list | disable | password``: the web console's personal accounts
(DESIGN.md §5 The web console). There is no default account: the first is made here."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app.cli.common import CITY_HELP, DB_HELP, HALL_HELP, fail, hall_store


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``kiosk accounts`` and its subcommands."""
    accounts = sub.add_parser("accounts", help="manage the web console's personal accounts")
    accounts_sub = accounts.add_subparsers(dest="accounts_command", required=True)
    add = accounts_sub.add_parser("add", help="create an account; asks the password twice (not shown)")
    add.add_argument("name", help="the sign-in name (letters, digits, '.', '_', '-')")
    add.add_argument("--display", required=True, help="the name the console's top bar shows")
    add.add_argument("--role", required=True, choices=("director", "guide", "it", "admin"),
                     help="what the account may see and change")
    _password_stdin(add)
    add.add_argument("--data", type=Path, help="folder of the hall database (as for kiosk serve)")
    add.add_argument("--db", metavar="URL", help=DB_HELP)
    add.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    add.add_argument("--city", action="store_true", help=CITY_HELP)
    add.set_defaults(handler=run_add)

    listing = accounts_sub.add_parser("list", help="list the accounts: name, display name, role, state")
    listing.add_argument("--data", type=Path)
    listing.add_argument("--db", metavar="URL", help=DB_HELP)
    listing.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    listing.add_argument("--city", action="store_true", help=CITY_HELP)
    listing.set_defaults(handler=run_list)

    disable = accounts_sub.add_parser("disable", help="disable an account; its sessions end at once")
    disable.add_argument("name")
    disable.add_argument("--data", type=Path)
    disable.add_argument("--db", metavar="URL", help=DB_HELP)
    disable.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    disable.add_argument("--city", action="store_true", help=CITY_HELP)
    disable.set_defaults(handler=run_disable)

    password = accounts_sub.add_parser("password", help="set a new password; the account's sessions end")
    password.add_argument("name")
    _password_stdin(password)
    password.add_argument("--data", type=Path)
    password.add_argument("--db", metavar="URL", help=DB_HELP)
    password.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    password.add_argument("--city", action="store_true", help=CITY_HELP)
    password.set_defaults(handler=run_password)


def _password_stdin(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input (scripts) instead of asking twice")


def read_password(from_stdin: bool) -> str:
    """The password, from standard input's first line or typed twice without echo (ValueError)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    password = getpass.getpass("password (at least 10 characters): ")
    if getpass.getpass("the same password again: ") != password:
        raise ValueError("the two passwords differ; nothing was changed")
    return password


def run_add(args: argparse.Namespace) -> int:
    """Create an account; only the password's hash is stored."""
    from kiosk.accounts import AccountError, add_account, check_name, password_problem
    from kiosk.domain import HallError

    if args.city and args.role not in ("admin", "director"):
        return fail(f"a city account reads the city view only: give --role admin or director, not {args.role}")
    try:
        check_name(args.name)  # before the password is asked for
        password = read_password(args.password_stdin)
        weak = password_problem(password, args.name)
        if weak:
            return fail(weak)
        account = add_account(hall_store(args.data, db=args.db, hall=args.hall, city=args.city), args.name, args.display, args.role, password, time.time(),
                              actor="kiosk accounts add")
    except (AccountError, ValueError) as exc:
        return fail(getattr(exc, "message", str(exc)))
    except HallError as exc:
        return fail(exc.detail)
    print(f"account {account.name} ({account.display}, {account.role}) added; the password is stored only as a hash")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print every account; never a password or its hash."""
    from kiosk.accounts import list_accounts
    from kiosk.domain import HallError

    try:
        found = list_accounts(hall_store(args.data, existing=True, db=args.db, hall=args.hall, city=args.city), time.time())
    except HallError as exc:
        return fail(exc.detail)
    if not found:
        print("no accounts yet; add one with: kiosk accounts add NAME --display TEXT --role director")
        return 0
    print(f"{'name':<20} {'role':<9} state     display")
    for a in found:
        state = "disabled" if a.disabled else f"locked {a.locked_seconds} s" if a.locked_seconds else "active"
        print(f"{a.name:<20} {a.role:<9} {state:<9} {a.display}")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    """Disable one account and end its sessions."""
    from kiosk.accounts import AccountError, disable_account
    from kiosk.domain import HallError

    try:
        account, now = disable_account(hall_store(args.data, existing=True, db=args.db, hall=args.hall, city=args.city), args.name, time.time(),
                                       actor="kiosk accounts disable")
    except AccountError as exc:
        return fail(exc.message)
    except HallError as exc:
        return fail(exc.detail)
    if not now:
        print(f"account {account.name} was already disabled")
        return 0
    print(f"account {account.name} disabled; its sessions have ended")
    return 0


def run_password(args: argparse.Namespace) -> int:
    """Give an account a new password (its lockout cleared, its sessions ended)."""
    from kiosk.accounts import AccountError, find_account, set_password
    from kiosk.domain import HallError

    try:
        store = hall_store(args.data, existing=True, db=args.db, hall=args.hall, city=args.city)
        if find_account(store, args.name, time.time()) is None:
            return fail(f"no account named {args.name!r}; 'kiosk accounts list' shows them")
        account = set_password(store, args.name, read_password(args.password_stdin), time.time(),
                               actor="kiosk accounts password")
    except (AccountError, ValueError) as exc:
        return fail(getattr(exc, "message", str(exc)))
    except HallError as exc:
        return fail(exc.detail)
    print(f"the password of {account.name} is changed; its sessions have ended")
    return 0
