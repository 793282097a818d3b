"""The cases API's JSON objects (DESIGN.md §5 Cases) as pydantic models."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Literal

from pydantic import Field

from kiosk.models import SEALED, ApiModel, Code

CaseState = Literal["registered", "assigned", "replied", "rectified", "rerated", "rated", "closed"]
CaseKind = Literal["rectify", "unresolved"]
CaseAction = Literal["assign", "reply", "rectify", "rerate", "callback", "close", "rate"]


class CaseCreate(ApiModel):
    """A 办不成事 case as the 办不成事 window or a guide registers it. No name, no address, no
    ID number in clear: the card's number comes sealed (the hall keeps only its hash and mask),
    the phone is sealed on arrival and shown as its last 4 digits only."""

    request: str = Field(min_length=1, max_length=500, description="what the citizen came to get done")
    reason: str = Field(min_length=1, max_length=500, description="why it could not be done")
    services: list[Code] = Field(default=[], max_length=10, description="the services concerned")
    ticket_id: str | None = Field(default=None, max_length=40, description="the citizen's ticket, if any")
    id_sealed: str | None = Field(default=None, pattern=SEALED,
                                  description="the citizen's ID number sealed to the catalog's id_seal_key")
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 -]{4,22}[0-9]$",
                              description="a contact phone for the reply, if the citizen gives one")
    owner: str | None = Field(default=None, min_length=1, max_length=64, description="assign at once to")


class CaseActionBody(ApiModel):
    """One step of a case. Which fields a step needs: assign owner; reply, rectify and close a
    note; rerate and rate a level (1-5); callback a date and its outcome."""

    note: str = Field(default="", max_length=500)
    owner: str | None = Field(default=None, min_length=1, max_length=64)
    level: int | None = Field(default=None, ge=1, le=5)
    date: dt.date | None = Field(default=None, description="the day of a call back")
    outcome: str = Field(default="", max_length=500)


class CaseStep(ApiModel):
    """One recorded step of a case (its audit trail)."""

    at: datetime
    action: str
    from_state: str | None
    to_state: str
    actor: str
    note: str
    detail: dict


class Case(ApiModel):
    """A case as the API shows it: masked identity and the phone's last 4 digits only."""

    id: int
    kind: CaseKind
    state: CaseState
    opened_at: datetime
    opened_by: str
    updated_at: datetime
    deadline: datetime = Field(description="the answer is due before this moment (end of the last working day)")
    remind_at: datetime
    overdue: bool
    ticket_id: str | None
    service: str | None
    services: list[str]
    window: int | None
    clerk: str | None
    level: int | None = Field(description="the bad rating's level (rectification cases)")
    reasons: list[str]
    comment: str
    channel: str | None
    request: str
    reason: str
    id_mask: str | None
    phone_tail: str | None = Field(description="the contact phone's last 4 digits")
    owner: str | None
    outcome: str
    citizen_level: int | None = Field(description="the citizen's rating of the rectification or reply")
    history: list[CaseStep] = []


class CaseContact(ApiModel):
    """A case's contact phone in full, for the call back (each reading is recorded)."""

    id: int
    phone: str | None
