"""What the fault tests share: a hall server in its own process, kiosks with outboxes, a fault
proxy in front of a server, and the accounting that says what was lost or duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import tomlkit

from kiosk.client import HallClient, wait_for_server
from kiosk.config import PROJECT_CONFIG_DIR, HallLink, load_kiosk_config
from kiosk.outbox import Outbox
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
KIOSKS = ("K01", "K02", "K03", "K04")
RANGES = {"K01": (900, 924), "K02": (925, 949), "K03": (950, 974), "K04": (975, 999)}


def write_configs(folder: Path) -> Path:
    """A copy of the sample hall with an offline range for each of four kiosks, and a kiosk
    file per kiosk beside it; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    hall = tomlkit.parse((PROJECT_CONFIG_DIR / "hall.toml").read_text(encoding="utf-8"))
    ranges = tomlkit.aot()
    for kiosk, (start, end) in RANGES.items():
        ranges.append(tomlkit.table().add("kiosk", kiosk).add("start", start).add("end", end))
    hall["offline_ranges"] = ranges
    (folder / "hall.toml").write_text(tomlkit.dumps(hall), encoding="utf-8")
    sample = (PROJECT_CONFIG_DIR / "kiosk.toml").read_text(encoding="utf-8")
    for kiosk in KIOSKS:
        (folder / f"{kiosk}.toml").write_text(sample.replace('id = "K01"', f'id = "{kiosk}"'), encoding="utf-8")
    return folder


class ServerProcess:
    """``kiosk serve --dev`` in its own process, killable with SIGKILL and restartable."""

    def __init__(self, config_dir: Path, data: Path, port: int | None = None):
        self.config_dir, self.data = config_dir, data
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        cmd = [sys.executable, "-m", "app.cli", "serve", "--dev", "--config", str(self.config_dir / "hall.toml"),
               "--data", str(self.data), "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_server(self.url, timeout=20)
        return self

    def kill(self) -> None:
        """Power cut: SIGKILL, no shutdown at all."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def tickets(self) -> list:
        """Every ticket of today and yesterday (offline times may fall on either)."""
        from datetime import date, timedelta

        client = HallClient(self.url, "dev-admin", timeout=10)
        today = date.today()
        return [t for d in (today - timedelta(days=1), today, today + timedelta(days=1))
                for t in client.tickets(day=d.isoformat())]


def kiosk_config(config_dir: Path, kiosk: str, url: str, timeout: float = 1.0):
    """Kiosk ``kiosk`` of ``config_dir`` pointed at ``url``."""
    config = load_kiosk_config(config_dir / f"{kiosk}.toml")
    return config.model_copy(update={"link": HallLink(mode="server", url=url, token="dev-kiosk", timeout_s=timeout)})


class _FnClock:
    """A Clock over a function returning epoch seconds."""

    def __init__(self, fn):
        self.now = fn


def terminal_for(config_dir: Path, kiosk: str, url: str, data: Path, printer=None, *, timeout: float = 1.0,
                 clock=None, start: bool = False):
    """A kiosk terminal (hall client, outbox, offline plan) built as ``kiosk run`` builds it
    (``app.kiosk_app.build_terminal``), pointed at ``url``; ``clock`` a Clock or a function."""
    from app.kiosk_app import build_terminal

    if clock is not None and not hasattr(clock, "now"):
        clock = _FnClock(clock)
    config = kiosk_config(config_dir, kiosk, url, timeout)
    terminal = build_terminal(config, config_dir / f"{kiosk}.toml", data / kiosk, dev=True, clock=clock,
                              printer=printer, start=start)
    terminal.link.retry_after = 0.3
    return terminal


def run_kiosk(args: list[str], config_dir: Path, kiosk: str, data: Path, url: str, crash_at: str | None = None,
              timeout: float = 1.0) -> subprocess.CompletedProcess:
    """``kiosk issue|sync`` in its own process (``crash_at``: where it kills itself)."""
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_CRASH_AT"}
    if crash_at:
        env["KIOSK_CRASH_AT"] = crash_at
    cmd = [sys.executable, "-m", "app.cli.issue", *args, "--config", str(config_dir / f"{kiosk}.toml"),
           "--server", url, "--token", "dev-kiosk", "--data", str(data / kiosk), "--dev",
           "--timeout", str(timeout)]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def account(outboxes: list[Outbox], server_tickets: list, devices: set[str] | None = None) -> tuple[int, int]:
    """(lost, duplicated) after recovery.

    lost: tickets the kiosks hold (recorded with a ticket: printed, offered, or waiting to be
    sent) that the server does not have as a live ticket. duplicated: live server tickets of
    these kiosks that no kiosk entry accounts for, tickets claimed by two entries, and numbers
    the server holds twice on one day.
    """
    held: Counter[str] = Counter()
    for outbox in outboxes:
        for entry in outbox.entries():
            if entry.ticket_json and entry.state in ("pending", "sent"):
                held[entry.ticket.id] += 1
    devices = devices or {t.device for t in server_tickets}
    live = [t for t in server_tickets if t.state != "void" and t.device in devices]
    live_ids = {t.id for t in live}
    lost = sum(1 for ticket_id in held if ticket_id not in live_ids)
    numbers = Counter((t.issued_at.date(), t.number) for t in server_tickets)
    duplicated = (sum(1 for t in live if t.id not in held) + sum(n - 1 for n in held.values())
                  + sum(n - 1 for n in numbers.values()))
    print(f"lost={lost} duplicated={duplicated}")
    return lost, duplicated


def assert_queue_order(server_tickets: list) -> None:
    """Per service, waiting normal tickets stand in the queue in issue-time order."""
    by_service: dict[str, list] = {}
    for t in server_tickets:
        if t.state == "waiting" and t.priority == "normal" and t.ahead is not None:
            by_service.setdefault(t.service, []).append(t)
    for service, tickets in by_service.items():
        queued = sorted(tickets, key=lambda t: t.ahead)
        times = [t.issued_at for t in queued]
        assert times == sorted(times), f"{service}: queue order differs from issue order"


class FaultProxy:
    """An HTTP proxy in front of a hall server that can fail the way servers do.

    ``mode``: ``pass`` (forward), ``500`` (answer 500, forward nothing), ``500_after`` (forward,
    then answer 500: the server did the work), ``slow`` (forward, then hold the answer past
    the client's timeout), ``hang`` (forward nothing, answer nothing for ``delay`` seconds).
    """

    def __init__(self, target: str, mode: str = "pass", delay: float = 3.0):
        self.target, self.mode, self.delay = target, mode, delay
        self.forwarded = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                proxy.handle(self, "GET")

            def do_POST(self):
                proxy.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        body = req.rfile.read(int(req.headers.get("Content-Length") or 0))
        mode = self.mode
        if mode == "hang":
            time.sleep(self.delay)
            return self._answer(req, 504, b"")
        if mode == "500":
            return self._answer(req, 500, b'{"detail": "boom"}')
        headers = {k: v for k, v in req.headers.items() if k.lower() not in ("host", "content-length")}
        upstream = requests.request(method, self.target + req.path, data=body, headers=headers, timeout=10)
        self.forwarded += 1
        if mode == "500_after":
            return self._answer(req, 500, b'{"detail": "boom"}')
        if mode == "slow":
            time.sleep(self.delay)
        self._answer(req, upstream.status_code, upstream.content, upstream.headers.get("Content-Type"),
                     upstream.headers.get("ETag"))

    @staticmethod
    def _answer(req, status: int, body: bytes, content_type: str | None = "application/json",
                etag: str | None = None) -> None:
        try:
            req.send_response(status)
            req.send_header("Content-Type", content_type or "application/json")
            req.send_header("Content-Length", str(len(body)))
            if etag:
                req.send_header("ETag", etag)
            req.end_headers()
            req.wfile.write(body)
        except OSError:  # the client gave up already
            pass

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
