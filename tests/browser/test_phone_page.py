"""The citizen's phone page in a real headless Chromium at phone sizes (360×740, 414×896): a
ticket followed from waiting to called (the page changes without a reload, the phone vibrates)
to finished to rated; the mobile-number form in English. The hall server runs on loopback over
the ``engine`` fixture's real database; the hall's side (calls, finish) is the real engine."""

from __future__ import annotations

import time

import pytest

from kiosk.config import NotifySettings, WebhookSender
from kiosk.models import IssueRequest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _wait_for(condition, timeout: float = 8.0) -> float:  # noqa: ANN001
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not seen within {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - start


def _text(driver, element_id: str) -> str:  # noqa: ANN001
    return driver.execute_script("var e = document.getElementById(arguments[0]);"
                                 "return e && !e.closest('[hidden]') ? e.textContent : '';", element_id) or ""


def _path(ticket) -> str:  # noqa: ANN001
    return "/p/" + ticket.status_url.rsplit("/p/", 1)[1]


def _phone(open_browser, width: int, height: int):  # noqa: ANN001, ANN202 - a selenium WebDriver
    """A Chromium showing pages as a phone of ``width``×``height`` CSS pixels does (a mobile
    viewport, as the browser's device emulation makes it)."""
    driver = open_browser(max(width, 500), height)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    return driver


CONTRAST_JS = """
function lum(c) { var v = c.match(/[0-9.]+/g).slice(0, 3).map(function (x) { x = x / 255;
  return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
function background(e) { for (; e; e = e.parentElement) { var b = getComputedStyle(e).backgroundColor;
  if (b && b !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(b)) return b; } return 'rgb(255, 255, 255)'; }
var low = [];
[].forEach.call(document.querySelectorAll('body *'), function (e) {
  var own = [].some.call(e.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
  if (!own || !e.offsetParent) return;
  var a = lum(getComputedStyle(e).color), b = lum(background(e));
  var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) low.push(e.tagName + '#' + e.id + ' ' + ratio.toFixed(2));
});
return low;
"""


def _low_contrast(driver) -> list:  # noqa: ANN001
    """Visible texts whose contrast with their background is under 4.5:1 (WCAG AA)."""
    return driver.execute_script(CONTRAST_JS)


def _fits(driver) -> bool:  # noqa: ANN001
    """Nothing wider than the phone's screen (no sideways scrolling)."""
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"
                                 " && window.innerWidth <= 414")


def test_a_ticket_followed_from_waiting_to_called_to_rated(live_server, engine, open_browser, shot):
    ahead = engine.issue(IssueRequest(service="TX01"), "ahead")
    mine = engine.issue(IssueRequest(service="TX01"), "mine")
    window = engine.config.windows_for("TX01")[0]
    driver = _phone(open_browser, 360, 740)
    driver.get(live_server.url + _path(mine))
    assert driver.execute_script("return document.documentElement.lang") == "en"  # Chromium's Accept-Language
    driver.find_element("css selector", "header .lang").click()  # the switch to Chinese
    _wait_for(lambda: driver.execute_script("return document.documentElement.lang") == "zh-CN")
    assert _text(driver, "number") == mine.number and _text(driver, "headline") == "前面还有 1 人"
    assert "预计等待约" in _text(driver, "detail")
    assert _fits(driver) and _low_contrast(driver) == []
    print("waiting:", shot(driver, "phone-360-waiting"))
    driver.execute_script("window.__sameDocument = true; window.__buzz = [];"
                          "navigator.vibrate = function (p) { window.__buzz.push(p); return true; };")

    engine.call_next(window)  # the ticket ahead is called: mine is next
    _wait_for(lambda: _text(driver, "headline") == "下一位就是您")
    engine.act(ahead.id, "finish")
    engine.call_next(window)  # mine
    took = _wait_for(lambda: _text(driver, "headline").startswith("请到"))
    place = engine.config.window(window).name.zh
    assert _text(driver, "headline") == f"请到 {place}", _text(driver, "headline")
    assert driver.execute_script("return window.__sameDocument === true"), "the page reloaded"
    assert driver.execute_script("return window.__buzz.length") == 1, "the phone should vibrate once"
    assert "state-called" in driver.find_element("id", "status").get_attribute("class")
    assert _low_contrast(driver) == []
    print(f"called on the page {took * 1000:.0f} ms after the call; ", shot(driver, "phone-360-called"))

    engine.act(mine.id, "finish")
    _wait_for(lambda: _text(driver, "headline") == "办理完成")
    _wait_for(lambda: driver.find_element("id", "rate").is_displayed())
    assert _low_contrast(driver) == []
    print("finished:", shot(driver, "phone-360-finished"))
    driver.find_element("css selector", ".level[data-level='5']").click()
    _wait_for(lambda: "感谢您的评价" in _text(driver, "rated"))
    assert not driver.find_element("id", "rate").is_displayed()
    assert engine.rated(mine.id)
    print("rated:", shot(driver, "phone-360-rated"))


def test_the_english_page_takes_a_mobile_number(live_server, engine, open_browser, shot):
    engine.use_config(engine.config.model_copy(update={"notify": NotifySettings(
        sender="webhook", webhook=WebhookSender(url="http://127.0.0.1:9/"))}))
    for key in ("a", "b", "c"):
        engine.issue(IssueRequest(service="AP01"), key)
    mine = engine.issue(IssueRequest(service="AP01"), "mine")
    driver = _phone(open_browser, 414, 896)
    driver.get(live_server.url + _path(mine) + "?lang=en")
    assert driver.execute_script("return document.documentElement.lang") == "en"
    assert _text(driver, "headline") == "3 people ahead of you"
    assert _fits(driver)
    field = driver.find_element("id", "phone")
    field.send_keys("1381234")
    driver.find_element("css selector", "#notify-form button").click()
    _wait_for(lambda: "11-digit" in _text(driver, "notify-msg"))
    field.clear()
    field.send_keys("13812345678")
    driver.find_element("css selector", "#notify-form button").click()
    _wait_for(lambda: _text(driver, "notify-phone") == "We will text 138****5678")
    assert _low_contrast(driver) == []
    print("english with a number:", shot(driver, "phone-414-notify"))


def test_the_text_follows_the_phones_font_size(live_server, engine, open_browser):
    mine = engine.issue(IssueRequest(service="TX01"), "mine")
    driver = _phone(open_browser, 360, 740)
    driver.get(live_server.url + _path(mine))
    size = "return parseFloat(getComputedStyle(document.getElementById('number')).fontSize)"
    normal = driver.execute_script(size)
    driver.execute_script("document.documentElement.style.fontSize = '125%'")  # the phone's larger text
    assert driver.execute_script(size) == pytest.approx(normal * 1.25)
    # The contrast check itself finds a pale text (so its empty answers above mean something).
    driver.execute_script("var p = document.createElement('p'); p.id = 'pale'; p.textContent = 'pale';"
                          "p.style.color = '#aaaaaa'; document.querySelector('main').appendChild(p);")
    assert [line.split()[0] for line in _low_contrast(driver)] == ["P#pale"]
