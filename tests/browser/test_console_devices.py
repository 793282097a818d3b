"""The Devices & tokens page in a real Chromium over a real hall server on loopback.

Devices report through the real API with their tokens; hall IT sees the kiosk's paper run out on
the Devices tab and on the Live page's alerts, and both change live when the paper is back; a
counter token made in the page works for its window only until it is revoked in the page; a
clerk added in the page is listed; a guide cannot open the page. Screenshots in both languages
at a hall PC's 1366×768 and at 1920×1080.
"""

from __future__ import annotations

import time

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from kiosk import __version__
from tests.api_calls import post
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
KIOSK = {"version": __version__, "program": "kiosk", "outbox_pending": 0, "uptime_s": 40.0,
         "reader": {"state": "ok"}}
PAPER_OUT = {**KIOSK, "printer": {"state": "paper_out", "detail": "paper end sensor: roll empty"}}
PAPER_OK = {**KIOSK, "printer": {"state": "ok"}}


def _wait_for(condition, timeout: float = 8.0) -> None:  # noqa: ANN001
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not seen within {timeout} s")
        time.sleep(0.02)


def _report(server, role: str, body: dict) -> None:  # noqa: ANN001
    response = post(server, "/devices/status", server.tokens[role], body)
    assert response.status_code == 204, response.text


def _text(driver, css: str) -> str:  # noqa: ANN001
    return driver.execute_script("var n = document.querySelector(arguments[0]); return n ? n.textContent : ''", css)


def _fits(driver) -> bool:  # noqa: ANN001
    """Nothing wider than the window: the page scrolls up and down only."""
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_paper_out_shows_on_the_devices_tab_and_the_live_page_and_clears_live(console_server, browser, shot):
    _report(console_server, "kiosk", PAPER_OUT)
    sign_in(browser, console_server, "it")
    _wait_for(lambda: "缺纸" in _text(browser, "#alerts"))  # the Live page's alerts
    assert "自助机 K01" in _text(browser, "#alerts")
    shot(browser, "live-paper-out-alert")

    browser.get(f"{console_server.url}/console/devices")
    row = 'tbody[data-key="kiosk:K01"]'
    assert "缺纸" in _text(browser, row) and "roll empty" in _text(browser, row)
    assert "has-problem" in browser.find_element(By.CSS_SELECTOR, row).get_attribute("class")
    shot(browser, "devices-paper-out")
    browser.execute_script("window.__sameDocument = true")

    _report(console_server, "kiosk", PAPER_OK)  # a roll put in: a devstate event redraws the table
    _wait_for(lambda: "缺纸" not in _text(browser, row) and "正常" in _text(browser, row))
    assert browser.execute_script("return window.__sameDocument === true"), "the page reloaded"
    assert "has-problem" not in browser.find_element(By.CSS_SELECTOR, row).get_attribute("class")


def test_a_counter_token_made_in_the_page_works_for_its_window_until_revoked_there(console_server, browser, shot):
    sign_in(browser, console_server, "it", then="/console/devices/tokens")
    _wait_for(lambda: browser.find_elements(By.ID, "token-role"))
    Select(browser.find_element(By.ID, "token-role")).select_by_value("counter")
    browser.find_element(By.ID, "make-token").click()  # no window: refused beside the field, nothing made
    _wait_for(lambda: "呼叫器和评价器令牌需要窗口号" in _text(browser, "#window-field"))
    assert not browser.find_elements(By.ID, "token-value")
    shot(browser, "token-form-mistake")
    assert not browser.find_element(By.ID, "token-window").get_attribute("disabled")
    assert browser.find_element(By.ID, "token-device").get_attribute("disabled")  # a counter is bound by window
    browser.find_element(By.ID, "token-window").send_keys("3")
    browser.find_element(By.ID, "make-token").click()
    _wait_for(lambda: browser.find_elements(By.ID, "token-value"))  # the answer to the POST has loaded
    token = browser.find_element(By.ID, "token-value").get_attribute("value")
    assert len(token) >= 32 and "只显示这一次" in _text(browser, "#new-token")
    browser.find_element(By.ID, "copy-token").click()
    _wait_for(lambda: _text(browser, "#copy-token") == "已复制")
    shot(browser, "token-made")

    assert post(console_server, "/windows/3/call-next", token).status_code in (200, 204)  # its window
    assert post(console_server, "/windows/5/call-next", token).status_code == 403  # another window
    assert post(console_server, "/windows/4/call-next", token).status_code == 404  # the hall has no window 4

    browser.get(f"{console_server.url}/console/devices/tokens")
    assert token not in browser.page_source  # never shown again
    number = browser.execute_script(
        "return [...document.querySelectorAll('#tokens tr[data-token]')].find("
        "r => r.textContent.includes('3号窗口')).getAttribute('data-token')")
    browser.find_element(By.CSS_SELECTOR, f'tr[data-token="{number}"] button').click()
    _wait_for(lambda: f"吊销令牌 {number}" in _text(browser, "#question"))
    shot(browser, "token-revoke-confirm")
    browser.find_element(By.ID, "confirm").click()
    _wait_for(lambda: f"令牌 {number} 已吊销" in browser.page_source)
    assert "revoked" in browser.find_element(By.CSS_SELECTOR, f'tr[data-token="{number}"]').get_attribute("class")
    refused = post(console_server, "/windows/3/call-next", token)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_a_clerk_added_in_the_page_is_listed(console_server, browser, shot):
    sign_in(browser, console_server, "it", then="/console/devices/clerks")
    _wait_for(lambda: browser.find_elements(By.ID, "clerk-form"))
    for field, value in (("clerk-code", "0815"), ("clerk-name", "李华"), ("clerk-pin", "246810"),
                         ("clerk-pin2", "246810")):
        browser.find_element(By.ID, field).send_keys(value)
    browser.find_element(By.ID, "add-clerk").click()
    _wait_for(lambda: "已添加工作人员 0815" in browser.page_source)
    assert "李华" in _text(browser, 'tr[data-clerk="0815"]')
    assert "246810" not in browser.page_source
    shot(browser, "clerk-added")


def test_a_director_sees_the_clerks_tab_only(console_server, browser, shot):
    sign_in(browser, console_server, "director", then="/console/devices")
    _wait_for(lambda: browser.find_elements(By.ID, "clerk-form"))
    assert browser.current_url.endswith("/console/devices/clerks")
    assert not browser.find_elements(By.CSS_SELECTOR, ".tabs")  # no devices or tokens tab to offer
    assert browser.find_element(By.ID, "clerk-form")
    shot(browser, "clerks-director")


def test_a_guide_cannot_open_the_page(console_server, browser):
    sign_in(browser, console_server, "guide")
    _wait_for(lambda: "实时" in _text(browser, ".topbar .pages"))
    assert "设备与令牌" not in _text(browser, ".topbar .pages")
    browser.get(f"{console_server.url}/console/devices")
    _wait_for(lambda: "您的角色无权" in browser.page_source)
    assert "您的角色无权打开此页面" in browser.page_source and 'id="devices"' not in browser.page_source


def test_the_page_reads_well_at_both_sizes_in_both_languages(console_server, open_browser, shot):
    _report(console_server, "kiosk", PAPER_OUT)
    _report(console_server, "display", {"version": __version__, "program": "display", "uptime_s": 900.0,
                                        "sign": {"state": "offline", "detail": "no answer from sign 12 on /dev/ttyUSB0"}})
    _report(console_server, "counter", {"version": __version__, "program": "counter", "uptime_s": 60.0})
    requests.post(f"{console_server.url}/api/v1/clerks", json={"code": "0123", "name": "张三", "pin": "1357"},
                  headers=console_server.headers("guide"), timeout=5).raise_for_status()
    for width, height in ((1366, 768), (1920, 1080)):
        driver = open_browser(width, height)
        sign_in(driver, console_server, "admin")
        for lang in ("zh", "en"):
            for tab in ("", "/tokens", "/clerks"):
                driver.get(f"{console_server.url}/console/lang/{lang}?next=/console/devices{tab}")
                assert _fits(driver), (lang, tab, width)
                if not tab:
                    assert ("Paper out" if lang == "en" else "缺纸") in driver.page_source
                name = tab.strip("/") or "devices"
                shot(driver, f"devices-{name}-{lang}-{width}x{height}")


def _bar(driver, row: str) -> str:  # noqa: ANN001
    """The colour of a device row's bar (its first cell's inset shadow); "none" without one."""
    return driver.execute_script("var c = document.querySelector(arguments[0] + ' td');"
                                 "return c ? getComputedStyle(c).boxShadow : '';", row)


def test_paper_low_is_an_amber_bar_and_paper_out_a_red_one(console_server, browser, shot):
    """The demo's shot had both kiosks in the same red: a warning reads amber, an error red."""
    _report(console_server, "kiosk", {**KIOSK, "printer": {"state": "paper_low", "detail": "纸卷将尽"}})
    sign_in(browser, console_server, "it", then="/console/devices")
    row = 'tbody[data-key="kiosk:K01"]'
    _wait_for(lambda: "纸将用完" in _text(browser, row))
    assert "rgb(168, 100, 0)" in _bar(browser, row)  # --warn
    shot(browser, "devices-paper-low")
    _report(console_server, "kiosk", PAPER_OUT)
    _wait_for(lambda: "缺纸" in _text(browser, row))
    assert "rgb(179, 38, 30)" in _bar(browser, row)  # --bad
