"""Kiosk and hall files for the demo and the tests: the samples with other devices and links.

The demo and the tests build their kiosk the way ``kiosk run`` does, from a file
(``app.kiosk_app.build_kiosk``); only the edges differ: a simulated card reader, a ``dummy:`` or
``file:`` printer, a server on loopback.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

from kiosk.config import PROJECT_CONFIG_DIR


def kiosk_file(folder: Path, *, printer: str | None = "dummy:", reader: str | None = None,
               server: str | None = None, token: str = "test-kiosk", timeout_s: float = 3.0,
               kiosk_id: str = "K01", blank_pins: bool = False, staff_cards: list[str] = (),
               hall_file: Path | None = None, voice: dict | None = None, **kiosk_keys) -> Path:
    """Write ``folder/kiosk.toml``: the sample kiosk with these devices and link; returns its path.

    ``hall_file`` replaces the sample hall; ``server`` None keeps the kiosk standalone; ``blank_pins`` leaves the PIN hashes empty (the
    development PINs then open staff mode); ``staff_cards`` are staff card entries (``kiosk.idkeys.staff_card_entry``);
    ``voice`` sets keys of the ``[voice]`` table; ``kiosk_keys`` set keys of the ``[kiosk]`` table.
    """
    doc = tomlkit.parse((PROJECT_CONFIG_DIR / "kiosk.toml").read_text("utf-8"))
    doc["kiosk"]["id"] = kiosk_id
    doc["kiosk"]["hall_config"] = str(hall_file or PROJECT_CONFIG_DIR / "hall.toml")
    doc["kiosk"]["data_dir"] = ""
    for key, value in kiosk_keys.items():
        doc["kiosk"][key] = value
    doc["printer"]["uri"] = printer or ""  # empty: a kiosk without a printer
    doc["id_reader"]["uri"] = reader or ""
    if server:
        doc["link"].update({"mode": "server", "url": server, "token": token, "timeout_s": timeout_s})
    doc["staff"]["staff_cards"] = list(staff_cards)
    for key, value in (voice or {}).items():
        doc["voice"][key] = value
    if blank_pins:
        doc["staff"]["pin_hash"] = ""
        doc["staff"]["tech_pin_hash"] = ""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.toml"
    path.write_text(tomlkit.dumps(doc), "utf-8")
    return path


def hall_file(folder: Path, edit) -> Path:
    """Write ``folder/hall.toml``: the sample hall after ``edit(doc)`` changed its TOML document."""
    doc = tomlkit.parse((PROJECT_CONFIG_DIR / "hall.toml").read_text("utf-8"))
    edit(doc)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hall.toml"
    path.write_text(tomlkit.dumps(doc), "utf-8")
    return path

