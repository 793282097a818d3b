"""``kiosk devices list`` on a fake /sys tree (tests/packaging/fakesys.py): each USB-serial port
and USB printer with the udev line that pins it, and those lines, run through the package's
rules by our udev matcher (tests/packaging/udevrules.py) over the recorded ``udevadm info``
properties of the same devices, give /dev/hall-printer, -idreader and -sign."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from tests.packaging import fakesys
from tests.packaging.udevrules import apply, read_info

RULES = Path(__file__).resolve().parents[2] / "packaging" / "udev"
DUMPS = Path(__file__).resolve().parent / "udev"


@pytest.fixture
def sys_tree(tmp_path):
    return fakesys.build(tmp_path / "sys")


def listing(capsys, sys_tree, *more) -> list[str]:
    assert main(["devices", "list", "--sys", str(sys_tree), *more]) == 0
    return capsys.readouterr().out.splitlines()


def test_lists_usb_serial_ports_and_printers_with_their_pin_lines(capsys, sys_tree):
    out = listing(capsys, sys_tree)
    text = "\n".join(out[next(i for i, line in enumerate(out) if line.startswith("stable names")):])
    # the cheap chip has no serial: pinned by the port it is in, as udev's path_id names it
    assert ('SUBSYSTEM=="tty", ENV{ID_VENDOR_ID}=="1a86", ENV{ID_MODEL_ID}=="7523", '
            'ENV{ID_PATH}=="pci-0000:00:14.0-usb-0:3:1.0", ENV{HALL_ROLE}="ROLE"') in text
    # the FTDI behind a hub has one: pinned by it, wherever it is plugged in
    assert ('SUBSYSTEM=="tty", ENV{ID_VENDOR_ID}=="0403", ENV{ID_MODEL_ID}=="6001", '
            'ENV{ID_SERIAL_SHORT}=="A10KZ3BQ", ENV{HALL_ROLE}="ROLE"') in text
    assert "/dev/ttyUSB2  067b:2303 Prolific Technology Inc. USB-Serial Controller" in text
    assert "/dev/bus/usb/001/007  0416:5011 Winbond POS58 Printer USB" in text
    assert "/dev/bus/usb/001/003  04b8:0e15 EPSON TM-T20II (serial 4C4A123456)" in text
    # neither the keyboard, nor the built-in UART, nor a virtual terminal
    assert "046d" not in text and "ttyS0" not in text and "tty1 " not in text


def test_as_fills_the_role_in(capsys, sys_tree):
    text = "\n".join(listing(capsys, sys_tree, "--as", "ttyUSB0=idreader", "--as", "/dev/ttyUSB1=sign"))
    assert 'ENV{ID_PATH}=="pci-0000:00:14.0-usb-0:3:1.0", ENV{HALL_ROLE}="idreader"' in text
    assert 'ENV{ID_SERIAL_SHORT}=="A10KZ3BQ", ENV{HALL_ROLE}="sign"' in text


def test_a_bad_role_is_refused_with_the_choices(capsys, sys_tree):
    with pytest.raises(SystemExit):
        main(["devices", "list", "--sys", str(sys_tree), "--as", "ttyUSB0=scanner"])
    assert "printer, idreader, sign" in capsys.readouterr().err


def test_nothing_plugged_in(capsys, tmp_path):
    assert "no USB-serial port or USB printer plugged in" in "\n".join(listing(capsys, tmp_path))


def _named(local: Path, dump: str):
    return apply([RULES / "99-hall-kiosk.rules", local], read_info(DUMPS / dump))


def test_the_printed_lines_name_the_devices_through_the_packages_rules(capsys, sys_tree, tmp_path):
    out = listing(capsys, sys_tree, "--as", "ttyUSB0=idreader", "--as", "ttyUSB1=sign", "--as", "ttyUSB2=printer")
    local = tmp_path / "98-hall-kiosk-local.rules"
    local.write_text("\n".join(line.strip() for line in out if line.strip().startswith("SUBSYSTEM==")
                               and "ROLE\"" not in line) + "\n")
    reader, sign, serial_printer = (_named(local, d) for d in
                                    ("ch340-ttyUSB0.txt", "ftdi-ttyUSB1.txt", "pl2303-ttyUSB2.txt"))
    assert reader.symlinks == ["hall-idreader"] and (reader.group, reader.mode) == ("dialout", "0660")
    assert sign.symlinks == ["hall-sign"] and sign.group == "dialout"
    assert serial_printer.symlinks == ["hall-printer"]


def test_usb_printers_are_named_without_a_pin_and_given_to_lp(tmp_path):
    empty = tmp_path / "98-hall-kiosk-local.rules"
    empty.write_text("")
    for dump in ("pos58-usb.txt", "epson-usb.txt"):  # vendor-specific interface; printer class
        printer = _named(empty, dump)
        assert printer.symlinks == ["hall-printer"] and (printer.group, printer.mode) == ("lp", "0660"), dump


def test_unpinned_and_unrelated_devices_get_no_hall_name(tmp_path):
    empty = tmp_path / "98-hall-kiosk-local.rules"
    empty.write_text((RULES / "98-hall-kiosk-local.rules").read_text())  # the shipped file: comments only
    ch340 = _named(empty, "ch340-ttyUSB0.txt")
    assert ch340.symlinks == [] and ch340.group == "dialout"  # usable by the hall user, not named
    for dump in ("keyboard-usb.txt", "ttyS0.txt"):
        other = _named(empty, dump)
        assert other.symlinks == [] and other.group == "root", dump


def test_a_removed_device_is_left_alone(tmp_path):
    empty = tmp_path / "98-hall-kiosk-local.rules"
    empty.write_text("")
    dev = read_info(DUMPS / "pos58-usb.txt")
    dev.env["ACTION"] = "remove"
    assert apply([RULES / "99-hall-kiosk.rules", empty], dev).symlinks == []


# ----- the same rules run by udev itself ----------------------------------------------------------
# `udevadm test` over each recorded device, which umockdev presents as if it were plugged in (its
# /sys and /dev faked for udevadm alone), with only the package's rules and the local pin file in
# udev's rule folders (bind-mounted in a mount namespace of the test's own: the machine's rules
# are untouched). It checks what our matcher above cannot: that udev reads the files as we wrote
# them (syntax, matching, the order of the two files).


def _udev_reason() -> str | None:
    import os
    import shutil

    for tool in ("udevadm", "umockdev-run", "unshare"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/setup.sh installs udev, umockdev and util-linux)"
    if os.geteuid() != 0:
        return "bind-mounting udev's rule folders in a private mount namespace needs root"
    return None


def _udevadm_test(local_rules: str, dump: str, tmp_path: Path) -> dict:
    """udev's verdict on the recorded device ``dump``: its symlinks, group and mode."""
    import grp
    import subprocess

    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "99-hall-kiosk.rules").write_text((RULES / "99-hall-kiosk.rules").read_text())
    (rules / "98-hall-kiosk-local.rules").write_text(local_rules)
    device = read_info(DUMPS / dump)
    script = (f"mount --bind {rules} /etc/udev/rules.d && mount --bind {rules} /lib/udev/rules.d && "
              f"umockdev-run --device {DUMPS / dump} -- udevadm test --action=add /sys{device.env['DEVPATH']}")
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-2000:]
    found = {"symlinks": [], "group": "root", "mode": None}
    for line in out.splitlines():
        words = line.split()
        if len(words) >= 4 and words[1].startswith("/etc/udev/rules.d/"):
            if words[2] == "LINK":
                found["symlinks"].append(words[3].strip("'"))
            elif words[2] == "GROUP":
                found["group"] = grp.getgrgid(int(words[3])).gr_name
            elif words[2] == "MODE":
                found["mode"] = words[3]
    return found


@pytest.mark.skipif(_udev_reason() is not None, reason=str(_udev_reason()))
def test_udev_itself_names_the_recorded_devices_by_the_printed_pin_lines(capsys, sys_tree, tmp_path):
    out = listing(capsys, sys_tree, "--as", "ttyUSB0=idreader", "--as", "ttyUSB1=sign", "--as", "ttyUSB2=printer")
    local = "\n".join(line.strip() for line in out if line.strip().startswith("SUBSYSTEM==") and "ROLE\"" not in line)
    expected = {"ch340-ttyUSB0.txt": (["hall-idreader"], "dialout"), "ftdi-ttyUSB1.txt": (["hall-sign"], "dialout"),
                "pl2303-ttyUSB2.txt": (["hall-printer"], "dialout"), "pos58-usb.txt": (["hall-printer"], "lp"),
                "epson-usb.txt": (["hall-printer"], "lp")}
    for dump, (symlinks, group) in expected.items():
        got = _udevadm_test(local + "\n", dump, tmp_path)
        assert (got["symlinks"], got["group"], got["mode"]) == (symlinks, group, "0660"), dump
    # With only the shipped (comments-only) pin file: the serial adapters usable but unnamed; a
    # keyboard and the built-in UART untouched.
    shipped = (RULES / "98-hall-kiosk-local.rules").read_text()
    assert _udevadm_test(shipped, "ch340-ttyUSB0.txt", tmp_path)["symlinks"] == []
    for dump in ("keyboard-usb.txt", "ttyS0.txt"):
        got = _udevadm_test(shipped, dump, tmp_path)
        assert got["symlinks"] == [] and got["mode"] is None, dump
