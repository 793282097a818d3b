"""The busy day's XLSX report for the demo (issue 15): written, opened back and checked.

``kiosk.stats.compute`` makes the report and ``kiosk.stats_export.to_xlsx`` the workbook, as the
console's export button does; ``write_and_check`` then reads the file with openpyxl like a hall
director's spreadsheet would and compares its totals with what the hall database holds, counted
here straight from its tables (not through the statistics' code).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from kiosk import store as db
from kiosk.stats import compute
from kiosk.stats_export import file_name, to_xlsx

# The totals row's figures summary.json carries, by the workbook's (English) column header.
FIGURES = {"issued": "Issued", "served": "Served", "no_show": "No-show", "mean_wait_min": "Mean wait (min)",
           "p90_wait_min": "P90 wait (min)", "ratings": "Ratings", "satisfaction": "Satisfaction"}


class ReportMismatch(Exception):
    """The workbook read back disagrees with the hall database; the message says where."""


def write_and_check(engine, first: date, last: date, out: Path) -> dict:  # noqa: ANN001 - a HallEngine
    """Write the report of days ``first``–``last`` by service (English) into ``out``, read it back
    and check it; returns its file name, its totals' figures and the database's counts."""
    report = compute(engine.store, engine.config, first, last, "service", now=engine.clock.now())
    out.mkdir(parents=True, exist_ok=True)
    path = out / file_name(report, "xlsx")
    path.write_bytes(to_xlsx(report, "en"))
    rows = read_rows(path)
    totals = rows[-1]
    figures = {key: totals[header] for key, header in FIGURES.items()}
    counted = database_counts(engine, first, last)
    check(rows, figures, counted)
    return {"file": path.name, "period": [first.isoformat(), last.isoformat()], "services": len(rows) - 1,
            "figures": figures, "database": counted}


def read_rows(path: Path) -> list[dict]:
    """The figures sheet of the workbook at ``path``: one dict per row by header (totals last)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        lines = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    header = lines[0]
    return [dict(zip(header, line, strict=True)) for line in lines[1:]]


def database_counts(engine, first: date, last: date) -> dict:  # noqa: ANN001 - a HallEngine
    """Tickets of the days by final state, and their ratings, counted in the hall database."""
    t, r = db.tickets, db.ratings
    days = (first.isoformat(), last.isoformat())
    with engine.store.read() as conn:
        states = dict(conn.execute(select(t.c.state, func.count()).where(t.c.day.between(*days))
                                   .group_by(t.c.state)).all())
        ratings = conn.execute(select(func.count()).select_from(r).where(r.c.day.between(*days))).scalar()
    return {"tickets": sum(states.values()), "states": states, "ratings": ratings}


def check(rows: list[dict], figures: dict, counted: dict) -> None:
    """Raise ReportMismatch unless the workbook's totals are the database's counts, its service
    rows add up to its totals, and its shares and minutes are figures a report can hold."""
    expected = {"issued": counted["tickets"], "served": counted["states"].get("done", 0),
                "no_show": counted["states"].get("no_show", 0), "ratings": counted["ratings"]}
    wrong = [f"{key} {figures[key]} (the database: {value})" for key, value in expected.items()
             if figures[key] != value]
    for key in ("issued", "served", "no_show", "ratings"):
        added = sum(row[FIGURES[key]] or 0 for row in rows[:-1])
        if added != figures[key]:
            wrong.append(f"{key}: the service rows add up to {added}, the totals row says {figures[key]}")
    if not 0 <= (figures["satisfaction"] or 0) <= 1:
        wrong.append(f"satisfaction {figures['satisfaction']} is not a share between 0 and 1")
    for key in ("mean_wait_min", "p90_wait_min"):
        if not isinstance(figures[key], int | float) or figures[key] < 0:
            wrong.append(f"{key} {figures[key]!r} is not a number of minutes")
    if wrong:
        raise ReportMismatch("the XLSX report read back disagrees: " + "; ".join(wrong))
