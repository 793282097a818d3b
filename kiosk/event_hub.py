"""One broadcast of the hall's events to every event stream of the hall server (DESIGN.md §5).

A hall has 60 and more streams open (boards, window screens, counters, LED sign hosts). Giving
each its own thread that polls the database made every other request queue behind them. Here
the writer's ``EventFeed.notify`` wakes the hub (from whatever thread committed), the hub reads
the new events ONCE on the server's event loop and hands the same encoded frames to every
subscriber's bounded queue; each stream is a coroutine waiting on its queue. One timer, only
while someone listens, picks up events written by another process sharing the database and
sends the heartbeats of silent streams.

On PostgreSQL, while anyone listens, the hub also keeps one LISTEN connection
(kiosk.event_listen): another server process's commit wakes it at once, as this process's own
do, and the timer's read of the table becomes a slow safety net (``SAFETY_POLL_S``).

A stream starts by subscribing, then replays the stored events after its resume point, then
sends the live ones it has not replayed: no gap, no duplicate. A subscriber that stops reading
(its socket's buffers full, so its coroutine waits in ``send``) lets its queue fill; when full it
is dropped: its queue is freed at once and its stream ends, so the client reconnects with
Last-Event-ID and replays what it missed.

Each write to a stream costs the server 30-50 µs on loopback (measured: a fan-out to 500
streams takes 16-25 ms), so a hall of 500 streams pays that for every fan-out. Calls (and help requests and service changes) go out
at once; ticket and waiting-count events, which come with every ticket issued, wait to go out
together, longer the more streams there are (``GAP_PER_STREAM_S``): at 700 tickets/s and 500
streams, 2 fan-outs a second instead of about 150.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import threading
from collections import deque
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response

from kiosk.events import EventFeed

log = logging.getLogger(__name__)

QUEUE_EVENTS = 1000
"""A subscriber holding this many unsent events is dropped: over half a second of a busy hall's
peak. The frames are shared by every subscriber; a queue only holds references to them."""
POLL_S = 1.0
"""How often the hub looks for events committed by another process, while anyone listens."""
SAFETY_POLL_S = 10.0
"""The same while a PostgreSQL LISTEN is in place: only for a notification that went astray."""
GAP_PER_STREAM_S = 0.001
"""Ticket and waiting-count events go out together at most every 1 ms per open stream (60
streams: 60 ms; 500: half a second, the longest). A write costs the server 30-50 µs, so this
keeps their fan-out to about 5 % of a core however large the hall."""
MAX_GAP_S = 0.5
URGENT = frozenset({"call", "device", "catalog", "clerk", "devstate"})
"""Event types sent the moment they are committed: what a citizen watching the board waits for,
and a device's change of state (rare by design: one per change, none per heartbeat)."""
PAGE = 500
"""Events read per query, live and when replaying."""

Frame = tuple[int, str, bytes]  # (seq, type, SSE frame)


@dataclass(frozen=True, slots=True)
class Batch:
    """Events handed out together, encoded once for every subscriber."""

    first: int
    last: int
    frames: tuple[Frame, ...]
    data: bytes

    @classmethod
    def of(cls, frames: list[Frame]) -> Batch:
        """The batch of ``frames``, oldest first."""
        return cls(frames[0][0], frames[-1][0], tuple(frames), b"".join(f for _, _, f in frames))

    def after(self, seq: int) -> bytes:
        """The frames of events above ``seq`` (a stream that replayed up to ``seq``)."""
        if self.first > seq:
            return self.data
        return b"".join(frame for s, _, frame in self.frames if s > seq)


class Subscriber:
    """One stream's bounded queue of batches, filled on the event loop by the hub."""

    def __init__(self, limit: int, now: float):
        self.limit = limit
        self.ended = False  # dropped by the hub, or the client went away
        self.active = now  # when the stream last sent something (loop time)
        self._ping = False
        self._batches: deque[Batch] = deque()
        self._held = 0  # events queued
        self._ready = asyncio.Event()

    def offer(self, batch: Batch) -> bool:
        """Queue ``batch``; False (and the subscriber ended, its queue freed) when full. A stream
        that has taken everything so far is keeping up: it gets a batch of any size."""
        if self.ended:
            return False
        if self._held and self._held + len(batch.frames) > self.limit:
            self.end()
            return False
        self._batches.append(batch)
        self._held += len(batch.frames)
        self._ready.set()
        return True

    def ping(self) -> None:
        """Ask the stream for a heartbeat."""
        self._ping = True
        self._ready.set()

    def end(self) -> None:
        """End the stream: nothing more is queued or sent."""
        self.ended = True
        self._batches.clear()
        self._held = 0
        self._ready.set()

    async def take(self) -> list[Batch] | None:
        """Every queued batch once there is one ([] for a heartbeat); None once ended."""
        await self._ready.wait()
        if self.ended:
            return None
        batches = list(self._batches)
        self._batches.clear()
        self._held = 0
        self._ping = False
        self._ready.clear()
        return batches


class EventHub:
    """Reads each new hall event once and fans it out to every subscribed stream."""

    def __init__(self, feed: EventFeed, *, heartbeat_s: float = 15.0, queue_events: int = QUEUE_EVENTS,
                 poll_s: float = POLL_S, gap_per_stream_s: float = GAP_PER_STREAM_S,
                 safety_poll_s: float = SAFETY_POLL_S):
        self.feed = feed
        self.heartbeat_s = heartbeat_s
        self.queue_events = queue_events
        self.poll_s = poll_s
        self.safety_poll_s = safety_poll_s
        self.listener = None
        """The PostgreSQL LISTEN of the current subscribers (kiosk.event_listen), or None."""
        self.gap_per_stream_s = gap_per_stream_s
        self.dropped = 0
        """Streams dropped so far for not reading."""
        self._subs: set[Subscriber] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._last = 0  # the newest event read
        self._unsent: list[Frame] = []  # read, waiting for the next fan-out
        self._sent_at = 0.0  # loop time of the last fan-out
        self._fanout_timer: asyncio.TimerHandle | None = None
        self._pending = False  # a pump is scheduled on the loop
        self._timer: asyncio.Task | None = None
        feed.add_listener(self._wake)

    @property
    def subscribers(self) -> int:
        """How many streams are subscribed now."""
        return len(self._subs)

    def response(self, seq: int) -> EventStream:
        """The HTTP response streaming the events after ``seq``."""
        return EventStream(self, seq)

    async def serve(self, seq: int, receive, send) -> None:  # noqa: ANN001 - ASGI callables
        """Send the events after ``seq``, then live ones as they come, and a comment after each
        ``heartbeat_s`` of silence (so proxies and the client's read timeout keep an idle stream
        open). Ends when the client goes away or the subscriber is dropped."""
        try:
            sub = self._subscribe()
        except SQLAlchemyError as exc:
            log.warning("an event stream could not read the newest event: %s", type(exc).__name__)
            return await _finish(send)
        watcher = asyncio.get_running_loop().create_task(_watch_disconnect(receive, sub))
        try:
            try:
                # A resume point past the newest event comes from another database (one restored
                # from a backup): resuming there would skip every event up to it.
                seq = min(seq, self.feed.last_seq())
            except SQLAlchemyError as exc:
                log.warning("an event stream could not read the newest event: %s", type(exc).__name__)
                return await _finish(send)
            await _chunk(send, f": connected at {seq}\n\n".encode())
            sent = await self._replay(seq, sub, send)
            while sent is not None and (batches := await sub.take()) is not None:
                chunk = b"".join(batch.after(sent) for batch in batches) if batches else b": keep-alive\n\n"
                sent = max(sent, batches[-1].last) if batches else sent
                if chunk:
                    await _chunk(send, chunk)
                    sub.active = self._loop.time()
            await _finish(send)  # returns at once when the client has gone
        finally:
            watcher.cancel()
            self._subs.discard(sub)
            if not self._subs:
                self._stop_listening()
                release_freed_memory()

    async def _replay(self, seq: int, sub: Subscriber, send) -> int | None:  # noqa: ANN001
        """Send the stored events after ``seq``; the last one sent, None if the stream ended."""
        while not sub.ended:
            try:
                frames = self.feed.frames_after(seq, PAGE)
            except SQLAlchemyError as exc:  # the client reconnects and replays from where it got to
                log.warning("an event stream could not read the stored events: %s", type(exc).__name__)
                return None
            if frames:
                seq = frames[-1][0]
                await _chunk(send, b"".join(frame for _, _, frame in frames))
            if len(frames) < PAGE:
                return seq
            # A send returns without waiting while the socket takes it: let the other streams
            # and requests run between pages of a long replay.
            await asyncio.sleep(0)
        return None

    def _subscribe(self) -> Subscriber:
        """A new subscriber, registered before its stream replays anything."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A new server loop (the server was restarted in this process): the old loop's
            # streams went with it.
            self._subs, self._loop, self._loop_thread = set(), loop, threading.get_ident()
            self._pending, self._timer, self._fanout_timer, self._unsent = False, None, None, []
        if not self._subs:
            # Nobody listened, so nothing was read: start at the newest event. Anything
            # committed before this read is replayed by the stream itself.
            self._last = self.feed.last_seq()
            self._unsent = []
        self._listen()
        sub = Subscriber(self.queue_events, loop.time())
        self._subs.add(sub)
        if self._timer is None or self._timer.done():
            self._timer = loop.create_task(self._tick())
        return sub

    def _listen(self) -> None:
        """On PostgreSQL, start hearing other processes' commits (if not already)."""
        if self.feed.store.kind != "postgresql" or (self.listener is not None and self.listener.alive):
            return
        from kiosk.event_listen import EventListener  # here: psycopg only where PostgreSQL is used

        self.listener = EventListener(self.feed.store, self._heard, self._wake).start()

    def _stop_listening(self) -> None:
        """Nobody listens any more: close the LISTEN connection (its thread ends by itself)."""
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def _heard(self, seq: int) -> None:
        """A notification of events up to ``seq`` (on the listening thread): wake the hub unless
        it has read them already (this process's own commits, which woke it directly)."""
        if seq == 0 or seq > self._last:
            self._wake()

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

    async def _tick(self) -> None:
        """While anyone listens: read what another process committed (no ``notify`` reaches
        this one; on PostgreSQL only as a safety net while the LISTEN is in place) and ask
        silent streams for a heartbeat."""
        period = min(self.poll_s, self.heartbeat_s / 2)
        since_poll = 0.0
        while self._subs:
            await asyncio.sleep(period)
            since_poll += period
            listening = self.listener is not None and self.listener.connected
            if since_poll >= (self.safety_poll_s if listening else self.poll_s):
                since_poll = 0.0
                self._pump()
            quiet_since = self._loop.time() - self.heartbeat_s
            for sub in self._subs:
                if sub.active <= quiet_since:
                    sub.ping()
                    sub.active = self._loop.time()

    def _pump(self) -> None:
        """Read the events after the last one read; send them now if one is urgent or the gap
        since the last fan-out has passed, else once it has."""
        self._pending = False  # before reading: a commit after this read schedules another pump
        urgent = False
        while self._subs:
            try:
                frames = self.feed.frames_after(self._last, PAGE)
            except SQLAlchemyError as exc:  # the next commit or the timer tries again
                log.warning("the event hub could not read new events: %s", type(exc).__name__)
                break
            if frames:
                self._last = frames[-1][0]
                self._unsent.extend(frames)
                urgent = urgent or any(kind in URGENT for _, kind, _ in frames)
            if len(frames) < PAGE:
                break
        if not self._unsent:
            return
        gap = min(MAX_GAP_S, self.gap_per_stream_s * len(self._subs))
        wait = self._sent_at + gap - self._loop.time()
        if urgent or wait <= 0:
            self._fanout()
        elif self._fanout_timer is None:
            self._fanout_timer = self._loop.call_later(wait, self._fanout)

    def _fanout(self) -> None:
        """Offer the unsent events to every subscriber, as one batch."""
        if self._fanout_timer is not None:
            self._fanout_timer.cancel()
            self._fanout_timer = None
        frames, self._unsent = self._unsent, []
        self._sent_at = self._loop.time()
        if not frames:
            return
        batch = Batch.of(frames)
        for sub in tuple(self._subs):
            if not sub.offer(batch):
                self._subs.discard(sub)
                self.dropped += 1
                log.warning("an event stream stopped reading (%d events unsent): dropped; the client "
                            "resumes with Last-Event-ID", sub.limit)


class EventStream(Response):
    """``text/event-stream`` over the hub: one coroutine per stream, one write per fan-out (a
    plain ASGI response: StreamingResponse's generator and task group cost more per write)."""

    media_type = "text/event-stream"

    def __init__(self, hub: EventHub, seq: int):
        self.hub, self.seq = hub, seq
        self.status_code = 200
        self.background = None
        self.init_headers({"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await self.hub.serve(self.seq, receive, send)


async def _chunk(send, data: bytes) -> None:  # noqa: ANN001
    await send({"type": "http.response.body", "body": data, "more_body": True})


async def _finish(send) -> None:  # noqa: ANN001
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _watch_disconnect(receive, sub: Subscriber) -> None:  # noqa: ANN001
    """End ``sub`` when the client hangs up (the stream itself only writes)."""
    while (await receive())["type"] != "http.disconnect":
        pass
    sub.end()


def release_freed_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    The streams of a hall's screens come and go together (a network blip, the morning start):
    without this the memory of 500 streams stays with the process after they leave, free but
    held, and a server running for months shows its busiest hour's size forever."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc: nothing to do
            _malloc_trim = False
    if _malloc_trim:
        gc.collect()  # the streams' reference cycles (tasks, futures) first
        _malloc_trim(0)


_malloc_trim = None
