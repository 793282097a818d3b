"""The sign bus worker over a real pty, a TCP socket and the simulator."""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.pipe import PipeError
from drivers.sign import SignBus, SignProtocolError, open_sign_bus
from tests.polling import wait_for

QING, HAO = b"\xc7\xeb", b"\xba\xc5"  # 请 and 号 in GBK


def expected_frame(address: int, text_bytes: bytes) -> bytes:
    """The ascii485 frame as the spec writes it: 01, address, GBK text, 07."""
    return bytes([0x01, address]) + text_bytes + bytes([0x07])




class PtyReader:
    """The far end of a pty: reads the master and cuts frames, timing when each one ended."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.frames: list[tuple[float, bytes]] = []
        self._buf = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 256)
            except OSError:
                return
            now = time.monotonic()
            self._buf += chunk
            # A frame is 01, one address byte, text, 07 (cut independently of the driver).
            while len(self._buf) >= 3 and 0x07 in self._buf[2:]:
                end = self._buf.index(0x07, 2) + 1
                self.frames.append((now, self._buf[:end]))
                self._buf = self._buf[end:]

    def unplug(self) -> None:
        """Make the port vanish, as a USB adapter pulled out does."""
        self._stop.set()
        self._thread.join(1)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_link(tmp_path: Path) -> Iterator[tuple[Path, list[PtyReader]]]:
    """A stable device name (like /dev/serial/by-id/…) pointing at a fresh pty."""
    link = tmp_path / "ttySIGN"
    readers = [PtyReader()]
    link.symlink_to(readers[0].path)
    yield link, readers
    for reader in readers:
        if not reader._stop.is_set():
            reader.unplug()


def test_frames_over_a_pty_byte_by_byte_with_gap(pty_link: tuple[Path, list[PtyReader]]) -> None:
    link, (reader,) = pty_link
    gap = 0.25
    bus = open_sign_bus(f"serial://{link}?baudrate=9600&protocol=ascii485&gap_ms=250")
    try:
        bus.show(3, "请A012号")
        bus.show(12, "B005")
        bus.show(1, "请C100号")
        assert wait_for(lambda: len(reader.frames) == 3)
    finally:
        bus.close()
    assert [f for _, f in reader.frames] == [
        expected_frame(3, QING + b"A012" + HAO),
        expected_frame(12, b"B005"),
        expected_frame(1, QING + b"C100" + HAO),
    ]
    times = [t for t, _ in reader.frames]
    assert all(b - a >= gap * 0.8 for a, b in zip(times, times[1:], strict=False))
    status = bus.status()
    assert status.connected and status.frames_sent == 3 and status.last_error is None
    assert status.signs[12].text == "B005"


def test_reconnects_after_the_port_disappears(pty_link: tuple[Path, list[PtyReader]]) -> None:
    link, readers = pty_link
    bus = open_sign_bus(f"serial://{link}?gap_ms=200", reconnect_interval=0.05)
    try:
        bus.show(3, "A001")
        assert wait_for(lambda: len(readers[0].frames) == 1)
        readers[0].unplug()
        link.unlink()
        bus.show(3, "A002")
        assert wait_for(lambda: bus.status().failures >= 2)  # write failed, then reopen failed
        down = bus.status()
        assert not down.connected and str(link) in (down.last_error or "")
        # The adapter comes back under the same name.
        readers.append(PtyReader())
        link.symlink_to(readers[1].path)
        assert wait_for(lambda: len(readers[1].frames) == 1)
        assert readers[1].frames[0][1] == expected_frame(3, b"A002")
        assert wait_for(lambda: bus.status().last_error is None)
        assert bus.status().connected
    finally:
        bus.close()


def test_show_never_raises_bus_failures_and_sends_the_latest_text() -> None:
    bus = open_sign_bus("sim:?gap_ms=0", reconnect_interval=0.05)
    sim = bus.transport
    sim.failing = True  # the bus is down before the first frame
    try:
        bus.show(5, "A001")
        assert wait_for(lambda: bus.status().failures >= 1)
        bus.show(5, "A002")
        bus.show(5, "A003")
        bus.show(6, "B001")
        assert "simulated failure" in (bus.status().last_error or "")
        sim.failing = False
        assert bus.wait_idle(5)
    finally:
        bus.close()
    # Sign 5 only ever needs the latest call: older texts queued while down are not replayed.
    assert [f.data for f in sim.frames] == [expected_frame(5, b"A003"), expected_frame(6, b"B001")]
    assert bus.status().signs[5].text == "A003"


def test_sim_records_gap_between_frames() -> None:
    bus = open_sign_bus("sim:?gap_ms=200")
    try:
        for address in (1, 2, 3):
            bus.show(address, f"A00{address}")
        assert bus.wait_idle(5)
    finally:
        bus.close()
    times = [f.at for f in bus.transport.frames]
    assert len(times) == 3
    assert all(b - a >= 0.2 * 0.8 for a, b in zip(times, times[1:], strict=False))


def test_width_per_sign_and_substitutes_are_reported() -> None:
    bus = open_sign_bus("sim:?gap_ms=0&width=16", widths={4: 4})
    try:
        wide = bus.show(3, "请A012号到3号窗口")
        narrow = bus.show(4, "请A012号")
        odd = bus.show(5, "A\x07𠀀1")
        assert bus.wait_idle(5)
    finally:
        bus.close()
    assert wide.text == "请A012号到3号窗" and wide.truncated  # 15 of 16 cells
    assert narrow.text == "请A0" and narrow.truncated
    assert odd.text == "A??1" and odd.replaced == ("\x07", "𠀀")
    assert bus.status().signs[5].warnings
    assert [f.data for f in bus.transport.frames][2] == expected_frame(5, b"A??1")


def test_bad_address_is_a_typed_error_and_status_listener_hears_changes() -> None:
    heard = []
    bus = open_sign_bus("sim:?gap_ms=0", on_status=heard.append)
    try:
        with pytest.raises(SignProtocolError, match="address 300"):
            bus.show(300, "A001")
        bus.show(2, "A001")
        assert bus.wait_idle(5)
    finally:
        bus.close()
    assert heard and heard[-1].frames_sent == 1


def test_tcp_controller_gets_frames_and_an_absent_one_is_reported() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    received = bytearray()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while len(received) < 11 and (chunk := conn.recv(64)):
                received.extend(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    bus = open_sign_bus(f"tcp://127.0.0.1:{port}?protocol=ascii485&gap_ms=0")
    try:
        bus.show(9, "请A012号")
        thread.join(5)
    finally:
        bus.close()
        server.close()
    assert bytes(received) == expected_frame(9, QING + b"A012" + HAO)

    absent = open_sign_bus(f"tcp://127.0.0.1:{port}?gap_ms=0", reconnect_interval=0.05)
    try:
        absent.show(9, "A001")
        assert wait_for(lambda: absent.status().failures >= 1)
        assert "cannot connect to tcp 127.0.0.1" in (absent.status().last_error or "")
    finally:
        absent.close()


def test_closed_bus_refuses_new_texts() -> None:
    sign_bus = open_sign_bus("sim:")
    assert isinstance(sign_bus, SignBus)
    sign_bus.close()
    with pytest.raises(RuntimeError, match="closed"):
        sign_bus.show(1, "A001")
    with pytest.raises(PipeError):
        sign_bus.transport.write(b"x", 1.0)
