"""Calling screen: how fast a call reaches the board, and what a frame of the board costs.

Figures: call committed by the engine → the display's board updated, through a hall server on a
loopback port (SSE), p50 and p99; process CPU time per frame of the 1920 × 1080 main board with
the notice scrolling (the widget rendered into a QImage, so every frame is a full repaint: a real
screen repaints only the changed strips and costs less).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.demo.calling_shots import random_id_number  # noqa: E402
from bench import Figure  # noqa: E402
from kiosk.client import HallClient  # noqa: E402
from kiosk.config import PROJECT_CONFIG_DIR  # noqa: E402
from kiosk.hall import LocalHall, open_engine  # noqa: E402
from kiosk.models import IssueRequest  # noqa: E402
from kiosk.terminal import citizen_from_id  # noqa: E402

FRAME_MS = 40


def run(quick: bool) -> list[Figure]:
    """Measure and return the figures."""
    from PySide6.QtWidgets import QApplication

    from ui.qtlog import quiet_offscreen_warnings

    quiet_offscreen_warnings()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-calling-") as tmp:
        figures = _latency(app, Path(tmp), 30 if quick else 200)
        figures += _frame_cost(app, Path(tmp) / "frames", 50 if quick else 400)
    return figures


def _issue(hall: LocalHall, n: int) -> None:
    seal_key = hall.catalog().id_seal_key
    for _ in range(n):
        citizen = citizen_from_id(random_id_number(), seal_key)
        hall.issue(IssueRequest(service="SS01", citizen=citizen))


def _serve(engine):  # noqa: ANN001, ANN202
    from kiosk.server import create_app
    from kiosk.serving import build_server, run_in_thread

    # Built as `kiosk serve` builds it: the guarded server of kiosk.serving.
    server = build_server(create_app(engine, dev=True, heartbeat_s=0.5), "127.0.0.1", 0, graceful_s=1.0)
    thread = run_in_thread(server)
    return server, thread, f"http://127.0.0.1:{server.port}"


def _pump(app, until, timeout: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if until():
            return True
        time.sleep(0.0005)
    return False


def _latency(app, tmp: Path, n: int) -> list[Figure]:  # noqa: ANN001
    from ui.calling.display import CallingDisplay

    engine = open_engine(PROJECT_CONFIG_DIR / "hall.toml", tmp / "hall", dev=True)
    hall = LocalHall(engine)
    _issue(hall, n)
    server, thread, url = _serve(engine)
    client = HallClient(url, "dev-display")
    display = CallingDisplay(client)
    display.resize(1920, 1080)
    display.show()
    display.start()
    times, lost = [], 0
    try:
        _pump(app, lambda: display.linked and display.model.catalog is not None, 10)
        for i in range(n):
            start = time.perf_counter()
            call = hall.call_next(1 + i % 3)
            if not _pump(app, lambda c=call: display.model.latest is not None
                         and display.model.latest.seq == c.seq, 5):
                lost += 1
                continue
            times.append(time.perf_counter() - start)
            _pump(app, lambda: False, 0.01)  # a quiet moment between calls, as in a hall
    finally:
        display.stop()
        client.close()
        server.should_exit = True
        thread.join(5)
    times.sort()
    p50 = statistics.median(times) * 1000
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
    target = 100 + FRAME_MS
    return [
        Figure("calling: call → board updated via SSE loopback, p50", p50, "ms", f"<= {target} ms",
               p50 <= target),
        Figure("calling: call → board updated via SSE loopback, p99", p99, "ms", f"<= {target} ms",
               p99 <= target),
        Figure("calling: calls not on the board within 5 s", lost, "calls", "0", lost == 0),
    ]


def _frame_cost(app, tmp: Path, frames: int) -> list[Figure]:  # noqa: ANN001
    from PySide6.QtGui import QImage

    from ui.calling.display import CallingDisplay

    hall = LocalHall(open_engine(PROJECT_CONFIG_DIR / "hall.toml", tmp, dev=True))
    _issue(hall, 12)
    calls = [hall.call_next(w) for w in (1, 2, 3, 5, 8, 1, 2, 3)]
    display = CallingDisplay(hall)
    display.resize(1920, 1080)
    display.show()
    app.processEvents()
    display.model.set_catalog(hall.catalog())
    display.model.add_calls([c for c in calls if c is not None])
    display.relayout()
    image = QImage(1920, 1080, QImage.Format.Format_RGB32)
    display.render(image)  # first frame fills the caches
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(frames):
        display.frame()
        display.render(image)
    cpu = (time.process_time() - cpu) / frames * 1000
    wall = (time.perf_counter() - wall) / frames * 1000
    display.stop()
    budget = FRAME_MS / 4
    return [
        Figure("calling: main board 1920x1080 full frame, CPU per frame", cpu, "ms",
               f"<= {budget:.0f} ms (1/4 of a frame)", cpu <= budget),
        Figure("calling: main board 1920x1080 full frame, wall per frame", wall, "ms",
               f"<= {FRAME_MS} ms", wall <= FRAME_MS),
    ]
