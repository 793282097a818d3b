# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""Text reminders left AT THE KIOSK (issue 17): a kiosk built as ``kiosk run`` builds it, linked
to a real hall server on loopback whose [notify] sender is a webhook pointing at a local
recording HTTP server. The citizen types a mobile number on the done screen's keypad; the
ticket's phone page shows it masked, and calling the ticket sends the "your turn" text once.
Invalid numbers keep Confirm disabled, a hall sending no texts offers no button, a stopped
server is explained in plain words and the kiosk goes on working; Back, Home and the idle
timeout drop the number; it is never logged. Screenshots of the new screen at the hall's
shapes, standard and elderly, Chinese and English, checked whole."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import QRect

from kiosk.client import page_token
from kiosk.clock import FakeClock
from kiosk.config import PROJECT_CONFIG_DIR, NotifySettings, WebhookSender, load_hall_config
from kiosk.hall import LocalHall, open_engine
from kiosk.models import ActionRequest, IssueRequest
from kiosk.server import create_app
from tests.conftest import MONDAY_10AM, LiveServer
from tests.test_notify import Recorder
from tests.ui.kiosk_shots import shape_shots
from tests.ui.test_kiosk_fixtures import click, hall, make_kiosk, qm_dir, to_identify, wait_screen
from tests.ui.test_kiosk_layout import below_the_fold

SERVICE = "GC01"  # 综合咨询: no ID card needed, so "without ID card" reaches the ticket at once
PHONE = "13800138000"


class NotifyHall:
    """A hall on a fake clock behind a real server; texts go to ``recorder`` (None: sender none)."""

    def __init__(self, folder: Path, recorder: Recorder | None):
        config = load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")
        if recorder is not None:
            notify = NotifySettings(sender="webhook", webhook=WebhookSender(url=f"{recorder.url}/sms"))
            config = config.model_copy(update={"notify": notify})
        self.hall = LocalHall(open_engine(config, folder, clock=FakeClock(MONDAY_10AM)))
        self.live: LiveServer | None = LiveServer(create_app(self.hall.engine, dev=True)).start()
        self.url = self.live.url

    def state(self, ticket) -> dict:
        """The ticket's phone page state, as a phone reads it."""
        answer = requests.get(f"{self.url}/p/{page_token(ticket.status_url)}/state", timeout=5)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.stop()


@pytest.fixture
def texting(tmp_path, recorder):
    hall_ = NotifyHall(tmp_path / "texting-hall", recorder)
    yield hall_
    hall_.stop()


@pytest.fixture
def silent(tmp_path):
    hall_ = NotifyHall(tmp_path / "silent-hall", None)
    yield hall_
    hall_.stop()


@pytest.fixture
def shot_dir(tmp_path) -> Path:
    return Path(os.environ["NOTIFY_SHOTS"]) if os.environ.get("NOTIFY_SHOTS") else tmp_path / "shots"


def kiosk_for(make_kiosk, hall_: NotifyHall, **options):
    rig = make_kiosk(server=hall_.url, file_options={"token": "dev-kiosk", "timeout_s": 1.0}, **options)
    rig.kiosk.terminal.link.retry_after = 0.3
    return rig


def take_ticket(qtbot, window):
    """Home → GC01 → materials → identify → without ID card → the done screen; the ticket."""
    to_identify(qtbot, window, SERVICE)
    click(qtbot, window.screens["identify"].skip)
    wait_screen(qtbot, window, "done")
    return window.screens["done"].outcome.ticket


def type_number(qtbot, window, digits: str) -> None:
    pad = window.screens["sms"].keypad
    for key in digits:
        click(qtbot, pad.keys[key])


def keypad_hidden(window) -> list[str]:
    """On the number's screen, the number and every key must show without scrolling."""
    if window.screen_name() != "sms":
        return []
    sms = window.screens["sms"]
    viewport = sms.scroll.viewport()
    widgets = [sms.number, *sms.keypad.keys.values(), sms.keypad.backspace]
    return [f"{w.objectName() or w.text()} not fully on screen without scrolling" for w in widgets
            if not viewport.rect().contains(QRect(w.mapTo(viewport, w.rect().topLeft()), w.size()))]


def shots(qtbot, window, folder: Path, name: str) -> list[str]:
    """The screen at each of the hall's shapes (``tests.ui.kiosk_shots``); the problems found."""
    return shape_shots(qtbot, window, folder, name, (below_the_fold, keypad_hidden))


def test_a_number_left_at_the_kiosk_is_on_the_ticket_and_gets_the_turn_text_once(
        qtbot, make_kiosk, texting, recorder, shot_dir, caplog):
    caplog.set_level(logging.DEBUG)
    w = kiosk_for(make_kiosk, texting).window
    assert w.catalog.notify.enabled and w.catalog.notify.ahead == 3
    ticket = take_ticket(qtbot, w)
    done, sms = w.screens["done"], w.screens["sms"]
    assert done.sms.text() == "短信提醒" and not done.sms_note.isVisible()
    assert not shots(qtbot, w, shot_dir, "done-offer")
    click(qtbot, done.sms)
    wait_screen(qtbot, w, "sms")
    assert not done.timer.isActive()  # no countdown home while the number is typed
    assert "前面还剩 3 人" in sms.explain.text() and "号码即删除" in sms.explain.text()
    type_number(qtbot, w, PHONE[:-1])
    assert sms.number.text() == "138 0013 800" and not sms.confirm.isEnabled()
    type_number(qtbot, w, PHONE[-1])
    assert sms.number.text() == "138 0013 8000" and sms.confirm.isEnabled()
    for language in ("zh", "en"):
        w.set_language(language)
        assert not shots(qtbot, w, shot_dir, "sms")
    w.set_language("zh")
    click(qtbot, sms.confirm)
    wait_screen(qtbot, w, "done")
    assert done.sms_note.text() == "将发短信到 138****8000" and not done.sms.isVisible()
    assert done.timer.isActive()
    assert not shots(qtbot, w, shot_dir, "done-saved")
    assert texting.state(ticket)["notify"] == {"enabled": True, "ahead": 3, "phone": "138****8000"}

    texting.hall.call_next(ticket.windows[0])
    qtbot.waitUntil(lambda: any(b["kind"] == "turn" for b in recorder.bodies()), timeout=10_000)
    qtbot.wait(1500)  # the worker looks again every second: nothing is sent twice
    turns = [b for b in recorder.bodies() if b["kind"] == "turn"]
    assert len(turns) == 1 and turns[0]["phone"] == PHONE and turns[0]["ticket"] == ticket.id
    assert ticket.number in turns[0]["text"]
    assert [b["kind"] for b in recorder.bodies()].count("ahead") <= 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert PHONE not in logged and "13800138000" not in logged


def test_only_a_valid_number_can_be_confirmed_and_back_drops_it(qtbot, make_kiosk, texting):
    w = kiosk_for(make_kiosk, texting).window
    take_ticket(qtbot, w)
    done, sms = w.screens["done"], w.screens["sms"]
    click(qtbot, done.sms)
    wait_screen(qtbot, w, "sms")
    assert sms.number.text() == "—" and not sms.confirm.isEnabled() and not sms.problem.isVisible()
    type_number(qtbot, w, "12345678901")  # 11 digits, but no mobile number starts with 12
    assert not sms.confirm.isEnabled()
    assert sms.problem.isVisible() and "13 至 19" in sms.problem.text()
    type_number(qtbot, w, "9")  # no twelfth digit
    assert sms.keypad.value == "12345678901"
    for _ in range(11):
        click(qtbot, sms.keypad.backspace)
    assert sms.keypad.value == "" and sms.number.text() == "—"
    type_number(qtbot, w, "1381234567")  # 10 digits
    assert not sms.confirm.isEnabled() and not sms.problem.isVisible()
    qtbot.keyClick(sms, "8")  # a keyboard types too
    assert sms.confirm.isEnabled()
    click(qtbot, sms.back)
    wait_screen(qtbot, w, "done")
    assert done.sms.isVisible() and not done.sms_note.isVisible()
    assert done.timer.isActive()
    click(qtbot, done.sms)
    wait_screen(qtbot, w, "sms")
    assert sms.keypad.value == "" and not sms.confirm.isEnabled()  # the number was dropped


def test_the_idle_timeout_goes_home_from_the_keypad_and_drops_the_number(qtbot, make_kiosk, texting):
    w = kiosk_for(make_kiosk, texting, done_ms=3000, idle_ms=6000).window
    ticket = take_ticket(qtbot, w)
    click(qtbot, w.screens["done"].sms)
    wait_screen(qtbot, w, "sms")
    type_number(qtbot, w, PHONE)
    qtbot.wait(4000)  # longer than the done screen's countdown: it does not run here
    assert w.screen_name() == "sms"
    wait_screen(qtbot, w, "home", timeout=8000)
    assert w.screens["sms"].keypad.value == "" and w.visit is None
    assert texting.state(ticket)["notify"]["phone"] is None  # nothing was sent


def test_a_hall_sending_no_texts_offers_no_button(qtbot, make_kiosk, silent):
    w = kiosk_for(make_kiosk, silent).window
    assert not w.catalog.notify.enabled
    take_ticket(qtbot, w)
    assert not w.screens["done"].sms.isVisible()


def test_a_refusal_is_told_in_plain_words(qtbot, make_kiosk, texting):
    w = kiosk_for(make_kiosk, texting).window
    ticket = take_ticket(qtbot, w)
    click(qtbot, w.screens["done"].sms)
    wait_screen(qtbot, w, "sms")
    type_number(qtbot, w, PHONE)
    texting.hall.act(ticket.id, "void", ActionRequest(reason="test"))  # staff voided it meanwhile
    sms = w.screens["sms"]
    click(qtbot, sms.confirm)
    qtbot.waitUntil(lambda: sms.problem.isVisible(), timeout=10_000)
    assert w.screen_name() == "sms" and "已经结束" in sms.problem.text()
    assert texting.state(ticket)["notify"]["phone"] is None


def test_a_stopped_server_is_explained_and_the_kiosk_goes_on(qtbot, make_kiosk, texting, shot_dir):
    rig = kiosk_for(make_kiosk, texting)
    w = rig.window
    take_ticket(qtbot, w)
    click(qtbot, w.screens["done"].sms)
    wait_screen(qtbot, w, "sms")
    type_number(qtbot, w, PHONE)
    texting.stop()
    sms = w.screens["sms"]
    click(qtbot, sms.confirm)
    assert sms.confirm.text() == "正在登记…" and not sms.confirm.isEnabled()
    qtbot.waitUntil(lambda: sms.problem.isVisible(), timeout=10_000)
    assert sms.problem.text().startswith("暂时无法登记短信提醒，请扫码在手机上登记")
    assert sms.confirm.isEnabled()  # the citizen may try again
    assert not shots(qtbot, w, shot_dir, "sms-unreachable")
    click(qtbot, sms.back)
    wait_screen(qtbot, w, "done")
    click(qtbot, w.screens["done"].finish)
    wait_screen(qtbot, w, "home")
    offline = take_ticket(qtbot, w)  # the kiosk still gives tickets: offline ones
    assert offline.offline and not w.screens["done"].sms.isVisible()


def test_the_page_token_is_the_last_segment_of_a_page_address():
    token = "A" * 24
    assert page_token(f"http://hall.example/p/{token}") == token
    assert page_token(f"https://hall.example/x/p/{token}/") == token
    assert page_token("http://hall.example/") is None  # a ticket from before page tokens
    assert page_token(f"http://hall.example/t/{token}") is None
    assert page_token("http://hall.example/p/short") is None


def test_an_older_servers_catalog_still_validates(hall):
    from kiosk.models import Catalog

    data = hall.catalog().model_dump(mode="json")
    del data["notify"]
    assert Catalog.model_validate(data).notify.enabled is False
