"""``kiosk issue`` and ``kiosk sync``: the whole issuing pipeline without the GUI.

``kiosk issue --service GC01 --json`` records the request in the outbox, asks the hall (the
server, or the engine in-process for a standalone kiosk), falls back to the offline range when
the server does not answer, prints, and writes the ticket (DESIGN.md §5) as JSON. Exit codes:
0 issued and printed, 2 issued but not printed (the ticket is valid; reprint it), 1 refused.
``kiosk sync`` sends the outbox: exit 0 when everything went, 1 with the reason otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import PROJECT_CONFIG_DIR
from app.cli.common import fail as _fail
from kiosk.domain import HallError

if TYPE_CHECKING:  # imported by the handlers: the parser alone loads no pydantic
    from kiosk.config import KioskConfig


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="kiosk file (default: the sample config/kiosk.toml)")
    parser.add_argument("--server", help="hall server URL (overrides the kiosk file's [link])")
    parser.add_argument("--token", help="device token for --server")
    parser.add_argument("--kiosk-id", help="kiosk id (overrides the kiosk file's [kiosk] id)")
    parser.add_argument("--data", type=Path, help="folder of the outbox (and of a standalone hall)")
    parser.add_argument("--timeout", type=float, help="seconds to wait for the server")
    parser.add_argument("--dev", action="store_true",
                        help="treat the hall as open at any hour, as 'kiosk serve --dev' does")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``issue`` and ``sync``."""
    issue = sub.add_parser("issue", help="issue and print one ticket without the GUI")
    _connection_options(issue)
    issue.add_argument("--service", required=True, help="service code, e.g. GC01")
    issue.add_argument("--priority", default="normal")
    issue.add_argument("--printer", help="printer URI (overrides the kiosk file's [printer] uri)")
    issue.add_argument("--language", choices=["zh", "en"], default="zh")
    issue.add_argument("--json", action="store_true", help="write the ticket as JSON")
    issue.set_defaults(handler=run_issue)

    sync = sub.add_parser("sync", help="send the kiosk's outbox to the hall server")
    _connection_options(sync)
    sync.add_argument("--json", action="store_true", help="write the report as JSON")
    sync.set_defaults(handler=run_sync)


def _load(args: argparse.Namespace) -> tuple[KioskConfig, Path]:
    """The kiosk file with the command line's overrides, and its path."""
    from kiosk.config import ConfigError, HallLink, load_kiosk_config

    path = args.config or PROJECT_CONFIG_DIR / "kiosk.toml"
    config = load_kiosk_config(path)
    if args.server:
        if not args.token:
            raise ConfigError(path, [("--token", "a token is required with --server")])
        config = config.model_copy(update={"link": HallLink(
            mode="server", url=args.server, token=args.token, timeout_s=args.timeout or config.link.timeout_s,
            ca_file=config.link.ca_file)})
    elif args.timeout:
        config = config.model_copy(update={"link": config.link.model_copy(update={"timeout_s": args.timeout})})
    if args.kiosk_id:
        config = config.model_copy(update={"kiosk": config.kiosk.model_copy(update={"id": args.kiosk_id})})
    return config, path


def _terminal(args: argparse.Namespace, printer_uri: str | None = None):
    """The pipeline ``kiosk run`` builds, without the screens (``app.kiosk_app.build_terminal``)."""
    from app.kiosk_app import build_terminal, data_dir_for
    from kiosk.datafile import check_data_dir

    config, config_path = _load(args)
    data = check_data_dir(data_dir_for(config, config_path, args.data))  # a clear refusal, not a traceback
    printer = None
    if printer_uri is not None:
        from drivers.printer import PrinterSettings, open_printer

        printer = open_printer(PrinterSettings.model_validate({**config.printer.model_dump(), "uri": printer_uri}))
    return build_terminal(config, config_path, data, dev=args.dev, printer=printer, start=False)


def run_issue(args: argparse.Namespace) -> int:
    """Issue one ticket through outbox, hall and printer."""
    from kiosk.config import ConfigError

    try:
        config, _ = _load(args)
        terminal = _terminal(args, args.printer or config.printer.uri)
    except (ConfigError, HallError, ValueError, OSError) as exc:  # OSError: a data file unreadable
        return _fail(str(exc))
    try:
        outcome = terminal.issue(args.service, priority=args.priority, language=args.language)
    except HallError as exc:
        return _fail(f"no ticket issued: {exc.detail} ({exc.code})")
    finally:
        terminal.close()
    ticket = outcome.ticket
    if args.json:
        print(json.dumps(ticket.model_dump(mode="json"), ensure_ascii=False))
    else:
        mark = " (offline)" if ticket.offline else ""
        print(f"{ticket.number}{mark} {ticket.service} issued at {ticket.issued_at:%H:%M:%S}")
    if not outcome.printed:
        reason = outcome.print_error or "no printer"
        print(f"kiosk: ticket {ticket.number} is valid but was not printed: {reason}", file=sys.stderr)
        return 2
    return 0


def run_sync(args: argparse.Namespace) -> int:
    """Send the outbox; exit 1 with the reason when anything is left or was refused."""
    from kiosk.config import ConfigError

    try:
        terminal = _terminal(args)
    except (ConfigError, HallError, ValueError, OSError) as exc:  # OSError: a data file unreadable
        return _fail(str(exc))
    try:
        report = terminal.sync()
    finally:
        terminal.close()
    if args.json:
        print(json.dumps({"sent": report.sent, "rejected": report.rejected, "remaining": report.remaining,
                          "error": report.error}, ensure_ascii=False))
    else:
        print(f"sent {len(report.sent)}: {' '.join(report.sent) or '-'}")
        for number, reason in report.rejected:
            print(f"rejected {number}: {reason}")
    if report.complete:
        return 0
    if report.error:
        return _fail(f"{report.remaining} ticket(s) not sent: {report.error}")
    if report.rejected:
        return _fail(f"{len(report.rejected)} ticket(s) refused by the server; staff must check them")
    return _fail(f"{report.remaining} ticket(s) still waiting")


def main(argv: list[str] | None = None) -> int:
    """``python -m app.cli.issue issue|sync …``: the same commands outside the ``kiosk`` tree."""
    import logging

    parser = argparse.ArgumentParser(prog="kiosk")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
