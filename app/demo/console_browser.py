"""The demo's steps in the console's browser: sign in, open a page in a language, photograph it.

A page is photographed once its document has loaded and its scripts' first fetches have had
time to draw (the Live page: once its queues are drawn). What each shot shows is recorded (the
page's title, a refusal, anything wider than the window) for summary.json.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

SETTLE_S = 0.6
"""Time after the load for a page's script to fetch and draw (a hall PC's console does so in ms)."""
LIVE_READY = "#queues tr[data-service]"


def sign_in(browser, url: str, name: str, password: str) -> None:  # noqa: ANN001 - a selenium WebDriver
    """Sign ``name`` in through the console's sign-in form; RuntimeError if the form stays."""
    from selenium.webdriver.common.by import By

    browser.get(f"{url}/console/login?next=/console/")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.ID, "sign-in").click()
    if not wait(lambda: "/console/login" not in browser.current_url, 10):
        raise RuntimeError(f"the console did not let {name} in: {browser.current_url}")


def shoot(browser, target: str, lang: str, path: Path, page: str) -> dict:  # noqa: ANN001
    """Open ``target`` (a full URL) in ``lang`` through the top bar's language switch, wait for it
    to draw, save a screenshot at ``path``; what the shot shows."""
    origin, _, rest = target.partition("/console")
    browser.get(f"{origin}/console/lang/{lang}?next={quote('/console' + rest, safe='')}")
    wait(lambda: browser.execute_script("return document.readyState") == "complete", 10)
    if page == "live":
        wait(lambda: browser.execute_script(f"return !!document.querySelector('{LIVE_READY}')"), 10)
    time.sleep(SETTLE_S)
    browser.save_screenshot(str(path))
    facts = browser.execute_script(
        "return {title: document.title, lang: document.documentElement.lang,"
        " wide: document.documentElement.scrollWidth > window.innerWidth,"
        " tall: document.documentElement.scrollHeight > window.innerHeight,"
        " status: (performance.getEntriesByType('navigation')[0] || {}).responseStatus || null}")
    return {"file": f"{path.parent.name}/{path.name}", "page": page, "lang": lang, "title": facts["title"],
            "html_lang": facts["lang"], "wider_than_window": facts["wide"], "scrolls": facts["tall"],
            "status": facts["status"], "url": browser.current_url.replace(origin, "")}


def wait_for_text(browser, selector: str, text: str, timeout: float = 5.0) -> bool:  # noqa: ANN001
    """Whether the element at ``selector`` shows ``text`` within ``timeout`` seconds."""
    script = "var n = document.querySelector(arguments[0]); return n ? n.textContent : ''"
    return wait(lambda: text in (browser.execute_script(script, selector) or ""), timeout)


def wait(condition, timeout: float) -> bool:  # noqa: ANN001 - a callable
    """Poll ``condition`` every 10 ms until it holds (True) or ``timeout`` seconds pass (False)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True
