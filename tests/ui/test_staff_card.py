# ruff: noqa: F811  (pytest fixtures imported from test_kiosk_fixtures and used as arguments)
"""A registered staff card opens staff mode from the kiosk's home screen and never queues."""

from drivers.idcard import parse_text
from drivers.idcard.simulator import sample_card_text
from tests.ui.test_kiosk_fixtures import (  # noqa: F401 (fixtures)
    KIOSK_TOML,
    hall,
    make_kiosk,
    qm_dir,
    to_identify,
    wait_screen,
)


def staff_kiosk(make_kiosk):
    """A kiosk whose file registers the simulator's resident card as a staff card."""
    from datetime import date

    from kiosk.idkeys import staff_card_entry

    card = parse_text(sample_card_text("resident"), date.today())
    return make_kiosk(file_options={"staff_cards": [staff_card_entry(card.id_number)]})


def test_staff_card_on_the_home_screen_opens_staff_mode(qtbot, make_kiosk, hall, tmp_path):
    rig = staff_kiosk(make_kiosk)
    entry = rig.kiosk.staff
    assert rig.window.screen_name() == "home"
    rig.card()
    qtbot.waitUntil(lambda: entry.controller.role == "staff", timeout=10_000)
    assert rig.window.overlay is entry.panel and hall.tickets() == []


def test_staff_card_on_the_identify_screen_issues_no_ticket(qtbot, make_kiosk, hall, tmp_path):
    rig = staff_kiosk(make_kiosk)
    entry = rig.kiosk.staff
    to_identify(qtbot, rig.window, "SS01")
    rig.card()
    qtbot.waitUntil(lambda: entry.controller.role == "staff", timeout=10_000)
    qtbot.wait(300)  # had the flow asked for a ticket, it would be on the hall lane by now
    qtbot.waitUntil(lambda: rig.services.hall_lane.pending == 0, timeout=10_000)
    assert hall.tickets() == []
