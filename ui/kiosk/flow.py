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
from kiosk.models import Catalog
from kiosk.offline import OfflineUnavailable
from kiosk.outbox import OutboxError
from kiosk.terminal import NO_SEAL_KEY, Issued, IssueOutcome
from ui.kiosk.screen import Visit

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
        """Appointment check-in by booking code."""
        if self.visit and len(code) >= 3:
            self.visit.appointment = code.upper()
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
        senior = card.age >= self.config.kiosk.elderly_age
        if senior:
            self.set_elderly(True, for_visit=not self.elderly)  # large text for the rest of the visit
        if senior and "elderly" in visit.service.priorities:
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
