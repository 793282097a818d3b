"""Backups of the data files, safe while the program runs, and their restore (DESIGN.md §7).

``create_backups`` copies ``hall.db`` and/or ``outbox.db`` of a data folder with SQLite's
online backup API (a consistent snapshot even while the server or kiosk writes), names each copy
with the time (``hall-20261130-020000.db``), checks the copy (quick check, identity readable and
the same as the original's) before it counts, and keeps the newest ``keep`` per file.

``restore`` puts a checked backup back: it refuses while a program holds the folder
(``hold_data_dir``), keeps the current file (and its ``-wal``/``-shm``) aside as
``<name>.damaged-<time>``, writes the identity marker of the restored file, and says what it did.

``NightlyBackups`` is the small thread ``kiosk serve`` and ``kiosk run`` start: one backup per
hall day at a set hour, and one soon after start when none was made that day. Qt-free.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.clock import Clock, local
from kiosk.datafile import marker_of, write_marker
from kiosk.domain import HallError

try:  # POSIX record locks; elsewhere the running check is skipped
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

log = logging.getLogger(__name__)

DATA_FILES = {"hall.db": "hall database", "outbox.db": "outbox"}
KEEP = 14
BACKUP_DIR = "backups"
LOCK_NAME = "running.lock"
_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(hall|outbox)-(\d{8}-\d{6})\.db$")
_held: dict[Path, int] = {}  # data folder → fd of its lock, for the life of this process


class BackupError(HallError):
    """A backup that could not be made or restored; the message says why and what to do."""

    def __init__(self, detail: str):
        super().__init__("backup_failed", detail)


def data_files(data_dir: Path | str) -> list[Path]:
    """The data files present in ``data_dir`` (``hall.db`` of a server or standalone kiosk,
    ``outbox.db`` of a kiosk)."""
    return [Path(data_dir) / name for name in DATA_FILES if (Path(data_dir) / name).exists()]


def backup_dir(data_dir: Path | str, out: Path | str | None = None) -> Path:
    """Where backups go: ``out`` when given, else ``<data>/backups``."""
    return Path(out) if out else Path(data_dir) / BACKUP_DIR


def check_backup(path: Path) -> str:
    """The identity stored in a backup file; raises BackupError when SQLite finds it damaged
    or it has none (not a backup of a hall database or an outbox)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            found = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
            row = conn.execute("SELECT value FROM meta WHERE key='file_id'").fetchone() if found == ["ok"] else None
        finally:
            conn.close()
    except sqlite3.Error as exc:
        found, row = [str(exc)], None
    if found != ["ok"]:
        raise BackupError(f"the backup {path} is damaged ({'; '.join(found[:2])}); choose an older one.")
    if row is None:
        raise BackupError(f"{path} has no identity: it is not a backup of a hall database or an outbox.")
    return row[0]


def backup_file(source: Path, out_dir: Path, when: datetime) -> Path:
    """Copy ``source`` into ``out_dir`` as ``<stem>-<time>.db`` and check the copy; returns it.

    The copy is written under a temporary name and only renamed once checked, so a failed or
    interrupted backup never looks like a good one."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{source.stem}-{when.strftime(_STAMP)}.db"
    partial = out_dir / f".{target.name}.partial"
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=20)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # SQLite's online backup: a consistent copy while writers go on
        finally:
            dst.close()
            src.close()
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        identity = check_backup(partial)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup of {source} failed: {exc}. Older backups in {out_dir} are kept.") from None
    except BackupError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup of {source} failed its check, so {source} itself may be damaged: "
                          f"{exc.detail} Older backups in {out_dir} are kept.") from None
    known = _marker_id(source)
    if known and known != identity:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{source} is not the file this folder had ({marker_of(source).name} names "
                          "another); no backup made.")
    os.replace(partial, target)
    return target


def create_backups(data_dir: Path | str, out: Path | str | None = None, *, keep: int = KEEP,
                   when: datetime | None = None) -> list[Path]:
    """Back up every data file of ``data_dir``; returns the new backups. Raises BackupError
    when there is nothing to back up or a copy fails (the others are still made)."""
    files = data_files(data_dir)
    if not files:
        raise BackupError(f"{data_dir} holds neither hall.db nor outbox.db: give the data folder of "
                          "a hall server or a kiosk with --data.")
    out_dir, when = backup_dir(data_dir, out), when or datetime.now().astimezone()
    made, errors = [], []
    for source in files:
        try:
            made.append(backup_file(source, out_dir, when))
        except BackupError as exc:
            errors.append(exc.detail)
    prune(out_dir, keep)
    if errors:
        raise BackupError(" ".join(errors))
    return made


def backups_of(out_dir: Path, stem: str) -> list[Path]:
    """The backups of ``stem`` (``hall``/``outbox``) in ``out_dir``, newest first."""
    if not out_dir.is_dir():
        return []
    found = [p for p in out_dir.iterdir() if (m := _NAME.match(p.name)) and m.group(1) == stem]
    return sorted(found, key=lambda p: p.name, reverse=True)


def prune(out_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of each file; returns the deleted ones."""
    gone = []
    for stem in ("hall", "outbox"):
        for old in backups_of(out_dir, stem)[max(keep, 1):]:
            old.unlink(missing_ok=True)
            gone.append(old)
    return gone


def _marker_id(path: Path) -> str | None:
    try:
        return marker_of(path).read_text("utf-8").split()[0]
    except (OSError, IndexError):
        return None


def hold_data_dir(data_dir: Path | str) -> None:
    """Mark ``data_dir`` as in use by this process until it exits (``restore`` then refuses).

    A POSIX record lock on ``<data>/running.lock``: the system drops it when the process ends,
    however it ends, so a crash never leaves a stale lock behind."""
    folder = Path(data_dir).resolve()
    if fcntl is None or folder in _held:
        return
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return  # another program holds it; the data files' own locks arbitrate between them
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _held[folder] = fd


def in_use(data_dir: Path | str) -> str:
    """'' when no program holds ``data_dir``, else who does (``pid N``)."""
    folder = Path(data_dir).resolve()
    if folder in _held:
        return f"this process (pid {os.getpid()})"
    lock = folder / LOCK_NAME
    if fcntl is None or not lock.exists():
        return ""
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        pid = lock.read_text("utf-8").strip() or "?"
        return f"pid {pid}"
    finally:
        os.close(fd)  # closing drops the probe's lock again
    return ""


def _which(backup: Path) -> str:
    """``hall.db`` or ``outbox.db``: what the backup holds, judged by its tables."""
    conn = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    if "tickets" in tables:
        return "hall.db"
    if "entries" in tables:
        return "outbox.db"
    raise BackupError(f"{backup} is neither a hall database nor an outbox backup.")


def restore(data_dir: Path | str, backup: Path | str, *, when: datetime | None = None) -> list[str]:
    """Put ``backup`` back as the data file it holds; returns what was done, one sentence each.

    Refuses while a program holds the folder, and a backup that fails its check. The current
    file is kept aside, never deleted."""
    folder, backup = Path(data_dir), Path(backup)
    if not backup.is_file():
        raise BackupError(f"the backup {backup} does not exist; list them with `ls {backup_dir(folder)}`.")
    holder = in_use(folder)
    if holder:
        raise BackupError(f"a program ({holder}) is running with {folder}: stop kiosk serve or kiosk run "
                          "first, then restore.")
    identity = check_backup(backup)
    name = _which(backup)
    target = folder / name
    stamp = (when or datetime.now().astimezone()).strftime(_STAMP)
    done = []
    for suffix in ("", "-wal", "-shm", ".id"):  # a stale -wal would be replayed onto the restored file
        current = folder / f"{name}{suffix}"
        if current.exists():
            aside = current.with_name(f"{current.name}.damaged-{stamp}")
            os.replace(current, aside)
            done.append(f"kept the current {current.name} aside as {aside.name}")
    partial = folder / f".{name}.restore.partial"
    partial.write_bytes(backup.read_bytes())
    with partial.open("rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, target)
    write_marker(marker_of(target), identity)
    done.append(f"restored {target} from {backup}")
    done.append(f"wrote {marker_of(target).name} so the restored file opens")
    return done


def _made_on(out_dir: Path, day: str) -> bool:
    """Whether a backup of any file was made on ``day`` (YYYYMMDD, local to the folder's names)."""
    return any(backups_of(out_dir, stem) and backups_of(out_dir, stem)[0].name.split("-")[1] == day
               for stem in ("hall", "outbox"))


@dataclass
class NightlyBackups:
    """Backs up ``data_dir`` once per hall day at ``hour`` (hall time), and soon after start when
    no backup was made that day. ``tick`` does one check; ``start`` runs it every minute in a
    daemon thread until ``stop``."""

    data_dir: Path
    out: Path | None = None
    hour: int = 2
    keep: int = KEEP
    clock: Clock = field(default_factory=Clock)
    tz: ZoneInfo | None = None
    interval_s: float = 60.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _first: bool = True

    def tick(self) -> list[Path]:
        """Make today's backup when it is due; returns what was made ([] when not due)."""
        now = local(self.clock.now(), self.tz) if self.tz else datetime.fromtimestamp(self.clock.now()).astimezone()
        first, self._first = self._first, False
        out_dir = backup_dir(self.data_dir, self.out)
        if _made_on(out_dir, now.strftime("%Y%m%d")) or not (first or now.hour >= self.hour):
            return []
        try:
            made = create_backups(self.data_dir, self.out, keep=self.keep, when=now)
        except BackupError as exc:
            log.error("nightly backup: %s", exc.detail)
            return []
        log.info("nightly backup: %s", ", ".join(p.name for p in made))
        return made

    def start(self) -> NightlyBackups:
        """Run ``tick`` now and then every ``interval_s`` in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="nightly-backup", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # never let the backup thread die silently
                log.exception("nightly backup failed")
            if self._stop.wait(self.interval_s):
                return

    def stop(self) -> None:
        """End the thread (it finishes a backup under way first)."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)


def start_nightly_backups(data_dir: Path | str, *, out: Path | str | None = None, hour: int = 2,
                          clock: Clock | None = None, tz: ZoneInfo | None = None) -> NightlyBackups:
    """The nightly backup thread of ``kiosk serve`` / ``kiosk run``, started."""
    return NightlyBackups(Path(data_dir), Path(out) if out else None, hour, clock=clock or Clock(),
                          tz=tz).start()
