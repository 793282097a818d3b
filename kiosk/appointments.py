"""Reading booked appointments from CSV or JSON files.

Columns/keys: ``booking_code``, ``service``, ``slot_start``, ``slot_end`` (ISO date-times, hall
time when no offset is given), and optionally ``id_number`` (the holder's). A full ID number in
the file is hashed with the hall's own key (``kiosk.idkeys``, from the hall's key folder) on
reading and never stored; only its keyed hash and mask are.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from kiosk.domain import HallError
from kiosk.idkeys import Identity, IdKeys
from kiosk.models import Appointment
from kiosk.privacy import id_hash, mask_id, normalise_id


def _when(text: str, tz: ZoneInfo) -> datetime:
    value = datetime.fromisoformat(str(text).strip())
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _appointment(record: dict, tz: ZoneInfo, keys: IdKeys, where: str) -> tuple[Appointment, Identity | None]:
    record = {k.strip(): v for k, v in record.items() if k}
    id_number = normalise_id(str(record.pop("id_number", "") or ""))
    try:
        if "id_hash" in record:
            raise ValueError("id_hash is no longer accepted (only the hall holds the hash key): "
                             "give the holder's id_number instead")
        record["slot_start"] = _when(record.get("slot_start", ""), tz)
        record["slot_end"] = _when(record.get("slot_end", ""), tz)
        record = {k: v for k, v in record.items() if v not in ("", None)}
        item = Appointment.model_validate(record)
    except (ValueError, ValidationError) as exc:
        raise HallError("validation_error", f"{where}: {exc}") from None
    if not id_number:
        return item, None
    return item, Identity(id_hash(id_number, keys.hash_key), mask_id(id_number), None)


def read_appointments(path: Path, tz: ZoneInfo, keys: IdKeys) -> list[tuple[Appointment, Identity | None]]:
    """All appointments of a ``.csv`` or ``.json`` file, each with its holder's keyed hash and
    mask (None without an ID number); the first bad record raises HallError."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        records = json.loads(text)
        if isinstance(records, dict):
            records = records.get("appointments", [])
    else:
        records = list(csv.DictReader(text.splitlines()))
    return [_appointment(r, tz, keys, f"{path.name} record {i + 1}") for i, r in enumerate(records)]
