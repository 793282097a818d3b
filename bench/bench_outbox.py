"""Outbox: how fast a kiosk's backlog drains after an outage, and what recording costs.

A busy kiosk issues into its outbox while the hall server is down (10 minutes at 4 tickets a
minute in each of 15 service-lanes: 600 tickets, or 120 with ``quick``); then a real hall server
(``kiosk serve --dev`` in its own process, SQLite) starts and the kiosk's ``sync`` drains the
outbox. Figures: drain rate, offline issue latency (record + print to ``dummy:``), and the
whole drain time.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench import Figure
from drivers.printer import PrinterSettings, open_printer

SERVICES = ("GC01", "TX01", "AP01", "GC02", "AP02")


def run(quick: bool) -> list[Figure]:
    """Measure and return the figures."""
    from tests.faults.harness import ServerProcess, terminal_for, write_configs

    count = 120 if quick else 600
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config_dir = write_configs(root / "config")
        _widen_ranges(config_dir / "hall.toml")
        server = ServerProcess(config_dir, root / "server")
        terminal = terminal_for(config_dir, "K01", server.url, root / "kiosks",
                                open_printer(PrinterSettings(uri="dummy:")), timeout=0.5)
        latencies = []
        for i in range(count):  # the outage: every ticket goes to the outbox
            started = time.perf_counter()
            outcome = terminal.issue(SERVICES[i % len(SERVICES)])
            latencies.append((time.perf_counter() - started) * 1000)
            assert outcome.ticket.offline and outcome.printed
        backlog = terminal.outbox_length()
        server.start()
        try:
            started = time.perf_counter()
            report = terminal.sync()
            seconds = time.perf_counter() - started
            assert report.complete and len(report.sent) == backlog, report
        finally:
            server.kill()
            terminal.close()
    latencies.sort()
    return [
        Figure(f"outbox drain after outage ({backlog} tickets)", backlog / seconds, "tickets/s", "≥ 50 (?)",
               backlog / seconds >= 50),
        Figure("outbox drain, whole backlog", seconds, "s", "≤ 60 for 10 min", seconds <= 60),
        Figure("offline issue (record + print dummy:) p50", statistics.median(latencies), "ms", "≤ 100",
               statistics.median(latencies) <= 100),
        Figure("offline issue p99", latencies[int(len(latencies) * 0.99) - 1], "ms"),
    ]


def _widen_ranges(path: Path) -> None:
    """Give K01 the whole 500-999 block so 600 tickets over 5 services fit its range."""
    import tomlkit

    hall = tomlkit.parse(path.read_text(encoding="utf-8"))
    ranges = tomlkit.aot()
    ranges.append(tomlkit.table().add("kiosk", "K01").add("start", 500).add("end", 999))
    hall["offline_ranges"] = ranges
    path.write_text(tomlkit.dumps(hall), encoding="utf-8")
