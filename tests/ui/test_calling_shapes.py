# ruff: noqa: F811  (the qm_dir fixture is imported from test_kiosk_fixtures, used as an argument)
"""The calling board, a window's screen and the counter fit every screen shape in both
languages: nothing cut, nothing outside, nothing on top of something else, the whole screen
used. The hall is busy (every window has called, tickets are held) and its names are long; so
are the ids of the kiosks calling for staff, on the board, the desk's screen and its caller."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication

from app.demo.calling_shots import random_id_number
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.hall import LocalHall, open_engine
from kiosk.models import ActionRequest, HelpCall, IssueRequest, WindowChange
from kiosk.terminal import citizen_from_id
from tests.ui.fit import fit_problems
from tests.ui.test_kiosk_fixtures import qm_dir  # noqa: F401 - fixture
from ui.calling.counter import CounterWindow
from ui.calling.display import CallingDisplay
from ui.i18n import Languages

SHAPES = [(1920, 1080), (1080, 1920), (1280, 1024), (1366, 768)]
LANGS = ["zh", "en"]
LONG_NAMES = {  # longer than any sample name, to find every cell that cannot take them
    'name = { zh = "不动产登记", en = "Property Registration" }':
        'name = { zh = "不动产登记与税费缴纳一窗综合受理", en = "Property Registration with Tax '
        'Payment at One Window" }',
    'name = { zh = "示范市政务服务中心", en = "Demo City Government Service Center" }':
        'name = { zh = "示范市人民政府政务服务中心第一分中心", en = "Government Service Center of '
        'the People\'s Government of Demo City, First Branch" }',
    'prefix = "L"': 'prefix = "LX"',  # a two-letter prefix in a badge
    'prefix = "J"': 'prefix = "J"\ndigits = 4',  # a longer number
    "number = 15\n": "number = 115\n",  # a three-digit window
}
BUSY_WINDOWS = (1, 2, 3, 5, 6, 8, 9, 11, 12, 115, 18, 20)
HELPING = ("K01", "EAST-ENTRANCE-KIOSK-02", "K03", "K04")  # four kiosks call for staff, one long id


def call_for_staff(take) -> None:  # noqa: ANN001 - a screen's (kind, data) receiver
    """Every kiosk of HELPING calls for staff, now."""
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    for device in HELPING:
        take("device", HelpCall(device=device, screen="home", at=now).model_dump(mode="json"))


def busy_hall_file(folder: Path) -> Path:
    """The sample hall with long names, a two-letter prefix, a four-digit number and window 115."""
    text = (PROJECT_CONFIG_DIR / "hall.toml").read_text(encoding="utf-8")
    for old, new in LONG_NAMES.items():
        assert old in text
        text = text.replace(old, new, 1)
    path = folder / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def busy_hall(tmp_path_factory) -> LocalHall:
    """Every service has people waiting; every window has called; window 6 holds two tickets
    and window 11 is paused."""
    folder = tmp_path_factory.mktemp("busy")
    hall = LocalHall(open_engine(busy_hall_file(folder), folder / "hall", dev=True))
    seal_key = hall.catalog().id_seal_key
    for _ in range(4):
        for service in hall.catalog().services:
            citizen = citizen_from_id(random_id_number(), seal_key)
            hall.issue(IssueRequest(service=service.code, citizen=citizen))
    for _ in range(2):
        call = hall.call_next(6)
        hall.act(call.ticket, "hold", ActionRequest(window=6))
    for window in BUSY_WINDOWS:
        hall.call_next(window)
    hall.change_window(11, WindowChange(paused=True))
    return hall


def shown(qtbot, widget, size: tuple[int, int]) -> None:  # noqa: ANN001
    """``widget`` at ``size``, laid out and painted."""
    widget.resize(*size)
    widget.show()
    qtbot.wait(10)
    QApplication.processEvents()
    assert widget.size().toTuple() == size, f"{type(widget).__name__} cannot be {size}: too big"
    widget.grab()  # paints: the LED matrix measures what it draws


def led_problems(display: CallingDisplay) -> list[str]:
    """What does not fit on the display's LED matrix, and any part of the screen left dark."""
    matrix = display.matrix
    found = list(matrix.problems())
    if matrix.geometry() != display.rect():
        found.append(f"the matrix covers {matrix.geometry()} of {display.rect()}")
    found += [f"{px} px left without dots" for px in matrix.unlit_margin() if px >= matrix.pitch()]
    return found + fit_problems(display)


@pytest.fixture
def display_of(qtbot, busy_hall):
    """Factory: a started display of the busy hall (``window`` None: the main board)."""
    made: list[CallingDisplay] = []

    def make(window: int | None, lang: str) -> CallingDisplay:
        display = CallingDisplay(busy_hall, window=window, lang=lang)
        qtbot.addWidget(display)
        made.append(display)
        display.start()
        qtbot.waitUntil(lambda: display.model.catalog is not None and bool(display.model.recent),
                        timeout=5000)
        return display

    yield make
    for display in made:
        display.stop()


@pytest.mark.parametrize("lang", LANGS)
def test_the_board_fits_every_shape(qtbot, display_of, lang) -> None:
    display = display_of(None, lang)
    for size in SHAPES:
        shown(qtbot, display, size)
        assert led_problems(display) == [], f"board {lang} {size}"
        texts = display.matrix.texts()
        recent = {k for k in texts if k.startswith("recent.") and k.endswith(".number")}
        waiting = {k for k in texts if k.startswith("waiting.") and k.endswith(".badge")}
        assert len(recent) >= 6 and len(waiting) >= 4, f"board {lang} {size}: a table lost its rows"
        assert texts["latest.0"], f"board {lang} {size}: no latest call"
        for _ in range(100):  # marquees move on: still nothing painted outside its cell
            display.frame()
        display.grab()
        assert display.matrix.problems() == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("window", [6, 18, 11, 115])
def test_a_window_screen_fits_every_shape(qtbot, display_of, lang, window) -> None:
    display = display_of(window, lang)
    for size in SHAPES:
        shown(qtbot, display, size)
        assert led_problems(display) == [], f"window {window} {lang} {size}"
        assert "hint" in display.matrix.texts() and "window" in display.matrix.texts()


@pytest.mark.parametrize("lang", LANGS)
def test_calls_for_staff_fit_the_board_and_the_desk_at_every_shape(qtbot, display_of, lang) -> None:
    for window in (None, 18):
        display = display_of(window, lang)
        call_for_staff(display._on_event)
        assert len(display.helped) == len(HELPING)
        for size in SHAPES:
            shown(qtbot, display, size)
            where = f"{'board' if window is None else 'desk'} {lang} {size}"
            assert led_problems(display) == [], where
            texts = display.matrix.texts()
            helping = " ".join(t for k, t in texts.items() if k.startswith("help"))
            assert all(device in helping for device in HELPING), where
            assert any(k.startswith("latest") for k in texts), f"{where}: the call is hidden"
            if window is None:
                recent = [k for k in texts if k.startswith("recent.") and k.endswith(".number")]
                assert len(recent) >= 3, f"{where}: the recent calls lost their table"
            for _ in range(100):  # the long kiosk id scrolls inside its line
                display.frame()
            display.grab()
            assert display.matrix.problems() == [], where


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("window", "helping"), [(6, False), (18, True)])
def test_the_counter_fits_every_shape(qtbot, busy_hall, qm_dir, lang, window, helping) -> None:
    languages = Languages(QApplication.instance(), qm_dir)
    counter = CounterWindow(busy_hall, window, languages=languages)
    qtbot.addWidget(counter)
    counter.start()
    try:
        qtbot.waitUntil(lambda: counter.state.catalog is not None and counter.lane.pending == 0,
                        timeout=5000)
        languages.set(lang)
        counter.retranslate()
        if helping:  # the desk: calls for staff, two with a button and the others counted
            call_for_staff(counter._on_event)
            assert counter.help_panel.more.text() and counter.help_panel.buttons[1].text()
        else:
            assert counter.held_list.count() == 2
        assert counter.number.text() != "—"
        for size in [*SHAPES, (640, 720)]:  # and the --windowed size
            shown(qtbot, counter, size)
            assert fit_problems(counter) == [], f"counter {window} {lang} {size}"
            assert counter.help_panel.isVisible() == helping
    finally:
        counter.stop()
        languages.set("en")
