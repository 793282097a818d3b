"""Start-up: the wall time of quick commands, and the kiosk's first usable frame (issue 19).

Targets (DESIGN §8): ``kiosk --help`` <= 0.3 s; ``kiosk issue`` and ``kiosk devices …`` <= 1 s;
``kiosk run`` start -> first usable frame (the home screen with the services on it) <= 1 s.

Each figure is the median of several new processes (``python -m app.cli …``, what the ``kiosk``
console script runs), timed from before the process is started to its exit, or to the window's
"first usable frame" log line. One run of each command goes first, unmeasured: it writes the
bytecode caches (``__pycache__``) and python-escpos's parsed printer database, as an installed
kiosk's first start does once; a development shell's PYTHONDONTWRITEBYTECODE is dropped for the
same reason (without the caches every start compiles the project's sources again).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import Figure

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _command_seconds(args: list[str], runs: int) -> float:
    """Median wall time of ``kiosk <args>`` in a new process (after one unmeasured run)."""
    times = []
    for i in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                              text=True, timeout=120, cwd=ROOT, env=_env())
        if done.returncode != 0:
            raise RuntimeError(f"kiosk {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        if i:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def _usable_frame_seconds(config: Path, data: Path) -> float:
    """``kiosk run`` from its start until its window logs the first frame with the services on
    it (the process is then stopped)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "run", "--dev", "--windowed", "--config",
                             str(config), "--data", str(data)], env=_env(), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "first usable frame" in line:
                return time.perf_counter() - started
        raise RuntimeError("kiosk run ended without painting its services")
    finally:
        proc.kill()
        proc.wait(10)


def _usable_frame(folder: Path, runs: int, server: str | None = None) -> float:
    from app.demo.files import kiosk_file

    config = kiosk_file(folder, printer="dummy:", server=server, token="dev-kiosk")
    times = [_usable_frame_seconds(config, folder / "data") for _ in range(runs + 1)]
    return statistics.median(times[1:])


def _serve(folder: Path):
    """A hall server on loopback in this process, built as ``kiosk serve --dev`` builds it."""
    from kiosk.config import PROJECT_CONFIG_DIR
    from kiosk.hall import open_engine
    from kiosk.server import create_app
    from kiosk.serving import build_server, run_in_thread

    engine = open_engine(PROJECT_CONFIG_DIR / "hall.toml", folder, dev=True)
    server = build_server(create_app(engine, dev=True), "127.0.0.1", 0)
    run_in_thread(server)
    return server, f"http://127.0.0.1:{server.port}"


def _seconds(name: str, value: float, target: float) -> Figure:
    return Figure(name, value, "s", f"<= {target:g} s", value <= target)


def run(quick: bool) -> list[Figure]:
    """Every start-up figure (``quick``: 3 runs each instead of 7)."""
    runs = 3 if quick else 7
    figures = [_seconds("kiosk --help, median", _command_seconds(["--help"], runs), 0.3)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        from app.demo.files import kiosk_file

        config = str(kiosk_file(folder / "issue", printer="dummy:"))
        issue = ["issue", "--dev", "--service", "GC01", "--config", config, "--data", str(folder / "issue-data")]
        figures.append(_seconds("kiosk issue (standalone, dummy printer), median",
                                _command_seconds(issue, runs), 1))
        figures.append(_seconds("kiosk devices list, median", _command_seconds(["devices", "list"], runs), 1))
        sample = ["devices", "print-sample", "--printer", "dummy:"]
        figures.append(_seconds("kiosk devices print-sample (dummy:), median", _command_seconds(sample, runs), 1))
        figures.append(_seconds("kiosk run start -> first usable frame, standalone",
                                _usable_frame(folder / "standalone", runs), 1))
        server, url = _serve(folder / "server")
        try:
            linked = ["issue", "--service", "GC01", "--config", config, "--server", url, "--token",
                      "dev-kiosk", "--data", str(folder / "linked-data")]
            figures.append(_seconds("kiosk issue (loopback server, dummy printer), median",
                                    _command_seconds(linked, runs), 1))
            figures.append(_seconds("kiosk run start -> first usable frame, loopback server",
                                    _usable_frame(folder / "linked", runs, server=url), 1))
        finally:
            server.should_exit = True
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure.line())
