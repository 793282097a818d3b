"""The card value (``IdCard``) and the parser of the reader's 256-byte text block.

One value for all four layouts: resident card, Hong Kong/Macao/Taiwan residence permit ('J'),
foreign permanent resident card old ('I') and 2023 ('Y'). The value never prints its full ID
number, name or address: ``repr`` and ``str`` show masked forms only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from drivers.idcard import idnumber, masking
from drivers.idcard.codes import nation_name, sex_name
from drivers.idcard.errors import CardDataError

TEXT_LEN = 256
LONG_TERM = "长期"
CARD_TYPES = ("resident", "hmt_permit", "foreign_permanent", "foreign_permanent_2023")
_TYPE_BY_MARK = {"J": "hmt_permit", "I": "foreign_permanent", "Y": "foreign_permanent_2023"}
_OLD_FOREIGN_NUMBER = re.compile(r"^[A-Z]{3}\d{12}$")

# Field positions (byte offset, byte length) in the UCS-2LE text block, per layout.
RESIDENT_LAYOUT = {
    "name": (0, 30), "sex": (30, 2), "nation": (32, 4), "birth": (36, 16), "address": (52, 70),
    "id_number": (122, 36), "authority": (158, 30), "valid_from": (188, 16),
    "valid_to": (204, 16),
}
HMT_LAYOUT = {**RESIDENT_LAYOUT, "pass_number": (220, 18), "issue_count": (238, 4)}
FOREIGN_LAYOUT = {
    "name_en": (0, 120), "sex": (120, 2), "id_number": (122, 30), "nationality": (152, 6),
    "name": (158, 30), "valid_from": (188, 16), "valid_to": (204, 16), "birth": (220, 16),
    "version": (236, 4), "authority": (240, 8),
}
FOREIGN_2023_LAYOUT = {
    "name": (0, 30), "sex": (30, 2), "issue_count": (32, 4), "birth": (36, 16),
    "name_en": (52, 70), "id_number": (122, 36), "valid_from": (188, 16), "valid_to": (204, 16),
    "name_en_more": (220, 22), "nationality": (242, 6),
}
LAYOUTS = {
    "resident": RESIDENT_LAYOUT, "hmt_permit": HMT_LAYOUT,
    "foreign_permanent": FOREIGN_LAYOUT, "foreign_permanent_2023": FOREIGN_2023_LAYOUT,
}
TYPE_MARK_OFFSET = 248


@dataclass(frozen=True, repr=False)
class IdCard:
    """One identity card as read, without its photo. ``read_on`` is the reader's "today".

    ``valid_to`` is a date or ``LONG_TERM`` ("长期"). ``nation`` is empty on cards without one
    (permits, foreign cards); ``name_en``/``nationality`` are set on foreign cards only;
    ``issue_count`` is the permit's issue count or the 2023 foreign card's renewals.
    """

    card_type: str
    name: str
    sex: str
    nation: str
    birth_date: date
    address: str
    id_number: str
    authority: str
    valid_from: date
    valid_to: date | str
    read_on: date
    name_en: str = ""
    nationality: str = ""
    pass_number: str = ""
    issue_count: str = ""

    def __repr__(self) -> str:
        return (f"IdCard(card_type={self.card_type!r}, name={self.masked_name!r}, "
                f"id_number={self.masked_id!r}, sex={self.sex!r}, age={self.age})")

    __str__ = __repr__

    @property
    def masked_name(self) -> str:
        """The name masked for display and logs (``张*明``)."""
        return masking.mask_name(self.name or self.name_en)

    @property
    def masked_id(self) -> str:
        """The ID number masked for display and storage (``31**************14``)."""
        return masking.mask_id(self.id_number)

    @property
    def masked_address(self) -> str:
        """The address with only its province/city part readable."""
        return masking.mask_address(self.address)

    @property
    def age(self) -> int:
        """Age in full years on the day the card was read."""
        return self.age_on(self.read_on)

    def age_on(self, today: date) -> int:
        """Age in full years on ``today``."""
        return idnumber.age_on(self.birth_date, today)

    def is_elderly(self, threshold: int = 60, today: date | None = None) -> bool:
        """True when the holder is at least ``threshold`` years old (on ``today`` or the read day)."""
        return self.age_on(today or self.read_on) >= threshold

    @property
    def expired(self) -> bool:
        """True when the card's validity ended before the day it was read."""
        return self.expired_on(self.read_on)

    def expired_on(self, today: date) -> bool:
        """True when ``today`` is after the last valid day; a long-term card never expires."""
        return isinstance(self.valid_to, date) and today > self.valid_to

    @property
    def id_valid(self) -> bool:
        """The ID number's own check: MOD 11-2 for 18-character numbers.

        The old foreign card's 15-character number has no check character; it is valid when it is
        three letters and twelve digits whose YYMMDD (characters 8–13) match the birth date.
        """
        if self.card_type == "foreign_permanent":
            number = idnumber.normalise_id(self.id_number)
            return bool(_OLD_FOREIGN_NUMBER.match(number)) and (
                number[7:13] == self.birth_date.strftime("%y%m%d"))
        return idnumber.id_checksum_ok(self.id_number)

    def to_dict(self, reveal: bool = False) -> dict[str, Any]:
        """JSON-ready fields; name, ID number and address are masked unless ``reveal``."""
        return {
            "card_type": self.card_type,
            "name": (self.name or self.name_en) if reveal else self.masked_name,
            "sex": self.sex,
            "nation": self.nation,
            "birth_date": self.birth_date.isoformat(),
            "address": self.address if reveal else self.masked_address,
            "id_number": self.id_number if reveal else self.masked_id,
            "authority": self.authority,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if isinstance(self.valid_to, date) else LONG_TERM,
            "age": self.age,
            "id_valid": self.id_valid,
            "expired": self.expired,
        }


def card_type_of(text: bytes) -> str:
    """The layout of a text block, told apart by the mark at byte 248."""
    mark = text[TYPE_MARK_OFFSET : TYPE_MARK_OFFSET + 2].decode("utf-16-le", "replace")
    if mark in _TYPE_BY_MARK:
        return _TYPE_BY_MARK[mark]
    if mark in (" ", "\x00"):
        return "resident"
    raise CardDataError("card type", f"unknown card type mark {mark!r} at byte 248")


def parse_text(text: bytes, read_on: date) -> IdCard:
    """Parse the 256-byte UCS-2LE text block into an ``IdCard``; bad fields raise CardDataError."""
    if len(text) != TEXT_LEN:
        raise CardDataError("text", f"text block is {len(text)} bytes, expected {TEXT_LEN}")
    card_type = card_type_of(text)
    raw = {name: _field(text, name, span) for name, span in LAYOUTS[card_type].items()}
    name_en = " ".join((raw.get("name_en", "") + raw.pop("name_en_more", "")).split())
    sex = sex_name(raw["sex"])
    if sex is None:
        raise CardDataError("sex", f"unknown sex code {raw['sex']!r}")
    return IdCard(
        card_type=card_type,
        name=raw["name"],
        sex=sex,
        nation=_nation(raw.get("nation", ""), required=card_type == "resident"),
        birth_date=_date(raw["birth"], "birth_date"),
        address=raw.get("address", ""),
        id_number=idnumber.normalise_id(raw["id_number"]),
        authority=raw.get("authority", ""),
        valid_from=_date(raw["valid_from"], "valid_from"),
        valid_to=LONG_TERM if raw["valid_to"] == LONG_TERM else _date(raw["valid_to"], "valid_to"),
        read_on=read_on,
        name_en=name_en,
        nationality=raw.get("nationality", ""),
        pass_number=raw.get("pass_number", ""),
        issue_count=raw.get("issue_count", ""),
    )


def _field(text: bytes, name: str, span: tuple[int, int]) -> str:
    """One field decoded from UCS-2LE, without the space/NUL padding."""
    offset, length = span
    try:
        value = text[offset : offset + length].decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise CardDataError(name, f"not valid UCS-2 text ({exc.reason})") from None
    return value.strip(" \x00")


def _nation(code: str, required: bool) -> str:
    """The nation name for a code; blank is allowed on cards that carry no nation."""
    if not code and not required:
        return ""
    name = nation_name(code)
    if name is None:
        raise CardDataError("nation", f"unknown nation code {code!r}")
    return name


def _date(value: str, field: str) -> date:
    """A YYYYMMDD field as a date."""
    if len(value) != 8 or not value.isdigit() or not value.isascii():
        raise CardDataError(field, f"{value!r} is not a YYYYMMDD date")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError as exc:
        raise CardDataError(field, f"{value!r} is not a real date ({exc})") from None
