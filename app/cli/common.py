"""What several ``kiosk`` subcommands share: the one-line refusal, the hall database of
``--data``, and a PIN typed twice without echo."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.domain import HallError

PROJECT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
"""The sample hall and kiosk files: ``kiosk.config.PROJECT_CONFIG_DIR``, repeated here because
``kiosk.config`` loads pydantic and the printer driver, a third of a second that ``kiosk --help``
and every command's parser would otherwise pay (tests/test_quick_commands.py checks they agree)."""


def fail(message: str) -> int:
    """Print ``kiosk: <message>`` on standard error; the exit code 1."""
    print(f"kiosk: {message}", file=sys.stderr)
    return 1


def default_data_dir(kind: str) -> Path:
    """Where a program keeps its database when ``--data`` is not given."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("hall-kiosk")) / kind


DB_HELP = "the hall's PostgreSQL database (postgresql://user@host/name), as given to kiosk serve --db"


def hall_store(data: Path | None, *, existing: bool = False, db: str | None = None):  # noqa: ANN201 - a kiosk.store.Store
    """The hall database in ``data`` (default: the server's folder), or the PostgreSQL database
    of the URL ``db``; ``existing``: refuse to make a new SQLite file (commands that only read or
    change what is there)."""
    from kiosk.store import Store

    folder = Path(data or default_data_dir("server"))
    if db:
        return Store(db, data_dir=folder)
    path = folder / "hall.db"
    if existing and not path.exists():
        raise HallError("not_found", f"no hall database at {path}; give the hall server's folder with --data")
    return Store(path)


def ask_pin_twice() -> str:
    """A PIN typed twice without echo; ValueError when the two differ."""
    import getpass

    pin = getpass.getpass("PIN (4 to 12 digits): ")
    if getpass.getpass("the same PIN again: ") != pin:
        raise ValueError("the two PINs differ")
    return pin
