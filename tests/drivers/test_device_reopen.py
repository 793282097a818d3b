"""Devices that disappear and come back are reopened without a restart, with a growing pause.

The real edges are faked, the drivers run for real: a pty behind a symlink that udev would
remove and re-create (printer, card reader), a local TCP printer and a TCP sign controller
stopped and started again on the same port, a file printer's device node that vanishes.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from drivers.backoff import Backoff
from drivers.idcard import EventKind, ReaderWorker, Timeouts
from drivers.idcard.simulator import PtyReaderSimulator, SimCardDevice, sample_card_text
from drivers.pipe.scheme_file import may_create
from drivers.printer import PrinterSettings, PrinterUnavailable, open_printer
from drivers.printer.simulator import SerialPrinterSimulator
from drivers.printer.watch import BACK, RECONNECTING, PrinterWatch
from drivers.sign import open_sign_bus
from tests import polling
from tests.drivers.printer_samples import ticket

WAIT = 10.0  # generous: the machine is shared; a working driver is fast


def stop_listening(server: socket.socket) -> None:
    """Close a listening socket for good: a thread blocked in accept() keeps a merely closed one
    listening in the kernel; shutting it down first wakes that thread and refuses new clients."""
    try:
        server.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    server.close()


def wait_for(predicate, timeout: float = WAIT) -> bool:  # noqa: ANN001
    """``tests.polling.wait_for`` with this file's longer default."""
    return polling.wait_for(predicate, timeout)


class Heard:
    """What a ``PrinterWatch`` told its listener, in order."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def __call__(self, what: str, status) -> None:  # noqa: ANN001 - a PrinterStatus
        self.items.append((what, str(status.state)))

    def kinds(self) -> list[str]:
        return [what for what, _ in self.items]


def test_backoff_doubles_to_its_limit_and_starts_again_after_a_success() -> None:
    backoff = Backoff(0.5, 10.0)
    assert [backoff.next() for _ in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff.failures == 7
    backoff.reset()
    assert (backoff.next(), backoff.failures) == (0.5, 1)
    with pytest.raises(ValueError):
        Backoff(0, 1)


class TcpPrinter:
    """A port-9100 printer on loopback that can be switched off and on at the same port."""

    def __init__(self, port: int = 0) -> None:
        self.received = bytearray()
        self.server = socket.create_server(("127.0.0.1", port))
        self.port = self.server.getsockname()[1]
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._serve, args=(self.server,), daemon=True).start()

    def _serve(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                self.received += data
                for _ in range(data.count(b"\x10\x04")):  # DLE EOT n: all is well
                    conn.sendall(b"\x12")

    def off(self) -> None:
        """The printer is switched off: the listener and every connection go."""
        stop_listening(self.server)
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()


def test_serial_printer_behind_a_udev_name_is_watched_back(tmp_path: Path) -> None:
    with SerialPrinterSimulator() as sim:
        printer = open_printer(PrinterSettings(uri=sim.uri, status_timeout_s=0.3, write_timeout_s=2))
        heard = Heard()
        watch = PrinterWatch(printer, heard, first=0.05, limit=0.4)
        try:
            assert printer.print_ticket(ticket()).confirmed
            sim.unplug()  # the symlink goes, as /dev/hall-printer does when the cable is pulled
            assert not os.path.lexists(sim.path)
            with pytest.raises(PrinterUnavailable):
                printer.print_ticket(ticket())
            watch.lost()
            assert wait_for(lambda: heard.kinds().count(RECONNECTING) >= 2)
            sim.replug()
            sim.clear()
            assert wait_for(lambda: BACK in heard.kinds())
            assert heard.items[-1] == (BACK, "ok") and not watch.watching
            result = printer.print_ticket(ticket())  # the same Printer: no restart
            assert result.confirmed
            assert wait_for(lambda: len(sim.received) >= result.bytes_written)
        finally:
            watch.stop()
            printer.close()


def test_tcp_printer_switched_off_and_on_is_watched_back() -> None:
    tcp = TcpPrinter()
    printer = open_printer(PrinterSettings(uri=f"tcp://127.0.0.1:{tcp.port}", status_timeout_s=0.3,
                                           write_timeout_s=1))
    heard = Heard()
    watch = PrinterWatch(printer, heard, first=0.05, limit=0.4)
    try:
        assert printer.print_ticket(ticket()).confirmed
        tcp.off()
        with pytest.raises(PrinterUnavailable):  # the next ticket finds nobody there
            for _ in range(3):  # the first write may still go into the dead socket's buffer
                printer.print_ticket(ticket())
        watch.lost()
        assert wait_for(lambda: RECONNECTING in heard.kinds())
        tcp = TcpPrinter(tcp.port)  # switched on again, same address
        assert wait_for(lambda: BACK in heard.kinds())
        before = len(tcp.received)
        assert printer.print_ticket(ticket()).confirmed
        assert wait_for(lambda: len(tcp.received) > before)
    finally:
        watch.stop()
        printer.close()
        tcp.off()


class FifoDevice:
    """A device node that takes bytes while plugged in (a FIFO with a reader on the far side)
    and is gone when unplugged: writes to it fail and its name is removed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.received = bytearray()
        self._fd = -1

    def plug(self) -> None:
        os.mkfifo(self.path)
        self._fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        threading.Thread(target=self._read, args=(self._fd,), daemon=True).start()

    def _read(self, fd: int) -> None:
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                time.sleep(0.01)
                continue
            except OSError:
                return
            if data:
                self.received += data
            elif self._fd != fd:
                return
            else:
                time.sleep(0.01)

    def unplug(self) -> None:
        fd, self._fd = self._fd, -1
        os.close(fd)
        self.path.unlink()


def test_file_printer_never_creates_a_plain_file_for_a_vanished_device(tmp_path: Path) -> None:
    node = FifoDevice(tmp_path / "lp0")  # stands for /dev/usb/lp0
    node.plug()
    name = tmp_path / "hall-printer"  # udev's stable name for it
    name.symlink_to(node.path)
    printer = open_printer(f"file://{name}")
    heard = Heard()
    watch = PrinterWatch(printer, heard, first=0.05, limit=0.2)
    try:
        printer.print_ticket(ticket())
        assert wait_for(lambda: len(node.received) > 0)
        node.unplug()  # the name dangles now
        with pytest.raises(PrinterUnavailable):
            printer.print_ticket(ticket())
        assert not os.path.exists(name)  # no plain file swallowing tickets in the device's place
        watch.lost()
        assert wait_for(lambda: RECONNECTING in heard.kinds())
        assert not os.path.exists(name)
        node.received.clear()
        node.plug()
        assert wait_for(lambda: BACK in heard.kinds())
        printer.print_ticket(ticket())
        assert wait_for(lambda: len(node.received) > 0)
    finally:
        watch.stop()
        printer.close()
    assert not may_create("/dev/hall-printer") and may_create(str(tmp_path / "tickets.bin"))


def test_a_ticket_that_prints_ends_the_watch(tmp_path: Path) -> None:
    printer = open_printer("dummy:")
    heard = Heard()
    watch = PrinterWatch(printer, heard, first=5.0, limit=5.0)
    try:
        watch.lost()
        assert watch.watching
        watch.printed()
        assert wait_for(lambda: not watch.watching) and watch.wait_idle(2.0)
        assert heard.items == []  # nothing said: the ticket already told everyone
    finally:
        watch.stop()


def test_card_reader_away_for_a_while_is_back_within_its_longest_pause(tmp_path: Path) -> None:
    link = tmp_path / "hall-idreader"
    device = SimCardDevice(sample_card_text("resident"))
    with PtyReaderSimulator(device, link=link) as sim:
        worker = ReaderWorker(str(link), poll_interval=0.02, reopen_interval=0.05, reopen_limit=0.4,
                              health_interval=0.05, today=lambda: date(2024, 6, 1),
                              timeouts=Timeouts(find=0.3, select=0.3, read=1.0, sam=0.3))
        worker.start()
        try:
            sim.unplug()
            assert wait_for(lambda: not worker.reader_ok)
            time.sleep(1.5)  # long enough for the pause to reach its limit
            sim.plug()
            plugged = time.monotonic()
            assert wait_for(lambda: worker.reader_ok)
            assert time.monotonic() - plugged < 0.4 + 2.0  # the longest pause, plus slack for a busy machine
            kinds = []
            while not worker.events.empty():
                kinds.append(worker.events.get().kind)
            assert kinds == [EventKind.READER_LOST, EventKind.READER_BACK]  # each once, not per retry
            worker.start_polling()
            event = worker.events.get(timeout=WAIT)
            assert event.kind is EventKind.CARD_READ
        finally:
            worker.stop()


def test_tcp_sign_controller_restarted_gets_the_latest_text() -> None:
    frames = bytearray()
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve(listener: socket.socket) -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            while data := conn.recv(4096):
                frames.extend(data)

    threading.Thread(target=serve, args=(server,), daemon=True).start()
    bus = open_sign_bus(f"tcp://127.0.0.1:{port}?gap_ms=0", reconnect_interval=0.05, reconnect_limit=0.3)
    try:
        bus.show(3, "A001")
        assert wait_for(lambda: b"A001" in frames)
        stop_listening(server)  # the controller is power-cycled: nothing listens for a while
        bus.transport.close()  # its connection dropped with it
        bus.show(3, "A002")
        assert wait_for(lambda: bus.status().failures >= 2)
        bus.show(3, "A003")  # a newer call while the bus is down replaces the one not sent
        failures = bus.status().failures
        time.sleep(1.0)
        # The pause grows to 0.3 s: about 3 attempts a second, not one every 0.05 s.
        assert bus.status().failures - failures <= 8
        server = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=serve, args=(server,), daemon=True).start()
        assert wait_for(lambda: b"A003" in frames)
        assert b"A002" not in frames
        assert wait_for(lambda: bus.status().connected and bus.status().ok)
    finally:
        bus.close()
        stop_listening(server)
