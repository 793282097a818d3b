"""URIs, settings and the transports other than the pty: dummy, file, tcp, loop, usb, cups."""

from __future__ import annotations

import importlib.util
import socket
import threading

import pytest
from pydantic import ValidationError

from drivers.pipe.scheme_file import FilePipe
from drivers.pipe.scheme_serial import SerialPipe
from drivers.pipe.scheme_tcp import TcpPipe
from drivers.printer import (
    PaperOut,
    PrinterConfigError,
    PrinterNotResponding,
    PrinterSettings,
    PrinterState,
    PrinterUnavailable,
    PrintTimeout,
    open_printer,
    parse_uri,
    printer_pipe,
    render_ticket,
)
from drivers.printer.transports import CupsTransport, DummyTransport, UsbTransport
from tests.drivers.escpos_decode import decode
from tests.drivers.printer_samples import STATUS_URL, ticket


@pytest.mark.parametrize(
    ("uri", "kind", "extra"),
    [
        ("usb://0416:5011?in_ep=0x81&out_ep=0x03",
         "usb", {"vendor": 0x0416, "product": 0x5011, "in_ep": 0x81, "out_ep": 3}),
        ("serial:///dev/ttyUSB0?baudrate=9600&rtscts=1",
         "serial", {"url": "/dev/ttyUSB0", "baudrate": 9600, "rtscts": True}),
        ("serial:///dev/ttyS0", "serial", {"url": "/dev/ttyS0", "baudrate": 115200}),
        ("loop://", "serial", {"url": "loop://"}),
        ("serial://socket://127.0.0.1:7000", "serial", {"url": "socket://127.0.0.1:7000"}),
        ("tcp://192.168.1.50:9100", "tcp", {"host": "192.168.1.50", "port": 9100}),
        ("tcp://printer.local", "tcp", {"host": "printer.local", "port": 9100}),
        ("cups://TicketPrinter", "cups", {"queue": "TicketPrinter"}),
        ("file:///tmp/ticket.bin", "file", {"path": "/tmp/ticket.bin"}),
        ("dummy:", "dummy", {}),
    ],
)
def test_uris_parse(uri, kind, extra) -> None:
    classes = {"usb": UsbTransport, "serial": SerialPipe, "tcp": TcpPipe, "cups": CupsTransport,
               "file": FilePipe, "dummy": DummyTransport}
    assert parse_uri(uri).text == uri
    transport = printer_pipe(uri)
    assert type(transport) is classes[kind]
    assert not transport.is_open  # checking a URI never touches the device
    for key, value in extra.items():
        settings = getattr(transport, "settings", {})
        assert (settings[key] if key in settings else getattr(transport, key)) == value
    assert transport.can_answer == (kind in ("usb", "serial", "tcp"))


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("", "empty"),
        ("printer", "no scheme"),
        ("lpt://1", "unknown scheme 'lpt'; use one of usb://.*dummy:"),
        ("usb://0416", "VVVV:PPPP"),
        ("usb://zz16:5011", "hex"),
        ("usb://0416:5011?in_ep=abc", "in_ep"),
        ("usb://0416:5011?in_ep=0x03", "in_ep=3 is outside"),
        ("usb://0416:5011?speed=9", "speed"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "baudrate"),
        ("serial:///dev/ttyUSB0?baud=9600", "baud"),
        ("serial://ttyUSB0", "absolute"),
        ("tcp://:9100", "host"),
        ("tcp://host:99999", "port"),
        ("cups://", "QueueName"),
        ("file://relative/x.bin", "absolute"),
        ("dummy:x", "no name"),
    ],
)
def test_bad_uris_name_the_problem(uri, words) -> None:
    with pytest.raises(PrinterConfigError, match=words):
        parse_uri(uri)
    if not uri:
        return  # in the settings an empty URI means "no printer" (next test)
    with pytest.raises(ValidationError, match=words):
        PrinterSettings(uri=uri)


def test_an_empty_uri_in_the_settings_means_no_printer() -> None:
    assert PrinterSettings(uri="  ").uri == ""


def test_settings_defaults_and_limits() -> None:
    settings = PrinterSettings()
    assert (settings.uri, settings.mode, settings.width_mm, settings.qr) == ("dummy:", "text", 80, "native")
    assert (settings.status_timeout_s, settings.write_timeout_s) == (0.5, 5.0)
    assert settings.logo is None and settings.show_materials
    assert (settings.columns, PrinterSettings(width_mm=58).columns) == (48, 32)
    for bad in ({"width_mm": 76}, {"mode": "pdf"}, {"qr": "svg"}, {"status_timeout_s": 0},
                {"write_timeout_s": -1}, {"paper": 80}):
        with pytest.raises(ValidationError):
            PrinterSettings(**bad)


def test_dummy_keeps_the_bytes_and_cannot_confirm() -> None:
    printer = open_printer("dummy:")
    result = printer.print_ticket(ticket())
    assert result.status.state is PrinterState.UNKNOWN and not result.status.answerable
    assert result.status.fine and not result.confirmed
    assert printer.output == render_ticket(ticket(), PrinterSettings())
    assert decode(printer.output).qr_payloads == [STATUS_URL]


def test_file_printer_appends_tickets(tmp_path) -> None:
    path = tmp_path / "ticket.bin"
    printer = open_printer(f"file://{path}")
    first = printer.print_ticket(ticket(number="A001"))
    printer.print_ticket(ticket(number="A002"))
    data = path.read_bytes()
    assert len(data) == 2 * first.bytes_written  # same layout, one number differs
    numbers = [line.text for line in decode(data).lines if line.text.startswith("A00")]
    assert numbers == ["A001", "A002"]
    printer.close()


def test_file_printer_in_a_missing_folder_is_unavailable(tmp_path) -> None:
    printer = open_printer(f"file://{tmp_path}/gone/ticket.bin")
    with pytest.raises(PrinterUnavailable, match="cannot open") as caught:
        printer.print_ticket(ticket())
    assert not caught.value.maybe_printed
    assert printer.status().state is PrinterState.OFFLINE
    (tmp_path / "gone").mkdir()
    assert printer.print_ticket(ticket()).bytes_written > 0  # back by itself


def test_loop_echo_is_garbage_not_fine() -> None:
    """loop:// echoes the query (0x10), which is not a status byte: unknown, not done."""
    printer = open_printer(PrinterSettings(uri="loop://", status_timeout_s=0.2))
    status = printer.status()
    assert status.state is PrinterState.UNKNOWN and status.answerable and not status.fine
    with pytest.raises(PrinterNotResponding):
        printer.print_ticket(ticket())


class _TcpPrinter:
    """A raw port-9100 printer on localhost answering DLE EOT with a fixed byte."""

    def __init__(self, answer: int | None = 0x12) -> None:
        self.answer = answer
        self.received = bytearray()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.accepting = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                self.received += data
                # Text tickets hold no image data, so a plain scan finds every query.
                if self.answer is not None:
                    for _ in range(data.count(b"\x10\x04")):
                        conn.sendall(bytes((self.answer,)))

    def close(self) -> None:
        self.server.close()


def test_tcp_printer_prints_and_answers() -> None:
    tcp = _TcpPrinter()
    printer = open_printer(PrinterSettings(uri=f"tcp://127.0.0.1:{tcp.port}"))
    result = printer.print_ticket(ticket())
    assert result.confirmed
    printer.close()
    tcp.thread.join(5)
    assert decode(bytes(tcp.received)).qr_payloads == [STATUS_URL]
    tcp.close()


def test_tcp_printer_that_never_answers_is_not_done() -> None:
    tcp = _TcpPrinter(answer=None)
    printer = open_printer(PrinterSettings(uri=f"tcp://127.0.0.1:{tcp.port}", status_timeout_s=0.2))
    with pytest.raises(PrinterNotResponding):
        printer.print_ticket(ticket())
    printer.close()
    tcp.close()


def test_tcp_printer_missing_is_unavailable() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()  # nothing listens there now
    printer = open_printer(PrinterSettings(uri=f"tcp://127.0.0.1:{port}", write_timeout_s=1))
    with pytest.raises(PrinterUnavailable, match="cannot connect"):
        printer.print_ticket(ticket())


@pytest.mark.skipif(importlib.util.find_spec("usb") is not None, reason="pyusb installed")
def test_usb_without_pyusb_says_what_to_install() -> None:
    printer = open_printer("usb://0416:5011?in_ep=0x81&out_ep=0x03")
    with pytest.raises(PrinterUnavailable, match="pyusb"):
        printer.print_ticket(ticket())
    assert printer.status().state is PrinterState.OFFLINE


@pytest.mark.skipif(importlib.util.find_spec("cups") is not None, reason="pycups installed")
def test_cups_without_pycups_says_what_to_install() -> None:
    with pytest.raises(PrinterUnavailable, match="pycups"):
        open_printer("cups://TicketPrinter").print_ticket(ticket())


def test_busy_printer_status_does_not_block_past_its_bound() -> None:
    printer = open_printer(PrinterSettings(write_timeout_s=0.2, status_timeout_s=0.05))
    with printer._lock:  # another thread is printing a long job
        status = printer.status()
        with pytest.raises(PrintTimeout, match="busy"):
            printer.print_ticket(ticket())
    assert status.state is PrinterState.UNKNOWN


def test_sim_printer_answers_status_in_process() -> None:
    printer = open_printer("sim:")
    result = printer.print_ticket(ticket())
    assert result.confirmed and printer.transport.queries == [1, 4, 1, 4]  # before and after
    assert decode(bytes(printer.transport.received)).qr_payloads == [STATUS_URL]
    printer.transport.paper = "out"
    with pytest.raises(PaperOut):
        printer.print_ticket(ticket())
    silent = open_printer(PrinterSettings(uri="sim:?paper=silent", status_timeout_s=0.05))
    with pytest.raises(PrinterNotResponding):
        silent.print_ticket(ticket())
