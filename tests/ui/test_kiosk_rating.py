# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""The kiosk's done screen offers the optional 好差评 of its self-service (when the hall asks for
it): one touch stores a ``kiosk`` rating of the ticket through the hall server, the countdown
home runs on; the standalone kiosk rates in-process; an e-ticket shows no rating row."""

from __future__ import annotations

import pytest

from kiosk.server import create_app
from tests.conftest import LiveServer
from tests.ui.test_kiosk_fixtures import click, hall, make_kiosk, qm_dir, to_identify, wait_screen


def take_ticket(qtbot, window, screen: str = "done"):
    to_identify(qtbot, window, "GC01")
    click(qtbot, window.screens["identify"].skip)
    wait_screen(qtbot, window, screen)
    return window.screens["done"]


@pytest.fixture
def server(hall):
    live = LiveServer(create_app(hall.engine, dev=True)).start()
    yield live
    live.stop()


def test_a_touch_on_the_done_screen_rates_the_self_service_through_the_server(qtbot, make_kiosk, hall, server):
    rig = make_kiosk(server=server.url, file_options={"token": "dev-kiosk", "timeout_s": 2.0})
    done = take_ticket(qtbot, rig.window)
    row = done.rating
    assert row.isVisible() and [b.text() for b in row.buttons.values()][0] == "非常满意"
    click(qtbot, row.buttons[4])
    assert not row.levels.isVisible() and "感谢" in row.prompt.text()
    qtbot.waitUntil(lambda: len(hall.engine.ratings()) == 1, timeout=5000)
    (rating,) = hall.engine.ratings()
    assert (rating.ticket_id, rating.level, rating.channel) == (done.outcome.ticket.id, 4, "kiosk")
    assert done.timer.isActive()  # the countdown home runs on
    assert rig.window.screen_name() == "done"


def test_the_standalone_kiosk_rates_in_process_and_an_eticket_has_no_row(qtbot, make_kiosk, hall):
    rig = make_kiosk()
    done = take_ticket(qtbot, rig.window)
    click(qtbot, done.rating.buttons[1])
    qtbot.waitUntil(lambda: [r.level for r in hall.engine.ratings()] == [1], timeout=5000)
    assert hall.engine.ratings()[0].channel == "kiosk"
    rig.window.go_home()
    paperless = make_kiosk(printer=None)
    done = take_ticket(qtbot, paperless.window, "eticket")
    assert done.eticket and not done.rating.isVisible()
