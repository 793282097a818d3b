# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""The kiosk heals itself: a device that goes away takes only what needs it out of order, and
when it comes back the kiosk uses it again without a restart.

Built through ``app.kiosk_app.build_kiosk`` (as ``kiosk run`` is) with a printer on a pty
behind a udev-like symlink and the simulated card reader, unplugged and plugged back in.
"""

from __future__ import annotations

from drivers.printer.simulator import SerialPrinterSimulator
from kiosk import device_status
from tests.ui.test_kiosk_fixtures import (  # noqa: F401 (fixtures)
    click,
    hall,
    make_kiosk,
    qm_dir,
    to_identify,
    wait_screen,
)

WAIT_MS = 20_000  # the watch's pause grows to 10 s; the machine is shared


def take_number(qtbot, window, code: str = "GC01", screen: str = "done"):
    """Home → a ticket without card; the ticket the done screen shows."""
    to_identify(qtbot, window, code)
    click(qtbot, window.screens["identify"].skip)
    wait_screen(qtbot, window, screen)
    ticket = window.screens["done"].outcome.ticket
    click(qtbot, window.screens["done"].finish)
    wait_screen(qtbot, window, "home")
    return ticket


def printer_part(hall):
    """The printer's part of the kiosk as the hall last heard of it."""
    kiosks = [d for d in device_status.devices(hall.engine) if d.program == "kiosk"]
    return kiosks[0].parts.get("printer") if kiosks else None


def test_printer_unplugged_numbers_go_on_and_it_is_used_again_once_back(qtbot, make_kiosk, hall):
    with SerialPrinterSimulator() as sim:
        rig = make_kiosk(printer=sim.uri)
        w, services = rig.window, rig.services
        home = w.screens["home"]
        first = take_number(qtbot, w)
        assert first.number.encode() in bytes(sim.received)
        assert not home.printer_note.isVisible()

        sim.unplug()  # the cable is pulled: /dev/hall-printer goes
        away = take_number(qtbot, w, screen="eticket")  # the citizen still gets a number
        assert hall.ticket(away.id).state == "waiting"
        assert services.alerts.has("printer_offline")
        # Home says what still works; every open service can still be chosen.
        assert home.printer_note.isVisible() and "拍照" in home.printer_note.text()
        assert home.tile("GC01").isEnabled()
        # The status report says the kiosk is looking for its printer.
        qtbot.waitUntil(lambda: services.device_states.get("printer") == "reconnecting", timeout=WAIT_MS)
        reporter = rig.kiosk.terminal.reporter
        assert reporter.parts()["printer"][0] == "offline" and "reconnecting" in reporter.parts()["printer"][1]
        assert reporter.report_now()
        assert printer_part(hall).state == "offline" and "reconnecting" in printer_part(hall).detail

        sim.replug()  # plugged back in: found again with no ticket and no restart
        sim.clear()
        qtbot.waitUntil(lambda: not services.alerts.has("printer_offline"), timeout=WAIT_MS)
        assert services.device_states["printer"] == "ok"
        assert not home.printer_note.isVisible()
        assert reporter.report_now() and printer_part(hall).state == "ok"

        again = take_number(qtbot, w)  # printed on paper again
        assert again.number.encode() in bytes(sim.received)
        assert away.number.encode() not in bytes(sim.received)  # never printed behind the citizen's back


def test_reader_unplugged_card_services_point_to_the_booking_code_and_the_rest_works(qtbot, make_kiosk):
    from drivers.idcard.simulator import sim_device

    rig = make_kiosk()
    w = rig.window
    device = sim_device(rig.reader_uri)
    device.unplug()
    qtbot.waitUntil(lambda: rig.services.alerts.has("reader_lost"), timeout=WAIT_MS)
    to_identify(qtbot, w, "AP01")  # takes appointments, card optional
    ident = w.screens["identify"]
    assert ident.problem.isVisible() and "预约码" in ident.problem.text()
    assert ident.booking.isVisible() and ident.skip.isVisible()
    click(qtbot, w.home_button)
    wait_screen(qtbot, w, "home")
    assert not w.screens["home"].printer_note.isVisible()  # the printer is fine: nothing said
    take_number(qtbot, w)  # a number without the card, printed
    device.plug()
    qtbot.waitUntil(lambda: not rig.services.alerts.has("reader_lost"), timeout=WAIT_MS)
    to_identify(qtbot, w, "AP01")
    assert not w.screens["identify"].problem.isVisible()
