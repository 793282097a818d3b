"""A light HTTP/1.1 load generator for the server benchmarks.

Each client is a coroutine on one keep-alive connection sending a request and reading its
answer, all on one event loop in one thread. ``requests`` in a thread per client costs about
half a millisecond of CPU per request on the client side: on this two-core machine the clients
then take the core the server needs, and the figures measure the client as much as the server.
A raw socket client costs a tenth of that, so the server's figures are the server's.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

Request = tuple[str, str, dict[str, str], object]
"""method, path, extra headers, JSON body (None: no body)."""


class LoadError(Exception):
    """A request of the load failed (a status ≥ 400, a closed connection, a timeout)."""


def new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop when installed (as the server uses), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def encode(host: str, method: str, path: str, headers: dict[str, str], body: object) -> bytes:
    """One HTTP/1.1 request as bytes, kept alive."""
    payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(payload)}"]
    if body is not None:
        lines.append("Content-Type: application/json")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length) if length else b""


async def _client(url: str, requests: Iterable[Request], timeout: float, out: list[float]) -> None:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        for method, path, headers, body in requests:
            data = encode(parts.netloc, method, path, headers, body)
            start = time.perf_counter()
            writer.write(data)
            status, answer = await asyncio.wait_for(_answer(reader), timeout)
            if status >= 400:
                raise LoadError(f"{method} {path}: {status} {answer[:200]!r}")
            out.append((time.perf_counter() - start) * 1000)
    finally:
        writer.close()


def run_clients(urls: list[str], clients: int, requests_of: Callable[[int], Iterable[Request]],
                timeout: float = 10, per_client: list[list[float]] | None = None) -> tuple[list[float], float]:
    """``clients`` connections, client c to ``urls[c % len(urls)]`` sending ``requests_of(c)``
    one after the other; every latency in ms and the seconds the whole load took (each
    client's own latencies appended to ``per_client`` when given)."""
    loop = new_loop()
    outs: list[list[float]] = [[] for _ in range(clients)]
    if per_client is not None:
        per_client.extend(outs)

    async def everyone() -> None:
        try:
            async with asyncio.TaskGroup() as group:  # one failure cancels the other clients
                for c in range(clients):
                    group.create_task(_client(urls[c % len(urls)], requests_of(c), timeout, outs[c]))
        except BaseExceptionGroup as failed:
            raise failed.exceptions[0] from None

    start = time.perf_counter()
    try:
        loop.run_until_complete(everyone())
    finally:
        loop.close()
    return [x for out in outs for x in out], time.perf_counter() - start
