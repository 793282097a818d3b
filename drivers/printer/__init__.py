"""ESC/POS ticket printer: layout, rendering (text or raster), transports, status, worker.

Public API::

    TicketData, PrinterSettings               what to print, how (the config's [printer])
    render_ticket(data, settings) -> bytes    the ESC/POS stream
    render_preview(data, settings) -> Image   the same layout as a picture
    open_printer(uri_or_settings) -> Printer  print_ticket(), status(), close()
    parse_uri(uri), printer_pipe(uri)         check a URI; the transport (a BytePipe) it names
    PrinterWorker(printer)                    submit(data) -> Future[PrintResult], stop()
    PrinterError and subclasses               typed failures with citizen/staff messages
    load_renderer()                           import the renderer now (a kiosk's printer lane,
                                              after its first frame)

The renderer (``render``: python-escpos, Pillow, qrcode; about 0.15 s) is imported when first
used, not with the package: the kiosk file's ``[printer]`` model, opening a printer and the
staff's printer alerts need none of it, and a kiosk shows its first frame sooner without it.
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
    "load_renderer",
    "open_printer",
    "parse_uri",
    "printer_pipe",
    "render_elements",
    "render_preview",
    "render_ticket",
]

_RENDERER = ("render_elements", "render_preview", "render_ticket")


def __getattr__(name: str):  # noqa: ANN202 - the renderer's functions, imported on first use
    if name in _RENDERER:
        from drivers.printer import render

        return getattr(render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_renderer() -> None:
    """Import the renderer (and python-escpos with its cached printer database) now, so the
    first ticket does not wait for it."""
    import drivers.printer.render  # noqa: F401
