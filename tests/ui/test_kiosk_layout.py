# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""Every kiosk screen is whole on a hall's four screen shapes, in both languages and both modes
(nothing clipped, outside or overlapping, every touch target at least 60 px), and elderly mode
meets the published numbers (适老化)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from kiosk.client import HallUnreachable
from kiosk.domain import HallError
from kiosk.terminal import IssueOutcome
from tests.ui.fit import fit_problems
from tests.ui.readable import contrast, font_px, line_ratio, small_targets, text_widgets
from tests.ui.test_kiosk_fixtures import hall, make_kiosk, qm_dir

SHAPES = [(1920, 1080), (1080, 1920), (1280, 1024), (1366, 768)]  # a hall's screens


def walk(window, hall):
    """Put the kiosk on every screen in turn (directly: layout, not flow, is under test)."""
    from kiosk.models import IssueRequest

    home = window.screens["home"]
    for page in range(home.pages()):
        home.page = page
        window.show_screen("home")
        yield
    window.services.device_states["printer"] = "reconnecting"  # home says the printer is away
    for page in range(home.pages()):
        home.page = page
        window.show_screen("home")
        assert home.printer_note.isVisible()
        yield
    window.services.device_states["printer"] = "ok"
    window.call_staff()  # from here on the bar says "staff called", its longest words
    for code in ("AP02", "RE01"):
        window.choose_service(code)
        yield
        window.materials_done()
        yield
    window.show_screen("booking")
    yield
    window.show_screen("priority")
    yield
    window.screens["printing"].set_stage("printing")
    window.show_screen("printing")
    yield
    ticket = hall.issue(IssueRequest(service="AP02", priority="elderly"))
    for printed in (True, False):
        window.screens["done"].show_outcome(IssueOutcome(ticket, printed=printed))
        window.show_screen("done")
        yield
    dup = HallError("duplicate_active", "x", {"ticket": ticket.model_dump(mode="json")})
    for error in (dup, HallError("appointment_outside_window", "x",
                                 {"opens": "09:30", "closes": "10:15"}),
                  HallError("quota_exhausted", "x")):
        window.show_message("error", error)
        yield
    window.show_message("unavailable", HallUnreachable("down"))
    yield


def below_the_fold(w) -> list[str]:
    """What must show without scrolling: every tile of the home page, and the ticket's number
    and QR code (as an e-ticket, the QR code is the ticket to photograph)."""
    screen = w.stack.currentWidget()
    viewport = screen.scroll.viewport()
    name = w.screen_name()
    if name == "home":
        must = list(screen.tiles.values())
    elif name in ("done", "eticket"):
        must = [screen.number, screen.qr]
    else:
        must = []
    hidden = []
    for widget in must:
        if widget.isVisible():
            top_left = widget.mapTo(viewport, widget.rect().topLeft())
            if not viewport.rect().contains(QRect(top_left, widget.size())):
                hidden.append(f"{widget.objectName()} not fully on screen without scrolling")
    return hidden


def states(w, hall):
    """Every screen in both languages: yields a key naming it, with the kiosk on that screen."""
    for language in ("zh", "en"):
        w.set_language(language)
        for i, _ in enumerate(walk(w, hall)):
            yield f"{language}-{i}-{w.screen_name()}"


@pytest.mark.parametrize("size", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_fits_every_shape_in_both_modes_and_languages(qtbot, make_kiosk, hall, size):
    w = make_kiosk(size=size, idle_ms=600_000).window
    found = []
    for elderly in (False, True):
        if w.elderly != elderly:
            w.toggle_elderly()
        for key in states(w, hall):
            assert (w.width(), w.height()) == size
            found += [f"{size} {key} elderly={elderly}: {p}" for p in fit_problems(w)]
            found += [f"{size} {key} elderly={elderly}: small target {t}" for t in small_targets(w)]
            found += [f"{size} {key} elderly={elderly}: {p}" for p in below_the_fold(w)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_elderly_mode_meets_the_published_numbers(qtbot, make_kiosk, hall, size):
    """Main text >= 18 and the largest >= 30 dp-equivalent, line spacing >= 1.3, contrast >= 4.5:1
    (3:1 for text above 18 px), and every text at least 1.5 times its standard size
    (display-size text of 96 px and more excepted)."""
    w = make_kiosk(size=size, idle_ms=600_000).window
    standard = {}
    for key in states(w, hall):
        standard.update({(key, id(t)): font_px(t) for t in text_widgets(w)})
    w.toggle_elderly()
    found = []
    for key in states(w, hall):
        shot = w.grab().toImage()
        texts = text_widgets(w)
        assert texts, key
        if max(font_px(t) for t in texts) < 30:
            found.append(f"{key}: largest text {max(font_px(t) for t in texts)} px")
        for t in texts:
            px, name = font_px(t), f"{key} {t.objectName() or type(t).__name__} {t.text()[:20]!r}"
            before = standard.get((key, id(t)))
            if px < 18:
                found.append(f"{name}: {px} px")
            if line_ratio(t) < 1.3:
                found.append(f"{name}: line spacing {line_ratio(t):.2f}")
            ratio = contrast(t, shot, w)
            if ratio < (3.0 if px > 18 else 4.5):
                found.append(f"{name}: contrast {ratio:.1f}:1")
            if before and px < 1.5 * before and px < 96:
                found.append(f"{name}: {px} px is not 1.5 x {before} px")
    assert not found, "\n".join(found)
