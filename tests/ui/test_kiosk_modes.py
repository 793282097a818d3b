# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""Hall unreachable, idle timeout, live language switch, elderly mode, staff hook, lockdown."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent

from kiosk.client import HallClient
from kiosk.server import create_app
from tests.conftest import LiveServer, free_port
from tests.ui.test_kiosk_fixtures import (
    ELDERLY_BORN,
    click,
    hall,
    kiosk_config,
    make_kiosk,
    qm_dir,
    to_identify,
    wait_screen,
)


def test_idle_timeout_returns_home_and_touch_resets_it(qtbot, make_kiosk):
    w = make_kiosk(idle_ms=700).window
    click(qtbot, w.screens["home"].tile("GC01"))
    wait_screen(qtbot, w, "materials")
    for _ in range(3):  # touches keep the visit alive beyond the timeout
        qtbot.wait(400)
        qtbot.mousePress(w.screens["materials"].title, Qt.MouseButton.LeftButton)
        assert w.screen_name() == "materials"
    wait_screen(qtbot, w, "home", timeout=5000)
    assert w.visit is None


def test_idle_timeout_from_identify_and_error(qtbot, make_kiosk):
    w = make_kiosk(idle_ms=300).window
    to_identify(qtbot, w, "SS01")
    wait_screen(qtbot, w, "home", timeout=5000)
    w.show_message("error", ValueError("x"))
    wait_screen(qtbot, w, "home", timeout=5000)


def test_done_screen_counts_down_home(qtbot, make_kiosk):
    w = make_kiosk(done_ms=1500).window
    to_identify(qtbot, w, "GC01")
    click(qtbot, w.screens["identify"].skip)
    wait_screen(qtbot, w, "done")
    wait_screen(qtbot, w, "home", timeout=6000)


def test_done_screen_says_now_only_when_a_window_is_free(make_kiosk):
    from types import SimpleNamespace

    done = make_kiosk().window.screens["done"]
    assert done._eta_text(SimpleNamespace(ahead=0, eta_minutes=0)) == "预计等候：马上"
    # Nobody ahead while every window is busy: a wait, shown as a range (DESIGN.md §8).
    assert done._eta_text(SimpleNamespace(ahead=0, eta_minutes=9)) == "预计等候：约 3–15 分钟"
    assert done._eta_text(SimpleNamespace(ahead=3, eta_minutes=None)) == "预计等候：暂无法估算"


def _visit_every_screen(qtbot, rig):
    """Yield after reaching each citizen screen, by clicks."""
    w = rig.window
    yield "home"
    to_identify(qtbot, w, "SS02")
    yield "identify"
    rig.card(born=ELDERLY_BORN)
    wait_screen(qtbot, w, "priority")
    yield "priority"
    click(qtbot, w.screens["priority"].accept)
    wait_screen(qtbot, w, "done")
    yield "done"
    click(qtbot, w.screens["done"].finish)
    wait_screen(qtbot, w, "home")
    click(qtbot, w.screens["home"].tile("AP02"))
    wait_screen(qtbot, w, "materials")
    yield "materials"
    click(qtbot, w.screens["materials"].next)
    click(qtbot, w.screens["identify"].booking)
    wait_screen(qtbot, w, "booking")
    yield "booking"
    for key in "404":
        click(qtbot, w.screens["booking"].keypad.keys[key])
    click(qtbot, w.screens["booking"].confirm)
    wait_screen(qtbot, w, "error")
    yield "error"


def _texts(window):
    from PySide6.QtWidgets import QLabel, QPushButton

    screen = window.stack.currentWidget()
    widgets = screen.findChildren(QLabel) + screen.findChildren(QPushButton)
    return {id(x): x.text() for x in widgets if x.isVisible() and x.text()}


def test_language_switch_is_live_on_every_screen(qtbot, make_kiosk):
    rig = make_kiosk()
    w = rig.window
    for name in _visit_every_screen(qtbot, rig):
        zh = _texts(w)
        assert w.lang_button.text() == "English"
        click(qtbot, w.lang_button)
        en = _texts(w)
        changed = [k for k in zh if en.get(k) != zh[k]]
        assert changed, f"nothing changed language on {name}"
        assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in (
            w.stack.currentWidget().findChild(type(w.hall_name), "title").text(),)), name
        assert w.lang_button.text() == "中文"
        click(qtbot, w.lang_button)
        assert _texts(w) == zh, f"switching back did not restore {name}"


def test_service_names_follow_the_language(qtbot, make_kiosk):
    w = make_kiosk().window
    tile = w.screens["home"].tile("SS01")
    assert tile.name.text() == "社保卡办理"
    click(qtbot, w.lang_button)
    assert tile.name.text() == "Social Security Card"
    assert w.hall_name.text() == "Demo City Government Service Center"


def test_elderly_mode(qtbot, make_kiosk, kiosk_config):
    w = make_kiosk().window
    home = w.screens["home"]
    normal_font = home.tile("SS01").name.font().pixelSize()
    assert home.pages() == 1
    click(qtbot, home.elderly_button)
    assert w.elderly
    tile = home.tile("SS01")
    assert tile.name.font().pixelSize() > normal_font
    assert home.pages() == 2 and home.next_button.isVisible()
    shown = [c for c in home.tiles if home.tile(c)]
    assert len(shown) == 6
    click(qtbot, home.next_button)
    assert home.tile("SS01") is None and home.tile("GC02") is not None
    assert w.idle_ms() == int(kiosk_config.kiosk.elderly_idle_timeout_s * 1000)
    click(qtbot, home.elderly_button)
    assert not w.elderly and home.pages() == 1
    assert w.idle_ms() == int(kiosk_config.kiosk.idle_timeout_s * 1000)


def test_staff_long_press_overlay_and_reset(qtbot, make_kiosk):
    from PySide6.QtWidgets import QLabel

    w = make_kiosk(long_press_ms=300).window
    with qtbot.assertNotEmitted(w.staffRequested, wait=100):
        qtbot.mousePress(w.corner, Qt.MouseButton.LeftButton)
        qtbot.mouseRelease(w.corner, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(w.staffRequested, timeout=3000):
        qtbot.mousePress(w.corner, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(w.corner, Qt.MouseButton.LeftButton)
    click(qtbot, w.screens["home"].tile("GC01"))
    panel = QLabel("staff")
    w.show_overlay(panel)
    assert panel.isVisible() and panel.geometry() == w.rect()
    w.reset_to_home()
    w.close_overlay()
    assert not panel.isVisible() and w.screen_name() == "home" and w.visit is None
    assert w.services.hall is not None


def test_close_refused_until_staff_unlock(qtbot, make_kiosk):
    w = make_kiosk().window
    event = QCloseEvent()
    w.closeEvent(event)
    assert not event.isAccepted()
    w.unlock_exit()
    event = QCloseEvent()
    w.closeEvent(event)
    assert event.isAccepted()


def test_clock_shows_the_halls_time_whatever_the_machines_zone(make_kiosk):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    rig = make_kiosk()
    before = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    rig.window._tick_clock()
    after = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    assert rig.window.clock.text() in {before, after}  # the minute may turn in between
    assert rig.window.catalog.hall.timezone == "Asia/Shanghai"


def test_saved_settings_apply_without_a_restart(make_kiosk):
    rig = make_kiosk(idle_ms=None)
    assert rig.window.idle_ms() == int(rig.window.config.kiosk.idle_timeout_s * 1000)
    changed = rig.window.config.model_copy(update={
        "kiosk": rig.window.config.kiosk.model_copy(update={"idle_timeout_s": 33, "elderly_age": 70})})
    rig.window.apply_config(changed)
    assert rig.window.idle_ms() == 33_000
    assert rig.services.config.kiosk.elderly_age == 70
