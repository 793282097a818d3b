# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""No text is clipped by its widget, on three screen sizes, in both languages and both modes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from kiosk.client import HallUnreachable
from kiosk.domain import HallError
from kiosk.terminal import IssueOutcome
from tests.ui.test_kiosk_fixtures import hall, kiosk_config, make_kiosk, qm_dir

SIZES = [(1920, 1080), (1080, 1920), (1280, 1024)]


def clipped(widget) -> str | None:
    """Why ``widget``'s text does not fit its contents rectangle, or None when it fits."""
    text = widget.text()
    if not widget.isVisible() or not text:
        return None
    fm = widget.fontMetrics()
    rect = widget.contentsRect()
    if isinstance(widget, QPushButton):
        needed = fm.horizontalAdvance(text)
        return None if needed <= rect.width() - 8 else f"needs {needed}px, has {rect.width()}"
    width = rect.width() - 2 * widget.margin()
    if widget.wordWrap():
        box = fm.boundingRect(QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap, text)
        if box.height() > rect.height() + 1 or box.width() > width + 1:
            return f"needs {box.width()}x{box.height()}, has {width}x{rect.height()}"
        return None
    lines = text.split("\n")
    needed = max(fm.horizontalAdvance(line) for line in lines)
    high = fm.lineSpacing() * len(lines)
    if needed > width + 1 or high > rect.height() + fm.leading() + 2:
        return f"needs {needed}x{high}, has {width}x{rect.height()}"
    return None


def problems(window) -> list[str]:
    QApplication.processEvents()
    found = []
    for widget in window.findChildren(QLabel) + window.findChildren(QPushButton):
        if widget.window() is not window:
            continue
        why = clipped(widget)
        if why:
            found.append(f"{window.screen_name()}: {widget.objectName() or type(widget).__name__}"
                         f" {widget.text()[:30]!r} {why}")
    return found


def walk(window, hall):
    """Put the kiosk on every screen in turn (directly: layout, not flow, is under test)."""
    from kiosk.models import IssueRequest

    home = window.screens["home"]
    for page in range(home.pages()):
        home.page = page
        window.show_screen("home")
        yield
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


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_nothing_clipped(qtbot, make_kiosk, hall, size):
    w = make_kiosk(size=size, idle_ms=600_000).window
    found = []
    assert (w.width(), w.height()) == size  # the layouts' minimum sizes fit the screen
    for elderly in (False, True):
        if w.elderly != elderly:
            w.toggle_elderly()
        for language in ("zh", "en"):
            w.set_language(language)
            for _ in walk(w, hall):
                assert (w.width(), w.height()) == size
                found += [f"{size} {language} elderly={elderly} {p}" for p in problems(w)]
    assert not found, "\n".join(found)
