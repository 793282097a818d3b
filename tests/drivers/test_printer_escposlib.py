"""python-escpos's printer database is parsed once per machine, not once per process, and no
process leaves a folder in /tmp behind."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import drivers

ROOT = Path(drivers.__file__).parent.parent


def _import_driver(home: Path, scratch: Path) -> str:
    """Import the printer driver's renderer (it loads python-escpos) in a new interpreter whose
    cache is ``home`` and whose temporary folder is ``scratch``; its log."""
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env.update(XDG_CACHE_HOME=str(home), TMPDIR=str(scratch))
    done = subprocess.run([sys.executable, "-c", "import logging; logging.basicConfig(); import drivers.printer.render"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_the_printer_database_is_cached_for_the_next_start_and_nothing_is_left_in_tmp(tmp_path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    _import_driver(tmp_path, scratch)
    [cached] = (tmp_path / "hall-kiosk" / "escpos").glob("*.capabilities.pickle")
    assert "profiles" in pickle.loads(cached.read_bytes())
    assert list(scratch.iterdir()) == []
    written = cached.stat().st_mtime_ns
    _import_driver(tmp_path, scratch)
    assert cached.stat().st_mtime_ns == written  # read, not parsed and written again
    assert list(scratch.iterdir()) == []


def test_a_cache_cut_short_is_rebuilt_not_fatal(tmp_path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    _import_driver(tmp_path, scratch)
    [cached] = (tmp_path / "hall-kiosk" / "escpos").glob("*.capabilities.pickle")
    cached.write_bytes(cached.read_bytes()[:100])  # a power cut while escpos wrote it
    assert "rebuilt" in _import_driver(tmp_path, scratch)
    assert "profiles" in pickle.loads(cached.read_bytes())
