# ruff: noqa: F811  (pytest fixtures imported from test_kiosk_fixtures and used as arguments)
"""A registered staff card opens staff mode from the kiosk's home screen and never queues."""

import pytest

from drivers.idcard import parse_text
from drivers.idcard.simulator import sample_card_text
from kiosk.audit import AuditLog
from tests.ui.test_kiosk_fixtures import (  # noqa: F401 (fixtures)
    KIOSK_TOML,
    hall,
    make_kiosk,
    qm_dir,
    to_identify,
    wait_screen,
)
from ui.staff.entry import attach


@pytest.fixture
def kiosk_config():
    """The sample kiosk with the simulator's resident card registered as a staff card."""
    from datetime import date

    from kiosk.config import load_kiosk_config

    config = load_kiosk_config(KIOSK_TOML)
    card = parse_text(sample_card_text("resident"), date.today())
    staff = config.staff.model_copy(update={"staff_cards": [card.id_hash(config.kiosk.id_hash_key.encode())]})
    return config.model_copy(update={"staff": staff})


def test_staff_card_on_the_home_screen_opens_staff_mode(qtbot, make_kiosk, hall, tmp_path):
    rig = make_kiosk()
    entry = attach(rig.window, rig.services, audit=AuditLog(tmp_path / "audit.jsonl"))
    assert rig.window.screen_name() == "home"
    rig.card()
    qtbot.waitUntil(lambda: entry.controller.role == "staff", timeout=10_000)
    assert rig.window.overlay is entry.panel and hall.tickets() == []


def test_staff_card_on_the_identify_screen_issues_no_ticket(qtbot, make_kiosk, hall, tmp_path):
    rig = make_kiosk()
    entry = attach(rig.window, rig.services, audit=AuditLog(tmp_path / "audit.jsonl"))
    to_identify(qtbot, rig.window, "SS01")
    rig.card()
    qtbot.waitUntil(lambda: entry.controller.role == "staff", timeout=10_000)
    qtbot.wait(300)  # had the flow asked for a ticket, it would be on the hall lane by now
    qtbot.waitUntil(lambda: rig.services.hall_lane.pending == 0, timeout=10_000)
    assert hall.tickets() == []
