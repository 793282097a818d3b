"""A citizen's "call staff": one hall event naming the kiosk by its token, not by its body."""

from __future__ import annotations

import requests

from kiosk.client import HallClient
from tests.test_server import assert_problem, h


def help_events(engine) -> list[dict]:
    return [e.data for e in engine.events_after(0, 1000) if e.type == "device" and e.data["event"] == "help"]


def test_a_kiosk_call_for_staff_is_one_event_named_by_its_token(live_server, engine, clock):
    kiosk = HallClient(live_server.url, "test-kiosk", timeout=5)  # the token of device kiosk-1
    call = kiosk.request_help("identify", device="K99")  # a body cannot say who asks
    assert call.device == "kiosk-1" and call.screen == "identify"
    assert help_events(engine) == [call.model_dump(mode="json")]
    clock.advance(10)
    again = kiosk.request_help("identify")
    assert again == call and len(help_events(engine)) == 1  # a second press is the same call
    clock.advance(61)
    assert kiosk.request_help("home").screen == "home" and len(help_events(engine)) == 2


def test_only_a_kiosk_asks_and_the_body_is_checked(live_server, engine):
    url = f"{live_server.url}/api/v1/help"
    assert_problem(requests.post(url, json={"screen": "home"}, headers=h("counter"), timeout=5), 403, "forbidden")
    assert_problem(requests.post(url, json={"screen": "home"}, headers=h(None), timeout=5), 401, "unauthorized")
    for body in ({"screen": "home", "device": "K01"}, {"screen": "<script>"}, {"screen": "x" * 40}):
        assert_problem(requests.post(url, json=body, headers=h("kiosk"), timeout=5), 422, "validation_error")
    assert help_events(engine) == []
