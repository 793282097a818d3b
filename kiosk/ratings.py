"""好差评: citizens rate each service (DESIGN.md "Ratings").

Five levels, 5 非常满意 … 1 非常不满意; the two bad ones (level <= 2) may carry reasons from the
hall file's ``[[rating_reasons]]`` and a short comment. One rating per ticket, from one of three
channels, each with its own proof that the rater is the ticket's citizen:

- ``window``: the window's evaluator (a ``rater`` token bound to window N), for a ticket finished
  at window N within ``[ratings] window_minutes``;
- ``kiosk``: the kiosk that issued the ticket rates its own self-service on its done screen
  (``[ratings] kiosk_self_service``);
- ``qr``: the ticket's status page (no token), within ``[ratings] qr_days`` after finish.

A rating row holds no citizen identity: the ticket id, service, window and clerk only. The row is
written with a ticket event ``rate`` (the audit trail) and a hall event ``rating`` in one write
transaction, and ``after_rating`` runs inside that transaction (CASES opens a rectification case
there for a bad rating).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, insert, select

from kiosk import store as db
from kiosk.domain import HallError, State
from kiosk.rating_models import (
    BAD_LEVEL,
    CHANNELS,
    LEVELS,
    QR_RATER,
    Rater,
    Rating,
    RatingRequest,
    clean_comment,
    rater_of,
)

__all__ = ["BAD_LEVEL", "CHANNELS", "LEVELS", "QR_RATER", "Rater", "Rating", "RatingRequest", "RatingRules",
           "clean_comment", "rater_of"]

def subject_of(rater: Rater) -> str:
    """What a rater rates: a kiosk its own self-service, the window's evaluator and the QR page
    the service at the window. A ticket may carry one rating of each."""
    return "kiosk" if rater.channel == "kiosk" else "service"


class RatingRules:
    """``rate``, ``ratings`` and the ``after_rating`` hook: a mixin of ``HallEngine``."""

    def rate(self, ticket_id: str, req: RatingRequest, rater: Rater) -> Rating:
        """Store the one rating of ``ticket_id``; refuses a second one (409), a rater the ticket
        does not belong to (403), reasons the hall does not know or with a good level (422)."""
        reasons = self._check_reasons(req)
        now = self.clock.now()
        with self.store.write() as conn:
            row = self._row(conn, ticket_id)
            self._check_rater(row, rater, now)
            r = db.ratings
            subject = subject_of(rater)
            taken = select(r.c.channel).where(r.c.ticket_id == ticket_id, r.c.subject == subject)
            if conn.execute(taken).first() is not None:
                what = "its kiosk self-service" if subject == "kiosk" else "its service"
                raise HallError("already_rated", f"ticket {row['number']} was already rated for {what}; "
                                "each is rated once")
            values = {
                "ticket_id": ticket_id, "subject": subject, "day": row["day"], "service": row["service"], "window": row["window"],
                "clerk": row.get("clerk"), "level": req.level, "reasons": json.dumps(reasons),
                "comment": clean_comment(req.comment), "channel": rater.channel, "at": now,
            }
            conn.execute(insert(r).values(**values))
            state = State(row["state"])
            self._record(conn, ticket_id, now, "rate", state, state, rater.actor, "",
                         {"level": req.level, "channel": rater.channel})
            db.append_event(conn, now, "rating", {
                "day": row["day"], "service": row["service"], "window": row["window"], "level": req.level,
                "bad": req.level <= BAD_LEVEL, "channel": rater.channel,
            })
            rating = {**values, "reasons": reasons}
            self.after_rating(conn, rating)
        self.feed.notify()
        return self._rating_view(rating)

    def after_rating(self, conn: Connection, rating: dict) -> None:
        """Called inside the rating's write transaction with the stored row (reasons a list).
        Nothing here; the cases module follows a bad rating up (DESIGN.md "Cases")."""

    def ratings(self, day: str | None = None, window: int | None = None, clerk: str | None = None) -> list[Rating]:
        """A day's ratings (today by default), optionally of one window or clerk, oldest first."""
        r = db.ratings
        query = select(r).where(r.c.day == (day or self.today()))
        if window is not None:
            query = query.where(r.c.window == window)
        if clerk:
            query = query.where(r.c.clerk == clerk)
        with self.store.read() as conn:
            rows = conn.execute(query.order_by(r.c.at)).all()
        return [self._rating_view({**row._mapping, "reasons": json.loads(row.reasons)}) for row in rows]

    def rated(self, ticket_id: str, subject: str = "service") -> bool:
        """Whether ``ticket_id`` has its rating of ``subject`` (the window's service by default)."""
        r = db.ratings
        query = select(r.c.level).where(r.c.ticket_id == ticket_id, r.c.subject == subject)
        with self.store.read() as conn:
            return conn.execute(query).first() is not None

    def qr_rating_open(self, ticket_id: str) -> bool:
        """Whether the ticket's QR page may take a rating now (finished, within the period)."""
        try:
            with self.store.read() as conn:
                self._check_rater(self._row(conn, ticket_id), QR_RATER, self.clock.now())
        except HallError:
            return False
        return True

    def _rating_view(self, row: dict) -> Rating:
        return Rating(**{**row, "at": datetime.fromtimestamp(row["at"], self.tz)})

    def _check_reasons(self, req: RatingRequest) -> list[str]:
        if not req.reasons:
            return []
        if req.level > BAD_LEVEL:
            raise HallError("validation_error", f"reasons go with a bad rating (level 1 or 2), not level {req.level}; "
                            "send the level alone")
        known = {r.code for r in self.config.rating_reasons}
        unknown = [code for code in req.reasons if code not in known]
        if unknown:
            raise HallError("validation_error", f"unknown rating reason(s) {', '.join(unknown)}; the hall's are: "
                            f"{', '.join(sorted(known)) or 'none'}")
        return list(dict.fromkeys(req.reasons))

    def _check_rater(self, row: dict, rater: Rater, now: float) -> None:
        """Whether ``rater`` may rate this ticket now: a 403 saying why not."""
        settings = self.config.ratings
        if rater.channel == "kiosk":
            if rater.device is not None and row["device"] != rater.device:
                raise HallError("forbidden", f"ticket {row['number']} was not issued by kiosk {rater.device}; "
                                "a kiosk rates only its own tickets")
            if row["state"] == State.VOID.value:
                raise HallError("forbidden", f"ticket {row['number']} was voided; there is nothing to rate")
            return
        if row["state"] != State.DONE.value or row["finished_at"] is None:
            raise HallError("forbidden", f"ticket {row['number']} is {row['state']}; a service is rated once "
                            "the window has finished it")
        if rater.channel == "window":
            if rater.window is not None and row["window"] != rater.window:
                raise HallError("forbidden", f"ticket {row['number']} was served at window {row['window']}; "
                                f"window {rater.window}'s evaluator rates only its own window's tickets")
            limit = settings.window_minutes * 60
            late = f"{settings.window_minutes:g} minutes; the citizen may still rate from the ticket's QR page"
        else:
            limit = settings.qr_days * 86400
            late = f"{settings.qr_days:g} days (the hall's [ratings] qr_days)"
        if now - row["finished_at"] > limit:
            raise HallError("forbidden", f"ticket {row['number']} was finished more than {late}; "
                            "it can no longer be rated here")
