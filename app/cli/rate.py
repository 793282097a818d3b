"""``kiosk rate``: the window's evaluator (评价器), built like ``kiosk counter``.

The GUI is imported only when it runs, so the rest of the command stays Qt-free.
"""

from __future__ import annotations

import argparse
import sys

from app.cli.calling import _common, _prepared


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``rate``."""
    rate = sub.add_parser("rate", help="the window's evaluator (评价器): citizens rate each service")
    _common(rate)
    rate.add_argument("--window", type=int, required=True, help="window number, e.g. 3")
    rate.add_argument("--windowed", action="store_true", help="a normal window, not full screen")
    rate.add_argument("--lang", choices=("zh", "en"), help="first language (default: the kiosk file's language)")
    rate.add_argument("--idle", type=float, default=60.0,
                      help="seconds a citizen may take before the pad goes back to idle, unrated (default 60)")
    rate.set_defaults(handler=run_rate)


def run_rate(args: argparse.Namespace) -> int:
    """Run the evaluator; a server needs a rater token (``kiosk tokens add --role rater --window N``)."""
    from app.calling import run_rating

    s = _prepared(args, "rater")
    if isinstance(s, int):
        return s
    if args.idle <= 0:
        print("error: --idle must be a number of seconds above 0", file=sys.stderr)
        return 2
    return run_rating(s, window=args.window, windowed=args.windowed, lang=args.lang, idle_s=args.idle)
