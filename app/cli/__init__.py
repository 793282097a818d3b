"""The ``kiosk`` console command: one program, one subcommand per role."""

from __future__ import annotations

import argparse
import logging
import sys

from app.cli import accounts as console_accounts
from app.cli import backup, calling, clerks, core, demo, devices, issue, rate, run, tls, tokens
from app.cli import simulate as simulate_command  # kiosk simulate (issue 17)
from app.cli import stats as stats_command  # kiosk stats (issue 15)


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    parser = argparse.ArgumentParser(prog="kiosk", description="Hall kiosk: queue tickets for service halls.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
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
    tls.register(sub)
    stats_command.register(sub)
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
