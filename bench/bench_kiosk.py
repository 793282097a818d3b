"""Kiosk: process start -> first frame; touch "get ticket" -> last printer byte; memory.

Targets (DESIGN §8): ``kiosk run`` start -> first frame <= 1 s; touch -> printer p50 <= 50 ms
standalone and <= 150 ms through a hall server on loopback (uvicorn started in this process);
RSS after 10,000 tickets <= 150 MB with growth <= 5 % over the last half.

Every kiosk here is the one ``kiosk run`` builds (``app.kiosk_app.build_kiosk`` from a kiosk
file): outbox, offline plan, lanes, reader, window and staff mode. The start figure runs
``kiosk run`` itself in a new process. The latency figures click the real "get a ticket without
ID card" button (offscreen Qt) and stop the clock when the printer's transport returns from
writing the last byte (the transport is the one thing swapped: it notes the time). The memory
figure runs in a kiosk process of its own, started in ``kiosk run``'s order, and sends 10,000
tickets through the same pipeline (outbox, hall, printer), showing each on the real done screen
without clicking through every screen. (Measured in this process it counted the loopback figure's
hall server, FastAPI and uvicorn, and the two kiosks before it: some 150 MB no kiosk holds.)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench import Figure  # noqa: E402


def _app():
    from PySide6.QtWidgets import QApplication

    from ui.qtlog import quiet_offscreen_warnings

    quiet_offscreen_warnings()
    return QApplication.instance() or QApplication([])


def _pump_until(condition, timeout: float = 10.0) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise RuntimeError("benchmark step timed out")
        QApplication.processEvents()


def _timed(printer):
    """Swap the printer's transport for a dummy one that notes when a ticket's last byte was
    handed over (and keeps nothing, so memory stays flat over many tickets)."""
    from drivers.printer.transports import DummyTransport

    class Timed(DummyTransport):
        last_write = 0.0

        def write(self, data: bytes, timeout: float) -> int:
            self.output.clear()
            self.jobs.clear()
            n = super().write(data, timeout)
            self.last_write = time.perf_counter()
            return n

    printer.transport = Timed()
    return printer.transport


def _kiosk(folder: Path, hall=None, server: str | None = None):
    """The kiosk ``kiosk run --dev`` builds, from a kiosk file with a dummy printer and no card
    reader, over ``hall`` (in-process) or the hall server at ``server``."""
    from app.demo.files import kiosk_file
    from app.kiosk_app import build_kiosk

    path = kiosk_file(folder, printer="dummy:", server=server, token="dev-kiosk")
    kiosk = build_kiosk(path, data_dir=folder, dev=True, hall=hall, idle_ms=600_000, done_ms=600_000)
    kiosk.window.resize(1920, 1080)
    kiosk.window.show()
    return kiosk


def _close(kiosk) -> None:
    kiosk.window.unlock_exit()
    kiosk.window.close()
    kiosk.close()


def _touch_to_print(folder: Path, runs: int, hall=None, server: str | None = None) -> list[float]:
    """Milliseconds from the click on "get a ticket" to the printer's last byte."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    kiosk = _kiosk(folder, hall, server)
    window, transport = kiosk.window, _timed(kiosk.terminal.printer)
    _pump_until(lambda: window.catalog is not None)
    times = []
    try:
        for _ in range(runs):
            window.go_home()
            window.choose_service("GC01")
            window.materials_done()
            _pump_until(lambda: window.screen_name() == "identify")
            before = transport.last_write
            started = time.perf_counter()
            QTest.mouseClick(window.screens["identify"].skip, Qt.MouseButton.LeftButton)
            _pump_until(lambda: transport.last_write != before)  # noqa: B023
            times.append((transport.last_write - started) * 1000)
            _pump_until(lambda: window.screen_name() == "done")
    finally:
        _close(kiosk)
    return times


def _engine(tmp: Path):
    from kiosk.config import PROJECT_CONFIG_DIR
    from kiosk.hall import open_engine

    return open_engine(PROJECT_CONFIG_DIR / "hall.toml", tmp, dev=True)


def _latency_figures(quick: bool) -> list[Figure]:
    from kiosk.hall import LocalHall

    runs = 20 if quick else 150
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = _engine(Path(tmp) / "a")
        p50 = statistics.median(_touch_to_print(Path(tmp) / "ka", runs, hall=LocalHall(engine)))
        figures.append(Figure("kiosk touch -> printer last byte, standalone, p50", p50, "ms",
                              "<= 50 ms", p50 <= 50))
        engine = _engine(Path(tmp) / "b")
        server, url = _serve(engine)
        try:
            p50 = statistics.median(_touch_to_print(Path(tmp) / "kb", runs, server=url))
        finally:
            server.should_exit = True
        figures.append(Figure("kiosk touch -> printer last byte, loopback server, p50", p50, "ms",
                              "<= 150 ms", p50 <= 150))
    return figures


def _serve(engine):
    from kiosk.server import create_app
    from kiosk.serving import build_server, run_in_thread

    # Built as `kiosk serve` builds it: the guarded server of kiosk.serving.
    server = build_server(create_app(engine, dev=True), "127.0.0.1", 0)
    run_in_thread(server)
    return server, f"http://127.0.0.1:{server.port}"


def _first_frame_seconds() -> float:
    """``kiosk run`` in a new process, from its start until its window's first frame is painted
    (the window logs the moment; the process is then stopped)."""
    from app.demo.files import kiosk_file

    with tempfile.TemporaryDirectory() as tmp:
        path = kiosk_file(Path(tmp), printer="dummy:")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "run", "--dev", "--windowed", "--config",
                                 str(path), "--data", tmp], env=env, stderr=subprocess.PIPE, text=True)
        try:
            for line in proc.stderr:
                if "first frame" in line:
                    return time.perf_counter() - started
            raise RuntimeError("kiosk run ended without painting a frame")
        finally:
            proc.kill()
            proc.wait(10)


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _memory(tickets: int) -> tuple[float, float]:
    """RSS (MB) of a new kiosk process after ``tickets`` tickets, and its growth over the last
    half (%): ``_memory_here`` in ``python -m bench.bench_kiosk memory``."""
    done = subprocess.run([sys.executable, "-m", "bench.bench_kiosk", "memory", str(tickets)],
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True,
                          text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"the memory figure's kiosk failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["rss"], figures["growth"]


def _roomy(doc) -> None:
    """10,000 tickets in one day: bigger quotas and numbers, no offline ranges."""
    doc["offline_ranges"] = []
    for service in doc["services"]:
        service["daily_quota"] = 20_000
        service["digits"] = 5


def _memory_here(tickets: int) -> tuple[float, float]:
    """The memory figure in this (new) process: a standalone kiosk from its file, built in
    ``kiosk run``'s order (the Qt-free pipeline, then Qt and the window)."""
    from app.demo.files import hall_file, kiosk_file
    from app.kiosk_app import build_kiosk, build_terminal
    from kiosk.config import load_kiosk_config

    codes = ["GC01", "TX01", "AP01", "GC02", "AP02"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = kiosk_file(folder, printer="dummy:", hall_file=hall_file(folder / "hall", _roomy))
        terminal = build_terminal(load_kiosk_config(path), path, folder, dev=True, start=False)
        _app()
        kiosk = build_kiosk(path, data_dir=folder, dev=True, terminal=terminal, idle_ms=600_000,
                            done_ms=600_000)
        kiosk.window.resize(1920, 1080)
        kiosk.window.show()
        window = kiosk.window
        _timed(terminal.printer)
        _pump_until(lambda: window.catalog is not None)
        done = window.screens["done"]
        window.show_screen("done")
        half = 0.0
        for i in range(tickets):
            outcome = terminal.issue(codes[i % len(codes)])
            done.show_outcome(outcome)
            if i % 50 == 0:
                _app().processEvents()
            if i + 1 == tickets // 2:
                half = _rss_mb()
        end = _rss_mb()
        _close(kiosk)
    return end, (end - half) / half * 100 if half else 0.0


def run(quick: bool) -> list[Figure]:
    """All kiosk figures (``quick``: fewer clicks and 1,000 instead of 10,000 tickets)."""
    _app()
    first = _first_frame_seconds()
    figures = [Figure("kiosk run start -> first frame (new process)", first, "s", "<= 1 s", first <= 1)]
    figures += _latency_figures(quick)
    tickets = 1000 if quick else 10_000
    rss, growth = _memory(tickets)
    figures.append(Figure(f"kiosk RSS after {tickets} tickets", rss, "MB", "<= 150 MB", rss <= 150))
    figures.append(Figure(f"kiosk RSS growth over the last {tickets // 2} tickets", growth, "%",
                          "<= 5 %", growth <= 5))
    return figures


if __name__ == "__main__":  # python -m bench.bench_kiosk memory N: the memory figure's process
    if sys.argv[1:2] != ["memory"]:
        raise SystemExit("usage: python -m bench.bench_kiosk memory TICKETS")
    rss, growth = _memory_here(int(sys.argv[2]))
    print(json.dumps({"rss": rss, "growth": growth}))
