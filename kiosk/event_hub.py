"""One broadcast of the hall's events to every event stream of the hall server (DESIGN.md §5).

A hall has 60 and more streams open (boards, window screens, counters, LED sign hosts). Giving
each its own thread that polls the database made every other request queue behind them. Here
the writer's ``EventFeed.notify`` wakes the hub (from whatever thread committed), the hub reads
the new events ONCE on the server's event loop and hands the same encoded frames to every
subscriber's bounded queue; each stream is a coroutine waiting on its queue. One slow poll,
only while someone listens, picks up events written by another process sharing the database.

A stream starts by subscribing, then replays the stored events after its resume point, then
sends the live ones it has not replayed: no gap, no duplicate. A subscriber that stops reading
(its socket's buffers full, so its coroutine waits in ``send``) lets its queue fill; when full it
is dropped: its queue is freed at once and its stream ends, so the client reconnects with
Last-Event-ID and replays what it missed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from kiosk.events import EventFeed

log = logging.getLogger(__name__)

QUEUE_EVENTS = 1000
"""A subscriber holding this many unsent events is dropped. At a busy hall's peak (about 1,500
events/s) that is over half a second of a stream not being served; the frames themselves are
shared by every subscriber, a queue only holds references to them."""
POLL_S = 1.0
"""How often the hub looks for events committed by another process, while anyone listens."""
PAGE = 500
"""Events read per query, live and when replaying."""


@dataclass(frozen=True, slots=True)
class Batch:
    """Events read together, encoded once for every subscriber."""

    first: int
    last: int
    frames: tuple[tuple[int, bytes], ...]
    data: bytes

    @classmethod
    def of(cls, frames: list[tuple[int, bytes]]) -> Batch:
        """The batch of ``frames`` ((seq, SSE frame), oldest first)."""
        return cls(frames[0][0], frames[-1][0], tuple(frames), b"".join(f for _, f in frames))

    def after(self, seq: int) -> bytes:
        """The frames of events above ``seq`` (a stream that replayed up to ``seq``)."""
        if self.first > seq:
            return self.data
        return b"".join(frame for s, frame in self.frames if s > seq)


class Subscriber:
    """One stream's bounded queue of batches, filled on the event loop by the hub."""

    def __init__(self, limit: int):
        self.limit = limit
        self.dropped = False
        self._batches: deque[Batch] = deque()
        self._held = 0  # events queued
        self._ready = asyncio.Event()

    def offer(self, batch: Batch) -> bool:
        """Queue ``batch``; False (and the subscriber dropped, its queue freed) when full."""
        if self.dropped:
            return False
        if self._held + len(batch.frames) > self.limit:
            self.dropped = True
            self._batches.clear()
            self._held = 0
            self._ready.set()
            return False
        self._batches.append(batch)
        self._held += len(batch.frames)
        self._ready.set()
        return True

    async def take(self, timeout: float) -> list[Batch] | None:
        """Every queued batch, waiting up to ``timeout`` for one ([] when none came); None once
        the subscriber was dropped."""
        if not self._batches and not self.dropped:
            try:
                async with asyncio.timeout(timeout):
                    await self._ready.wait()
            except TimeoutError:
                pass
        if self.dropped:
            return None
        batches = list(self._batches)
        self._batches.clear()
        self._held = 0
        self._ready.clear()
        return batches


class EventHub:
    """Reads each new hall event once and fans it out to every subscribed stream."""

    def __init__(self, feed: EventFeed, *, queue_events: int = QUEUE_EVENTS, poll_s: float = POLL_S):
        self.feed = feed
        self.queue_events = queue_events
        self.poll_s = poll_s
        self.dropped = 0
        """Streams dropped so far for not reading."""
        self._subs: set[Subscriber] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._last = 0  # the newest event handed to the subscribers
        self._pending = False  # a pump is scheduled on the loop
        self._poller: asyncio.Task | None = None
        feed.add_listener(self._wake)

    @property
    def subscribers(self) -> int:
        """How many streams are subscribed now."""
        return len(self._subs)

    async def stream(self, seq: int, heartbeat_s: float) -> AsyncIterator[bytes]:
        """The SSE body of one stream: the events after ``seq``, then live ones as they come, a
        comment after each ``heartbeat_s`` of silence (so proxies and the client's read timeout
        keep an idle stream open). Ends when the subscriber is dropped."""
        try:
            sub = self._subscribe()
        except SQLAlchemyError as exc:
            log.warning("an event stream could not read the newest event: %s", type(exc).__name__)
            return
        try:
            yield f": connected at {seq}\n\n".encode()
            sent = seq
            try:
                async for chunk, upto in self._replay(seq):
                    sent = upto
                    yield chunk
            except SQLAlchemyError as exc:
                # The stream ends; the client reconnects and replays from where it got to.
                log.warning("an event stream could not read the stored events: %s", type(exc).__name__)
                return
            while (batches := await sub.take(heartbeat_s)) is not None:
                if not batches:
                    yield b": keep-alive\n\n"
                    continue
                chunk = b"".join(batch.after(sent) for batch in batches)
                sent = max(sent, batches[-1].last)
                if chunk:
                    yield chunk
        finally:
            self._subs.discard(sub)

    async def _replay(self, seq: int) -> AsyncIterator[tuple[bytes, int]]:
        """The stored events after ``seq`` page by page, with the last sequence number sent."""
        while True:
            frames = self.feed.frames_after(seq, PAGE)
            if not frames:
                return
            seq = frames[-1][0]
            yield b"".join(frame for _, frame in frames), seq
            if len(frames) < PAGE:
                return

    def _subscribe(self) -> Subscriber:
        """A new subscriber, registered before its stream replays anything."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new server loop (the server was restarted in this process): the old loop's
            # streams went with it.
            self._subs, self._loop, self._loop_thread = set(), loop, threading.get_ident()
            self._pending, self._poller = False, None
        if not self._subs:
            # Nobody listened, so nothing was pumped: start at the newest event. Anything
            # committed before this read is replayed by the stream itself.
            self._last = self.feed.last_seq()
        sub = Subscriber(self.queue_events)
        self._subs.add(sub)
        if self._poller is None or self._poller.done():
            self._poller = loop.create_task(self._poll())
        return sub

    def _wake(self) -> None:
        """The feed's listener: events were committed (called on the writer's thread)."""
        loop = self._loop
        if loop is None or not self._subs or self._pending:
            return
        self._pending = True
        try:
            if threading.get_ident() == self._loop_thread:
                loop.call_soon(self._pump)
            else:
                loop.call_soon_threadsafe(self._pump)
        except RuntimeError:  # the loop is closed: the server has stopped
            self._pending = False

    async def _poll(self) -> None:
        """Events committed by another process reach no ``notify`` here: look every poll_s."""
        while self._subs:
            await asyncio.sleep(self.poll_s)
            self._pump()

    def _pump(self) -> None:
        """Read the events after the last one handed out and offer them to every subscriber."""
        self._pending = False  # before reading: a commit after this read schedules another pump
        while self._subs:
            try:
                frames = self.feed.frames_after(self._last, PAGE)
            except SQLAlchemyError as exc:  # the next commit or the poll tries again
                log.warning("the event hub could not read new events: %s", type(exc).__name__)
                return
            if not frames:
                return
            self._last = frames[-1][0]
            batch = Batch.of(frames)
            for sub in tuple(self._subs):
                if not sub.offer(batch):
                    self._subs.discard(sub)
                    self.dropped += 1
                    log.warning("an event stream stopped reading (%d events unsent): dropped; the client "
                                "resumes with Last-Event-ID", sub.limit)
            if len(frames) < PAGE:
                return
