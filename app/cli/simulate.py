"""``kiosk simulate``: simulated hall days through the real engine, comparing wait estimators
(DESIGN.md §8 "Estimates that hold"). Prints each estimator's error table per service, the
waits by class, and how fast it ran; ``--out`` also writes the samples (JSON) and a chart (SVG)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.cli.common import PROJECT_CONFIG_DIR, fail


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``simulate``."""
    sim = sub.add_parser("simulate", help="simulate hall days and compare wait estimators")
    sim.add_argument("--days", type=int, default=5, help="working days to simulate (default 5)")
    sim.add_argument("--hall", type=Path, default=PROJECT_CONFIG_DIR / "hall.toml",
                     help="the hall file (default: the sample hall); its [demand] gives the hourly curve")
    sim.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same days")
    sim.add_argument("--tickets", type=int, default=1500, help="arrivals per day (default 1500)")
    sim.add_argument("--from-data", type=Path, metavar="DIR",
                     help="fit the hourly curve, service shares and service times from this hall data folder")
    sim.add_argument("--load", type=float, default=0.8, metavar="F",
                     help="how busy the windows are over the day: the hall is staffed so that its windows serve "
                          "this share of their open hours (default 0.8; 0.95 is a hall at its limit, where "
                          "waits grow past max_wait_minutes)")
    sim.add_argument("--jobs", type=int, metavar="N",
                     help="processes to spread the days over (default: one per CPU; 1: in this process)")
    sim.add_argument("--out", type=Path, metavar="DIR", help="also write samples.json and estimates.svg here")
    sim.set_defaults(handler=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    """Check the arguments, play the days, print the tables; refusals are one sentence, exit 1."""
    from kiosk.config import ConfigError, load_hall_config

    if not 1 <= args.days <= 250:
        return fail(f"--days {args.days} is not between 1 and 250")
    if not 10 <= args.tickets <= 20000:
        return fail(f"--tickets {args.tickets} is not between 10 and 20000")
    if not 0.3 <= args.load <= 1.0:
        return fail(f"--load {args.load:g} is not between 0.3 and 1.0 (the share of the open hours the windows serve)")
    if args.jobs is not None and not 1 <= args.jobs <= 256:
        return fail(f"--jobs {args.jobs} is not between 1 and 256; leave it out for one process per CPU")
    try:
        config = load_hall_config(args.hall)
    except ConfigError as exc:
        key, reason = exc.problems[0]
        return fail(f"the hall file {args.hall} cannot be used ({key}: {reason}); see kiosk config check {args.hall}")
    try:
        profile = _profile(args, config)
    except ValueError as exc:
        return fail(str(exc))
    return _play(args, config, profile)


def _profile(args: argparse.Namespace, config):  # noqa: ANN001, ANN202 - HallConfig, Profile
    from kiosk.simulate_profile import describe, fit_profile, hall_profile

    if args.from_data is None:
        profile = hall_profile(config)
        print(f"Demand: {'the hall file' if config.demand.hourly or config.demand.shares else 'built in'}: "
              f"{describe(profile)}")
        return profile
    if not (args.from_data / "hall.db").is_file():
        raise ValueError(f"--from-data {args.from_data} holds no hall.db; give a hall's data folder")
    from kiosk.store import Store

    store = Store(args.from_data / "hall.db", data_dir=args.from_data)
    try:
        profile = fit_profile(store, config)
    finally:
        store.close()
    print(f"Demand fitted from {args.from_data}: {describe(profile)}")
    return profile


def _play(args: argparse.Namespace, config, profile) -> int:  # noqa: ANN001
    from kiosk.estimators import BEST
    from kiosk.simulate import error_rows, fairness, simulate

    run = simulate(config, args.days, tickets_per_day=args.tickets, seed=args.seed, profile=profile, jobs=args.jobs,
                   load=args.load)
    print(f"{len(run.summaries)} days, {run.tickets} tickets in {run.seconds:.1f} s over {run.jobs} "
          f"process{'es' if run.jobs > 1 else ''}: {run.tickets / max(run.seconds, 1e-9):.0f} tickets/s through "
          f"the real engine ({run.cpu_seconds:.1f} CPU-s: {run.tickets / max(run.cpu_seconds, 1e-9):.0f} "
          f"tickets per CPU-second)")
    print(f"The hall staffed for a load of {args.load:g}: {len(run.config.windows)} windows "
          f"({len(config.windows)} in the hall file)")
    rows = error_rows(run.samples)
    print(table(rows, BEST))
    fair = fairness(run.samples, run.config)
    print(f"\nWaits: normal median {fair.normal_median_min} min, longest {fair.normal_longest_min} min "
          f"({fair.normal_over} past max_wait_minutes = {fair.max_wait_min:g}: windows full, not reordered); "
          f"priority median {fair.priority_median_min} min; priority calls while a normal ticket of the "
          f"window was past max_wait: {run.overtakes}")
    if args.out:
        _write(args.out, run, rows)
    return 0


def table(rows, best: str) -> str:  # noqa: ANN001 - ErrorRows
    """The error tables as text: one block per estimator, a line per service."""
    lines = []
    for name in dict.fromkeys(r.estimator for r in rows):
        mark = "  (the engine's)" if name == best else \
            f"  (what the engine published at issue: {best} over its stored figures, whole minutes)" \
            if name == "published" else ""
        lines += ["", f"Estimator {name}{mark}",
                  f"  {'service':<8}{'n':>6}{'median min':>12}{'median %':>10}{'p90 %':>8}{'within':>8}  target"
                  f"{'in range':>10}{'waits >15 min: n':>20}{'median %':>10}{'p90 %':>8}"]
        for r in (r for r in rows if r.estimator == name):
            lines.append(f"  {'all' if r.service == '*' else r.service:<8}{r.n:>6}{r.median_min:>12.1f}"
                         f"{r.median_pct:>10.1f}{r.p90_pct:>8.1f}{r.within:>7.1f}%  {'holds ' if r.holds else 'misses'}"
                         f"{r.in_range:>9.1f}%{r.long_n:>20}{r.long_median_pct:>10.1f}{r.long_p90_pct:>8.1f}")
    lines.append("\n(median %, p90 %: each ticket's error in % of its wait, or of 15 min for a shorter wait: the\n"
                 " target is median <= 20 %, p90 <= 50 %; within: tickets within 20 % or 3 min of their wait;\n"
                 " in range: tickets whose wait fell inside the range shown to them, e.g. 约 10–15 分钟;\n"
                 " waits >15 min: the same in % of the wait on those tickets alone, the unlucky ones among them)")
    return "\n".join(lines)


def _write(folder: Path, run, rows) -> None:  # noqa: ANN001
    from kiosk.simulate_chart import estimate_chart

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "estimates.svg").write_text(estimate_chart(run.samples), encoding="utf-8")
    data = {"tickets": run.tickets, "seconds": round(run.seconds, 2),
            "cpu_seconds": round(run.cpu_seconds, 2), "jobs": run.jobs, "errors": [r.__dict__ for r in rows],
            "samples": [{"service": s.service, "priority": s.priority, "ahead": s.ahead,
                         "wait_min": None if s.wait_s is None else round(s.wait_s / 60, 2),
                         "estimates": {k: None if v is None else round(v.minutes, 2) for k, v in s.estimates.items()}}
                        for s in run.samples]}
    (folder / "samples.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(f"Wrote {folder / 'estimates.svg'} and {folder / 'samples.json'}")
