"""The ``kiosk`` console command: one program, one subcommand per role."""

from __future__ import annotations

import argparse
import logging
import sys

from app.cli import accounts as console_accounts
from app.cli import (
    backup,
    calling,
    clerks,
    core,
    db,
    demo,
    devices,
    issue,
    rate,
    run,
    setup_role,
    tls,
    tokens,
)
from app.cli import simulate as simulate_command  # kiosk simulate (issue 17)
from app.cli import stats as stats_command  # kiosk stats (issue 15)


class VersionAction(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked (the metadata
    scan costs every other command nothing)."""

    def __init__(self, option_strings, dest, **kwargs):  # noqa: ANN001 - argparse's signature
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        print(f"kiosk {installed_version()}")
        parser.exit()


def installed_version() -> str:
    """The hall-kiosk distribution's version, or a plain note when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hall-kiosk")
    except PackageNotFoundError:
        return "(not installed: a source checkout)"


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    parser = argparse.ArgumentParser(prog="kiosk", description="Hall kiosk: queue tickets for service halls.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument("--version", action=VersionAction, help="print the installed version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    core.register(sub)
    tokens.register(sub)
    clerks.register(sub)
    console_accounts.register(sub)
    run.register(sub)
    demo.register(sub)
    calling.register(sub)
    rate.register(sub)
    issue.register(sub)
    devices.register(sub)
    backup.register(sub)
    db.register(sub)
    tls.register(sub)
    stats_command.register(sub)
    setup_role.register(sub)
    simulate_command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # force: python-escpos calls logging.basicConfig() when imported, which would otherwise
    # leave the root logger at WARNING with its bare format, and every INFO line unwritten.
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
