"""ID card reader: how fast bytes become a card value.

Figures: decoding and parsing one 1295-byte "read base message" reply into an ``IdCard``; one
find → select → read cycle over a pty against the simulator (no baud-rate wire time); and the
delay from the reader's last reply byte to the card value delivered by ``ReaderWorker`` (the
"beyond the reader's own wire time" part of card placed → fields on screen), in-process and
over a pty.
"""

from __future__ import annotations

import statistics
import threading
import time
from datetime import date

from bench import Figure
from drivers.idcard import CardReader, EventKind, ReaderEvent, ReaderWorker, parse_text
from drivers.idcard import protocol as p
from drivers.idcard.reader import split_read_data
from drivers.idcard.simulator import (
    PtyReaderSimulator,
    SimCardDevice,
    forget_sim,
    sample_card_text,
    sim_device,
)

TODAY = date(2024, 6, 1)


def run(quick: bool) -> list[Figure]:
    """Measure and return the figures."""
    n = 20 if quick else 100
    figures = [_parse(2000 if quick else 20000), _cycle_over_pty(n)]
    figures += _worker_latency_in_process(n)
    figures += _worker_latency_over_pty(n)
    return figures


def _read_reply() -> bytes:
    device = SimCardDevice(sample_card_text("resident"))
    for command in (p.FIND_CARD, p.SELECT_CARD):
        device.respond(command.frame())
    return b"".join(chunk.data for chunk in device.respond(p.READ_BASE.frame()))


def _parse(n: int) -> Figure:
    reply = _read_reply()
    start = time.perf_counter()
    for _ in range(n):
        (body,) = p.FrameDecoder(accept=p.plausible_response).feed(reply)
        parse_text(split_read_data(p.response_from_body(body).data)[0], TODAY)
    per_frame = (time.perf_counter() - start) / n * 1e6
    return Figure("idcard: decode + parse one 1295-byte read reply", per_frame, "us",
                  "<= 1000 us", per_frame <= 1000)


def _cycle_over_pty(n: int) -> Figure:
    times = []
    with PtyReaderSimulator() as sim, CardReader(sim.path, today=lambda: TODAY) as reader:
        for _ in range(n):
            start = time.perf_counter()
            card = reader.poll()
            times.append(time.perf_counter() - start)
            assert card is not None
    p50 = statistics.median(times) * 1000
    return Figure("idcard: find+select+read over a pty (no wire time), p50", p50, "ms",
                  "<= 50 ms", p50 <= 50)


def _latencies(uri: str, device: SimCardDevice, n: int) -> list[float]:
    """Place the card n times; delay from the last reply byte to the card_read callback."""
    delivered: list[float] = []
    got = threading.Event()

    def on_event(event: ReaderEvent) -> None:
        if event.kind in (EventKind.CARD_READ, EventKind.CARD_REMOVED):
            if event.kind == EventKind.CARD_READ:
                delivered.append(time.perf_counter() - device.last_sent_at)
            got.set()

    device.remove()
    worker = ReaderWorker(uri, on_event, poll_interval=0.01, today=lambda: TODAY)
    worker.start()
    worker.start_polling()
    try:
        for _ in range(n):
            for action in (device.place, device.remove):
                got.clear()
                action()
                if not got.wait(10):
                    raise RuntimeError("the worker did not report the card in 10 s")
    finally:
        worker.stop()
    return delivered


def _figures(label: str, delays: list[float]) -> list[Figure]:
    p50 = statistics.median(delays) * 1000
    worst = max(delays) * 1000
    return [
        Figure(f"idcard: last reply byte -> card delivered ({label}), p50", p50, "ms",
               "<= 50 ms", p50 <= 50),
        Figure(f"idcard: last reply byte -> card delivered ({label}), max", worst, "ms",
               "<= 50 ms", worst <= 50),
    ]


def _worker_latency_in_process(n: int) -> list[Figure]:
    uri = "sim:resident?instance=bench-idcard"
    try:
        return _figures("in-process", _latencies(uri, sim_device(uri), n))
    finally:
        forget_sim(uri)


def _worker_latency_over_pty(n: int) -> list[Figure]:
    with PtyReaderSimulator() as sim:
        return _figures("pty", _latencies(sim.path, sim.device, n))
