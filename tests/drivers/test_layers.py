"""Layers: the drivers import nothing of the core, the GUI, the application or Qt, and the byte
pipes at their bottom import no driver."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import drivers

ROOT = Path(drivers.__file__).parent
ABOVE = ("kiosk", "ui", "app", "PySide6")


def driver_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages([str(ROOT)], "drivers."))


def run_fresh(script: str) -> list[str]:
    """Run ``script`` in a new interpreter from the project root; its last line, as JSON."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=ROOT.parent)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def imported_names(path: Path) -> list[str]:
    """Every absolute module name ``path`` imports, at the top or inside a function."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_importing_every_driver_module_loads_no_core_gui_app_or_qt() -> None:
    modules = driver_modules()
    assert len(modules) > 40 and "drivers.pipe.registry" in modules  # the walk found them all
    loaded = run_fresh(
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {ABOVE!r})))\n"
    )
    assert loaded == []


def test_no_driver_source_imports_the_layers_above_even_inside_a_function() -> None:
    offenders = [f"{path.relative_to(ROOT.parent)}: {name}" for path in ROOT.rglob("*.py")
                 for name in imported_names(path) if name.split(".")[0] in ABOVE]
    assert offenders == []


def test_byte_pipes_import_no_driver() -> None:
    offenders = [f"{path.name}: {name}" for path in (ROOT / "pipe").glob("*.py")
                 for name in imported_names(path)
                 if name.startswith("drivers.") and not name.startswith("drivers.pipe")]
    assert offenders == []


def test_handlers_registered_by_name_load_only_when_a_uri_names_them() -> None:
    lazy = ["drivers.pipe.scheme_serial", "drivers.idcard.simulator", "drivers.printer.simpipe"]
    loaded = run_fresh(
        "import json, sys\n"
        "import drivers.idcard, drivers.printer\n"
        f"before = [m for m in {lazy!r} if m in sys.modules]\n"
        "from drivers.idcard.uri import reader_pipe\n"
        "reader_pipe('sim:resident'); reader_pipe('loop://')\n"
        f"print(json.dumps([before, [m for m in {lazy!r} if m in sys.modules]]))\n"
    )
    assert loaded == [[], ["drivers.pipe.scheme_serial", "drivers.idcard.simulator"]]
