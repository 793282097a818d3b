"""A busy day made fast through the engine's own issue code (bench_day_size, tests/test_day_size.py).

Tickets go through the engine's issue (every rule, counter, event and audit row of a real
issue), a thousand to a transaction, so 100,000 take one commit per thousand rather than one
each. Only raw inserts would be faster, and they would skip what a day's size costs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from kiosk.models import IssueRequest, ServiceChange

SEED_BATCH = 1000
"""Tickets per transaction while seeding."""


def seed_day(engine, count: int, services: Sequence[str], prefix: str = "seed") -> None:  # noqa: ANN001 - a HallEngine
    """Issue ``count`` tickets today through ``engine``, the ``services`` in turn (their quotas
    raised first); raises the first refusal, as a seeded day must hold every ticket asked for."""
    for code in services:
        engine.change_service(code, ServiceChange(quota=100000))
    for start in range(0, count, SEED_BATCH):
        # The engine's issue itself (_issue_tx) without issue_batch's savepoint per ticket: a
        # seeded ticket is never refused (a refusal ends the seeding), and a savepoint costs a
        # fifth of an issue.
        with engine.store.write() as conn:
            for i in range(start, min(count, start + SEED_BATCH)):
                code = services[i % len(services)]
                engine._issue_tx(conn, engine._service(code), IssueRequest(service=code), f"{prefix}-{i}")
    engine.feed.notify()


def roomy_hall_file(source: Path, target: Path) -> Path:
    """A copy of the hall file ``source`` whose services have five-digit numbers with the kiosks'
    offline ranges at the top (99,000 a day each online): the sample hall's three digits stop
    at 899 tickets per service."""
    text = re.sub(r'^(prefix = "[A-Z]+")$', r"\1\ndigits = 5", source.read_text(encoding="utf-8"), flags=re.M)
    text = re.sub(r"^(start|end) = 9(\d\d)$", r"\1 = 999\2", text, flags=re.M)
    target.write_text(text, encoding="utf-8")
    return target
