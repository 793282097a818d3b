"""``kiosk stats``: the hall's statistics of a period for scripts (DESIGN.md "Statistics").

Reads the hall database of ``--data`` (never changes it) and writes the report to ``--out``, in
the format its suffix names (.csv, .xlsx, .json), or a readable table on standard output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import DB_HELP, HALL_HELP, fail, hall_store

FORMATS = (".csv", ".xlsx", ".json")
GROUPINGS = ("service", "window", "clerk", "hour", "day", "priority", "channel")
"""``kiosk.stats_models.GROUPINGS`` for the help text, repeated so that building the command
line loads no pydantic (the handler checks ``--by`` against the real one)."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``stats``."""
    stats = sub.add_parser("stats", help="the hall's statistics of a period, as CSV, XLSX, JSON or a table")
    stats.add_argument("--data", type=Path, help="folder of the hall database (as for kiosk serve)")
    stats.add_argument("--db", metavar="URL", help=DB_HELP)
    stats.add_argument("--hall", metavar="CODE", help=HALL_HELP)
    stats.add_argument("--config", type=Path, required=True, help="the hall file (names, time zone)")
    stats.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="first day")
    stats.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="last day (inclusive)")
    stats.add_argument("--by", default="service", help=f"one row per: {', '.join(GROUPINGS)} (default service)")
    stats.add_argument("--threshold", default="30", metavar="MIN",
                       help="minutes above which a wait counts as long (default 30)")
    stats.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of headers and names")
    stats.add_argument("--out", type=Path, help="file to write: .csv, .xlsx or .json (default: a table on stdout)")
    stats.set_defaults(handler=run_stats)


def run_stats(args: argparse.Namespace) -> int:
    """Compute and write the report; every refusal is one sentence and exit code 1."""
    from kiosk.config import ConfigError, load_hall_config
    from kiosk.domain import HallError
    from kiosk.stats import compute
    from kiosk.stats_api import parse_day, parse_threshold

    suffix = args.out.suffix.lower() if args.out else None
    if suffix is not None and suffix not in FORMATS:
        return fail(f"--out {args.out} has no known suffix; name it .csv, .xlsx or .json")
    try:
        config = load_hall_config(args.config)
    except ConfigError as exc:
        key, reason = exc.problems[0]
        return fail(f"the hall file {args.config} cannot be used ({key}: {reason}); "
                    f"see kiosk config check {args.config}")
    try:
        start, end = parse_day(args.start, "from"), parse_day(args.end, "to")
        threshold = parse_threshold(args.threshold)
        store = hall_store(args.data, existing=True, db=args.db, hall=args.hall)
        try:
            report = compute(store, config, start, end, args.by, threshold_min=threshold)
        finally:
            store.close()
    except HallError as exc:
        return fail(exc.detail.replace("from=", "--from ").replace("to=", "--to ").replace("by=", "--by ")
                    .replace("threshold=", "--threshold "))
    if suffix is None:
        print(table(report, args.lang))
        return 0
    try:
        args.out.write_bytes(_encoded(report, suffix, args.lang))
    except OSError as exc:
        return fail(f"cannot write {args.out}: {exc.strerror or exc}; check the folder exists and is writable")
    print(f"{len(report.rows)} row(s) and the totals written to {args.out}", file=sys.stderr)
    return 0


def _encoded(report, suffix: str, lang: str) -> bytes:  # noqa: ANN001 - a StatsReport
    from kiosk.stats_export import to_csv, to_xlsx

    if suffix == ".csv":
        return to_csv(report, lang)
    if suffix == ".xlsx":
        return to_xlsx(report, lang)
    return report.model_dump_json(indent=2).encode("utf-8")


TABLE = (("issued", "取号"), ("served", "办结"), ("no-show", "过号"), ("wait", "平均等候"), ("p90", "P90等候"),
         ("long", "超时"), ("service", "平均办理"), ("open", "开放"), ("idle", "空闲"), ("good", "好评率"))


def table(report, lang: str) -> str:  # noqa: ANN001 - a StatsReport
    """The main figures as aligned text: one line per row and the totals (minutes, percent)."""

    def minutes(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:.1f}%"

    lines = [[("group", "分组")[lang == "zh"], *(t[lang == "zh"] for t in TABLE)]]
    for row in [*report.rows, report.totals]:
        lines.append([row.label.get(lang, row.key), str(row.issued), str(row.served), str(row.no_show),
                      minutes(row.wait.mean), minutes(row.wait.p90), share(row.wait.over), minutes(row.service.mean),
                      minutes(row.open_min), minutes(row.idle_min), share(row.satisfaction)])
    widths = [max(_width(line[i]) for line in lines) for i in range(len(lines[0]))]
    head = f"{report.hall_name.get(lang, report.hall)} {report.start} – {report.end} (by {report.by}, minutes)"
    body = ["  ".join(_pad(cell, widths[i], i) for i, cell in enumerate(line)) for line in lines]
    return "\n".join([head, *body])


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int, index: int) -> str:
    space = " " * (width - _width(text))
    return text + space if index == 0 else space + text
