"""The 好差评 API objects and who may rate, without storage (DESIGN.md "Ratings").

Pure pydantic: the hall client and the rating screens load this, never SQLAlchemy;
``kiosk.ratings`` stores and checks ratings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import Field

from kiosk.domain import HallError
from kiosk.models import ApiModel, Code

if TYPE_CHECKING:
    from kiosk.tokens import Identity

BAD_LEVEL = 2
"""Ratings at or below this level are bad: they may carry reasons and open a case."""

LEVELS: dict[int, dict[str, str]] = {
    5: {"zh": "非常满意", "en": "Very satisfied"},
    4: {"zh": "满意", "en": "Satisfied"},
    3: {"zh": "基本满意", "en": "Fairly satisfied"},
    2: {"zh": "不满意", "en": "Dissatisfied"},
    1: {"zh": "非常不满意", "en": "Very dissatisfied"},
}
"""The national five levels, best first, in both languages."""

CHANNELS = ("window", "kiosk", "qr")
_PHONE = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


class RatingRequest(ApiModel):
    """Body of ``POST /api/v1/tickets/{id}/rating``."""

    level: int = Field(ge=1, le=5, description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意")
    reasons: list[Code] = Field(default=[], max_length=10,
                                description="codes of the hall's rating_reasons; only with level 1 or 2")
    comment: str = Field(default="", max_length=200, description="optional words of the citizen")


class Rating(ApiModel):
    """A stored rating, as ``GET /api/v1/ratings`` lists it: no citizen identity."""

    ticket_id: str
    subject: str = "service"  # "kiosk": the kiosk's self-service, rated on its done screen
    day: str
    service: str
    window: int | None
    clerk: str | None
    level: int
    reasons: list[str]
    comment: str
    channel: str
    at: datetime


@dataclass(frozen=True)
class Rater:
    """Who rates, as the server established it from the token (or its absence): the channel and
    what binds it (a rater's window, a kiosk's device; None: any, a development token)."""

    channel: str
    actor: str
    window: int | None = None
    device: str | None = None


QR_RATER = Rater("qr", "citizen qr")


def rater_of(who: Identity | None, kiosk_self_service: bool) -> Rater:
    """The rater a caller may be: none (the QR page), a window's evaluator or a kiosk; anything
    else is a 403 naming who may rate."""
    if who is None:
        return QR_RATER
    if who.role == "rater":
        return Rater("window", who.actor, None if who.any_device else who.window)
    if who.role == "kiosk":
        if not kiosk_self_service:
            raise HallError("forbidden", "this hall does not rate the kiosk's self-service "
                            "(the hall file's [ratings] kiosk_self_service is false)")
        return Rater("kiosk", who.actor, device=None if who.any_device else who.device)
    raise HallError("forbidden", f"a {who.role} token may not rate a ticket; ratings come from the window's "
                    "evaluator (a rater token), the kiosk that issued the ticket, or the ticket's QR page")


def clean_comment(text: str) -> str:
    """The comment as stored: trimmed, one line, ID and phone numbers masked (a citizen may type
    their own; the database keeps no full ID number)."""
    from kiosk.support import scrub

    text = " ".join(text.split())
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), scrub(text))
