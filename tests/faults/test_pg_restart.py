"""PostgreSQL restarted (``pg_ctl stop -m fast``, then start) in the middle of a burst of 16
clients issuing across two hall server processes on it (issue 16). The servers recover by
themselves; the clients retry refused or unanswered tickets under the same Idempotency-Key,
alternating servers: 0 lost, 0 duplicated, numbers unique and gap-free. A stream on one
process rides through it: every event once, in order; and the process's LISTEN connection is
back (another process's events arrive at once again, not at the 10 s safety poll)."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from kiosk.client import HallClient
from tests.pg_serve import GUIDE, KIOSK, ServeProcess, StreamReader, drop, pg_url, stored_event_seqs

CLIENTS, PER_CLIENT = 16, 15


def restart_fast(cluster) -> None:  # noqa: ANN001 - tests.pg.Cluster
    """``pg_ctl stop -m fast`` (sessions are ended, open transactions rolled back), then start
    again on the same port and socket."""
    cluster._run("pg_ctl", "-D", str(cluster.data), "-m", "fast", "-w", "-t", "60", "stop")
    cluster.resume()


def client(c: int, servers: list[str], issued: threading.Semaphore) -> tuple[dict[str, str], int]:
    """Issue ``PER_CLIENT`` tickets, each retried under its key on the other server until it is
    acknowledged (``issued`` released for each); the numbers by key, and how many attempts
    failed."""
    got, failures = {}, 0
    session = requests.Session()
    for i in range(PER_CLIENT):
        key, attempt, deadline = f"c{c}-{i}", 0, time.monotonic() + 90
        while key not in got:
            assert time.monotonic() < deadline, f"{key} was never issued"
            server = servers[attempt % 2]
            attempt += 1
            try:
                r = session.post(f"{server}/api/v1/tickets", json={"service": "GC01"}, timeout=10,
                                 headers={**KIOSK, "Idempotency-Key": key})
            except requests.RequestException:
                r = None
            if r is not None and r.status_code == 201:
                got[key] = r.json()["number"]
                issued.release()
            else:
                assert r is None or r.status_code >= 500, r.text  # a refusal would be a bug
                failures += 1
                time.sleep(0.05)
    return got, failures


def test_postgresql_restarted_mid_burst_loses_and_duplicates_nothing(pg_cluster, tmp_path):
    url = pg_url(pg_cluster)
    a = b = stream = None
    try:
        a, b = ServeProcess(url, tmp_path / "a"), ServeProcess(url, tmp_path / "b")
        requests.post(f"{a.url}/api/v1/services/GC01", json={"quota": 100000}, headers=GUIDE,
                      timeout=10).raise_for_status()
        start = stored_event_seqs(url)[-1]
        stream = StreamReader(a.url, last_event_id=start)
        assert stream.connected.wait(10)
        issued = threading.Semaphore(0)
        with ThreadPoolExecutor(CLIENTS) as pool:
            futures = [pool.submit(client, c, [a.url, b.url] if c % 2 == 0 else [b.url, a.url], issued)
                       for c in range(CLIENTS)]
            for _ in range(CLIENTS * PER_CLIENT // 3):  # a third of the burst issued: restart
                issued.acquire(timeout=60)
            restart_fast(pg_cluster)
            results = [f.result() for f in futures]
        answered = {k: v for got, _ in results for k, v in got.items()}
        failures = sum(n for _, n in results)

        # The LISTEN connection is back: B's tickets reach A's stream at once again. (Its
        # reconnection backs off up to 5 s: wait for the first quick one, then measure.)
        delays, extra, deadline = [], 0, time.monotonic() + 30
        while len(delays) < 10:
            assert time.monotonic() < deadline, f"A's stream does not hear B at once any more: {delays}"
            number = b.issue(f"after-{extra}")["number"]
            extra += 1
            answered_at = time.perf_counter()
            while (arrived := stream.arrival("ticket", number)) is None and time.perf_counter() - answered_at < 15:
                time.sleep(0.005)
            assert arrived is not None, f"A's stream never got {number}"
            if delays or arrived - answered_at < 0.3:
                delays.append(arrived - answered_at)
            time.sleep(0.05)
        stored = HallClient(b.url, "dev-admin", timeout=10).tickets()
        events = [s for s in stored_event_seqs(url) if s > start]
        assert stream.wait_for(len(events), 15)
    finally:
        for part in (stream, a, b):
            if part is not None:
                part.stop()
        drop(pg_cluster, url)
    total = CLIENTS * PER_CLIENT
    assert failures  # the restart fell inside the burst
    assert len(answered) == total  # every ticket acknowledged, once per key
    burst = [t.number for t in stored if t.number in set(answered.values())]
    numbers = [t.number for t in stored]
    assert len(set(numbers)) == len(numbers) == total + extra and len(burst) == total  # 0 lost, 0 duplicated
    assert sorted(numbers) == [f"K{i:03d}" for i in range(1, total + extra + 1)]  # gap-free
    assert sorted(answered.values()) == sorted(burst)  # each answer is the stored ticket's
    assert stream.seqs() == events  # the stream: every event once, in order, through the restart
    assert statistics.median(delays) < 0.3, delays
    print(f"\n{failures} failed attempts during the restart; {extra - len(delays)} ticket(s) before B was heard at once again, then "
          f"B → A's stream: "
          f"median {statistics.median(delays) * 1000:.1f} ms, {stream.connects} stream connection(s)")
