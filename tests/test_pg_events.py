"""Hall events across server processes on one PostgreSQL database (issue 16): real `kiosk serve
--db` processes, real streams. A stream on one process hears what another commits at once (LISTEN/
NOTIFY wakes its hub; without it, only the hub's poll of the table would bring it, a second
later at worst), in order, with no gap and no duplicate; Last-Event-ID resumes on any process.
(The listener surviving a PostgreSQL restart: tests/faults/test_pg_restart.py.)"""

from __future__ import annotations

import statistics
import time

import pytest
import requests

from kiosk.event_listen import EventListener
from kiosk.store import Store, append_event
from tests.pg_serve import GUIDE, ServeProcess, StreamReader, drop, pg_url, stored_event_seqs

TICKETS = 30


@pytest.fixture
def two_servers(pg_cluster, tmp_path):
    """Two server processes on one fresh database; their URLs and the database's."""
    url = pg_url(pg_cluster)
    servers = []
    try:
        servers += [ServeProcess(url, tmp_path / "a")]
        servers += [ServeProcess(url, tmp_path / "b")]
        requests.post(f"{servers[0].url}/api/v1/services/GC01", json={"quota": 100000}, headers=GUIDE,
                      timeout=10).raise_for_status()
        yield servers[0], servers[1], url
    finally:
        for server in servers:
            server.stop()
        drop(pg_cluster, url)


def test_a_stream_on_one_process_hears_the_other_at_once_in_order(two_servers):
    a, b, url = two_servers
    start = stored_event_seqs(url)[-1]  # the quota change: the stream starts after it
    stream = StreamReader(a.url)
    try:
        assert stream.connected.wait(10)
        time.sleep(0.3)  # A's hub is listening (its LISTEN is made on a thread)
        delays = []
        for i in range(TICKETS):
            number = b.issue(f"k{i}")["number"]
            answered = time.perf_counter()
            deadline = time.monotonic() + 5
            while (arrived := stream.arrival("ticket", number)) is None and time.monotonic() < deadline:
                time.sleep(0.005)
            assert arrived is not None, f"A's stream never got ticket {number} issued through B"
            delays.append(arrived - answered)
            time.sleep(0.03)  # spread over more than a second: no luck with the safety poll
        stored = [s for s in stored_event_seqs(url) if s > start]
        assert stream.wait_for(len(stored), 5)
    finally:
        stream.stop()
    # Every stored event once, in order: no gap, no duplicate.
    assert stream.seqs() == stored
    # Polling the table once a second would give a median near half a second.
    assert statistics.median(delays) < 0.2, sorted(delays)
    print(f"B's ticket → A's stream: median {statistics.median(delays) * 1000:.1f} ms, "
          f"max {max(delays) * 1000:.1f} ms")


def test_last_event_id_resumes_on_the_other_process(two_servers):
    a, b, url = two_servers
    before = stored_event_seqs(url)[-1]
    numbers = [a.issue(f"r{i}")["number"] for i in range(5)]  # written through A
    stream = StreamReader(b.url, last_event_id=before)  # B was never told of them but by the table
    try:
        expected = [s for s in stored_event_seqs(url) if s > before]
        assert stream.wait_for(len(expected), 10)
        assert stream.seqs()[:len(expected)] == expected
        assert [d["number"] for _, k, d, _ in stream.events if k == "ticket"] == numbers
        live = a.issue("r-live")["number"]  # and live events from A after the replay
        deadline = time.monotonic() + 5
        while stream.arrival("ticket", live) is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stream.arrival("ticket", live) is not None
        expected = [s for s in stored_event_seqs(url) if s > before]
        assert stream.wait_for(len(expected), 5)
    finally:
        stream.stop()
    assert stream.seqs() == expected


def test_only_committed_events_are_announced_with_their_newest_seq(pg_cluster, tmp_path):
    """The notification goes with the commit: a rolled-back write announces nothing; a write of
    several events announces once, with the newest seq; each hall of a shared database on a
    channel of its own (a hall hears none of another hall's commits)."""
    url = pg_cluster.database()
    store = Store(url, data_dir=tmp_path, hall="east")
    other = Store(url, data_dir=tmp_path, hall="west")
    assert store.event_channel == "hall_east_events" and other.event_channel == "hall_west_events"
    heard, connected = [], []
    listener = EventListener(store, heard.append, lambda: connected.append(1)).start()
    try:
        deadline = time.monotonic() + 10
        while not listener.connected and time.monotonic() < deadline:
            time.sleep(0.01)
        assert listener.connected
        with pytest.raises(RuntimeError), store.write() as conn:
            append_event(conn, 0.0, "queue", {"n": 1})
            raise RuntimeError("rolled back")
        with other.write() as conn:
            append_event(conn, 0.0, "queue", {"hall": "other"})
        with store.write() as conn:
            append_event(conn, 0.0, "queue", {"n": 2})
            newest = append_event(conn, 0.0, "queue", {"n": 3})
        deadline = time.monotonic() + 5
        while not heard and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # anything else would have come by now
        assert heard == [newest]
        assert connected == [1]
    finally:
        listener.stop()
        listener.join(5)
        store.close()
        other.close()
        pg_cluster.drop(url)
    assert not listener.alive
