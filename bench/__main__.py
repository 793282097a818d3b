"""Run every benchmark module and print its figures beside their targets."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import traceback

import bench


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks named on the command line, or all of them."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("only", nargs="*", help="module names to run, e.g. bench_engine")
    parser.add_argument("--quick", action="store_true", help="fewer iterations (for smoke tests)")
    args = parser.parse_args(argv)
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if args.only:
        names = [n for n in names if n in args.only]
    failures = 0
    print(f"{'figure':<58} {'value':>12} {'unit':<10} {'target':<22}")
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
            for figure in module.run(quick=args.quick):
                print(figure.line(), flush=True)
        except Exception:  # one broken benchmark must not hide the others' figures
            failures += 1
            print(f"{name}: failed\n{traceback.format_exc()}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
