"""The Ratings & cases page in a real Chromium: a bad rating (through the engine) opens a case; a
guide filters the list to it, assigns it, records a call back and replies, and sees its state
change; the director then sees the same. Screenshots of the lists and the detail in both
languages at the hall PC's and a large screen's size."""

from __future__ import annotations

import pytest

from kiosk.case_models import CaseActionBody, CaseCreate
from tests.browser.conftest import sign_in
from tests.test_console_cases import rate_at_window

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _by(kind: str):  # noqa: ANN202 - selenium's By
    from selenium.webdriver.common.by import By

    return getattr(By, kind)


def _choose(driver, select_id: str, value: str) -> None:  # noqa: ANN001
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(_by("ID"), select_id)).select_by_value(value)


def _submit(driver, form_id: str) -> None:  # noqa: ANN001
    """Submit a step's form by its button and wait for the page that follows."""
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(_by("TAG_NAME"), "html")
    driver.find_element(_by("CSS_SELECTOR"), f"#{form_id} button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: old.id != d.find_element(_by("TAG_NAME"), "html").id)


def _fill(driver, form_id: str, name: str, text: str) -> None:  # noqa: ANN001
    field = driver.find_element(_by("CSS_SELECTOR"), f"#{form_id} [name={name}]")
    field.clear()
    field.send_keys(text)


def _state(driver) -> str:  # noqa: ANN001
    return driver.find_element(_by("ID"), "case-facts").get_attribute("data-state")


def _hall_of_the_day(engine) -> int:  # noqa: ANN001
    """A few ratings and cases for the lists; returns the case the bad rating at window 5 opened."""
    rate_at_window(engine, "good-1", 5)
    rate_at_window(engine, "good-2", 4, service="TX01", window=8)
    rate_at_window(engine, "bad-tax", 2, service="TX01", window=8, reasons=("slow",))
    engine.register_case(CaseCreate(request="不动产登记更正", reason="需要法院文书", services=["RE01"],
                                    phone="13812345678"), "counter window 20", 20)
    rate_at_window(engine, "bad-5", 1, reasons=("attitude", "repeat"), comment="要求重复交材料，态度也不好")
    return next(c.id for c in engine.list_cases() if c.window == 5)


def test_a_guide_follows_up_a_bad_rating_and_the_director_sees_it(console_server, open_browser, shot):
    engine = console_server.engine
    case_id = _hall_of_the_day(engine)
    driver = open_browser(1366, 768)
    sign_in(driver, console_server, "guide", then="/console/cases")
    assert driver.current_url.endswith("/console/cases")
    assert len(driver.find_elements(_by("CSS_SELECTOR"), "#case-list tbody tr")) == 3

    # Filter to it: rectification cases at window 5.
    _choose(driver, "f-kind", "rectify")
    _choose(driver, "f-window", "5")
    _submit(driver, "case-filters")
    rows = driver.find_elements(_by("CSS_SELECTOR"), "#case-list tbody tr")
    assert [r.get_attribute("data-case") for r in rows] == [str(case_id)]
    assert "剩 5 个工作日" in rows[0].text
    shot(driver, "cases-list-filtered-zh")
    rows[0].find_element(_by("TAG_NAME"), "a").click()
    assert _state(driver) == "registered"
    assert "服务态度不好" in driver.find_element(_by("ID"), "case-facts").text

    _fill(driver, "step-assign", "owner", "导服 王")
    _submit(driver, "step-assign")
    assert _state(driver) == "assigned" and "已完成：分派" in driver.find_element(_by("ID"), "done").text
    assert driver.find_element(_by("ID"), "case-owner").text == "导服 王"

    _fill(driver, "step-callback", "outcome", "已致电致歉，群众表示理解")
    _submit(driver, "step-callback")
    assert _state(driver) == "assigned"  # a call back changes no state
    _fill(driver, "step-reply", "note", "已向群众说明材料要求并致歉")
    _submit(driver, "step-reply")
    assert _state(driver) == "replied"
    assert driver.find_element(_by("ID"), "case-state").text == "已答复"
    steps = [r.get_attribute("data-action") for r in driver.find_elements(_by("CSS_SELECTOR"), "#history tbody tr")]
    assert steps == ["open", "assign", "callback", "reply"]
    shot(driver, "case-detail-guide-zh")
    assert [s.actor for s in engine.case(case_id).history][1:] == ["console guide"] * 3

    # The director opens the same case (after the list, in English) and sees the same.
    boss = open_browser(1366, 768)
    sign_in(boss, console_server, "director", then="/console/cases?state=replied")
    assert [r.get_attribute("data-case") for r in boss.find_elements(_by("CSS_SELECTOR"), "#case-list tbody tr")] \
        == [str(case_id)]
    boss.get(f"{console_server.url}/console/lang/en?next=/console/cases/{case_id}")
    assert _state(boss) == "replied" and boss.find_element(_by("ID"), "case-state").text == "Replied"
    history = boss.find_element(_by("ID"), "history").text
    assert "console guide" in history and "已致电致歉" in history and "Record a call back" in history
    assert boss.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    shot(boss, "case-detail-director-en")
    boss.execute_script("document.getElementById('history').scrollIntoView()")
    shot(boss, "case-history-director-en")


def test_the_contact_shows_only_on_request_and_a_refusal_reads_as_a_sentence(console_server, browser):
    engine = console_server.engine
    _hall_of_the_day(engine)
    unresolved = next(c.id for c in engine.list_cases(kind="unresolved"))
    sign_in(browser, console_server, "director", then=f"/console/cases/{unresolved}")
    assert "13812345678" not in browser.page_source and "5678" in browser.page_source
    _submit(browser, "case-facts form")
    assert "13812345678" in browser.find_element(_by("ID"), "contact").text
    assert engine.case(unresolved).history[-1].action == "contact"
    # A stale page: another guide replies while this one still shows the reply form.
    browser.get(f"{console_server.url}/console/cases/{unresolved}")
    _fill(browser, "step-assign", "owner", "李")
    _submit(browser, "step-assign")
    engine.case_step(unresolved, "reply", CaseActionBody(note="已电话答复"), "guide desk-1")
    _fill(browser, "step-reply", "note", "答复内容")
    _submit(browser, "step-reply")
    refusal = browser.find_element(_by("ID"), "refusal").text
    assert refusal.startswith("未能办理：") and "cannot reply a case that is replied" in refusal
    assert _state(browser) == "replied" and "答复内容" in browser.find_element(_by("ID"), "typed").text  # kept

@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_the_pages_read_well_in_both_languages_at_both_sizes(console_server, open_browser, shot, width, height):
    engine = console_server.engine
    case_id = _hall_of_the_day(engine)
    driver = open_browser(width, height)
    sign_in(driver, console_server, "admin")
    pages = {"cases": "/console/cases", "ratings": "/console/cases/ratings", "case": f"/console/cases/{case_id}",
             "rating": f"/console/cases/ratings/{engine.case(case_id).ticket_id}", "new": "/console/cases/new"}
    for lang in ("zh", "en"):
        for name, path in pages.items():
            driver.get(f"{console_server.url}/console/lang/{lang}?next={path}")
            assert driver.execute_script("return document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
            # Nothing wider than the window, and no text cut inside the tables' cells.
            assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), name
            cut = driver.execute_script(
                "return [...document.querySelectorAll('td, th, dd, label, h1, h2, .pill')]"
                ".filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto')"
                ".map(e => e.textContent.trim().slice(0, 30))")
            assert cut == [], (name, lang, cut)
            shot(driver, f"{name}-{lang}-{width}x{height}")
    driver.get(f"{console_server.url}/console/cases/ratings")
    assert "50.0%" in driver.find_element(_by("ID"), "satisfaction").text  # 2 good of 4
