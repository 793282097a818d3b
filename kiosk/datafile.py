"""Database files that fail loudly: an empty, truncated, corrupt or swapped file stops the program
with a plain message and the way out, never a fresh start that re-issues numbers or forgets
tickets (DESIGN.md §7).

Each database (the hall's ``hall.db``, a kiosk's ``outbox.db``) carries an identity: a random id
stored inside it and, beside it, in ``<name>.id``. A missing marker with a missing file is a new
installation; a marker whose file is missing, empty, or holds another id is a file that was
emptied, lost or replaced, and the program refuses to start over it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import uuid
from collections.abc import Iterator
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


@contextlib.contextmanager
def opening(path: Path) -> Iterator[None]:
    """Hold the folder of ``path`` locked (``flock`` on the folder itself) while the file is
    checked, opened and given its identity.

    Without it two processes starting on a new folder race: SQLite creates the file empty before
    writing its first page, and the second process would read that moment as an emptied file.
    """
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def expected_id(path: Path, what: str) -> str | None:
    """Check ``path`` before it is opened; the identity it must have, or None for a new file.

    Raises DamagedFile when the file is missing or empty although its marker says it held data,
    when it is empty without a marker, or when it is not a SQLite database at all; OSError when it
    or its marker cannot be read (a folder in its place, no permission), which callers word.
    """
    marker = marker_of(path)
    known = marker.read_text("utf-8").split()[0] if marker.exists() and marker.stat().st_size else None
    size = path.stat().st_size if path.exists() else None
    restore = (f"{restore_hint(path)} To start a new, empty {what} on purpose, move "
               f"{path.name} and {marker.name} away first.")
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
    return DamagedFile(f"the {what} {path} is damaged ({found}). {restore_hint(path)} The damaged "
                       "file is left as it is.")


def restore_hint(path: Path) -> str:
    """The way out for a damaged file: the restore command with this file's folder."""
    return (f"Restore it from the newest backup with `kiosk backup restore --data {path.parent} "
            f"--from <backup file>` (backups are in {path.parent / 'backups'} unless set otherwise).")


class DataDirError(HallError):
    """A ``--data`` folder that cannot hold the program's files; the message says why."""

    def __init__(self, detail: str):
        super().__init__("data_unavailable", detail)


def check_data_dir(folder: Path | str) -> Path:
    """Make sure ``folder`` is a writable folder (creating it if needed); returns it.

    Raises DataDirError naming the path and what to do: a file in its place, a file above it,
    a folder that cannot be created or written.
    """
    folder = Path(folder)
    blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), None)
    if blocker == folder:
        raise DataDirError(f"the data folder {folder} is a file, not a folder. Give a folder with "
                           "--data (it is created if missing).")
    if blocker is not None:
        raise DataDirError(f"the data folder {folder} cannot be made: {blocker} is a file. Give a "
                           "folder with --data whose path does not run through a file.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"the data folder {folder} cannot be created ({exc.strerror}). Create it "
                           "yourself or choose another folder with --data.") from None
    probe = folder / f".write-test.{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataDirError(f"the data folder {folder} is not writable ({exc.strerror}). Give the "
                           "program's user write access to it, or choose another folder with "
                           "--data.") from None
    return folder


def probe(path: Path) -> str:
    """A cheap check that the database at ``path`` can still be read: its header, its schema
    and its identity (matching ``<name>.id``) through a fresh read-only connection. Returns ''
    when it can, else what is wrong. It does not read every page (the start-up quick check and
    every backup do)."""
    try:
        with path.open("rb") as file:
            if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return f"{path.name} is no longer a SQLite database"
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            row = conn.execute("SELECT value FROM meta WHERE key='file_id'").fetchone()
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as exc:
        return f"{path.name} cannot be read: {exc}"
    marker = marker_of(path)
    try:
        known = marker.read_text("utf-8").split()[0]
    except (OSError, IndexError):
        return f"{marker.name} is missing or empty"
    if row is None or row[0] != known:
        return f"{path.name} is not the file this folder had (its identity changed)"
    return ""


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
        write_marker(marker_of(path), identity)
    return identity


def write_marker(marker: Path, identity: str) -> None:
    """Write the identity file ``marker``: whole or not at all, and on disk before the program
    goes on."""
    tmp = marker.with_name(f".{marker.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(f"{identity} {datetime.now(UTC).isoformat(timespec='seconds')}\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, marker)
