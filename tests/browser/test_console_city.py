"""The City page in a real Chromium: three halls of one real PostgreSQL database (two with a busy
Monday through the real engine on the fake clock, one quiet), a city account signs in at the
city's own sign-in, reads one row per hall and the city total, filters to one hall's services
and switches to English. Screenshots at 1366×768 in Chinese and English."""

from __future__ import annotations

import pytest

from kiosk.accounts import add_account
from kiosk.city import City, record_profile
from kiosk.city_api import install_city
from kiosk.engine import HallEngine
from kiosk.models import IssueRequest
from kiosk.server import create_app
from kiosk.store import Store
from tests.browser.test_console_stats import (
    _click_and_load,
    _css,
    _overflows,
    _table_fits,
    busy_day,
)
from tests.conftest import LiveServer
from tests.console_calls import PASSWORD

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
HALLS = (("futian", "福田区政务服务中心", "Futian District Service Center"),
         ("nanshan", "南山区政务服务中心", "Nanshan District Service Center"),
         ("shekou", "蛇口街道便民服务站", "Shekou Street Service Station"))


@pytest.fixture
def city_server(pg_cluster, hall_config, clock):
    """Futian's hall server with the city view over three halls of one database."""
    url = pg_cluster.database()
    engines = []
    for code, zh, en in HALLS:
        info = hall_config.hall
        config = hall_config.model_copy(update={"hall": info.model_copy(update={
            "name": info.name.model_copy(update={"zh": zh, "en": en}), "public_url": f"https://{code}.example"})})
        engine = HallEngine(config, Store(url, hall=code), clock)
        record_profile(engine.store, config)
        engines.append(engine)
    busy_day(engines[0], clock)
    busy_day(engines[1], clock)
    for i in range(3):  # Nanshan's afternoon queue
        engines[1].issue(IssueRequest(service="TX01"), f"n{i}")
    for i in range(4):  # the street station: a few tickets, still waiting
        engines[2].issue(IssueRequest(service="GC01"), f"s{i}")
    city = City(url, engines[0].config)
    add_account(city.store, "city", "市政务服务数据管理局", "admin", PASSWORD, clock.now(), actor="test")
    app = create_app(engines[0], dev=False)
    install_city(app, city)
    live = LiveServer(app).start()
    yield live
    live.stop()
    city.close()
    for engine in engines:
        engine.store.close()
    pg_cluster.drop(url)


def test_a_city_account_sees_every_hall_and_the_city_total(city_server, open_browser, shot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser = open_browser(1366, 768)
    browser.get(f"{city_server.url}/console/city")  # signed out: the city's own sign-in
    assert "/console/city/login" in browser.current_url
    browser.find_element(By.ID, "name").send_keys("city")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    WebDriverWait(browser, 10).until(lambda d: "/console/city/login" not in d.current_url)

    rows = _css(browser, "#city-halls tbody tr")
    assert [r.get_attribute("id") for r in rows] == ["hall-futian", "hall-nanshan", "hall-shekou"]
    assert "福田区政务服务中心" in rows[0].text
    issued = [int(r.find_elements(By.CSS_SELECTOR, "td")[1].text) for r in rows]
    total = _css(browser, "#city-total td")
    assert int(total[1].text) == sum(issued) and issued[2] == 4
    assert total[0].text == "7"  # waiting now: Nanshan's three and the street station's four
    assert _css(browser, "#city-total th")[0].text == "全市合计"
    assert _overflows(browser) == [] and _table_fits(browser)
    shot(browser, "city-zh-1366")

    _click_and_load(browser, "#hall-nanshan a.filter")  # one hall: its services too
    assert [r.get_attribute("id") for r in _css(browser, "#city-halls tbody tr")] == ["hall-nanshan"]
    assert len(_css(browser, "#detail tbody tr")) >= 3
    _click_and_load(browser, "a.lang")
    assert "Nanshan District Service Center" in _css(browser, "#hall-detail h1")[0].text
    assert _overflows(browser) == []
    shot(browser, "city-en-1366-nanshan")
    _click_and_load(browser, "#all-halls")
    assert _css(browser, "#city-total th")[0].text == "City total"
    shot(browser, "city-en-1366")
