"""The kiosk's issuing pipeline, free of Qt: outbox → hall → ticket → printer.

The GUI, ``kiosk issue`` and the tests all go through ``KioskTerminal``, so a ticket is issued and
printed the same way everywhere. A ticket exists for the citizen only once it was printed or
shown as an e-ticket (DESIGN.md §7): ``IssueOutcome`` says which, and the caller shows the
e-ticket when printing failed.

With an outbox (``open_terminal`` gives one) every request is recorded before it is made, under a
key that is reused on any retry; when the hall server does not answer the kiosk issues from its
reserved offline range, and the sender delivers the ticket when the server is back. The
pipeline's crash points (``KIOSK_CRASH_AT``, see ``kiosk.outbox_sender.crash_point``)::

    before_request  online request recorded, not yet sent      → sent on restart
    after_ack       the server answered, paper not yet printed → on restart: unprinted, reprint
    after_record    offline ticket recorded, not yet printed   → sent on restart; unprinted
    after_print     offline ticket printed, not yet delivered  → sent on restart
    after_send      delivered, acknowledgement not recorded    → resent: same key, same ticket
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from drivers.printer import PrinterError, TicketData
from kiosk.client import HallUnreachable
from kiosk.config import KioskConfig
from kiosk.device_reporter import StatusReporter, printer_error_part, printer_part
from kiosk.domain import HallError
from kiosk.hall import Hall
from kiosk.models import (
    ActionRequest,
    Catalog,
    CheckIn,
    Citizen,
    IssueRequest,
    Ticket,
    new_page_token,
)
from kiosk.offline import OfflinePlan
from kiosk.outbox import ETICKET, PRINTED, UNPRINTED, Outbox, OutboxError
from kiosk.outbox_sender import Link, OutboxSender, SyncReport, crash_point
from kiosk.privacy import mask_id, normalise_id
from kiosk.sealing import SealError, seal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssueOutcome:
    """What happened when a citizen asked for a ticket."""

    ticket: Ticket
    printed: bool
    print_error: PrinterError | None = None
    reprint: bool = False

    @property
    def needs_eticket(self) -> bool:
        """The paper did not come out: show the ticket as a QR e-ticket and alert staff."""
        return not self.printed


NO_SEAL_KEY = ("this kiosk has not reached the hall server yet, so it cannot use ID cards; "
               "please ask at the help desk")
"""Why a card cannot be used before the kiosk has ever seen the hall's sealing key."""


def citizen_from_card(card, seal_key: str) -> Citizen:
    """The form of an ID card that may leave memory (DESIGN.md §4): the number sealed to the
    hall's public key ``seal_key`` (the catalog's ``id_seal_key``), and the masked number and
    name for the kiosk's own paper."""
    return citizen_from_id(card.id_number, seal_key, name_mask=card.masked_name)


def citizen_from_id(id_number: str, seal_key: str, *, name_mask: str | None = None) -> Citizen:
    """The sealed and masked form of a bare ID number (a card's, or one typed by staff)."""
    number = normalise_id(id_number)
    return Citizen(id_sealed=seal(number, seal_key), id_mask=mask_id(number), name_mask=name_mask)


def ticket_data(ticket: Ticket, catalog: Catalog, language: str, *, show_materials: bool = True) -> TicketData:
    """What goes on paper for ``ticket``, in ``language``."""
    service = catalog.service(ticket.service)
    priority = next((p for p in catalog.priorities if p.code == ticket.priority), None)
    windows = [catalog.window(n) for n in ticket.windows]
    return TicketData(
        hall_name=getattr(catalog.hall.name, language),
        number=ticket.number,
        service_name=getattr(service.name, language) if service else ticket.service,
        windows=[getattr(w.name, language) for w in windows if w],
        ahead=ticket.ahead,
        eta_minutes=ticket.eta_minutes,
        priority_label=getattr(priority.name, language) if priority and priority.rank > 0 else None,
        citizen_name_masked=ticket.name_mask,
        id_masked=ticket.id_mask,
        materials=(service.materials.get(language, []) if service and show_materials else []),
        status_url=ticket.status_url,
        issued_at=ticket.issued_at,
        footer=_footer(language, ticket.offline),
        offline=ticket.offline,
        language=language,
    )


def _footer(language: str, offline: bool) -> str:
    if language == "en":
        base = "Please keep this ticket and wait for your number to be called."
        return base + (" Issued offline: it is valid." if offline else "")
    return "请妥善保管此票，留意叫号。" + ("（离线出票，同样有效）" if offline else "")


@dataclass(frozen=True)
class Issued:
    """A ticket the hall (or the offline range) gave, not yet on paper: the first half of an
    issue, made on the hall's lane; ``KioskTerminal.deliver`` prints it on the printer's lane."""

    ticket: Ticket
    entry_id: str | None = None  # the outbox entry holding it (None: a ticket of another kiosk)
    reprint: bool = False


class KioskTerminal:
    """One kiosk's pipeline: records in the outbox, asks the hall (or issues offline), prints.

    Every program that issues goes through it: the touch screen (``request`` on the hall lane,
    ``deliver`` on the printer lane), ``kiosk issue``, staff mode, the demo and the benchmarks
    (``issue``, both at once). ``plan`` gives the offline rules, ``clock`` the kiosk's time
    (epoch seconds).
    """

    def __init__(self, config: KioskConfig, hall: Hall, printer, *, outbox: Outbox,
                 plan: OfflinePlan, clock=None, link: Link | None = None):
        self.config = config
        self.hall = hall
        self.printer = printer
        # For comparing cards on this kiosk only (which card is on the reader now): random per
        # run, never written, and no key of the hall, which the kiosk never holds.
        self.local_key = secrets.token_bytes(32)
        self._staff_memo: dict[tuple, bool] = {}
        self.outbox = outbox
        self.plan = plan
        self.clock = clock or time.time
        self.link = link or Link()
        self._catalog: Catalog | None = outbox.cached_catalog()
        # Told of every print's outcome, from the thread that printed (staff see the printer's
        # state whichever path printed: citizen, staff, renumbering).
        self.print_listeners: list[Callable[[IssueOutcome], None]] = []
        self.sender = OutboxSender(outbox, hall, self.link, clock=self.clock, on_catalog=self._keep)
        # The kiosk's own state for the hall's device list (kiosk.device_reporter): the printer
        # as each print and the reporter's status query find it; the reader is set by whoever owns it.
        self.reporter = StatusReporter(hall, "kiosk", device=config.kiosk.id,
                                       interval_s=config.link.report_interval_s, pending=outbox.length,
                                       probes=[self._printer_probe] if printer is not None else [])
        self.print_listeners.append(self._report_print)
        # app.kiosk_app's drivers.printer.watch.PrinterWatch: while it looks for a printer that
        # went away, it reports the printer itself and the probe leaves the printer alone.
        self.printer_watch = None

    # ----- state staff see -------------------------------------------------------------------

    @property
    def online(self) -> bool:
        """False while the hall server does not answer (tickets are then issued offline)."""
        return self.link.online

    @property
    def timezone(self) -> ZoneInfo:
        """The hall's time zone: the last catalog's, else the hall file's. Every screen shows
        hall time, online or not, whatever zone the kiosk's own clock is set to."""
        if self._catalog is not None:
            try:
                return ZoneInfo(self._catalog.hall.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                log.warning("unknown hall time zone %r", self._catalog.hall.timezone)
        return self.plan.tz

    def hall_time(self) -> datetime:
        """Now, in the hall's time zone."""
        return datetime.fromtimestamp(self.clock(), self.timezone)

    def outbox_length(self) -> int:
        """Tickets waiting to be sent to the hall server."""
        return self.outbox.length()

    def unprinted(self) -> list[Ticket]:
        """Tickets that exist but never reached a citizen (after a crash or a print failure)."""
        return [e.ticket for e in self.outbox.unprinted()]

    def rejected(self) -> list[tuple[Ticket | None, str]]:
        """Offline tickets the server refused to take, with its reason: staff must act."""
        return [(e.ticket, e.error) for e in self.outbox.entries("rejected")]

    # ----- card holders ----------------------------------------------------------------------

    @property
    def seal_key(self) -> str | None:
        """The hall's public key for sealing ID numbers: the last catalog's (kept in the outbox
        across restarts); None before this kiosk has ever had a catalog from the hall."""
        return self._catalog.id_seal_key if self._catalog is not None else None

    def citizen(self, card) -> Citizen | None:
        """What may leave the kiosk of ``card``: its number sealed to the hall's key. None when
        the kiosk has never seen the hall's key (then no card can be used: a service that needs
        one is refused with the reason, ``NO_SEAL_KEY``)."""
        key = self.seal_key
        if not key:
            return None
        try:
            return citizen_from_card(card, key)
        except SealError as exc:  # a damaged cached catalog: treat as no key
            log.warning("cannot seal the card's number: %s", exc)
            return None

    def card_tag(self, id_number: str) -> str:
        """A tag telling this run's cards apart (same card or not), under the per-run key."""
        return hmac.new(self.local_key, normalise_id(id_number).encode("ascii", "replace"),
                        hashlib.sha256).hexdigest()

    def is_staff_card(self, card, staff) -> bool:
        """Whether ``card`` is one of ``staff`` (the ``[staff]`` settings) cards. The answer is
        remembered for this run by the card's tag: each entry costs a scrypt, and one card is
        asked about by staff entry and the citizen screens alike."""
        if not staff.staff_cards:
            return False
        memo_key = (self.card_tag(card.id_number), tuple(staff.staff_cards))
        if memo_key not in self._staff_memo:
            self._staff_memo[memo_key] = staff.is_staff_card(card.id_number)
        return self._staff_memo[memo_key]

    # ----- catalog ---------------------------------------------------------------------------

    def catalog(self) -> Catalog:
        """The hall's offer; while the server is away, the last one seen (else the hall file's)
        with estimates unknown and opening hours applied here. Blocking: the hall lane."""
        if self.link.should_try():
            try:
                catalog = self.hall.catalog()
            except HallUnreachable as exc:
                self.link.down(str(exc))
            else:
                self.link.up()
                self._keep(catalog)
                return catalog
        return self.plan.catalog(self._catalog, self.clock())

    def _keep(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self.outbox.save_catalog(catalog)

    def _print_catalog(self) -> Catalog:
        """Names for paper: the last catalog seen, so printing never waits on the network."""
        if self._catalog is not None:
            return self._catalog
        return self.plan.catalog(None, self.clock())

    # ----- issuing ---------------------------------------------------------------------------

    def issue(self, service: str, *, language: str = "zh", **request) -> IssueOutcome:
        """Issue a ticket and print it (``request`` then ``deliver``); blocking."""
        return self.deliver(self.request(service, **request), language)

    def request(self, service: str, *, priority: str = "normal", citizen: Citizen | None = None,
                appointment: str | None = None, channel: str = "kiosk", actor: str = "",
                reason: str = "", idempotency_key: str | None = None) -> Issued:
        """The ticket for a citizen's request: recorded in the outbox first, then asked of the
        hall, or taken from the offline range while the server does not answer. Blocking.

        Raises HallError when refused (also ``OutboxError`` when the outbox cannot record the
        ticket and ``OfflineUnavailable`` when the server is away and offline issuing is not
        possible): no ticket exists then.
        """
        req = IssueRequest(service=service, priority=priority, channel=channel, device=self.config.kiosk.id,
                           citizen=citizen, appointment=appointment, actor=actor, reason=reason)
        key = idempotency_key or uuid.uuid4().hex
        if not self.link.should_try():
            return self._issue_offline(key, req, self.clock(), converted=False)
        started = self.clock()
        self.outbox.begin_online(key, req, started)
        crash_point("before_request")
        try:
            ticket = self.hall.issue(req, key)
        except HallUnreachable as exc:
            self.link.down(str(exc))
            return self._issue_offline(key, req, started, converted=True)
        except HallError as exc:
            self.outbox.refuse(key, f"{exc.code}: {exc.detail}")
            raise
        self.link.up()
        # The key is on disk already, so a resend can only return this ticket: a failure to note
        # the answer must not keep the citizen from a ticket the server holds.
        self._note(self.outbox.acknowledge, key, ticket, self.clock())
        crash_point("after_ack")
        return Issued(ticket, key)

    def _issue_offline(self, key: str, req: IssueRequest, at: float, *, converted: bool) -> Issued:
        plan = self.plan
        # The phone page's token is made here, printed in the QR and sent with the ticket later.
        req = req if req.page_token else req.model_copy(update={"page_token": new_page_token()})
        try:
            plan.check(req, at)
            first, last = plan.require()
        except HallError as exc:
            if converted:  # the citizen gets no ticket; what the server may hold is on record
                self.outbox.refuse(key, f"offline fallback refused ({exc.code}): {exc.detail}; "
                                        "the online request may have reached the server")
            raise
        catalog = self._catalog
        ticket = self.outbox.record_offline(
            key, req, plan.day(at), first, last, lambda seq: plan.number(req.service, seq),
            lambda r, number: plan.ticket(r, number, at, catalog), at, converted=converted)
        crash_point("after_record")
        self.sender.kick()
        return Issued(ticket, key)

    def deliver(self, issued: Issued, language: str = "zh") -> IssueOutcome:
        """Print an issued ticket and note in the outbox that the citizen has it. Blocking: the
        printer's lane. A print failure is reported in the outcome (show the e-ticket)."""
        outcome = self.print(issued.ticket, language, reprint=issued.reprint)
        crash_point("after_print")
        if outcome.printed and issued.entry_id is not None:
            self._note(self.outbox.mark_printed, issued.entry_id, PRINTED)
        return outcome

    @staticmethod
    def _note(write, *args) -> None:
        """A bookkeeping write after the ticket is safe; its failure is logged, not raised."""
        try:
            write(*args)
        except OutboxError as exc:
            log.error("outbox bookkeeping failed: %s", exc)

    def print(self, ticket: Ticket, language: str = "zh", *, reprint: bool = False) -> IssueOutcome:
        """Print ``ticket``; a failure is reported in the outcome, never raised."""
        outcome = self._print(ticket, language, reprint)
        for listener in list(self.print_listeners):
            listener(outcome)
        return outcome

    def _print(self, ticket: Ticket, language: str, reprint: bool) -> IssueOutcome:
        if self.printer is None:
            return IssueOutcome(ticket, printed=False, reprint=reprint)
        try:
            data = ticket_data(ticket, self._print_catalog(), language,
                               show_materials=self.printer.settings.show_materials)
            result = self.printer.print_ticket(data)
        except PrinterError as exc:
            log.warning("ticket %s not printed: %s", ticket.number, exc)
            return IssueOutcome(ticket, printed=False, print_error=exc, reprint=reprint)
        # Done when the bytes were written and the status afterwards, where the transport can
        # answer, is fine; an unanswerable transport (file:, dummy:, cups:) counts on the write.
        printed = result.status.fine if result.status.answerable else True
        return IssueOutcome(ticket, printed=printed, reprint=reprint)

    def _report_print(self, outcome: IssueOutcome) -> None:
        """A print's outcome as the printer's state in the status report (at once if it changed)."""
        if self.printer is None:
            return
        if outcome.printed:
            status = self.printer.last_status
            self.reporter.set_part("printer", *(printer_part(status) if status is not None else ("ok", "")))
        else:
            self.reporter.set_part("printer", *printer_error_part(outcome.print_error))

    def _printer_probe(self) -> tuple[str, str, str] | None:
        """The printer's state read now, on the reporter's thread (the printer serialises it
        with prints): paper put back in shows without waiting for a citizen's ticket. Nothing
        while the printer watch looks for a printer that went away (it says so itself)."""
        if self.printer_watch is not None and self.printer_watch.watching:
            return None
        return ("printer", *printer_part(self.printer.status()))

    # ----- phone tickets (线上取号) -------------------------------------------------------------

    def check_in_remote(self, *, code: str | None = None, citizen: Citizen | None = None,
                        service: str | None = None) -> Issued:
        """The ticket of a place taken from the phone, checked in here by its code or the card
        (``citizen``). Blocking: the hall lane. Only the hall server knows the places, so this
        raises ``HallUnreachable`` while it does not answer (the kiosk then offers an ordinary
        ticket), HallError when the hall refuses (``extra["remote"]`` says why). A place checked
        in before gives its ticket again as a reprint, never a second ticket."""
        if not self.link.should_try():
            raise HallUnreachable(self.link.last_error or "the hall server is not answering")
        body = CheckIn(code=code, citizen=citizen, service=service)
        try:
            ticket = self.hall.remote_check_in(body, device=self.config.kiosk.id)
        except HallUnreachable as exc:
            self.link.down(str(exc))
            raise
        except HallError as exc:
            self.link.up()
            if exc.code == "duplicate_active" and (exc.extra or {}).get("ticket"):
                return Issued(Ticket.model_validate(exc.extra["ticket"]), reprint=True)
            raise
        self.link.up()
        return Issued(ticket)

    # ----- reprints --------------------------------------------------------------------------

    def reprint(self, ticket_id: str, language: str = "zh", **who) -> IssueOutcome:
        """Print an existing ticket again (``reprint_request`` then ``deliver``); blocking."""
        return self.deliver(self.reprint_request(ticket_id, **who), language)

    def reprint_request(self, ticket_id: str, *, actor: str = "", reason: str = "",
                        citizen: Citizen | None = None) -> Issued:
        """The ticket to print again. A ticket of this kiosk that never reached paper, or that
        the server does not hold yet, comes from the outbox (refreshed from the hall when it
        answers); any other is a ``reprint`` action of the hall, recorded there. A kiosk's token
        may reprint only a ticket of the card holder in front of it: ``citizen`` proves it."""
        entry = self.outbox.by_ticket(ticket_id)
        if entry is not None and (entry.state == "pending" or entry.printed == UNPRINTED):
            return Issued(self._refreshed(entry), entry.id, reprint=True)
        request = ActionRequest(actor=actor, reason=reason, id_sealed=citizen.id_sealed if citizen else None)
        try:
            ticket = self.hall.act(ticket_id, "reprint", request)
        except HallUnreachable as exc:
            self.link.down(str(exc))
            if entry is None:
                raise
            log.info("reprinting %s from the outbox copy: %s", entry.number, exc)
            return Issued(entry.ticket, entry.id, reprint=True)
        return Issued(ticket, entry.id if entry else None, reprint=True)

    def _refreshed(self, entry) -> Ticket:
        ticket = entry.ticket
        if entry.state == "sent" and self.link.should_try():
            try:
                return self.hall.ticket(ticket.id)
            except (HallUnreachable, HallError) as exc:
                log.info("reprinting %s from the outbox copy: %s", ticket.number, exc)
        return ticket

    def refused_offline(self) -> list:
        """Outbox entries of offline tickets the server refused, oldest first (blocking)."""
        return self.outbox.entries("rejected")

    def renumber(self, entry_id: str, language: str = "zh") -> IssueOutcome:
        """Give a refused offline ticket the next offline number, keeping its issue time (its
        place in the queue), send it like any offline ticket, and print it for the citizen."""
        entry = self.outbox.get(entry_id)
        if entry is None or entry.state != "rejected" or entry.mode != "offline":
            raise HallError("validation_error", "that offline ticket is not waiting for a new number")
        original = entry.request
        at = original.issued_at.timestamp() if original.issued_at else entry.created_at
        req = original.model_copy(update={"number": None, "issued_at": None})
        plan = self.plan
        first, last = plan.require()
        key, catalog = uuid.uuid4().hex, self._catalog
        ticket = self.outbox.record_offline(
            key, req, plan.day(at), first, last, lambda seq: plan.number(req.service, seq),
            lambda r, number: plan.ticket(r, number, at, catalog), self.clock(), replaces=entry_id)
        self.sender.kick()
        return self.deliver(Issued(ticket, key), language)

    def mark_eticket(self, ticket_id: str) -> None:
        """The citizen was shown the ticket as a QR e-ticket (the print had failed)."""
        entry = self.outbox.by_ticket(ticket_id)
        if entry is not None:
            self.outbox.mark_printed(entry.id, ETICKET)

    # ----- help -----------------------------------------------------------------------------

    def request_help(self, screen: str = "") -> bool:
        """Tell the hall (the guide desk's screens and signs) that a citizen here asks for staff.
        Blocking: the hall lane. False when the server cannot be reached (staff at the kiosk
        still see the alert the caller raises)."""
        try:
            self.hall.request_help(screen, device=self.config.kiosk.id)
        except HallUnreachable as exc:
            self.link.down(str(exc))
            return False
        return True

    def rate_self_service(self, ticket_id: str, level: int) -> bool:
        """The citizen rates this kiosk's self-service on the done screen (好差评, channel
        ``kiosk``). Blocking: the hall lane. Optional and never in the citizen's way: False,
        logged, when the hall refuses or cannot be reached (an offline ticket is not on the
        hall yet; it can be rated from its QR page once served)."""
        from kiosk.rating_models import RatingRequest

        try:
            self.hall.rate(ticket_id, RatingRequest(level=level))
        except HallUnreachable as exc:
            self.link.down(str(exc))
            return False
        except HallError as exc:
            log.info("self-service rating of %s not stored: %s", ticket_id, exc.detail)
            return False
        return True

    # ----- delivery --------------------------------------------------------------------------

    def sync(self) -> SyncReport:
        """Send the outbox now (blocking); the report says what went and what is left."""
        return self.sender.flush()

    def start(self) -> None:
        """Start the background sender and the status reporter (the GUI and long-running kiosks
        call this once)."""
        self.sender.start()
        self.reporter.start()

    def close(self) -> None:
        """Stop the reporter and the sender, and close the outbox."""
        self.reporter.stop()
        self.sender.stop()
        self.outbox.close()


def open_terminal(config: KioskConfig, config_dir: Path | None, data_dir: Path, hall: Hall, printer=None,
                  *, dev: bool = False, clock=None, start: bool = True) -> KioskTerminal:
    """A terminal with its outbox (``data_dir/outbox.db``) and offline plan (the hall file
    beside the kiosk config); ``start`` runs the background sender."""
    from kiosk.offline import load_plan

    terminal = KioskTerminal(config, hall, printer, outbox=Outbox(Path(data_dir) / "outbox.db"),
                             plan=load_plan(config, config_dir, ignore_hours=dev), clock=clock)
    if start:
        terminal.start()
    return terminal
