"""The statistics API on a real server (loopback): figures, who may read them, refusals of bad
parameters, and the CSV and XLSX downloads opened back."""

from __future__ import annotations

import csv
import io

import pytest
import requests
from openpyxl import load_workbook

from tests.api_calls import refused
from tests.test_stats import morning  # noqa: F401 - the hand-made morning, a fixture

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)

PERIOD = {"from": "2026-11-23", "to": "2026-11-29"}


def get(server, path: str, token: str | None, **params) -> requests.Response:  # noqa: ANN001
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{server.url}/api/v1/stats{path}", params=params, headers=headers, timeout=30)


@pytest.mark.usefixtures("morning")
def test_guides_and_admins_read_the_figures(live_server):
    for token in ("test-guide", "test-admin"):
        response = get(live_server, "", token, **PERIOD, by="window", threshold="15")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["by"], body["threshold_min"], body["start"], body["end"]) == ("window", 15, *PERIOD.values())
        desk = body["rows"][0]
        assert (desk["key"], desk["label"]["zh"], desk["issued"], desk["open_min"], desk["idle_min"]) == \
            ("18", "18号咨询台", 3, 65.0, 30.0)
        assert body["totals"]["wait"] == {"n": 3, "mean": 23.33, "median": 20.0, "p90": 40.0, "over": 0.6667}
        assert body["totals"]["satisfaction"] == 0.5


def test_other_tokens_are_refused(live_server):
    refused(get(live_server, "", None, **PERIOD), 401, "Bearer")
    refused(get(live_server, "", "wrong-token", **PERIOD), 401)
    for token in ("test-kiosk", "test-display", "test-counter"):
        refused(get(live_server, "", token, **PERIOD), 403, "needs admin or guide")
        refused(get(live_server, "/export", token, **PERIOD), 403)


@pytest.mark.parametrize(("params", "words"), [
    ({"from": "2026-11-31", "to": "2026-12-01"}, "from='2026-11-31' is not a date; write it as YYYY-MM-DD"),
    ({"from": "2026-11-01", "to": "yesterday"}, "to='yesterday' is not a date"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "give from on or before to"),
    ({"from": "2025-01-01", "to": "2026-11-01"}, "longer than 366 days; ask for a year or less"),
    ({**PERIOD, "by": "zone"}, "use one of service, window, clerk, hour, day, priority, channel"),
    ({**PERIOD, "threshold": "-5"}, "a whole number from 0 to 1440"),
    ({**PERIOD, "threshold": "²"}, "a whole number from 0 to 1440"),
    ({"to": "2026-11-01"}, "from"),
])
def test_bad_parameters_get_a_422_naming_the_fix(live_server, params, words):
    refused(get(live_server, "", "test-guide", **params), 422, words)


def test_bad_export_parameters_are_refused(live_server):
    refused(get(live_server, "/export", "test-guide", **PERIOD, format="pdf"), 422, "use csv or xlsx")
    refused(get(live_server, "/export", "test-guide", **PERIOD, lang="fr"), 422, "use zh or en")
    refused(get(live_server, "/export", "test-guide", **{**PERIOD, "from": "2026-13-01"}), 422, "YYYY-MM-DD")


@pytest.mark.usefixtures("morning")
def test_csv_download_opens_in_excel_with_its_chinese(live_server):
    response = get(live_server, "/export", "test-guide", **PERIOD, format="csv", lang="zh")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == \
        'attachment; filename="stats-DEMO-2026-11-23-2026-11-29-service.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["服务事项"] for r in rows] == ["综合咨询", "办不成事反映", "合计"]
    total = rows[-1]
    assert (total["取号数"], total["办结"], total["过号"], total["补正重排"]) == ("4", "2", "1", "1")
    assert (total["平均等候(分钟)"], total["等候超30分钟占比 (%)"], total["好评率 (%)"]) == ("23.33", "33.33", "50.0")


@pytest.mark.usefixtures("morning")
def test_xlsx_download_opened_back(live_server):
    response = get(live_server, "/export", "test-admin", **PERIOD, by="clerk", format="xlsx", lang="en")
    assert response.status_code == 200, response.text
    assert 'filename="stats-DEMO-2026-11-23-2026-11-29-clerk.xlsx"' in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Statistics", "About"]
    sheet = book["Statistics"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Clerk", "Code", "Issued"]
    values = [[cell.value for cell in line] for line in sheet.iter_rows(min_row=2)]
    by_code = {line[1]: dict(zip(header, line, strict=True)) for line in values}
    clerk = by_code["0123"]
    assert (clerk["Clerk"], clerk["Served"], clerk["Windows open (min)"], clerk["Mean wait (min)"]) == \
        ("王芳 (0123)", 2, 65, 23.33)
    assert values[-1][0] == "Total" and sheet.cell(sheet.max_row, 1).font.bold
    share = header.index("Waits over 30 min") + 1
    assert sheet.cell(2, share).number_format == "0.0%" and sheet.cell(2, share).value == pytest.approx(1 / 3, abs=1e-4)
    assert sheet.cell(2, header.index("Mean wait (min)") + 1).number_format == "0.0"
    assert sheet.column_dimensions["A"].width >= 8
    about = {line[0].value: line[1].value for line in book["About"].iter_rows() if line[0].value}
    assert about["Period"] == "2026-11-23 – 2026-11-29" and about["Long-wait threshold (min)"] == 30
    assert "好差评" in about["Satisfaction"]


def test_the_stats_routes_are_in_the_openapi_document(live_server):
    paths = requests.get(f"{live_server.url}/openapi.json", timeout=10).json()["paths"]
    assert {"/api/v1/stats", "/api/v1/stats/export"} <= set(paths)
