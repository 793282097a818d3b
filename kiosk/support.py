"""Support bundles and device discovery for the technician, Qt-free.

``build_bundle`` writes a zip a technician can send to support: the kiosk config without its
secrets, recent logs with personal data scrubbed, versions and device states. ``list_serial_ports``
and ``list_usb_printers`` say what hardware this machine has, for the settings panel.
"""

from __future__ import annotations

import json
import platform
import re
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from kiosk import __version__

SECRET_KEYS = {("link", "token"), ("staff", "pin_hash"),
               ("staff", "tech_pin_hash"), ("staff", "staff_cards")}
REDACTED = "<removed>"
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)
LOG_TAIL_BYTES = 512 * 1024


def versions() -> dict[str, str]:
    """Versions of the kiosk, Python, PySide6 (as installed) and Qt (as loaded by the GUI that
    asks). The core never imports Qt itself: the server and the CLI run without it."""
    from importlib import metadata

    out = {"kiosk": __version__, "python": sys.version.split()[0], "platform": platform.platform()}
    try:
        out["pyside6"] = metadata.version("pyside6-essentials")
    except metadata.PackageNotFoundError:
        out["pyside6"] = "—"
    qt_core = sys.modules.get("PySide6.QtCore")
    out["qt"] = qt_core.qVersion() if qt_core is not None else "—"
    return out


def scrub(text: str) -> str:
    """Text with 18-character ID numbers masked (``310101********0014`` style) and bearer tokens cut."""
    text = _ID_NUMBER.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(2), text)
    return _BEARER.sub(lambda m: m.group(1) + REDACTED, text)


def redacted_config(path: Path | str) -> str:
    """The kiosk TOML with its secrets replaced by ``<removed>`` (comments kept)."""
    doc = tomlkit.parse(Path(path).read_text(encoding="utf-8"))
    for table, key in SECRET_KEYS:
        if table in doc and key in doc[table]:
            doc[table][key] = REDACTED
    return scrub(tomlkit.dumps(doc))


def _tail(path: Path, limit: int = LOG_TAIL_BYTES) -> str:
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - limit))
        return fh.read().decode("utf-8", "replace")


def build_bundle(out: Path | str, *, config_path: Path | str | None, log_files: list[Path] = (),
                 device_states: dict | None = None, last_errors: dict | None = None,
                 extra: dict | None = None) -> Path:
    """Write the support zip at ``out`` and return its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    info = {"created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "versions": versions(),
            "device_states": device_states or {}, "last_errors": {k: scrub(str(v)) for k, v in
                                                                 (last_errors or {}).items()},
            **(extra or {})}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("info.json", json.dumps(info, ensure_ascii=False, indent=2, default=str))
        if config_path is not None:
            try:
                zf.writestr("kiosk.toml", redacted_config(config_path))
            except (OSError, ValueError) as exc:
                zf.writestr("kiosk.toml.error", f"config not readable: {exc}")
        for log in log_files:
            try:
                zf.writestr(f"logs/{Path(log).name}", scrub(_tail(Path(log))))
            except OSError as exc:
                zf.writestr(f"logs/{Path(log).name}.error", str(exc))
    return out


@dataclass(frozen=True)
class FoundDevice:
    """A device found on this machine: a URI to put in the config and what it is."""

    uri: str
    description: str


def list_serial_ports() -> list[FoundDevice]:
    """Serial ports pyserial sees, as ``serial://`` URIs."""
    from serial.tools import list_ports

    return [FoundDevice(f"serial://{p.device}", f"{p.device} — {p.description or '?'}")
            for p in sorted(list_ports.comports(), key=lambda p: p.device)]


def list_usb_printers(sysfs: Path | str = "/sys/bus/usb/devices") -> list[FoundDevice]:
    """USB devices with a printer-class interface (class 07), from Linux sysfs; [] elsewhere."""
    root = Path(sysfs)
    found: dict[str, FoundDevice] = {}
    if not root.is_dir():
        return []
    for interface in root.glob("*:*"):
        if _read(interface / "bInterfaceClass") != "07":
            continue
        device = interface.parent if (interface.parent / "idVendor").exists() else \
            root / interface.name.split(":")[0]
        vid, pid = _read(device / "idVendor"), _read(device / "idProduct")
        if vid and pid:
            name = " ".join(filter(None, (_read(device / "manufacturer"), _read(device / "product"))))
            found[f"{vid}:{pid}"] = FoundDevice(f"usb://{vid}:{pid}", name or f"USB printer {vid}:{pid}")
    return sorted(found.values(), key=lambda d: d.uri)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
