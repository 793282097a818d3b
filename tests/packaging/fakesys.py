"""A fake /sys tree with the devices of the recorded ``udevadm info`` dumps in udev/: the same
layout as the kernel's (class/tty links, USB device folders with idVendor…, interface folders),
so ``kiosk devices list --sys`` reads it as it reads the real one."""

from __future__ import annotations

import os
from pathlib import Path

PCI = "devices/pci0000:00/0000:00:14.0/usb1"


def _usb_device(sys: Path, name: str, vendor: str, product: str, *, serial: str = "", manufacturer: str = "",
                label: str = "", busnum: int = 1, devnum: int = 2, interfaces: tuple[str, ...] = ("ff",)) -> Path:
    parent = sys / PCI
    for step in _chain(name):  # 1-4.1 lives inside 1-4 (a hub)
        parent = parent / step
    folder = parent
    folder.mkdir(parents=True)
    files = {"idVendor": vendor, "idProduct": product, "manufacturer": manufacturer, "product": label,
             "busnum": str(busnum), "devnum": str(devnum)}
    if serial:
        files["serial"] = serial
    for key, value in files.items():
        if value:
            (folder / key).write_text(value + "\n")
    for number, cls in enumerate(interfaces):
        interface = folder / f"{name}:1.{number}"
        interface.mkdir()
        (interface / "bInterfaceClass").write_text(cls + "\n")
    links = sys / "bus" / "usb" / "devices"
    links.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(folder, links), links / name)
    return folder


def _chain(name: str) -> list[str]:
    """1-4.1 → ["1-4", "1-4.1"]: the folders from the root hub down."""
    bus, _, ports = name.partition("-")
    steps, path = [], []
    for port in ports.split("."):
        path.append(port)
        steps.append(f"{bus}-{'.'.join(path)}")
    return steps


def _tty(sys: Path, interface: Path, tty: str, *, acm: bool = False) -> None:
    """class/tty/<tty> → …/<interface>/<tty>/tty/<tty> (usb-serial) or …/<interface>/tty/<tty> (ACM),
    with its ``device`` link to the port (usb-serial) or the interface (ACM)."""
    port = interface if acm else interface / tty
    node = port / "tty" / tty
    node.mkdir(parents=True)
    os.symlink(os.path.relpath(port, node), node / "device")
    tty_class = sys / "class" / "tty"
    tty_class.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(node, tty_class), tty_class / tty)


def build(sys: Path) -> Path:
    """The hall's devices: CH340 (no serial) on port 3, FTDI (serial A10KZ3BQ) behind a hub on
    port 4.1, PL2303 on port 6, the POS-58 printer on port 5, an Epson printer-class printer on
    port 2, a keyboard on port 1, a built-in UART ttyS0 and the virtual tty1."""
    ch340 = _usb_device(sys, "1-3", "1a86", "7523", label="USB Serial", devnum=4)
    _tty(sys, ch340 / "1-3:1.0", "ttyUSB0")
    _usb_device(sys, "1-4", "05e3", "0608", label="USB2.0 Hub", devnum=5, interfaces=("09",))
    ftdi = sys / PCI / "1-4" / "1-4.1"
    ftdi.mkdir()
    for key, value in {"idVendor": "0403", "idProduct": "6001", "serial": "A10KZ3BQ", "manufacturer": "FTDI",
                       "product": "FT232R USB UART", "busnum": "1", "devnum": "6"}.items():
        (ftdi / key).write_text(value + "\n")
    (ftdi / "1-4.1:1.0").mkdir()
    _tty(sys, ftdi / "1-4.1:1.0", "ttyUSB1")
    pl2303 = _usb_device(sys, "1-6", "067b", "2303", manufacturer="Prolific Technology Inc.",
                         label="USB-Serial Controller", devnum=8)
    _tty(sys, pl2303 / "1-6:1.0", "ttyUSB2")
    _usb_device(sys, "1-5", "0416", "5011", manufacturer="Winbond", label="POS58 Printer USB", devnum=7)
    _usb_device(sys, "1-2", "04b8", "0e15", serial="4C4A123456", manufacturer="EPSON", label="TM-T20II",
                devnum=3, interfaces=("07",))
    _usb_device(sys, "1-1", "046d", "c31c", label="USB Keyboard", devnum=2, interfaces=("03", "03"))
    uart = sys / "devices" / "platform" / "serial8250"
    uart.mkdir(parents=True)
    _tty(sys, uart, "ttyS0", acm=True)
    (sys / "devices" / "virtual" / "tty" / "tty1").mkdir(parents=True)
    os.symlink("../../devices/virtual/tty/tty1", sys / "class" / "tty" / "tty1")
    return sys
