"""Shared set-up for the kiosk tests: a real engine, real widgets, simulated devices.

Imported by the other ``test_kiosk_*`` modules; it holds no tests of its own.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from drivers.idcard.simcards import sample_card_text
from drivers.idcard.simulator import forget_sim, sim_device
from kiosk.config import PROJECT_CONFIG_DIR, load_kiosk_config
from kiosk.hall import LocalHall, open_engine
from tests.kiosk_files import kiosk_file
from ui.i18n import I18N_DIR, Languages
from ui.kiosk import KioskWindow

KIOSK_TOML = PROJECT_CONFIG_DIR / "kiosk.toml"
ELDERLY_BORN = date(1950, 3, 7)
_instances = itertools.count()


@pytest.fixture(scope="session")
def qm_dir(tmp_path_factory) -> Path:
    """The project's translations compiled into a temporary folder."""
    out = tmp_path_factory.mktemp("qm")
    tool = Path(sys.executable).parent / "pyside6-lrelease"
    for ts in I18N_DIR.glob("*_zh_CN.ts"):
        subprocess.run([str(tool), "-silent", str(ts), "-qm", str(out / (ts.stem + ".qm"))],
                       check=True)
    return out


@pytest.fixture
def hall(tmp_path) -> LocalHall:
    """A real engine on SQLite in dev mode (open at any hour), in-process."""
    return LocalHall(open_engine(PROJECT_CONFIG_DIR / "hall.toml", tmp_path / "hall", dev=True))


@pytest.fixture
def kiosk_config():
    """The sample kiosk configuration."""
    return load_kiosk_config(KIOSK_TOML)


class Rig:
    """One kiosk under test, built as ``kiosk run`` builds it, with its simulated reader."""

    def __init__(self, kiosk, reader_uri: str | None):
        self.kiosk = kiosk
        self.window = kiosk.window
        self.reader_uri = reader_uri

    @property
    def services(self):
        return self.window.services

    @property
    def printer(self):
        return self.kiosk.terminal.printer

    def card(self, born: date | None = None) -> None:
        """Put a card on the simulated reader."""
        sim_device(self.reader_uri).place(sample_card_text("resident", born=born))

    def remove_card(self) -> None:
        sim_device(self.reader_uri).remove()


@pytest.fixture
def make_kiosk(qtbot, qm_dir, hall, tmp_path):
    """Factory: ``make_kiosk(printer="dummy:", reader=True, hall_=None, server=None, **options)``.

    The kiosk is built by ``app.kiosk_app.build_kiosk`` from a kiosk file (simulated devices)
    over the test's in-process ``hall``, or ``hall_``, or with ``server=URL`` the hall server
    that the file's ``[link]`` names. ``options`` go to the window (timings).
    """
    from app.kiosk_app import build_kiosk

    rigs: list[Rig] = []

    def make(printer="dummy:", reader=True, hall_=None, size=(1920, 1080), server=None,
             file_options=None, **options) -> Rig:
        n = next(_instances)
        uri = f"sim:empty?instance=kiosk-test-{n}" if reader else None
        folder = tmp_path / f"kiosk-{n}"
        path = kiosk_file(folder, printer=printer, reader=uri, server=server, **(file_options or {}))
        options.setdefault("done_ms", 60_000)
        kiosk = build_kiosk(path, data_dir=folder / "data", dev=True,
                            hall=None if server else (hall_ or hall),
                            languages=Languages(QApplication.instance(), qm_dir), **options)
        window = kiosk.window
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        rig = Rig(kiosk, uri)
        rigs.append(rig)
        qtbot.waitUntil(lambda: window.catalog is not None or window.screen_name() == "unavailable",
                        timeout=10_000)
        return rig

    yield make
    for rig in rigs:
        rig.window.languages.set("en")  # remove the translators from the shared application
        rig.window.unlock_exit()
        rig.window.close()
        rig.kiosk.close()
        if rig.reader_uri:
            forget_sim(rig.reader_uri)


def click(qtbot, widget) -> None:
    """A real click in the middle of a visible, enabled widget."""
    assert widget.isVisible(), f"{widget.objectName() or widget.text()} is not visible"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def wait_screen(qtbot, window: KioskWindow, name: str, timeout: int = 10_000) -> None:
    """Wait until the kiosk shows ``name``."""
    qtbot.waitUntil(lambda: window.screen_name() == name, timeout=timeout)


def to_identify(qtbot, window: KioskWindow, code: str) -> None:
    """Home → tile → materials → identify, by clicks."""
    home = window.screens["home"]
    home.show_service_page(code)
    click(qtbot, home.tile(code))
    wait_screen(qtbot, window, "materials")
    click(qtbot, window.screens["materials"].next)
    wait_screen(qtbot, window, "identify")


def same_service_twice(qtbot, rig, code: str = "SS01"):
    """A card holder takes a ticket, then asks for the same service again: the real-name rule
    stops on the error screen offering a reprint. Returns the first ticket."""
    w = rig.window
    to_identify(qtbot, w, code)
    rig.card()
    wait_screen(qtbot, w, "done")
    first = w.screens["done"].outcome.ticket
    rig.remove_card()
    click(qtbot, w.screens["done"].finish)
    wait_screen(qtbot, w, "home")
    to_identify(qtbot, w, code)
    rig.card()
    wait_screen(qtbot, w, "error")
    return first
