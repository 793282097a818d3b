"""Printer device URIs, read by the one parser and scheme registry of ``drivers.pipe``.

Accepted forms::

    usb://0416:5011?in_ep=0x81&out_ep=0x03      vendor:product, endpoints optional
    serial:///dev/ttyUSB0?baudrate=115200       any path, also a pty or a udev symlink
    serial://loop://  or  loop://, socket://host:port, spy://..., rfc2217://...
                                                handed to pyserial's serial_for_url
    tcp://192.168.1.50:9100                     raw TCP (port 9100 if omitted)
    cups://TicketPrinter                        a CUPS queue, sent raw
    file:///tmp/ticket.bin                      appended to a file or a device node
    dummy:                                      kept in memory
    sim:  or  sim:?paper=out                    the simulated printer, in-process
"""

from __future__ import annotations

from drivers.pipe import BytePipe, PipeUri, PipeUriError, pipe_for_uri
from drivers.pipe import parse_uri as split_uri
from drivers.printer import transports
from drivers.printer.errors import PrinterConfigError

#: A printer's defaults where the URI says nothing: 115200 baud, JetDirect's port 9100.
DEFAULTS = {"baudrate": 115200, "port": 9100}


def printer_pipe(uri: str) -> BytePipe:
    """The transport a printer URI names, not yet open; ``PrinterConfigError`` names what is
    wrong and what to write instead."""
    try:
        return pipe_for_uri(uri, device=transports.DEVICE, defaults=DEFAULTS)
    except PipeUriError as exc:
        raise PrinterConfigError(str(exc)) from None


def parse_uri(uri: str) -> PipeUri:
    """Check a printer URI and return it split (``scheme``, ``target``, ``options``)."""
    printer_pipe(uri)
    return split_uri(uri, transports.DEVICE)
