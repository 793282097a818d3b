"""Personal accounts of the hall's web console (DESIGN.md §5 The web console).

An account has a sign-in name, a display name, a role (``director``, ``guide``, ``it``,
``admin``), a password kept only as its scrypt hash (``kiosk.pins``) and a disabled flag. There
is no default account and no default password: the first one is made with ``kiosk accounts add``.

Wrong passwords count per account in the database: five lock its sign-in for five minutes, and
restarting the server does not reset the count (the rule of PINs, ``kiosk.pins.PinGate``). Every
add, disable, password change, sign-in and failed sign-in is a row of the hall's audit trail
(``ticket_events`` under the subject ``account:<name>``, as ``kiosk.clerks`` records clerks).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Connection, delete, insert, select, update

from kiosk import store as db
from kiosk.domain import State
from kiosk.pins import PinHashError, hash_secret, verify_pin

ROLES = ("director", "guide", "it", "admin")
"""Console roles: the hall director, guide staff (导服), hall IT, and the administrator (all)."""
MAX_FAILURES = 5
LOCKOUT_S = 300.0
MIN_PASSWORD = 10
MAX_PASSWORD = 200
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$")
COMMON = frozenset({
    "password", "passw0rd", "password1", "password12", "password123", "1234567890", "0123456789",
    "qwertyuiop", "1q2w3e4r5t", "abcdefghij", "iloveyou12", "admin12345", "administrator",
    "qwerty1234", "1qaz2wsx3edc", "woaini1314", "abc1234567", "a123456789",
})
"""Passwords every guesser tries first (lower case)."""


class AccountError(Exception):
    """A refused account operation, with a plain sentence saying what to do."""

    def __init__(self, code: str, message: str, seconds: int = 0):
        super().__init__(message)
        self.code = code
        self.message = message
        self.seconds = seconds


@dataclass(frozen=True)
class Account:
    """A console account as the console and the CLI see it (never its hash)."""

    name: str
    display: str
    role: str
    disabled: bool = False
    locked_seconds: int = 0

    @property
    def actor(self) -> str:
        """How this account's changes are recorded in the audit trail."""
        return f"console {self.name}"


@cache
def _fake_hash() -> str:
    """An unknown name's password is checked against this, so it costs as long as a wrong one."""
    return hash_secret("not-a-password-of-anyone")


def check_name(name: str) -> str:
    """The sign-in name, or AccountError saying what a name may hold."""
    if not NAME.match(name or ""):
        raise AccountError("validation_error", "a user name is 2 to 32 letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit")
    return name


def check_role(role: str) -> str:
    """The role, or AccountError listing the roles."""
    if role not in ROLES:
        raise AccountError("validation_error", f"the role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def password_problem(password: str, name: str = "") -> str | None:
    """Why ``password`` is too weak, as a sentence; None when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return f"the password is too short: use at least {MIN_PASSWORD} characters (a few words are easy to remember)"
    if len(password) > MAX_PASSWORD:
        return f"the password is too long: at most {MAX_PASSWORD} characters"
    lowered = password.lower()
    if lowered in COMMON or len(set(password)) < 4:
        return "the password is too easy to guess: do not use a common password or a repeated character"
    if _is_run(lowered):
        return "the password is too easy to guess: a keyboard or counting run (123456…, abcdef…) is tried first"
    if name and name.lower() in lowered:
        return "the password must not contain the user name"
    return None


def _is_run(text: str) -> bool:
    """Whether ``text`` is one ascending or descending run of characters."""
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return steps in ({1}, {-1})


def _audit(conn: Connection, now: float, name: str, action: str, actor: str, detail: dict) -> None:
    """An account's change in ticket_events, the hall's audit trail (subject ``account:NAME``)."""
    conn.execute(insert(db.ticket_events).values(
        ticket_id=f"account:{name}", at=now, action=action, from_state=None, to_state=State.WAITING.value,
        actor=(actor or "")[:64], reason="", detail=json.dumps(detail, ensure_ascii=False)))


def _account(row, now: float) -> Account:  # noqa: ANN001 - a Row
    locked = max(0.0, (row.locked_until or 0.0) - now)
    return Account(row.name, row.display, row.role, bool(row.disabled), math.ceil(locked))


def add_account(store: db.Store, name: str, display: str, role: str, password: str, now: float, *,
                actor: str) -> Account:
    """Create an account; the password is checked for strength and kept only as its hash."""
    check_name(name)
    check_role(role)
    display = (display or "").strip()
    if not 1 <= len(display) <= 64:
        raise AccountError("validation_error", "the display name is 1 to 64 characters")
    weak = password_problem(password, name)
    if weak:
        raise AccountError("weak_password", weak)
    hashed = hash_secret(password)  # scrypt: outside the write lock
    a = db.accounts
    with store.write() as conn:
        if conn.execute(select(a.c.name).where(a.c.name == name)).first():
            raise AccountError("account_exists", f"the user name {name} is taken (a disabled account keeps "
                               "its name); choose another")
        conn.execute(insert(a).values(name=name, display=display, role=role, password_hash=hashed,
                                      disabled=False, created_at=now, failures=0))
        _audit(conn, now, name, "account-add", actor, {"role": role})
    return Account(name, display, role)


def list_accounts(store: db.Store, now: float) -> list[Account]:
    """Every account, disabled ones too, by name."""
    a = db.accounts
    with store.read() as conn:
        return [_account(r, now) for r in conn.execute(select(a).order_by(a.c.name)).all()]


def find_account(store: db.Store, name: str, now: float) -> Account | None:
    """One account by name, or None."""
    a = db.accounts
    with store.read() as conn:
        row = conn.execute(select(a).where(a.c.name == name)).first()
    return None if row is None else _account(row, now)


def disable_account(store: db.Store, name: str, now: float, *, actor: str) -> tuple[Account, bool]:
    """Disable an account and end its sessions; returns it and whether it happened just now."""
    a = db.accounts
    with store.write() as conn:
        row = conn.execute(select(a).where(a.c.name == name)).first()
        if row is None:
            raise AccountError("not_found", f"no account named {name!r}; 'kiosk accounts list' shows them")
        if row.disabled:
            return _account(row, now), False
        conn.execute(update(a).where(a.c.name == name).values(disabled=True, disabled_at=now))
        ended = conn.execute(delete(db.console_sessions).where(db.console_sessions.c.account == name)).rowcount
        _audit(conn, now, name, "account-disable", actor, {"sessions_ended": ended})
        row = conn.execute(select(a).where(a.c.name == name)).one()
    return _account(row, now), True


def set_password(store: db.Store, name: str, password: str, now: float, *, actor: str) -> Account:
    """Give an account a new password (checked for strength); its lockout is cleared and its
    other sessions end (whoever knew the old password is signed out)."""
    a = db.accounts
    with store.read() as conn:
        if conn.execute(select(a.c.name).where(a.c.name == name)).first() is None:
            raise AccountError("not_found", f"no account named {name!r}; 'kiosk accounts list' shows them")
    weak = password_problem(password, name)
    if weak:
        raise AccountError("weak_password", weak)
    hashed = hash_secret(password)
    with store.write() as conn:
        conn.execute(update(a).where(a.c.name == name).values(password_hash=hashed, failures=0, locked_until=None))
        conn.execute(delete(db.console_sessions).where(db.console_sessions.c.account == name))
        _audit(conn, now, name, "account-password", actor, {})
        row = conn.execute(select(a).where(a.c.name == name)).one()
    return _account(row, now)


def sign_in(store: db.Store, name: str, password: str, now: float, *, source: str = "") -> Account:
    """The account whose name and password these are; AccountError ``locked`` (with the seconds
    left), ``wrong_password`` or ``disabled`` otherwise. ``source`` (the client's address) goes
    into the audit row. A name nobody has is checked against a fake hash (the same cost) and
    audited without the name typed, which might be anything, an ID number even."""
    a = db.accounts
    with store.read() as conn:
        row = conn.execute(select(a).where(a.c.name == name)).first() if NAME.match(name or "") else None
    if row is not None and row.locked_until and row.locked_until > now:
        raise _locked(row.locked_until - now)
    try:
        good = verify_pin(password, row.password_hash if row is not None else _fake_hash()) and row is not None
    except PinHashError:
        good = False
    detail = {"from": source[:64]} if source else {}
    locked = False
    with store.write() as conn:
        if row is not None and good and _locked_now(conn, name, now):
            good = False  # guesses sent together: one may end here after the others locked the account
            locked = True
            _audit(conn, now, name, "sign-in-failed", f"console {name}", {**detail, "locked": True})
        elif row is None:
            _audit(conn, now, "?", "sign-in-failed", "console", {**detail, "known": False})
        elif not good:
            locked = _count_failure(conn, name, now)
            _audit(conn, now, name, "sign-in-failed", f"console {name}", {**detail, "locked": locked})
        elif row.disabled:
            _audit(conn, now, name, "sign-in-failed", f"console {name}", {**detail, "disabled": True})
        else:
            conn.execute(update(a).where(a.c.name == name).values(failures=0, locked_until=None))
            _audit(conn, now, name, "sign-in", f"console {name}", detail)
    if not good:
        if locked:
            raise _locked(LOCKOUT_S)
        raise AccountError("wrong_password", "the user name or the password is wrong; check both and try again "
                           f"({MAX_FAILURES} wrong tries lock the account for {LOCKOUT_S / 60:.0f} minutes)")
    if row.disabled:
        raise AccountError("disabled", "this account is disabled; ask the hall's administrator")
    return Account(row.name, row.display, row.role)


def record_sign_out(store: db.Store, name: str, now: float) -> None:
    """Audit a sign-out from the console."""
    with store.write() as conn:
        _audit(conn, now, name, "sign-out", f"console {name}", {})


def _locked_now(conn: Connection, name: str, now: float) -> bool:
    """Whether ``name`` is locked at ``now``, read inside the write transaction."""
    until = conn.execute(select(db.accounts.c.locked_until).where(db.accounts.c.name == name)).scalar()
    return bool(until and until > now)


def _count_failure(conn: Connection, name: str, now: float) -> bool:
    """One more wrong password for ``name``; True when this one locked the account."""
    a = db.accounts
    failures = (conn.execute(select(a.c.failures).where(a.c.name == name)).scalar() or 0) + 1
    locked = failures >= MAX_FAILURES
    conn.execute(update(a).where(a.c.name == name).values(
        failures=0 if locked else failures, **({"locked_until": now + LOCKOUT_S} if locked else {})))
    return locked


def _locked(seconds: float) -> AccountError:
    minutes = max(1, math.ceil(seconds / 60))
    return AccountError("locked", f"too many wrong passwords: this account is locked for {minutes} more minute(s); "
                        "wait, or ask the hall's administrator", math.ceil(seconds))
