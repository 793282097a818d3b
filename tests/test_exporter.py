"""The exporter: daily JSON lines and a webhook on a real loopback HTTP server that is down, then
fails, then accepts; every rating and case step delivered at least once under its own key."""

import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from kiosk.case_models import CaseActionBody
from kiosk.clock import FakeClock
from kiosk.engine import HallEngine
from kiosk.exporter import FIELD_NAMES, Exporter, JsonlSink, WebhookSink
from kiosk.store import Store
from tests.conftest import SHANGHAI, LiveServer, free_port

SEPT_30 = datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)


class Platform:
    """The provincial platform's endpoint: a real HTTP server on loopback. ``fail`` requests are
    answered 503 after being read (a lost acknowledgement: the item was seen, and comes again)."""

    def __init__(self, port: int):
        self.port, self.fail, self.received = port, 0, []
        self.lock = threading.Lock()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with platform.lock:
                    platform.received.append((self.headers["Idempotency-Key"], self.headers["Authorization"],
                                              json.loads(body)))
                    failing = platform.fail > 0
                    platform.fail -= failing
                self.send_response(503 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def rating(ticket_id: str, level: int) -> dict:
    return {"ticket_id": ticket_id, "day": "2026-09-30", "service": "SS01", "window": 3, "clerk": "A0123",
            "level": level, "reasons": ["slow"] if level <= 2 else [], "comment": "张三说太慢",
            "channel": "window", "at": SEPT_30.timestamp()}


@pytest.fixture
def port():
    return free_port()


def exporting_engine(hall_config, tmp_path, port: int, **export) -> HallEngine:
    settings = {"jsonl_dir": str(tmp_path / "export"), "webhook_url": f"http://127.0.0.1:{port}/ratings",
                "webhook_token": "platform-secret", **export}
    config = hall_config.model_copy(update={"export": hall_config.export.model_copy(update=settings)})
    return HallEngine(config, Store(tmp_path / "hall.db"), FakeClock(SEPT_30))


def rate(engine: HallEngine, *rows: dict) -> None:
    for row in rows:
        with engine.store.write() as conn:
            engine.after_rating(conn, row)


def test_items_survive_an_outage_and_a_lost_answer_and_keep_their_keys(hall_config, tmp_path, port):
    engine = exporting_engine(hall_config, tmp_path, port)
    rate(engine, rating("T-1", 5), rating("T-2", 1), rating("T-3", 4))  # T-2 also opens a case
    case_id = engine.list_cases()[0].id
    engine.case_step(case_id, "assign", CaseActionBody(owner="chief-li"), "guide desk-1")
    sinks = [JsonlSink(tmp_path / "export"), WebhookSink(f"http://127.0.0.1:{port}/ratings", "platform-secret", 2)]
    exporter = Exporter(engine.store, sinks, max_backoff_s=60)
    now = SEPT_30.timestamp()
    expected = {"rating:T-1", "rating:T-2", "rating:T-3", f"case:{case_id}:1", f"case:{case_id}:2"}

    assert exporter.send_due(now) == 0  # nobody listens: connection refused
    assert exporter.send_due(now + 0.5) == 0  # backing off: not even tried
    platform = Platform(port)
    try:
        platform.fail = 1  # up, but the first answer is lost
        assert exporter.send_due(now + 1) == 0
        assert exporter.send_due(now + 3) == 5
        assert exporter.pending() == 0
        keys = [key for key, _auth, _body in platform.received]
        assert set(keys) == expected  # every item delivered at least once
        assert len(keys) == 6 and keys[0] == keys[1] == "rating:T-1"  # the repeat carries the same key
        assert all(auth == "Bearer platform-secret" for _k, auth, _b in platform.received)
        assert all(body["key"] == key for key, _a, body in platform.received)
        assert exporter.send_due(now + 1000) == 0  # delivered items never go again
    finally:
        platform.stop()
    # The day's file got each item once, though the webhook needed three tries.
    lines = (tmp_path / "export" / "2026-09-30.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["key"] for line in lines) == sorted(expected)


def test_exported_fields_follow_the_national_data_and_keep_comments_home(hall_config, tmp_path, port):
    engine = exporting_engine(hall_config, tmp_path, port, webhook_url="")
    rate(engine, rating("T-2", 1))
    assert Exporter(engine.store, [JsonlSink(tmp_path / "export")]).send_due(SEPT_30.timestamp()) == 2
    text = (tmp_path / "export" / "2026-09-30.jsonl").read_text(encoding="utf-8")
    first, case = (json.loads(line) for line in text.splitlines())
    assert first == {"key": "rating:T-2", "kind": "rating", "hall": "DEMO", "project_no": "T-2",
                     "service_code": "SS01", "window": 3, "clerk": "A0123", "level": 1, "reasons": ["slow"],
                     "time": "2026-09-30T15:00:00+08:00", "channel": "window", "subject": "service"}
    assert (case["case_type"], case["state"], case["action"], case["project_no"]) == \
        ("rectify", "registered", "open", "T-2")
    assert set(first) | set(case) <= set(FIELD_NAMES) | {"services"}
    assert "张三" not in text  # the free-text comment stays in the hall


def test_nothing_is_queued_when_the_hall_exports_nowhere(engine):
    rate(engine, rating("T-1", 1))
    assert Exporter(engine.store, []).pending() == 0


def test_the_server_sends_the_outbox_by_itself(hall_config, tmp_path, port):
    engine = exporting_engine(hall_config, tmp_path, port, interval_s=0.05, jsonl_dir="export")
    platform = Platform(port)
    from kiosk.server import create_app

    live = LiveServer(create_app(engine)).start()
    try:
        rate(engine, rating("T-9", 2))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len({k for k, _a, _b in platform.received}) < 2:
            time.sleep(0.05)
        assert {k for k, _a, _b in platform.received} == {"rating:T-9", "case:1:1"}
        assert len((tmp_path / "export" / "2026-09-30.jsonl").read_text().splitlines()) == 2  # beside hall.db
        assert requests.get(f"{live.url}/api/v1/health", timeout=5).ok
    finally:
        live.stop()
        platform.stop()
