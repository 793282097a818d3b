"""The staff audit log: append-only JSON lines, each chained to the one before it.

Every staff action (priority ticket, reprint, void, transfer, requeue, pause, quota) is one line:
who, what, when, which ticket, why. Each line carries ``prev``, the SHA-256 of the previous
line's bytes, and ``sum``, the SHA-256 of its own content, so editing a line breaks its ``sum``
and deleting one breaks the next line's ``prev``. Cutting lines off the end would leave a valid
chain, so each append also rewrites a small head file beside the log (``audit.jsonl.head``: the
line count and the last line's hash); ``verify`` finds a log shorter than its head, or a last line
that is not the one the head recorded.

No personal data goes in: ticket numbers, masked IDs and reason codes only; ``append`` refuses
anything that looks like a full 18-character ID number. Each append is fsync'd. Qt-free.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

GENESIS = "0" * 64
_FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


class AuditError(ValueError):
    """An audit entry that must not be written (e.g. it carries a full ID number)."""


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


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class AuditLog:
    """One append-only audit file. Thread-safe within a process."""

    def __init__(self, path: Path | str, clock=None):
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()
        self.head_path = self.path.with_name(self.path.name + ".head")
        self._last: str | None = None  # hash of the last line, read lazily
        self._count: int | None = None  # lines in the file, read lazily

    def append(self, *, actor: str, action: str, ticket: str | None = None, reason: str = "",
               detail: dict | None = None) -> dict:
        """Write one entry and fsync it; returns the entry as written."""
        body = {"actor": actor, "action": action, "ticket": ticket, "reason": reason,
                "detail": detail or {}}
        if _FULL_ID.search(json.dumps(body, ensure_ascii=False)):
            raise AuditError("audit entry refused: it contains what looks like a full ID number")
        with self._lock:
            prev = self._last_hash()
            now = self.clock() if self.clock else datetime.now(UTC).astimezone()
            entry = {"at": now.isoformat(timespec="seconds"), **body, "prev": prev}
            entry["sum"] = _sha(_canonical(entry))
            line = _canonical(entry) + b"\n"
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
            self._last = _sha(line.rstrip(b"\n"))
            self._count += 1
            self._write_head()
        return entry

    def _last_hash(self) -> str:
        if self._last is None:
            lines = self._raw_lines()
            self._last = _sha(lines[-1]) if lines else GENESIS
            self._count = len(lines)
        return self._last

    def _write_head(self) -> None:
        # Written after the line: a crash in between leaves a log one line longer than its head,
        # which ``verify`` accepts (the chain itself still proves that line).
        tmp = self.head_path.with_name(self.head_path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"lines": self._count, "last": self._last}, fh)
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
        """Check every line's own sum, its link to the line before, and the end against the head."""
        prev = GENESIS
        lines = self._raw_lines()
        for number, raw in enumerate(lines, start=1):
            problem = _line_problem(raw, prev)
            if problem:
                return AuditResult(False, number, len(lines), problem)
            prev = _sha(raw)
        bad_line, problem = _head_problem(self._read_head(), lines)
        if problem:
            return AuditResult(False, bad_line, len(lines), problem)
        return AuditResult(True, None, len(lines))


def _head_problem(head: dict | None, lines: list[bytes]) -> tuple[int | None, str]:
    """The first line at fault and why, when the log's end does not match its head file."""
    if head is None:
        if not lines:
            return None, ""
        return len(lines), "the head file is missing (it is written with every entry)"
    count = head.get("lines")
    if not isinstance(count, int) or count < 0:
        return len(lines), "the head file is damaged"
    if count > len(lines):
        return len(lines) + 1, (f"lines were cut off the end: the head records {count}, "
                                f"the log has {len(lines)}")
    if count and _sha(lines[count - 1]) != head.get("last"):
        return count, "the log's entries are not the ones its head recorded (rewritten)"
    return None, ""


def _line_problem(raw: bytes, prev: str) -> str:
    """Why a line is bad ('' when it is fine)."""
    try:
        entry = json.loads(raw)
    except ValueError:
        return "not JSON"
    if not isinstance(entry, dict) or "sum" not in entry:
        return "not an audit entry"
    claimed = entry.pop("sum")
    if _sha(_canonical(entry)) != claimed:
        return "content does not match its sum (edited)"
    if entry.get("prev") != prev:
        return "does not follow the line before (a line was removed, added or edited)"
    return ""
