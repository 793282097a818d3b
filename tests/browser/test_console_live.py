"""The Live page in a real Chromium: a ticket issued by a kiosk over HTTP shows without a reload.

The hall server runs on loopback with the console (``console_server``); the kiosk and the
counter are plain HTTP calls with their device tokens, as devices make them.
"""

from __future__ import annotations

import time

import pytest

from tests.api_calls import post
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _waiting(driver, service: str) -> str:  # noqa: ANN001
    return driver.execute_script(
        "var r = document.querySelector('#queues tr[data-service=\"' + arguments[0] + '\"] .waiting');"
        "return r ? r.textContent : null;", service)


def _wait_for(condition, timeout: float = 5.0) -> float:  # noqa: ANN001
    """Poll ``condition`` every 5 ms; the seconds it took (AssertionError after ``timeout``)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not seen within {timeout} s")
        time.sleep(0.005)
    return time.monotonic() - start


def _issue(server, service: str, key: str) -> dict:  # noqa: ANN001
    response = post(server, "/tickets", server.tokens["kiosk"],
                    {"service": service, "channel": "kiosk", "priority": "normal", "device": "K01"}, key=key)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_ticket_issued_by_a_kiosk_shows_live_without_a_reload(console_server, browser, shot):
    sign_in(browser, console_server, "guide")
    assert browser.current_url.endswith("/console/")
    _wait_for(lambda: _waiting(browser, "AP01") == "0")
    shot(browser, "live-empty")
    browser.execute_script("window.__sameDocument = true")  # gone if the page reloads

    ticket = _issue(console_server, "AP01", "live-1")
    took = _wait_for(lambda: _waiting(browser, "AP01") == "1")
    print(f"ticket {ticket['number']} on the Live page {took * 1000:.0f} ms after its issue returned")
    assert browser.execute_script("return window.__sameDocument === true"), "the page reloaded"
    assert took < 2.0  # the 200 ms target is shown by the benchmark (bench_console); here: it came live

    # The counter at window 5 calls it: its window card shows the number, with the clerk's absence.
    called = post(console_server, "/windows/5/call-next", console_server.tokens["counter"])
    assert called.status_code == 200, called.text
    card = "#windows [data-window=\"5\"] .now"
    _wait_for(lambda: ticket["number"] in (browser.execute_script(
        "var n = document.querySelector(arguments[0]); return n ? n.textContent : ''", card) or ""))
    assert browser.execute_script("return window.__sameDocument === true")
    assert _waiting(browser, "AP01") == "0"
    shot(browser, "live-called")


def test_the_live_page_reads_well_at_both_hall_screen_sizes_in_both_languages(console_server, open_browser, shot):
    for n in range(6):
        _issue(console_server, "TX01" if n % 2 else "AP01", f"size-{n}")
    for width, height in ((1366, 768), (1920, 1080)):
        driver = open_browser(width, height)
        sign_in(driver, console_server, "director")
        for lang in ("zh", "en"):
            driver.get(f"{console_server.url}/console/lang/{lang}?next=/console/")
            _wait_for(lambda d=driver: _waiting(d, "TX01") == "3")
            # Nothing wider than the window: the page scrolls up and down only.
            assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
            assert driver.execute_script("return document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
            heading = driver.execute_script("return document.querySelector('.card h2').textContent")
            assert heading == ("提醒" if lang == "zh" else "Alerts")
            shot(driver, f"live-{lang}-{width}x{height}")


def test_a_wrong_password_is_said_plainly_on_the_sign_in_page(console_server, browser, shot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{console_server.url}/console/")
    assert "/console/login" in browser.current_url  # no session: the sign-in page
    browser.find_element(By.ID, "name").send_keys("director")
    browser.find_element(By.ID, "password").send_keys("not the password")
    browser.find_element(By.ID, "sign-in").click()
    # A click does not wait for the answer's page: wait for its alert (under load it came late).
    alert = WebDriverWait(browser, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"))[0].text
    assert "用户名或密码错误" in alert
    assert browser.find_element(By.ID, "name").get_attribute("value") == "director"  # kept, not retyped
    shot(browser, "login-wrong-password")
    sign_in(browser, console_server, "director")
    assert browser.find_element(By.CSS_SELECTOR, ".topbar .account").text.startswith("李主任")


def test_alerts_paused_windows_and_clerks_show_on_the_live_page(console_server, browser, shot):
    from kiosk.case_models import CaseCreate
    from kiosk.clerk_models import NewClerk
    from kiosk.models import WindowChange

    engine = console_server.engine
    engine.register_case(CaseCreate(request="营业执照变更", reason="系统故障", services=["AP01"]), "guide desk-1")
    engine.clock.advance(35 * 86400)  # a Monday five weeks on: the case is overdue
    engine.check_cases()
    engine.add_clerk(NewClerk(code="0815", name="李华", pin="2468"))
    engine.sign_in(5, "0815", "2468")
    engine.change_window(6, WindowChange(paused=True))
    _issue(console_server, "AP01", "alerts-1")
    sign_in(browser, console_server, "guide")
    _wait_for(lambda: _waiting(browser, "AP01") == "1")
    alerts = browser.execute_script("return document.getElementById('alerts').textContent")
    assert "工单已超期" in alerts
    assert "paused" in browser.execute_script("return document.querySelector('[data-window=\"6\"]').className")
    assert "0815 李华" in browser.execute_script(
        "return document.querySelector('[data-window=\"5\"] .clerk').textContent")
    post(console_server, "/windows/5/call-next", console_server.tokens["counter"])
    _wait_for(lambda: "C001" in browser.execute_script(
        "return document.querySelector('[data-window=\"5\"] .now').textContent"))
    shot(browser, "live-alerts-zh-1366x768")


_LINES = """
function lines(node) {  /* how many lines a cell's text takes: its text boxes' bottoms, 8 px apart or more */
  var walk = document.createTreeWalker(node, NodeFilter.SHOW_TEXT), bottoms = [], text;
  while ((text = walk.nextNode())) {
    var range = document.createRange();
    range.selectNodeContents(text);
    Array.from(range.getClientRects()).forEach(function (r) { if (r.width > 0) { bottoms.push(r.bottom); } });
  }
  bottoms.sort(function (a, b) { return a - b; });
  return bottoms.filter(function (b, i) { return i === 0 || b - bottoms[i - 1] >= 8; }).length;
}
"""


def _wrapped_queue_cells(driver) -> list[str]:  # noqa: ANN001
    """The queues' headings and cells (but the service's name, cut with a tooltip) on more than a line."""
    return driver.execute_script(_LINES + """
        return Array.from(document.querySelectorAll('#queues th, #queues td:not(.service)'))
          .filter(function (c) { return lines(c) > 1; }).map(function (c) { return c.textContent; });""")


def test_queue_rows_keep_to_one_line_and_empty_windows_read_unstaffed(console_server, open_browser, shot):
    """The demo's shots at 1366 in English: "381 / 541" and "Longest wait" wrapped (uneven rows),
    and every window read "Open · Nobody signed in"."""
    from kiosk.clerk_models import NewClerk

    engine = console_server.engine
    engine.add_clerk(NewClerk(code="0815", name="李华", pin="2468"))
    engine.sign_in(5, "0815", "2468")
    for n in range(3):
        _issue(console_server, "AP02", f"one-line-{n}")  # "Open a Restaurant (one-stop bundle)", quota 82
    for width, height in ((1366, 768), (1920, 1080)):
        driver = open_browser(width, height)
        assert driver.execute_script("return [window.innerWidth, window.innerHeight]") == [width, height]
        sign_in(driver, console_server, "director")
        for lang in ("en", "zh"):
            driver.get(f"{console_server.url}/console/lang/{lang}?next=/console/")
            _wait_for(lambda d=driver: _waiting(d, "AP02") == "3")
            assert _wrapped_queue_cells(driver) == [], (width, lang)
            heights = driver.execute_script(
                "return Array.from(document.querySelectorAll('#queues tbody tr')).map(function (r) {"
                " return r.offsetHeight; })")
            assert len(set(heights)) == 1, (width, lang, heights)
            # "Help desk 18" and its pill side by side, the name whole.
            assert driver.execute_script(
                "var h = document.querySelector('[data-window=\"18\"] .head'), n = h.querySelector('.name'),"
                " p = h.querySelector('.pill');"
                "return p.getBoundingClientRect().top < n.getBoundingClientRect().bottom && n.scrollWidth <= n.clientWidth"
                " && p.getBoundingClientRect().height < 1.6 * n.getBoundingClientRect().height;"), (width, lang)
            shot(driver, f"live-{lang}-{width}x{height}-one-line")
    state = driver.execute_script(
        "return Array.from(document.querySelectorAll('#windows [data-window]')).map(function (c) {"
        " return [c.getAttribute('data-window'), c.querySelector('.head .pill').textContent]; })")
    assert ["5", "开放"] in state and ["1", "无人值守"] in state and ["18", "无人值守"] in state
    driver.get(f"{console_server.url}/console/lang/en?next=/console/")
    _wait_for(lambda: _waiting(driver, "AP02") == "3")
    assert driver.execute_script("return document.querySelector('[data-window=\"1\"] .head .pill').textContent") == "Unstaffed"
