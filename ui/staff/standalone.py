"""Building ``KioskServices`` without the citizen window: for the demo, tests and trying panels.

``build_services`` puts a real terminal (hall + printer from the config) behind fresh lanes and
an empty AlertCenter, exactly the shape the kiosk window builds at start-up.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.terminal import KioskTerminal
from ui.ops import Lane
from ui.services import AlertCenter, KioskServices


def build_services(config: KioskConfig, config_path: Path, hall, *, printer=None) -> KioskServices:
    """Services over ``hall`` with the config's printer (or ``printer`` if given)."""
    from drivers.printer import PrinterSettings, open_printer

    if printer is None:
        printer = open_printer(PrinterSettings.model_validate(config.printer))
    terminal = KioskTerminal(config, hall, printer)
    return KioskServices(config=config, config_path=Path(config_path), hall=hall,
                         terminal=terminal, hall_lane=Lane("hall"), printer_lane=Lane("printer"),
                         alerts=AlertCenter(),
                         device_states={"printer": "ok", "reader": "ok", "hall": "ok"})
