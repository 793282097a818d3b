"""The hall server's event streams at hall scale (kiosk.event_hub) against a real uvicorn server
on loopback: many subscribers on raw sockets, resume by Last-Event-ID, a subscriber that never
reads, events written by another engine on the same database file."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import pytest
import requests

from kiosk.engine import HallEngine
from kiosk.models import IssueRequest, ServiceChange
from kiosk.server import add_token, create_app
from kiosk.serving import Limits
from kiosk.store import Store
from tests.conftest import LiveServer

DISPLAY = {"Authorization": "Bearer test-display"}
COUNTER = {"Authorization": "Bearer test-counter"}


def serve(engine: HallEngine, send_buffer: int | None = None) -> LiveServer:
    """The hall server over ``engine`` on loopback. ``send_buffer`` fixes the kernel's send
    buffer of every connection (accepted sockets inherit it from the listening one); else it
    grows up to 4 MB, which a stuck client would have to fill before anything else happens."""
    for role in ("kiosk", "display"):
        add_token(engine.store, f"test-{role}", role, f"{role}-1", 0)
    add_token(engine.store, "test-counter", "counter", "window-18", 0, window=18)
    app = create_app(engine, heartbeat_s=0.5)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if send_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
    sock.bind(("127.0.0.1", 0))
    # A hundred streams come from one address: more than kiosk serve's default per-address cap.
    server = LiveServer(app, sock.getsockname()[1], limits=Limits(per_address=256))
    server.engine, server.hub, server.listener = engine, app.state.event_hub, sock
    return server.start(sockets=[sock])


@pytest.fixture
def engine_fast(hall_config, clock, tmp_path):
    """An engine with sync=normal: these tests write many events; durability is not what they check."""
    engine = HallEngine(hall_config, Store(tmp_path / "hall.db", "normal"), clock)
    engine.change_service("GC01", ServiceChange(quota=100000))
    return engine


@pytest.fixture
def hall(engine_fast):
    """The hall server on loopback."""
    server = serve(engine_fast)
    yield server
    server.stop()
    server.listener.close()


@pytest.fixture
def tight_hall(engine_fast):
    """The hall server with 8 KB send buffers: a client that stops reading blocks it soon."""
    server = serve(engine_fast, send_buffer=8192)
    yield server
    server.stop()
    server.listener.close()


class Stream:
    """One SSE subscriber on a raw socket: reads the chunked body and splits it into events."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self._body = b""
        self.comments: list[str] = []

    async def event(self) -> tuple[int, str, dict] | None:
        """The next event (seq, type, data); None when the server ended the stream."""
        while b"\n\n" not in self._body:
            size = int((await self.reader.readline()).strip() or b"0", 16)
            if size == 0:
                return None
            self._body += (await self.reader.readexactly(size + 2))[:-2]
        frame, self._body = self._body.split(b"\n\n", 1)
        fields: dict[str, str] = {}
        for line in frame.decode().split("\n"):
            if line.startswith(":"):
                self.comments.append(line)
            else:
                name, _, value = line.partition(": ")
                fields[name] = value
        if "id" not in fields:
            return await self.event()  # a comment: connected, keep-alive
        return int(fields["id"]), fields["event"], json.loads(fields["data"])

    async def events_until(self, predicate, timeout: float = 10) -> list[tuple[int, str, dict]]:
        """Events up to and including the first that ``predicate`` accepts."""
        got = []
        async with asyncio.timeout(timeout):
            while (event := await self.event()) is not None:
                got.append(event)
                if predicate(event):
                    break
        return got

    def close(self) -> None:
        self.writer.close()


def request_stream(port: int, headers: dict | None = None, rcvbuf: int | None = None,
                   query: str = "") -> socket.socket:
    """A blocking socket that has sent GET /api/v1/events and reads nothing yet."""
    sock = socket.socket()
    if rcvbuf:  # a small receive buffer: a client that stops reading blocks the server sooner
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    lines = [f"{k}: {v}" for k, v in {**DISPLAY, **(headers or {})}.items()]
    sock.sendall((f"GET /api/v1/events{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{x}\r\n" for x in lines)
                  + "\r\n").encode())
    return sock


async def read_stream(sock: socket.socket) -> Stream:
    """Start reading the response on ``sock``: returns once its headers are read."""
    sock.setblocking(False)
    reader, writer = await asyncio.open_connection(sock=sock, limit=1 << 20)
    status = await reader.readline()
    assert b" 200 " in status, status
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    return Stream(reader, writer)


async def open_stream(port: int, headers: dict | None = None) -> Stream:
    """GET /api/v1/events on a new connection, read as it comes."""
    return await read_stream(await asyncio.to_thread(request_stream, port, headers))


def subscribers(server) -> int:
    return requests.get(f"{server.url}/api/v1/health", timeout=5).json()["subscribers"]


def wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def issue_and_call(server) -> int:
    """A ticket and a call-next at window 18 over HTTP; returns the call's sequence number."""
    requests.post(f"{server.url}/api/v1/tickets", json={"service": "GC01"},
                  headers={"Authorization": "Bearer test-kiosk", "Idempotency-Key": f"k{time.monotonic_ns()}"},
                  timeout=5).raise_for_status()
    call = requests.post(f"{server.url}/api/v1/windows/18/call-next", headers=COUNTER, timeout=5)
    return call.json()["seq"]


def test_a_hundred_streams_all_get_the_call_without_a_thread_each(hall):
    subscribers(hall)  # the thread pool's first worker and the connection machinery exist already
    threads_before = threading.active_count()

    async def scenario() -> tuple[list[list], int]:
        streams = await asyncio.gather(*(open_stream(hall.port) for _ in range(100)))
        await asyncio.to_thread(wait_for, lambda: subscribers(hall) == 100)
        threads_with = threading.active_count()
        seq = await asyncio.to_thread(issue_and_call, hall)
        got = await asyncio.gather(*(s.events_until(lambda e: e[1] == "call") for s in streams))
        assert all(s.comments[0].startswith(": connected at") for s in streams)
        for s in streams:
            s.close()
        return got, seq, threads_with

    got, seq, threads_with = asyncio.run(scenario())
    # One of the anyio pool's workers may start for the requests above; 100 streams add none.
    assert threads_with - threads_before < 10
    calls = [[e for e in events if e[1] == "call"] for events in got]
    assert all(len(c) == 1 and c[0][2]["seq"] == seq for c in calls)
    assert len({tuple(e[0] for e in events) for events in got}) == 1  # the same events, in order
    wait_for(lambda: subscribers(hall) == 0)


def test_resume_by_last_event_id_gives_exactly_the_missed_events_then_live_ones(hall):
    async def first_visit() -> int:
        stream = await open_stream(hall.port)
        await asyncio.to_thread(issue_and_call, hall)
        seen = await stream.events_until(lambda e: e[1] == "call")
        stream.close()
        return seen[-1][0]

    last = asyncio.run(first_visit())
    for _ in range(3):  # missed while away: 3 tickets and 3 calls
        issue_and_call(hall)
    missed = [e.seq for e in hall.engine.events_after(last)]
    assert len(missed) >= 12

    async def second_visit() -> list:
        stream = await open_stream(hall.port, {"Last-Event-ID": str(last)})
        replayed = await stream.events_until(lambda e: e[0] == missed[-1])
        await asyncio.to_thread(issue_and_call, hall)
        newest = hall.engine.feed.last_seq()
        live = await stream.events_until(lambda e: e[0] == newest)
        stream.close()
        return replayed, live

    replayed, live = asyncio.run(second_visit())
    assert [e[0] for e in replayed] == missed
    assert [e[0] for e in live] == [e.seq for e in hall.engine.events_after(missed[-1])]


def test_joining_while_the_hall_writes_leaves_no_gap_and_no_duplicate(hall):
    """Subscribe, replay, switch to live: events committed during the switch come exactly once."""
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            hall.engine.issue_batch([(IssueRequest(service="GC01"), f"w{n}-{i}") for i in range(3)])
            n += 1
            time.sleep(0.002)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        time.sleep(0.2)

        async def join(after: int) -> list[int]:
            stream = await open_stream(hall.port, {"Last-Event-ID": str(after)})
            got = await stream.events_until(lambda e: e[0] >= after + 300)
            stream.close()
            return [e[0] for e in got]

        async def joins() -> list[list[int]]:
            async with asyncio.timeout(30):
                return await asyncio.gather(*(join(a) for a in (0, 5, 50, 1)))

        runs = asyncio.run(joins())
    finally:
        stop.set()
        writer.join(5)
    for after, seqs in zip((0, 5, 50, 1), runs, strict=True):
        assert seqs == list(range(after + 1, seqs[-1] + 1))


def test_a_stream_that_never_reads_is_dropped_while_the_others_get_every_event(tight_hall):
    hall = tight_hall
    hall.hub.queue_events = 200

    async def scenario() -> tuple[list, socket.socket, int, int]:
        start = hall.engine.feed.last_seq()
        # Not even the asyncio stream's buffer reads this one: a plain socket nobody reads.
        stuck = await asyncio.to_thread(request_stream, hall.port, None, 4096)
        healthy = await open_stream(hall.port)
        await asyncio.to_thread(wait_for, lambda: subscribers(hall) == 2)
        received: list = []

        async def read_all() -> None:
            while (event := await healthy.event()) is not None:
                received.append(event)

        reading = asyncio.create_task(read_all())
        batches = 0
        while hall.hub.dropped == 0:
            assert batches < 80, "the stuck stream was never dropped"  # GC01 numbers up to 899
            await asyncio.to_thread(hall.engine.issue_batch,
                                    [(IssueRequest(service="GC01"), f"d{batches}-{i}") for i in range(10)])
            batches += 1
            await asyncio.sleep(0.01)
        last = hall.engine.feed.last_seq()
        await asyncio.to_thread(wait_for, lambda: received and received[-1][0] == last)
        assert subscribers(hall) == 1  # the healthy one
        reading.cancel()
        healthy.close()
        return received, stuck, start, last

    async def stuck_reads_now(sock: socket.socket) -> list:
        got = []
        stuck = await read_stream(sock)
        async with asyncio.timeout(10):
            while (event := await stuck.event()) is not None:  # what was buffered, then the end
                got.append(event)
        stuck.close()
        return got

    async def both():
        received, stuck, start, last = await scenario()
        return received, await stuck_reads_now(stuck), start, last

    received, prefix, start, last = asyncio.run(both())
    assert [e[0] for e in received] == list(range(start + 1, last + 1))
    assert hall.hub.dropped == 1
    # The stuck client, reading again, finds the stream ended after an unbroken prefix: it
    # resumes from its last event with Last-Event-ID.
    seqs = [e[0] for e in prefix]
    assert seqs == list(range(start + 1, start + 1 + len(seqs))) and seqs[-1] < last
    wait_for(lambda: subscribers(hall) == 0)


def test_events_written_by_another_process_reach_the_streams(hall, hall_config, clock, tmp_path):
    other = HallEngine(hall_config, Store(tmp_path / "hall.db", "normal"), clock)  # no notify reaches the hub

    async def scenario() -> list:
        stream = await open_stream(hall.port)
        await asyncio.to_thread(other.issue, IssueRequest(service="GC01"), "elsewhere")
        got = await stream.events_until(lambda e: e[1] == "ticket", timeout=5)
        stream.close()
        return got

    got = asyncio.run(scenario())
    assert got[-1][2]["number"] == "K001"
    other.store.close()


def test_a_long_replay_by_after_comes_in_pages_without_a_gap(hall):
    for n in range(20):  # 600 tickets, 1,200 events and more: more than two pages of 500
        hall.engine.issue_batch([(IssueRequest(service="GC01"), f"long{n}-{i}") for i in range(30)])
    newest = hall.engine.feed.last_seq()

    async def replay() -> list[int]:
        stream = await read_stream(await asyncio.to_thread(request_stream, hall.port, None, None, "?after=7"))
        got = await stream.events_until(lambda e: e[0] == newest)
        stream.close()
        return [e[0] for e in got]

    assert asyncio.run(replay()) == list(range(8, newest + 1))


def test_a_resume_point_past_the_newest_event_starts_at_the_newest(hall):
    """A display that followed another database (one since restored from a backup) must not
    skip every event up to its old number."""
    issue_and_call(hall)

    async def scenario() -> tuple[list, list]:
        stream = await open_stream(hall.port, {"Last-Event-ID": "999999"})
        seq = await asyncio.to_thread(issue_and_call, hall)
        got = await stream.events_until(lambda e: e[1] == "call" and e[2]["seq"] == seq)
        stream.close()
        return got, stream.comments

    got, comments = asyncio.run(scenario())
    newest_before = got[0][0] - 1
    assert comments[0] == f": connected at {newest_before}"
    assert [e[0] for e in got] == [e.seq for e in hall.engine.events_after(newest_before)][:len(got)]
