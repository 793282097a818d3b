"""Printer: bytes and render time per ticket per mode and paper width, wire time at 115200 baud.

Target (DESIGN §8): a text-mode ticket with native QR is at most 1.5 KB. A raster ticket is
expected at 20-60 KB, seconds on a serial line: reported, not targeted.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime

from bench import Figure
from drivers.printer import PrinterSettings, TicketData, open_printer, render_ticket

TEXT_LIMIT = 1536
BAUD = 115200


def _ticket() -> TicketData:
    return TicketData(
        hall_name="浦东新区政务服务中心",
        number="A012",
        service_name="社会保障卡申领、补换及信息变更",
        windows=["3", "5", "12"],
        ahead=7,
        eta_minutes=21,
        priority_label="绿色通道",
        citizen_name_masked="张*明",
        id_masked="3101**********0014",
        materials=["居民身份证原件", "近期免冠一寸照片（白底）", "社会保障卡（补换时）"],
        status_url="https://hall.example.gov.cn/t/20240506-A012?k=7f3a",
        issued_at=datetime(2024, 5, 6, 9, 31),
        footer="请留意叫号，过号需重新取号。",
    )


def _median_ms(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _render_figures(quick: bool) -> list[Figure]:
    figures = []
    data = _ticket()
    for mode in ("text", "raster"):
        for width in (58, 80):
            settings = PrinterSettings(mode=mode, width_mm=width)
            payload = render_ticket(data, settings)
            runs = 3 if quick else (50 if mode == "text" else 10)
            ms = _median_ms(lambda s=settings: render_ticket(data, s), runs)
            label = f"printer {mode} {width}mm"
            size = len(payload)
            if mode == "text":
                figures.append(Figure(f"{label}: bytes per ticket", size, "B",
                                      f"<= {TEXT_LIMIT} B", size <= TEXT_LIMIT))
            else:
                figures.append(Figure(f"{label}: bytes per ticket", size, "B", "20-60 KB (info)"))
            figures.append(Figure(f"{label}: render time (median)", ms, "ms"))
            figures.append(Figure(f"{label}: wire time at 115200 baud", size * 10 / BAUD, "s"))
    image_qr = render_ticket(data, PrinterSettings(qr="image"))
    figures.append(Figure("printer text 80mm, QR as image: bytes per ticket", len(image_qr), "B"))
    return figures


def _pty_figure(quick: bool) -> list[Figure]:
    """Time to hand a text ticket to a simulated serial printer, status checks included."""
    from drivers.printer.simulator import SerialPrinterSimulator

    with SerialPrinterSimulator() as sim:
        printer = open_printer(PrinterSettings(uri=sim.uri))
        data = _ticket()
        printer.print_ticket(data)  # connect once, as a running kiosk has
        ms = _median_ms(lambda: printer.print_ticket(data), 5 if quick else 40)
        printer.close()
    return [Figure("printer text 80mm: print_ticket over pty sim (p50)", ms, "ms")]


def run(quick: bool) -> list[Figure]:
    """Every printer figure."""
    return _render_figures(quick) + _pty_figure(quick)
