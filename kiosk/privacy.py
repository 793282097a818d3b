"""Privacy helpers for identity data: masking, keyed hashing and ID-number arithmetic.

The full ID number, name and address of a citizen are used in memory only. Anything that leaves
memory (logs, files, the database, the hall server) carries the masked forms or the keyed hash.
The helpers live with the card driver (``drivers.idcard.masking`` and ``drivers.idcard.idnumber``),
because drivers never import the core; the engine and the server take them from here.
"""

from __future__ import annotations

from drivers.idcard.idnumber import (
    age_on,
    birth_date_from_id,
    check_character,
    id_checksum_ok,
    normalise_id,
)
from drivers.idcard.masking import id_hash, mask_address, mask_id, mask_name

__all__ = [
    "age_on",
    "birth_date_from_id",
    "check_character",
    "id_checksum_ok",
    "id_hash",
    "mask_address",
    "mask_id",
    "mask_name",
    "normalise_id",
]
