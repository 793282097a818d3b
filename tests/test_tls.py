"""HTTPS between the hall server and its devices: the hall CA (kiosk.tls, ``kiosk tls init``),
the server with TLS (kiosk.serving, as ``kiosk serve --tls-cert --tls-key`` runs it) and the
hall client checking it (kiosk.client, ``[link] ca_file``). Real certificates, a real server on
loopback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from cryptography import x509

from kiosk.client import NOT_TRUSTED, HallClient, HallUnreachable, ca_path
from kiosk.config import HallLink
from kiosk.serving import ServeError, TlsFiles, build_server, run_in_thread, stop_thread
from kiosk.tls import TlsError, make_ca, write_hall_tls


@pytest.fixture
def tls_files(tmp_path):
    """The hall CA and a server certificate for localhost and 127.0.0.1."""
    return write_hall_tls(tmp_path / "tls", ["localhost"], ["127.0.0.1"])


@pytest.fixture
def https_server(engine, tls_files):
    """The hall server (dev tokens) serving HTTPS on a loopback port; yields its https URL."""
    from kiosk.server import create_app

    server = build_server(create_app(engine, dev=True), "127.0.0.1", 0,
                          tls=TlsFiles(tls_files.server_cert, tls_files.server_key), graceful_s=0.5)
    thread = run_in_thread(server)
    yield f"https://127.0.0.1:{server.port}"
    stop_thread(server, thread)


def test_a_kiosk_with_the_hall_ca_gets_the_catalog(https_server, tls_files):
    client = HallClient(https_server, "dev-kiosk", 5, str(tls_files.ca_cert))
    assert client.catalog().services
    client.close()


def test_by_name_too(https_server, tls_files):
    url = https_server.replace("127.0.0.1", "localhost")
    assert HallClient(url, "dev-kiosk", 5, str(tls_files.ca_cert)).health()["status"] == "ok"


def test_without_the_hall_ca_the_kiosk_says_the_certificate_is_not_trusted(https_server):
    client = HallClient(https_server, "dev-kiosk", 5)  # the system's CAs: they know no hall CA
    with pytest.raises(HallUnreachable, match=NOT_TRUSTED):
        client.catalog()


def test_another_hall_ca_is_not_trusted_either(https_server, tmp_path):
    other = write_hall_tls(tmp_path / "other", ["localhost"], ["127.0.0.1"])
    with pytest.raises(HallUnreachable, match=NOT_TRUSTED):
        HallClient(https_server, "dev-kiosk", 5, str(other.ca_cert)).health()


def test_a_name_the_certificate_does_not_carry_is_not_trusted(engine, tmp_path):
    from kiosk.server import create_app

    files = write_hall_tls(tmp_path / "tls", ["hall-server"], [])  # no 127.0.0.1 in it
    server = build_server(create_app(engine, dev=True), "127.0.0.1", 0,
                          tls=TlsFiles(files.server_cert, files.server_key), graceful_s=0.5)
    thread = run_in_thread(server)
    try:
        with pytest.raises(HallUnreachable, match=NOT_TRUSTED):
            HallClient(f"https://127.0.0.1:{server.port}", "dev-kiosk", 5, str(files.ca_cert)).health()
    finally:
        stop_thread(server, thread)


def test_http_against_https_and_a_missing_ca_file_are_plain_sentences(https_server, tls_files, tmp_path):
    plain = https_server.replace("https", "http")
    with pytest.raises(HallUnreachable):
        HallClient(plain, "dev-kiosk", 5).health()
    missing = tmp_path / "nowhere" / "ca.crt"
    with pytest.raises(HallUnreachable, match=f"CA file {missing} .link.ca_file. does not exist"):
        HallClient(https_server, "dev-kiosk", 5, str(missing)).health()
    junk = tmp_path / "junk.crt"
    junk.write_text("not a certificate")
    client = HallClient(https_server, "dev-kiosk", 5, str(junk))
    with pytest.raises(HallUnreachable, match="holds no usable certificate"):
        client.catalog()
    junk.write_bytes(tls_files.ca_cert.read_bytes())  # the technician copies the right file in
    assert client.catalog().services


def test_ca_file_is_a_link_setting_relative_to_the_kiosk_file(tmp_path):
    link = HallLink(mode="server", url="https://hall:8600", token="t", ca_file="ca.crt")
    assert ca_path(link.ca_file, tmp_path) == str(tmp_path / "ca.crt")
    assert ca_path("/etc/hall/ca.crt", tmp_path) == "/etc/hall/ca.crt"
    assert ca_path("", tmp_path) == ""
    assert HallLink().ca_file == ""


def test_missing_unreadable_or_mismatched_server_files_are_plain_errors(engine, tls_files, tmp_path):
    from kiosk.server import create_app

    app = create_app(engine, dev=True)
    with pytest.raises(ServeError, match="certificate file .* does not exist"):
        build_server(app, "127.0.0.1", 0, tls=TlsFiles(tmp_path / "no.crt", tls_files.server_key))
    other = write_hall_tls(tmp_path / "other", ["localhost"], [])
    with pytest.raises(ServeError, match="the key must belong to the certificate"):
        build_server(app, "127.0.0.1", 0, tls=TlsFiles(tls_files.server_cert, other.server_key))
    garbage = tmp_path / "garbage.key"
    garbage.write_text("nonsense")
    with pytest.raises(ServeError, match="must be PEM files"):
        build_server(app, "127.0.0.1", 0, tls=TlsFiles(tls_files.server_cert, garbage))
    if os.geteuid() != 0:  # root reads any file
        locked = tmp_path / "locked.key"
        locked.write_bytes(tls_files.server_key.read_bytes())
        locked.chmod(0)
        with pytest.raises(ServeError, match="cannot be read by this user"):
            build_server(app, "127.0.0.1", 0, tls=TlsFiles(tls_files.server_cert, locked))


def test_tls_init_keeps_the_ca_and_refuses_to_overwrite_without_force(tmp_path):
    first = write_hall_tls(tmp_path, ["hall"], ["10.0.0.5"])
    ca_before = first.ca_cert.read_bytes()
    with pytest.raises(TlsError, match="--force"):
        write_hall_tls(tmp_path, ["hall"], [])
    again = write_hall_tls(tmp_path, ["hall"], ["10.0.0.6"], force=True)
    assert again.ca_reused and again.ca_cert.read_bytes() == ca_before
    with pytest.raises(TlsError, match="not an IP address"):
        write_hall_tls(tmp_path / "x", [], ["10.0.0"])
    with pytest.raises(TlsError, match="not a host name"):
        write_hall_tls(tmp_path / "x", ["bad name"], [])
    with pytest.raises(TlsError, match="--host.*--ip"):
        write_hall_tls(tmp_path / "x", [], [])
    _key, cert = make_ca()
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_kiosk_tls_init_writes_files_a_server_and_a_kiosk_can_use(engine, tmp_path):
    from kiosk.server import create_app

    out = tmp_path / "hall-tls"
    result = subprocess.run([sys.executable, "-m", "app.cli", "tls", "init", "--out", str(out),
                             "--host", "localhost", "--ip", "127.0.0.1"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "ca_file = \"ca.crt\"" in result.stdout and "--tls-cert" in result.stdout
    for name in ("ca.key", "server.key"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "server.crt").stat().st_mode) == 0o644
    server = build_server(create_app(engine, dev=True), "127.0.0.1", 0,
                          tls=TlsFiles(out / "server.crt", out / "server.key"), graceful_s=0.5)
    thread = run_in_thread(server)
    try:
        client = HallClient(f"https://localhost:{server.port}", "dev-kiosk", 5, ca_path("ca.crt", out))
        assert client.catalog().services
    finally:
        stop_thread(server, thread)


def test_kiosk_serve_refuses_half_the_tls_options_and_a_missing_file(tmp_path):
    base = [sys.executable, "-m", "app.cli", "serve", "--dev", "--data", str(tmp_path / "data"), "--port", "0"]
    half = subprocess.run(base + ["--tls-cert", str(tmp_path / "a.crt")], capture_output=True, text=True, timeout=60)
    assert half.returncode == 1 and "give both --tls-cert and --tls-key" in half.stderr
    missing = subprocess.run(base + ["--tls-cert", str(tmp_path / "a.crt"), "--tls-key", str(tmp_path / "a.key")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and f"TLS certificate file {tmp_path / 'a.crt'} does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_client_that_never_ends_its_tls_handshake_is_closed_after_the_head_timeout(engine, tls_files):
    import socket
    import time

    from kiosk.server import create_app
    from kiosk.serving import Limits

    server = build_server(create_app(engine, dev=True), "127.0.0.1", 0, limits=Limits(head_timeout_s=0.5),
                          tls=TlsFiles(tls_files.server_cert, tls_files.server_key), graceful_s=0.5)
    thread = run_in_thread(server)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"\x16\x03\x01")  # the first bytes of a ClientHello, then silence
            started = time.monotonic()
            try:
                while sock.recv(4096):
                    pass
            except ConnectionResetError:
                pass
            assert time.monotonic() - started < 3
    finally:
        stop_thread(server, thread)
