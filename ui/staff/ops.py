"""Staff actions as plain blocking functions: a hall call, then one audit line.

They run on ``services.hall_lane`` (never on the GUI thread) and import no Qt, so the panel only
chooses what to do and shows the outcome. Only a successful action is audited; a refusal comes
back as ``HallError`` for the panel to show. Audit lines carry ticket numbers, never identities.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.audit import AuditLog
from kiosk.domain import ACTIVE_STATES, HallError
from kiosk.models import ActionRequest, ServiceChange, Ticket


@dataclass(frozen=True)
class Actor:
    """Who acts: ``name`` goes to the hall and the audit log (``staff``, ``card:1a2b3c4d``)."""

    name: str
    role: str


def find_ticket(hall, number: str) -> Ticket:
    """Today's ticket with ``number`` (``A012``); HallError ``unknown_ticket`` if there is none."""
    wanted = number.strip().upper()
    for ticket in hall.tickets():
        if ticket.number == wanted:
            return ticket
    raise HallError("unknown_ticket", f"no ticket {wanted} today")


def find_by_card(hall, citizen) -> list[Ticket]:
    """Today's active tickets of the card holder (``citizen``, its number sealed to the hall's
    key): the hall opens the number and compares its keyed hash."""
    if citizen is None:  # the kiosk never saw the hall's key: nobody can be recognised by card
        return []
    return [t for t in hall.tickets(id_sealed=citizen.id_sealed) if t.state in {s.value for s in ACTIVE_STATES}]


def issue_priority(services, audit: AuditLog, actor: Actor, service: str, priority: str,
                   reason: str, language: str = "zh", citizen=None):
    """Issue and print a priority ticket on the staff channel; returns the IssueOutcome.

    ``citizen`` (masked and hashed, from a card read in staff mode) is needed for services that
    require an ID card.
    """
    outcome = services.terminal.issue(service, priority=priority, channel="staff", actor=actor.name,
                                      reason=reason, language=language, citizen=citizen)
    detail = {"service": service, "priority": priority, "printed": outcome.printed}
    if citizen is not None:
        detail["id_mask"] = citizen.id_mask
    audit.append(actor=actor.name, action="issue_priority", ticket=outcome.ticket.number,
                 reason=reason, detail=detail)
    return outcome


def reprint(services, audit: AuditLog, actor: Actor, ticket: Ticket, reason: str,
            language: str = "zh"):
    """Print ``ticket`` again (a reprint event in the hall); returns the IssueOutcome."""
    outcome = services.terminal.reprint(ticket.id, language, actor=actor.name, reason=reason)
    audit.append(actor=actor.name, action="reprint", ticket=ticket.number, reason=reason,
                 detail={"printed": outcome.printed})
    return outcome


def renumber(services, audit: AuditLog, actor: Actor, entry, language: str = "zh"):
    """Give a refused offline ticket (an outbox ``entry``) a new number and print it."""
    outcome = services.terminal.renumber(entry.id, language)
    audit.append(actor=actor.name, action="renumber", ticket=entry.number, reason="offline_number_refused",
                 detail={"new_number": outcome.ticket.number, "refusal": entry.error,
                         "printed": outcome.printed})
    return outcome


def act(services, audit: AuditLog, actor: Actor, ticket: Ticket, action: str, reason: str,
        service: str | None = None) -> Ticket:
    """``void``, ``transfer`` (to ``service``) or ``requeue`` a ticket; returns it afterwards."""
    if action not in ("void", "transfer", "requeue"):
        raise HallError("unknown_action", f"staff cannot {action} from the kiosk")
    after = services.hall.act(ticket.id, action, ActionRequest(actor=actor.name, reason=reason,
                                                              service=service))
    detail = {"from_state": ticket.state, "state": after.state}
    if action == "transfer":
        detail.update({"from_service": ticket.service, "to_service": after.service})
    audit.append(actor=actor.name, action=action, ticket=ticket.number, reason=reason, detail=detail)
    return after


def change_service(services, audit: AuditLog, actor: Actor, code: str, reason: str, *,
                   paused: bool | None = None, quota: int | None = None):
    """Pause or resume ``code`` or change today's quota; returns the new catalog."""
    change = ServiceChange(paused=paused, quota=quota, actor=actor.name, reason=reason)
    catalog = services.hall.change_service(code, change)
    action = "quota" if quota is not None else ("pause" if paused else "resume")
    audit.append(actor=actor.name, action=action, ticket=None, reason=reason,
                 detail={"service": code, **change.model_dump(exclude={"actor", "reason"},
                                                              exclude_none=True)})
    return catalog


def snapshot(services) -> dict:
    """What the queue page shows: catalog and queue, read together on the lane."""
    return {"catalog": services.hall.catalog(), "queue": services.hall.queue()}
