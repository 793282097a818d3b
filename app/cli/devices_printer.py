"""``kiosk devices list | print-sample | printer-status``: the technician's printer checks.

Exit codes: 0 done (sample printed, status fine), 1 a printer failure or a state that stops
printing (the staff message on stderr), 2 a bad URI or option.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.devices_names import role_arg, stable_name_lines

if TYPE_CHECKING:  # the handlers import the driver: python-escpos, Pillow and qrcode cost 0.1 s
    from drivers.printer import PrinterSettings, TicketData

SAMPLE_URL = "https://hall.example.gov.cn/q/sample-A012"
USB_PRINTER_CLASS = 7


def register(group: argparse._SubParsersAction) -> None:
    """Add the printer commands to the ``kiosk devices`` group."""
    listing = group.add_parser("list", help="list serial ports and USB printers, and the udev line that "
                                            "gives each a stable name (/dev/hall-printer, -idreader, -sign)")
    listing.add_argument("--as", dest="roles", action="append", type=role_arg, default=[], metavar="DEVICE=ROLE",
                         help="fill this role into the device's udev line, e.g. --as ttyUSB1=idreader")
    listing.add_argument("--sys", type=Path, default=Path("/sys"), help=argparse.SUPPRESS)  # tests: a fake /sys
    listing.set_defaults(handler=list_devices)

    sample = group.add_parser("print-sample", help="print a sample ticket (A012, QR code)",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    _printer_argument(sample)
    sample.add_argument("--mode", choices=["text", "raster"], default="text")
    sample.add_argument("--width", type=int, choices=[58, 80], default=80, help="paper mm")
    sample.add_argument("--qr", choices=["native", "image"], default="native")
    sample.add_argument("--language", choices=["zh", "en"], default="zh")
    sample.add_argument("--preview", metavar="PNG", help="also save the ticket as an image")
    sample.set_defaults(handler=print_sample)

    status = group.add_parser("printer-status", help="ask the printer for paper and cover state")
    _printer_argument(status)
    status.add_argument("--timeout", type=float, default=0.5, metavar="S",
                        help="seconds to wait for each status answer (default 0.5)")
    status.set_defaults(handler=printer_status)


def _printer_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--printer", required=True, metavar="URI",
                        help="usb://0416:5011?in_ep=0x81&out_ep=0x03, serial:///dev/ttyUSB0?"
                             "baudrate=115200, tcp://host:9100, cups://Name, file:///tmp/t.bin, dummy:")


def sample_ticket(language: str = "zh") -> TicketData:
    """The sample ticket: number A012, a Chinese service name, a QR code holding a URL."""
    from drivers.printer import TicketData

    zh = language == "zh"
    return TicketData(
        hall_name="示例政务服务中心" if zh else "Sample Government Service Center",
        number="A012",
        service_name="社会保障卡申领（测试）" if zh else "Social security card (test)",
        windows=["3", "5"],
        ahead=4,
        eta_minutes=12,
        priority_label=None,
        citizen_name_masked="张*明",
        id_masked="3101**********0014",
        materials=["居民身份证原件", "近期免冠一寸照片"] if zh else ["ID card", "One photo"],
        status_url=SAMPLE_URL,
        issued_at=datetime.now().replace(second=0, microsecond=0),
        footer="这是一张测试小票。" if zh else "This is a test ticket.",
        language="zh" if zh else "en",
    )


def _settings(args: argparse.Namespace, **values: object) -> PrinterSettings | None:
    from drivers.printer import PrinterConfigError, PrinterSettings, parse_uri

    try:
        parse_uri(args.printer)
        return PrinterSettings(uri=args.printer, **values)
    except (PrinterConfigError, ValueError) as exc:
        print(f"{args.printer!r}: {exc}", file=sys.stderr)
        return None


def print_sample(args: argparse.Namespace) -> int:
    """Handler of ``print-sample``."""
    from drivers.printer import PrinterError, open_printer, render_preview

    settings = _settings(args, mode=args.mode, width_mm=args.width, qr=args.qr)
    if settings is None:
        return 2
    data = sample_ticket(args.language)
    if args.preview:
        render_preview(data, settings).save(args.preview)
        print(f"preview saved to {args.preview}")
    printer = open_printer(settings)
    try:
        result = printer.print_ticket(data)
    except PrinterError as exc:
        print(f"print-sample: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        printer.close()
    confirmed = "confirmed by the printer" if result.confirmed else "not confirmable on this link"
    print(f"printed {result.bytes_written} bytes in {result.seconds * 1000:.0f} ms; "
          f"status {result.status.state.value} ({confirmed})")
    return 0


def printer_status(args: argparse.Namespace) -> int:
    """Handler of ``printer-status``."""
    from drivers.printer import open_printer

    if not 0 < args.timeout <= 10:
        print("printer-status: --timeout must be between 0 and 10 seconds", file=sys.stderr)
        return 2
    settings = _settings(args, status_timeout_s=args.timeout)
    if settings is None:
        return 2
    printer = open_printer(settings)
    try:
        status = printer.status()
    finally:
        printer.close()
    answer = "" if status.answerable else " (this link cannot carry an answer)"
    print(f"{status.state.value}{answer}" + (f": {status.detail}" if status.detail else ""))
    return 0 if status.fine else 1


def list_devices(args: argparse.Namespace) -> int:
    """Handler of ``list``: serial ports, then USB printers."""
    from serial.tools import list_ports

    ports = sorted(list_ports.comports(), key=lambda p: p.device)
    print("serial ports:" if ports else "serial ports: none found")
    for port in ports:
        print(f"  serial://{port.device}?baudrate=115200   {port.description} [{port.hwid}]")
    for line in _usb_printers():
        print(line)
    for line in stable_name_lines(args.sys, dict(args.roles)):  # app/cli/devices_names.py
        print(line)
    return 0


def _usb_printers() -> list[str]:
    try:
        import usb.core
    except ImportError:
        return ["USB printers: not listed (install pyusb to find them)"]
    try:
        devices = list(usb.core.find(find_all=True))
    except Exception as exc:  # no backend (libusb missing) or no permission
        return [f"USB printers: cannot scan ({exc})"]
    lines = []
    for dev in devices:
        endpoints = _printer_endpoints(dev)
        if endpoints is not None:
            in_ep, out_ep = endpoints
            query = f"?in_ep=0x{in_ep:02x}&out_ep=0x{out_ep:02x}" if in_ep else f"?out_ep=0x{out_ep:02x}"
            lines.append(f"  usb://{dev.idVendor:04x}:{dev.idProduct:04x}{query}")
    return ["USB printers:" if lines else "USB printers: none found", *lines]


def _printer_endpoints(dev) -> tuple[int, int] | None:
    """(in, out) endpoint addresses of a printer-class interface, or None."""
    try:
        for config in dev:
            for interface in config:
                if interface.bInterfaceClass != USB_PRINTER_CLASS:
                    continue
                addresses = [ep.bEndpointAddress for ep in interface]
                ins = [a for a in addresses if a & 0x80]
                outs = [a for a in addresses if not a & 0x80]
                if outs:
                    return (ins[0] if ins else 0, outs[0])
    except Exception:  # unreadable descriptors (permissions): skip the device
        return None
    return None
