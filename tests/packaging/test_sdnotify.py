"""systemd notifications (kiosk/sdnotify.py) received on a real AF_UNIX datagram socket: READY
once the server listens, WATCHDOG pings from its event loop that stop while the loop is blocked
(in-process, with a route that blocks the loop) or the whole process is stopped (``kiosk serve``
under SIGSTOP), which is what makes systemd's WatchdogSec restart a hung server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from kiosk import sdnotify
from tests.conftest import free_port


class Listener:
    """The notification socket systemd would hold: every datagram received, with its time."""

    def __init__(self, path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.05)
        self.path = path
        self.got: list[tuple[float, str]] = []

    def collect(self, seconds: float) -> list[str]:
        """Messages that arrive within ``seconds``."""
        end, new = time.monotonic() + seconds, []
        while time.monotonic() < end:
            try:
                data = self.sock.recv(4096).decode()
            except TimeoutError:
                continue
            self.got.append((time.monotonic(), data))
            new.append(data)
        return new

    def wait_for(self, text: str, seconds: float) -> float:
        """The time ``text`` arrived (waiting up to ``seconds``); fails the test otherwise."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for when, data in self.got:
                if text in data:
                    return when
            self.collect(0.05)
        pytest.fail(f"no {text!r} on the notification socket within {seconds} s: {self.got}")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener(tmp_path):
    sock = Listener(str(tmp_path / "notify"))
    yield sock
    sock.close()


def test_without_notify_socket_nothing_is_sent_and_nothing_fails():
    assert sdnotify.notify("READY=1", {}) is False
    assert sdnotify.notify("READY=1", {"NOTIFY_SOCKET": "vsock:2:1234"}) is False
    assert sdnotify.notify("READY=1", {"NOTIFY_SOCKET": "/nonexistent/notify"}) is False  # logged, not raised
    assert sdnotify.announce_ready(asyncio.new_event_loop(), environ={}) is None


def test_ready_with_status_reaches_the_socket(listener):
    assert sdnotify.notify("READY=1\nSTATUS=up", {"NOTIFY_SOCKET": listener.path})
    assert listener.collect(0.2) == ["READY=1\nSTATUS=up"]


def test_abstract_socket_address():
    name = f"hall-kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(1)
        assert sdnotify.notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(100) == b"WATCHDOG=1"


def test_watchdog_interval_is_half_the_units_and_only_for_this_process():
    assert sdnotify.watchdog_interval({"WATCHDOG_USEC": "20000000"}) == 10.0
    assert sdnotify.watchdog_interval({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": str(os.getpid())}) == 10.0
    assert sdnotify.watchdog_interval({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}) is None
    assert sdnotify.watchdog_interval({"WATCHDOG_USEC": "0"}) is None
    assert sdnotify.watchdog_interval({"WATCHDOG_USEC": "soon"}) is None
    assert sdnotify.watchdog_interval({}) is None


def _blocking_app():
    """A server app with one route that blocks the event loop (a hung handler)."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/block")
    async def block(seconds: float) -> dict:
        time.sleep(seconds)  # deliberately blocking: the loop runs nothing else meanwhile
        return {"blocked": seconds}

    return app


def test_pings_come_from_the_event_loop_and_stop_while_it_is_blocked(listener):
    from kiosk.serving import build_server, run_in_thread, stop_thread

    env = {"NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "100000"}  # a ping every 0.05 s
    port = free_port()
    beats = []
    server = build_server(_blocking_app(), "127.0.0.1", port, graceful_s=0.5,
                          on_ready=lambda s: beats.append(
                              sdnotify.announce_ready(asyncio.get_running_loop(), environ=env)))
    thread = run_in_thread(server)
    try:
        listener.wait_for("READY=1", 5)
        assert listener.collect(0.5).count("WATCHDOG=1") >= 5
        blocked = requests.Session()
        caller = threading.Thread(target=lambda: blocked.get(f"http://127.0.0.1:{port}/block?seconds=1.5",
                                                            timeout=10))
        caller.start()
        listener.collect(0.3)  # (drained) the request has reached the loop, which now sleeps
        assert listener.collect(0.9) == []  # a blocked loop sends no heartbeat
        caller.join()
        assert listener.collect(0.5).count("WATCHDOG=1") >= 5  # and it resumes once free
    finally:
        beats[0].stop()
        stop_thread(server, thread)


def test_kiosk_serve_sends_ready_after_it_listens_then_pings_until_the_process_hangs(listener, tmp_path):
    port = free_port()
    env = {**os.environ, "NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "200000"}
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--dev", "--data", str(tmp_path / "d"),
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        listener.wait_for("READY=1", 60)
        # READY means serving: the port answers right away, no retry needed
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).ok
        assert listener.collect(1.0).count("WATCHDOG=1") >= 3
        server.send_signal(signal.SIGSTOP)  # hung: systemd would see the pings stop
        listener.collect(0.3)  # drain the pings sent before it stopped
        assert listener.collect(1.0) == []
        server.send_signal(signal.SIGCONT)
        assert "WATCHDOG=1" in listener.collect(1.0)
    finally:
        server.send_signal(signal.SIGCONT)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
