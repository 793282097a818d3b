"""ESC/POS ticket printer: layout, rendering (text or raster), transports, status, worker.

Public API::

    TicketData, PrinterSettings               what to print, how (the config's [printer])
    render_ticket(data, settings) -> bytes    the ESC/POS stream
    render_preview(data, settings) -> Image   the same layout as a picture
    open_printer(uri_or_settings) -> Printer  print_ticket(), status(), close()
    parse_uri(uri), printer_pipe(uri)         check a URI; the transport (a BytePipe) it names
    PrinterWorker(printer)                    submit(data) -> Future[PrintResult], stop()
    PrinterError and subclasses               typed failures with citizen/staff messages
"""

from drivers.printer.errors import (
    CoverOpen,
    PaperOut,
    PrinterConfigError,
    PrinterError,
    PrinterNotResponding,
    PrinterOffline,
    PrinterUnavailable,
    PrintTimeout,
)
from drivers.printer.layout import build_layout
from drivers.printer.model import (
    PrinterSettings,
    PrinterState,
    PrinterStatus,
    PrintResult,
    TicketData,
)
from drivers.printer.printer import Printer, open_printer
from drivers.printer.render import render_elements, render_preview, render_ticket
from drivers.printer.uri import parse_uri, printer_pipe
from drivers.printer.worker import PrinterWorker

__all__ = [
    "CoverOpen",
    "PaperOut",
    "PrintResult",
    "PrintTimeout",
    "Printer",
    "PrinterConfigError",
    "PrinterError",
    "PrinterNotResponding",
    "PrinterOffline",
    "PrinterSettings",
    "PrinterState",
    "PrinterStatus",
    "PrinterUnavailable",
    "PrinterWorker",
    "TicketData",
    "build_layout",
    "open_printer",
    "parse_uri",
    "printer_pipe",
    "render_elements",
    "render_preview",
    "render_ticket",
]
