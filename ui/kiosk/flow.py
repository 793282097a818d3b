"""The citizen's way from a touched tile to a ticket, through the kiosk's one pipeline.

``CitizenFlow`` is mixed into the kiosk window. It calls ``KioskTerminal`` (kiosk/terminal.py),
the same pipeline ``kiosk issue`` and staff mode use: its hall half (outbox, hall or offline
range) on ``hall_lane``, its printer half on ``printer_lane``. The callbacks come back on the GUI
thread and move the screens on. Reader events arrive through the ``ReaderBridge`` signal, also
on the GUI thread.
"""

from __future__ import annotations

import logging

from kiosk.client import HallUnreachable
from kiosk.domain import HallError
from kiosk.models import Catalog, is_remote_code
from kiosk.offline import OfflineUnavailable
from kiosk.outbox import OutboxError
from kiosk.terminal import NO_SEAL_KEY, Issued, IssueOutcome
from ui.kiosk.screen import Visit
from ui.kiosk.texts import remote_kind

log = logging.getLogger(__name__)

class CitizenFlow:
    """The visit logic of ``KioskWindow`` (a mixin: it uses the window's screens and services)."""

    visit: Visit | None
    catalog: Catalog | None
    last_outcome: IssueOutcome | None = None
    _issue_pending = False

    # -- steps -------------------------------------------------------------------------------
    def choose_service(self, code: str) -> None:
        """A tile was touched: start a visit with the materials list."""
        service = self.catalog.service(code) if self.catalog else None
        if service is None or not service.open:
            return
        self.visit = Visit(service)
        self.show_screen("materials")

    def materials_done(self) -> None:
        """The citizen has the materials: identify next."""
        self.show_screen("identify")

    def skip_identify(self) -> None:
        """No card, where the service allows it."""
        if self.visit and not self.visit.service.id_required:
            self.issue()

    def check_in(self, code: str) -> None:
        """Check-in by a code typed or scanned on the booking screen: a phone place's check-in
        code (线上取号, its form tells it) or else an appointment's booking code."""
        visit = self.visit
        if visit is None or len(code) < 3:
            return
        code = code.upper()
        if is_remote_code(code):
            terminal = self.services.terminal
            self._start_remote(lambda: terminal.check_in_remote(code=code, service=visit.service.code),
                               visit, code=code)
        else:
            visit.appointment = code
            self.issue()

    def ordinary_ticket(self) -> None:
        """The citizen's phone place cannot be checked in (lapsed, not found, no server): an
        ordinary ticket of the visit's service instead (offline too, where the kiosk may)."""
        visit = self.visit
        if visit is None:
            return
        visit.appointment, visit.remote_asked = None, True
        if visit.service.id_required and visit.citizen is None:
            self.show_screen("identify")  # the card is still needed for this service
        else:
            self.issue()

    def choose_priority(self, priority: str) -> None:
        """The answer to the priority offer."""
        if self.visit:
            self.visit.priority = priority
            self.issue()

    def card_read(self, card) -> None:
        """A card on the identify screen: keep its sealed form, offer priority if elderly."""
        visit = self.visit
        if visit is None or self.screen_name() != "identify":
            return
        terminal = self.services.terminal
        if terminal.is_staff_card(card, self.config.staff):
            return  # a staff card opens staff mode (ui.staff.entry), it queues for nothing
        visit.card = card
        visit.citizen = terminal.citizen(card)  # the number sealed to the hall's key
        if card.age >= self.config.kiosk.elderly_age:
            self.set_elderly(True, for_visit=not self.elderly)  # large text for the rest of the visit
        if visit.service.remote and visit.citizen is not None and not visit.remote_asked and terminal.online:
            # A phone place (线上取号) of this card for this service joins the queue first; with
            # none, the card goes on as for any citizen. Offline nobody can know: ordinary ticket.
            citizen, service = visit.citizen, visit.service.code
            self._start_remote(lambda: terminal.check_in_remote(citizen=citizen, service=service), visit)
        else:
            self._after_card(visit)

    def _after_card(self, visit: Visit) -> None:
        """The card read, no phone place to check in: the priority offer, else the ticket."""
        if visit.card.age >= self.config.kiosk.elderly_age and "elderly" in visit.service.priorities:
            self.show_screen("priority")
        else:
            self.issue()

    # -- issuing -----------------------------------------------------------------------------
    def issue(self) -> None:
        """Ask for the visit's ticket: the pipeline's hall half on the hall lane (the outbox, then
        the hall or the offline range), then its printer half on the printer lane."""
        visit = self.visit
        if visit is None or self._issue_pending:
            return
        terminal = self.services.terminal
        if visit.card is not None and visit.citizen is None:
            visit.citizen = terminal.citizen(visit.card)  # the hall's key may have come since
        if visit.service.id_required and visit.citizen is None:
            # Never a ticket of an ID-required service without the card: this kiosk has not had
            # the hall's key yet (it never reached the server), so the card cannot be used.
            self.show_message("unavailable", OfflineUnavailable(NO_SEAL_KEY))
            return
        request = {"priority": visit.priority, "citizen": visit.citizen, "appointment": visit.appointment,
                   "idempotency_key": visit.key}
        self._start_issue(lambda: terminal.request(visit.service.code, **request), visit)

    def reprint_existing(self) -> None:
        """The real-name rule found the citizen's ticket: print it again. The card on the reader
        proves whose it is (a kiosk may reprint nothing else); the hall records the reprint."""
        ticket = self.screens["error"].existing_ticket
        visit = self.visit
        if not ticket or self._issue_pending:
            return
        terminal = self.services.terminal
        who = {"actor": f"kiosk:{self.config.kiosk.id}", "reason": "citizen asked again",
               "citizen": visit.citizen if visit else None}
        self._start_issue(lambda: terminal.reprint_request(ticket["id"], **who), visit)

    def _start_issue(self, request, visit: Visit | None) -> None:
        self._issue_pending = True
        self.screens["printing"].set_stage("issuing")
        self.show_screen("printing")
        self.services.hall_lane.run(request, lambda issued: self._issued(issued, visit), self._issue_failed)

    def _start_remote(self, request, visit: Visit, *, code: str | None = None) -> None:
        """Check a phone place in on the hall lane (by ``code``, else by the card), then print
        its ticket as any other; a refusal goes to ``_remote_failed``."""
        visit.remote_asked = True
        self._issue_pending = True
        self.screens["printing"].set_stage("issuing")
        self.show_screen("printing")
        self.services.hall_lane.run(request, lambda issued: self._issued(issued, visit),
                                    lambda exc: self._remote_failed(exc, visit, code))

    def _remote_failed(self, exc: BaseException, visit: Visit, code: str | None) -> None:
        self._issue_pending = False
        if visit is not self.visit:
            return  # staff reset the kiosk meanwhile
        kind = "offline" if isinstance(exc, HallUnreachable) else remote_kind(exc)
        if code is None and kind in ("offline", "unknown"):
            self._after_card(visit)  # no phone place of this card (or none can be asked for)
            return
        if code is not None and kind == "unknown" and "appointment" in visit.service.priorities:
            visit.appointment = code  # not a phone place's code: perhaps a booking code
            self.issue()
            return
        if kind == "offline":
            exc = HallError("remote_offline", "checking in a phone ticket needs the hall server, which "
                            "does not answer", {"remote": "offline"})
        elif not isinstance(exc, HallError):
            log.error("remote check-in failed: %r", exc)
        self.show_message("error", exc)

    def _issued(self, issued: Issued, visit: Visit | None) -> None:
        self._issue_pending = False
        self.screens["printing"].set_stage("printing")
        terminal, lang = self.services.terminal, self.language
        self.services.printer_lane.run(
            lambda: terminal.deliver(issued, lang),
            lambda outcome: self._printed(outcome, visit),
            lambda exc: self._printed(IssueOutcome(issued.ticket, False, reprint=issued.reprint), visit))

    def _printed(self, outcome: IssueOutcome, visit: Visit | None) -> None:
        self.last_outcome = outcome  # staff were told by the terminal's print listener
        if outcome.needs_eticket:  # the citizen holds it as an e-ticket: no reprint offered later
            terminal = self.services.terminal
            self.services.hall_lane.run(lambda: terminal.mark_eticket(outcome.ticket.id))
        if visit is not self.visit:
            return  # staff reset the kiosk meanwhile; the ticket is in the hall's list
        self.screens["done"].show_outcome(outcome)
        self.show_screen("done")

    def _issue_failed(self, exc: BaseException) -> None:
        self._issue_pending = False
        if isinstance(exc, (HallUnreachable, OfflineUnavailable, OutboxError)):
            # No ticket can be made now: the server is away and offline issuing is impossible,
            # or the outbox cannot record one. Staff must know; the citizen sees why in words.
            self.services.alerts.raise_alert("out_of_service", f"no ticket could be issued: {exc}", "error")
            self.show_message("unavailable", exc)
        elif isinstance(exc, HallError):
            self.show_message("error", exc)
        else:
            log.error("issuing failed: %r", exc)
            self.show_message("error", exc)

    # -- the hall's catalog -------------------------------------------------------------------
    _catalog_pending = False

    def refresh_catalog(self) -> None:
        """Fetch the catalog on the hall lane (at most one request at a time): the hall's, or
        while the server is away the last one seen, else the hall file's."""
        if self._catalog_pending:
            return
        self._catalog_pending = True
        terminal = self.services.terminal
        self.services.hall_lane.run(terminal.catalog, self._catalog_ok, self._catalog_failed)

    def _catalog_ok(self, catalog: Catalog) -> None:
        self._catalog_pending = False
        self.catalog = catalog
        self.services.alerts.clear("out_of_service")
        if not self.services.terminal.online:
            self.retry_timer.start()  # look for the server again soon, not at the next refresh
        name = self.screen_name()
        if name == "unavailable" and self.visit is None:
            self.show_screen("home")
        elif name == "home":
            self.screens["home"].render()
        self.topbar_render()
        if not self._usable:
            self.update()  # the window's own paint notes the first frame with the services on it

    def _catalog_failed(self, exc: BaseException) -> None:
        self._catalog_pending = False
        log.warning("catalog not loaded: %s", exc)
        self.services.alerts.raise_alert("out_of_service", f"no catalog to show: {exc}", "error")
        if self.screen_name() in ("home", "unavailable") or self.catalog is None:
            self.visit = None
            self.show_message("unavailable", exc)
        self.retry_timer.start()

    def retry_hall(self) -> None:
        """Try again: the pending ticket (same key, so never twice) or the catalog."""
        if self.visit is not None and self.screen_name() == "unavailable":
            self.issue()
        else:
            self.refresh_catalog()

    # -- the printer ---------------------------------------------------------------------------
    def printer_trouble(self) -> bool:
        """Whether the kiosk's printer is out of order (not merely absent by design: a kiosk
        without a printer shows every ticket on screen and says nothing about it)."""
        from ui.kiosk.bootstrap import PRINTER_WORKING

        if self.services.terminal.printer is None:
            return False
        return self.services.device_states.get("printer", "configured") not in PRINTER_WORKING

    def on_printer_changed(self) -> None:
        """The printer's state changed (a print, or the watch found it back): home says so."""
        if self.screen_name() == "home":
            self.screens["home"].render()

    # -- the reader ----------------------------------------------------------------------------
    def reader_available(self) -> bool:
        """Whether a card can be read now."""
        reader = self.services.reader
        return reader is not None and reader.reader_ok

    def on_reader_event(self, event) -> None:
        """A ``ReaderEvent``, already on the GUI thread."""
        kind = str(event.kind)
        alerts, states = self.services.alerts, self.services.device_states
        if kind == "card_read":
            states["reader"] = "ok"
            self.card_read(event.card)
        elif kind == "reader_lost":
            states["reader"] = "lost"
            self.services.last_errors["reader"] = event.reason
            alerts.raise_alert("reader_lost", f"ID card reader lost: {event.reason}", "error")
        elif kind == "reader_back":
            states["reader"] = "ok"
            alerts.clear("reader_lost")
        elif kind == "error":
            self.services.last_errors["reader"] = event.reason
        if kind in ("reader_lost", "reader_back") and self.screen_name() == "identify":
            self.screens["identify"].render()
