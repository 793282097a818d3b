"""Layers you can see: the core (``kiosk/``) imports neither the screens (``ui/``), nor the
programs (``app/``), nor Qt; the screens do not import the programs. Only ``app/`` sees all."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import kiosk
import ui
from tests.drivers.test_layers import imported_names, run_fresh

ROOT = Path(kiosk.__file__).parent.parent


def modules_of(package) -> list[str]:
    """Every module of ``package``, found by walking its folder."""
    folder = Path(package.__file__).parent
    return sorted(m.name for m in pkgutil.walk_packages([str(folder)], f"{package.__name__}."))


def test_importing_every_core_and_driver_module_loads_no_ui_app_or_qt() -> None:
    import drivers

    modules = modules_of(kiosk) + modules_of(drivers)
    assert "kiosk.terminal" in modules and "kiosk.server" in modules and "drivers.pipe.uri" in modules
    loaded = run_fresh(
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('ui', 'app', 'PySide6'))))\n"
    )
    assert loaded == []


def test_no_core_source_imports_the_layers_above_even_inside_a_function() -> None:
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path in (ROOT / "kiosk").rglob("*.py")
                 for name in imported_names(path) if name.split(".")[0] in ("ui", "app", "PySide6")]
    assert offenders == []


def test_the_screens_do_not_import_the_programs() -> None:
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path in Path(ui.__file__).parent.rglob("*.py")
                 for name in imported_names(path) if name.split(".")[0] == "app"]
    assert offenders == []
