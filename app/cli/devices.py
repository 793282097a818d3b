"""``kiosk devices …``: technician commands, one module per kind of device."""

from __future__ import annotations

import argparse

from app.cli import devices_calling, devices_card, devices_printer


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``devices`` group and let each device module add its commands."""
    parser = sub.add_parser("devices", help="list, test and configure devices")
    group = parser.add_subparsers(dest="device_command", required=True, metavar="DEVICE_COMMAND")
    for module in (devices_printer, devices_card, devices_calling):
        module.register(group)
