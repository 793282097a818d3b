"""The hall server against slow and many clients (kiosk.serving), on a real server on loopback.

The server is the one ``kiosk serve`` runs (``kiosk.serving.build_server``), with small limits;
the clients are raw sockets, some bound to 127.0.0.2 (all of 127/8 is loopback on Linux).
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from kiosk.serving import Limits, build_server, run_in_thread, stop_thread

GET_HEALTH = b"GET /api/v1/health HTTP/1.1\r\nHost: hall\r\nAuthorization: Bearer dev-display\r\n\r\n"


def _get(path: str, token: str | None = None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"GET {path} HTTP/1.1\r\nHost: hall\r\n{auth}Connection: close\r\n\r\n".encode()


@pytest.fixture
def start(engine):
    """Start the guarded hall server (dev tokens) with the given limits; stopped at the end."""
    from kiosk.server import create_app

    running = []

    def start(**limits) -> int:
        server = build_server(create_app(engine, dev=True), "127.0.0.1", 0, limits=Limits(**limits),
                              graceful_s=0.5)
        running.append((server, run_in_thread(server)))
        return server.port

    yield start
    for server, thread in running:
        stop_thread(server, thread)


def _connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    return sock


def _exchange(port: int, request: bytes, source: str = "127.0.0.1") -> tuple[int, bytes]:
    """Send one request; (status, body) of the answer, or (0, b"") when the server closed."""
    with _connect(port, source) as sock:
        try:
            sock.sendall(request)
            data = _read_all(sock)
        except (ConnectionResetError, BrokenPipeError):
            return 0, b""
    if not data:
        return 0, b""
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closed ``sock`` within ``seconds``, and what it sent before."""
    sock.settimeout(seconds)
    try:
        return True, _read_all(sock)
    except TimeoutError:
        return False, b""
    except ConnectionResetError:
        return True, b""


def _held_open(port: int, count: int, source: str = "127.0.0.1") -> list[socket.socket]:
    """``count`` idle connections, each known to be counted by the server (it answered a
    request on it and keeps it alive)."""
    socks = []
    for _ in range(count):
        sock = _connect(port, source)
        sock.sendall(GET_HEALTH)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        socks.append(sock)
    return socks


def test_a_slow_loris_is_closed_after_the_head_timeout_while_others_are_served(start):
    port = start(head_timeout_s=0.6)
    slow = _connect(port)
    slow.sendall(b"GET /api/v1/heal")  # and then nothing more
    started = time.monotonic()
    assert _exchange(port, _get("/api/v1/health"))[0] == 200  # a whole request meanwhile is served
    closed, sent = _closed_within(slow, 5)
    assert closed and 0.5 < time.monotonic() - started < 3
    assert sent.startswith(b"HTTP/1.1 408")
    problem = json.loads(sent.partition(b"\r\n\r\n")[2])
    assert problem["code"] == "request_timeout" and "request head" in problem["detail"]
    slow.close()


def test_a_trickling_head_does_not_reset_the_timeout(start):
    port = start(head_timeout_s=0.8)
    slow = _connect(port)
    started = time.monotonic()
    closed = False
    for byte in b"GET /api/v1/health HTTP/1.1\r\n":  # one byte every 0.1 s: 3 s in all
        try:
            slow.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        time.sleep(0.1)
    if not closed:
        closed, _ = _closed_within(slow, 3)
    assert closed and time.monotonic() - started < 2.5
    slow.close()


def test_an_idle_new_connection_and_a_stalled_body_are_closed(start):
    port = start(head_timeout_s=0.5, body_timeout_s=0.5)
    idle = _connect(port)
    stalled = _connect(port)
    stalled.sendall(b"POST /api/v1/tickets HTTP/1.1\r\nHost: hall\r\nAuthorization: Bearer dev-kiosk\r\n"
                    b"Idempotency-Key: k1\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"ser")
    assert _closed_within(idle, 3)[0]
    closed, _sent = _closed_within(stalled, 3)
    assert closed
    idle.close()
    stalled.close()


def test_a_keep_alive_connection_that_starts_its_next_request_slowly_is_closed(start):
    port = start(head_timeout_s=0.5)
    sock = _held_open(port, 1)[0]
    sock.sendall(b"GET /api/v1/he")  # the next request's head never ends
    assert _closed_within(sock, 3)[0]
    sock.close()


def test_over_the_per_address_cap_a_connection_is_refused_while_another_address_is_served(start):
    port = start(per_address=3, head_timeout_s=30)
    held = _held_open(port, 3)
    assert _exchange(port, _get("/api/v1/health")) == (0, b"")  # the fourth from 127.0.0.1
    status, body = _exchange(port, _get("/api/v1/health"), source="127.0.0.2")
    assert status == 200 and json.loads(body)["status"] == "ok"
    held.pop().close()  # one of the three leaves: 127.0.0.1 is served again
    time.sleep(0.2)
    assert _exchange(port, _get("/api/v1/health"))[0] == 200
    for sock in held:
        sock.close()


def test_at_the_soft_cap_anonymous_requests_get_503_and_devices_are_served(start):
    port = start(soft=3, hard=20, head_timeout_s=30)
    held = _held_open(port, 3, source="127.0.0.3")
    status, body = _exchange(port, _get("/api/v1/health"))
    assert status == 503
    problem = json.loads(body)
    assert problem["code"] == "server_busy" and "device token" in problem["detail"]
    assert _exchange(port, _get("/api/v1/catalog", "no-such-token"))[0] == 503
    status, body = _exchange(port, _get("/api/v1/catalog", "dev-kiosk"))
    assert status == 200 and json.loads(body)["services"]
    for sock in held:
        sock.close()
    time.sleep(0.2)
    assert _exchange(port, _get("/api/v1/health"))[0] == 200  # below the soft cap again


def test_above_the_hard_cap_new_sockets_are_closed_at_once(start):
    port = start(soft=2, hard=4, per_address=10, head_timeout_s=30)
    held = _held_open(port, 4, source="127.0.0.4")
    started = time.monotonic()
    assert _exchange(port, _get("/api/v1/catalog", "dev-kiosk"), source="127.0.0.5") == (0, b"")
    assert time.monotonic() - started < 1
    held.pop().close()
    time.sleep(0.2)
    assert _exchange(port, _get("/api/v1/catalog", "dev-kiosk"), source="127.0.0.5")[0] == 200
    for sock in held:
        sock.close()


def test_limits_refuse_nonsense():
    with pytest.raises(ValueError):
        Limits(soft=10, hard=5)
    with pytest.raises(ValueError):
        Limits(head_timeout_s=0)


def test_a_port_in_use_is_a_plain_error(start, engine):
    from kiosk.server import create_app
    from kiosk.serving import ServeError

    port = start()
    server = build_server(create_app(engine, dev=True), "127.0.0.1", port)
    with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}.*choose another --port"):
        run_in_thread(server)


def test_empty_lines_trickled_between_requests_do_not_hold_the_connection(start):
    port = start(head_timeout_s=0.6)
    sock = _held_open(port, 1)[0]
    started = time.monotonic()
    closed = False
    while not closed and time.monotonic() - started < 4:
        try:
            sock.sendall(b"\r\n")  # uvicorn's keep-alive timer is dropped at every byte
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        closed = _closed_within(sock, 0.3)[0]
    assert closed and time.monotonic() - started < 2.5
    sock.close()


def test_kiosk_serve_runs_the_guarded_server_with_its_options(tmp_path):
    import subprocess
    import sys

    from kiosk.client import wait_for_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--dev", "--data", str(tmp_path),
                               "--port", str(port), "--max-per-address", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_server(f"http://127.0.0.1:{port}", 30)
        held = _held_open(port, 2, source="127.0.0.6")
        assert _exchange(port, _get("/api/v1/health"), source="127.0.0.6") == (0, b"")
        assert _exchange(port, _get("/api/v1/health"), source="127.0.0.7")[0] == 200
        for sock in held:
            sock.close()
    finally:
        server.terminate()
        out, _err = server.communicate(timeout=15)
    assert f"on http://127.0.0.1:{port}" in out
