"""The citizen's text messages: "N people ahead" and "your turn" (DESIGN.md "Notifications").

A citizen leaves a mobile number on the phone page (or the kiosk sends one with the ticket); it
is kept in ``notify_numbers`` only while the ticket lives. The ``NotifyWorker`` thread of the
hall server watches the tickets that have a number, after every commit (``EventFeed``'s
listener) and once a second: a waiting ticket with the hall's ``[notify] ahead`` people or fewer
ahead gets an ``ahead`` message, a called one a ``turn`` message, and an ended one loses its
number (its unsent messages are dropped). Messages go into ``notify_messages``, unique per
ticket and kind, so each is queued once however often the watch runs; they are claimed in a
write transaction (several server processes on one database never send one twice), sent by the
hall's sender (``kiosk.notify_senders``) in this thread, and retried with a growing pause like
the kiosk's outbox until ``[notify] max_attempts``. Nothing here runs inside a call or an
issue: a hanging SMS gateway holds up only this thread. Numbers appear in logs masked
(138****1234). Qt-free.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable

from sqlalchemy import insert, select, update

from kiosk import store as db
from kiosk.background import BackgroundThread
from kiosk.domain import HallError
from kiosk.notify_senders import Message, Sender, SendError, make_sender
from kiosk.phone_store import ENDED, mask_phone, unsubscribe

log = logging.getLogger(__name__)

LEASE_S = 120.0
"""A message claimed this long ago whose sender never answered (the process died) is due again."""
MAX_PAUSE_S = 300.0
MIN_GAP_S = 0.25
BATCH = 20
_MOBILE = re.compile(r"1[3-9]\d{9}")


def masked(text: str) -> str:
    """``text`` with every mobile number in it masked (a provider's error may quote the number)."""
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


class NotifyWorker(BackgroundThread):
    """Watches the tickets with a number, queues their messages and sends them (see module)."""

    def __init__(self, engine, *, poll_s: float = 1.0, retry_base_s: float = 2.0,  # noqa: ANN001 - HallEngine
                 clock: Callable[[], float] = time.time, sender: Sender | None = None):
        """``clock`` times retries (real time: a pause is a real pause even under a fake hall
        clock); ``sender`` replaces the one the hall file picks (None: the hall file's)."""
        self.engine = engine
        self.poll_s = poll_s
        self.retry_base_s = retry_base_s
        self.clock = clock
        self._sender = sender
        self._senders: tuple[object, Sender | None] | None = None
        super().__init__("notify")
        engine.feed.add_listener(self._wake.set)

    # ----- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        last = 0.0
        while not self._stop.is_set():
            self._wake.wait(self.poll_s)
            # At a busy hall's peak every issue wakes the worker: a pass at most every MIN_GAP_S
            # keeps its reads (and its rare writes) from crowding the issues.
            gap = MIN_GAP_S - (time.monotonic() - last)
            if gap > 0:
                self._stop.wait(gap)
            self._wake.clear()
            if self._stop.is_set():
                return
            last = time.monotonic()
            try:
                self.step()
            except Exception:  # noqa: BLE001 - the worker outlives a database hiccup; it retries next time
                log.exception("notify worker step failed; trying again in %.0f s", self.poll_s)

    def step(self) -> None:
        """One pass: watch the tickets, then send what is due."""
        self.watch()
        self.send_due()

    # ----- watching tickets ------------------------------------------------------------------

    def watch(self) -> None:
        """Queue the messages the tickets with a number are due, and forget ended ones."""
        engine = self.engine
        settings = engine.config.notify
        with engine.store.read() as conn:
            ticket_ids = conn.execute(select(db.notify_numbers.c.ticket_id)).scalars().all()
        today = engine.today().replace("-", "")
        for ticket_id in ticket_ids:
            try:
                ticket = engine.ticket(ticket_id)
            except HallError:
                ticket = None
            if ticket is None or ticket.state in ENDED or not ticket_id.startswith(today):
                with engine.store.write() as conn:
                    unsubscribe(conn, ticket_id)
                log.info("notify: ticket %s ended; its number is deleted", ticket_id)
            elif not settings.enabled:
                continue
            elif ticket.state == "called" and ticket.window is not None:
                self._queue(ticket_id, "turn", {"number": ticket.number, "window": ticket.window})
            elif ticket.state == "waiting" and ticket.ahead is not None and ticket.ahead <= settings.ahead:
                self._queue(ticket_id, "ahead", {"number": ticket.number, "ahead": ticket.ahead})

    def _queue(self, ticket_id: str, kind: str, params: dict) -> None:
        m = db.notify_messages
        with self.engine.store.write() as conn:
            if conn.execute(select(m.c.id).where(m.c.ticket_id == ticket_id, m.c.kind == kind)).first():
                return  # queued (or sent) before: one message per ticket and kind, ever
            now = self.clock()
            conn.execute(insert(m).values(ticket_id=ticket_id, kind=kind, params=json.dumps(params),
                                          state="pending", attempts=0, next_at=now, created_at=now, error=""))
            if kind == "turn":  # "N people ahead" after "your turn" would only confuse
                conn.execute(update(m).where(m.c.ticket_id == ticket_id, m.c.kind == "ahead", m.c.state == "pending")
                             .values(state="dropped", error="the ticket was called before it was sent"))
        self._wake.set()

    # ----- sending ---------------------------------------------------------------------------

    def sender(self) -> Sender | None:
        """The sender of the hall file's current ``[notify]`` (rebuilt when it changes)."""
        if self._sender is not None:
            return self._sender
        settings = self.engine.config.notify
        if self._senders is None or self._senders[0] is not settings:
            self._senders = (settings, make_sender(settings))
        return self._senders[1]

    def send_due(self) -> int:
        """Send the messages that are due; returns how many were sent."""
        sender = self.sender()
        if sender is None:
            return 0
        sent = 0
        for message_id, message, attempts in self._claim():
            try:
                sender.send(message)
            except SendError as exc:
                self._failed(message_id, message, attempts + 1, exc)
                continue
            except Exception as exc:  # noqa: BLE001 - a sender's bug must not lose the message
                self._failed(message_id, message, attempts + 1, SendError(f"{type(exc).__name__}: {exc}"))
                continue
            self._done(message_id, message, attempts + 1)
            sent += 1
        return sent

    def _claim(self) -> list[tuple[int, Message, int]]:
        """Due messages, marked ``sending`` in one write transaction (so nobody else sends them)."""
        m, n = db.notify_messages, db.notify_numbers
        now = self.clock()
        claimed = []
        with self.engine.store.read() as conn:  # most passes find nothing: no write lock for them
            due = conn.execute(select(m.c.id).where(
                ((m.c.state == "pending") & (m.c.next_at <= now))
                | ((m.c.state == "sending") & (m.c.claimed_at < now - LEASE_S))).limit(1)).first()
        if due is None:
            return claimed
        with self.engine.store.write() as conn:
            conn.execute(update(m).where(m.c.state == "sending", m.c.claimed_at < now - LEASE_S)
                         .values(state="pending"))
            rows = conn.execute(
                select(m.c.id, m.c.ticket_id, m.c.kind, m.c.params, m.c.attempts, n.c.phone)
                .select_from(m.outerjoin(n, n.c.ticket_id == m.c.ticket_id))
                .where(m.c.state == "pending", m.c.next_at <= now).order_by(m.c.next_at).limit(BATCH)
            ).all()
            for row in rows:
                if row.phone is None:  # the ticket ended and its number is gone
                    conn.execute(update(m).where(m.c.id == row.id).values(state="dropped", error="no number any more"))
                    continue
                conn.execute(update(m).where(m.c.id == row.id).values(state="sending", claimed_at=now))
                claimed.append((row.id, Message(row.ticket_id, row.kind, row.phone, json.loads(row.params)),
                                row.attempts))
        return claimed

    def _done(self, message_id: int, message: Message, attempts: int) -> None:
        m = db.notify_messages
        with self.engine.store.write() as conn:
            conn.execute(update(m).where(m.c.id == message_id)
                         .values(state="sent", sent_at=self.clock(), attempts=attempts, error=""))
        log.info("notify: %s message of ticket %s sent to %s", message.kind, message.ticket_id,
                 mask_phone(message.phone))

    def _failed(self, message_id: int, message: Message, attempts: int, exc: SendError) -> None:
        m = db.notify_messages
        reason = masked(str(exc))[:300]
        final = not exc.retry or attempts >= self.engine.config.notify.max_attempts
        pause = min(self.retry_base_s * 2 ** (attempts - 1), MAX_PAUSE_S)
        with self.engine.store.write() as conn:
            conn.execute(update(m).where(m.c.id == message_id).values(
                state="failed" if final else "pending", attempts=attempts, error=reason,
                next_at=self.clock() + pause, claimed_at=None))
        log.warning("notify: %s message of ticket %s to %s not sent (attempt %d%s): %s", message.kind,
                    message.ticket_id, mask_phone(message.phone), attempts,
                    ", given up" if final else f", again in {pause:.0f} s", reason)
