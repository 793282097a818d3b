"""Fixtures for the real-X tests: private Xvfb servers and the programs started on them, all
stopped by the fixtures themselves, also when a test fails; and the folder that keeps the
screenshots, named at the end of the run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.config import PROJECT_CONFIG_DIR
from tests.realx.xserver import Xvfb, missing_tools

ROOT = PROJECT_CONFIG_DIR.parent
SHOTS = pytest.StashKey[Path]()
SHOTS_ENV = "KIOSK_REALX_SHOTS"


@pytest.fixture(scope="session")
def shots_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder for this run's screenshots and program logs (printed after the run): the
    folder named by $KIOSK_REALX_SHOTS, else one in pytest's temporary folder (pytest keeps
    only its last three runs' folders, so name a folder to keep them longer)."""
    if chosen := os.environ.get(SHOTS_ENV):
        folder = Path(chosen)
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("realx-screens", numbered=False)
    request.config.stash[SHOTS] = folder
    return folder


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Name the screenshot folder, so someone can look at what the programs showed."""
    folder = config.stash.get(SHOTS, None)
    if folder is not None and any(folder.iterdir()):
        terminalreporter.write_line(f"real-X screenshots and program logs: {folder}")


@pytest.fixture
def start_x() -> Iterator[Callable[[int, int], Xvfb]]:
    """``start_x(width, height)`` starts a private Xvfb with one screen of that size; every
    server started is stopped after the test."""
    if missing := missing_tools():
        pytest.fail(f"{', '.join(missing)} not on PATH: install the Debian package x11-utils "
                    "(scripts/setup.sh does)")
    servers: list[Xvfb] = []

    def start(width: int, height: int) -> Xvfb:
        server = Xvfb(width, height)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def launch(start_x: Callable[[int, int], Xvfb]) -> Iterator[Callable[..., subprocess.Popen]]:
    """``launch(args, x, log)`` starts ``kiosk ARGS`` on the X server ``x`` as its own process
    (group), writing its output to ``log``. After the test any program still running, and
    anything it started, is killed: a failed check must not leave a kiosk behind.

    Depends on ``start_x`` so that the programs are gone before their X server stops.
    """
    procs: list[subprocess.Popen] = []

    def start(args: list[str], x: Xvfb, log: Path) -> subprocess.Popen:
        with log.open("wb") as out:
            # -m app.cli from the project root, not the venv's console script: the code under
            # test is this checkout's, whichever checkout installed the script.
            proc = subprocess.Popen([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=x.env(),
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its own group: the program and its children
        except ProcessLookupError:
            pass
        proc.wait(10)
