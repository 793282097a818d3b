"""The hall server's writer: group commit for ``POST /tickets``, calls first.

Under load, kiosks' requests arrive while the previous ticket is being committed. Committing each
on its own costs one fsync apiece; the batcher gathers the requests that reach the handler within
``window`` seconds (or while the previous transaction is being written) and hands them to
``HallEngine.issue_batch``: one transaction, one fsync, each request in its own savepoint. A
response still goes out only after the commit that holds its ticket, so an acknowledged ticket
is as durable as before. At low load a request waits at most ``window`` (1 ms) longer.

One writer thread writes, one transaction at a time; the event loop goes on reading requests and
sending answers meanwhile. The fsync of a commit (0.3 ms on this VM, 5–20 ms on the SD cards and
cheap SSDs of hall servers, more while other programs write) blocked the whole server when the
batches were written on the loop; in the thread it only holds the next batch, which grows
meanwhile. (An earlier note here said a writer thread halved the throughput. Measured again
side by side, 2026-12-01, ``bench_ceiling`` on this VM shared with other test runs: 209 against
168 tickets/s at 16 clients, 254 against 197 at 64, call → screen p50 52 against 140 ms under
load; the server's CPU per ticket the same.)

Calls first: a clerk's call or window action (``first``) is the writer's next transaction, ahead
of every ticket still waiting for its batch; a batch being written is never interrupted, so a call
waits for that one batch at most, never for the queue behind it. In the thread pool, as before,
a call queued for the GIL behind the loop's batches: call → screen p99 ≈ 700 ms while 16 kiosks
issued. ``hold`` and ``release`` stop and restart the writer (the tests show the order of the
commits with it).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from kiosk.models import IssueRequest, Ticket

T = TypeVar("T")


class IssueBatcher:
    """The hall server's writer: calls and window actions first, then tickets in batches."""

    def __init__(self, engine, *, window: float = 0.001, max_batch: int = 32, thread: bool = True):
        self.engine = engine
        self.window = window
        self.max_batch = max_batch
        self._pending: list[tuple[IssueRequest, str, asyncio.Future]] = []
        self._first: deque[tuple[Callable[[], object], asyncio.Future]] = deque()
        self._timer: asyncio.TimerHandle | None = None  # the window of the oldest waiting ticket
        self._due = False  # the waiting tickets may be written as soon as the writer is free
        self._busy = False  # a transaction is being written
        self._held = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._threaded = thread
        self._closed = False
        self._thread: ThreadPoolExecutor | None = None  # made at the first write, ended by close()
        self.batches = 0  # how many ticket transactions were written, for tests and benchmarks
        self.largest = 0

    async def issue(self, req: IssueRequest, idempotency_key: str) -> Ticket:
        """The ticket for this request, once the batch holding it is committed."""
        loop = self._loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((req, idempotency_key, future))
        if self._timer is None and not self._due and not self._busy:
            self._timer = loop.call_later(self.window, self._window_over, loop)
        return await future

    async def first(self, job: Callable[[], T]) -> T:
        """``job()``'s result: a call or window action (its own transaction), written ahead of
        every ticket waiting for its batch."""
        loop = self._loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._first.append((job, future))
        loop.call_soon(self._next, loop)
        return await future

    @property
    def pending(self) -> int:
        """How many ticket requests wait for their batch."""
        return len(self._pending)

    @property
    def pending_first(self) -> int:
        """How many calls and window actions wait for their turn."""
        return len(self._first)

    def hold(self) -> None:
        """Start no transaction until ``release`` (tickets and calls still queue); from any thread."""
        self._held = True

    def release(self) -> None:
        """Write again, the calls first; from any thread."""
        self._held = False
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._next, self._loop)

    def _window_over(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        self._due = True
        self._next(loop)

    def _next(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the next transaction if the writer is free: a call first, else a due batch."""
        if self._busy or self._held:
            return
        while self._first:
            job, future = self._first.popleft()
            if not future.cancelled():  # else its client hung up before it ran: nothing done
                return self._write(loop, job, lambda outcome, f=future: _settle(f, outcome))
        if self._due and self._pending:
            batch, self._pending = self._pending[:self.max_batch], self._pending[self.max_batch:]
            live = [item for item in batch if not item[2].cancelled()]  # clients that hung up
            if live:
                items = [(req, key) for req, key, _ in live]
                return self._write(loop, lambda: self.engine.issue_batch(items),
                                   lambda outcome: self._deliver(live, outcome))
            return self._next(loop)
        self._due = False

    def _write(self, loop: asyncio.AbstractEventLoop, work: Callable[[], object],
               deliver: Callable[[object], None]) -> None:
        self._busy = True
        if not self._threaded or self._closed:  # stopping: the last requests written on the loop
            deliver(_outcome(work))
            self._written(loop)
            return
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="hall-writer")
        loop.run_in_executor(self._thread, _outcome, work).add_done_callback(
            lambda done: self._finish(loop, done, deliver))

    def _finish(self, loop: asyncio.AbstractEventLoop, done: asyncio.Future,
                deliver: Callable[[object], None]) -> None:
        """Back on the loop: answer the transaction's requests; the writer is free again
        whatever happens (a writer left busy would never write again)."""
        try:
            outcome = done.result()
        except BaseException as exc:  # noqa: BLE001 - the work never ran (the thread was ended)
            outcome = exc
        try:
            deliver(outcome)
        finally:
            self._written(loop)

    def open(self) -> None:
        """Write in the writer thread (the server starts; again after ``close``)."""
        self._closed = False

    def close(self) -> None:
        """End the writer thread once its transaction is written (the server stops); what
        still comes is written on the loop until ``open``."""
        self._closed = True
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.shutdown(wait=True)

    def _written(self, loop: asyncio.AbstractEventLoop) -> None:
        self._busy = False
        self._due = bool(self._pending)  # they waited for this transaction: no further window
        loop.call_soon(self._next, loop)

    def _deliver(self, live: list[tuple[IssueRequest, str, asyncio.Future]], outcome: object) -> None:
        results = [outcome] * len(live) if isinstance(outcome, BaseException) else outcome
        self.batches += 1
        self.largest = max(self.largest, len(live))
        for (_req, _key, future), result in zip(live, results, strict=True):
            _settle(future, result)  # a cancelled one was committed all the same: a retry gets it


def _outcome(work: Callable[[], object]) -> object:
    """``work()``'s result, or the exception it raised (never lost in the writer thread)."""
    try:
        return work()
    except Exception as exc:  # noqa: BLE001 - handed to the request that waits for it
        return exc


def _settle(future: asyncio.Future, outcome: object) -> None:
    if future.cancelled():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
