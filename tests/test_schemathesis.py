"""Hostile input: schemathesis generates requests from the server's own OpenAPI document.

Every operation (the endpless SSE stream aside) is called with generated valid and invalid
data and the admin token, against a real uvicorn server on loopback: no 500s, and every
documented response matches its schema.
"""

from __future__ import annotations

import tempfile
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kiosk.clock import FakeClock
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.hall import open_engine
from kiosk.server import create_app
from tests.conftest import MONDAY_10AM, LiveServer

AUTH = {"Authorization": "Bearer dev-admin", "Idempotency-Key": "schemathesis"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    engine = open_engine(PROJECT_CONFIG_DIR / "hall.toml", tmp_path_factory.mktemp("hall"), dev=True,
                         clock=FakeClock(MONDAY_10AM))
    live = LiveServer(create_app(engine, dev=True, heartbeat_s=0.2)).start()
    yield live
    live.stop()


def _schema():
    """The document the server serves (built from an engine over a throwaway database)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(open_engine(PROJECT_CONFIG_DIR / "hall.toml", folder, dev=True), dev=True)
        document = app.openapi()
    return schemathesis.openapi.from_dict(document).exclude(path="/api/v1/events")


schema = _schema()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_matches_its_schema(case, server):
    headers = dict(AUTH)
    if case.headers and "Idempotency-Key" in case.headers:
        headers.pop("Idempotency-Key")  # keep the generated one: it is part of the input
    response = case.call_and_validate(base_url=server.url, headers=headers, timeout=10,
                                      checks=[not_a_server_error, response_schema_conformance])
    STATUSES[response.status_code] += 1


STATUSES: Counter[int] = Counter()


def test_zz_report_what_was_exercised():
    """Runs after the generated calls: they must have hit both accepted and refused requests."""
    print(f"schemathesis statuses: {dict(sorted(STATUSES.items()))}")
    assert sum(STATUSES.values()) >= 100
    assert any(s < 300 for s in STATUSES) and any(400 <= s < 500 for s in STATUSES)
