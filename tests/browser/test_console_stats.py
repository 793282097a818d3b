"""The Statistics page in a real Chromium: a day of tickets issued, called, served and rated
through the real engine on the fake clock, then the director's figures, charts and XLSX
download (checked with openpyxl); a guide is refused. Screenshots at 1366×768 and 1920×1080 in
Chinese and English."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.clerk_models import NewClerk
from kiosk.models import ActionRequest, IssueRequest
from kiosk.rating_models import Rater, RatingRequest
from tests.browser.conftest import sign_in
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
DESKS = (5, 6, 8, 20)
SERVICES = ("AP01", "TX01", "AP02", "GC01", "AP01", "TX01", "GC02")
"""Services a kiosk issues without an ID card, in a rough mix of a morning's demand."""


def _at(clock, hour: int, minute: int) -> None:  # noqa: ANN001
    clock.set(datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI))


def busy_day(engine, clock) -> int:  # noqa: ANN001
    """Monday 2026-11-23: clerks at windows 5, 6, 8 and 20 from 09:00 to 15:30 (lunch 12:00-13:30),
    a ticket every two minutes while the hall issues, each window calling when free, serving for
    3 to 11 minutes and having most citizens rate. Returns how many tickets were issued."""
    for n, window in enumerate(DESKS):
        code = f"01{window:02d}"
        engine.add_clerk(NewClerk(code=code, name=f"职员{n + 1}", pin="2580"))
        _at(clock, 9, 0)
        engine.sign_in(window, code, "2580", actor=f"window {window}")
    busy: dict[int, tuple[str, float]] = {}
    issued = 0
    for step, minute in enumerate(list(range(9 * 60, 12 * 60, 2)) + list(range(13 * 60 + 30, 15 * 60 + 30, 2))):
        _at(clock, minute // 60, minute % 60)
        if minute < 15 * 60 and (step % 5) != 4:  # a lull now and then
            engine.issue(IssueRequest(service=SERVICES[step % len(SERVICES)]), f"day-{step}")
            issued += 1
        for window in DESKS:
            ticket, until = busy.get(window, (None, 0.0))
            if ticket and clock.now() >= until:
                engine.act(ticket, "finish", ActionRequest(window=window))
                if step % 3:
                    engine.rate(ticket, RatingRequest(level=5 - step % 4 if step % 7 else 2),
                                Rater("window", f"rater window {window}", window))
                ticket = None
            if ticket is None:
                call = engine.call_next(window, actor=f"window {window}")
                busy.pop(window, None)
                if call is not None:
                    engine.act(call.ticket, "start", ActionRequest(window=window))
                    busy[window] = (call.ticket, clock.now() + 60 * (3 + (step * 7 + window) % 9))
    _at(clock, 15, 30)
    for window in DESKS:
        engine.sign_out(window)
    return issued


@pytest.fixture
def day(console_server):
    return busy_day(console_server.engine, console_server.engine.clock)


def _css(driver, selector: str) -> list:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def _click_and_load(driver, selector: str) -> None:  # noqa: ANN001
    """Click what leads to another page and wait until that page has loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.__before = true")
    _css(driver, selector)[0].click()
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "return window.__before !== true && document.readyState === 'complete'"))


def _overflows(driver) -> list[str]:  # noqa: ANN001
    """Elements wider than the page (the table scrolls in its own box; nothing else may)."""
    return driver.execute_script(
        "var w = document.documentElement.clientWidth, out = [];"
        "document.querySelectorAll('main *').forEach(function (e) {"
        "  if (e.closest('.table-wrap')) { return; }"
        "  var r = e.getBoundingClientRect(); if (r.right > w + 1) { out.push(e.tagName + '.' + e.className); } });"
        "return out;")


def _table_fits(driver) -> bool:  # noqa: ANN001
    """Whether the figures' table is whole in its box (no sideways scrolling needed)."""
    return driver.execute_script("var w = document.querySelector('.table-wrap');"
                                 "return w.scrollWidth <= w.clientWidth;")


def _downloaded(folder: Path, suffix: str, timeout: float = 15.0) -> Path:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        found = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} downloaded within {timeout} s")


def test_the_director_sees_the_days_figures_charts_and_downloads_the_xlsx(console_server, day, open_browser, shot,
                                                                          tmp_path):
    browser = open_browser(1366, 768)
    sign_in(browser, console_server, "director", then="/console/stats")
    assert browser.current_url.endswith("/console/stats")  # today, the fake clock's day, by service
    total = [c.text for c in _css(browser, "#figures tfoot td")]
    assert total[0] == str(day) and _css(browser, "#figures tfoot th")[0].text == "合计"
    assert len(_css(browser, "#figures tbody tr")) == 5
    assert _cut_labels(browser) == []  # at 1366 a long name wraps rather than being cut
    # The dates read 2026-11-23 on a Chinese page: a date field would show Chromium's own mm/dd/yyyy.
    assert [(e.get_attribute("type"), e.get_attribute("value")) for e in _css(browser, "#from, #to")] == [
        ("text", "2026-11-23"), ("text", "2026-11-23")]
    for chart in ("waits", "services", "windows", "ratings"):
        svg = _css(browser, f"#chart-{chart} svg")
        assert svg and svg[0].size["height"] > 80, chart
    assert len(_css(browser, "#chart-windows svg rect:not(.key)")) == 2 * len(DESKS)  # busy + idle each
    assert _overflows(browser) == []
    shot(browser, "stats-zh-1366")
    browser.execute_script("document.getElementById('chart-waits').scrollIntoView()")
    shot(browser, "stats-zh-1366-charts")

    # The week, by window, in English; then its XLSX through the page's own button.
    _click_and_load(browser, "a.lang")
    _click_and_load(browser, "#pick-week")
    from selenium.webdriver.support.ui import Select

    Select(_css(browser, "#by")[0]).select_by_value("window")
    _click_and_load(browser, "#show")
    assert "by=window" in browser.current_url and "from=2026-11-23" in browser.current_url
    assert _css(browser, "#figures thead th")[0].text == "Window"
    assert "Window 5" in [th.text for th in _css(browser, "#figures tbody th")]
    assert _overflows(browser) == [] and _table_fits(browser)
    shot(browser, "stats-en-1366")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    _css(browser, "#export-xlsx")[0].click()
    path = _downloaded(downloads, ".xlsx")
    assert path.name == "stats-DEMO-2026-11-23-2026-11-23-window.xlsx"
    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.title == "Statistics" and header[0] == "Window" and book.sheetnames[1] == "About"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[-1][0] == "Total" and rows[-1][header.index("Issued")] == day
    assert {"Window 5", "Window 6 (bundles)", "Window 8", "Window 20 (unresolved matters)"} <= {r[0] for r in rows}


def _cut_labels(driver) -> list[str]:  # noqa: ANN001
    """The table's row labels not shown whole (cut with an ellipsis)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#figures tbody th, #figures tfoot th'))"
        ".filter(function (th) { return th.scrollWidth > th.clientWidth + 1; }).map(function (th) { return th.textContent; });")


def _cut_chart_labels(driver) -> list[str]:  # noqa: ANN001
    """The services chart's names drawn cut (an ellipsis)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#chart-services svg text')).map(function (t) {"
        " return t.lastChild ? t.lastChild.textContent : ''; }).filter(function (s) { return s.endsWith('…'); });")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_fits_a_1920_screen(console_server, day, open_browser, shot, lang):
    browser = open_browser(1920, 1080)
    sign_in(browser, console_server, "director", then="/console/stats")
    if lang == "en":
        _click_and_load(browser, "a.lang")
    assert _overflows(browser) == [] and _table_fits(browser)
    # There is room: "Open a Restaurant (one-stop bundle)" shows whole, in the table and the chart.
    assert _cut_labels(browser) == [] and _cut_chart_labels(browser) == []
    shot(browser, f"stats-{lang}-1920")
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    shot(browser, f"stats-{lang}-1920-charts")


def test_bad_input_and_an_empty_period_are_sentences(console_server, browser, shot):
    sign_in(browser, console_server, "director", then="/console/stats?from=2026-11-30&to=2026-11-23")
    assert "开始日期 2026-11-30 晚于结束日期 2026-11-23" in _css(browser, ".error")[0].text
    browser.get(f"{console_server.url}/console/stats?from=2026-11-16&to=2026-11-22")
    assert _css(browser, "#empty-period") and not _css(browser, "svg.chart")
    assert len(_css(browser, ".chart-empty")) == 4
    shot(browser, "stats-empty")


def test_a_guide_is_refused(console_server, browser, shot):
    sign_in(browser, console_server, "guide")
    assert "/console/stats" not in [a.get_attribute("pathname") for a in _css(browser, ".topbar .pages a")]
    browser.get(f"{console_server.url}/console/stats")
    assert "您的角色无权打开此页面" in _css(browser, ".error")[0].text and not _css(browser, "#figures")
    shot(browser, "stats-guide-refused")
