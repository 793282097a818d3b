# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""The citizen's "call staff" button: on every screen, it alerts staff at the kiosk and tells the
hall (one event the guide desk's screens follow); staff arriving clear it."""

from __future__ import annotations

from tests.ui.test_kiosk_fixtures import click, hall, make_kiosk, qm_dir, to_identify, wait_screen


def help_events(hall) -> list[dict]:
    return [e.data for e in hall.engine.events_after(0, 1000) if e.type == "device"]


def test_call_staff_on_any_screen_alerts_staff_and_the_hall(qtbot, make_kiosk, hall):
    rig = make_kiosk()
    w = rig.window
    button = w.help_button
    assert button.isVisible() and button.text() == "呼叫工作人员"
    to_identify(qtbot, w, "GC01")
    assert w.help_button.isVisible()
    click(qtbot, button)
    assert rig.services.alerts.has("help_requested")
    assert "identify" in next(a for a in rig.services.alerts.active() if a.kind == "help_requested").staff_message
    assert button.text().startswith("已呼叫工作人员")  # said in words, not only by colour
    qtbot.waitUntil(lambda: len(help_events(hall)) == 1, timeout=5000)
    (event,) = help_events(hall)
    assert event["event"] == "help" and event["device"] == "K01" and event["screen"] == "identify"
    click(qtbot, button)  # pressed again: still one call
    qtbot.wait(200)
    qtbot.waitUntil(lambda: rig.services.hall_lane.pending == 0)
    assert len(help_events(hall)) == 1
    rig.kiosk.staff.request()  # staff arrive and open staff mode
    assert not rig.services.alerts.has("help_requested")
    rig.kiosk.staff.leave()
    wait_screen(qtbot, w, "home")
    assert button.text() == "呼叫工作人员"


def test_call_staff_is_on_every_screen(qtbot, make_kiosk, hall):
    from tests.ui.test_kiosk_layout import walk

    w = make_kiosk().window
    for _ in walk(w, hall):
        assert w.help_button.isVisible() and w.help_button.isEnabled(), w.screen_name()
