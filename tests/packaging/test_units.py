"""The systemd units (packaging/systemd/) pass ``systemd-analyze verify`` in a temporary root
holding systemd's own units, ours, and executables at the paths their ExecStart names; and
what they promise: the server's watchdog and readiness, a screen restarted when it dies."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
UNITS = sorted((PACKAGING / "systemd").glob("*.service"))
SYSTEM_UNITS = Path("/usr/lib/systemd/system")
ANALYZE = shutil.which("systemd-analyze")

pytestmark = pytest.mark.skipif(ANALYZE is None or not SYSTEM_UNITS.is_dir(),
                                reason="systemd-analyze and systemd's units are not installed here")


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """systemd's units and ours under usr/lib/systemd/system; the programs the units start."""
    root = tmp_path_factory.mktemp("root")
    shutil.copytree(SYSTEM_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    for path in UNITS:
        shutil.copy(path, root / "usr/lib/systemd/system" / path.name)
    bin_dir = root / "opt/hall-kiosk/bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "kiosk").write_text("#!/bin/sh\n")  # the venv's console script, installed by the package
    for script in (PACKAGING / "bin").iterdir():
        shutil.copy(script, bin_dir / script.name)
    for path in bin_dir.iterdir():
        path.chmod(0o755)
    return root


def verify(root: Path, name: str) -> subprocess.CompletedProcess:
    return subprocess.run([ANALYZE, "verify", f"--root={root}", f"/usr/lib/systemd/system/{name}"],
                          capture_output=True, text=True, env={**os.environ, "SYSTEMD_LOG_COLOR": "0"})


def test_every_role_has_a_unit():
    assert [p.name for p in UNITS] == sorted(
        ["hall-server.service"] + [f"hall-screen-{r}.service" for r in ("kiosk", "board", "window", "counter", "rate")])


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_passes_systemd_analyze_verify(root, path):
    result = verify(root, path.name)
    assert result.returncode == 0, result.stderr
    # unknown keys and bad values are only warnings: none may be printed about our unit
    assert path.name not in result.stderr and "hall-" not in result.stdout, result.stderr


def test_verify_fails_when_the_program_is_missing(root, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(root / "usr", bare / "usr", symlinks=True)
    result = verify(bare, "hall-server.service")
    assert result.returncode != 0 and "/opt/hall-kiosk/bin/kiosk" in result.stderr


def test_server_unit_waits_for_ready_and_is_restarted_by_its_watchdog():
    service = unit(PACKAGING / "systemd/hall-server.service")["Service"]
    assert service["Type"] == "notify" and service["Restart"] == "on-failure"
    assert int(service["WatchdogSec"]) >= 10 and service["User"] == "hall"
    assert service["ExecStart"].startswith("/opt/hall-kiosk/bin/kiosk serve --config /etc/hall-kiosk/hall.toml")


@pytest.mark.parametrize("role", ["kiosk", "board", "window", "counter", "rate"])
def test_screen_units_start_their_session_and_come_back(role):
    parsed = unit(PACKAGING / f"systemd/hall-screen-{role}.service")
    service = parsed["Service"]
    assert service["ExecStart"] == f"/opt/hall-kiosk/bin/hall-session {role}"
    assert service["Restart"] == "always" and service["User"] == "hall"
    others = {f"hall-screen-{r}.service" for r in ("kiosk", "board", "window", "counter", "rate")} - {
        f"hall-screen-{role}.service"}
    assert others <= set(parsed["Unit"]["Conflicts"].split())  # one screen role per machine
