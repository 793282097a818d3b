"""A browser harness for the web console: headless Chromium driving a real hall server.

Debian's ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` through selenium, started by
``app.chromium`` (shared with the demo; selenium never downloads a browser: both paths are
given). Fixtures: ``console_server`` (the hall server with the console over the ``engine``
fixture's real SQLite file and fake clock, device tokens and one account per console role),
``open_browser(width, height)`` and ``browser`` (1366×768), ``sign_in(browser, server, name)``,
and ``shot(browser, name)``, which writes a PNG into the test's own folder and returns its path.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import chromium
from kiosk.config import PROJECT_CONFIG_DIR
from tests.conftest import LiveServer
from tests.console_calls import PASSWORD

CHROMIUM = chromium.CHROMIUM
DRIVER = chromium.DRIVER
ACCOUNTS = {"director": "李主任", "guide": "王导服", "it": "张信息", "admin": "赵管理"}
"""One account per role, named after the role (``director`` signs in as the director)."""
TOKENS = {"kiosk": "test-kiosk", "guide": "test-guide", "admin": "test-admin", "display": "test-display"}


@dataclass
class ConsoleServer:
    """A running hall server with the console: its URL, engine and device tokens."""

    url: str
    engine: object
    live: LiveServer
    hall_file: Path
    tokens: dict

    def headers(self, role: str) -> dict:
        """The Authorization header of the device token of ``role``."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
def console_server(engine, tmp_path):
    """The hall server with the console, over ``engine``; a copy of the sample hall file is its
    ``hall_file`` (pages that write it back write the copy)."""
    from kiosk.accounts import add_account
    from kiosk.server import add_token, create_app

    for role, token in TOKENS.items():
        add_token(engine.store, token, role, f"{role}-1" if role != "kiosk" else "K01", 0)
    add_token(engine.store, "test-counter-5", "counter", "", 0, window=5)
    for role, display in ACCOUNTS.items():
        add_account(engine.store, role, display, role, PASSWORD, engine.clock.now(), actor="test")
    hall_file = tmp_path / "hall.toml"
    shutil.copy(PROJECT_CONFIG_DIR / "hall.toml", hall_file)
    live = LiveServer(create_app(engine, dev=False, heartbeat_s=0.5, hall_file=hall_file)).start()
    yield ConsoleServer(live.url, engine, live, hall_file, {**TOKENS, "counter": "test-counter-5"})
    live.stop()


@pytest.fixture
def open_browser():
    """A factory of headless Chromium browsers whose page (viewport) is of a given size, as a
    full-screen browser on that screen shows it; each is quit after the test."""
    why = chromium.missing(CHROMIUM, DRIVER)
    if why:
        pytest.skip(f"needs Debian's chromium and chromium-driver: {why}")
    opened = []

    def open_one(width: int = 1366, height: int = 768):  # noqa: ANN202 - a selenium WebDriver
        driver = chromium.start(width, height, chromium=CHROMIUM, driver=DRIVER)
        opened.append(driver)
        chromium.fit_viewport(driver, width, height)  # the page itself is width×height, not the window
        return driver

    yield open_one
    for driver in opened:
        driver.quit()


@pytest.fixture
def browser(open_browser):
    """A headless Chromium at a hall PC's 1366×768."""
    return open_browser(1366, 768)


def sign_in(driver, server: ConsoleServer, name: str, password: str = PASSWORD, then: str = "/console/") -> None:  # noqa: ANN001
    """Sign ``name`` in through the sign-in form and wait for the page that follows."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{server.url}/console/login?next={then}")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 10).until(lambda d: "/console/login" not in d.current_url)


@pytest.fixture
def shot(tmp_path):
    """Save a screenshot of the browser's window into the test's folder; returns its path."""

    def take(driver, name: str) -> Path:  # noqa: ANN001 - a selenium WebDriver
        path = tmp_path / f"{name}.png"
        driver.save_screenshot(str(path))
        return path

    return take
