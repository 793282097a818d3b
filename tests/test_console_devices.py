"""The console's Devices & tokens page over the hall server's real app (Starlette's TestClient, a
real SQLite file, the fake clock): who may open which tab, CSRF, the devices' states as devices
report them, tokens made (shown once, stored as a hash, audited) and revoked after a
confirmation, clerks added and disabled, and the Live page's device alerts."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from kiosk import __version__
from kiosk import store as db
from kiosk.server import add_token, create_app
from kiosk.tokens import hash_token, identify
from tests.console_calls import HTML, add_role_accounts, csrf_of, signed_in_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
KIOSK_TOKEN = "test-kiosk-k01"
PAPER_OUT = {"version": __version__, "program": "kiosk", "outbox_pending": 2, "uptime_s": 30.0,
             "printer": {"state": "paper_out", "detail": "the roll is empty"}, "reader": {"state": "ok"}}


@pytest.fixture
def app(engine):
    add_role_accounts(engine)
    add_token(engine.store, KIOSK_TOKEN, "kiosk", "K01", engine.clock.now())
    return create_app(engine)


def _events(engine, subject: str) -> list:  # noqa: ANN001
    e = db.ticket_events
    with engine.store.read() as conn:
        return conn.execute(select(e.c.action, e.c.actor, e.c.detail).where(e.c.ticket_id == subject)
                            .order_by(e.c.id)).all()


def test_hall_it_sees_every_tab_a_director_the_clerks_only_and_a_guide_nothing(app):
    guide = signed_in_client(app, "guide", lang="zh")
    assert "设备与令牌" not in guide.get("/console/", headers=HTML).text  # not in the guide's nav
    for path in ("/console/devices", "/console/devices/tokens", "/console/devices/clerks"):
        refused = guide.get(path, headers=HTML)
        assert refused.status_code == 403 and "无权" in refused.text
    assert guide.get("/console/devices/table").json()["code"] == "role_refused"

    it = signed_in_client(app, "it", lang="zh")
    assert "设备与令牌" in it.get("/console/", headers=HTML).text
    for path in ("/console/devices", "/console/devices/tokens", "/console/devices/clerks"):
        assert it.get(path, headers=HTML).status_code == 200, path

    director = signed_in_client(app, "director", lang="zh")
    assert "设备与令牌" in director.get("/console/", headers=HTML).text
    went = director.get("/console/devices", headers=HTML)
    assert went.status_code == 303 and went.headers["location"] == "/console/devices/clerks"
    assert director.get("/console/devices/clerks", headers=HTML).status_code == 200
    assert director.get("/console/devices/tokens", headers=HTML).status_code == 403
    assert director.get("/console/devices/table").status_code == 403

    nobody = signed_in_client(app, lang="zh")
    assert nobody.get("/console/devices/table").status_code == 401

    # Changes too: a director makes no token, a guide adds no clerk, whatever the form says.
    made = director.post("/console/devices/tokens", data={"csrf": csrf_of(director), "role": "admin", "device": "x"})
    assert made.status_code == 403
    added = guide.post("/console/devices/clerks", data={"csrf": csrf_of(guide), "code": "0900", "name": "钱九",
                                                         "pin": "2468", "pin2": "2468"})
    assert added.status_code == 403
    assert len(it.get("/console/devices/tokens", headers=HTML).text.split('data-token="')) == 2  # the kiosk's only
    assert "0900" not in it.get("/console/devices/clerks", headers=HTML).text


def test_a_kiosk_out_of_paper_is_marked_on_the_devices_tab_and_alerted_on_the_live_page(app, engine):
    it = signed_in_client(app, "it", lang="zh")
    assert "从未上报" in it.get("/console/devices/table").text  # a token, no report yet
    reported = it.post("/api/v1/devices/status", json=PAPER_OUT, headers={"Authorization": f"Bearer {KIOSK_TOKEN}"})
    assert reported.status_code == 204, reported.text

    table = it.get("/console/devices/table").text
    row = re.search(r'<tbody class="([^"]*)" data-key="kiosk:K01" data-status="online">(.*?)</tbody>', table, re.S)
    assert row, table
    assert "has-problem" in row.group(1)
    body = row.group(2)
    assert "自助机 K01" in body and "刚刚" in body and "10:00:00" in body and __version__ in body
    assert "缺纸" in body and "the roll is empty" in body and "自 10:00:00" in body
    assert ">2<" in body  # two requests waiting in the kiosk's outbox

    alerts = it.get("/console/live.json").json()["alerts"]
    paper = [a for a in alerts if a["kind"] == "device"]
    # The device's own words (English here, any language elsewhere) stay out of both sentences: a tooltip.
    assert paper == [{"kind": "device", "level": "bad", "zh": "自助机 K01 打印机缺纸：请换新纸卷",
                      "en": "Kiosk K01 is out of paper: put in a new roll", "link": "", "detail": "the roll is empty"}]

    engine.clock.advance(120)  # two minutes on: still online (three 30 s reports missed makes it offline)
    assert "2 分钟前" in it.get("/console/devices/table").text
    english = signed_in_client(app, "it", lang="en").get("/console/devices/table").text
    assert "2 min ago" in english and "Paper out" in english and "Kiosk K01" in english


def test_a_kiosk_gone_quiet_is_offline_and_its_last_parts_are_not_alerted(app, engine):
    it = signed_in_client(app, "it", lang="zh")
    it.post("/api/v1/devices/status", json=PAPER_OUT, headers={"Authorization": f"Bearer {KIOSK_TOKEN}"})
    engine.clock.advance(91)
    table = it.get("/console/devices/table").text
    assert 'data-key="kiosk:K01" data-status="offline"' in table and "离线" in table
    alerts = [a for a in it.get("/console/live.json").json()["alerts"] if a["kind"] == "device"]
    assert [a["zh"] for a in alerts] == ["自助机 K01 自 10:00:00 起未上报：请检查是否开机、联网"]


def test_a_token_is_shown_once_stored_as_its_hash_audited_and_works_for_its_window_only(app, engine):
    it = signed_in_client(app, "it", lang="zh")
    made = it.post("/console/devices/tokens", data={"csrf": csrf_of(it), "role": "counter", "window": "3"},
                   headers=HTML)
    assert made.status_code == 200, made.text
    token = re.search(r'id="token-value" class="token" readonly value="([^"]+)"', made.text).group(1)
    assert "只显示这一次" in made.text and "3号窗口 呼叫器" in made.text
    who = identify(engine.store, token, dev=False)
    assert (who.role, who.window) == ("counter", 3)
    with engine.store.read() as conn:
        row = conn.execute(select(db.tokens).where(db.tokens.c.id == who.token_id)).one()
    assert row.token_hash == hash_token(token)
    assert token not in engine.store.path.read_bytes().decode("latin-1")  # never in clear in hall.db
    assert token not in it.get("/console/devices/tokens", headers=HTML).text  # never shown again
    [(action, actor, detail)] = _events(engine, f"token:{who.token_id}")
    assert action == "token-add" and actor == "console it"
    assert json.loads(detail) == {"role": "counter", "device": "", "window": 3}

    headers = {"Authorization": f"Bearer {token}"}
    assert it.post("/api/v1/windows/3/call-next", headers=headers).status_code in (200, 204)
    assert it.post("/api/v1/windows/5/call-next", headers=headers).status_code == 403  # another window
    assert it.post("/api/v1/windows/4/call-next", headers=headers).status_code == 404  # the hall has no 4


@pytest.mark.parametrize(("form", "field", "words"), [
    ({"role": "counter", "window": ""}, "window", "需要窗口号"),
    ({"role": "counter", "window": "42"}, "window", "没有 42 号窗口"),
    ({"role": "rater", "window": "x3"}, "window", "1 到 999"),
    ({"role": "kiosk", "device": ""}, "device", "自助机编号"),
    ({"role": "display", "device": "大屏 1"}, "device", "字母、数字"),
    ({"role": "kiosk", "device": "K02", "window": "3"}, "window", "只有呼叫器和评价器"),
    ({"role": "root", "device": "x"}, "role", "请选择一个角色"),
])
def test_a_token_form_with_a_mistake_is_refused_with_the_reason_and_nothing_is_made(app, engine, form, field, words):
    it = signed_in_client(app, "it", lang="zh")
    before = len(it.get("/console/devices/tokens", headers=HTML).text.split('data-token="')) - 1
    refused = it.post("/console/devices/tokens", data={"csrf": csrf_of(it), "device": "", "window": "", **form},
                      headers=HTML)
    assert refused.status_code == 422 and words in refused.text, refused.text
    assert 'id="token-value"' not in refused.text
    after = len(it.get("/console/devices/tokens", headers=HTML).text.split('data-token="')) - 1
    assert after == before


def test_a_kiosk_token_without_an_offline_range_carries_a_note(app):
    it = signed_in_client(app, "it", lang="en")
    made = it.post("/console/devices/tokens", data={"csrf": csrf_of(it), "role": "kiosk", "device": "K77"},
                   headers=HTML)
    assert made.status_code == 200 and "reserves no offline range" in made.text and "Kiosk K77" in made.text


def test_changes_without_the_csrf_token_are_refused_and_change_nothing(app, engine):
    it = signed_in_client(app, "it", lang="zh")
    for path, form in (("/console/devices/tokens", {"role": "guide", "device": "desk-9"}),
                       ("/console/devices/tokens/1/revoke", {"confirm": "yes"}),
                       ("/console/devices/clerks", {"code": "0900", "name": "钱九", "pin": "2468", "pin2": "2468"})):
        assert it.post(path, data=form, headers=HTML).status_code == 403, path
        assert it.post(path, data={**form, "csrf": "forged"}, headers=HTML).status_code == 403, path
    assert identify(engine.store, KIOSK_TOKEN, dev=False).role == "kiosk"  # token 1 still alive
    assert "0900" not in it.get("/console/devices/clerks", headers=HTML).text
    assert len(_events(engine, "token:2")) == 0


def test_revoking_asks_first_then_the_token_is_refused_and_the_revoke_audited(app, engine):
    it = signed_in_client(app, "it", lang="zh")
    csrf = csrf_of(it)
    asked = it.post("/console/devices/tokens/1/revoke", data={"csrf": csrf}, headers=HTML)
    assert asked.status_code == 200 and "吊销令牌 1（自助机 K01）" in asked.text
    assert identify(engine.store, KIOSK_TOKEN, dev=False).role == "kiosk"  # not yet
    done = it.post("/console/devices/tokens/1/revoke", data={"csrf": csrf, "confirm": "yes"}, headers=HTML)
    assert done.status_code == 303 and done.headers["location"] == "/console/devices/tokens?revoked=1"
    assert "令牌 1 已吊销" in it.get(done.headers["location"], headers=HTML).text
    refused = it.get("/api/v1/catalog", headers={"Authorization": f"Bearer {KIOSK_TOKEN}"})
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert [(a, actor) for a, actor, _ in _events(engine, "token:1")] == [("token-add", ""), ("token-revoke", "console it")]
    again = it.post("/console/devices/tokens/1/revoke", data={"csrf": csrf, "confirm": "yes"}, headers=HTML)
    assert again.headers["location"].endswith("again=1")
    missing = it.post("/console/devices/tokens/99/revoke", data={"csrf": csrf, "confirm": "yes"}, headers=HTML)
    assert missing.status_code == 404 and "没有编号为 99 的令牌" in missing.text


def test_a_clerk_is_added_with_the_pin_typed_twice_listed_without_it_and_disabled_after_a_question(app, engine):
    director = signed_in_client(app, "director", lang="zh")
    csrf = csrf_of(director)
    form = {"csrf": csrf, "code": "0815", "name": "李华", "pin": "135790", "pin2": "135791"}
    differ = director.post("/console/devices/clerks", data=form, headers=HTML)
    assert differ.status_code == 422 and "两次输入的 PIN 不一致" in differ.text
    assert "135790" not in differ.text and 'value="李华"' in differ.text  # the name kept, never the PIN
    assert engine.clerks() == []
    short = director.post("/console/devices/clerks", data={**form, "pin": "12", "pin2": "12"}, headers=HTML)
    assert short.status_code == 422 and "4 到 12 位数字" in short.text

    added = director.post("/console/devices/clerks", data={**form, "pin2": "135790"}, headers=HTML)
    assert added.status_code == 303 and added.headers["location"] == "/console/devices/clerks?added=0815"
    page = director.get(added.headers["location"], headers=HTML).text
    assert "已添加工作人员 0815" in page and 'data-clerk="0815"' in page and "李华" in page
    assert "scrypt" not in page and "135790" not in page
    assert [(a, actor) for a, actor, _ in _events(engine, "clerk:0815")] == [("clerk-add", "console director")]
    taken = director.post("/console/devices/clerks", data={**form, "pin2": "135790"}, headers=HTML)
    assert taken.status_code == 422 and "工号 0815 已被使用" in taken.text

    engine.sign_in(8, "0815", "135790", actor="window 8")
    asked = director.post("/console/devices/clerks/0815/disable", data={"csrf": csrf}, headers=HTML)
    assert asked.status_code == 200 and "停用工作人员 0815（李华）" in asked.text
    assert not engine.clerks()[0].disabled
    done = director.post("/console/devices/clerks/0815/disable", data={"csrf": csrf, "confirm": "yes"}, headers=HTML)
    assert done.status_code == 303
    clerk = engine.clerks()[0]
    assert clerk.disabled and clerk.window is None  # signed out of window 8
    assert _events(engine, "clerk:0815")[-1][:2] == ("clerk-disable", "console director")
    assert "已停用" in director.get("/console/devices/clerks", headers=HTML).text


def test_paper_low_marks_a_kiosks_row_amber_and_paper_out_red(app, engine):
    """Both had the same red bar: a warning is amber, an error red."""
    it = signed_in_client(app, "it", lang="zh")
    low = {**PAPER_OUT, "printer": {"state": "paper_low", "detail": "纸卷将尽"}}
    assert it.post("/api/v1/devices/status", json=low, headers={"Authorization": f"Bearer {KIOSK_TOKEN}"}).status_code == 204
    row = re.search(r'<tbody class="([^"]*)" data-key="kiosk:K01"', it.get("/console/devices/table").text)
    assert row and "problem-warn" in row.group(1) and "problem-bad" not in row.group(1)
    assert it.post("/api/v1/devices/status", json=PAPER_OUT,
                   headers={"Authorization": f"Bearer {KIOSK_TOKEN}"}).status_code == 204
    row = re.search(r'<tbody class="([^"]*)" data-key="kiosk:K01"', it.get("/console/devices/table").text)
    assert row and "problem-bad" in row.group(1) and "problem-warn" not in row.group(1)


def test_a_devices_detail_shows_in_the_alert_only_when_its_words_are_known(app, engine):
    """A detail that is a known state word is said in each language; the demo's "打印纸用完" on
    an English page is not: it is the alert's tooltip."""
    it = signed_in_client(app, "it", lang="zh")
    for detail, zh, en, tip in (
            ("paper_low", "自助机 K01 打印机缺纸：请换新纸卷（纸将用完）",
             "Kiosk K01 is out of paper: put in a new roll (Paper low)", ""),
            ("Paper out", "自助机 K01 打印机缺纸：请换新纸卷", "Kiosk K01 is out of paper: put in a new roll", ""),
            ("打印纸用完", "自助机 K01 打印机缺纸：请换新纸卷", "Kiosk K01 is out of paper: put in a new roll", "打印纸用完")):
        body = {**PAPER_OUT, "printer": {"state": "paper_out", "detail": detail}}
        assert it.post("/api/v1/devices/status", json=body,
                       headers={"Authorization": f"Bearer {KIOSK_TOKEN}"}).status_code == 204
        alert = next(a for a in it.get("/console/live.json").json()["alerts"] if a["kind"] == "device")
        assert (alert["zh"], alert["en"], alert["detail"]) == (zh, en, tip)
