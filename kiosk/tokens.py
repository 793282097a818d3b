"""Device tokens of the hall server: who a caller is, bound to a role and a device (DESIGN.md §5).

A token is made once (``kiosk tokens add``), printed once, and stored only as its SHA-256. Its
row says what it may speak for: a kiosk's id, a counter's window, or a display's, guide desk's
or administrator's name. The server takes the caller's device, window and actor from here,
never from a request body. ``kiosk tokens revoke`` stamps ``revoked_at``; the server reads the
row on every request (``Store.find_token``), so a revoked token is refused at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from kiosk import store as db
from kiosk.domain import HallError, State

ROLES = ("kiosk", "counter", "display", "guide", "admin", "rater")
"""``rater``: a window's evaluator (评价器, ``kiosk rate``), bound to its window like a counter."""
WINDOW_ROLES = ("counter", "rater")
NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
"""A device name: a kiosk id's pattern ([kiosk] id), so an actor such as ``guide desk-1`` fits."""


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256 hashes, never in clear."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Identity:
    """Who a request comes from, as its token says.

    ``device`` is the kiosk id for a kiosk, the desk or screen name for the others; ``window``
    a counter's window. ``any_device`` is the development tokens' licence (``--dev`` only) to
    speak for any kiosk or window the request names.
    """

    role: str
    device: str
    window: int | None = None
    token_id: int | None = None
    any_device: bool = False

    @property
    def actor(self) -> str:
        """How actions by this token are recorded: ``kiosk K01``, ``window 3``, ``guide desk-1``."""
        if self.role == "counter" and self.window is not None:
            return f"window {self.window}"
        if self.role == "rater" and self.window is not None:
            return f"rater window {self.window}"
        return f"{self.role} {self.device}".strip()


DEV_TOKENS = {
    "dev-kiosk": Identity("kiosk", "dev-kiosk", any_device=True),
    "dev-counter": Identity("counter", "dev-counter", any_device=True),
    "dev-display": Identity("display", "dev-display"),
    "dev-guide": Identity("guide", "dev-guide"),
    "dev-admin": Identity("admin", "dev-admin"),
    "dev-rater": Identity("rater", "dev-rater", any_device=True),
}
"""The development tokens of ``kiosk serve --dev``: the kiosk one speaks for whichever kiosk
the body names (the demo and the tests run several kiosks on it), the counter and rater ones for any window."""


@dataclass(frozen=True)
class TokenInfo:
    """A token as ``kiosk tokens list`` shows it: never the token nor its hash."""

    id: int
    role: str
    device: str
    window: int | None
    created_at: float
    revoked_at: float | None


def check_binding(role: str, device: str, window: int | None) -> None:
    """Refuse a role without the binding it needs, with what to give instead (ValueError)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if role in WINDOW_ROLES:
        if window is None:
            raise ValueError(f"a {role} token needs its window: add --window N (the window's number)")
        if not 1 <= window <= 999:
            raise ValueError(f"window must be a number from 1 to 999, not {window}")
    elif window is not None:
        raise ValueError(f"only a counter or rater token has a window; a {role} token is bound by --device")
    if role not in WINDOW_ROLES and not device:
        what = "the kiosk's id ([kiosk] id in its kiosk.toml)" if role == "kiosk" else "a name for the device"
        raise ValueError(f"a {role} token needs --device: {what}")
    if device and not NAME.match(device):
        raise ValueError(f"device {device!r} must be 1 to 32 letters, digits, - or _")


def _audit(conn: Connection, now: float, token_id: int, action: str, actor: str, binding: dict) -> None:
    """A token's making or revoking in ticket_events, the hall's audit trail, under the subject
    ``token:<id>`` (as clerks' changes are ``clerk:CODE``): who did it and what it is bound to."""
    conn.execute(insert(db.ticket_events).values(
        ticket_id=f"token:{token_id}", at=now, action=action, from_state=None, to_state=State.WAITING.value,
        actor=(actor or "")[:64], reason="", detail=json.dumps(binding, ensure_ascii=False)))


def add_token(store: db.Store, token: str, role: str, device: str, now: float, window: int | None = None, *,
              actor: str = "") -> int:
    """Register a token bound to ``role`` and ``device`` (a counter to ``window``); returns its id.
    ``actor`` (``kiosk tokens add``, ``console NAME``) is recorded in the audit trail."""
    check_binding(role, device, window)
    t = db.tokens
    with store.write() as conn:
        number = (conn.execute(select(func.max(t.c.id))).scalar() or 0) + 1
        conn.execute(insert(t).values(token_hash=hash_token(token), role=role, device=device or "",
                                      window=window, created_at=now, id=number))
        _audit(conn, now, number, "token-add", actor, {"role": role, "device": device or "", "window": window})
    return number


def list_tokens(store: db.Store) -> list[TokenInfo]:
    """Every token ever made, revoked ones too, by id."""
    t = db.tokens
    with store.read() as conn:
        rows = conn.execute(select(t.c.id, t.c.role, t.c.device, t.c.window, t.c.created_at, t.c.revoked_at)
                            .order_by(t.c.id)).all()
    return [TokenInfo(*row) for row in rows]


def revoke_token(store: db.Store, token_id: int, now: float, *, actor: str = "") -> tuple[TokenInfo, bool]:
    """Revoke token ``token_id``; returns it and whether it was revoked just now (False: it
    already was). An unknown id is a HallError naming how to find the right one. ``actor`` is
    recorded in the audit trail."""
    t = db.tokens
    with store.write() as conn:
        row = conn.execute(select(t.c.id, t.c.role, t.c.device, t.c.window, t.c.created_at, t.c.revoked_at)
                           .where(t.c.id == token_id)).first()
        if row is None:
            raise HallError("not_found", f"no token with id {token_id}; 'kiosk tokens list' shows the ids")
        if row.revoked_at is not None:
            return TokenInfo(*row), False
        conn.execute(update(t).where(t.c.id == token_id).values(revoked_at=now))
        _audit(conn, now, token_id, "token-revoke", actor, {"role": row.role, "device": row.device,
                                                             "window": row.window})
    return TokenInfo(*row[:-1], now), True


def identify(store: db.Store, token: str, dev: bool) -> Identity:
    """The identity of a bearer token, or a 401 HallError saying why not."""
    if dev and token in DEV_TOKENS:
        return DEV_TOKENS[token]
    row = store.find_token(hash_token(token))
    if row is None:
        raise HallError("unauthorized", "unknown token; ask hall IT for this device's token (kiosk tokens add)")
    if row.revoked_at is not None:
        raise HallError("unauthorized", f"token {row.id} was revoked; ask hall IT for a new one (kiosk tokens add)")
    return Identity(row.role, row.device, row.window, row.id)
