"""What the cases cost the hall server (DESIGN.md §4 Cases, Export, §8).

Figures, over a hall.db holding a year of cases (20,000 answered, 200 still owing their answer):

- the case worker's periodic deadline check when no alert is due (a read; the target keeps a
  check every second under 1 % of one core);
- a bad rating's hook (the case with its history, event and export item) inside its write;
- the export of queued items to the daily JSON-lines file (each line fsync'd).
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bench import Figure
from kiosk import store as db
from kiosk.clock import FakeClock
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from kiosk.engine import HallEngine
from kiosk.exporter import Exporter, JsonlSink
from kiosk.store import Store

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


def _fill(store: Store, answered: int, owing: int) -> None:
    rows = [{"kind": "rectify", "state": "rerated" if i < answered else "assigned", "opened_at": NOW - 86400 * 300,
             "opened_by": "rating", "updated_at": NOW, "deadline_at": NOW + (86400 * 5 if i >= answered else -86400),
             "remind_at": NOW + (86400 * 3 if i >= answered else -86400 * 2), "services": "[]", "reasons": "[]",
             "comment": "", "request": "", "reason": "", "outcome": ""} for i in range(answered + owing)]
    with store.write() as conn:
        conn.execute(insert(db.cases), rows)


def rating(i: int) -> dict:
    return {"ticket_id": f"20261123-A{i:04d}", "day": "2026-11-23", "service": "SS01", "window": 3,
            "clerk": "A0123", "level": 1, "reasons": ["slow"], "comment": "", "channel": "window", "at": NOW}


def run(quick: bool = False) -> list[Figure]:
    """The figures of this module."""
    checks, hooks = (200, 50) if quick else (2000, 300)
    with tempfile.TemporaryDirectory() as data:
        config = load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")
        config = config.model_copy(update={"export": config.export.model_copy(
            update={"jsonl_dir": str(Path(data) / "export")})})
        engine = HallEngine(config, Store(Path(data) / "hall.db"), FakeClock(NOW))
        _fill(engine.store, 20000, 200)
        start = time.perf_counter()
        for _ in range(checks):
            assert engine.check_cases() == []
        check_us = (time.perf_counter() - start) / checks * 1e6
        start = time.perf_counter()
        for i in range(hooks):
            with engine.store.write() as conn:
                engine.after_rating(conn, rating(i))
        hook_ms = (time.perf_counter() - start) / hooks * 1e3
        exporter = Exporter(engine.store, [JsonlSink(Path(data) / "export")])
        start = time.perf_counter()
        sent = exporter.send_due(NOW)
        while sent:
            sent = exporter.send_due(NOW)
        items = hooks * 2
        export_per_s = items / (time.perf_counter() - start)
        engine.store.close()
    return [
        Figure("cases: deadline check, nothing due (20,200 cases)", check_us, "µs", "≤ 10000 µs",
               check_us <= 10000),
        Figure("cases: bad-rating hook in its write transaction", hook_ms, "ms", "≤ 20 ms", hook_ms <= 20),
        Figure("export: items to the daily JSON-lines file", export_per_s, "items/s", "≥ 50 items/s",
               export_per_s >= 50),
    ]
