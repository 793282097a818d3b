# ruff: noqa: F811  (pytest fixtures imported from test_kiosk_fixtures and used as arguments)
"""Staff mode inside the real citizen kiosk window: gesture, PIN, panel, card lookup, back home."""

from PySide6.QtCore import Qt

from tests.ui.test_kiosk_fixtures import (  # noqa: F401 (fixtures)
    hall,
    kiosk_config,
    make_kiosk,
    qm_dir,
)


def test_gesture_pin_panel_card_lookup_and_back_home(qtbot, make_kiosk, hall, tmp_path):
    rig = make_kiosk(long_press_ms=50)
    window = rig.window
    window.set_language("en")
    entry = rig.kiosk.staff
    with qtbot.waitSignal(window.staffRequested):
        qtbot.mousePress(window.corner, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(window.corner, Qt.MouseButton.LeftButton)
    assert window.overlay is entry.pin and entry.pin.isVisible()
    for digit in "1234":
        qtbot.mouseClick(entry.pin.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(entry.pin.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.overlay is entry.panel)
    assert entry.panel.isVisible() and entry.controller.role == "staff"

    # a citizen's card placed while staff mode is open finds their ticket instead of issuing one
    actions = entry.panel.pages["actions"]
    entry.panel.show_page("actions")
    rig.card()
    qtbot.waitUntil(lambda: actions.citizen is not None, timeout=10_000)
    assert hall.tickets() == []
    assert actions.citizen.id_mask in actions.citizen_label.text()

    qtbot.mouseClick(entry.panel.close_button, Qt.MouseButton.LeftButton)
    assert window.overlay is None and entry.controller.role is None
    assert window.screen_name() == "home"


def test_the_staff_panel_is_built_when_staff_mode_is_first_asked_for(qtbot, make_kiosk):
    # Its five pages are some 15 MB and a fraction of a second a citizen kiosk does not need
    # at start: they are built behind the PIN dialog, while staff type.
    rig = make_kiosk(long_press_ms=50)
    entry = rig.kiosk.staff
    assert entry._panel is None
    with qtbot.waitSignal(rig.window.staffRequested):
        qtbot.mousePress(rig.window.corner, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(rig.window.corner, Qt.MouseButton.LeftButton)
    assert rig.window.overlay is entry.pin
    qtbot.waitUntil(lambda: entry._panel is not None)
    assert rig.window.overlay is entry.pin and not entry.panel.isVisible()
