"""What a token may ask of the hall server, beyond its role (DESIGN.md §5 Auth).

The server calls these before the engine sees a request: they refuse (403 ``forbidden``, in
plain words) what the caller's token does not allow, and fill the request's device, window and
actor from the token, so the engine records who really asked. The in-process hall of a
standalone kiosk has no tokens and skips them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.config import HallConfig
from kiosk.domain import HallError
from kiosk.models import ActionRequest, Citizen, IssueRequest, ServiceChange

if TYPE_CHECKING:  # only named here: a server-linked kiosk loads this module (its offline rule)
    from kiosk.tokens import Identity  # and must not load the token store's SQLAlchemy

AgeOf = Callable[[Citizen], "int | None"]
"""Gives a card holder's age from the sealed ID number (the hall's ``HallEngine.citizen_age``)."""

KIOSK_CHANNELS = ("kiosk", "offline")


def forbidden(detail: str) -> HallError:
    """A 403 refusal."""
    return HallError("forbidden", detail)


def issue_request(who: Identity, req: IssueRequest, config: HallConfig,
                  age_of: AgeOf | None = None) -> IssueRequest:
    """``req`` with the device and actor of ``who``; refuses a body that claims another device,
    and what the token's role may not issue.

    A body's actor is replaced, not refused: a kiosk's staff mode names its staff member
    (``staff``, ``card:1a2b3c4d``, kept in the kiosk's audit log), also on the offline tickets
    it sends later, and refusing those would refuse tickets citizens already hold.
    """
    if who.role == "admin":  # full power: may issue on any device's behalf (imports, repairs)
        return req if req.actor else req.model_copy(update={"actor": who.actor})
    device = _device(who, req.device)
    actor = who.actor if not who.any_device else f"{who.role} {device}"
    if who.role == "kiosk":
        _check_kiosk_issue(req, config, age_of)
    elif req.number is not None:
        raise forbidden("offline tickets (with number and issued_at) come only from the kiosk that issued them, "
                        "with its kiosk token")
    return req.model_copy(update={"device": device, "actor": actor})


def _device(who: Identity, claimed: str) -> str:
    if who.any_device:  # a --dev token speaks for the kiosk the body names
        return claimed or who.device
    if claimed and claimed != who.device:
        raise forbidden(f"this token belongs to {who.role} {who.device}, but the request says device {claimed!r}; "
                        "send the device's own id or leave device empty")
    return who.device


def _check_kiosk_issue(req: IssueRequest, config: HallConfig, age_of: AgeOf | None) -> None:
    """A kiosk issues what a citizen may take at a kiosk: no staff channel, no staff-only
    priority, seniors by the card's age, the appointment priority only with a booking."""
    if req.channel not in KIOSK_CHANNELS:
        raise forbidden(f"a kiosk token issues on the kiosk or offline channel, not {req.channel!r}; "
                        "staff tickets need a guide token")
    if (req.channel == "offline") != (req.number is not None):
        raise forbidden("an offline ticket needs channel 'offline' and its number (and issued_at); "
                        "an online one neither")
    check_kiosk_priority(req, config, age_of)


def check_kiosk_priority(req: IssueRequest, config: HallConfig, age_of: AgeOf | None = None) -> None:
    """The priorities a kiosk may give: the server's rule, which a kiosk issuing offline applies
    too, so it never prints a ticket the server will refuse when it syncs.

    ``age_of`` gives the card holder's age from the sealed number (the hall's key opens it); a
    kiosk has no key and passes None: it offers the senior priority only for the card it read
    itself, and the server checks the age again when the ticket is synced."""
    priority = config.priority(req.priority)
    if priority is None or req.priority == "normal":
        return  # normal, or unknown: the engine names an unknown priority
    if priority.staff_only:
        raise forbidden(f"priority {req.priority!r} is given by staff only; ask at the guide desk "
                        "(a guide token issues it)")
    if req.priority == "elderly":
        senior = config.policy.elderly_age
        if req.citizen is not None and age_of is None:
            return  # the kiosk read the card itself; the hall checks the age when it syncs
        age = age_of(req.citizen) if req.citizen is not None and age_of else None
        if age is None or age < senior:
            shown = "no ID card" if req.citizen is None else "no birth date" if age is None else f"age {age}"
            raise forbidden(f"the senior priority needs an ID card of a citizen aged {senior} or more (the hall's "
                            f"[policy] elderly_age); this request has {shown}")
    if req.priority == "appointment" and not req.appointment:
        raise forbidden("the appointment priority comes with a booking: send its booking code (appointment); "
                        "a card's booking the hall finds by itself, with priority normal")


def action_request(who: Identity, req: ActionRequest) -> tuple[ActionRequest, int | None]:
    """``req`` with the actor (and a counter's window) of ``who``, and the only window whose
    tickets the caller may touch (None: any). A body's actor is replaced, not refused: a
    kiosk's staff mode sends its staff member's name, which its own audit log keeps."""
    if who.role == "admin":
        return (req if req.actor else req.model_copy(update={"actor": who.actor})), None
    if who.role != "counter":
        return req.model_copy(update={"actor": who.actor}), None
    window = own_window(who, req.window)
    changes: dict = {"actor": f"window {window}" if window is not None else who.actor}
    if req.window is None and window is not None:
        changes["window"] = window
    return req.model_copy(update=changes), window


def own_window(who: Identity, number: int | None) -> int | None:
    """The window a counter token acts for; refuses another window's number. A development
    counter token acts for the window it names; another role returns ``number``."""
    if who.role != "counter":
        return number
    if who.any_device:
        return number
    if who.window is None:
        raise forbidden(f"counter token {who.token_id} is bound to no window (made before windows were bound); "
                        "make one with 'kiosk tokens add --role counter --window N' and revoke this one")
    if number is not None and number != who.window:
        raise forbidden(f"this token is window {who.window}'s; it may not act for window {number}")
    return who.window


def service_change(who: Identity, change: ServiceChange) -> ServiceChange:
    """A service change recorded under the token's identity (an admin's may name someone)."""
    if who.role == "admin" and change.actor:
        return change
    return change.model_copy(update={"actor": who.actor})
