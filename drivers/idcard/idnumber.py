"""ID numbers and the facts written in them: normalising, the MOD 11-2 check character, the birth
date, and the age on a given day.

Pure arithmetic, shared by the card driver and the core (``kiosk.privacy`` re-exports it): it lives
here because a driver must not import the core.
"""

from __future__ import annotations

from datetime import date

# ISO 7064 MOD 11-2 as used by GB 11643: weights of the first 17 digits and the check characters.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def normalise_id(id_number: str) -> str:
    """The ID number without surrounding or inner whitespace, upper-cased (``x`` → ``X``)."""
    return "".join(id_number.split()).upper()


def id_checksum_ok(id_number: str) -> bool:
    """True when an 18-character ID number passes the ISO 7064 MOD 11-2 check (GB 11643)."""
    value = normalise_id(id_number)
    if len(value) != 18 or not value[:17].isdigit() or not value[:17].isascii():
        return False
    return value[17] == check_character(value[:17])


def check_character(first17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("the check character needs exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def birth_date_from_id(id_number: str) -> date | None:
    """The birth date written in an ID number, or None when it holds no valid date.

    18-character numbers (resident cards, HMT permits, 2023 foreign cards) carry YYYYMMDD in
    characters 7–14; old 15-digit resident numbers carry YYMMDD in characters 7–12 (all 19YY).
    """
    value = normalise_id(id_number)
    if len(value) == 18 and value[:17].isdigit():
        text = value[6:14]
    elif len(value) == 15 and value.isdigit():
        text = "19" + value[6:12]
    else:
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def age_on(birth_date: date, today: date) -> int:
    """Age in full years on ``today``: the birthday itself counts (born 1950-03-07 → 74 on 2024-03-07)."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)
