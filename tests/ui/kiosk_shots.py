"""The kiosk's screen as a person sees it at each of the hall's screen shapes, standard and
elderly: saved as PNG (to look at) and checked whole (``tests.ui.fit``). Shared by the kiosk
tests that look at a screen of their own (check-in, text reminders)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from tests.ui.fit import fit_problems
from tests.ui.test_kiosk_layout import SHAPES


def shape_shots(qtbot, window, folder: Path, name: str,  # noqa: ANN001 - qtbot, a KioskWindow
                checks: Iterable[Callable] = ()) -> list[str]:
    """Save the current screen at every shape into ``folder`` and return the problems found by
    ``fit_problems`` and the extra ``checks`` (each: window -> list of problems)."""
    folder.mkdir(parents=True, exist_ok=True)
    found, before = [], (window.width(), window.height())
    for elderly in (False, True):
        window.set_elderly(elderly)
        for size in SHAPES:
            window.resize(*size)
            qtbot.wait(150)
            window.stack.currentWidget().render()
            qtbot.wait(50)  # laid out again after what render() showed or hid
            path = folder / f"{name}-{size[0]}x{size[1]}-{'elderly' if elderly else 'standard'}-{window.language}.png"
            assert window.grab().save(str(path))
            problems = fit_problems(window) + [p for check in checks for p in check(window)]
            found += [f"{path.name}: {p}" for p in problems]
    window.set_elderly(False)
    window.resize(*before)
    return found
