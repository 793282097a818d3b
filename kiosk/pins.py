"""Staff and technician PINs: scrypt hashes in the config, a gate that locks after wrong guesses.

A PIN is stored as ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`` so the cost can be raised later
without breaking old hashes. ``verify_pin`` compares in constant time. ``PinGate`` counts wrong
PINs across roles (a guesser does not get five tries per role) and locks entry for a while;
its clock is injectable so tests need not wait five minutes. Given a ``state_path`` (the kiosk
keeps ``pin-lockout.json`` in its data folder), the count and the end of a lock (wall-clock time)
survive a restart: pulling the plug does not buy a guesser five more tries. Qt-free.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

SCHEME = "scrypt"
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**14, 8, 1
_MAX_N = 2**20  # a config cannot make us burn a gigabyte of memory per check
_DKLEN = 32
DEV_PINS = {"staff": "1234", "tech": "9999"}
"""PINs accepted in development mode while the config's hashes are empty."""
log = logging.getLogger(__name__)


class PinHashError(ValueError):
    """A stored PIN hash that is not in the ``scrypt$n$r$p$salt$hash`` format."""


class PinLocked(Exception):
    """Too many wrong PINs: entry refused for ``remaining`` more seconds."""

    def __init__(self, remaining: float):
        self.remaining = remaining
        super().__init__(f"PIN entry locked for {remaining:.0f} more seconds")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_DKLEN,
                          maxmem=128 * r * (n + p + 2) + 1024 * 1024)


def hash_pin(pin: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> str:
    """A self-describing scrypt hash of ``pin`` with a fresh random salt."""
    if not pin or not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a PIN is 4 to 12 digits")
    return hash_secret(pin, n=n, r=r, p=p)


def hash_secret(secret: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> str:
    """The same self-describing scrypt hash for any secret (the console's passwords, checked by
    their own rules in ``kiosk.accounts``); ``verify_pin`` checks it."""
    salt = os.urandom(16)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(_derive(secret, salt, n, r, p))}"


def parse_pin_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """(n, r, p, salt, hash) of a stored hash; raises PinHashError naming what is wrong."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise PinHashError("a PIN hash looks like scrypt$n$r$p$salt$hash")
    try:
        n, r, p = (int(v) for v in parts[1:4])
        salt, digest = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError as exc:
        raise PinHashError(f"malformed PIN hash: {exc}") from None
    if n < 2 or n > _MAX_N or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise PinHashError(f"PIN hash cost out of range (n={n}, r={r}, p={p})")
    if len(salt) < 8 or len(digest) != _DKLEN:
        raise PinHashError("PIN hash salt or digest has the wrong length")
    return n, r, p, salt, digest


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored``; raises PinHashError if ``stored`` is malformed."""
    n, r, p, salt, digest = parse_pin_hash(stored)
    return hmac.compare_digest(_derive(pin, salt, n, r, p), digest)


class PinGate:
    """Checks PINs for several roles; ``max_failures`` wrong ones lock entry for ``lockout_s``.

    ``hashes`` maps a role (``staff``, ``tech``) to its stored hash; an empty hash is accepted
    only in ``dev`` mode, against the development PIN of that role (``DEV_PINS``).
    ``state_path``: a file keeping the failure count and the lock's end across restarts (read at
    every check, so two gates on one file share them); a damaged file locks, it never resets.
    ``clock`` is wall-clock time, since a lock's end is kept across restarts.
    """

    def __init__(self, hashes: Mapping[str, str], *, dev: bool = False, max_failures: int = 5,
                 lockout_s: float = 300.0, clock: Callable[[], float] = time.time,
                 state_path: Path | str | None = None):
        self.hashes = dict(hashes)
        self.dev = dev
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.clock = clock
        self.state_path = Path(state_path) if state_path else None
        self.failures = 0
        self._locked_until = 0.0

    @property
    def dev_pins_active(self) -> bool:
        """True when some role is open to its development PIN (show a warning)."""
        return self.dev and any(not h for h in self.hashes.values())

    def locked_for(self) -> float:
        """Seconds until PINs are accepted again (0 when not locked)."""
        self._load()
        now = self.clock()
        if self._locked_until - now > self.lockout_s:
            # The wall clock was set back: one lockout from now, not the hours it jumped.
            self._locked_until = now + self.lockout_s
            self._save()
        return max(0.0, self._locked_until - now)

    def check(self, pin: str, roles: tuple[str, ...] | None = None) -> str | None:
        """The role ``pin`` opens (among ``roles``, all by default), or None when it is wrong.

        Raises PinLocked while locked, without looking at the PIN. Malformed stored hashes are
        skipped (they open nothing) rather than crashing the dialog.
        """
        remaining = self.locked_for()
        if remaining > 0:
            raise PinLocked(remaining)
        for role in roles or tuple(self.hashes):
            if self._matches(pin, self.hashes.get(role, ""), role):
                if self.failures:
                    self.failures = 0
                    self._save()
                return role
        self.failures += 1
        if self.failures >= self.max_failures:
            self.failures = 0
            self._locked_until = self.clock() + self.lockout_s
        self._save()
        return None

    def _load(self) -> None:
        """Take the count and the lock from the state file; a damaged file locks (fail safe)."""
        if self.state_path is None:
            return
        try:
            state = json.loads(self.state_path.read_text("utf-8"))
            failures, until = state["failures"], state["locked_until"]
            if not isinstance(failures, int) or not isinstance(until, int | float) or failures < 0:
                raise ValueError("wrong types")
        except FileNotFoundError:
            return  # nothing recorded yet: keep what this gate counted
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("PIN lockout file %s is damaged (%s): locking PIN entry for %.0f s",
                        self.state_path, exc, self.lockout_s)
            self.failures, self._locked_until = 0, self.clock() + self.lockout_s
            self._save()  # a defined end, rather than locked for as long as the file is bad
            return
        self.failures, self._locked_until = failures, float(until)

    def _save(self) -> None:
        """Write the state file whole or not at all (a temporary file renamed over it)."""
        if self.state_path is None:
            return
        tmp = self.state_path.with_name(f".{self.state_path.name}.{os.getpid()}.tmp")
        try:
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("w", encoding="utf-8") as out:
                json.dump({"failures": self.failures, "locked_until": self._locked_until}, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.state_path)
        except OSError as exc:  # the lock still holds in this process
            log.error("cannot write the PIN lockout file %s: %s", self.state_path, exc)

    def _matches(self, pin: str, stored: str, role: str) -> bool:
        if not stored:
            dev_pin = DEV_PINS.get(role, "")
            return self.dev and bool(dev_pin) and hmac.compare_digest(pin.encode(), dev_pin.encode())
        try:
            return verify_pin(pin, stored)
        except PinHashError:
            return False
