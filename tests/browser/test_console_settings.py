"""The Hall settings page in a real Chromium, as the issue tells it: the director changes a
service's daily quota and saves, sees it applied; issuing past the new quota through the API is
refused at once (no restart); the hall file on disk has the new quota with its comments kept; a
lunch break outside the opening hours is shown next to the field and writes nothing; a guide
cannot open the page. Screenshots in Chinese and English at both hall screen sizes.
"""

from __future__ import annotations

import pytest

from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config
from tests.api_calls import post, refused
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _by(driver, css: str):  # noqa: ANN001, ANN202 - a selenium element
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css)


def _after(driver, css: str):  # noqa: ANN001, ANN202 - a selenium element
    """The element ``css`` once the page that a click opened shows it (a form's answer)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 10).until(seen.presence_of_element_located((By.CSS_SELECTOR, css)))


def _type(driver, css: str, text: str) -> None:  # noqa: ANN001
    field = _by(driver, css)
    field.clear()
    field.send_keys(text)


def _issue(server, key: str):  # noqa: ANN001, ANN202
    return post(server, "/tickets", server.tokens["kiosk"],
                {"service": "TX01", "channel": "kiosk", "priority": "normal", "device": "K01"}, key=key)


def _fits(driver) -> bool:  # noqa: ANN001
    """Nothing wider than the window: the page scrolls up and down only."""
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_the_director_changes_a_quota_that_applies_at_once_and_is_written_with_comments_kept(
        console_server, browser, shot):
    sign_in(browser, console_server, "director", then="/console/settings")
    assert browser.current_url.endswith("/console/settings")
    assert _by(browser, ".topbar .pages a.active").text == "大厅设置"
    assert _by(browser, '#services tr[data-service="TX01"] .quota').text == "250"
    shot(browser, "settings-zh-1366x768")

    _by(browser, '#services tr[data-service="TX01"] a.edit').click()
    _after(browser, "#service-form")
    assert _by(browser, "#daily_quota").get_attribute("value") == "250"
    _type(browser, "#daily_quota", "2")
    shot(browser, "settings-service-zh-1366x768")
    _by(browser, "#save").click()

    # Back on the overview, the result in plain words: applied at once.
    _after(browser, "#result")
    assert "/console/settings?result=" in browser.current_url
    assert _by(browser, "#applied").text == "已立即生效: 1"
    row = _by(browser, '#result tr[data-field="services.TX01.daily_quota"]').text
    assert "每日限额" in row and "250" in row and "2" in row and "已立即生效" in row
    assert _by(browser, '#services tr[data-service="TX01"] .quota').text == "2"
    shot(browser, "settings-saved-zh-1366x768")

    # The running hall took it: the third ticket of the day is refused, with no restart.
    for n in range(2):
        assert _issue(console_server, f"quota-{n}").status_code == 201
    refused(_issue(console_server, "quota-3"), 409, "TX01")

    # The file on disk: the new quota, and every comment and other line as it was.
    sample = (PROJECT_CONFIG_DIR / "hall.toml").read_text(encoding="utf-8").splitlines()
    now = console_server.hall_file.read_text(encoding="utf-8").splitlines()
    assert [(a, b) for a, b in zip(sample, now, strict=True) if a != b] == [("daily_quota = 250", "daily_quota = 2")]
    assert load_hall_config(console_server.hall_file).service("TX01").daily_quota == 2


def test_a_lunch_break_outside_the_opening_hours_is_shown_next_to_it_and_nothing_is_written(
        console_server, browser, shot):
    before = console_server.hall_file.read_bytes()
    sign_in(browser, console_server, "director", then="/console/settings")
    browser.get(f"{console_server.url}/console/lang/en?next=/console/settings")
    _type(browser, "#lunch_start", "18:00")
    _type(browser, "#lunch_end", "19:00")
    _by(browser, "#save-hours").click()

    problem = _after(browser, "#hours-problems .problem").text
    assert problem == "the lunch break must lie inside the opening hours"
    assert _by(browser, "#lunch_start").get_attribute("value") == "18:00"  # as typed
    assert "nothing was written" in _by(browser, "#outcome").text
    assert "bad" in _by(browser, "#lunch_start").get_attribute("class")
    shot(browser, "settings-invalid-en-1366x768")
    assert console_server.hall_file.read_bytes() == before
    assert console_server.engine.config.hall.hours.lunch_start.hour == 12


def test_a_guide_cannot_open_the_page(console_server, browser, shot):
    sign_in(browser, console_server, "guide")
    links = [a.get_attribute("href") for a in browser.find_elements("css selector", ".topbar .pages a")]
    assert not any(link.endswith("/console/settings") for link in links)
    browser.get(f"{console_server.url}/console/settings")
    assert "您的角色无权打开此页面" in _by(browser, "[role=alert]").text
    assert browser.find_elements("css selector", "#services") == []
    shot(browser, "settings-guide-refused")


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_the_page_reads_well_at_both_sizes_in_both_languages(console_server, open_browser, shot, width, height):
    driver = open_browser(width, height)
    sign_in(driver, console_server, "it", then="/console/settings")
    for lang in ("zh", "en"):
        for path, name in (("/console/settings", "settings"), ("/console/settings/services/SS01", "service"),
                           ("/console/settings/windows/8", "window"), ("/console/settings/services/new", "new-service")):
            driver.get(f"{console_server.url}/console/lang/{lang}?next={path}")
            assert driver.execute_script("return document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
            assert _fits(driver), f"{name} in {lang} is wider than {width} px"
            driver.set_window_size(width, max(height, driver.execute_script(
                "return document.documentElement.scrollHeight") + 140))  # the whole page in one picture
            shot(driver, f"{name}-{lang}-{width}x{height}")
            driver.set_window_size(width, height)


def test_a_change_the_running_hall_cannot_take_is_refused_next_to_its_field(console_server, browser, shot):
    assert _issue(console_server, "prefix-1").status_code == 201
    before = console_server.hall_file.read_bytes()
    sign_in(browser, console_server, "director", then="/console/settings/services/TX01")
    _type(browser, "#prefix", "Q")
    _by(browser, "#save").click()
    _after(browser, "#outcome")
    assert "运行中的大厅现在不能接受此改动，未写入任何内容" in _by(browser, "#outcome").text
    assert _by(browser, "#prefix").get_attribute("value") == "Q" and "bad" in _by(browser, "#prefix").get_attribute("class")
    next_to = browser.execute_script("return document.getElementById('prefix').closest('label').nextElementSibling")
    assert "has issued 1 ticket(s) today" in next_to.text
    shot(browser, "settings-refused-zh-1366x768")
    assert console_server.hall_file.read_bytes() == before


def test_a_server_without_a_hall_file_shows_the_settings_read_only(console_server, browser, shot):
    from kiosk.server import create_app
    from tests.conftest import LiveServer

    bare = LiveServer(create_app(console_server.engine, dev=False, heartbeat_s=0.5)).start()
    try:
        server = type(console_server)(bare.url, console_server.engine, bare, console_server.hall_file, {})
        sign_in(browser, server, "it", then="/console/settings")
        browser.get(f"{bare.url}/console/lang/en?next=/console/settings")
        assert "started without a hall file" in _by(browser, "#read-only").text
        assert not _by(browser, "#lunch_start").is_enabled()
        assert browser.find_elements("css selector", "#save-hours, #add-service, #add-date") == []
        shot(browser, "settings-read-only-en-1366x768")
    finally:
        bare.stop()
