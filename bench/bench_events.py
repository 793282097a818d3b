"""Hall events at hall scale (DESIGN.md §5 Events, §8).

A real ``kiosk serve`` process on loopback, 500 idle event-stream subscribers in a process of
their own (a hall's boards and counters are other machines; here they share the 2 cores):

- ticket issue throughput with 16 clients, without and with the 500 subscribers (target: with
  them, at least 80 % of without);
- call-next → the call event received by the 500th subscriber, p99 (target ≤ 50 ms);
- the server's RSS before, with and after the subscribers, and after a second wave of 500 came
  and went (the first wave's memory stays with the process; a second must not add to it).

``python -m bench.bench_events subscribers URL N`` is the subscribers' process: it prints
``ready`` once every stream is open, then ``SEQ FIRST LAST`` (CLOCK_MONOTONIC seconds) for each
call event once all N streams have it.
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench import Figure
from bench.bench_engine import SERVICES, ServerProcess, _free_port, percentile

SUBSCRIBERS = 500
CLIENTS = 16
ISSUED = ["GC02", "AP01", "AP02", "TX01"]
"""The issuing clients' services; the calls are GC01's. The server numbers at most 899 tickets a
service a day (the sample hall keeps 900–999 for the kiosks' offline ranges)."""
CALL = re.compile(rb'event: call\ndata: \{"seq": (\d+)')


def _raise_open_files(need: int) -> None:
    """500 streams are 500 sockets on each side: more than the usual soft limit of 1024 allows
    with everything else a process opens."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need if hard == resource.RLIM_INFINITY else min(need, hard), hard))


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# ----- the subscribers' process ------------------------------------------------------------


class _Subscriber(asyncio.Protocol):
    """One stream, as cheap as a client can be: the bytes come straight from the loop."""

    def __init__(self, tally: _Tally):
        self.tally = tally
        self.tail = b""
        self.counted = False

    def connection_made(self, transport: asyncio.Transport) -> None:
        transport.write(b"GET /api/v1/events HTTP/1.1\r\nHost: hall\r\nAuthorization: Bearer dev-display\r\n\r\n")

    def data_received(self, data: bytes) -> None:
        if not self.counted and b": connected" in data:
            self.counted = True
            self.tally.opened()
        if b"event: call" not in data and not self.tail:
            return
        tail = self.tail + data
        cut = tail.rfind(b"\n\n") + 1
        for match in CALL.finditer(tail, 0, cut):
            self.tally.call(int(match.group(1)))
        self.tail = tail[cut:] if b"event: call" in tail[cut:] else b""


class _Tally:
    """What the streams of the subscribers' process received, printed for the benchmark."""

    def __init__(self, n: int):
        self.n = n
        self.open = 0
        self.seen: dict[int, list] = {}  # call seq → [first arrival, streams that have it]

    def opened(self) -> None:
        self.open += 1
        if self.open == self.n:
            print("ready", flush=True)

    def call(self, seq: int) -> None:
        now = time.monotonic()
        times = self.seen.setdefault(seq, [now, 0])
        times[1] += 1
        if times[1] == self.n:
            print(f"{seq} {times[0]:.6f} {now:.6f}", flush=True)
            del self.seen[seq]


async def _subscribers(url: str, n: int) -> None:
    host, port = url.removeprefix("http://").split(":")
    loop = asyncio.get_running_loop()
    tally = _Tally(n)
    for i in range(n):
        await loop.create_connection(lambda: _Subscriber(tally), host, int(port))
        if i % 50 == 49:  # in small groups: a burst of 500 connects may overflow the listen backlog
            await asyncio.sleep(0.05)
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes it


def subscribers_main(url: str, n: int) -> None:
    """The subscribers' process (see the module's docstring)."""
    _raise_open_files(n + 100)
    try:
        import uvloop

        uvloop.run(_subscribers(url, n))
    except ImportError:
        asyncio.run(_subscribers(url, n))


class Subscribers:
    """The subscribers' process, seen from the benchmark."""

    def __init__(self, url: str, n: int):
        self.calls: dict[int, tuple[float, float]] = {}  # call seq → (first, last) received at
        self._ready = threading.Event()
        self._arrived = threading.Condition()
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.bench_events", "subscribers", url, str(n)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(60):
            self.stop()
            raise RuntimeError("the subscribers did not all connect within 60 s")

    def _read(self) -> None:
        for line in self.proc.stdout:
            if line.strip() == "ready":
                self._ready.set()
                continue
            seq, first, last = line.split()
            with self._arrived:
                self.calls[int(seq)] = (float(first), float(last))
                self._arrived.notify_all()

    def wait_call(self, seq: int, timeout: float = 5.0) -> tuple[float, float] | None:
        """(first, last) subscriber's arrival time of call ``seq``; None if not all got it."""
        with self._arrived:
            self._arrived.wait_for(lambda: seq in self.calls, timeout)
            return self.calls.get(seq)

    def stop(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


# ----- the benchmark -----------------------------------------------------------------------


def _issue_rate(url: str, per_client: int, tag: str) -> float:
    def client(c: int) -> int:
        session = requests.Session()
        session.headers["Authorization"] = "Bearer dev-kiosk"
        for i in range(per_client):
            r = session.post(f"{url}/api/v1/tickets", json={"service": ISSUED[(c + i) % len(ISSUED)]},
                             headers={"Idempotency-Key": f"{tag}-{c}-{i}"}, timeout=30)
            if r.status_code != 201:
                raise RuntimeError(f"issue refused: {r.status_code} {r.text}")
        return per_client

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        done = sum(pool.map(client, range(CLIENTS)))
    return done / (time.perf_counter() - start)


def _call_latencies(url: str, subs: Subscribers, n: int) -> tuple[list[float], list[float], int]:
    """(first, last subscriber) latencies in ms of ``n`` call-nexts, and how many reached all."""
    session = requests.Session()
    firsts, lasts = [], []
    for i in range(n):
        session.post(f"{url}/api/v1/tickets", json={"service": "GC01"},
                     headers={"Authorization": "Bearer dev-kiosk", "Idempotency-Key": f"call-{i}"},
                     timeout=10).raise_for_status()
        start = time.monotonic()
        call = session.post(f"{url}/api/v1/windows/18/call-next", headers={"Authorization": "Bearer dev-counter"},
                            timeout=10).json()
        arrived = subs.wait_call(call["seq"])
        if arrived is not None:
            firsts.append((arrived[0] - start) * 1000)
            lasts.append((arrived[1] - start) * 1000)
        time.sleep(0.02)
    return firsts, lasts, len(lasts)


def _subscriber_count(url: str) -> int:
    return requests.get(f"{url}/api/v1/health", timeout=10).json().get("subscribers", -1)


def _wait_count(url: str, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while _subscriber_count(url) != n and time.monotonic() < deadline:
        time.sleep(0.1)


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) ``pid`` has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _phase(server: ServerProcess, per_client: int, tag: str) -> tuple[float, float]:
    """Issue throughput (tickets/s) and the server's CPU per ticket (ms). The CPU figure holds
    when other work on the machine shakes the throughput."""
    before = _cpu_s(server.proc.pid)
    rate = _issue_rate(server.url, per_client, tag)
    return rate, (_cpu_s(server.proc.pid) - before) * 1000 / (per_client * CLIENTS)


def _measure(server: ServerProcess, per_client: int, calls: int) -> dict:
    """Every phase on one server: without, with (twice, the calls between), without again,
    then a second wave of subscribers that only come and go."""
    got = {"rss_cold": _rss_mb(server.proc.pid), "without": [_phase(server, per_client, "a1")]}
    # The baseline once the server is warm: the first issuing fills SQLite's page caches and
    # the pools, which no subscriber's leaving can give back.
    got["rss_start"] = _rss_mb(server.proc.pid)
    subs = Subscribers(server.url, SUBSCRIBERS)
    try:
        _wait_count(server.url, SUBSCRIBERS)
        got["counted"] = _subscriber_count(server.url)
        got["with"] = [_phase(server, per_client, "b1")]
        got["firsts"], got["lasts"], got["delivered"] = _call_latencies(server.url, subs, calls)
        got["with"].append(_phase(server, per_client, "b2"))
        got["rss_with"] = _rss_mb(server.proc.pid)
    finally:
        subs.stop()
    _wait_count(server.url, 0)
    got["left"] = _subscriber_count(server.url)
    time.sleep(1)
    got["rss_after"] = _rss_mb(server.proc.pid)
    got["without"].append(_phase(server, per_client, "a2"))
    Subscribers(server.url, SUBSCRIBERS).stop()  # a second wave: is the memory reused?
    _wait_count(server.url, 0)
    time.sleep(1)
    got["rss_second"] = _rss_mb(server.proc.pid)
    return got


def run(quick: bool = False) -> list[Figure]:
    """Issue throughput without and with 500 subscribers, call → 500th subscriber, server RSS."""
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    _raise_open_files(SUBSCRIBERS + 200)
    per_client, calls = (20, 40) if quick else (50, 200)  # 4 x 16 x 50 tickets: within 4 x 899
    with tempfile.TemporaryDirectory() as data:
        # A hall's 500 screens are 500 machines; here they share one address, past the
        # server's default cap of 64 connections per address.
        server = ServerProcess(data, _free_port(), options=("--max-per-address", "1024"))
        try:
            for code in SERVICES:
                requests.post(f"{server.url}/api/v1/services/{code}", json={"quota": 100000},
                              headers={"Authorization": "Bearer dev-guide"}, timeout=5).raise_for_status()
            _issue_rate(server.url, 5, "warm")
            got = _measure(server, per_client, calls)
        finally:
            server.stop()
    return _figures(got, calls)


def _figures(got: dict, calls: int) -> list[Figure]:
    without, with_subs = max(r for r, _ in got["without"]), max(r for r, _ in got["with"])
    cpu_without, cpu_with = min(c for _, c in got["without"]), min(c for _, c in got["with"])
    share = with_subs / without * 100
    lasts, firsts = got["lasts"], got["firsts"]
    p99 = percentile(lasts, 99) if lasts else float("inf")
    grown = got["rss_after"] - got["rss_start"]
    n = SUBSCRIBERS
    return [
        Figure(f"events: subscribers counted by /health (of {n})", got["counted"], "streams"),
        Figure(f"events: issue, {CLIENTS} clients, no subscribers, best of 2", without, "tickets/s"),
        Figure(f"events: issue, {CLIENTS} clients, {n} subscribers, best of 2", with_subs, "tickets/s"),
        Figure(f"events: throughput with {n} subscribers / without", share, "%", "≥ 80", share >= 80),
        Figure("events: server CPU per ticket, no subscribers", cpu_without, "ms"),
        Figure(f"events: server CPU per ticket, {n} subscribers", cpu_with, "ms"),
        Figure(f"events: call-next -> {n}th subscriber p99", p99, "ms", "≤ 50", p99 <= 50),
        Figure(f"events: call-next -> {n}th subscriber p50", percentile(lasts, 50) if lasts else 0, "ms"),
        Figure("events: call-next -> first subscriber p50", percentile(firsts, 50) if firsts else 0, "ms"),
        Figure(f"events: calls that reached all {n}", got["delivered"], f"of {calls}", f"{calls}",
               got["delivered"] == calls),
        Figure("events: server RSS at start (cold)", got["rss_cold"], "MB"),
        Figure("events: server RSS before subscribers (warm)", got["rss_start"], "MB"),
        Figure(f"events: server RSS with {n} subscribers", got["rss_with"], "MB"),
        Figure("events: server RSS after they left", got["rss_after"], "MB"),
        Figure("events: RSS after minus before", grown, "MB", "≤ 5", grown <= 5),
        Figure(f"events: server RSS after a second wave of {n}", got["rss_second"], "MB",
               "≤ after the first + 1", got["rss_second"] <= got["rss_after"] + 1),
        Figure("events: subscribers left counted by /health", got["left"], "streams", "0", got["left"] == 0),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["subscribers"]:
        subscribers_main(sys.argv[2], int(sys.argv[3]))
