"""What of a card may leave memory: masked name, ID number and address, and a keyed hash.

The full ID number, name and address of a citizen are used in memory only. Anything that leaves
memory (logs, files, the database, the hall server) carries the masked forms or the keyed hash
built here. Shared by the card driver and the core (``kiosk.privacy`` re-exports it): it lives here
because a driver must not import the core.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from drivers.idcard.idnumber import normalise_id

_LATIN_NAME = re.compile(r"^[A-Za-z\u00c0-\u024f .,'\-]+$")


def mask_id(id_number: str) -> str:
    """Mask an ID number, keeping the first 2 and last 2 characters: ``31**************14``.

    The province and the last two characters are enough for a citizen to recognise their ticket;
    the county, the birth date and most of the sequence stay hidden (keeping 4 + 4, with the age,
    left a few thousand candidates per number). Numbers shorter than 12 characters keep a sixth
    of their length at each end (at least two thirds hidden).
    """
    value = normalise_id(id_number)
    keep = 2 if len(value) >= 12 else len(value) // 6
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
    cannot be reversed or compared across halls without the key. Only the hall engine holds the
    key (``kiosk.idkeys``, in a folder apart from its data); a kiosk never calls this.
    """
    if not isinstance(key, bytes | bytearray) or not key:
        raise ValueError("id_hash needs a non-empty bytes key")
    return hmac.new(bytes(key), normalise_id(id_number).encode("ascii", "replace"),
                    hashlib.sha256).hexdigest()
