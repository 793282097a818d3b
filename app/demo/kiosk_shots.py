"""The kiosk's part of the headless demo: citizens walk through the real screens.

``capture(ctx)`` drives the real kiosk window (built as ``kiosk run`` builds it, by
``app.kiosk_app.build_kiosk`` from a kiosk file with simulated devices) over the demo hall with a simulated card reader and printer, and writes
a screenshot of every screen in both languages (``<screen>[-<mode>]-<zh|en>.png``) plus each
printed ticket (``ticket-<number>.bin`` and its ``.png`` preview) to ``ctx.out``.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from PySide6.QtWidgets import QApplication

from app.demo.files import kiosk_file
from app.kiosk_app import build_kiosk
from drivers.idcard.card import parse_text
from drivers.idcard.simcards import sample_card_text
from drivers.idcard.simulator import forget_sim, sim_device
from drivers.printer import open_printer, render_preview
from drivers.printer.simulator import SerialPrinterSimulator
from kiosk.models import Appointment
from kiosk.terminal import citizen_from_card, ticket_data
from ui.i18n import Languages
from ui.kiosk.bootstrap import translations_dir
from ui.kiosk.window import KioskWindow

READER = "sim:empty?instance=demo-kiosk"
ELDERLY_BORN = date(1950, 3, 7)


class _Walk:
    """The demo's hands and camera: touches, waits, screenshots, saved tickets."""

    def __init__(self, ctx, window: KioskWindow, printer):
        self.ctx, self.w, self.printer = ctx, window, printer
        self.saved: set[str] = set()

    def pump(self, seconds: float = 0.05) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.01)

    def until(self, name: str, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while self.w.screen_name() != name:
            if time.monotonic() > end:
                raise RuntimeError(f"demo: expected screen {name}, still on {self.w.screen_name()}")
            self.pump(0.02)

    def shot(self, name: str, mode: str = "") -> None:
        """Screenshots in Chinese and English; the kiosk is left in Chinese."""
        for language in ("zh", "en"):
            self.w.set_language(language)
            self.pump(0.02)
            stem = f"{name}-{mode}-{language}" if mode else f"{name}-{language}"
            self.w.grab().save(str(self.ctx.out / f"{stem}.png"))
        self.w.set_language("zh")

    def ticket_files(self) -> None:
        """Save the ticket just printed: bytes the printer got and a picture of them."""
        outcome = self.w.last_outcome
        if outcome is None or not outcome.printed or outcome.ticket.number in self.saved:
            return
        ticket = outcome.ticket
        self.saved.add(ticket.number)
        (self.ctx.out / f"ticket-{ticket.number}.bin").write_bytes(self.printer.transport.jobs[-1])
        data = ticket_data(ticket, self.w.catalog, "zh")
        render_preview(data, self.printer.settings).save(self.ctx.out / f"ticket-{ticket.number}.png")

    def to_identify(self, code: str) -> None:
        self.w.go_home()
        self.until("home")
        self.w.choose_service(code)
        self.until("materials")
        self.w.materials_done()
        self.until("identify")


def capture(ctx) -> None:
    """Walk citizens through the kiosk and write screenshots and tickets to ``ctx.out``."""
    ctx.out.mkdir(parents=True, exist_ok=True)
    work = ctx.out / "data" / "kiosk-demo"
    path = kiosk_file(work, printer="dummy:", reader=READER)
    kiosk = build_kiosk(path, data_dir=work, dev=True, hall=ctx.hall,
                        languages=Languages(ctx.app, translations_dir()), idle_ms=600_000,
                        done_ms=int(ctx.kiosk_config.kiosk.done_timeout_s * 1000))
    window, services = kiosk.window, kiosk.services
    window.resize(1920, 1080)
    window.show()
    walk = _Walk(ctx, window, kiosk.terminal.printer)
    try:
        _citizens(ctx, walk, services)
    finally:
        window.languages.set("en")
        window.unlock_exit()
        window.close()
        kiosk.close()
        forget_sim(READER)
        window.deleteLater()  # destroyed now, not at interpreter exit after the application
        QApplication.processEvents()


def _citizens(ctx, walk: _Walk, services) -> None:
    w = walk.w
    card = sim_device(READER)
    walk.until("home")
    walk.pump(0.3)
    walk.shot("home")
    ctx.note("kiosk home", "services as tiles with waiting counts and estimates")

    # 1. A standard ticket, no ID needed.
    w.choose_service("GC01")
    walk.until("materials")
    walk.w.materials_done()
    walk.until("identify")
    walk.shot("identify", "optional")
    w.skip_identify()
    walk.shot("printing")  # shown at once; the hall and printer lanes are still working
    walk.until("done")
    walk.shot("done")
    walk.ticket_files()
    ctx.note("kiosk standard ticket", f"{w.last_outcome.ticket.number} printed")

    # 2. An ID-required service with the simulated card.
    w.go_home()
    w.choose_service("SS01")
    walk.until("materials")
    walk.shot("materials")
    w.materials_done()
    walk.until("identify")
    walk.shot("identify")
    card.place(sample_card_text("resident"))
    walk.until("done")
    walk.ticket_files()
    first = w.last_outcome.ticket
    ctx.note("kiosk ID card ticket", f"{first.number} for {first.id_mask}")
    card.remove()

    # 3. The same citizen asks again: the real-name rule offers a reprint.
    walk.to_identify("SS01")
    card.place()
    walk.until("error")
    walk.shot("error", "duplicate")
    w.reprint_existing()
    walk.until("done")
    walk.shot("done", "reprint")
    card.remove()
    ctx.note("kiosk real-name rule", f"second request offered a reprint of {first.number}")

    # 4. An elderly citizen (born 1950) is offered priority.
    walk.to_identify("SS02")
    card.place(sample_card_text("resident", born=ELDERLY_BORN))
    walk.until("priority")
    walk.shot("priority")
    w.choose_priority("elderly")
    walk.until("done")
    walk.shot("done", "priority")
    walk.ticket_files()
    card.remove()
    ctx.note("kiosk elderly priority", f"{w.last_outcome.ticket.number} priority elderly")

    # 5. Appointment check-in: by card, then by booking code.
    resident = parse_text(sample_card_text("resident"), date.today())
    now = datetime.fromtimestamp(ctx.engine.clock.now(), ctx.engine.tz)  # the hall's time, not the wall's
    ctx.hall.add_appointments([
        Appointment(booking_code="DEMO-CARD", service="RE01", slot_start=now - timedelta(minutes=5),
                    slot_end=now + timedelta(minutes=25),
                    id_sealed=citizen_from_card(resident, ctx.hall.catalog().id_seal_key).id_sealed),
        Appointment(booking_code="A2046", service="AP01", slot_start=now - timedelta(minutes=5),
                    slot_end=now + timedelta(minutes=25)),
    ])
    walk.to_identify("RE01")
    card.place(sample_card_text("resident"))
    walk.until("done")
    walk.shot("done", "appointment")
    walk.ticket_files()
    card.remove()
    walk.to_identify("AP01")
    w.show_screen("booking")
    for key_ in "A2046":
        w.screens["booking"].keypad.press(key_)
    walk.shot("booking")
    w.check_in(w.screens["booking"].keypad.value)
    walk.until("done")
    walk.ticket_files()
    ctx.note("kiosk appointments", "checked in by card (RE01) and by booking code A2046 (AP01)")

    # 6. Elderly mode.
    w.go_home()
    walk.until("home")
    w.toggle_elderly()
    walk.shot("home", "elderly")
    w.choose_service("TX02")
    walk.until("materials")
    walk.shot("materials", "elderly")
    w.go_home()
    w.toggle_elderly()

    # 7. The printer runs out of paper: an e-ticket, and staff are alerted.
    with SerialPrinterSimulator(paper="out") as sim:
        services.terminal.printer = open_printer(sim.uri)
        walk.to_identify("TX01")
        w.skip_identify()
        walk.until("eticket")
        walk.shot("eticket")
        alerts = ", ".join(a.kind for a in services.alerts.active())
        services.terminal.printer.close()
        services.terminal.printer = walk.printer
    ctx.note("kiosk paper out",
             f"{w.last_outcome.ticket.number} shown as e-ticket; alerts: {alerts}")

    # 8. Plain-words pages: unknown booking code, and the hall unreachable.
    walk.to_identify("AP01")
    w.check_in("NOPE1")
    walk.until("error")
    walk.shot("error", "booking")
    from kiosk.client import HallUnreachable

    w.show_message("unavailable", HallUnreachable("demo"))
    walk.shot("unavailable")
    w.go_home()
    walk.until("home")
    _shapes(ctx, walk)


SHAPES = ((1920, 1080), (1080, 1920), (1280, 1024), (1366, 768))
"""The screen shapes of a hall's kiosks: landscape, the floor-standing portrait, and two older."""


def _shapes(ctx, walk: _Walk) -> None:
    """The main screens at each shape, in both languages, standard and elderly mode
    (``shape-<WxH>-<screen>-<zh|en>[-elderly].png``)."""
    w = walk.w
    outcome = w.last_outcome
    folder = ctx.out / "shapes"
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in SHAPES:
        w.resize(width, height)
        for elderly in (False, True):
            w.set_elderly(elderly)
            for language in ("zh", "en"):
                w.set_language(language)
                for screen in _screens(w, outcome):
                    walk.pump(0.05)
                    mode = "-elderly" if elderly else ""
                    w.grab().save(str(folder / f"shape-{width}x{height}-{screen}-{language}{mode}.png"))
                w.go_home()
    w.set_elderly(False)
    w.set_language("zh")
    w.resize(1920, 1080)
    ctx.note("kiosk shapes", "home, materials, identify and done at 1920x1080, 1080x1920, 1280x1024 and "
             "1366x768, both languages, standard and elderly mode")


def _screens(w, outcome):
    """Put the kiosk on each main screen in turn; yields the screen's name."""
    w.go_home()
    yield "home"
    w.choose_service("AP02")  # the longest materials list and a theme bundle
    yield "materials"
    w.materials_done()
    yield "identify"
    w.screens["done"].show_outcome(outcome)
    w.show_screen("done")
    yield "done"
