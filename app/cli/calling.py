"""``kiosk display`` and ``kiosk counter``: the calling screen and the clerk's caller.

The GUI is imported only when one of them runs, so the rest of the command stays Qt-free.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import PROJECT_CONFIG_DIR
from kiosk.domain import HallError


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=PROJECT_CONFIG_DIR / "kiosk.toml",
                        help="kiosk file (default: the sample config/kiosk.toml)")
    parser.add_argument("--server", help="hall server URL, e.g. http://127.0.0.1:8600")
    parser.add_argument("--token", help="device token for --server (with --dev: a dev token)")
    parser.add_argument("--dev", action="store_true",
                        help="development: the sample hall, always open; dev tokens")
    parser.add_argument("--data", type=Path, help="data folder of a standalone hall")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``display`` and ``counter``."""
    display = sub.add_parser("display", help="LED-style calling screen (main board or one window)")
    _common(display)
    display.add_argument("--window", type=int, help="show this window's screen, not the main board")
    display.add_argument("--windowed", action="store_true", help="a normal window, not full screen")
    display.add_argument("--lang", choices=("zh", "en"),
                         help="language of the board (default: the kiosk file's language)")
    display.set_defaults(handler=run_display)
    counter = sub.add_parser("counter", help="the clerk's caller for one window")
    _common(counter)
    counter.add_argument("--window", type=int, required=True, help="window number, e.g. 3")
    counter.add_argument("--windowed", action="store_true", help="a normal window, not full screen")
    counter.set_defaults(handler=run_counter)


def _setup(args: argparse.Namespace, role: str):  # noqa: ANN202
    from app.calling import setup
    from kiosk.config import ConfigError

    if args.server and not (args.token or args.dev):
        raise ConfigError("--server", [("--token", f"a {role} token is needed (or --dev)")])
    data = args.data
    if data is None:
        from app.cli.common import default_data_dir

        data = default_data_dir("dev" if args.dev else "kiosk")
    return setup(args.config, data, server=args.server, token=args.token, dev=args.dev, role=role)


def _window_ok(s, window: int | None) -> str | None:  # noqa: ANN001
    if window is None or s.hall_config is None or s.hall_config.window(window) is not None:
        return None
    return f"no window {window} in the hall file"


def _prepared(args: argparse.Namespace, role: str):  # noqa: ANN202
    """The program's setup, or the exit code 2 after saying in plain words what is wrong."""
    from kiosk.config import ConfigError

    try:
        s = _setup(args, role)
    except (ConfigError, HallError) as exc:  # a bad file, or a damaged standalone hall database
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if problem := _window_ok(s, args.window):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return s


def run_display(args: argparse.Namespace) -> int:
    """Run the calling screen."""
    from app.calling import run_display as run

    s = _prepared(args, "display")
    return s if isinstance(s, int) else run(s, window=args.window, windowed=args.windowed, lang=args.lang)


def run_counter(args: argparse.Namespace) -> int:
    """Run the clerk's caller."""
    from app.calling import run_counter as run

    s = _prepared(args, "counter")
    return s if isinstance(s, int) else run(s, window=args.window, windowed=args.windowed)
