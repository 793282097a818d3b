"""Quick commands, no litter (issue 19): ``kiosk --help`` loads none of the heavy libraries, and
no command leaves a file in the temporary folder.

Timings are the benchmark's (``python -m bench bench_startup``); these tests check what the
timings rest on: what is imported, and what is left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import kiosk

ROOT = Path(kiosk.__file__).parent.parent
HEAVY = ("sqlalchemy", "escpos", "requests", "PySide6", "fastapi", "uvicorn", "pydantic", "PIL",
         "serial", "drivers")


def _fresh(script: str, env: dict[str, str] | None = None) -> str:
    """Run ``script`` in a new interpreter from the project root; its standard output."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_building_the_whole_command_line_loads_no_heavy_library() -> None:
    loaded = json.loads(_fresh(
        "import json, sys, app.cli\n"
        "app.cli.build_parser()\n"
        "print(json.dumps(sorted(m for m in sys.modules)))\n"))
    assert "app.cli.devices_printer" in loaded and "app.cli.core" in loaded  # every command registered
    assert sorted({m.split(".")[0] for m in loaded} & set(HEAVY)) == []


def test_kiosk_help_lists_the_commands_without_loading_them() -> None:
    out = _fresh(
        "import contextlib, io, json, sys, app.cli\n"
        "text = io.StringIO()\n"
        "with contextlib.redirect_stdout(text), contextlib.suppress(SystemExit):\n"
        "    app.cli.main(['--help'])\n"
        "print(json.dumps([text.getvalue(), sorted({m.split('.')[0] for m in sys.modules})]))\n")
    text, loaded = json.loads(out.splitlines()[-1])
    assert "serve" in text and "devices" in text and "issue" in text
    assert sorted(set(loaded) & set(HEAVY)) == []


def test_the_values_repeated_for_a_light_command_line_agree_with_their_source() -> None:
    from app.cli import backup, common, devices_calling, stats
    from drivers.voice import LANGS
    from kiosk.backup import KEEP
    from kiosk.config import PROJECT_CONFIG_DIR
    from kiosk.stats_models import GROUPINGS

    assert common.PROJECT_CONFIG_DIR == PROJECT_CONFIG_DIR
    assert backup.KEEP == KEEP
    assert devices_calling.LANGS == LANGS
    assert stats.GROUPINGS == GROUPINGS


def test_a_kiosk_opens_its_printer_without_the_renderer_and_still_prints(tmp_path) -> None:
    # python-escpos, Pillow and qrcode wait for the kiosk's printer lane (after the first frame)
    # or the first ticket: kiosk run's start does without them.
    loaded = json.loads(_fresh(
        "import json, sys\n"
        "from pathlib import Path\n"
        "from app.demo.files import kiosk_file\n"
        "from app.kiosk_app import build_terminal\n"
        "from kiosk.config import load_kiosk_config\n"
        f"folder = Path({str(tmp_path)!r})\n"
        "path = kiosk_file(folder, printer='dummy:')\n"
        "terminal = build_terminal(load_kiosk_config(path), path, folder, dev=True, start=False)\n"
        "heavy = lambda: sorted({m.split('.')[0] for m in sys.modules} & {'escpos', 'PIL', 'qrcode'})\n"
        "before = heavy()\n"
        "outcome = terminal.issue('GC01')\n"
        "printed = len(terminal.printer.output)\n"
        "terminal.close()\n"
        "print(json.dumps([before, outcome.printed, printed > 200, heavy()]))\n"))
    assert loaded == [[], True, True, ["PIL", "escpos", "qrcode"]]


# ----- no litter ---------------------------------------------------------------------------------

def _kiosk(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=env)


def _run_until_first_frame(args: list[str], env: dict[str, str]) -> None:
    """``kiosk run`` until its window logs its first frame, then stopped as a service manager
    stops it (SIGTERM: its clean-up runs)."""
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", *args], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, cwd=ROOT, env=env)
    try:
        end = time.monotonic() + 60
        for line in proc.stderr:
            if "first frame" in line or time.monotonic() > end:
                break
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_no_command_leaves_a_file_in_the_temporary_folder(tmp_path) -> None:
    from app.demo.files import kiosk_file

    scratch, cache = tmp_path / "tmp", tmp_path / "cache"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    # A new machine: no parsed printer database yet (the first start parses and keeps it).
    env.update(TMPDIR=str(scratch), XDG_CACHE_HOME=str(cache), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "share"), QT_QPA_PLATFORM="offscreen")
    config = kiosk_file(tmp_path / "kiosk", printer="dummy:")
    assert _kiosk(["--help"], env).returncode == 0
    for _ in range(2):  # the first parses python-escpos's printer database, the second reads it
        issued = _kiosk(["issue", "--dev", "--service", "GC01", "--config", str(config),
                         "--data", str(tmp_path / "data")], env)
        assert issued.returncode == 0, issued.stderr
        sample = _kiosk(["devices", "print-sample", "--printer", "dummy:"], env)
        assert sample.returncode == 0, sample.stderr
    _run_until_first_frame(["run", "--dev", "--windowed", "--config", str(config),
                            "--data", str(tmp_path / "kiosk-data")], env)
    assert sorted(p.name for p in scratch.iterdir()) == []
    [cached] = (cache / "hall-kiosk" / "escpos").glob("*.capabilities.pickle")  # one, ours
    assert cached.stat().st_size > 0
