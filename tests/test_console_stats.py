"""The console's Statistics page over a real engine and SQLite file with the fake clock, through
the hall server's real app (Starlette's TestClient): who may open it, the figures and charts of
a known morning, bad input as a sentence, the exports, and one read of the database per view."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

import kiosk.stats
from kiosk.server import create_app
from tests.console_calls import HTML, add_role_accounts, signed_in_client
from tests.test_stats import morning  # noqa: F401 - the known morning, as a fixture

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
DAY = "from=2026-11-23&to=2026-11-23"


@pytest.fixture
def app(engine):
    add_role_accounts(engine)
    return create_app(engine)


def cells(html: str, label: str) -> list[str]:
    """The cells of the table's row named ``label``."""
    row = re.search(r"<tr[^>]*><th scope=\"row\"[^>]*>" + re.escape(label) + r"</th>(.*?)</tr>", html, re.S)
    assert row, f"no row {label}"
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def test_the_director_sees_the_mornings_figures_and_charts(morning, app):  # noqa: F811
    engine, _tickets = morning
    page = signed_in_client(app, "director", lang="en").get(f"/console/stats?{DAY}&by=service", headers=HTML)
    assert page.status_code == 200
    html = page.text
    # The quick periods keep the grouping and the threshold chosen.
    assert re.search(r'id="pick-week" href="/console/stats\?from=[\d-]+&amp;to=[\d-]+&amp;by=service&amp;threshold=\d+"',
                     html)
    # GC01: A, B, C issued; A and C served, B missed; C requeued; waits 10, 20, 40 (mean 23.3, p90 40,
    # one over 30 min of three); service 8 and 4; walks 2, 3, 1; ratings 5 and 2 (50 %).
    gc01 = cells(html, engine.config.service("GC01").name.en)
    assert gc01[:5] == ["3", "2", "1", "0", "1"]
    assert gc01[5:9] == ["23.3", "20.0", "40.0", "33.3%"]
    assert gc01[9:13] == ["6.0", "6.0", "8.0", "2.0"]
    assert gc01[17:19] == ["2", "50.0%"]
    total = cells(html, "Total")
    assert total[0] == "4" and total[3] == "1"  # D was moved to GC02
    assert total[13] == "1.1" and total[14] != "—"  # window 18 open 10:00-10:30, 10:35-11:10 = 65 min
    for chart in ("waits", "services", "windows", "ratings"):
        figure = re.search(rf'<figure class="card chart-card" id="chart-{chart}">(.*?)</figure>', html, re.S)
        assert figure and "<svg" in figure.group(1), chart
    assert "10:00" in html and "Mean wait" in html and "Very satisfied" in html


def test_the_page_is_in_the_pages_language(morning, app):  # noqa: F811
    html = signed_in_client(app, "director", lang="zh").get(f"/console/stats?{DAY}", headers=HTML).text
    assert "平均等候" in html and "合计" in html and "各时段等候时间" in html and "非常满意" in html
    assert "Mean wait" not in html


def test_defaults_are_today_by_service_and_the_quick_picks_cover_week_and_month(app):
    html = signed_in_client(app, "director", lang="en").get("/console/stats", headers=HTML).text
    assert 'name="from" id="from" value="2026-11-23"' in html and 'value="service" selected' in html
    assert "from=2026-11-23&amp;to=2026-11-23" in html  # today, a Monday: the week starts today too
    assert "from=2026-11-01&amp;to=2026-11-23" in html  # this month


def test_an_empty_period_says_so_instead_of_drawing_empty_axes(app):
    html = signed_in_client(app, "director", lang="en").get("/console/stats?from=2026-11-02&to=2026-11-08", headers=HTML).text
    assert "No ticket was issued in this period." in html
    assert "<svg" not in html and 'id="figures"' not in html
    assert "No window was open in this period" in html and "No rating was given in this period." in html


@pytest.mark.parametrize(("query", "words"), [
    ("from=2026-11-24&to=2026-11-23", "starts (2026-11-24) after it ends (2026-11-23)"),
    ("from=2025-01-01&to=2026-11-23", "longer than 366 days"),
    ("from=2026-13-01&to=2026-11-23", "From “2026-13-01” is not a date; write it as YYYY-MM-DD"),
    ("from=yesterday&to=2026-11-23", "From “yesterday” is not a date"),
    (f"{DAY}&by=weather", "There is no grouping “weather”"),
    (f"{DAY}&threshold=-5", "threshold “-5” must be a whole number of minutes from 0 to 1440"),
    (f"{DAY}&threshold=%C2%B2", "threshold “²” must be a whole number"),  # a digit int() cannot read
    (f"{DAY}&threshold=1441", "threshold “1441” must be a whole number"),
])
def test_bad_input_is_a_sentence_on_the_page(app, query, words):
    page = signed_in_client(app, "director", lang="en").get(f"/console/stats?{query}", headers=HTML)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert words in page.text and 'id="figures"' not in page.text and 'id="export-xlsx"' not in page.text


def test_bad_input_in_chinese(app):
    page = signed_in_client(app, "director", lang="zh").get("/console/stats?from=2026-11-24&to=2026-11-23", headers=HTML)
    assert page.status_code == 400 and "开始日期 2026-11-24 晚于结束日期 2026-11-23" in page.text


def test_the_statistics_page_is_for_the_director_and_admin_only(app):
    assert signed_in_client(app, "admin", lang="zh").get("/console/stats", headers=HTML).status_code == 200
    for role in ("guide", "it"):
        client = signed_in_client(app, role, lang="en")
        page = client.get("/console/stats", headers=HTML)
        assert page.status_code == 403 and "Your role may not open this page" in page.text
        assert 'href="/console/stats"' not in page.text  # nor in its top bar
        assert client.get(f"/console/stats/export?{DAY}&format=csv").status_code == 403
    director_nav = signed_in_client(app, "director", lang="zh").get("/console/", headers=HTML).text
    assert 'href="/console/stats"' in director_nav
    nobody = TestClient(app, base_url="http://testserver", follow_redirects=False)
    assert nobody.get("/console/stats", headers=HTML).status_code == 303
    assert nobody.get(f"/console/stats/export?{DAY}").status_code == 401


def test_the_xlsx_export_is_the_shown_period_in_the_pages_language(morning, app):  # noqa: F811
    engine, _tickets = morning
    client = signed_in_client(app, "director", lang="en")
    html = client.get(f"/console/stats?{DAY}&by=window&threshold=15", headers=HTML).text
    link = re.search(r'id="export-xlsx" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    got = client.get(link)
    assert got.status_code == 200
    assert got.headers["content-disposition"] == 'attachment; filename="stats-DEMO-2026-11-23-2026-11-23-window.xlsx"'
    sheet = load_workbook(io.BytesIO(got.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.title == "Statistics" and header[0] == "Window" and "Waits over 15 min" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[-1][0] == "Total" and rows[-1][header.index("Issued")] == 4


def test_the_csv_export_in_chinese(morning, app):  # noqa: F811
    got = signed_in_client(app, "director", lang="zh").get(f"/console/stats/export?{DAY}&by=service&format=csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    text = got.content.decode("utf-8")
    assert text.startswith("\ufeff服务事项,代码,取号数") and "\r\n合计," in text


def test_a_bad_export_is_a_sentence_not_json(app):
    client = signed_in_client(app, "director", lang="en")
    page = client.get("/console/stats/export?from=2026-11-24&to=2026-11-23&format=xlsx", headers=HTML)
    assert page.status_code == 400 and "after it ends" in page.text
    page = client.get(f"/console/stats/export?{DAY}&format=pdf", headers=HTML)
    assert page.status_code == 400 and "Export as CSV or XLSX" in page.text


def test_a_view_reads_the_database_once_for_the_table_and_all_charts(morning, app, monkeypatch):  # noqa: F811
    reads = []
    real_read = kiosk.stats._read

    def counted(conn, period):  # noqa: ANN001, ANN202 - the real read, counted
        reads.append(period.start)
        return real_read(conn, period)

    monkeypatch.setattr(kiosk.stats, "_read", counted)
    page = signed_in_client(app, "director", lang="zh").get(f"/console/stats?{DAY}&by=clerk", headers=HTML)
    assert page.status_code == 200 and page.text.count("<svg") == 4
    assert len(reads) == 1


def test_compute_many_gives_what_compute_gives_for_every_grouping(morning):  # noqa: F811
    from datetime import date

    from kiosk.stats import compute, compute_many
    from kiosk.stats_models import GROUPINGS

    engine, _tickets = morning
    day, now = date(2026, 11, 23), engine.clock.now()
    many = compute_many(engine.store, engine.config, day, day, GROUPINGS, threshold_min=15, now=now)
    assert list(many) == list(GROUPINGS)
    for by in GROUPINGS:
        assert many[by] == compute(engine.store, engine.config, day, day, by, threshold_min=15, now=now), by
    assert many["window"].totals.open_min == 65 and many["hour"].totals.wait.n == 3
