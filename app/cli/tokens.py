"""``kiosk tokens add | list | revoke``: the hall server's device tokens (DESIGN.md §5 Auth)."""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from datetime import datetime
from pathlib import Path

from app.cli.common import DB_HELP, HALL_HELP, hall_store
from app.cli.common import fail as _fail
from kiosk.domain import HallError

ROLES = ("kiosk", "counter", "display", "guide", "admin", "rater")
"""``kiosk.tokens.ROLES``, repeated so that building the command line loads no SQLAlchemy."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``kiosk tokens`` and its subcommands."""
    tokens = sub.add_parser("tokens", help="manage device tokens of the hall server")
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True)
    add = tokens_sub.add_parser("add", help="create a token bound to a device and print it once")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--device", default="", help="kiosk: its [kiosk] id; display, guide, admin: a name "
                                                  "such as desk-1 (letters, digits, - and _)")
    add.add_argument("--window", type=int, help="counter or rater: the number of its window (required)")
    add.add_argument("--config", type=Path, help="the hall file, to check the window or the kiosk's "
                                                 "offline range against it")
    add.add_argument("--data", type=Path, help="folder of the hall database (as for kiosk serve)")
    add.add_argument("--db", metavar="URL", help=DB_HELP)
    add.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    add.set_defaults(handler=run_add)

    listing = tokens_sub.add_parser("list", help="list the tokens: id, role, device, window, created, revoked")
    listing.add_argument("--data", type=Path)
    listing.add_argument("--db", metavar="URL", help=DB_HELP)
    listing.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    listing.set_defaults(handler=run_list)

    revoke = tokens_sub.add_parser("revoke", help="revoke a token by its id; the server refuses it at once")
    revoke.add_argument("id", type=int, help="the token's id, as 'kiosk tokens list' shows it")
    revoke.add_argument("--data", type=Path)
    revoke.add_argument("--db", metavar="URL", help=DB_HELP)
    revoke.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    revoke.set_defaults(handler=run_revoke)


def run_add(args: argparse.Namespace) -> int:
    """Create a token; print it once (only its hash is kept) and say what it is bound to."""
    from kiosk.tokens import add_token, check_binding

    try:
        check_binding(args.role, args.device, args.window)
        note = _check_against_hall(args)
        token = secrets.token_urlsafe(24)
        number = add_token(hall_store(args.data, db=args.db, hall=args.hall), token, args.role, args.device, time.time(), args.window,
                           actor="kiosk tokens add")
    except ValueError as exc:
        return _fail(str(exc))
    except HallError as exc:  # a damaged or unreadable hall.db
        return _fail(exc.detail)
    bound = f"window {args.window}" if args.window is not None else args.device
    print(token)
    print(f"token {number}: {args.role} {bound}; shown this once, only its hash is stored{note}",
          file=sys.stderr)
    return 0


def _check_against_hall(args: argparse.Namespace) -> str:
    """With --config: refuse an unknown window; a note when the kiosk has no offline range."""
    if args.config is None:
        return ""
    from kiosk.config import ConfigError, load_hall_config

    try:
        hall = load_hall_config(args.config)
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    if args.window is not None and hall.window(args.window) is None:
        known = ", ".join(str(w.number) for w in hall.windows)
        raise ValueError(f"the hall file {args.config} has no window {args.window}; its windows are {known}")
    if args.role == "kiosk" and not any(r.kiosk == args.device for r in hall.offline_ranges):
        return (f"\nnote: {args.config} reserves no [[offline_ranges]] for kiosk {args.device}: the server will "
                "refuse its offline tickets until one is added")
    return ""


def _when(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M")


def run_list(args: argparse.Namespace) -> int:
    """Print every token's id, role, binding and dates; never a token or a hash."""
    from kiosk.tokens import list_tokens

    try:
        tokens = list_tokens(hall_store(args.data, existing=True, db=args.db, hall=args.hall))
    except HallError as exc:
        return _fail(exc.detail)
    if not tokens:
        print("no tokens yet; make one with: kiosk tokens add --role ROLE --device NAME")
        return 0
    print(f"{'id':>4}  {'role':<8} {'device':<32} {'window':>6}  {'created':<16}  revoked")
    for t in tokens:
        window = "-" if t.window is None else str(t.window)
        print(f"{t.id:>4}  {t.role:<8} {t.device or '-':<32} {window:>6}  {_when(t.created_at):<16}  "
              f"{_when(t.revoked_at)}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    """Revoke one token; the running server refuses it from its next request."""
    from kiosk.tokens import revoke_token

    try:
        token, now = revoke_token(hall_store(args.data, existing=True, db=args.db, hall=args.hall), args.id, time.time(),
                                  actor="kiosk tokens revoke")
    except HallError as exc:
        return _fail(exc.detail)
    bound = f"window {token.window}" if token.window is not None else token.device
    if not now:
        print(f"token {token.id} ({token.role} {bound}) was already revoked at {_when(token.revoked_at)}")
        return 0
    print(f"revoked token {token.id} ({token.role} {bound}); the hall server refuses it from now on")
    return 0
