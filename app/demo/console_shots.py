"""The demo's console act (issue 15): a busy hall day, its web console photographed, its report.

1. Two busy working days before today (``app.demo.busy_day.make_busy_day``: the simulated hall
   through the real engine, ``DEMO_TICKETS`` a day) into ``OUT/busy-day``.
2. The hall server over that folder, built as ``kiosk serve --dev --config OUT/busy-day/hall.toml
   --data OUT/busy-day/data --keys OUT/busy-day/keys`` builds it (``open_engine``, ``create_app`` with
   the hall file, ``build_server`` + ``run_in_thread``) on a loopback port, with a console account
   (``kiosk.accounts``, a random password never written anywhere) and device tokens.
3. Today's hall comes alive over HTTP as devices make it live: clerks sign in at a few windows,
   the devices report their parts (a kiosk out of paper: an alert), a kiosk issues tickets,
   counters call some.
4. The busy days' XLSX report, opened back and checked (``app.demo.busy_report``).
5. Headless Chromium (``app.chromium``) signs in and photographs every page in the console's nav
   registry (pages added later are photographed too) at 1366×768 and 1920×1080, in Chinese and
   English, into ``OUT/console/``; on the Live page a counter calls a ticket and the page is
   photographed once it shows the call. Without chromium this step is skipped with a plain line.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from app import chromium
from app.demo import busy_report
from app.demo.busy_day import SAMPLE, make_busy_day, previous_working_day
from kiosk.config import load_hall_config

DEMO_TICKETS = 2000
"""Tickets a busy day of the demo: a day of 3,000 took 41 s alone on this VM (DESIGN.md), and the
demo's two days of 2,000 took 50–130 s with other work beside them, which is already most of
the demo's time."""
SIZES = ((1366, 768), (1920, 1080))
LANGS = ("zh", "en")
PAGE_QUERIES = {"stats": "?from={first}&to={last}"}
"""Pages that show a period open on the busy days (they would show today's few tickets)."""
LIVE_WINDOWS = 6
"""How many windows have a clerk signed in on the Live page."""
ACCOUNT = "demo-admin"


@dataclass
class ServedHall:
    """The busy day's hall server: its URL, engine, pages (the nav registry) and credentials."""

    url: str
    engine: object
    pages: list
    first: date
    last: date
    password: str
    tokens: dict = field(default_factory=dict)

    def api(self, path: str, token: str, body: dict | None = None, key: str | None = None) -> requests.Response:
        """POST ``/api/v1<path>`` as a device with ``token`` makes it."""
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        return requests.post(f"{self.url}/api/v1{path}", json=body, headers=headers, timeout=10)


def capture(ctx) -> None:  # noqa: ANN001 - app.demo.run.DemoContext
    """The act: busy days, the server, the report, the screenshots; what it did into summary.json."""
    out = ctx.out / "console"
    folder = ctx.out / "busy-day"
    last = previous_working_day(hall_today(), load_hall_config(SAMPLE))
    started = time.perf_counter()
    make_busy_day(folder, day=last, tickets=DEMO_TICKETS)
    result = {"tickets_per_day": DEMO_TICKETS, "busy_day_s": round(time.perf_counter() - started, 1)}
    problem = None
    with serve_busy_day(folder, last) as hall:
        started = time.perf_counter()
        try:
            result["report"] = busy_report.write_and_check(hall.engine, hall.first, hall.last, out)
        except busy_report.ReportMismatch as exc:  # said at the end: the pages are still worth photographing
            problem = exc
            result["report"] = {"problem": str(exc)}
        result["report_s"] = round(time.perf_counter() - started, 1)
        result["pages"] = [page.name for page in hall.pages]
        result["live_hall"] = liven(hall)
        why = chromium.missing()
        if why:
            result["screenshots_skipped"] = why
            print(f"demo: the console's pages were not photographed: {why}")
        else:
            started = time.perf_counter()
            result.update(photograph(hall, out))
            result["screenshots_s"] = round(time.perf_counter() - started, 1)
    ctx.extra["console"] = result
    if problem is not None:
        raise problem
    figures = result["report"]["figures"]
    ctx.note("console", f"{figures['issued']} tickets on {hall.first} and {hall.last}, "
                        f"{len(result.get('shots', []))} console screenshots, report {result['report']['file']}")


def hall_today() -> date:
    """Today in the sample hall's time zone."""
    return datetime.now(ZoneInfo(load_hall_config(SAMPLE).hall.timezone)).date()


@contextmanager
def serve_busy_day(folder: Path, last: date) -> Iterator[ServedHall]:
    """The hall server over the busy day's folder, as ``kiosk serve --dev --config`` builds it
    (``--dev``: the hall opens at whatever hour the demo runs), with an admin console account
    and a kiosk's token; stopped and closed after."""
    from kiosk.accounts import add_account, find_account, password_problem, set_password
    from kiosk.hall import open_engine
    from kiosk.server import create_app
    from kiosk.serving import build_server, run_in_thread, stop_thread
    from kiosk.tokens import add_token

    hall_file = folder / "hall.toml"
    config = load_hall_config(hall_file)
    engine = open_engine(config, folder / "data", dev=True, keys=folder / "keys")
    try:
        password = secrets.token_urlsafe(12)
        while password_problem(password, ACCOUNT):
            password = secrets.token_urlsafe(12)
        if find_account(engine.store, ACCOUNT, engine.clock.now()) is None:
            add_account(engine.store, ACCOUNT, "演示管理员", "admin", password, engine.clock.now(), actor="kiosk demo")
        else:  # the folder served before: a new password for this run
            set_password(engine.store, ACCOUNT, password, engine.clock.now(), actor="kiosk demo")
        tokens = {"kiosk": secrets.token_urlsafe(16)}
        add_token(engine.store, tokens["kiosk"], "kiosk", "K01", engine.clock.now())
        app = create_app(engine, dev=True, hall_file=hall_file)
        server = build_server(app, "127.0.0.1", 0, graceful_s=1.0)
        thread = run_in_thread(server)
        try:
            hall_pages = [page for page in app.state.console.pages if not page.city]  # a hall account's pages
            yield ServedHall(f"http://127.0.0.1:{server.port}", engine, hall_pages,
                             previous_working_day(last, config), last, password, tokens)
        finally:
            stop_thread(server, thread)
    finally:
        engine.store.close()


def liven(hall: ServedHall) -> dict:
    """Today's hall, made over HTTP as devices make it: clerks sign in at ``LIVE_WINDOWS``
    windows, the devices report, the kiosk issues tickets for those windows' services, half of
    the windows call one. What went through (and any refusal) for summary.json."""
    from kiosk.hallday import clerk_code, clerk_pin
    from kiosk.tokens import add_token

    windows = live_windows(hall.engine.config)
    done = {"signed_in": [], "issued": [], "called": [], "reported": [], "refused": []}
    for window, _services in windows:
        token = hall.tokens[f"window {window}"] = secrets.token_urlsafe(16)
        add_token(hall.engine.store, token, "counter", "", hall.engine.clock.now(), window=window)
        code = clerk_code(window)
        answer = hall.api(f"/windows/{window}/sign-in", token, {"code": code, "pin": clerk_pin(code)})
        (done["signed_in"] if answer.ok else done["refused"]).append(window)
    report_devices(hall, [window for window, _services in windows], done)
    for n in range(4 * len(windows)):
        services = windows[n % len(windows)][1]
        answer = issue(hall, services[n // len(windows) % len(services)])
        (done["issued"] if answer.ok else done["refused"]).append(answer.json().get("number", answer.text[:200]))
    for window, _services in windows[: len(windows) // 2]:
        answer = hall.api(f"/windows/{window}/call-next", hall.tokens[f"window {window}"])
        (done["called"] if answer.ok else done["refused"]).append(answer.json().get("number", answer.text[:200]))
    return done


def report_devices(hall: ServedHall, windows: list[int], done: dict) -> None:
    """The counters and two kiosks report their parts; the second kiosk's paper has run out (an
    alert on the Live page), the first one's is low."""
    from kiosk.tokens import add_token

    for window in windows:
        report_status(hall, f"window {window}", "counter", sign={"state": "ok"}, done=done)
    hall.tokens["K02"] = secrets.token_urlsafe(16)
    add_token(hall.engine.store, hall.tokens["K02"], "kiosk", "K02", hall.engine.clock.now())
    report_status(hall, "kiosk", "kiosk", printer={"state": "paper_low", "detail": "纸卷将尽"},
                  reader={"state": "ok"}, done=done)
    report_status(hall, "K02", "kiosk", printer={"state": "paper_out", "detail": "打印纸用完"},
                  reader={"state": "ok"}, done=done)


def report_status(hall: ServedHall, token: str, program: str, *, done: dict, **parts: dict) -> None:
    """A device (``hall.tokens[token]``) reports its version and parts, as its reporter does."""
    from kiosk import __version__

    body = {"version": __version__, "program": program, "uptime_s": 3600.0, **parts}
    answer = hall.api("/devices/status", hall.tokens[token], body)
    (done["reported"] if answer.ok else done["refused"]).append(token if answer.ok else answer.text[:200])


def live_windows(config) -> list[tuple[int, list[str]]]:  # noqa: ANN001 - a HallConfig
    """The first ``LIVE_WINDOWS`` windows with services a kiosk issues without an ID card (the
    demo's kiosk has no card to read): their numbers and those services."""
    free = {s.code for s in config.services if not s.id_required and s.kind != "complaint"}
    found = [(w.number, [s for s in w.services if s in free]) for w in config.windows if w.kind == "window"]
    return [(number, services) for number, services in found if services][:LIVE_WINDOWS]


def issue(hall: ServedHall, service: str) -> requests.Response:
    """The kiosk issues a ticket of ``service``."""
    return hall.api("/tickets", hall.tokens["kiosk"], {"service": service, "channel": "kiosk",
                                                       "priority": "normal", "device": "K01"}, key=uuid.uuid4().hex)


def photograph(hall: ServedHall, out: Path) -> dict:
    """Every page of the nav registry at each size and language; the Live page's call."""
    from app.demo import console_browser as web

    out.mkdir(parents=True, exist_ok=True)
    shots, live = [], None
    for width, height in SIZES:
        browser = chromium.start(width, height)
        try:
            chromium.fit_viewport(browser, width, height)
            web.sign_in(browser, hall.url, ACCOUNT, hall.password)
            for lang in LANGS:
                for page in hall.pages:
                    query = PAGE_QUERIES.get(page.name, "").format(first=hall.first, last=hall.last)
                    name = f"{page.name}-{lang}-{width}x{height}.png"
                    shots.append(web.shoot(browser, f"{hall.url}{page.path}{query}", lang, out / name, page.name))
                    if page.name == "live" and live is None:
                        live = live_call(hall, browser, out / f"live-called-{lang}-{width}x{height}.png")
        finally:
            browser.quit()
    return {"shots": shots, "live_call": live}


def live_call(hall: ServedHall, browser, path: Path) -> dict:  # noqa: ANN001 - a selenium WebDriver
    """On the open Live page: the kiosk issues a ticket and a window with no ticket at it calls
    the next one; photographed once the page shows the call, without a reload."""
    from app.demo import console_browser as web

    windows = live_windows(hall.engine.config)
    window, services = windows[len(windows) // 2]  # signed in, not called by ``liven``, near the top
    ticket = issue(hall, services[0])
    browser.execute_script("window.__sameDocument = true")  # gone if the page reloads
    start = time.monotonic()
    called = hall.api(f"/windows/{window}/call-next", hall.tokens[f"window {window}"])
    called.raise_for_status()
    number = called.json()["number"]
    shown = web.wait_for_text(browser, f'#windows [data-window="{window}"] .now', number)
    took = time.monotonic() - start
    browser.execute_script("var n = document.querySelector(arguments[0]); if (n) n.scrollIntoView({block: 'nearest'})",
                           f'#windows [data-window="{window}"]')  # the card in the picture
    browser.save_screenshot(str(path))
    return {"window": window, "issued": ticket.json().get("number"), "called": number,
            "shown_ms": round(took * 1000) if shown else None,
            "reloaded": not browser.execute_script("return window.__sameDocument === true"),
            "file": f"{path.parent.name}/{path.name}"}
