"""A headless Chromium for the console's browser tests and the demo's console pages.

Debian's ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` through selenium. Both paths are
given, so selenium never looks for (or downloads) a browser of its own.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = "apt-get install chromium chromium-driver (scripts/setup.sh does)"


def missing(chromium: Path | None = None, driver: Path | None = None) -> str | None:
    """Why a headless Chromium cannot be started here (a plain sentence), or None when it can
    (default paths: ``CHROMIUM`` and ``DRIVER``)."""
    gone = [str(p) for p in (chromium or CHROMIUM, driver or DRIVER) if not Path(p).exists()]
    if gone:
        return f"{' and '.join(gone)} not installed; {INSTALL_HINT}"
    try:
        import selenium  # noqa: F401 - only whether it is there
    except ImportError:
        return "the Python package selenium is not installed; pip install -e '.[test]' (scripts/setup.sh does)"
    return None


def start(width: int = 1366, height: int = 768, *, lang: str = "zh-CN", chromium: Path | None = None,
          driver: Path | None = None):  # noqa: ANN201 - a selenium WebDriver
    """A headless Chromium window of ``width``×``height`` pixels, without scroll bars (its page is
    smaller by the browser's bars: ``fit_viewport`` gives the page that size); the caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium or CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}", f"--lang={lang}", "--hide-scrollbars"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(str(driver or DRIVER)), options=options)
    browser.set_page_load_timeout(20)
    return browser


def fit_viewport(browser, width: int, height: int) -> None:  # noqa: ANN001 - a selenium WebDriver
    """Make the page's viewport ``width``×``height`` (a window's size holds the browser's own
    bars too: a 1366×768 window shows a 1366×625 page), as a full-screen browser shows it."""
    inner = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    browser.set_window_size(2 * width - inner[0], 2 * height - inner[1])
