"""The clerks API's JSON objects (DESIGN.md §4 Clerks), free of SQLAlchemy: the hall client
(which a server-linked kiosk loads) parses them too."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator, model_validator

from kiosk.models import SEALED, ApiModel, Code, WindowClerk

PIN = r"^[0-9]{4,12}$"


def check_name(value: str) -> str:
    """A clerk's name as screens show it: 1 to 32 characters, no control characters."""
    value = value.strip()
    if not value or len(value) > 32:
        raise ValueError("a clerk's name is 1 to 32 characters")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise ValueError("a clerk's name may not hold control characters")
    return value


class NewClerk(ApiModel):
    """Body of ``POST /clerks``: a clerk's 工号, name and PIN (stored only as its scrypt hash)."""

    code: Code = Field(description="工号: 1 to 32 letters, digits, - or _")
    name: str = Field(max_length=64)
    pin: str = Field(pattern=PIN, description="4 to 12 digits; only its hash is kept")
    photo: str | None = Field(default=None, pattern=r"^clerk-photos/[0-9A-Za-z_-]{1,32}\.(png|jpg)$",
                              description="the photo's file in the hall's data folder, clerk-photos/<工号>.png "
                                          "or .jpg (kiosk clerks add --photo copies it there); served, checked, "
                                          "by GET /windows/{n}/clerk/photo. Never a path elsewhere on the server")
    card_sealed: str | None = Field(default=None, pattern=SEALED,
                                    description="the staff card's number sealed to the catalog's id_seal_key; "
                                                "kept only as a salted scrypt hash")

    _name = field_validator("name")(classmethod(lambda cls, v: check_name(v)))


class ClerkInfo(ApiModel):
    """A clerk as the API and ``kiosk clerks list`` show them: never the PIN's hash."""

    code: str
    name: str
    photo: str | None = None
    card: bool = False
    disabled: bool = False
    created_at: datetime
    disabled_at: datetime | None = None
    window: int | None = None
    locked_seconds: int = 0


class SignIn(ApiModel):
    """Body of ``POST /windows/{n}/sign-in``: the 工号 and either the PIN or the staff card's
    number sealed to the hall's key (``kiosk.sealing``, as a kiosk seals an ID number)."""

    code: Code
    pin: str | None = Field(default=None, pattern=PIN)
    card_sealed: str | None = Field(default=None, pattern=SEALED)

    @model_validator(mode="after")
    def _one_proof(self) -> SignIn:
        if (self.pin is None) == (self.card_sealed is None):
            raise ValueError("send the 工号 with either pin or card_sealed")
        return self


class WindowSignIn(ApiModel):
    """Who is signed in at a window now (None: nobody)."""

    window: int
    clerk: WindowClerk | None = None
