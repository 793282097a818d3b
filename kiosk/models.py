"""The hall API's JSON objects (DESIGN.md §5) as pydantic models.

The engine returns them, the server serialises them, the client parses them: one definition
for all three, so the in-process hall and the HTTP hall cannot drift apart.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiosk.domain import ACTIONS

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


class ApiModel(BaseModel):
    """Base of API objects: unknown request fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class I18n(ApiModel):
    """A text in both languages."""

    zh: str
    en: str


PAGE_TOKEN = r"^[A-Za-z0-9_-]{22,64}$"
"""The token of a ticket's phone page: URL-safe base64 of at least 128 random bits."""
MOBILE = re.compile(r"1[3-9][0-9]{9}")


def mobile_number(text: str) -> str:
    """``text`` as a mainland mobile number (spaces and dashes dropped, a +86 prefix allowed); a
    ValueError whose sentence says what is wrong otherwise."""
    digits = re.sub(r"[\s-]", "", text)
    digits = digits.removeprefix("+86") if digits.startswith("+86") else digits
    if not MOBILE.fullmatch(digits):
        raise ValueError("a mobile number is 11 digits starting with 13 to 19 (e.g. 13812345678); "
                         "check the number and send it again")
    return digits


def new_page_token() -> str:
    """A fresh page token: 18 random bytes (144 bits) as URL-safe base64, 24 characters. Here,
    not in kiosk.phone_store, because an offline kiosk makes them and loads no SQL."""
    return secrets.token_urlsafe(18)


def page_url(public_url: str, token: str | None) -> str:
    """The address of a ticket's phone page, as its QR code holds it; the hall's own address
    for a ticket from before page tokens (its id would be guessable, so it gets no page)."""
    base = public_url.rstrip("/")
    return f"{base}/p/{token}" if token else f"{base}/"


SEALED = r"^[A-Za-z0-9+/]{40,200}={0,2}$"
"""A sealed ID number (``kiosk.sealing``): base64, about 110 characters."""


class Citizen(ApiModel):
    """What a kiosk sends about a card holder: the ID number sealed to the hall's public key
    (only the hall opens it, and makes the keyed hash, the mask and the age band itself), and
    the masked forms the kiosk prints on an offline ticket."""

    id_sealed: str = Field(pattern=SEALED, description="the ID number sealed to the catalog's id_seal_key")
    id_mask: str | None = Field(default=None, max_length=40, pattern=r"^[0-9A-Za-z*]+$",
                                description="the kiosk's mask, for its offline paper; the hall makes its own")
    name_mask: str | None = Field(default=None, max_length=40)


class IssueRequest(ApiModel):
    """Body of ``POST /tickets``."""

    service: Code
    priority: Code = "normal"
    channel: Literal["kiosk", "staff", "api", "offline"] = "kiosk"
    device: str = Field(default="", max_length=64)
    citizen: Citizen | None = None
    appointment: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z0-9-]+$")
    issued_at: datetime | None = Field(default=None, description="offline sync: kiosk issue time")
    number: str | None = Field(
        default=None, pattern=r"^[A-Z]{1,2}[0-9]{2,5}$", description="offline sync: number issued"
    )
    actor: str = Field(default="", max_length=64)
    reason: str = Field(default="", max_length=200)
    page_token: str | None = Field(
        default=None, pattern=PAGE_TOKEN,
        description="offline sync: the token of the ticket's phone page the kiosk printed (kiosk.phone)")
    phone: str | None = Field(
        default=None, description="a mainland mobile number (11 digits, 1[3-9]…) for 'almost your turn' "
                                  "text messages; kept only until the ticket ends (kiosk.notify)")

    @field_validator("phone")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        return None if value is None else mobile_number(value)


class ActionRequest(ApiModel):
    """Body of ``POST /tickets/{id}/{action}``; which fields matter depends on the action."""

    window: int | None = Field(default=None, ge=1, le=999)
    service: Code | None = None
    priority: Code | None = None
    reason: str = Field(default="", max_length=200)
    actor: str = Field(default="", max_length=64)
    # A kiosk's reprint: the ID number of the card on its reader, sealed to the hall's key, the
    # proof that the ticket's holder is in front of it (a kiosk may reprint nothing else).
    id_sealed: str | None = Field(default=None, pattern=SEALED)


Action = Literal[ACTIONS]  # type: ignore[valid-type]


REMOTE_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Letters and digits a citizen cannot misread (no I/1, O/0): a phone place's check-in code is
typed at a kiosk."""
REMOTE_CODE_LENGTH = 10  # 32^10 = 2^50 codes: not guessable within any rate limit


def is_remote_code(text: str) -> bool:
    """Whether ``text`` has the form of a phone place's check-in code (not of a booking code)."""
    text = text.strip().upper()
    return len(text) == REMOTE_CODE_LENGTH and all(c in REMOTE_CODE_ALPHABET for c in text)


class CheckIn(BaseModel):
    """A kiosk's check-in of a remote ticket (线上取号, kiosk.remote): the place's code as typed,
    or the citizen's ID card (sealed). ``service``: the service the citizen chose at the kiosk; a place of another service is then
    not found (the kiosk goes on with an ordinary ticket of the service chosen)."""

    code: str | None = Field(default=None, max_length=32)
    citizen: Citizen | None = None
    service: str | None = Field(default=None, max_length=32)


class Ticket(ApiModel):
    """A ticket as the API shows it."""

    model_config = ConfigDict(extra="ignore")

    id: str
    number: str
    service: str
    priority: str
    state: str
    issued_at: datetime
    ahead: int | None
    eta_minutes: int | None
    windows: list[int]
    status_url: str
    offline: bool = False
    window: int | None = None
    recalls: int = 0
    id_mask: str | None = None
    name_mask: str | None = None
    appointment: str | None = None
    device: str = ""
    clerk: str | None = None  # the 工号 of the clerk who called, started or finished it last


class Call(ApiModel):
    """One call of a ticket to a window."""

    model_config = ConfigDict(extra="ignore")

    seq: int
    number: str
    ticket: str
    window: int
    window_name: I18n
    window_kind: str = "window"
    service: str
    called_at: datetime
    repeat: int
    text: I18n


class QueueEntry(ApiModel):
    """Per-service queue state."""

    model_config = ConfigDict(extra="ignore")

    service: str
    waiting: int
    eta_minutes: int | None
    open_windows: list[int]
    open: bool
    closed_reason: str | None = None


class CatalogService(ApiModel):
    """A service in the catalog."""

    model_config = ConfigDict(extra="ignore")

    code: str
    name: I18n
    zone: str
    prefix: str
    kind: str = "standard"
    id_required: bool
    priorities: list[str]
    materials: dict[str, list[str]]
    bundle_items: dict[str, list[str]] = {}
    open: bool
    closed_reason: str | None
    waiting: int
    eta_minutes: int | None
    windows: list[int]
    quota: int = 0
    issued: int = 0
    paused: bool = False
    remote: bool = False  # a phone place (线上取号) of it may be checked in at a kiosk


class WindowClerk(ApiModel):
    """The clerk signed in at a window, as screens show them (kiosk.clerks)."""

    model_config = ConfigDict(extra="ignore")

    code: str
    name: str


class CatalogWindow(ApiModel):
    """A window in the catalog."""

    model_config = ConfigDict(extra="ignore")

    number: int
    name: I18n
    zone: str
    services: list[str]
    kind: str = "window"
    paused: bool = False
    clerk: WindowClerk | None = None


class CatalogZone(ApiModel):
    """A zone in the catalog."""

    model_config = ConfigDict(extra="ignore")

    code: str
    name: I18n


class CatalogPriority(ApiModel):
    """A priority in the catalog."""

    model_config = ConfigDict(extra="ignore")

    code: str
    name: I18n
    rank: int
    staff_only: bool


class CatalogHall(ApiModel):
    """The hall in the catalog."""

    model_config = ConfigDict(extra="ignore")

    code: str
    name: I18n
    day: str
    timezone: str = "Asia/Shanghai"
    notice: I18n | None = None


class CatalogReason(ApiModel):
    """A reason a citizen may give with a bad rating (the hall's ``[[rating_reasons]]``)."""

    model_config = ConfigDict(extra="ignore")

    code: str
    name: I18n


class CatalogRatings(ApiModel):
    """What a rating screen needs: the hall's reasons and whether kiosks rate their self-service."""

    model_config = ConfigDict(extra="ignore")

    kiosk_self_service: bool = False
    reasons: list[CatalogReason] = []


class CatalogNotify(ApiModel):
    """Whether the hall sends text messages (its ``[notify] sender`` is not "none") and how many
    people ahead the "N people ahead" message goes out at: a kiosk offers them only when on."""

    model_config = ConfigDict(extra="ignore")

    enabled: bool = False
    ahead: int = 3


class Catalog(ApiModel):
    """Everything a kiosk or display needs to show the hall's offer."""

    model_config = ConfigDict(extra="ignore")

    hall: CatalogHall
    zones: list[CatalogZone]
    services: list[CatalogService]
    priorities: list[CatalogPriority]
    windows: list[CatalogWindow]
    id_seal_key: str | None = Field(default=None, description="base64 X25519 key kiosks seal ID numbers to")
    ratings: CatalogRatings = CatalogRatings()
    notify: CatalogNotify = CatalogNotify()  # an older server sends none: no texts offered

    def service(self, code: str) -> CatalogService | None:
        """The service with ``code``, or None."""
        return next((s for s in self.services if s.code == code), None)

    def window(self, number: int) -> CatalogWindow | None:
        """The window with ``number``, or None."""
        return next((w for w in self.windows if w.number == number), None)


class CardSearch(ApiModel):
    """Body of ``POST /tickets/search``: a card holder's tickets of a day, by the sealed number."""

    id_sealed: str = Field(pattern=SEALED)
    day: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class HelpRequest(ApiModel):
    """Body of ``POST /help``: a citizen at a kiosk pressed "call staff" on ``screen``."""

    screen: str = Field(default="", max_length=32, pattern=r"^[a-z_]*$")


class HelpCall(ApiModel):
    """A kiosk's call for staff, as the guide desk's screens and signs receive it (a ``device``
    event of the hall stream with ``event`` = ``help``)."""

    event: Literal["help"] = "help"
    device: str
    screen: str = ""
    at: datetime


class HallEvent(ApiModel):
    """One entry of the hall-wide event stream (SSE)."""

    model_config = ConfigDict(extra="ignore")

    seq: int
    # call, ticket, queue, device, catalog, case (kiosk.cases), clerk (kiosk.clerks), rating
    # (kiosk.ratings)…: any text, so a screen older than a new type of event skips it rather
    # than failing on the stream.
    type: str = Field(max_length=16)
    data: dict


class Appointment(ApiModel):
    """A booked slot, as imported from a file or posted through the API."""

    booking_code: str = Field(pattern=r"^[A-Za-z0-9-]{3,32}$")
    service: Code
    slot_start: datetime
    slot_end: datetime
    id_sealed: str | None = Field(default=None, pattern=SEALED,
                                  description="the holder's ID number sealed to the catalog's id_seal_key")


class ServiceChange(ApiModel):
    """Body of ``POST /services/{code}``: pause, resume or change today's quota."""

    paused: bool | None = None
    quota: int | None = Field(default=None, ge=0, le=100000)
    reason: str = Field(default="", max_length=200)
    actor: str = Field(default="", max_length=64)


class WindowChange(ApiModel):
    """Body of ``POST /windows/{number}``: pause or resume a window."""

    paused: bool
    actor: str = Field(default="", max_length=64)
