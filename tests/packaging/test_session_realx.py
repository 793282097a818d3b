"""The screen session of the units (packaging/bin/hall-session → xinit → hall-xclient) on a
real X server: Xvfb stands in for Xorg (HALL_X_SERVER), the board role set up by ``kiosk
setup-role`` against a real ``kiosk serve --dev``. The program comes up alone and full screen;
killing it ends the whole session (X included), which is what the unit's Restart=always acts
on, and the session started again comes back full screen."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from app.cli import main
from tests.conftest import free_port
from tests.realx.xserver import missing_tools, top_level_windows

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1024, 768

pytestmark = [pytest.mark.realx, pytest.mark.timeout(300),
              pytest.mark.skipif(not (shutil.which("xinit") and shutil.which("Xvfb") and not missing_tools()),
                                 reason="xinit, Xvfb or x11-utils are not installed")]


@pytest.fixture
def hall_server(tmp_path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--dev", "--data", str(tmp_path / "srv"),
                               "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if requests.get(f"{url}/api/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def free_display() -> str:
    for number in range(120, 400):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return f":{number}"
    pytest.skip("no free X display number")


def _installed_bin(tmp_path: Path) -> Path:
    """/opt/hall-kiosk/bin as the package lays it out: the two scripts and `kiosk`."""
    bin_dir = tmp_path / "opt/bin"
    bin_dir.mkdir(parents=True)
    for script in ("hall-session", "hall-xclient"):
        shutil.copy(ROOT / "packaging/bin" / script, bin_dir / script)
    (bin_dir / "kiosk").write_text(f'#!/bin/sh\ncd "{ROOT}" && exec "{sys.executable}" -m app.cli "$@"\n')
    for path in bin_dir.iterdir():
        path.chmod(0o755)
    return bin_dir


def start_session(bin_dir: Path, root: Path, display: str, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env.update(HALL_X_SERVER=shutil.which("Xvfb"), HALL_DISPLAY=display,
               HALL_X_ARGS=f"-screen 0 {WIDTH}x{HEIGHT}x24 -nolisten tcp",
               HALL_ETC=str(root / "etc/hall-kiosk"), HALL_DATA=str(root / "var/lib/hall-kiosk"))
    return subprocess.Popen([str(bin_dir / "hall-session"), "board"], env=env, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def full_screen_window(display: str, session: subprocess.Popen, log: Path):
    """The program's window once it covers the screen."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if session.poll() is not None:
            pytest.fail(f"the session ended early:\n{log.read_text()[-3000:]}")
        try:
            windows = [w for w in top_level_windows(display) if w.viewable and w.pid]
        except subprocess.CalledProcessError:
            windows = []  # X not up yet
        if windows and all(w.covers(WIDTH, HEIGHT) for w in windows):
            return windows[0]
        time.sleep(0.5)
    pytest.fail(f"no full-screen window on {display}:\n{log.read_text()[-3000:]}")


def stop(session: subprocess.Popen) -> None:
    if session.poll() is None:
        os.killpg(session.pid, signal.SIGTERM)
        session.wait(timeout=30)


def test_board_session_is_full_screen_and_ends_when_the_program_dies(hall_server, tmp_path):
    root = tmp_path / "root"
    assert main(["setup-role", "board", "--server", hall_server, "--token", "dev-display", "--root", str(root)]) == 0
    bin_dir, log = _installed_bin(tmp_path), tmp_path / "session.log"
    display = free_display()
    session = start_session(bin_dir, root, display, log)
    try:
        window = full_screen_window(display, session, log)
        os.kill(window.pid, signal.SIGKILL)  # the program dies
        session.wait(timeout=30)  # … and takes X and the session with it: the unit would restart
        assert not Path(f"/tmp/.X11-unix/X{display[1:]}").exists()
        again = start_session(bin_dir, root, display, log)  # what Restart=always does
        try:
            assert full_screen_window(display, again, log).pid != window.pid
        finally:
            stop(again)
    finally:
        stop(session)
