"""Real `kiosk serve --db` processes on one database of the throwaway PostgreSQL cluster, and an
event stream reader that records when each event arrived and resumes with Last-Event-ID, as a
board does (tests of issue 16: events across processes, PostgreSQL restarted mid-burst)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from kiosk.client import parse_sse, wait_for_server
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
KIOSK = {"Authorization": "Bearer dev-kiosk"}
GUIDE = {"Authorization": "Bearer dev-guide"}


class ServeProcess:
    """``kiosk serve --dev --db <url>`` in a process of its own on a free loopback port."""

    def __init__(self, db_url: str, data: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data.parent / f"{data.name}.stderr"
        data.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--dev", "--data", str(data),
                                          "--db", db_url, "--port", str(self.port)], cwd=ROOT,
                                         stdout=subprocess.DEVNULL, stderr=err)
        wait_for_server(self.url, timeout=30)

    def issue(self, key: str, service: str = "GC01") -> dict:
        """Issue one ticket; its JSON."""
        r = requests.post(f"{self.url}/api/v1/tickets", json={"service": service}, timeout=10,
                          headers={**KIOSK, "Idempotency-Key": key})
        r.raise_for_status()
        return r.json()

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL if it lingers)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def pg_url(cluster) -> str:  # noqa: ANN001 - tests.pg.Cluster
    """A fresh database of ``cluster`` as `kiosk serve --db` takes it."""
    return cluster.database().replace("postgresql+psycopg://", "postgresql://")


def drop(cluster, url: str) -> None:  # noqa: ANN001
    """Drop the database of ``pg_url``."""
    cluster.drop(url.replace("postgresql://", "postgresql+psycopg://"))


class StreamReader:
    """``GET /api/v1/events`` on a thread, from ``last_event_id`` (None: the newest event);
    reconnects with the last id it got whenever the stream ends or fails. ``events`` holds
    (seq, type, data, perf_counter at arrival) in arrival order."""

    def __init__(self, base: str, last_event_id: int | None = None):
        self.base = base
        self.last = last_event_id
        self.events: list[tuple[int, str, dict, float]] = []
        self.connects = 0
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            headers = {"Authorization": "Bearer dev-display"}
            if self.last is not None:
                headers["Last-Event-ID"] = str(self.last)
            try:
                with requests.get(f"{self.base}/api/v1/events", headers=headers, stream=True,
                                  timeout=(5, 30)) as r:
                    r.raise_for_status()
                    self.connects += 1
                    self.connected.set()
                    for event in parse_sse(r.iter_lines(decode_unicode=True), self._stop):
                        self.events.append((event.seq, event.type, event.data, time.perf_counter()))
                        self.last = event.seq
            except requests.RequestException:
                pass  # the server or the database is away: reconnect as a board would
            self._stop.wait(0.2)

    def seqs(self) -> list[int]:
        """The sequence numbers received, in arrival order."""
        return [seq for seq, _, _, _ in self.events]

    def arrival(self, kind: str, number: str) -> float | None:
        """When the ``kind`` event of the ticket ``number`` arrived (None if it has not)."""
        for _, k, data, at in list(self.events):
            if k == kind and data.get("number") == number:
                return at
        return None

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` events have arrived; whether they did."""
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return len(self.events) >= count

    def stop(self) -> None:
        """Stop reading (the thread ends with the stream's next line or heartbeat)."""
        self._stop.set()


def stored_event_seqs(url: str) -> list[int]:
    """Every hall event's sequence number in the database, in order (read directly)."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url.replace("postgresql://", "postgresql+psycopg://"))
    with psycopg.connect(dbname=u.database, user=u.username, host=u.query["host"], port=u.query["port"]) as conn:
        return [row[0] for row in conn.execute("SELECT seq FROM hall_events ORDER BY seq")]
