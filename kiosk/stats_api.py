"""The statistics API (DESIGN.md "Statistics"): the report as JSON, and as a CSV or XLSX download.

Guides and administrators only (their device tokens); the parameters are checked here, with a
422 problem that names the fix for a date that is not one, a period that ends before it starts
or lasts over a year, and an unknown grouping.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response

from kiosk.domain import HallError
from kiosk.engine import HallEngine
from kiosk.server import caller
from kiosk.stats import compute
from kiosk.stats_export import file_name, to_csv, to_xlsx
from kiosk.stats_models import GROUPINGS, StatsReport
from kiosk.tokens import Identity

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])
Reader = Annotated[Identity, Depends(caller("guide"))]
From = Annotated[str, Query(alias="from", description="first day, YYYY-MM-DD (the hall's calendar)")]
To = Annotated[str, Query(description="last day, YYYY-MM-DD, inclusive")]
By = Annotated[str, Query(description=f"one of {', '.join(GROUPINGS)}")]
Threshold = Annotated[str, Query(description="minutes above which a wait counts as long (default 30)")]
EXPORTS = {"csv": (to_csv, "text/csv; charset=utf-8"),
           "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def parse_day(text: str, name: str) -> date:
    """A YYYY-MM-DD parameter, or a 422 saying how to write it."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HallError("validation_error", f"{name}={text!r} is not a date; write it as YYYY-MM-DD, "
                        "e.g. 2026-11-01") from None


def parse_threshold(text: str) -> int:
    """Whole minutes from 0 to 1440, or a 422 saying so."""
    if not text.isdecimal() or len(text) > 4 or int(text) > 24 * 60:  # isdigit() passes "²", int() refuses it
        raise HallError("validation_error", f"threshold={text!r} is not a number of minutes; give a whole "
                        "number from 0 to 1440, e.g. 30")
    return int(text)


def _report(request: Request, start: str, end: str, by: str, threshold: str) -> StatsReport:
    engine: HallEngine = request.app.state.engine
    return compute(engine.store, engine.config, parse_day(start, "from"), parse_day(end, "to"), by,
                   threshold_min=parse_threshold(threshold), now=engine.clock.now())


@router.get("", response_model=StatsReport, summary="Statistics of a period")
def stats(request: Request, _who: Reader, start: From, to: To, by: By = "service",
          threshold: Threshold = "30") -> StatsReport:
    """Tickets, waits, service and walk times, windows' open and idle time, the estimate's
    error, ratings and cases of the days ``from`` to ``to``, one row per ``by`` and the totals
    (guide and admin tokens)."""
    return _report(request, start, to, by, threshold)


@router.get("/export", summary="Statistics of a period as a CSV or XLSX file",
            responses={200: {"content": {"text/csv": {}, EXPORTS["xlsx"][1]: {}}}})
def export(request: Request, _who: Reader, start: From, to: To, by: By = "service",
           threshold: Threshold = "30", format: str = "xlsx", lang: str = "zh") -> Response:  # noqa: A002 - the API's name
    """The same report as a download, headers in ``lang`` (zh or en)."""
    if format not in EXPORTS:
        raise HallError("validation_error", f"format={format!r} is not an export format; use csv or xlsx")
    if lang not in ("zh", "en"):
        raise HallError("validation_error", f"lang={lang!r} is not a report language; use zh or en")
    report = _report(request, start, to, by, threshold)
    write, media = EXPORTS[format]
    return Response(write(report, lang), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{file_name(report, format)}"'})


def install_stats(app: FastAPI, _engine: HallEngine) -> None:
    """Add the statistics routes to the hall server's app (``kiosk.server.create_app``)."""
    app.include_router(router)
