"""The console's Live page in a real browser (DESIGN.md §5 The web console, §8).

A real ``kiosk serve --dev`` process, an account made with ``kiosk accounts add``, and headless
Chromium (Debian's, through selenium) signed in on the Live page. A kiosk issues a ticket over
HTTP, then window 5's counter calls it; a MutationObserver in the page stamps (wall clock) the
moment the page shows each change, and the figure is that stamp minus the moment the request
was sent: issue → the waiting count on the page, call → the number on window 5's card (target
≤ 200 ms each).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

import requests

from bench import Figure
from bench.bench_engine import ServerProcess, _free_port, percentile

SERVICE, WINDOW = "AP01", 5
PASSWORD = "live page 2026 check"
OBSERVE = """
window.__seen = [];
var live = document.getElementById('live');
new MutationObserver(function () {
  var q = document.querySelector('#queues tr[data-service="{service}"] .waiting');
  var w = document.querySelector('#windows [data-window="{window}"] .now');
  window.__seen.push([Date.now(), q ? q.textContent : '', w ? w.textContent : '']);
}).observe(live, {childList: true, subtree: true, characterData: true});
""".replace("{service}", SERVICE).replace("{window}", str(WINDOW))


def _browser():  # noqa: ANN202 - a selenium WebDriver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,768"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def _sign_in(driver, url: str) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{url}/console/login")
    driver.find_element(By.ID, "name").send_keys("bench")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "return document.querySelectorAll('#queues tbody tr').length") > 0)
    time.sleep(0.5)  # the event stream open
    driver.execute_script(OBSERVE)


def _shown(driver, sent_ms: float, check, timeout: float = 5.0) -> float:  # noqa: ANN001
    """Milliseconds from ``sent_ms`` (wall clock) to the first stamp whose texts pass ``check``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for at, waiting, now in driver.execute_script("return window.__seen"):
            if at >= sent_ms and check(waiting, now):
                return at - sent_ms
        time.sleep(0.01)
    return float("inf")


def run(quick: bool = False) -> list[Figure]:
    """Issue and call ``rounds`` tickets; the Live page's delays."""
    rounds = 15 if quick else 60
    data = tempfile.mkdtemp(prefix="bench-console-")
    subprocess.run([sys.executable, "-m", "app.cli", "accounts", "add", "bench", "--display", "Bench", "--role",
                    "director", "--password-stdin", "--data", data], input=PASSWORD + "\n", text=True, check=True,
                   capture_output=True)
    server = ServerProcess(data, _free_port())
    driver = None
    try:
        kiosk = requests.Session()
        kiosk.headers["Authorization"] = "Bearer dev-kiosk"
        counter = requests.Session()
        counter.headers["Authorization"] = "Bearer dev-counter"
        requests.post(f"{server.url}/api/v1/services/{SERVICE}", json={"quota": 5000},
                      headers={"Authorization": "Bearer dev-guide"}, timeout=5)
        driver = _browser()
        _sign_in(driver, server.url)
        issued, called = [], []
        for n in range(rounds):
            sent = time.time() * 1000
            ticket = kiosk.post(f"{server.url}/api/v1/tickets", json={"service": SERVICE},
                                headers={"Idempotency-Key": f"bench-console-{n}"}, timeout=5).json()
            issued.append(_shown(driver, sent, lambda waiting, _now: waiting == "1"))
            sent = time.time() * 1000
            counter.post(f"{server.url}/api/v1/windows/{WINDOW}/call-next", timeout=5)
            called.append(_shown(driver, sent, lambda waiting, now, t=ticket["number"]: now.startswith(t)
                                 and waiting == "0"))
            time.sleep(0.05)
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
    figures = []
    for label, values in (("issue", issued), ("call", called)):
        for q in (50, 95):
            value = percentile(values, q)
            figures.append(Figure(f"console Live page: {label} → shown, p{q} ({rounds} rounds)", value, "ms",
                                  "≤ 200 ms", value <= 200))
        figures.append(Figure(f"console Live page: {label} → shown, max", max(values), "ms"))
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(figure.line())
