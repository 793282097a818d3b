"""``ReaderWorker``: the card reader's own thread, polling while asked to and reporting events.

Qt-free: events go to a callback (called on the worker thread; a Qt adapter re-emits them as
signals) or, without a callback, into the ``events`` queue. The worker survives anything the
reader does: an unplugged reader is reported once and reopened periodically until it is back.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from drivers.backoff import LIMIT_S, Backoff
from drivers.idcard.card import IdCard
from drivers.idcard.errors import CardReaderError, ReaderUnavailable, ReadTimeout
from drivers.idcard.reader import CardReader, Timeouts

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    """What a ``ReaderEvent`` reports."""

    CARD_READ = "card_read"
    CARD_REMOVED = "card_removed"
    READER_LOST = "reader_lost"
    READER_BACK = "reader_back"
    ERROR = "error"


@dataclass(frozen=True)
class ReaderEvent:
    """One event from the worker: ``card`` with card_read, ``reason`` with reader_lost and error."""

    kind: EventKind
    card: IdCard | None = None
    reason: str = ""
    at: float = field(default_factory=time.monotonic)


class ReaderWorker:
    """Owns one ``CardReader`` on a thread; ``start()``, ``start_polling()``, ``stop_polling()``,
    ``stop()``.

    While polling it runs find → select → read every ``poll_interval`` seconds and reports each
    card once per placement (``card_read``), and ``card_removed`` after ``removal_misses`` empty
    finds in a row. The same failure repeated poll after poll is reported once. While idle it checks the reader every ``health_interval`` seconds, so an
    unplug is noticed even when no one waits for a card. A lost reader is reopened after
    ``reopen_interval`` seconds, then after pauses doubling up to ``reopen_limit``
    (``drivers.backoff``); ``reader_back`` follows when it answers again. A card that keeps
    failing to read is retried ``max_attempts`` times, then left alone until it is removed.
    """

    def __init__(self, uri: str, on_event: Callable[[ReaderEvent], None] | None = None, *,
                 timeouts: Timeouts | None = None, poll_interval: float = 0.2,
                 reopen_interval: float = 0.5, reopen_limit: float = LIMIT_S,
                 health_interval: float = 2.0,
                 removal_misses: int = 2, silent_limit: int = 2, max_attempts: int = 3,
                 today: Callable[[], date] = date.today) -> None:
        self.uri = uri
        self.events: queue.Queue[ReaderEvent] = queue.Queue()
        self._on_event = on_event or self.events.put
        self._reader = CardReader(uri, timeouts, today=today)
        self.poll_interval = poll_interval
        self.reopen_interval = reopen_interval
        self._backoff = Backoff(reopen_interval, max(reopen_interval, reopen_limit))
        self.health_interval = health_interval
        self.removal_misses = removal_misses
        self.silent_limit = silent_limit
        self.max_attempts = max_attempts
        self._polling = threading.Event()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._rearm = threading.Event()
        self._thread: threading.Thread | None = None
        self._lost = False  # reader_lost reported and not yet back
        self._present = False  # the card on the reader was reported (or given up on)
        self._card: IdCard | None = None  # the card reported for this placement (memory only)
        self._misses = 0
        self._attempts = 0
        self._silent = 0
        self._last_error = ""
        self._next_health = 0.0

    # -- control (any thread) ---------------------------------------------------------------
    def start(self) -> None:
        """Start the thread (idle: it opens the reader and watches it, but does not poll)."""
        if self._thread is not None:
            return
        self._stopping.clear()  # a stopped worker can be started again
        self._thread = threading.Thread(target=self._run, name="idcard-reader", daemon=True)
        self._thread.start()

    def start_polling(self, rearm: bool = False) -> None:
        """Look for cards until ``stop_polling``.

        ``rearm``: a card already lying on the reader is reported again (a new visit starts and
        must see it); the worker thread applies this itself before its next poll.
        """
        if rearm:
            self._rearm.set()
        self._polling.set()
        self._wake.set()

    def stop_polling(self) -> None:
        """Stop looking for cards (a read in progress is finished but not reported)."""
        self._polling.clear()
        self._wake.set()

    @property
    def polling(self) -> bool:
        """True between ``start_polling`` and ``stop_polling``."""
        return self._polling.is_set()

    @property
    def reader_ok(self) -> bool:
        """False while the reader is lost (as last reported)."""
        return not self._lost

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and close the port."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # -- the thread -------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                if not self._reader.is_open and not self._open():
                    self._sleep(self._backoff.next())
                    continue
                self._step()
        finally:
            self._reader.close()

    def _step(self) -> None:
        """One poll or health check, with every failure turned into an event."""
        try:
            if self._polling.is_set():
                self._poll()
            elif time.monotonic() >= self._next_health:
                self._reader.sam_status()
                self._next_health = time.monotonic() + self.health_interval
        except ReaderUnavailable as exc:
            self._lose(str(exc))
        except ReadTimeout as exc:
            self._silent += 1
            if self._silent >= self.silent_limit:
                self._lose(str(exc))
        except CardReaderError as exc:
            if str(exc) != self._last_error:  # a failure repeated every poll is reported once
                self._last_error = str(exc)
                self._emit(EventKind.ERROR, reason=str(exc))
        else:
            self._silent, self._last_error = 0, ""
        self._sleep(self.poll_interval if self._polling.is_set() else self.health_interval)

    def _poll(self) -> None:
        """find → (select → read) once, reporting a new card or a removal."""
        if self._rearm.is_set():
            self._rearm.clear()
            self._present, self._attempts, self._card = False, 0, None
        if not self._reader.find_card():
            self._misses += 1
            if self._present and self._misses >= self.removal_misses:
                self._present, self._attempts, self._card = False, 0, None
                self._emit(EventKind.CARD_REMOVED)
            elif not self._present:
                self._attempts = 0
            return
        missed, self._misses = self._misses, 0
        if self._present:
            if missed and self._card is not None:
                self._check_swap()  # away for a poll, too short for a removal: another card?
            return  # the card left on the reader was already reported
        try:
            card = self._reader.read_card() if self._reader.select_card() else None
        except CardReaderError:
            self._attempts += 1
            if self._attempts >= self.max_attempts:
                self._present = True  # give up on this placement until the card is removed
            raise
        if card is not None and self._polling.is_set():
            self._present, self._card = True, card
            self._emit(EventKind.CARD_READ, card=card)

    def _check_swap(self) -> None:
        """Read the card again; a different one is reported as the old removed, the new read.

        The reader gives no card serial to compare, and a card swapped between two polls would
        otherwise pass for the one already reported. A miss caused by a flicker of the same
        card costs one extra read and reports nothing.
        """
        card = self._reader.read_card() if self._reader.select_card() else None
        if card is None or _same_card(card, self._card):
            return
        self._emit(EventKind.CARD_REMOVED)
        self._card = card
        if self._polling.is_set():
            self._emit(EventKind.CARD_READ, card=card)

    def _open(self) -> bool:
        try:
            self._reader.open()
        except CardReaderError as exc:
            if not self._lost:
                self._lost = True
                self._emit(EventKind.READER_LOST, reason=str(exc))
            return False
        self._next_health = time.monotonic() + self.health_interval
        self._backoff.reset()
        if self._lost:
            self._lost = False
            self._emit(EventKind.READER_BACK)
        return True

    def _lose(self, reason: str) -> None:
        self._reader.close()
        self._silent = 0
        self._present, self._card = False, None  # a card found after the reader returns is reported again
        if not self._lost:
            self._lost = True
            self._emit(EventKind.READER_LOST, reason=reason)

    def _emit(self, kind: EventKind, card: IdCard | None = None, reason: str = "") -> None:
        event = ReaderEvent(kind, card=card, reason=reason)
        log.info("reader event %s %s", kind.value, card if card is not None else reason)
        try:
            self._on_event(event)
        except Exception:  # a faulty listener must not kill the reader thread
            log.exception("reader event listener failed on %s", kind.value)

    def _sleep(self, seconds: float) -> None:
        """Wait, but wake at once for start/stop requests."""
        if self._wake.wait(seconds):
            self._wake.clear()


def _same_card(a: IdCard, b: IdCard | None) -> bool:
    """The same document: type and number (compared in memory, never logged)."""
    return b is not None and (a.card_type, a.id_number) == (b.card_type, b.id_number)
