"""Console sessions: a random id in a cookie, kept in the database only as its hash.

A session ends after ``IDLE_S`` without a request, after ``ABSOLUTE_S`` whatever happens, at
sign-out, and when its account is disabled or its password changed (``kiosk.accounts``). Its
CSRF token is derived from the id (a SHA-256 of the id under a label of its own), so it needs no
column and cannot be computed from what the database holds (the id's plain SHA-256).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from kiosk import store as db
from kiosk.accounts import Account

IDLE_S = 30 * 60.0
ABSOLUTE_S = 12 * 3600.0
TOUCH_S = 30.0
"""``last_seen`` is written at most this often: the live page's fetches are not a write each."""
COOKIE = "console_session"


@dataclass(frozen=True)
class Session:
    """A signed-in browser: its account and the CSRF token its forms must carry."""

    account: Account
    csrf: str
    created_at: float


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def csrf_of(session_id: str) -> str:
    """The CSRF token of a session: known to the page, never stored."""
    return hashlib.sha256(b"console-csrf:" + session_id.encode()).hexdigest()[:43]


def csrf_matches(session: Session, token: str | None) -> bool:
    """Whether ``token`` is the session's CSRF token (constant time)."""
    return bool(token) and hmac.compare_digest(session.csrf.encode(), token.encode())


def start(store: db.Store, account: Account, now: float) -> str:
    """A new session of ``account``; returns the id the cookie carries (never stored)."""
    session_id = secrets.token_urlsafe(32)
    s = db.console_sessions
    with store.write() as conn:
        # Expired sessions of anyone are swept here: sign-ins are rare, so this stays cheap.
        conn.execute(delete(s).where((s.c.last_seen < now - IDLE_S) | (s.c.created_at < now - ABSOLUTE_S)))
        conn.execute(insert(s).values(id_hash=_hash(session_id), account=account.name, created_at=now,
                                      last_seen=now))
    return session_id


def find(store: db.Store, session_id: str | None, now: float) -> Session | None:
    """The live session of ``session_id``, its idle time renewed; None when unknown, expired or
    its account is disabled (an expired one is deleted)."""
    if not session_id or len(session_id) > 100:
        return None
    s, a = db.console_sessions, db.accounts
    key = _hash(session_id)
    with store.read() as conn:
        row = conn.execute(select(s.c.created_at, s.c.last_seen, a.c.name, a.c.display, a.c.role, a.c.disabled)
                           .join(a, a.c.name == s.c.account).where(s.c.id_hash == key)).first()
    if row is None:
        return None
    if row.disabled or now - row.last_seen > IDLE_S or now - row.created_at > ABSOLUTE_S:
        end(store, session_id)
        return None
    if now - row.last_seen > TOUCH_S:
        with store.write() as conn:
            conn.execute(update(s).where(s.c.id_hash == key).values(last_seen=now))
    return Session(Account(row.name, row.display, row.role), csrf_of(session_id), row.created_at)


def end(store: db.Store, session_id: str) -> None:
    """Delete the session (sign-out, expiry)."""
    with store.write() as conn:
        conn.execute(delete(db.console_sessions).where(db.console_sessions.c.id_hash == _hash(session_id)))
