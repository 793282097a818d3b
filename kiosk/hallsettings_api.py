"""The hall settings API (DESIGN.md §5 "Hall settings"): read and change the hall file while
the server runs, for the console and for scripts. Administrators only.

``GET /api/v1/settings/hall`` gives the editable view of the hall file (``kiosk.hallsettings``)
and what in it waits for a restart; ``POST`` takes changes in the same shape and answers what
changed, what applies now and what from the next start. A bad change is 422 and a change the
running hall cannot take today 409, both with ``problems`` keyed by field and nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI
from fastapi.responses import JSONResponse

from kiosk.config import ConfigError, load_hall_config
from kiosk.configwrite import SettingsInvalid
from kiosk.engine import HallEngine
from kiosk.hallsettings import (
    HallFileUnwritable,
    SettingsRefused,
    editable,
    field_changes,
    restart_fields,
    save_hall_settings,
)
from kiosk.server import PROBLEM, caller
from kiosk.tokens import Identity

PATH = "/api/v1/settings/hall"
Admin = Annotated[Identity, Depends(caller("admin"))]


def _problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "status": status, "title": code.replace("_", " ").capitalize(),
            "detail": detail, "code": code, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _no_file() -> JSONResponse:
    return _problem(409, "no_hall_file", "this server was started without a hall file, so its settings cannot "
                    "be changed here; start it with 'kiosk serve --config hall.toml'")


def install_hall_settings(app: FastAPI, engine: HallEngine, hall_file: Path | None) -> None:
    """Add the hall settings endpoints for ``hall_file`` (None: they answer 409)."""

    @app.get(PATH, tags=["settings"], summary="The hall's editable settings")
    def read_settings(_who: Admin) -> JSONResponse:
        if hall_file is None:
            return _no_file()
        try:
            config = load_hall_config(hall_file)
        except ConfigError as exc:
            return _problem(409, "hall_file_invalid", f"the hall file has problems; fix them by hand "
                            f"('kiosk config check {hall_file}') before editing it here",
                            problems=dict(exc.problems))
        pending = restart_fields(field_changes(engine.config, config))
        return JSONResponse({**editable(config), "needs_restart": pending})

    @app.post(PATH, tags=["settings"], summary="Change the hall's settings")
    def change_settings(who: Admin, changes: Annotated[dict[str, Any], Body()]) -> JSONResponse:
        if hall_file is None:
            return _no_file()
        try:
            result = save_hall_settings(hall_file, changes, actor=who.actor, engine=engine)
        except HallFileUnwritable as exc:
            return _problem(503, "hall_file_unwritable", str(exc), problems=exc.problems)
        except SettingsRefused as exc:
            return _problem(409, "settings_refused", "the running hall cannot take this change now; nothing "
                            "was written: " + str(exc), problems=exc.problems)
        except SettingsInvalid as exc:
            return _problem(422, "validation_error", "the change would make the hall file invalid; nothing "
                            "was written: " + str(exc), problems=exc.problems)
        return JSONResponse(result.summary())
