"""Device commands (being written)."""

from __future__ import annotations

import argparse


def register(group: argparse._SubParsersAction) -> None:
    """Add this module's ``kiosk devices`` subcommands."""
