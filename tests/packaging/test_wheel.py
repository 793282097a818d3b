"""The wheel carries everything the programs read besides code (the sample configs, styles,
translations, voice clips, console templates), and works from a fresh virtual environment
outside the checkout: ``kiosk --version`` and ``kiosk config check`` on the sample files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "kiosk", "ui", "drivers")
SKIP = shutil.ignore_patterns(".git", ".venv", "dist", "build", "*.egg-info", "__pycache__", "*.pyc",
                              ".ruff_cache", ".pytest_cache", ".hypothesis", "tests", "bench", "demo-out", "bench-out")
CACHE = Path.home() / ".cache" / "hall-kiosk"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the checkout (setuptools leaves build/ behind)."""
    src = tmp_path_factory.mktemp("src") / "hall-kiosk"
    shutil.copytree(ROOT, src, ignore=SKIP)
    out = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "PIP_CACHE_DIR": str(CACHE / "pip")}
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(src)],
                            capture_output=True, text=True, env=env, timeout=600)
    if result.returncode != 0 and "No matching distribution found for setuptools" in result.stderr:
        pytest.skip("the wheel's build tools (setuptools, wheel) cannot be downloaded here")
    assert result.returncode == 0, result.stderr[-2000:]
    return next(out.glob("hall_kiosk-*.whl"))


def data_files() -> set[str]:
    """Every file the programs may read that is not Python: in the packages, config/ and assets/
    (generated ones included: the wheel is built after app.buildassets)."""
    found = set()
    for top in (*PACKAGES, "config", "assets"):
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_every_asset_is_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = data_files()
    assert {"config/hall.toml", "config/kiosk.toml", "assets/style/kiosk.qss"} <= expected
    assert any(name.endswith(".qm") for name in expected), "run python -m app.buildassets first"
    assert sorted(expected - names) == []
    python = {p.relative_to(ROOT).as_posix() for top in PACKAGES for p in (ROOT / top).rglob("*.py")}
    assert sorted(python - names) == []


@pytest.mark.slow
@pytest.mark.timeout(900)  # PySide6 alone unpacks to 650 MB
def test_installed_wheel_runs_from_a_fresh_venv(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PIP_CACHE_DIR": str(CACHE / "pip"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    wheels = ["--find-links", str(CACHE / "wheels")] if (CACHE / "wheels").is_dir() else []
    result = subprocess.run([str(venv / "bin/pip"), "install", "-q", *wheels, str(wheel)],
                            capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    run = {"cwd": tmp_path, "capture_output": True, "text": True, "env": env, "timeout": 120}  # not the checkout
    version = subprocess.run([str(venv / "bin/kiosk"), "--version"], **run)
    assert version.returncode == 0 and version.stdout.split() == ["kiosk", _version()], version
    check = subprocess.run([str(venv / "bin/kiosk"), "config", "check"], **run)
    assert check.returncode == 0, check.stderr
    site = "site-packages/config/"
    assert f"{site}hall.toml: ok" in check.stdout and f"{site}kiosk.toml: ok" in check.stdout  # the wheel's own
    assert str(ROOT) not in check.stdout


def _version() -> str:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
