"""Byte pipes: one parser, one registry mapping each scheme to its handler, and every shared
transport over a real edge (a pty, a loopback socket, a temp file)."""

from __future__ import annotations

import os
import socket
import threading
import time
import tty
from collections.abc import Iterator

import pytest

import drivers.idcard  # noqa: F401  (each driver registers its own schemes on import)
import drivers.printer  # noqa: F401
import drivers.sign  # noqa: F401
from drivers.idcard.simulator import SimulatedReader, forget_sim
from drivers.idcard.uri import DEVICE as READER
from drivers.pipe import (
    BytePipe,
    Options,
    PipeTimeout,
    PipeUnavailable,
    PipeUri,
    PipeUriError,
    parse_uri,
    pipe_for_uri,
    register,
    registry,
)
from drivers.pipe.scheme_file import FilePipe
from drivers.pipe.scheme_serial import SerialPipe
from drivers.pipe.scheme_tcp import TcpPipe
from drivers.printer.simpipe import SimPrinterTransport
from drivers.printer.transports import CupsTransport, DummyTransport, UsbTransport
from drivers.sign.simulator import SimTransport

PRINTER, SIGN = "printer", "sign"


@pytest.fixture(autouse=True)
def no_shared_sim_devices() -> Iterator[None]:
    yield
    forget_sim()


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    """A pty: the test holds the master (the device's side), the pipe opens the slave's path."""
    master, slave = os.openpty()
    tty.setraw(slave)  # no echo, no line editing: bytes pass as they are
    yield master, os.ttyname(slave)
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass  # closed by the test (the device unplugged)


def read_exactly(fd: int, size: int, timeout: float = 2.0) -> bytes:
    deadline = time.monotonic() + timeout
    data = b""
    while len(data) < size and time.monotonic() < deadline:
        data += os.read(fd, size - len(data))
    return data


@pytest.mark.parametrize(("text", "scheme", "target", "options"), [
    ("serial:///dev/ttyUSB0?baudrate=9600", "serial", "/dev/ttyUSB0", {"baudrate": "9600"}),
    ("/dev/ttyUSB0", "serial", "/dev/ttyUSB0", {}),
    ("SIM:resident?born=1950-03-07&sex=2", "sim", "resident", {"born": "1950-03-07", "sex": "2"}),
    ("sim:?gap_ms=0", "sim", "", {"gap_ms": "0"}),
    ("tcp://[::1]:9100", "tcp", "[::1]:9100", {}),
    ("serial://loop://?logging=debug", "serial", "loop://", {"logging": "debug"}),
    ("file:///tmp/a%20b.bin", "file", "/tmp/a b.bin", {}),
    ("  dummy:  ", "dummy", "", {}),
])
def test_one_parser_splits_every_form(text: str, scheme: str, target: str, options: dict) -> None:
    uri = parse_uri(text, PRINTER)
    assert (uri.scheme, uri.target, dict(uri.options)) == (scheme, target, options)
    assert uri.text == text.strip() and uri.device == PRINTER


@pytest.mark.parametrize(("device", "uri", "kind"), [
    *[(device, uri, SerialPipe) for device in (PRINTER, SIGN, READER)
      for uri in ("serial:///dev/ttyUSB0", "/dev/ttyUSB0", "loop://", "socket://127.0.0.1:7000",
                  "serial://spy:///dev/ttyUSB0")],
    *[(device, "tcp://192.168.1.60:5005", TcpPipe) for device in (PRINTER, SIGN, READER)],
    (PRINTER, "file:///tmp/ticket.bin", FilePipe),
    (SIGN, "file:///tmp/frames.bin", FilePipe),
    (PRINTER, "usb://0416:5011", UsbTransport),
    (PRINTER, "cups://TicketPrinter", CupsTransport),
    (PRINTER, "dummy:", DummyTransport),
    (PRINTER, "sim:?paper=near_end", SimPrinterTransport),
    (SIGN, "sim:", SimTransport),
    (READER, "sim:resident?born=1950-03-07", SimulatedReader),
])
def test_each_scheme_opens_its_handler(device: str, uri: str, kind: type[BytePipe]) -> None:
    pipe = pipe_for_uri(uri, device=device)
    assert type(pipe) is kind
    assert not pipe.is_open  # checking a URI never touches the device


@pytest.mark.parametrize(("device", "uri"), [
    (SIGN, "usb://0416:5011"), (SIGN, "dummy:"), (READER, "cups://TicketPrinter"),
    (READER, "usb://0416:5011"),
])
def test_a_drivers_own_schemes_are_not_offered_to_the_others(device: str, uri: str) -> None:
    with pytest.raises(PipeUriError, match="unknown scheme") as caught:
        pipe_for_uri(uri, device=device)
    suggested = str(caught.value).split("; use one of ")[1]
    assert "sim:" in suggested and "usb://" not in suggested and "dummy:" not in suggested


@pytest.mark.parametrize(("device", "uri", "problem", "fix"), [
    (PRINTER, "", "is empty", "write one such as serial:///dev/ttyUSB0"),
    (SIGN, "ttyUSB0", "has no scheme", "begin it with one"),
    (SIGN, "lpt://1", "unknown scheme 'lpt'", "use one of sim:, serial:///dev/ttyUSB0"),
    (PRINTER, "serial://ttyUSB0", "'ttyUSB0' is not absolute", "three slashes"),
    (SIGN, "serial://", "no serial port given", "serial:///dev/ttyUSB0"),
    (READER, "serial:///dev/ttyUSB1?baud=9600", "unknown option 'baud'", "options here: baudrate"),
    (SIGN, "serial:///dev/ttyUSB2?baudrate=fast", "baudrate='fast' is not a whole number",
     "baudrate=N with N from 50 to 4000000"),
    (SIGN, "serial:///dev/ttyUSB2?baudrate=20", "baudrate=20 is outside 50-4000000", "N from 50"),
    (SIGN, "serial:///dev/ttyUSB2?stopbits=3", "stopbits='3' is not one of 1, 1.5, 2",
     "write stopbits=1"),
    (PRINTER, "serial:///dev/ttyUSB0?rtscts=maybe", "rtscts='maybe' is not one of", "rtscts=1"),
    (SIGN, "tcp://192.168.1.60", "needs host and port", "write tcp://192.168.1.60:5005"),
    (PRINTER, "tcp://:9100", "host missing", "write tcp://"),
    (PRINTER, "tcp://printer:9100/queue", "unexpected path '/queue'", "write tcp://"),
    (SIGN, "tcp://192.168.1.60:70000", "port must be a number from 1 to 65535", "write tcp://"),
    (PRINTER, "file://tmp/x.bin", "must be absolute", "three slashes"),
    (SIGN, "file:///tmp/x.bin?mode=a", "unknown option 'mode'", "leave the options out"),
    (READER, "sim:martian", "unknown kind 'martian'", "use one of sim:resident"),
    (PRINTER, "sim:?paper=soggy", "paper='soggy' is not one of ok,", "write paper=ok"),
    (PRINTER, "usb://0416:5011?out_ep=0x81", "out_ep=129 is outside 1-15", "write out_ep=N"),
])
def test_bad_uris_say_what_is_wrong_and_what_to_write(device: str, uri: str, problem: str,
                                                        fix: str) -> None:
    with pytest.raises(PipeUriError) as caught:
        pipe_for_uri(uri, device=device)
    message = str(caught.value)
    assert message.startswith(f"{device} URI")
    assert problem in message and fix in message
    assert message.index(problem) < message.index(fix)


def test_a_line_that_cannot_answer_is_refused_where_answers_are_needed() -> None:
    with pytest.raises(PipeUriError, match="cannot carry the ID card reader's answers back") as caught:
        pipe_for_uri("file:///tmp/reader.bin", device=READER, needs_answers=True)
    assert "file:///path" not in str(caught.value)  # only lines that can answer are suggested
    assert isinstance(pipe_for_uri("loop://", device=READER, needs_answers=True), SerialPipe)


def test_device_defaults_fill_what_the_uri_leaves_out() -> None:
    assert pipe_for_uri("tcp://printer.local", device=PRINTER, defaults={"port": 9100}).port == 9100
    assert pipe_for_uri("tcp://printer.local:4000", device=PRINTER, defaults={"port": 9100}).port == 4000
    sign = pipe_for_uri("serial:///dev/ttyUSB2", device=SIGN, defaults={"baudrate": 9600})
    assert sign.settings["baudrate"] == 9600 and sign.byte_time == pytest.approx(10 / 9600)
    even = pipe_for_uri("serial:///dev/ttyUSB2?baudrate=9600&parity=E&stopbits=2", device=SIGN)
    assert even.byte_time == pytest.approx(12 / 9600)  # start, 8 data, parity, 2 stop bits


def test_pyserial_url_options_stay_in_the_url_for_pyserial() -> None:
    pipe = pipe_for_uri("serial://loop://?logging=debug&baudrate=9600", device=SIGN)
    assert (pipe.url, pipe.settings["baudrate"]) == ("loop://?logging=debug", 9600)
    pipe.open(1.0)
    try:
        pipe.write(b"echo", 1.0)
        assert pipe.read(16, 1.0) == b"echo"
    finally:
        pipe.close()


class _MemoryPipe(BytePipe):
    """A pipe for a device the project does not have, registered by a test."""

    def __init__(self, size: int) -> None:
        super().__init__(f"memory of {size}")
        self.size = size

    def _open(self, timeout: float) -> None:
        pass

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        return len(chunk)


def memory_pipe(uri: PipeUri, options: Options) -> _MemoryPipe:
    return _MemoryPipe(options.integer("size", 8, 1, 64))


def test_a_driver_registers_its_own_scheme_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_SCHEMES", dict(registry._SCHEMES))
    register("mem", f"{__name__}:memory_pipe", example="mem:", device="widget")
    pipe = pipe_for_uri("mem:?size=3", device="widget")
    assert isinstance(pipe, _MemoryPipe) and pipe.size == 3
    with pytest.raises(PipeUriError, match="unknown option 'colour'; options here: size"):
        pipe_for_uri("mem:?colour=red", device="widget")
    with pytest.raises(PipeUriError, match="unknown scheme 'mem'"):
        pipe_for_uri("mem:", device=PRINTER)


def test_serial_through_a_pty(pty: tuple[int, str]) -> None:
    master, path = pty
    pipe = pipe_for_uri(f"serial://{path}?baudrate=9600", device=SIGN)
    pipe.open(1.0)
    try:
        assert pipe.write(b"\x01\x03A012\x07", 1.0) == 7
        assert read_exactly(master, 7) == b"\x01\x03A012\x07"
        started = time.monotonic()
        assert pipe.read(16, 0.1) == b""  # nothing came: the timeout, then nothing
        assert time.monotonic() - started >= 0.09
        os.write(master, b"stale")
        assert pipe.read(1, 1.0) == b"s"
        pipe.discard_input()
        assert pipe.read(16, 0.05) == b""
        os.write(master, b"xyz")
        assert pipe.read(2, 1.0) == b"xy" and pipe.read(16, 1.0) == b"z"
    finally:
        pipe.close()


def test_a_serial_read_returns_as_soon_as_bytes_arrive(pty: tuple[int, str]) -> None:
    master, path = pty
    pipe = pipe_for_uri(path, device=READER)
    pipe.open(1.0)
    later = threading.Timer(0.1, os.write, (master, b"\x12"))
    later.start()
    try:
        started = time.monotonic()
        assert pipe.read(16, 5.0) == b"\x12"
        assert time.monotonic() - started < 2.0
    finally:
        later.join()
        pipe.close()


def test_a_serial_line_that_stops_taking_bytes_times_out_with_the_count(pty: tuple[int, str]) -> None:
    _, path = pty  # the device side never reads: the pty's buffer fills up
    pipe = pipe_for_uri(f"serial://{path}", device=PRINTER)
    pipe.open(1.0)
    started = time.monotonic()
    try:
        with pytest.raises(PipeTimeout) as caught:
            pipe.write(bytes(1_000_000), 0.3)
    finally:
        pipe.close()
    assert time.monotonic() - started < 3.0
    assert 0 < caught.value.bytes_written < 1_000_000


def test_an_unplugged_serial_line_is_unavailable_until_it_is_back(pty: tuple[int, str]) -> None:
    master, path = pty
    pipe = pipe_for_uri(f"serial://{path}", device=SIGN)
    pipe.open(1.0)
    os.close(master)  # the adapter is pulled out: its pts node goes away
    with pytest.raises(PipeUnavailable, match=f"serial {path} at 115200 baud lost"):
        pipe.write(b"A001", 1.0)
    pipe.close()
    with pytest.raises(PipeUnavailable, match="cannot open"):
        pipe.open(1.0)
    assert not pipe.is_open


def test_a_closed_pipe_refuses_io_and_opens_again() -> None:
    pipe = pipe_for_uri("loop://", device=SIGN)
    with pytest.raises(PipeUnavailable, match="is not open"):
        pipe.write(b"x", 1.0)
    with pytest.raises(PipeUnavailable, match="is not open"):
        pipe.read(1, 0.0)
    pipe.open(1.0)
    pipe.close()
    pipe.close()  # closing twice is harmless
    pipe.open(1.0)
    try:
        assert pipe.write(b"again", 1.0) == 5 and pipe.read(5, 1.0) == b"again"
    finally:
        pipe.close()


def test_tcp_through_a_loopback_socket() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    pipe = pipe_for_uri(f"tcp://127.0.0.1:{port}", device=SIGN)
    pipe.open(2.0)
    conn, _ = server.accept()
    try:
        assert pipe.write(b"\x01\x09A012\x07", 1.0) == 7
        conn.settimeout(2.0)
        assert conn.recv(64) == b"\x01\x09A012\x07"
        assert pipe.read(16, 0.05) == b""
        conn.sendall(b"stale")
        assert pipe.read(1, 1.0) == b"s"
        pipe.discard_input()
        conn.sendall(b"\x12")
        assert pipe.read(16, 1.0) == b"\x12"
        conn.close()
        with pytest.raises(PipeUnavailable, match="closed the connection"):
            pipe.read(16, 1.0)
    finally:
        pipe.close()
        server.close()
    with pytest.raises(PipeUnavailable, match=f"cannot connect to tcp 127.0.0.1:{port}"):
        pipe.open(1.0)  # nothing listens there now


def test_file_through_a_temp_file(tmp_path) -> None:
    path = tmp_path / "frames.bin"
    pipe = pipe_for_uri(f"file://{path}", device=SIGN)
    assert not pipe.can_answer
    for data in (b"one", b"two"):
        pipe.open(1.0)
        assert pipe.write(data, 1.0) == 3
        assert pipe.read(16, 0.0) == b""  # nothing ever comes back from a file
        pipe.close()
    assert path.read_bytes() == b"onetwo"
    missing = pipe_for_uri(f"file://{tmp_path}/gone/frames.bin", device=PRINTER)
    with pytest.raises(PipeUnavailable, match="cannot open"):
        missing.open(1.0)
