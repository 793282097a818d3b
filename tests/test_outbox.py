"""The outbox file on its own: durability settings, recovery, numbering, catalog cache."""

from __future__ import annotations

import json
import subprocess
import sys

from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.models import IssueRequest
from kiosk.offline import OfflinePlan
from kiosk.outbox import Outbox

ROOT = PROJECT_CONFIG_DIR.parent


def record(outbox, plan, key, service="GC01", at=1_800_000_000.0):
    req = IssueRequest(service=service, device="K01")
    first, last = plan.range
    return outbox.record_offline(key, req, plan.day(at), first, last, lambda s: plan.number(service, s),
                                 lambda r, n: plan.ticket(r, n, at, None), at)


def test_the_file_is_wal_and_fsyncs_every_commit(tmp_path):
    outbox = Outbox(tmp_path / "o.db")
    assert outbox._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_inflight_entries_are_pending_after_a_restart(tmp_path):
    outbox = Outbox(tmp_path / "o.db")
    outbox.begin_online("k1", IssueRequest(service="GC01"), 1.0)
    assert outbox.length() == 0  # in flight: the sender leaves it to the issuing thread
    outbox.close()
    again = Outbox(tmp_path / "o.db")
    assert [e.id for e in again.pending()] == ["k1"] and again.length() == 1


def test_numbers_per_service_and_day_and_no_reuse(tmp_path, hall_config):
    plan = OfflinePlan(hall_config, "K01")
    outbox = Outbox(tmp_path / "o.db")
    assert record(outbox, plan, "a").number == "K900"
    assert record(outbox, plan, "b", "TX01").number == "E900"
    assert record(outbox, plan, "c").number == "K901"
    assert record(outbox, plan, "d", at=1_800_000_000.0 + 86400).number == "K900"  # next day
    entry = outbox.get("c")
    req = entry.request
    assert req.number == "K901" and req.channel == "offline" and req.issued_at == entry.ticket.issued_at
    assert outbox.by_ticket(entry.ticket.id).id == "c"
    assert [e.id for e in outbox.unprinted()] == ["a", "b", "c", "d"]
    outbox.mark_printed("a")
    assert "a" not in [e.id for e in outbox.unprinted()]


def test_a_ticket_is_found_by_its_id_through_an_index_not_by_reading_every_entry(tmp_path, hall_config):
    plan = OfflinePlan(hall_config, "K01")
    outbox = Outbox(tmp_path / "o.db")
    tickets = [record(outbox, plan, key).id for key in ("a", "b", "c")]
    assert [outbox.by_ticket(t).id for t in tickets] == ["a", "b", "c"]
    assert outbox.by_ticket("no-such-ticket") is None
    plan_rows = outbox._db.execute("EXPLAIN QUERY PLAN SELECT id FROM entries "
                                   "WHERE json_extract(ticket, '$.id') = ?", ("x",)).fetchall()
    assert "ix_entries_ticket" in " ".join(str(row) for row in plan_rows)


def test_catalog_cache_round_trip(tmp_path, engine):
    outbox = Outbox(tmp_path / "o.db")
    assert outbox.cached_catalog() is None
    catalog = engine.catalog()
    outbox.save_catalog(catalog)
    assert outbox.cached_catalog() == catalog


def test_kiosk_issue_json_is_the_api_ticket(tmp_path):
    result = subprocess.run([sys.executable, "-m", "app.cli.issue", "issue", "--data", str(tmp_path),
                             "--service", "GC01", "--printer", "dummy:", "--json", "--dev"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    ticket = json.loads(result.stdout)
    for key in ["id", "number", "service", "priority", "state", "issued_at", "ahead", "eta_minutes",
                "windows", "status_url", "offline"]:
        assert key in ticket
    assert ticket["service"] == "GC01" and ticket["offline"] is False
    refused = subprocess.run([sys.executable, "-m", "app.cli.issue", "issue", "--data", str(tmp_path),
                              "--service", "NOPE", "--dev"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "unknown_service" in refused.stderr
