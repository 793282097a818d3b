"""The demo's console act on a small busy day: the report's check, and a machine without chromium.

The whole act (with the screenshots) runs in tests/test_demo.py's headless demo; here a day of
120 tickets keeps it quick: the real simulation, the real hall server on loopback, real files.
"""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from app import chromium
from app.demo import busy_report, console_shots
from app.demo.busy_day import make_busy_day
from app.demo.run import DemoContext

pytestmark = pytest.mark.timeout(300)  # a busy day's simulation and a server each: past 120 s on a loaded VM
LAST = date(2026, 11, 23)  # a Monday; the Friday before is the busy day's first day


@pytest.fixture(scope="module")
def small_day(tmp_path_factory):
    """Two busy days of 120 tickets each, served as ``kiosk serve`` serves them."""
    folder = tmp_path_factory.mktemp("busy") / "busy-day"
    make_busy_day(folder, day=LAST, tickets=120)
    return folder


def test_the_report_read_back_matches_the_database(small_day, tmp_path):
    with console_shots.serve_busy_day(small_day, LAST) as hall:
        report = busy_report.write_and_check(hall.engine, hall.first, hall.last, tmp_path)
        assert [p.name for p in hall.pages][0] == "live"  # the nav registry, as the console built it
    assert report["period"] == ["2026-11-20", "2026-11-23"]
    figures, counted = report["figures"], report["database"]
    assert figures["issued"] == counted["tickets"] > 200
    assert figures["served"] == counted["states"]["done"] and figures["no_show"] == counted["states"]["no_show"] > 0
    assert figures["served"] + figures["no_show"] <= figures["issued"]
    assert 0 < figures["mean_wait_min"] and 0 < figures["p90_wait_min"] and 0.5 < figures["satisfaction"] <= 1
    # Opened again here, by hand: the totals row is the last, in Chinese-free English headers.
    sheet = load_workbook(tmp_path / report["file"]).worksheets[0]
    header = [c.value for c in sheet[1]]
    totals = [c.value for c in sheet[sheet.max_row]]
    assert totals[0] == "Total" and totals[header.index("Issued")] == figures["issued"]


def test_a_workbook_that_disagrees_with_the_database_is_caught(small_day, tmp_path):
    with console_shots.serve_busy_day(small_day, LAST) as hall:
        report = busy_report.write_and_check(hall.engine, hall.first, hall.last, tmp_path)
        counted = busy_report.database_counts(hall.engine, hall.first, hall.last)
    path = tmp_path / report["file"]
    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    sheet.cell(sheet.max_row, header.index("Served") + 1).value += 1  # one ticket served too many
    book.save(path)
    rows = busy_report.read_rows(path)
    figures = {key: rows[-1][name] for key, name in busy_report.FIGURES.items()}
    with pytest.raises(busy_report.ReportMismatch, match="served") as caught:
        busy_report.check(rows, figures, counted)
    assert "the service rows add up to" in str(caught.value)


def test_without_chromium_the_act_says_why_and_still_checks_the_report(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "no-chromium")  # an odd machine
    monkeypatch.setattr(console_shots, "DEMO_TICKETS", 60)
    ctx = DemoContext(tmp_path, None, None, None, None, None, tmp_path / "data")
    console_shots.capture(ctx)
    console = ctx.extra["console"]
    assert str(tmp_path / "no-chromium") in console["screenshots_skipped"]
    assert "apt-get install chromium" in console["screenshots_skipped"]
    printed = capsys.readouterr().out
    assert "demo: the console's pages were not photographed" in printed and "no-chromium" in printed
    assert not list((tmp_path / "console").glob("*.png"))
    assert console["report"]["figures"]["issued"] == console["report"]["database"]["tickets"] > 100
    assert (tmp_path / "console" / console["report"]["file"]).stat().st_size > 5000
    live = console["live_hall"]
    assert live["signed_in"] and live["issued"] and "K02" in live["reported"] and not live["refused"]
