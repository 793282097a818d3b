# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""The citizen's paths through the real kiosk widgets, driven by clicks."""

from __future__ import annotations

from datetime import datetime, timedelta

from drivers.printer.simulator import SerialPrinterSimulator
from kiosk.hours import CLOSED_REASONS
from kiosk.models import Appointment, ServiceChange
from kiosk.terminal import citizen_from_card
from tests.ui.test_kiosk_fixtures import (  # noqa: F401 (fixtures)
    ELDERLY_BORN,
    click,
    hall,
    kiosk_config,
    make_kiosk,
    qm_dir,
    same_service_twice,
    to_identify,
    wait_screen,
)


def done_ticket(window):
    return window.screens["done"].outcome.ticket


def test_standard_ticket_without_id(qtbot, make_kiosk, hall):
    rig = make_kiosk()
    w = rig.window
    to_identify(qtbot, w, "GC01")
    ident = w.screens["identify"]
    assert ident.skip.isVisible() and not ident.booking.isVisible()  # GC01 takes no appointments
    click(qtbot, ident.skip)
    wait_screen(qtbot, w, "done")
    ticket = done_ticket(w)
    done = w.screens["done"]
    assert done.number.text() == ticket.number and ticket.number.startswith("K")
    assert done.qr.text_encoded == ticket.status_url
    assert ticket.number.encode() in rig.printer.output
    assert hall.ticket(ticket.id).state == "waiting"
    assert not rig.services.alerts.active()


def test_materials_and_bundle_items_are_listed(qtbot, make_kiosk):
    w = make_kiosk().window
    home = w.screens["home"]
    click(qtbot, home.tile("AP02"))
    wait_screen(qtbot, w, "materials")
    m = w.screens["materials"]
    assert "营业执照" in m.items.text() and "食品经营许可" in m.bundle.text()
    click(qtbot, m.back)
    wait_screen(qtbot, w, "home")


def test_id_required_service_with_card(qtbot, make_kiosk, hall):
    rig = make_kiosk()
    w = rig.window
    to_identify(qtbot, w, "SS01")
    ident = w.screens["identify"]
    assert not ident.skip.isVisible() and not ident.problem.isVisible()
    rig.card()
    wait_screen(qtbot, w, "done")
    ticket = hall.ticket(done_ticket(w).id)
    assert ticket.id_mask and "*" in ticket.id_mask and ticket.priority == "normal"
    assert ticket.number.encode() in rig.printer.output


def test_elderly_card_is_offered_priority_in_elderly_mode_for_the_rest_of_the_visit(qtbot, make_kiosk, hall):
    rig = make_kiosk()
    w = rig.window
    to_identify(qtbot, w, "SS02")
    assert not w.elderly
    standard = w.screens["identify"].title.font().pixelSize()
    rig.card(born=ELDERLY_BORN)
    wait_screen(qtbot, w, "priority")
    assert w.elderly  # the card says 65 or older: large text from here on
    assert w.screens["priority"].title.font().pixelSize() >= 1.5 * standard
    click(qtbot, w.screens["priority"].accept)
    wait_screen(qtbot, w, "done")
    assert hall.ticket(done_ticket(w).id).priority == "elderly"
    assert w.screens["done"].note.isVisible() and w.elderly
    rig.remove_card()
    click(qtbot, w.screens["done"].finish)
    wait_screen(qtbot, w, "home")
    assert not w.elderly  # the next citizen starts in standard mode


def test_elderly_mode_chosen_by_the_citizen_stays_after_the_visit(qtbot, make_kiosk, hall):
    rig = make_kiosk()
    w = rig.window
    click(qtbot, w.screens["home"].elderly_button)
    assert w.elderly
    to_identify(qtbot, w, "SS02")
    rig.card(born=ELDERLY_BORN)
    wait_screen(qtbot, w, "priority")
    click(qtbot, w.screens["priority"].decline)
    wait_screen(qtbot, w, "done")
    click(qtbot, w.screens["done"].finish)
    wait_screen(qtbot, w, "home")
    assert w.elderly


def test_younger_card_gets_no_offer(qtbot, make_kiosk, hall):
    rig = make_kiosk()
    w = rig.window
    to_identify(qtbot, w, "SS02")
    rig.card()
    wait_screen(qtbot, w, "done")
    assert hall.ticket(done_ticket(w).id).priority == "normal"


def test_appointment_by_booking_code(qtbot, make_kiosk, hall):
    now = datetime.now().astimezone()
    hall.add_appointments([Appointment(booking_code="BK7Q2", service="AP01",
                                       slot_start=now - timedelta(minutes=5),
                                       slot_end=now + timedelta(minutes=25))])
    w = make_kiosk().window
    to_identify(qtbot, w, "AP01")
    click(qtbot, w.screens["identify"].booking)
    wait_screen(qtbot, w, "booking")
    booking = w.screens["booking"]
    assert not booking.confirm.isEnabled()
    for key in "BK7Q2":
        click(qtbot, booking.keypad.keys[key])
    assert booking.code.text() == "BK7Q2"
    click(qtbot, booking.confirm)
    wait_screen(qtbot, w, "done")
    ticket = hall.ticket(done_ticket(w).id)
    assert ticket.appointment == "BK7Q2" and ticket.priority == "appointment"


def test_unknown_booking_code_is_explained(qtbot, make_kiosk):
    w = make_kiosk().window
    to_identify(qtbot, w, "AP01")
    click(qtbot, w.screens["identify"].booking)
    for key in "999":
        click(qtbot, w.screens["booking"].keypad.keys[key])
    click(qtbot, w.screens["booking"].confirm)
    wait_screen(qtbot, w, "error")
    assert w.screens["error"].title.text() == "未找到该预约"
    assert not w.screens["error"].reprint.isVisible()


def test_appointment_by_card(qtbot, make_kiosk, hall, kiosk_config):
    from drivers.idcard.card import parse_text
    from drivers.idcard.simcards import sample_card_text

    card = parse_text(sample_card_text("resident"), datetime.now().date())
    now = datetime.now().astimezone()
    hall.add_appointments([Appointment(
        booking_code="CARD1", service="SS01", slot_start=now, slot_end=now + timedelta(minutes=30),
        id_sealed=citizen_from_card(card, hall.catalog().id_seal_key).id_sealed)])
    rig = make_kiosk()
    to_identify(qtbot, rig.window, "SS01")
    rig.card()
    wait_screen(qtbot, rig.window, "done")
    assert hall.ticket(done_ticket(rig.window).id).appointment == "CARD1"


def test_same_service_again_offers_reprint(qtbot, make_kiosk, hall):
    rig = make_kiosk()
    w = rig.window
    first = same_service_twice(qtbot, rig)
    error = w.screens["error"]
    assert error.reprint.isVisible() and first.number in error.text.text()
    click(qtbot, error.reprint)
    wait_screen(qtbot, w, "done")
    again = w.screens["done"].outcome
    assert again.reprint and again.ticket.id == first.id
    assert rig.printer.output.count(first.number.encode()) >= 2
    assert len(hall.tickets(service="SS01")) == 1


def test_closed_service_is_greyed_with_reason(qtbot, make_kiosk, hall):
    hall.change_service("TX01", ServiceChange(paused=True, reason="test"))
    w = make_kiosk().window
    tile = w.screens["home"].tile("TX01")
    assert not tile.isEnabled()
    assert tile.status.text() == CLOSED_REASONS["paused"][0]
    click(qtbot, tile)
    assert w.screen_name() == "home"
    click(qtbot, w.lang_button)
    assert tile.status.text() == CLOSED_REASONS["paused"][1]


def test_service_closing_meanwhile_is_explained(qtbot, make_kiosk, hall):
    w = make_kiosk().window
    to_identify(qtbot, w, "GC01")
    hall.change_service("GC01", ServiceChange(paused=True))
    click(qtbot, w.screens["identify"].skip)
    wait_screen(qtbot, w, "error")
    assert CLOSED_REASONS["paused"][0] in w.screens["error"].text.text()


def test_paper_out_gives_eticket_and_alerts_staff(qtbot, make_kiosk, hall):
    with SerialPrinterSimulator(paper="out") as sim:
        rig = make_kiosk(printer=sim.uri)
        w = rig.window
        to_identify(qtbot, w, "GC01")
        click(qtbot, w.screens["identify"].skip)
        wait_screen(qtbot, w, "eticket")
        ticket = done_ticket(w)
        done = w.screens["done"]
        assert done.problem.isVisible() and "缺纸" in done.problem.text()
        assert done.qr.text_encoded == ticket.status_url
        assert rig.services.alerts.has("paper_out")
        assert hall.ticket(ticket.id).state == "waiting"  # still valid
        sim.paper = "ok"  # refilled: the next ticket prints and the alert clears
        click(qtbot, done.finish)
        wait_screen(qtbot, w, "home")
        to_identify(qtbot, w, "GC01")
        click(qtbot, w.screens["identify"].skip)
        wait_screen(qtbot, w, "done")
        assert not rig.services.alerts.has("paper_out")


def test_no_printer_configured_gives_eticket(qtbot, make_kiosk):
    rig = make_kiosk(printer=None)
    to_identify(qtbot, rig.window, "GC01")
    click(qtbot, rig.window.screens["identify"].skip)
    wait_screen(qtbot, rig.window, "eticket")
    assert rig.services.alerts.has("printer_offline")


def test_reader_missing(qtbot, make_kiosk):
    w = make_kiosk(reader=False).window
    to_identify(qtbot, w, "SS01")
    ident = w.screens["identify"]
    assert ident.problem.isVisible() and "导服台" in ident.problem.text()
    assert not ident.skip.isVisible()
    click(qtbot, w.home_button)
    wait_screen(qtbot, w, "home")
    to_identify(qtbot, w, "GC01")
    click(qtbot, w.screens["identify"].skip)
    wait_screen(qtbot, w, "done")


def test_reader_unplugged_then_back(qtbot, make_kiosk):
    from drivers.idcard.simulator import sim_device

    rig = make_kiosk()
    w = rig.window
    device = sim_device(rig.reader_uri)
    to_identify(qtbot, w, "SS01")
    device.unplug()
    qtbot.waitUntil(lambda: rig.services.alerts.has("reader_lost"), timeout=10_000)
    assert w.screens["identify"].problem.isVisible()
    device.plug()
    qtbot.waitUntil(lambda: not rig.services.alerts.has("reader_lost"), timeout=10_000)
    rig.card()
    wait_screen(qtbot, w, "done")
