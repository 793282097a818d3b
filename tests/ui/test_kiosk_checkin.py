# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""线上取号 at the kiosk: a citizen who took a place from the phone (over HTTP) checks in at a
kiosk built as ``kiosk run`` builds it, linked to a real hall server on loopback whose engine
runs on a fake clock: by the ID card (the simulated reader) or by the check-in code (typed on
the keypad, or scanned: a scanner types like a keyboard). The ticket stands at its slot's place;
too early, lapsed, not today, unknown and offline are explained, and a second check-in reprints
the same ticket. Screenshots of the new screens at the hall's four shapes."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import Qt

from drivers.idcard.card import parse_text
from drivers.idcard.simcards import sample_card_text
from kiosk.clock import FakeClock
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from kiosk.hall import LocalHall, open_engine
from kiosk.models import IssueRequest
from kiosk.server import create_app
from tests.conftest import MONDAY_10AM, LiveServer
from tests.test_remote import ID_A, ID_B
from tests.ui.kiosk_shots import shape_shots
from tests.ui.test_kiosk_fixtures import click, hall, make_kiosk, qm_dir, to_identify, wait_screen

SERVICE = "GC01"  # 综合咨询, served at help desk 18; the one service taking phone places here


class Remote:
    """A hall taking phone places of GC01, on a fake clock, behind a real server."""

    def __init__(self, folder: Path):
        config = load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")
        data = config.model_dump()
        data["remote"] = {"enabled": True, "check_in_late_minutes": 30, "check_in_early_minutes": 60}
        for service in data["services"]:
            service["remote"] = service["code"] == SERVICE
        self.clock = FakeClock(MONDAY_10AM)
        self.hall = LocalHall(open_engine(type(config).model_validate(data), folder, clock=self.clock))
        self.live: LiveServer | None = LiveServer(create_app(self.hall.engine, dev=True)).start()
        self.url = self.live.url

    def take(self, id_number: str, **body) -> str:
        """A place taken from a phone (the public endpoint): its check-in code."""
        answer = requests.post(f"{self.url}/api/v1/remote-tickets",
                               json={"service": SERVICE, "id_number": id_number, **body}, timeout=5)
        assert answer.status_code == 201, answer.text
        return answer.json()["code"]

    def minutes(self, n: float) -> None:
        self.clock.advance(n * 60)

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


@pytest.fixture
def remote(tmp_path):
    hall_ = Remote(tmp_path / "remote-hall")
    yield hall_
    hall_.stop()


def kiosk_for(make_kiosk, remote: Remote, **options):
    rig = make_kiosk(server=remote.url, file_options={"token": "dev-kiosk", "timeout_s": 1.0}, **options)
    rig.kiosk.terminal.link.retry_after = 0.3
    return rig


def card_id() -> str:
    """The ID number of the simulated reader's resident card."""
    return parse_text(sample_card_text("resident"), date.today()).id_number


def enter_code(qtbot, window, code: str, *, scanned: bool = False) -> None:
    """Home → GC01 → materials → identify → "I have a code from my phone" → the code."""
    to_identify(qtbot, window, SERVICE)
    click(qtbot, window.screens["identify"].booking)
    wait_screen(qtbot, window, "booking")
    booking = window.screens["booking"]
    if scanned:  # a scanner is a keyboard: the characters, then Enter
        qtbot.keyClicks(booking, code.lower())
        qtbot.keyClick(booking, Qt.Key.Key_Return)
    else:
        for key in code:
            click(qtbot, booking.keypad.keys[key])
        assert booking.code.text() == code
        click(qtbot, booking.confirm)


def back_home(qtbot, window) -> None:
    click(qtbot, window.screens["error"].home if window.screen_name() == "error"
          else window.screens["done"].finish)
    wait_screen(qtbot, window, "home")


def shots(qtbot, window, folder: Path, name: str) -> list[str]:
    """The screen at each of the hall's shapes (``tests.ui.kiosk_shots``); the problems found."""
    return shape_shots(qtbot, window, folder, name)


@pytest.fixture
def shot_dir(tmp_path) -> Path:
    return Path(os.environ["CHECKIN_SHOTS"]) if os.environ.get("CHECKIN_SHOTS") else tmp_path / "shots"


def test_the_card_checks_a_phone_place_in_at_its_slot_and_a_second_time_reprints_it(
        qtbot, make_kiosk, remote, shot_dir):
    remote.take(card_id())  # slot: now, 10:00
    remote.minutes(5)
    walk_in = remote.hall.issue(IssueRequest(service=SERVICE))  # 10:05
    remote.minutes(10)  # 10:15: late, within the 30 minutes
    rig = kiosk_for(make_kiosk, remote)
    w = rig.window
    to_identify(qtbot, w, SERVICE)
    assert "手机上取号" in w.screens["identify"].hint.text()
    rig.card()
    wait_screen(qtbot, w, "done")
    done = w.screens["done"]
    ticket = done.outcome.ticket
    assert ticket.device == "remote" and not done.outcome.reprint
    assert ticket.ahead == 0  # its place is 10:00, before the walk-in of 10:05
    assert "线上取号已签到" in done.note.text() and done.qr.text_encoded == ticket.status_url
    assert ticket.number.encode() in rig.printer.output
    assert not shots(qtbot, w, shot_dir, "checked-in")
    rig.remove_card()
    back_home(qtbot, w)
    to_identify(qtbot, w, SERVICE)  # the same citizen again: the same ticket, reprinted
    rig.card()
    wait_screen(qtbot, w, "done")
    again = w.screens["done"].outcome
    assert again.reprint and again.ticket.id == ticket.id
    assert rig.printer.output.count(ticket.number.encode()) >= 2
    assert len(remote.hall.tickets(service=SERVICE)) == 2  # the walk-in and the phone place: no third
    assert remote.hall.call_next(18).ticket == ticket.id
    assert remote.hall.call_next(18).ticket == walk_in.id


def test_a_card_without_a_phone_place_gets_an_ordinary_ticket(qtbot, make_kiosk, remote):
    remote.take(ID_A)  # somebody else's place
    rig = kiosk_for(make_kiosk, remote)
    to_identify(qtbot, rig.window, SERVICE)
    rig.card()
    wait_screen(qtbot, rig.window, "done")
    assert rig.window.screens["done"].outcome.ticket.device != "remote"
    assert len(remote.hall.tickets(service=SERVICE)) == 1


def test_the_check_in_code_typed_or_scanned(qtbot, make_kiosk, remote, shot_dir):
    typed, scanned = remote.take(ID_A), remote.take(ID_B)
    rig = kiosk_for(make_kiosk, remote)
    w = rig.window
    to_identify(qtbot, w, SERVICE)
    click(qtbot, w.screens["identify"].booking)
    wait_screen(qtbot, w, "booking")
    assert "签到码" in w.screens["booking"].title.text()
    assert not shots(qtbot, w, shot_dir, "code-entry")
    w.go_home()
    enter_code(qtbot, w, typed)
    wait_screen(qtbot, w, "done")
    first = w.screens["done"].outcome.ticket
    assert first.device == "remote"
    back_home(qtbot, w)
    enter_code(qtbot, w, scanned, scanned=True)
    wait_screen(qtbot, w, "done")
    second = w.screens["done"].outcome.ticket
    assert second.device == "remote" and second.id != first.id
    assert [t.id for t in remote.hall.tickets(service=SERVICE)] == [first.id, second.id]
    back_home(qtbot, w)
    enter_code(qtbot, w, typed)  # the code again: a reprint, not a third ticket
    wait_screen(qtbot, w, "done")
    assert w.screens["done"].outcome.reprint and w.screens["done"].outcome.ticket.id == first.id
    assert len(remote.hall.tickets(service=SERVICE)) == 2


def refusal(qtbot, window, code: str) -> tuple[str, str]:
    enter_code(qtbot, window, code)
    wait_screen(qtbot, window, "error")
    error = window.screens["error"]
    return error.title.text(), error.text.text()


def test_too_early_unknown_lapsed_and_not_today_are_explained(qtbot, make_kiosk, remote, shot_dir):
    later = remote.take(ID_A, slot="11:30")
    now = remote.take(ID_B)
    rig = kiosk_for(make_kiosk, remote)
    w = rig.window
    error = w.screens["error"]
    found = []

    title, text = refusal(qtbot, w, later)
    assert title == "还未到签到时间" and "10:30" in text and not error.ordinary.isVisible()
    found += shots(qtbot, w, shot_dir, "too-early")
    w.set_language("en")
    assert "from 10:30" in error.text.text()
    found += shots(qtbot, w, shot_dir, "too-early")
    w.set_language("zh")
    back_home(qtbot, w)

    title, text = refusal(qtbot, w, "ABCDEFGH23")
    assert title == "未找到该签到码" and error.ordinary.isVisible()
    found += shots(qtbot, w, shot_dir, "unknown-code")
    back_home(qtbot, w)

    remote.minutes(31)  # 10:31: the 10:00 place was not checked in within 30 minutes
    title, text = refusal(qtbot, w, now)
    assert title == "您的线上号已过期" and "请重新取号" in text
    assert error.ordinary.isVisible() and error.ordinary.text() == "重新取号"
    found += shots(qtbot, w, shot_dir, "lapsed")
    click(qtbot, error.ordinary)  # a new, ordinary ticket instead
    wait_screen(qtbot, w, "done")
    ordinary = w.screens["done"].outcome.ticket
    assert ordinary.device != "remote" and not ordinary.offline
    back_home(qtbot, w)

    remote.minutes(24 * 60)  # Tuesday: Monday's code
    title, text = refusal(qtbot, w, later)
    assert title == "此线上号不是今天的" and error.ordinary.isVisible()
    found += shots(qtbot, w, shot_dir, "not-today")
    assert not found, "\n".join(found)
    assert [t.id for t in remote.hall.tickets(day="2026-11-23", service=SERVICE)] == [ordinary.id]


def test_offline_check_in_needs_the_server_and_offers_an_ordinary_ticket(qtbot, make_kiosk, remote, shot_dir):
    code = remote.take(ID_A)
    rig = kiosk_for(make_kiosk, remote)
    w = rig.window
    remote.stop()
    title, text = refusal(qtbot, w, code)
    error = w.screens["error"]
    assert title == "签到需要连接排队系统" and "普通号" in text and error.ordinary.isVisible()
    assert not shots(qtbot, w, shot_dir, "offline")
    click(qtbot, error.ordinary)
    wait_screen(qtbot, w, "done")
    assert w.screens["done"].outcome.ticket.offline
