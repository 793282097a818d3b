"""Privacy helpers for identity data: masking, keyed hashing and ID-number arithmetic.

The full ID number, name and address of a citizen are used in memory only. Anything that leaves
memory (logs, files, the database, the hall server) carries the masked forms or the keyed hash
built here. Qt-free: the engine, the server and the card driver all use these.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

__all__ = [
    "age_on",
    "birth_date_from_id",
    "id_checksum_ok",
    "id_hash",
    "mask_address",
    "mask_id",
    "mask_name",
    "normalise_id",
]

# ISO 7064 MOD 11-2 as used by GB 11643: weights of the first 17 digits and the check characters.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_LATIN_NAME = re.compile(r"^[A-Za-z\u00c0-\u024f .,'\-]+$")


def normalise_id(id_number: str) -> str:
    """The ID number without surrounding or inner whitespace, upper-cased (``x`` → ``X``)."""
    return "".join(id_number.split()).upper()


def mask_id(id_number: str) -> str:
    """Mask an ID number, keeping the first 4 and last 4 characters: ``3101**********0014``.

    Numbers shorter than 12 characters keep a quarter of their length at each end, so at least
    half of any number is hidden.
    """
    value = normalise_id(id_number)
    keep = 4 if len(value) >= 12 else len(value) // 4
    if keep == 0:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_name(name: str) -> str:
    """Mask a personal name: ``张*明``, ``张*`` for two characters, ``J*** S****`` for Latin names.

    Chinese names keep their first and last character (only the first for two-character names,
    nothing for one character). Latin names keep the first letter of each word.
    """
    value = name.strip()
    if not value:
        return ""
    if _LATIN_NAME.match(value):
        return " ".join(_mask_word(word) for word in value.split())
    if len(value) == 1:
        return "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def _mask_word(word: str) -> str:
    """First letter kept, the other letters starred; punctuation kept so ``O'Neil`` stays readable."""
    return word[0] + "".join(ch if ch in ".,'-" else "*" for ch in word[1:])


def mask_address(address: str, keep: int = 6) -> str:
    """Keep the first ``keep`` characters of an address (province and city), star the rest."""
    value = address.strip()
    if len(value) <= keep:
        return "*" * len(value)
    return value[:keep] + "*" * min(len(value) - keep, 8)


def id_hash(id_number: str, key: bytes) -> str:
    """HMAC-SHA256 (hex) of the normalised, upper-cased ID number under the hall's secret key.

    The same citizen gives the same hash in one hall (for the one-active-ticket rule) but the hash
    cannot be reversed or compared across halls without the key.
    """
    if not isinstance(key, bytes | bytearray) or not key:
        raise ValueError("id_hash needs a non-empty bytes key")
    return hmac.new(bytes(key), normalise_id(id_number).encode("ascii", "replace"),
                    hashlib.sha256).hexdigest()


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
