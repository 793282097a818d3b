"""Two hall server processes on one PostgreSQL database (issue 16), one killed -9 mid-burst:
16 clients issuing across both, each retrying a refused or unanswered ticket on the other
server under the same Idempotency-Key. Nothing is lost, nothing duplicated, and the numbers are
unique and gap-free."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from kiosk.client import HallClient, wait_for_server
from tests.conftest import free_port
from tests.faults.harness import ROOT

CLIENTS, PER_CLIENT = 16, 15


def _serve(url: str, data) -> tuple[subprocess.Popen, str]:  # noqa: ANN001 - a Path
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--dev", "--data", str(data),
                             "--db", url, "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_for_server(base, timeout=30)
    return proc, base


def test_a_server_killed_mid_burst_loses_and_duplicates_nothing(pg_cluster, tmp_path):
    url = pg_cluster.database().replace("postgresql+psycopg://", "postgresql://")
    (proc_a, a), (proc_b, b) = _serve(url, tmp_path / "a"), _serve(url, tmp_path / "b")
    issued = threading.Semaphore(0)
    retried = []  # keys that needed the other server
    try:
        requests.post(f"{a}/api/v1/services/GC01", json={"quota": 100000},
                      headers={"Authorization": "Bearer dev-guide"}, timeout=10).raise_for_status()

        def client(c: int) -> dict[str, str]:
            servers = [a, b] if c % 2 == 0 else [b, a]
            got = {}
            for i in range(PER_CLIENT):
                key, attempt = f"c{c}-{i}", 0
                while key not in got:
                    server = servers[attempt % 2]  # the first try on the client's own server
                    attempt += 1
                    assert attempt < 50, f"{key} was never issued"
                    try:
                        r = requests.post(f"{server}/api/v1/tickets", json={"service": "GC01"}, timeout=5,
                                          headers={"Authorization": "Bearer dev-kiosk", "Idempotency-Key": key})
                    except requests.RequestException:
                        continue  # no answer: the same key on the other server
                    if r.status_code == 201:
                        got[key] = r.json()["number"]
                        if attempt > 1:
                            retried.append(key)
                        issued.release()
                    else:
                        assert r.status_code >= 500, r.text  # a refusal would be a bug
            return got

        with ThreadPoolExecutor(CLIENTS) as pool:
            futures = [pool.submit(client, c) for c in range(CLIENTS)]
            for _ in range(CLIENTS * PER_CLIENT // 3):  # a third of the burst issued: kill A
                issued.acquire(timeout=60)
            proc_a.kill()
            proc_a.wait(10)
            answered = {k: v for f in futures for k, v in f.result().items()}
        stored = HallClient(b, "dev-admin", timeout=10).tickets()
    finally:
        for proc in (proc_a, proc_b):
            if proc.poll() is None:
                proc.terminate()
                proc.wait(20)
        pg_cluster.drop(url.replace("postgresql://", "postgresql+psycopg://"))
    total = CLIENTS * PER_CLIENT
    assert retried  # the kill fell inside the burst: A's clients went on at B
    assert len(answered) == total  # every ticket acknowledged, once per key
    numbers = [t.number for t in stored]
    assert len(stored) == total and len(set(numbers)) == total  # 0 lost, 0 duplicated
    assert sorted(numbers) == [f"K{i:03d}" for i in range(1, total + 1)]  # gap-free
    assert sorted(answered.values()) == sorted(numbers)  # each answer is the stored ticket's
