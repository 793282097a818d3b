"""The kiosk's issuing pipeline, free of Qt: hall → ticket → printer.

The GUI, ``kiosk issue`` and the tests all go through ``KioskTerminal``, so a ticket is issued and
printed the same way everywhere. A ticket exists for the citizen only once it was printed or
shown as an e-ticket (DESIGN.md §7): ``IssueOutcome`` says which, and the caller shows the
e-ticket when printing failed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date

from drivers.printer import PrinterError, TicketData
from kiosk.config import KioskConfig
from kiosk.hall import Hall
from kiosk.models import Catalog, Citizen, IssueRequest, Ticket
from kiosk.privacy import id_hash

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


def citizen_from_card(card, key: bytes, today: date | None = None) -> Citizen:
    """The masked, hashed form of an ID card that may leave memory (DESIGN.md §4)."""
    age = card.age_on(today) if today else card.age
    return Citizen(id_hash=card.id_hash(key), id_mask=card.masked_id, age=age, name_mask=card.masked_name)


def citizen_from_id(id_number: str, key: bytes, age: int | None = None) -> Citizen:
    """The masked, hashed form of a bare ID number (typed by staff)."""
    from kiosk.privacy import mask_id

    return Citizen(id_hash=id_hash(id_number, key), id_mask=mask_id(id_number), age=age)


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


class KioskTerminal:
    """One kiosk's pipeline: asks the hall for tickets and prints them."""

    def __init__(self, config: KioskConfig, hall: Hall, printer=None):
        self.config = config
        self.hall = hall
        self.printer = printer
        self.key = config.kiosk.id_hash_key.encode()

    def catalog(self) -> Catalog:
        """The hall's offer."""
        return self.hall.catalog()

    def issue(self, service: str, *, priority: str = "normal", citizen: Citizen | None = None,
              appointment: str | None = None, language: str = "zh", channel: str = "kiosk",
              actor: str = "", reason: str = "", idempotency_key: str | None = None) -> IssueOutcome:
        """Issue a ticket and print it; blocking, so call it from a worker thread."""
        req = IssueRequest(service=service, priority=priority, channel=channel, device=self.config.kiosk.id,
                           citizen=citizen, appointment=appointment, actor=actor, reason=reason)
        ticket = self.hall.issue(req, idempotency_key or uuid.uuid4().hex)
        return self.print(ticket, language)

    def print(self, ticket: Ticket, language: str = "zh", *, reprint: bool = False) -> IssueOutcome:
        """Print ``ticket``; a failure is reported in the outcome, never raised."""
        if self.printer is None:
            return IssueOutcome(ticket, printed=False, reprint=reprint)
        try:
            data = ticket_data(ticket, self.hall.catalog(), language,
                               show_materials=self.printer.settings.show_materials)
            result = self.printer.print_ticket(data)
        except PrinterError as exc:
            log.warning("ticket %s not printed: %s", ticket.number, exc)
            return IssueOutcome(ticket, printed=False, print_error=exc, reprint=reprint)
        # Done when the bytes were written and the status afterwards, where the transport can
        # answer, is fine; an unanswerable transport (file:, dummy:, cups:) counts on the write.
        printed = result.status.fine if result.status.answerable else True
        return IssueOutcome(ticket, printed=printed, reprint=reprint)

    def reprint(self, ticket_id: str, language: str = "zh", actor: str = "", reason: str = "") -> IssueOutcome:
        """Print an existing ticket again (recorded as a reprint event)."""
        from kiosk.models import ActionRequest

        ticket = self.hall.act(ticket_id, "reprint", ActionRequest(actor=actor, reason=reason))
        return self.print(ticket, language, reprint=True)
