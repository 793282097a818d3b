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


def _pipeline_imports(folder: Path, server: str | None) -> list[str]:
    """What a kiosk's Qt-free pipeline (``build_terminal``, what ``kiosk run`` opens first)
    loads of HTTP, SQL and Qt, in a new interpreter."""
    return run_fresh(
        "import json, sys\n"
        "from pathlib import Path\n"
        "from app.demo.files import kiosk_file\n"
        "from app.kiosk_app import build_terminal\n"
        "from kiosk.config import load_kiosk_config\n"
        f"path = kiosk_file(Path({str(folder)!r}), server={server!r})\n"
        f"terminal = build_terminal(load_kiosk_config(path), path, Path({str(folder)!r}), dev=True, start=False)\n"
        "terminal.close()\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'requests', 'sqlalchemy', 'PySide6'})))\n"
    )


def test_a_kiosk_loads_only_the_hall_link_it_uses(tmp_path) -> None:
    # The engine needs SQLAlchemy, the client requests: each is tens of MB a kiosk would carry
    # for nothing. Neither half loads Qt, so kiosk run can open it before the window.
    assert _pipeline_imports(tmp_path / "standalone", None) == ["sqlalchemy"]
    assert _pipeline_imports(tmp_path / "server", "http://127.0.0.1:9") == ["requests"]
