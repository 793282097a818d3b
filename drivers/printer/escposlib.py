"""python-escpos, imported with its printer database kept between runs.

On import python-escpos reads its printer database (``capabilities.json``, 96 KB, parsed by the
pure-Python YAML loader) and keeps the result as a pickle in ``ESCPOS_CAPABILITIES_PICKLE_DIR``,
which defaults to a new ``mkdtemp()`` folder. So every process parsed the file again (0.2-0.4 s
of every kiosk start) and left one more folder in /tmp, never removed (hundreds after a few
days of restarts). Here the pickle lives in the user's cache folder and is written once, under
a lock, so processes starting together never read a half-written one; a damaged one (a power cut
while it was written) is thrown away and rebuilt.

The rest of the driver takes escpos from here, so the cache is in place before escpos loads.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

PICKLE_DIR = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def cache_dir() -> Path:
    """Where the parsed printer database is kept (a folder only this user may write)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("hall-kiosk")) / "escpos"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold ``folder/.lock`` while escpos reads or writes its pickle (POSIX; elsewhere none)."""
    try:
        import fcntl

        lock = open(folder / ".lock", "a")  # held across the yield, closed below
    except (ImportError, OSError):
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def load_capabilities() -> None:
    """Import ``escpos.capabilities`` with the database cached in ``cache_dir()``. An operator's
    own ``ESCPOS_CAPABILITIES_PICKLE_DIR`` is respected; without a usable cache folder escpos
    keeps its default (a temporary folder)."""
    if "escpos.capabilities" in sys.modules:
        return
    if PICKLE_DIR not in os.environ:
        folder = cache_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            log.debug("no cache folder for the printer database: %s", exc)
            return
        os.environ[PICKLE_DIR] = str(folder)
    folder = Path(os.environ[PICKLE_DIR])
    with _locked(folder), _scratch_in(folder):
        try:
            import escpos.capabilities  # noqa: F401
        except (pickle.UnpicklingError, EOFError, ValueError, AttributeError) as exc:
            # A pickle cut short: escpos loads it whenever it is newer than the database.
            log.warning("printer database cache damaged (%s): rebuilt", exc)
            for stale in folder.glob("*.capabilities.pickle"):
                stale.unlink(missing_ok=True)
            import escpos.capabilities  # noqa: F401


@contextlib.contextmanager
def _scratch_in(folder: Path) -> Iterator[None]:
    """escpos calls ``mkdtemp()`` on import even when told where its cache is: let that empty
    folder be made in ``folder`` and removed, not left in /tmp (it is the only temporary file
    made while the import runs, on the one thread importing the driver)."""
    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = before
        for made in folder.glob("tmp*"):
            with contextlib.suppress(OSError):
                made.rmdir()  # only if empty


load_capabilities()

from escpos.constants import QR_ECLEVEL_M  # noqa: E402 - after the cache is in place
from escpos.printer import Dummy  # noqa: E402

__all__ = ["QR_ECLEVEL_M", "Dummy", "cache_dir", "load_capabilities"]
