"""Stable device names for ``kiosk devices list``: the udev line that pins each device plugged in.

Reads only /sys (no root, no udev database): the USB-serial ports (``/sys/class/tty``) and the
USB printers (``/sys/bus/usb/devices``), each with its vendor, product and serial number, and
prints the line of ``/etc/udev/rules.d/98-hall-kiosk-local.rules`` that gives it its role; the
package's ``99-hall-kiosk.rules`` (packaging/udev/) turns the role into ``/dev/hall-<role>``.
The lines match the properties udev itself sets (ID_VENDOR_ID, ID_MODEL_ID, ID_SERIAL_SHORT,
ID_PATH), so they work the same as ``udevadm info`` shows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROLES = ("printer", "idreader", "sign")
LOCAL_RULES = "/etc/udev/rules.d/98-hall-kiosk-local.rules"
SERIAL_CHIPS = {
    ("1a86", "7523"), ("1a86", "5523"), ("1a86", "55d4"),
    ("0403", "6001"), ("0403", "6010"), ("0403", "6014"), ("0403", "6015"),
    ("067b", "2303"), ("067b", "23a3"), ("10c4", "ea60"), ("10c4", "ea70"),
}
"""(vendor, product) of the USB-serial chips 99-hall-kiosk.rules gives the dialout group."""
NAMED_PRINTERS = {("0416", "5011")}
"""USB printers with a vendor-specific interface that 99-hall-kiosk.rules names without a pin."""
USB_PRINTER_CLASS = "07"


@dataclass(frozen=True)
class UsbThing:
    """A serial port or a USB printer as /sys shows it."""

    node: str  # /dev/ttyUSB0, or /dev/bus/usb/BBB/DDD for a printer
    kind: str  # "tty" or "printer"
    vendor: str
    product: str
    serial: str
    id_path: str
    label: str

    def rule(self, role: str = "ROLE") -> str:
        """The pin line: by serial number when the device has one, else by the port it is in."""
        if self.kind == "tty":
            head = 'SUBSYSTEM=="tty"'
        else:
            head = 'SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device"'
        which = f'ENV{{ID_SERIAL_SHORT}}=="{self.serial}"' if self.serial else f'ENV{{ID_PATH}}=="{self.id_path}"'
        return (f'{head}, ENV{{ID_VENDOR_ID}}=="{self.vendor}", ENV{{ID_MODEL_ID}}=="{self.product}", '
                f'{which}, ENV{{HALL_ROLE}}="{role}"')


def _read(folder: Path, name: str) -> str:
    try:
        return (folder / name).read_text("utf-8", errors="replace").strip()
    except OSError:
        return ""


def _usb_device_above(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` that is a USB device (has idVendor)."""
    for folder in (path, *path.parents):
        if (folder / "idVendor").is_file():
            return folder
        if folder.name in ("devices", "sys", ""):
            break
    return None


def _serial_short(text: str) -> str:
    """The serial as udev's usb_id makes ID_SERIAL_SHORT: spaces to _, odd characters dropped."""
    return re.sub(r"[^0-9A-Za-z#+\-.:=@_]", "", text.strip().replace(" ", "_"))


def id_path(interface: Path) -> str:
    """udev's ID_PATH of a USB interface folder (e.g. 1-3.2:1.0 under PCI 0000:00:14.0):
    ``pci-0000:00:14.0-usb-0:3.2:1.0``; for a USB device folder (1-3.2) ``…-usb-0:3.2``."""
    name = interface.name
    port = name.split("-", 1)[1] if "-" in name else name
    controller = ""
    for folder in interface.parents:
        if re.fullmatch(r"[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-9a-f]", folder.name):
            controller = f"pci-{folder.name}"
            break
        if folder.parent.name == "platform":
            controller = f"platform-{folder.name}"
            break
    return f"{controller}-usb-0:{port}" if controller else f"usb-0:{port}"


def serial_ports(sys_root: Path) -> list[UsbThing]:
    """USB-serial ports (ttyUSB*, ttyACM*) under ``sys_root``/class/tty."""
    found = []
    tty_class = sys_root / "class" / "tty"
    for entry in sorted(tty_class.glob("tty*")) if tty_class.is_dir() else []:
        try:
            device_link = (entry / "device").resolve(strict=True)
        except OSError:  # a virtual terminal: no device behind it
            continue
        usb = _usb_device_above(device_link)
        if usb is None:  # a built-in UART (ttyS*): nothing to pin by vendor
            continue
        interface = next((f for f in (device_link, *device_link.parents)
                          if f.parent == usb and ":" in f.name), device_link)
        vendor, product = _read(usb, "idVendor").lower(), _read(usb, "idProduct").lower()
        label = " ".join(x for x in (_read(usb, "manufacturer"), _read(usb, "product")) if x)
        found.append(UsbThing(f"/dev/{entry.name}", "tty", vendor, product, _serial_short(_read(usb, "serial")),
                              id_path(interface), label or "USB serial"))
    return found


def usb_printers(sys_root: Path) -> list[UsbThing]:
    """USB devices with a printer-class interface, or a printer 99-hall-kiosk.rules knows."""
    found = []
    bus = sys_root / "bus" / "usb" / "devices"
    for entry in sorted(bus.iterdir()) if bus.is_dir() else []:
        folder = entry.resolve()
        if ":" in entry.name or not (folder / "idVendor").is_file():
            continue
        vendor, product = _read(folder, "idVendor").lower(), _read(folder, "idProduct").lower()
        classes = {_read(i, "bInterfaceClass") for i in folder.glob(f"{entry.name}:*")}
        if USB_PRINTER_CLASS not in classes and (vendor, product) not in NAMED_PRINTERS:
            continue
        node = f"/dev/bus/usb/{int(_read(folder, 'busnum') or 0):03d}/{int(_read(folder, 'devnum') or 0):03d}"
        label = " ".join(x for x in (_read(folder, "manufacturer"), _read(folder, "product")) if x)
        found.append(UsbThing(node, "printer", vendor, product, _serial_short(_read(folder, "serial")),
                              id_path(folder), label or "USB printer"))
    return found


def stable_name_lines(sys_root: Path, roles: dict[str, str] | None = None) -> list[str]:
    """The ``kiosk devices list`` section: each device and the line that pins it. ``roles``
    maps a device (``ttyUSB0`` or its /dev path) to its role, filled into its line."""
    roles = {(k if k.startswith("/dev/") else f"/dev/{k}"): v for k, v in (roles or {}).items()}
    ports, printers = serial_ports(sys_root), usb_printers(sys_root)
    if not ports and not printers:
        return ["stable names: no USB-serial port or USB printer plugged in"]
    lines = [f"stable names (udev): paste a device's line into {LOCAL_RULES}, with ROLE one of "
             f"{', '.join(ROLES)}; it becomes /dev/hall-ROLE"]
    for thing in [*ports, *printers]:
        ident = f"{thing.vendor}:{thing.product}"
        how = f"serial {thing.serial}" if thing.serial else "no serial number: pinned by the USB port it is in"
        lines.append(f"  {thing.node}  {ident} {thing.label} ({how})")
        if thing.kind == "printer" and thing.node not in roles:
            lines.append("    named /dev/hall-printer by the package's rules; to pin one of several:")
        elif thing.kind == "tty" and (thing.vendor, thing.product) not in SERIAL_CHIPS:
            lines.append("    a chip the package's rules do not know: add GROUP=\"dialout\", MODE=\"0660\" to its line")
        lines.append(f"    {thing.rule(roles.get(thing.node, 'ROLE'))}")
    return lines


def role_arg(text: str) -> tuple[str, str]:
    """``DEVICE=ROLE`` (argparse type), e.g. ttyUSB0=idreader."""
    import argparse

    device, _, role = text.partition("=")
    if not device or role not in ROLES:
        raise argparse.ArgumentTypeError(f"{text!r}: give DEVICE=ROLE, e.g. ttyUSB0=idreader; "
                                         f"ROLE is one of {', '.join(ROLES)}")
    return device, role
