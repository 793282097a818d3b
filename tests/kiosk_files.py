"""Kiosks for tests, built from kiosk files as ``kiosk run`` builds them."""

from __future__ import annotations

from pathlib import Path

from app.demo.files import hall_file, kiosk_file

__all__ = ["built_kiosk", "hall_file", "kiosk_file"]


def built_kiosk(folder: Path, **file_options):
    """A whole kiosk as ``kiosk run --dev`` builds it (``app.kiosk_app.build_kiosk``) from a
    kiosk file written into ``folder``, which is also its data folder (hall, outbox, audit log).
    The caller closes it (``.close()``)."""
    from app.kiosk_app import build_kiosk

    return build_kiosk(kiosk_file(folder, **file_options), data_dir=folder, dev=True)


def cli_args(*words) :
    """The arguments as the ``kiosk`` command parses them (every option with its default)."""
    from app.cli import build_parser

    return build_parser().parse_args([str(w) for w in words])
