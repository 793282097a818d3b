"""The citizen's phone page over a real server on loopback (kiosk.phone): reached only by the
ticket's unguessable token, in the phone's language, showing this ticket and nothing else; its
event stream and poll carry only this ticket's state; rating and leaving a number by token; the
old /t/<id> address shows nothing; assets cached by versioned names."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
import requests

from kiosk.config import NotifySettings, WebhookSender
from kiosk.models import IssueRequest
from tests.api_calls import post, refused
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.both_stores


def issued(server, key: str, service: str = "GC01") -> dict:
    return post(server, "/tickets", "test-kiosk", {"service": service}, key).json()


def token_of(ticket: dict) -> str:
    match = re.fullmatch(r"http://127\.0\.0\.1:8600/p/([A-Za-z0-9_-]+)", ticket["status_url"])
    assert match, ticket["status_url"]
    return match.group(1)


def page(server, token: str, **headers) -> requests.Response:
    return requests.get(f"{server.url}/p/{token}", headers=headers, timeout=5)


def test_the_qr_address_holds_an_unguessable_token_not_the_id(live_server):
    first, second = issued(live_server, "a"), issued(live_server, "b")
    tokens = {token_of(first), token_of(second)}
    assert len(tokens) == 2 and all(len(t) >= 22 for t in tokens)  # 22 base64 characters: 132 bits
    assert all(first["id"] not in t and first["number"] not in t for t in tokens)


def test_the_page_shows_this_ticket_in_the_phones_language(live_server):
    ticket = issued(live_server, "a")
    mine = issued(live_server, "b")
    zh = page(live_server, token_of(mine), **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert zh.status_code == 200 and "<html lang='zh-CN'>" in zh.text
    assert mine["number"] in zh.text and "前面还有 1 人" in zh.text
    assert "办公时间" in zh.text and "周一至周五 08:30–12:00、13:30–17:30" in zh.text and "人民路" in zh.text
    assert zh.headers["Cache-Control"] == "no-store" and zh.headers["Referrer-Policy"] == "no-referrer"
    en = page(live_server, token_of(mine), **{"Accept-Language": "en-US,en;q=0.8"})
    assert "<html lang='en'>" in en.text and "1 person ahead of you" in en.text and "Opening hours" in en.text
    switched = requests.get(f"{live_server.url}/p/{token_of(mine)}?lang=en",
                            headers={"Accept-Language": "zh-CN"}, timeout=5)
    assert "Mon–Fri 08:30–12:00, 13:30–17:30" in switched.text and "?lang=zh" in switched.text
    assert ticket["number"] not in zh.text  # nothing of the ticket ahead
    assert mine["id"] not in zh.text  # nor its own guessable id


def test_the_old_address_and_unknown_tokens_show_nothing(live_server):
    ticket = issued(live_server, "a")
    old = requests.get(f"{live_server.url}/t/{ticket['id']}", timeout=5)
    assert old.status_code == 404 and ticket["number"] not in old.text and "二维码" in old.text
    for token in ("A" * 24, "short", "../../etc", token_of(ticket)[:-1] + "_"):
        assert page(live_server, token).status_code == 404
        assert requests.get(f"{live_server.url}/p/{token}/state", timeout=5).status_code == 404


def test_the_state_carries_only_this_tickets_public_view(live_server):
    ticket = issued(live_server, "a")
    state = requests.get(f"{live_server.url}/p/{token_of(ticket)}/state", timeout=5).json()
    assert state["number"] == ticket["number"] and state["state"] == "waiting" and state["ahead"] == 0
    assert set(state) == {"number", "service_code", "service", "state", "ahead", "eta_minutes", "eta_range",
                          "window", "place", "recalls", "note", "rating", "notify"}
    assert ticket["id"] not in json.dumps(state)


def test_nobody_ahead_while_the_window_is_busy_is_shown_as_a_wait_not_next_now(live_server, engine):
    from kiosk.models import ActionRequest
    from kiosk.phone_page import status_lines

    first = issued(live_server, "a", "GC02")  # window 20 alone serves GC02
    state = requests.get(f"{live_server.url}/p/{token_of(first)}/state", timeout=5).json()
    assert (state["ahead"], state["eta_minutes"], state["eta_range"]) == (0, 0, None)
    assert status_lines(state, "zh")[:2] == ("下一位就是您", "请留意大厅叫号屏和广播")
    engine.act(first["id"], "call", ActionRequest(window=20))
    engine.act(first["id"], "start", ActionRequest(window=20))
    second = issued(live_server, "b", "GC02")
    state = requests.get(f"{live_server.url}/p/{token_of(second)}/state", timeout=5).json()
    # Window 20 has just started a 10-minute service: about 10 minutes, as a range.
    assert state["ahead"] == 0 and state["eta_minutes"] >= 10
    low, high = state["eta_range"]
    assert low < state["eta_minutes"] < high
    assert status_lines(state, "zh")[1] == f"预计等待约 {low}–{high} 分钟"
    assert status_lines(state, "en")[1] == f"About {low}–{high} min wait"


def test_the_page_token_reaches_who_prints_tickets_not_every_device(live_server, engine):
    ticket = issued(live_server, "a")
    token = token_of(ticket)

    def fetched(role: str) -> str:
        response = requests.get(f"{live_server.url}/api/v1/tickets/{ticket['id']}",
                                headers={"Authorization": f"Bearer test-{role}"}, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()["status_url"]

    assert all(fetched(role).endswith(f"/p/{token}") for role in ("kiosk", "guide", "admin"))
    # A board's or a counter's token: the ticket, but the hall's address instead of the page's.
    assert [fetched(role) for role in ("display", "counter")] == ["http://127.0.0.1:8600/"] * 2
    # The hall's event stream, which every device reads, never carries a page token.
    engine.call_next(engine.config.windows_for("GC01")[0])
    with engine.store.read() as conn:
        from kiosk import store as db

        stored = [row.data for row in conn.execute(db.hall_events.select())]
    assert stored and not any(token in data for data in stored)
    assert any(ticket["number"] in data for data in stored)


def test_the_event_stream_follows_the_ticket(live_server, engine):
    ticket = issued(live_server, "a")
    with requests.get(f"{live_server.url}/p/{token_of(ticket)}/events", stream=True, timeout=10) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        states = _events(stream)
        assert next(states)["state"] == "waiting"
        window = engine.config.windows_for("GC01")[0]
        engine.call_next(window)
        called = next(states)
        assert called["state"] == "called" and called["window"] == window
        assert called["place"]["zh"] == engine.config.window(window).name.zh


def _events(stream):
    kind = None
    for line in stream.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind == "state":
            yield json.loads(line[6:])


def test_a_finished_ticket_is_rated_through_its_page_once(live_server, engine):
    ticket = issued(live_server, "a")
    token = token_of(ticket)
    refused(requests.post(f"{live_server.url}/p/{token}/rating", json={"level": 5}, timeout=5), 403)
    engine.call_next(engine.config.windows_for("GC01")[0])
    engine.act(ticket["id"], "finish")
    assert "非常满意" in page(live_server, token).text
    answer = requests.post(f"{live_server.url}/p/{token}/rating", json={"level": 4}, timeout=5)
    assert answer.status_code == 201 and answer.json()["channel"] == "qr"
    again = requests.post(f"{live_server.url}/p/{token}/rating", json={"level": 1}, timeout=5)
    assert again.status_code == 409
    state = requests.get(f"{live_server.url}/p/{token}/state", timeout=5).json()
    assert state["rating"] == "rated" and state["state"] == "done"


def test_a_number_is_left_and_withdrawn_by_token(live_server, engine):
    ticket = issued(live_server, "a")
    url = f"{live_server.url}/p/{token_of(ticket)}/notify"
    refused(requests.post(url, json={"phone": "13812345678"}, timeout=5), 422, "sends no text messages")
    engine.use_config(engine.config.model_copy(update={"notify": NotifySettings(
        sender="webhook", webhook=WebhookSender(url="http://127.0.0.1:9/"))}))
    refused(requests.post(url, json={"phone": "1381234567"}, timeout=5), 422, "11 digits")
    saved = requests.post(url, json={"phone": "138 1234 5678"}, timeout=5)
    assert saved.status_code == 200 and saved.json() == {"phone": "138****5678"}
    state = requests.get(f"{live_server.url}/p/{token_of(ticket)}/state", timeout=5).json()
    assert state["notify"] == {"enabled": True, "ahead": 3, "phone": "138****5678"}
    assert requests.delete(url, timeout=5).status_code == 204
    assert requests.get(f"{live_server.url}/p/{token_of(ticket)}/state", timeout=5).json()["notify"]["phone"] is None


def test_assets_have_versioned_names_and_are_cached(live_server):
    text = page(live_server, token_of(issued(live_server, "a"))).text
    names = re.findall(r"/p/static/(phone\.[0-9a-f]{10}\.(?:css|js))", text)
    assert len(names) == 2
    for name in names:
        answer = requests.get(f"{live_server.url}/p/static/{name}", timeout=5)
        assert answer.status_code == 200 and "immutable" in answer.headers["Cache-Control"]
    assert requests.get(f"{live_server.url}/p/static/phone.0000000000.css", timeout=5).status_code == 404
    assert "cdn" not in text.lower() and "https://" not in text


def test_an_offline_ticket_keeps_the_token_its_kiosk_printed(engine):
    token = "k" * 24
    at = datetime.fromtimestamp(engine.clock.now(), SHANGHAI)
    req = IssueRequest(service="GC01", number="K901", issued_at=at, channel="offline", device="K01",
                       page_token=token)
    ticket = engine.issue(req, "offline-1")
    assert ticket.status_url.endswith(f"/p/{token}")
    again = engine.issue(req.model_copy(update={"number": "K902"}), "offline-2")
    assert again.status_url.endswith("/p/" + again.status_url.rsplit("/", 1)[1]) and token not in again.status_url
    online = engine.issue(IssueRequest(service="GC01", page_token="o" * 24), "online-1")
    assert "o" * 24 not in online.status_url  # only an offline ticket brings its own token


def test_held_requeued_and_missed_are_explained_in_plain_words(live_server, engine):
    ticket = issued(live_server, "a")
    token = token_of(ticket)
    window = engine.config.windows_for("GC01")[0]

    def headline_and_detail() -> str:
        text = page(live_server, token, **{"Accept-Language": "zh-CN"}).text
        return re.search(r"<div id='status'.*?</div>", text, re.S).group(0)

    engine.call_next(window)
    engine.act(ticket["id"], "hold")
    held = headline_and_detail()
    assert "state-held" in held and "业务暂停" in held and "请留在" in held
    engine.act(ticket["id"], "requeue")
    assert "您已重新排队" in headline_and_detail()
    engine.call_next(window)
    engine.act(ticket["id"], "no-show")
    missed = headline_and_detail()
    assert "已过号" in missed and "重新排队" in missed
    english = page(live_server, token, **{"Accept-Language": "en"}).text
    assert "Missed" in english and "help desk" in english
