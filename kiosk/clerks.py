"""Clerks: who serves at each window (DESIGN.md §4 Clerks).

A clerk has a 工号 (``code``), a name, a PIN kept as its scrypt hash (``kiosk.pins``) and
optionally a staff card (``kiosk.idkeys.staff_card_entry``). A clerk signs in at a window's
counter, whose token is bound to that window; one clerk per window, and signing in elsewhere
signs out of the old window. While signed in, the clerk's 工号 is recorded on the tickets the
window calls, starts and finishes, and in the actor of every counter action.

Wrong PINs count per clerk and per window, in the database: five lock that clerk, and that
window's sign-in, for five minutes, and a restart of the server does not reset the count
(the semantics of ``kiosk.pins.PinGate``, kept where every server process sees them).
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from functools import cache

from sqlalchemy import Connection, insert, select, update

from kiosk import store as db
from kiosk.clerk_models import ClerkInfo, NewClerk, SignIn, WindowSignIn
from kiosk.domain import HallError, State
from kiosk.idkeys import is_staff_card, staff_card_entry
from kiosk.models import WindowClerk
from kiosk.pins import DEFAULT_N, PinHashError, hash_pin, verify_pin

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCKOUT_S = 300.0
CLERK_ACTIONS = ("call", "recall", "start", "finish", "no-show", "hold", "transfer")
"""Counter actions that record the window's clerk in their actor."""
RECORDS_CLERK = ("call", "start", "finish")
"""Actions that put the clerk's 工号 on the ticket (kept by the others)."""


@cache
def _fake_hash() -> str:
    """A hash to check an unknown 工号's PIN against: a wrong 工号 costs as long as a wrong PIN
    (made once, when first needed: hashing costs a start-up 50 ms)."""
    return hash_pin("0000")


def _info(row, now: float, tz) -> ClerkInfo:  # noqa: ANN001 - a Row, a tzinfo
    locked = max(0.0, (row.locked_until or 0.0) - now)
    return ClerkInfo(
        code=row.code, name=row.name, photo=row.photo, card=bool(row.card_entry), disabled=bool(row.disabled),
        created_at=datetime.fromtimestamp(row.created_at, tz),
        disabled_at=None if row.disabled_at is None else datetime.fromtimestamp(row.disabled_at, tz),
        window=row.window, locked_seconds=math.ceil(locked),
    )


def _audit(conn: Connection, now: float, subject: str, action: str, actor: str, detail: dict) -> None:
    """A clerk's or a window's change in ticket_events (the hall's audit trail), under the
    subject ``clerk:CODE`` or ``window:N``, as service changes are recorded."""
    import json

    conn.execute(insert(db.ticket_events).values(
        ticket_id=subject, at=now, action=action, from_state=None, to_state=State.WAITING.value,
        actor=actor or "", reason="", detail=json.dumps(detail, ensure_ascii=False)))


def _announce(conn: Connection, now: float, window: int, clerk: WindowClerk | None) -> None:
    """The hall event that tells screens who is at ``window`` now (type ``clerk``)."""
    db.append_event(conn, now, "clerk", WindowSignIn(window=window, clerk=clerk).model_dump(mode="json"))


def add_clerk(store: db.Store, new: NewClerk, now: float, tz=None, *, actor: str = "",  # noqa: ANN001
              card_entry: str | None = None, pin_cost: int = DEFAULT_N) -> ClerkInfo:
    """Register a clerk; the PIN is kept only as its hash. A used 工号 is refused (a disabled
    clerk's too: its records keep pointing at that person). ``pin_cost``: scrypt's n for the hash
    (the hash records it, and sign-in checks at that cost); only simulated clerks take less."""
    c = db.clerks
    pin_hash = hash_pin(new.pin, n=pin_cost)
    with store.write() as conn:
        if conn.execute(select(c.c.code).where(c.c.code == new.code)).first():
            raise HallError("clerk_exists", f"工号 {new.code} is taken; choose another (a disabled clerk keeps theirs)")
        conn.execute(insert(c).values(code=new.code, name=new.name, pin_hash=pin_hash, card_entry=card_entry,
                                      photo=new.photo, disabled=False, created_at=now, failures=0))
        _audit(conn, now, f"clerk:{new.code}", "clerk-add", actor, {"card": bool(card_entry)})
        row = conn.execute(select(c).where(c.c.code == new.code)).one()
    return _info(row, now, tz)


def list_clerks(store: db.Store, now: float, tz=None) -> list[ClerkInfo]:  # noqa: ANN001
    """Every clerk, disabled ones too, by 工号."""
    c = db.clerks
    with store.read() as conn:
        rows = conn.execute(select(c).order_by(c.c.code)).all()
    return [_info(r, now, tz) for r in rows]


def disable_clerk(store: db.Store, code: str, now: float, tz=None, *, actor: str = "") -> tuple[ClerkInfo, bool]:  # noqa: ANN001
    """Disable a clerk (signing them out); returns them and whether it happened just now."""
    c = db.clerks
    with store.write() as conn:
        row = conn.execute(select(c).where(c.c.code == code)).first()
        if row is None:
            raise HallError("not_found", f"no clerk with 工号 {code!r}; 'kiosk clerks list' shows them")
        if row.disabled:
            return _info(row, now, tz), False
        conn.execute(update(c).where(c.c.code == code).values(disabled=True, disabled_at=now, window=None,
                                                              signed_in_at=None))
        _audit(conn, now, f"clerk:{code}", "clerk-disable", actor, {})
        if row.window is not None:
            _audit(conn, now, f"window:{row.window}", "sign-out", actor, {"clerk": code, "why": "disabled"})
            _announce(conn, now, row.window, None)
        row = conn.execute(select(c).where(c.c.code == code)).one()
    return _info(row, now, tz), True


class ClerkDesk:
    """Clerks of the hall engine: a mixin of ``HallEngine`` using its store, clock, feed, views
    and keys."""

    def clerks(self) -> list[ClerkInfo]:
        """Every clerk (never a PIN hash)."""
        return list_clerks(self.store, self.clock.now(), self.tz)

    def add_clerk(self, new: NewClerk, actor: str = "", *, pin_cost: int = DEFAULT_N) -> ClerkInfo:
        """Register a clerk; a staff card sent sealed is opened here and kept as its salted hash.
        ``pin_cost``: scrypt's n of the PIN's hash — never lowered by the API or the command line,
        only by ``kiosk simulate``'s made-up clerks (their sign-ins then cost microseconds)."""
        entry = None
        if new.card_sealed:
            from kiosk.sealing import SealError

            try:
                entry = staff_card_entry(self.keys.number(new.card_sealed))
            except SealError as exc:
                raise HallError("validation_error", f"card_sealed: {exc}") from None
        return add_clerk(self.store, new.model_copy(update={"card_sealed": None}), self.clock.now(), self.tz,
                         actor=actor, card_entry=entry, pin_cost=pin_cost)

    def disable_clerk(self, code: str, actor: str = "") -> ClerkInfo:
        """Disable a clerk; one signed in is signed out (the window's screen hears it)."""
        info, _ = disable_clerk(self.store, code, self.clock.now(), self.tz, actor=actor)
        self.views.forget()
        self.feed.notify()
        return info

    def window_clerk(self, window: int) -> WindowClerk | None:
        """Who is signed in at ``window`` now."""
        c = db.clerks
        with self.store.read() as conn:
            row = conn.execute(select(c.c.code, c.c.name).where(c.c.window == window)).first()
        return None if row is None else WindowClerk(code=row.code, name=row.name)

    def window_clerk_photo(self, window: int) -> bytes:
        """The photo of the clerk signed in at ``window``, checked (PNG or JPEG, within the
        cap); HallError ``not_found`` when nobody is signed in there, the clerk has no photo, or
        its file is missing, unreadable or no picture (the log says why, without the path:
        a file's name may be a person's)."""
        from kiosk.clerk_photos import PhotoError, photo_path, read_photo

        self.known_window(window)
        c = db.clerks
        with self.store.read() as conn:
            row = conn.execute(select(c.c.code, c.c.photo).where(c.c.window == window)).first()
        if row is None:
            raise HallError("not_found", f"nobody is signed in at window {window}, so there is no photo to show")
        if not row.photo:
            raise HallError("not_found", f"clerk {row.code} at window {window} has no photo; "
                            "add one with kiosk clerks add --photo")
        data_dir = self.store.data_dir
        try:
            return read_photo(photo_path(row.photo, data_dir))
        except PhotoError as exc:
            log.warning("photo of clerk %s not served: %s", row.code, exc.reason)
            raise HallError("not_found", f"the photo of clerk {row.code} at window {window} cannot be shown; "
                            "register it again with kiosk clerks add --photo (a PNG or JPEG of at most 2 MB)") from None

    # -- signing in and out --------------------------------------------------------------------

    def sign_in(self, window: int, code: str, pin: str | None = None, *, card_sealed: str | None = None,
                actor: str = "") -> WindowSignIn:
        """Sign clerk ``code`` in at ``window`` with their PIN (or staff card); refuses while the
        clerk or the window is locked, and counts a wrong PIN against both."""
        self.known_window(window)
        req = SignIn(code=code, pin=pin, card_sealed=card_sealed)
        now = self.clock.now()
        with self.store.read() as conn:
            self._refuse_locked(conn, window, now)
            row = conn.execute(select(db.clerks).where(db.clerks.c.code == req.code)).first()
        if row is not None and row.locked_until and row.locked_until > now:
            raise self._clerk_locked(row.code, row.locked_until - now)
        if row is not None and row.disabled:
            raise HallError("forbidden", f"clerk {code} is disabled; ask the hall's administrator")
        good = self._proof_holds(row, req)  # scrypt: outside the write lock
        with self.store.write() as conn:
            if not good:
                locked = self._count_failure(conn, window, row, now)
                # An unknown 工号 is not kept: it might be anything typed, an ID number even.
                _audit(conn, now, f"window:{window}", "sign-in-failed", actor,
                       {"clerk": row.code} if row is not None else {"clerk": None})
            else:
                self._seat(conn, window, row, now, actor)
        self.views.forget()
        self.feed.notify()
        if not good:
            if locked:
                raise self._locked_error(window, LOCKOUT_S)
            raise HallError("wrong_pin", "the 工号 or the PIN is wrong; check both and try again "
                            f"({MAX_FAILURES} wrong tries lock sign-in for {LOCKOUT_S / 60:.0f} minutes)")
        return WindowSignIn(window=window, clerk=WindowClerk(code=row.code, name=row.name))

    def sign_out(self, window: int, actor: str = "") -> WindowSignIn:
        """Sign out whoever is signed in at ``window`` (nobody: nothing changes)."""
        self.known_window(window)
        now = self.clock.now()
        c = db.clerks
        with self.store.write() as conn:
            code = conn.execute(select(c.c.code).where(c.c.window == window)).scalar()
            if code is not None:
                conn.execute(update(c).where(c.c.code == code).values(window=None, signed_in_at=None))
                _audit(conn, now, f"window:{window}", "sign-out", actor, {"clerk": code})
                _announce(conn, now, window, None)
        if code is not None:
            self.views.forget()
            self.feed.notify()
        return WindowSignIn(window=window, clerk=None)

    def known_window(self, window: int) -> None:
        """Refuse an unknown window number (404)."""
        if self.config.window(window) is None:
            raise HallError("unknown_window", f"no window {window}; see the windows in GET /api/v1/catalog")

    def _proof_holds(self, row, req: SignIn) -> bool:  # noqa: ANN001 - a Row or None
        if req.pin is not None:
            try:
                ok = verify_pin(req.pin, row.pin_hash if row is not None else _fake_hash())
            except PinHashError:
                return False
            return ok and row is not None
        if row is None or not row.card_entry:
            return False
        from kiosk.sealing import SealError

        try:
            number = self.keys.number(req.card_sealed)
        except SealError:
            return False
        return is_staff_card([row.card_entry], number)

    def _refuse_locked(self, conn: Connection, window: int, now: float) -> None:
        w = db.window_states
        until = conn.execute(select(w.c.locked_until).where(w.c.number == window)).scalar()
        if until and until > now:
            raise self._locked_error(window, until - now)

    @staticmethod
    def _locked_error(window: int, seconds: float) -> HallError:
        return _pin_locked(f"too many wrong PINs: sign-in at window {window}", seconds)

    def _count_failure(self, conn: Connection, window: int, row, now: float) -> bool:  # noqa: ANN001
        """One more wrong PIN for the window (and the clerk, if the 工号 exists); True when
        this one locked either."""
        w = db.window_states
        state = conn.execute(select(w.c.pin_failures).where(w.c.number == window)).first()
        if state is None:
            conn.execute(insert(w).values(number=window, paused=False, pin_failures=0))
        failures = (state.pin_failures if state and state.pin_failures else 0) + 1
        locked = failures >= MAX_FAILURES
        conn.execute(update(w).where(w.c.number == window).values(
            pin_failures=0 if locked else failures, locked_until=now + LOCKOUT_S if locked else None))
        if row is not None:
            own = (row.failures or 0) + 1
            clerk_locked = own >= MAX_FAILURES
            conn.execute(update(db.clerks).where(db.clerks.c.code == row.code).values(
                failures=0 if clerk_locked else own,
                locked_until=now + LOCKOUT_S if clerk_locked else row.locked_until))
            locked = locked or clerk_locked
        return locked

    def _seat(self, conn: Connection, window: int, row, now: float, actor: str) -> None:  # noqa: ANN001
        """Seat the clerk at ``window``: whoever sat there and the clerk's old window are
        signed out, failure counts cleared."""
        c = db.clerks
        fresh = conn.execute(select(c.c.locked_until, c.c.window).where(c.c.code == row.code)).one()
        if fresh.locked_until and fresh.locked_until > now:
            raise self._clerk_locked(row.code, fresh.locked_until - now)
        other = conn.execute(select(c.c.code).where(c.c.window == window, c.c.code != row.code)).scalar()
        if other is not None:
            conn.execute(update(c).where(c.c.code == other).values(window=None, signed_in_at=None))
            _audit(conn, now, f"window:{window}", "sign-out", actor, {"clerk": other, "why": "replaced"})
        if fresh.window is not None and fresh.window != window:
            _audit(conn, now, f"window:{fresh.window}", "sign-out", actor, {"clerk": row.code, "why": "moved"})
            _announce(conn, now, fresh.window, None)
        conn.execute(update(c).where(c.c.code == row.code).values(window=window, signed_in_at=now, failures=0,
                                                                  locked_until=None))
        w = db.window_states
        conn.execute(update(w).where(w.c.number == window).values(pin_failures=0, locked_until=None))
        _audit(conn, now, f"window:{window}", "sign-in", actor, {"clerk": row.code})
        _announce(conn, now, window, WindowClerk(code=row.code, name=row.name))

    @staticmethod
    def _clerk_locked(code: str, seconds: float) -> HallError:
        return _pin_locked(f"too many wrong PINs for clerk {code}: their sign-in", seconds)

    # -- what counter actions record ---------------------------------------------------------------

    def serving_clerk(self, conn: Connection, window: int | None, action: str) -> str | None:
        """The 工号 signed in at ``window`` (None: nobody, or no window); with ``[policy]
        clerk_sign_in = "required"`` a call at a window nobody signed in at is refused."""
        if window is None:
            return None
        c = db.clerks
        code = conn.execute(select(c.c.code).where(c.c.window == window)).scalar()
        if code is None and action == "call" and self.config.policy.clerk_sign_in == "required":
            raise HallError("sign_in_required", f"nobody is signed in at window {window}: sign in first "
                            "(工号 and PIN on the counter), then call")
        return code


def clerk_actor(actor: str, code: str | None) -> str:
    """An action's actor with the clerk: ``window 3 clerk 0123`` (kept within the 64 the
    ticket_events column holds)."""
    return actor if code is None else f"{actor} clerk {code}".strip()[:64]


def _pin_locked(what: str, seconds: float) -> HallError:
    """The 423 refusal of a locked sign-in: ``what`` is locked for the minutes left."""
    minutes = max(1, math.ceil(seconds / 60))
    return HallError("pin_locked", f"{what} is locked for {minutes} more minute(s); wait, or ask the hall's "
                     "administrator", {"seconds": math.ceil(seconds)})
