"""The staff audit log: append-only JSON lines, each chained to the one before it by a keyed hash.

Every staff action (priority ticket, reprint, void, transfer, requeue, pause, quota) is one line:
who, what, when, which ticket, why. Each line carries ``prev``, the HMAC-SHA256 of the previous
line's bytes, and ``sum``, the HMAC-SHA256 of its own content, both under a secret key kept
outside the log's folder (``audit.key`` in the platform's config folder, or the path in
``HALL_KIOSK_AUDIT_KEY``; created 0600 at first use). Editing a line breaks its ``sum``, deleting
one breaks the next line's ``prev``, and without the key nobody can recompute either. Cutting
lines off the end would leave a valid chain, so each append also rewrites a small head file beside
the log (``audit.jsonl.head``: the line count and the last line's keyed hash, signed with the
key); ``verify`` finds a log shorter than its head, a last line the head did not record, or a head
not signed with the key.

Limits: whoever can read the key (root on the same machine, the kiosk's own user) can forge a
whole log; the key only stops someone who can write the log but not read the key. A missing key
for a keyed log is an error, never a new key (that would make the log unverifiable).

Logs from before the key (plain SHA-256 lines, an unsigned head) are read: appending to one goes
on with keyed lines whose first ``prev`` pins the old lines; until then ``verify`` reports the log
as not provably intact, since anyone could have recomputed its plain sums.

No personal data goes in: ticket numbers, masked IDs and reason codes only; ``append`` refuses
anything that looks like a full 18-character ID number. Each append is fsync'd. Qt-free.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

GENESIS = "0" * 64
ALG = "hmac-sha256"
KEY_ENV = "HALL_KIOSK_AUDIT_KEY"
_FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
log = logging.getLogger(__name__)


class AuditError(ValueError):
    """An audit entry that must not be written (a full ID number in it, no key for a keyed log)."""


@dataclass(frozen=True)
class AuditResult:
    """What ``verify`` found: ``ok``, the first bad line (1-based) and how many lines were read."""

    ok: bool
    first_bad_line: int | None
    lines: int
    problem: str = ""

    def __iter__(self):  # so ``ok, bad = log.verify()`` works
        return iter((self.ok, self.first_bad_line))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _mac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def default_key_path() -> Path:
    """``$HALL_KIOSK_AUDIT_KEY``, else ``audit.key`` in the platform's config folder for hall-kiosk."""
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    from platformdirs import user_config_dir

    return Path(user_config_dir("hall-kiosk")) / "audit.key"


def read_key(path: Path) -> bytes | None:
    """The key in ``path`` (hex text), None when the file does not exist; AuditError when unusable."""
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"the audit key file {path} cannot be read ({exc}); fix its permissions or "
                         "put the right file back") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 32:
        raise AuditError(f"the audit key file {path} is damaged (not 64 hex digits); put the right "
                         "file back from the machine's backup")
    return key


def create_key(path: Path) -> bytes:
    """A new random key written to ``path``, readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    log.info("created the audit key %s", path)
    return key


class AuditLog:
    """One append-only audit file. Thread-safe within a process.

    ``key_path`` is the key file (default ``default_key_path()``); it must not be in the log's
    folder, where whoever copies or edits the log would find it too."""

    def __init__(self, path: Path | str, clock=None, *, key_path: Path | str | None = None):
        self.path = Path(path)
        self.clock = clock
        self.key_path = Path(key_path) if key_path else default_key_path()
        self._lock = threading.Lock()
        self.head_path = self.path.with_name(self.path.name + ".head")
        self._key: bytes | None = None
        self._last: str | None = None  # keyed hash of the last line, read lazily
        self._count: int | None = None  # lines in the file, read lazily

    def _key_for(self, lines: list[bytes], *, create: bool) -> bytes | None:
        """The key; a new one only for a log that has no keyed line and no signed head yet."""
        if self._key is not None:
            return self._key
        if self.key_path.resolve().parent == self.path.resolve().parent:
            raise AuditError(f"the audit key {self.key_path} must not be in the log's folder; set "
                             f"{KEY_ENV} to a file elsewhere")
        key = read_key(self.key_path)
        if key is None and (_keyed_lines(lines) or "mac" in (self._read_head() or {})):
            raise AuditError(f"the audit key file {self.key_path} is missing, but {self.path.name} was "
                             "written with it: put the key file back (a new key would make the whole "
                             "log unverifiable)")
        if key is None and create:
            key = create_key(self.key_path)
        self._key = key
        return key

    def append(self, *, actor: str, action: str, ticket: str | None = None, reason: str = "",
               detail: dict | None = None) -> dict:
        """Write one entry and fsync it; returns the entry as written."""
        body = {"actor": actor, "action": action, "ticket": ticket, "reason": reason,
                "detail": detail or {}}
        if _FULL_ID.search(json.dumps(body, ensure_ascii=False)):
            raise AuditError("audit entry refused: it contains what looks like a full ID number")
        with self._lock:
            prev, key = self._last_hash()
            now = self.clock() if self.clock else datetime.now(UTC).astimezone()
            entry = {"at": now.isoformat(timespec="seconds"), **body, "alg": ALG, "prev": prev}
            entry["sum"] = _mac(key, _canonical(entry))
            line = _canonical(entry) + b"\n"
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
            self._last = _mac(key, line.rstrip(b"\n"))
            self._count += 1
            self._write_head(key)
        return entry

    def _last_hash(self) -> tuple[str, bytes]:
        lines = self._raw_lines() if self._last is None else []
        key = self._key_for(lines, create=True)
        if self._last is None:
            self._last = _mac(key, lines[-1]) if lines else GENESIS
            self._count = len(lines)
        return self._last, key

    def _write_head(self, key: bytes) -> None:
        # Written after the line: a crash in between leaves a log one line longer than its head,
        # which ``verify`` accepts (the chain itself still proves that line).
        head = {"lines": self._count, "last": self._last}
        head["mac"] = _mac(key, _canonical(head))
        tmp = self.head_path.with_name(self.head_path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(head, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.head_path)

    def _read_head(self) -> dict | None:
        try:
            head = json.loads(self.head_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:
            return {"lines": -1, "last": ""}
        return head if isinstance(head, dict) else {"lines": -1, "last": ""}

    def _raw_lines(self) -> list[bytes]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        return [line for line in data.split(b"\n") if line]

    def entries(self) -> list[dict]:
        """Every entry, oldest first (unverified: call ``verify`` to trust them)."""
        out = []
        for raw in self._raw_lines():
            try:
                out.append(json.loads(raw))
            except ValueError:
                continue
        return out

    def verify(self) -> AuditResult:
        """Check every line's own sum, its link to the line before, and the end against the
        signed head."""
        lines = self._raw_lines()
        try:
            key = self._key_for(lines, create=False)
        except AuditError as exc:
            return AuditResult(False, 1 if lines else None, len(lines), str(exc))
        prev_line, keyed_seen = None, False
        for number, raw in enumerate(lines, start=1):
            problem, keyed = _line_problem(raw, prev_line, key, keyed_seen)
            if problem:
                return AuditResult(False, number, len(lines), problem)
            prev_line, keyed_seen = raw, keyed_seen or keyed
        bad_line, problem = _head_problem(self._read_head(), lines, key)
        if problem:
            return AuditResult(False, bad_line, len(lines), problem)
        return AuditResult(True, None, len(lines))


def _keyed_lines(lines: list[bytes]) -> bool:
    return any(b'"alg":"' + ALG.encode() + b'"' in raw for raw in lines)


def _head_problem(head: dict | None, lines: list[bytes], key: bytes | None) -> tuple[int | None, str]:
    """The first line at fault and why, when the log's end does not match its signed head."""
    if head is None:
        if not lines:
            return None, ""
        return len(lines), "the head file is missing (it is written with every entry)"
    count = head.get("lines")
    if not isinstance(count, int) or count < 0:
        return len(lines), "the head file is damaged"
    if "mac" not in head or key is None:
        return len(lines), ("the log is from before the audit key (plain sums anyone could recompute): "
                            "it cannot be proven intact until the next entry is written")
    claimed = head.pop("mac")
    if not isinstance(claimed, str) or not hmac.compare_digest(_mac(key, _canonical(head)), claimed):
        return len(lines), "the head file is not signed with the audit key (rewritten)"
    if count > len(lines):
        return len(lines) + 1, (f"lines were cut off the end: the head records {count}, "
                                f"the log has {len(lines)}")
    if count and _mac(key, lines[count - 1]) != head.get("last"):
        return count, "the log's entries are not the ones its head recorded (rewritten)"
    return None, ""


def _line_problem(raw: bytes, prev_line: bytes | None, key: bytes | None, keyed_seen: bool) -> tuple[str, bool]:
    """Why a line is bad ('' when it is fine), and whether it is a keyed line."""
    try:
        entry = json.loads(raw)
    except ValueError:
        return "not JSON", False
    if not isinstance(entry, dict) or "sum" not in entry:
        return "not an audit entry", False
    keyed = entry.get("alg") == ALG
    if keyed_seen and not keyed:
        return "a line without the audit key after keyed ones (added or edited)", False
    if keyed and key is None:
        return "written with an audit key that is missing", True
    claimed = entry.pop("sum")
    digest = (lambda data: _mac(key, data)) if keyed else _sha
    if not isinstance(claimed, str) or not hmac.compare_digest(digest(_canonical(entry)), claimed):
        return "content does not match its sum (edited)", keyed
    if entry.get("prev") != (digest(prev_line) if prev_line is not None else GENESIS):
        return "does not follow the line before (a line was removed, added or edited)", keyed
    return "", keyed
