"""The citizen's phone page at hall scale (DESIGN.md §6 "The citizen's phone", §8).

A real ``kiosk serve --dev`` process on loopback; the phones are threads of a process of their
own (``python -m bench.bench_phone phones URL``, page paths on stdin):

- the page's weight (HTML + CSS + JS, uncompressed; target ≤ 30 KB: a slow phone loads it in a
  second or two) and its server time, p99 over many loads (target ≤ 100 ms);
- with PHONES phone pages following their tickets over SSE: a call → the called phone's stream
  says "called", p99 (target ≤ 1 s);
- ticket issue throughput, 8 clients, with those streams open, against the mean of before they
  opened and after they closed (the machine's drift; target: with them at least 80 %).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench import Figure
from bench.bench_engine import ServerProcess, _free_port, percentile

PHONES = 200
SERVICE, WINDOW = "GC02", 20  # the complaints desk: its own window, so calls reach our tickets in order
KIOSK = {"Authorization": "Bearer dev-kiosk"}
COUNTER = {"Authorization": "Bearer dev-counter"}


def _issue(url: str, service: str, key: str, session: requests.Session | None = None) -> dict:
    answer = (session or requests).post(f"{url}/api/v1/tickets", json={"service": service},
                                        headers={**KIOSK, "Idempotency-Key": key}, timeout=10)
    answer.raise_for_status()
    return answer.json()


def _path(ticket: dict) -> str:
    return "/p/" + ticket["status_url"].rsplit("/p/", 1)[1]


def _throughput(url: str, clients: int, per_client: int, tag: str) -> float:
    """Tickets per second issued by ``clients`` threads (services other than the phones')."""
    services = ("AP01", "AP02", "TX01")

    def client(c: int) -> int:
        session = requests.Session()
        for i in range(per_client):
            _issue(url, services[(c + i) % len(services)], f"{tag}-{c}-{i}", session)
        return per_client

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        done = sum(pool.map(client, range(clients)))
    return done / (time.perf_counter() - start)


class Phone(threading.Thread):
    """One phone following its ticket's stream (in the phones' process); reports on stdout when
    it first says ``called``."""

    def __init__(self, url: str, index: int, path: str, out: threading.Lock):
        super().__init__(daemon=True)
        self.url, self.index, self.path, self.out = url, index, path, out
        self.ready = threading.Event()

    def run(self) -> None:
        try:
            with requests.get(f"{self.url}{self.path}/events", stream=True, timeout=60) as stream:
                for line in stream.iter_lines(decode_unicode=True):
                    if not line.startswith("data: "):
                        continue
                    self.ready.set()
                    if json.loads(line[6:])["state"] == "called":
                        with self.out:
                            print(f"called {self.index} {time.monotonic()}", flush=True)
                        return
        except requests.RequestException:
            pass  # the server stopped at the end of the run


def phones_main(url: str) -> None:
    """The phones' process: one stream per page path read from stdin; ``ready N`` once each has
    its first state, then ``called INDEX T`` (CLOCK_MONOTONIC) as each is called."""
    paths = sys.stdin.read().split()
    out = threading.Lock()
    phones = [Phone(url, i, path, out) for i, path in enumerate(paths)]
    for phone in phones:
        phone.start()
    deadline = time.monotonic() + 60
    for phone in phones:
        phone.ready.wait(max(0.0, deadline - time.monotonic()))
    print(f"ready {sum(p.ready.is_set() for p in phones)}", flush=True)
    for phone in phones:
        phone.join()


class Phones:
    """The phones' process, seen from the bench: open, read its reports, kill."""

    def __init__(self, url: str, paths: list[str]):
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.bench_phone", "phones", url],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.proc.stdin.write("\n".join(paths))
        self.proc.stdin.close()
        self.called: dict[int, float] = {}
        self.opened = int(self.proc.stdout.readline().split()[1])
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            _, index, at = line.split()
            self.called[int(index)] = float(at)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


def _raise_quotas(url: str) -> None:
    for code in ("AP01", "AP02", "TX01", "GC01", SERVICE):
        requests.post(f"{url}/api/v1/services/{code}", json={"quota": 100000},
                      headers={"Authorization": "Bearer dev-guide"}, timeout=5)


def run(quick: bool = False) -> list[Figure]:
    """The figures (see the module)."""
    phones, calls, per_client = (40, 10, 20) if quick else (PHONES, 30, 60)
    with tempfile.TemporaryDirectory() as data:
        # The phones are one address here; in a hall each has its own (the server's per-address
        # limit, 64 by default, is for a misbehaving device, not for a hall's Wi-Fi).
        server = ServerProcess(data, _free_port(), options=("--max-per-address", "1000"))
        try:
            url = server.url
            _raise_quotas(url)
            tickets = [_issue(url, SERVICE, f"phone-{i}") for i in range(phones)]
            weight, page_ms = _page_figures(url, tickets)
            before = _throughput(url, 8, per_client, "before")
            followers = Phones(url, [_path(t) for t in tickets])
            opened = followers.opened
            during = _throughput(url, 8, per_client, "during")
            delays = _call_delays(url, followers, calls)
            followers.close()
            time.sleep(1)
            after = _throughput(url, 8, per_client, "after")  # the machine's drift, without streams again
        finally:
            server.stop()
    without = (before + after) / 2
    ratio = during / without if without else 0.0
    p99 = percentile(delays, 99) if delays else float("inf")
    return [
        Figure("phone page: HTML + CSS + JS", weight / 1024, "KB", "≤ 30", weight <= 30 * 1024),
        Figure("phone page: server time p99", percentile(page_ms, 99), "ms", "≤ 100", percentile(page_ms, 99) <= 100),
        Figure("phone page: server time p50", statistics.median(page_ms), "ms"),
        Figure("phone page: phone streams open", opened, "streams", f"= {phones}", opened == phones),
        Figure(f"phone page: call → 'called' on the phone, {phones} streams, p99", p99, "ms", "≤ 1000", p99 <= 1000),
        Figure(f"phone page: issue throughput, 8 clients, {phones} phone streams", during, "tickets/s"),
        Figure("phone page: issue throughput without streams (before and after)", without, "tickets/s"),
        Figure("phone page: issue throughput with streams / without", ratio * 100, "%", "≥ 80", ratio >= 0.8),
    ]


def _page_figures(url: str, tickets: list[dict]) -> tuple[int, list[float]]:
    session = requests.Session()
    page = session.get(f"{url}{_path(tickets[0])}", timeout=10)
    assets = [part.split("'")[0] for part in page.text.split("/p/static/")[1:]]
    weight = len(page.content) + sum(len(session.get(f"{url}/p/static/{a}", timeout=10).content) for a in assets)
    times = []
    for ticket in tickets:
        start = time.perf_counter()
        session.get(f"{url}{_path(ticket)}", timeout=10).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return weight, times


def _call_delays(url: str, followers: Phones, calls: int) -> list[float]:
    """Call the first ``calls`` phones' tickets in order; ms from each call's answer to its
    phone's event."""
    delays = []
    for index in range(calls):
        answer = requests.post(f"{url}/api/v1/windows/{WINDOW}/call-next", headers=COUNTER, timeout=10)
        answered = time.monotonic()
        if answer.status_code != 200:
            break
        deadline = answered + 5
        while index not in followers.called and time.monotonic() < deadline:
            time.sleep(0.002)
        if index in followers.called:
            delays.append(max(0.0, (followers.called[index] - answered) * 1000))
        ticket = answer.json()["ticket"]
        requests.post(f"{url}/api/v1/tickets/{ticket}/finish", headers=COUNTER, json={"window": WINDOW}, timeout=10)
    return delays


if __name__ == "__main__":
    if sys.argv[1:2] == ["phones"]:
        phones_main(sys.argv[2])
    else:
        for figure in run():
            print(figure.line())
