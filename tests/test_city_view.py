"""The city view (kiosk.city, kiosk.city_api, the console's City page) over two halls of one
real PostgreSQL database: a city account reads every hall's figures and the pooled total; a
hall's own accounts never see it; a city session writes into no hall."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from kiosk import store as db
from kiosk.accounts import add_account
from kiosk.city import City, HallReader, record_profile
from kiosk.city_api import install_city
from kiosk.engine import HallEngine
from kiosk.models import ActionRequest, IssueRequest
from kiosk.server import create_app
from kiosk.stats import compute
from kiosk.store import Store
from tests.console_calls import HTML, PASSWORD, signed_in_client

DAY = date(2026, 11, 23)  # the fake clock's Monday


def _config(hall_config, zh: str, en: str):  # noqa: ANN001, ANN202 - a HallConfig
    info = hall_config.hall
    return hall_config.model_copy(update={"hall": info.model_copy(update={"name": info.name.model_copy(
        update={"zh": zh, "en": en}), "public_url": f"https://{en.split()[0].lower()}.example"})})


@pytest.fixture
def city_url(pg_cluster):
    """A fresh database of the run's cluster, dropped afterwards."""
    url = pg_cluster.database()
    yield url
    pg_cluster.drop(url)


@pytest.fixture
def halls(city_url, hall_config, clock):
    """Two halls of one database on the fake clock: east (3 tickets, 2 served with waits of 5 and
    15 minutes) and west (1 ticket served after 25 minutes), each with its profile recorded."""
    engines = {}
    for code, zh, en in (("east", "东区大厅", "East Hall"), ("west", "西区大厅", "West Hall")):
        config = _config(hall_config, zh, en)
        engines[code] = HallEngine(config, Store(city_url, hall=code), clock)
        record_profile(engines[code].store, config)
    east, west = engines["east"], engines["west"]
    tickets = [east.issue(IssueRequest(service="GC01"), f"e{i}") for i in range(3)]
    west_ticket = west.issue(IssueRequest(service="GC01"), "w0")
    for minutes, ticket in ((5, tickets[0]), (10, tickets[1])):
        clock.advance(minutes * 60)
        east.act(ticket.id, "call", ActionRequest(window=18))
        east.act(ticket.id, "start", ActionRequest(window=18))
        east.act(ticket.id, "finish", ActionRequest(window=18))
    clock.advance(10 * 60)
    west.act(west_ticket.id, "call", ActionRequest(window=18))
    west.act(west_ticket.id, "start", ActionRequest(window=18))
    west.act(west_ticket.id, "finish", ActionRequest(window=18))
    yield engines
    for engine in engines.values():
        engine.store.close()


@pytest.fixture
def city_app(city_url, halls):
    """East's hall server with the city view (``kiosk serve --hall east --city``), a city admin
    (``cityadmin``) and a hall admin of east (``admin``)."""
    east = halls["east"]
    city = City(city_url, east.config)
    add_account(city.store, "cityadmin", "市局管理员", "admin", PASSWORD, east.clock.now(), actor="test")
    add_account(east.store, "admin", "东区管理员", "admin", PASSWORD, east.clock.now(), actor="test")
    app = create_app(east, dev=False)
    install_city(app, city)
    yield app
    city.close()


def city_client(app, name: str = "cityadmin", *, lang: str | None = None) -> TestClient:  # noqa: ANN001
    """A client signed in with a city account through the city's sign-in form."""
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    if lang:
        client.cookies.set("console_lang", lang)
    form = client.get("/console/city/login")
    assert form.status_code == 200, form.text
    token = re.search(r'name="login_token" value="([^"]+)"', form.text).group(1)
    answer = client.post("/console/city/login", data={"login_token": token, "name": name, "password": PASSWORD,
                                                      "next": "/console/city"})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/city", answer.text
    return client


def test_a_city_account_reads_every_halls_figures_and_the_pooled_total(city_app, halls):
    client = city_client(city_app)
    answer = client.get("/api/v1/city/stats", params={"from": DAY.isoformat(), "to": DAY.isoformat()})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    rows = {row["code"]: row for row in report["halls"]}
    assert list(rows) == ["east", "west"]
    assert rows["east"]["name"] == {"zh": "东区大厅", "en": "East Hall"}
    assert rows["east"]["public_url"] == "https://east.example"
    assert (rows["east"]["figures"]["issued"], rows["west"]["figures"]["issued"]) == (3, 1)
    assert (rows["east"]["waiting"], rows["west"]["waiting"], report["waiting"]) == (1, 0, 1)
    # Each hall's row is its own report's totals (kiosk.stats, not computed again here).
    for code, engine in halls.items():
        own = compute(engine.store, engine.config, DAY, DAY, now=engine.clock.now()).totals
        assert rows[code]["figures"] == own.model_dump(mode="json")
    total = report["total"]
    assert (total["issued"], total["served"]) == (4, 3)
    # Pooled: waits of 5, 15 and 25 minutes -> mean 15, p90 25 (a mean of the halls' p90s would be 20).
    assert (total["wait"]["n"], total["wait"]["mean"], total["wait"]["p90"]) == (3, 15.0, 25.0)
    assert total["label"] == {"zh": "全市合计", "en": "City total"}


def test_the_city_view_filtered_to_one_hall_has_its_services(city_app):
    client = city_client(city_app)
    report = client.get("/api/v1/city/stats", params={"from": DAY.isoformat(), "to": DAY.isoformat(),
                                                      "hall": "west"}).json()
    assert [row["code"] for row in report["halls"]] == ["west"]
    assert report["detail"]["hall_name"]["en"] == "West Hall"
    assert [row["key"] for row in report["detail"]["rows"]] == ["GC01"]
    refused = client.get("/api/v1/city/stats", params={"hall": "north"})
    assert refused.status_code == 404 and "no hall 'north'" in refused.json()["detail"]
    bad = client.get("/api/v1/city/stats", params={"from": "yesterday"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.json()["detail"]


def test_a_halls_own_admin_never_sees_the_city(city_app):
    hall_admin = signed_in_client(city_app, "admin")
    answer = hall_admin.get("/api/v1/city/stats")
    assert answer.status_code == 401 and "city account" in answer.json()["detail"]
    page = hall_admin.get("/console/city", headers=HTML)
    assert page.status_code == 303 and page.headers["location"].startswith("/console/city/login")
    top_bar = hall_admin.get("/console/stats", headers=HTML).text
    assert "/console/city" not in top_bar  # not even a link in a hall account's top bar
    # A hall account's password is not a city account's.
    form = hall_admin.get("/console/city/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text).group(1)
    refused = hall_admin.post("/console/city/login", data={"login_token": token, "name": "admin",
                                                           "password": PASSWORD})
    assert refused.status_code == 401
    # Device tokens open no city view either.
    from kiosk.server import add_token

    add_token(city_app.state.engine.store, "east-admin-token", "admin", "A1", 0)
    by_token = TestClient(city_app).get("/api/v1/city/stats", headers={"Authorization": "Bearer east-admin-token"})
    assert by_token.status_code == 401


def test_a_city_session_cannot_write_into_any_hall(city_app, halls):
    client = city_client(city_app)
    session = client.cookies.get("city_session")
    issued = client.post("/api/v1/tickets", json={"service": "GC01"}, headers={"Idempotency-Key": "city-1"})
    assert issued.status_code == 401
    # Its id is unknown to the hall's console, even sent as the hall's cookie.
    hall_console = TestClient(city_app, follow_redirects=False)
    hall_console.cookies.set("console_session", session)
    assert hall_console.get("/console/stats", headers=HTML).status_code == 303
    made = hall_console.post("/console/devices/tokens", data={"csrf": "x", "role": "kiosk", "device": "K99"})
    assert made.status_code == 401
    with halls["east"].store.read() as conn:  # no token was made in the hall
        assert conn.exec_driver_sql("SELECT count(*) FROM tokens WHERE device = 'K99'").scalar() == 0
    # The city's reads of a hall run in READ ONLY transactions: PostgreSQL refuses a write there.
    reader = HallReader(city_app.state.city.store.engine, "west")
    with pytest.raises(DBAPIError, match="read-only"), reader.read() as conn:
        conn.execute(insert(db.meta).values(key="city-wrote", value="1"))
    with halls["west"].store.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM meta WHERE key = 'city-wrote'").scalar() == 0


def test_the_city_page_shows_a_row_per_hall_and_the_total(city_app):
    client = city_client(city_app, lang="en")
    page = client.get(f"/console/city?from={DAY}&to={DAY}", headers=HTML)
    assert page.status_code == 200, page.text
    assert 'id="hall-east"' in page.text and 'id="hall-west"' in page.text and 'id="city-total"' in page.text
    assert "East Hall" in page.text and "https://west.example/console/stats?" in page.text
    one = client.get(f"/console/city?from={DAY}&to={DAY}&hall=east", headers=HTML)
    assert 'id="hall-detail"' in one.text and 'id="hall-west"' not in one.text
    # The quick periods keep the hall and the threshold chosen.
    assert re.search(r'id="pick-week" href="/console/city\?from=[\d-]+&amp;to=[\d-]+&amp;threshold=\d+&amp;hall=east"',
                     one.text)
    unknown = client.get("/console/city?hall=north", headers=HTML)
    assert unknown.status_code == 400 and "There is no hall" in unknown.text
    signed_out = TestClient(city_app, follow_redirects=False).get("/console/city", headers=HTML)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/console/city/login")


def test_the_city_sign_out_ends_the_session(city_app):
    client = city_client(city_app)
    page = client.get("/console/city", headers=HTML)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert client.post("/console/city/logout", data={"csrf": "wrong"}).status_code == 403
    assert client.post("/console/city/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/api/v1/city/stats").status_code == 401


def test_a_hall_server_without_city_has_no_city_view(halls):
    app = create_app(halls["west"], dev=False)
    client = TestClient(app, follow_redirects=False)
    assert client.get("/api/v1/city/stats").status_code == 404
    page = client.get("/console/city", headers=HTML)
    assert page.status_code == 404 and "没有这个页面" in page.text  # the console's own page, in Chinese


def test_city_accounts_are_made_with_kiosk_accounts_city(city_url, halls, monkeypatch, capsys):
    import io

    from app.cli import main

    url = city_url.replace("postgresql+psycopg://", "postgresql://")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["accounts", "add", "mayor", "--display", "市长办公室", "--role", "director", "--password-stdin",
                 "--db", url, "--city"]) == 0
    capsys.readouterr()
    assert main(["accounts", "list", "--db", url, "--city"]) == 0
    assert "mayor" in capsys.readouterr().out
    assert main(["accounts", "list", "--db", url, "--hall", "east"]) == 0
    assert "mayor" not in capsys.readouterr().out
    assert main(["accounts", "list", "--db", url, "--hall", "east", "--city"]) == 1
    assert "not both" in capsys.readouterr().err
    assert main(["accounts", "add", "desk", "--display", "导服", "--role", "guide", "--password-stdin",
                 "--db", url, "--city"]) == 1
    assert "give --role admin or director" in capsys.readouterr().err


def test_compute_halls_gives_each_halls_own_report_and_pools_the_total(engine, clock):
    """On one SQLite hall read twice (as two halls): each report is ``compute``'s, and the total
    holds both halls' tickets, with percentiles of the pooled waits."""
    from kiosk.stats import compute_halls

    for i, minutes in enumerate((4, 6, 20)):
        ticket = engine.issue(IssueRequest(service="GC01"), f"t{i}")
        clock.advance(minutes * 60)
        engine.act(ticket.id, "call", ActionRequest(window=18))
    reports, total = compute_halls([(engine.store, engine.config)] * 2, DAY, DAY, now=clock.now())
    alone = compute(engine.store, engine.config, DAY, DAY, now=clock.now())
    assert [r.model_dump() for r in reports] == [alone.model_dump()] * 2
    assert (total.issued, total.wait.n) == (6, 6)
    assert total.wait.p90 == alone.totals.wait.p90 and total.wait.mean == alone.totals.wait.mean
    assert total.channels["kiosk"] == 2 * alone.totals.channels["kiosk"]
