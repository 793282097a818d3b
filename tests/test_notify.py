"""Text messages to the citizen (kiosk.notify): through a real recording HTTP server on loopback,
"N people ahead" and "your turn" are each sent once; an outage is retried and sent once after;
a hanging gateway never slows a call; the number is deleted when the ticket ends and appears in
logs only masked. The Aliyun and Tencent adapters send what their signatures promise."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from sqlalchemy import select

from kiosk import store as db
from kiosk.config import AliyunSms, NotifySettings, TencentSms, WebhookSender
from kiosk.models import IssueRequest
from kiosk.notify import NotifyWorker
from kiosk.notify_senders import (
    Aliyun,
    Message,
    SendError,
    Tencent,
    aliyun_signature,
    tencent_authorization,
)
from tests.conftest import LiveServer

PHONE = "13812345678"
pytestmark = pytest.mark.both_stores


class Recorder:
    """A real HTTP server recording every request; ``fail`` answers 503, ``hang`` waits that
    many seconds before answering, ``answer`` is the JSON body of a success."""

    def __init__(self):
        self.received: list[dict] = []
        self.fail = False
        self.hang = 0.0
        self.answer: dict = {}
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if recorder.hang:
                    time.sleep(recorder.hang)
                with recorder.lock:
                    failing = recorder.fail
                    if not failing:
                        recorder.received.append({"method": self.command, "path": self.path,
                                                  "headers": {k.lower(): v for k, v in self.headers.items()},
                                                  "body": body})
                payload = json.dumps(recorder.answer).encode()
                self.send_response(503 if failing else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _any  # noqa: N815 - http.server's names

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict]:
        with self.lock:
            return [json.loads(r["body"]) for r in self.received]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.stop()


class Clock:
    """The worker's clock (retry pauses), moved by hand."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def notifying(engine, url: str, **settings):
    """``engine`` running on the sample hall with the webhook sender at ``url``."""
    notify = NotifySettings(sender="webhook", webhook=WebhookSender(url=url), **settings)
    engine.use_config(engine.config.model_copy(update={"notify": notify}))
    return engine


def issue(engine, key: str, phone: str | None = None):
    return engine.issue(IssueRequest(service="GC01", phone=phone), key)


def call_for(engine, ticket) -> int:
    """Call the next ticket of the ticket's service at its first window; the window."""
    window = ticket.windows[0]
    engine.call_next(window)
    return window


def messages(engine) -> list:
    with engine.store.read() as conn:
        return conn.execute(select(db.notify_messages).order_by(db.notify_messages.c.id)).all()


def test_ahead_and_turn_are_each_sent_once(engine, recorder):
    notifying(engine, f"{recorder.url}/sms", ahead=2)
    clock = Clock()
    worker = NotifyWorker(engine, clock=clock)
    others = [issue(engine, f"o{i}") for i in range(4)]
    mine = issue(engine, "mine", PHONE)
    worker.step()
    assert recorder.bodies() == []  # 4 ahead: more than 2
    for _ in range(2):
        call_for(engine, others[0])
        worker.step()
    worker.step()
    sent = recorder.bodies()
    assert [(b["kind"], b["params"]["ahead"]) for b in sent] == [("ahead", 2)]
    assert sent[0]["phone"] == PHONE and sent[0]["ticket"] == mine.id and "前面还有 2 人" in sent[0]["text"]
    assert recorder.received[0]["headers"]["idempotency-key"] == f"{mine.id}:ahead"
    for _ in range(3):  # one ahead, then nobody: no second "ahead" message
        call_for(engine, others[0])
        worker.step()
    window = call_for(engine, mine)  # mine is called
    worker.step()
    worker.step()
    kinds = [b["kind"] for b in recorder.bodies()]
    assert kinds == ["ahead", "turn"]
    assert recorder.bodies()[1]["params"] == {"number": mine.number, "window": window}
    assert f"{window} 号窗口" in recorder.bodies()[1]["text"]
    engine.act(mine.id, "recall")  # a recall is the same "turn": no new message
    worker.step()
    assert len(recorder.received) == 2


def test_an_outage_is_retried_and_the_message_sent_once_after(engine, recorder):
    notifying(engine, recorder.url, ahead=3)
    clock = Clock()
    worker = NotifyWorker(engine, clock=clock, retry_base_s=10)
    mine = issue(engine, "mine", PHONE)
    recorder.fail = True
    worker.step()
    worker.step()
    (row,) = messages(engine)
    assert row.state == "pending" and row.attempts == 1 and "503" in row.error
    assert row.next_at == clock.now + 10
    clock.now += 11
    worker.step()
    assert messages(engine)[0].attempts == 2  # still down: the pause doubles
    assert messages(engine)[0].next_at == clock.now + 20
    recorder.fail = False
    worker.step()
    assert recorder.received == []  # not due yet
    clock.now += 21
    worker.step()
    worker.step()
    assert [b["kind"] for b in recorder.bodies()] == ["ahead"]
    assert messages(engine)[0].state == "sent"
    assert mine.id == recorder.bodies()[0]["ticket"]


def test_a_refusal_that_cannot_succeed_is_not_retried(engine):
    class Refusing:
        name = "test"
        calls = 0

        def send(self, message):
            Refusing.calls += 1
            raise SendError("template not approved", retry=False)

    notifying(engine, "http://127.0.0.1:9/")
    worker = NotifyWorker(engine, clock=Clock(), sender=Refusing())
    issue(engine, "mine", PHONE)
    for _ in range(3):
        worker.step()
    assert Refusing.calls == 1 and messages(engine)[0].state == "failed"


def test_the_number_is_deleted_when_the_ticket_ends_and_logs_show_it_masked(engine, recorder, caplog):
    notifying(engine, recorder.url)
    worker = NotifyWorker(engine, clock=Clock())
    mine = issue(engine, "mine", PHONE)
    caplog.set_level(logging.INFO, logger="kiosk.notify")
    worker.step()
    call_for(engine, mine)
    engine.act(mine.id, "finish")
    recorder.fail = True  # the "turn" message cannot go before the ticket ends
    worker.step()
    with engine.store.read() as conn:
        assert conn.execute(select(db.notify_numbers)).all() == []
    states = {row.kind: row.state for row in messages(engine)}
    assert states["ahead"] == "sent"
    assert states.get("turn", "dropped") == "dropped"
    assert "138****5678" in caplog.text and PHONE not in caplog.text
    assert not any(PHONE in str(tuple(row)) for row in messages(engine))
    with engine.store.read() as conn:  # nor anywhere else: events, the ticket's history, tickets
        for table in (db.hall_events, db.ticket_events, db.tickets, db.idempotency):
            assert not any(PHONE in str(tuple(row)) for row in conn.execute(select(table))), table.name


def test_a_hall_without_a_sender_keeps_no_number(engine):
    mine = issue(engine, "mine", PHONE)
    with engine.store.read() as conn:
        assert conn.execute(select(db.notify_numbers)).all() == []
    assert mine.state == "waiting"


def test_a_bad_number_is_refused_in_plain_words():
    with pytest.raises(ValueError, match="11 digits starting with 13 to 19"):
        IssueRequest(service="GC01", phone="12345678901")
    assert IssueRequest(service="GC01", phone="+86 138-1234-5678").phone == PHONE


def test_a_hanging_gateway_never_slows_a_call(engine, recorder):
    from kiosk.server import add_token, create_app

    notifying(engine, recorder.url, timeout_s=8)
    add_token(engine.store, "test-counter", "counter", "", 0, window=5)
    add_token(engine.store, "test-kiosk", "kiosk", "K01", 0)
    recorder.hang = 6.0
    app = create_app(engine)
    app.state.notify_worker.poll_s = 0.1
    server = LiveServer(app).start()
    try:
        for i in range(3):
            requests.post(f"{server.url}/api/v1/tickets", json={"service": "GC01", "phone": PHONE},
                          headers={"Authorization": "Bearer test-kiosk", "Idempotency-Key": f"h{i}"}, timeout=5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(r.state == "sending" for r in messages(engine)):
            time.sleep(0.05)
        assert any(r.state == "sending" for r in messages(engine)), "the worker should be stuck in a send"
        window = engine.config.windows_for("GC01")[0]
        add_token(engine.store, "test-counter-gc", "counter", "", 0, window=window)
        started = time.monotonic()
        answer = requests.post(f"{server.url}/api/v1/windows/{window}/call-next",
                               headers={"Authorization": "Bearer test-counter-gc"}, timeout=5)
        took = time.monotonic() - started
        assert answer.status_code == 200, answer.text
        assert took < 1.0, f"a call took {took:.2f} s while the gateway hung"
    finally:
        recorder.hang = 0
        server.stop()


def test_aliyun_sends_a_signed_sendsms_request(recorder):
    recorder.answer = {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"}
    settings = AliyunSms(access_key_id="LTAIid", access_key_secret="s3cret", sign_name="示范大厅",
                         template_ahead="SMS_1", template_turn="SMS_2", endpoint=recorder.url)
    Aliyun(settings, timeout=5).send(Message("20261123-G001", "turn", PHONE, {"number": "G001", "window": 5}))
    (request,) = recorder.received
    assert request["method"] == "GET"
    params = dict(parse_qsl(urlsplit(request["path"]).query, keep_blank_values=True))
    signature = params.pop("Signature")
    assert signature == aliyun_signature(params, "s3cret")
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert params["PhoneNumbers"] == PHONE and params["SignName"] == "示范大厅" and params["TemplateCode"] == "SMS_2"
    assert json.loads(params["TemplateParam"]) == {"number": "G001", "window": "5"}
    assert params["SignatureMethod"] == "HMAC-SHA1" and params["OutId"] == "20261123-G001:turn"
    # The signature itself, by hand: HMAC-SHA1 over GET&%2F&<encoded sorted query>, key secret&.
    query = "&".join(f"{k}={v}" for k, v in sorted(
        (requests.utils.quote(k, safe="-_.~"), requests.utils.quote(v, safe="-_.~")) for k, v in params.items()))
    to_sign = "GET&%2F&" + requests.utils.quote(query, safe="-_.~")
    assert signature == base64.b64encode(hmac.new(b"s3cret&", to_sign.encode(), hashlib.sha1).digest()).decode()
    recorder.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit"}
    with pytest.raises(SendError) as refused:
        Aliyun(settings, timeout=5).send(Message("t", "ahead", PHONE, {"number": "G001", "ahead": 2}))
    assert refused.value.retry


def test_tencent_sends_a_tc3_signed_request(recorder):
    recorder.answer = {"Response": {"SendStatusSet": [{"Code": "Ok", "Message": "send success"}], "RequestId": "r"}}
    settings = TencentSms(secret_id="AKID", secret_key="key", sdk_app_id="1400000000", sign_name="示范大厅",
                          template_ahead="101", template_turn="102", endpoint=recorder.url)
    Tencent(settings, timeout=5, clock=lambda: 1_764_550_000).send(
        Message("20261123-G001", "ahead", PHONE, {"number": "G001", "ahead": 3}))
    (request,) = recorder.received
    body = json.loads(request["body"])
    assert body["PhoneNumberSet"] == [f"+86{PHONE}"] and body["TemplateId"] == "101"
    assert body["TemplateParamSet"] == ["G001", "3"] and body["SmsSdkAppId"] == "1400000000"
    headers = request["headers"]
    assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"
    assert headers["x-tc-timestamp"] == "1764550000" and headers["x-tc-region"] == "ap-guangzhou"
    host = urlsplit(recorder.url).netloc
    assert headers["authorization"] == tencent_authorization("AKID", "key", host, request["body"], 1_764_550_000)
    assert "Credential=AKID/2025-12-01/sms/tc3_request" in headers["authorization"]
    recorder.answer = {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}}}
    with pytest.raises(SendError) as refused:
        Tencent(settings, timeout=5).send(Message("t", "turn", PHONE, {"number": "G001", "window": 5}))
    assert not refused.value.retry


def test_a_message_whose_sender_died_mid_send_goes_once_after_the_lease(engine, recorder):
    notifying(engine, recorder.url)
    clock = Clock()
    dead = NotifyWorker(engine, clock=clock)
    issue(engine, "mine", PHONE)
    dead.watch()
    assert len(dead._claim()) == 1  # claimed, then the process "dies" before sending
    other = NotifyWorker(engine, clock=clock)
    other.step()
    assert recorder.received == []  # another process leaves a fresh claim alone
    clock.now += 121
    other.step()
    other.step()
    assert [b["kind"] for b in recorder.bodies()] == ["ahead"] and messages(engine)[0].state == "sent"
