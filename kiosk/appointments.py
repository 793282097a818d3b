"""Reading booked appointments from CSV or JSON files.

Columns/keys: ``booking_code``, ``service``, ``slot_start``, ``slot_end`` (ISO date-times, hall
time when no offset is given), and either ``id_hash`` or ``id_number``. A full ID number in the
file is hashed on reading and never stored.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from kiosk.domain import HallError
from kiosk.models import Appointment
from kiosk.privacy import id_hash, mask_id


def _when(text: str, tz: ZoneInfo) -> datetime:
    value = datetime.fromisoformat(str(text).strip())
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _appointment(record: dict, tz: ZoneInfo, key: bytes | None, where: str) -> Appointment:
    record = {k.strip(): v for k, v in record.items() if k}
    id_number = (record.pop("id_number", "") or "").strip()
    try:
        if id_number:
            if key is None:
                raise ValueError("id_number given but no id_hash_key to hash it with")
            record["id_hash"] = id_hash(id_number, key)
            record["id_mask"] = mask_id(id_number)
        record["slot_start"] = _when(record.get("slot_start", ""), tz)
        record["slot_end"] = _when(record.get("slot_end", ""), tz)
        record = {k: v for k, v in record.items() if v not in ("", None)}
        return Appointment.model_validate(record)
    except (ValueError, ValidationError) as exc:
        raise HallError("validation_error", f"{where}: {exc}") from None


def read_appointments(path: Path, tz: ZoneInfo, key: bytes | None = None) -> list[Appointment]:
    """All appointments of a ``.csv`` or ``.json`` file; the first bad record raises HallError."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        records = json.loads(text)
        if isinstance(records, dict):
            records = records.get("appointments", [])
    else:
        records = list(csv.DictReader(text.splitlines()))
    return [_appointment(r, tz, key, f"{path.name} record {i + 1}") for i, r in enumerate(records)]
