"""``kiosk demo``: the whole hall on simulated devices (headless where there is no screen)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand."""
    demo = sub.add_parser("demo", help="a whole hall on one machine, on simulated devices")
    demo.add_argument("--headless", action="store_true", help="scripted run writing screenshots (default "
                      "when there is no screen)")
    demo.add_argument("--out", type=Path, default=Path("demo-out"), help="folder for screenshots, tickets, audio")
    demo.add_argument("--quit-after", type=float, metavar="S",
                      help="with a screen: close the windows after S seconds, screenshots first")
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    """Open the windows, or fall back to the headless walk-through."""
    import shutil

    from app.demo.run import has_screen, run_headless, run_windows

    if args.out.exists():
        shutil.rmtree(args.out)  # a demo run starts from an empty hall
    if args.headless or not has_screen():
        if not args.headless:
            print("demo: no screen found, running headless; screenshots go to", args.out)
        return run_headless(args.out)
    return run_windows(args.out, args.quit_after)
