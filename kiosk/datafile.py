"""Database files that fail loudly: an empty, truncated, corrupt or swapped file stops the program
with a plain message and the way out, never a fresh start that re-issues numbers or forgets
tickets (DESIGN.md §7).

Each database (the hall's ``hall.db``, a kiosk's ``outbox.db``) carries an identity: a random id
stored inside it and, beside it, in ``<name>.id``. A missing marker with a missing file is a new
installation; a marker whose file is missing, empty, or holds another id is a file that was
emptied, lost or replaced, and the program refuses to start over it.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

from kiosk.domain import HallError

SQLITE_HEADER = b"SQLite format 3\x00"


class DamagedFile(HallError):
    """A data file that cannot be trusted; the message names the file and what to do."""

    def __init__(self, detail: str):
        super().__init__("damaged_file", detail)


def marker_of(path: Path) -> Path:
    """The identity file beside ``path``."""
    return path.with_name(f"{path.name}.id")


def expected_id(path: Path, what: str) -> str | None:
    """Check ``path`` before it is opened; the identity it must have, or None for a new file.

    Raises DamagedFile when the file is missing or empty although its marker says it held data,
    when it is empty without a marker, or when it is not a SQLite database at all.
    """
    marker = marker_of(path)
    known = marker.read_text("utf-8").split()[0] if marker.exists() and marker.stat().st_size else None
    size = path.stat().st_size if path.exists() else None
    restore = (f"Restore {path.name} from a backup; to start a new, empty {what} on "
               f"purpose, move {path.name} and {marker.name} away first.")
    if size is None:
        if known:
            raise DamagedFile(f"the {what} {path} is missing, but {marker.name} says it held data. {restore}")
        return None
    if size == 0:
        raise DamagedFile(f"the {what} {path} is empty (0 bytes): it was emptied or cut off. {restore}")
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise DamagedFile(f"the {what} {path} is not a SQLite database (overwritten or damaged). {restore}")
    return known


def check_contents(conn: sqlite3.Connection, path: Path, what: str) -> None:
    """SQLite's quick check of the whole file; raises DamagedFile naming what it found."""
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        found = [str(exc)]
    if found != ["ok"]:
        raise damaged(path, what, "; ".join(found[:3]))


def damaged(path: Path, what: str, found: str) -> DamagedFile:
    """The refusal for a file SQLite finds damaged."""
    return DamagedFile(f"the {what} {path} is damaged ({found}). Restore it from a backup; the "
                       "damaged file is left as it is.")


def settle_identity(path: Path, what: str, known: str | None, stored: str | None) -> str:
    """The file's identity after opening: ``stored`` (read from inside the file) must be the
    marker's ``known`` one. Returns the id to store when the file has none yet (a new file, or
    one made before identities existed), and writes the marker where it is missing."""
    if known and stored and known != stored:
        raise DamagedFile(f"the {what} {path} is not the one this folder had ({marker_of(path).name} "
                          f"names another): a file from elsewhere was put in its place. Put the right "
                          f"file back, or restore it from a backup.")
    if known and not stored:
        raise DamagedFile(f"the {what} {path} was replaced by a new, empty one while "
                          f"{marker_of(path).name} says it held data. Restore it from a backup.")
    identity = stored or uuid.uuid4().hex
    if not known:
        _write_marker(marker_of(path), identity)
    return identity


def _write_marker(marker: Path, identity: str) -> None:
    """Written whole or not at all, and on disk before the program goes on."""
    tmp = marker.with_name(f".{marker.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(f"{identity} {datetime.now(UTC).isoformat(timespec='seconds')}\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, marker)
