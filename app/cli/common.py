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


HALL_HELP = ("the hall's code in a city database (the schema hall_CODE), as given to kiosk serve --hall; "
             "with --db only")
CITY_HELP = "the city's accounts (they read the city view of every hall), not a hall's; with --db only"


def server_data_dir(data: Path | None, hall: str | None = None) -> Path:
    """The hall server's data folder: ``--data``, else the user's; with ``--hall``, a folder of
    the hall's own in it (logs, clerk photos, export files: never shared by two halls)."""
    folder = Path(data) if data else default_data_dir("server")
    return folder / f"hall_{hall}" if hall and not data else folder


def hall_store(data: Path | None, *, existing: bool = False, db: str | None = None, hall: str | None = None,
               city: bool = False):  # noqa: ANN201 - a kiosk.store.Store
    """The hall database in ``data`` (default: the server's folder, ``server_data_dir``), or the PostgreSQL database
    of the URL ``db`` (its hall ``hall``, or the city's own schema with ``city``); ``existing``:
    refuse to make a new SQLite file or hall schema (commands that only read or change what is
    there)."""
    from sqlalchemy.exc import DBAPIError

    from kiosk.store import CITY_SCHEMA, Store

    folder = server_data_dir(data, hall)
    if (hall or city) and not db:
        raise HallError("validation_error", f"{'--hall' if hall else '--city'} needs the city's PostgreSQL "
                        "database: give --db postgresql://…")
    if hall and city:
        raise HallError("validation_error", "give --hall (a hall's accounts) or --city (the city's), not both")
    if db:
        if hall:  # a typo must not make an empty hall: kiosk serve --hall makes a new one
            from kiosk.city import hall_codes

            try:
                known = hall_codes(db)
            except ValueError as exc:  # not a PostgreSQL URL
                raise HallError("validation_error", str(exc)) from None
            except DBAPIError as exc:
                raise HallError("data_unavailable", f"cannot read the halls of the database: "
                                f"{str(exc.orig).strip()}; check that PostgreSQL runs there") from None
            if hall not in known:
                raise HallError("not_found", f"the database has no hall {hall!r} (its halls: "
                                f"{', '.join(known) or 'none yet'}); check --hall, or start kiosk serve --hall "
                                f"{hall} first: it makes the hall")
        return Store(db, data_dir=folder, hall=hall, schema=CITY_SCHEMA if city else None)
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
