# ruff: noqa: F401, F811  (pytest fixtures imported from test_kiosk_fixtures, used as arguments)
"""The touch screen and the hall's sealing key (DESIGN.md §4): a kiosk that has never reached
the hall server cannot use ID cards, so an ID-required service says why and issues nothing;
once the hall has answered, the same card takes its ticket, sealed."""

from __future__ import annotations

from kiosk.server import create_app
from tests.conftest import LiveServer, free_port
from tests.ui.test_kiosk_fixtures import click, hall, make_kiosk, qm_dir, to_identify, wait_screen


def test_a_kiosk_that_never_reached_the_hall_refuses_cards_then_uses_them(qtbot, make_kiosk, hall):
    port = free_port()
    rig = make_kiosk(server=f"http://127.0.0.1:{port}",
                     file_options={"token": "dev-kiosk", "timeout_s": 0.5}, retry_ms=300)
    terminal, w = rig.kiosk.terminal, rig.window
    terminal.link.retry_after = 0.2
    assert terminal.seal_key is None  # the hall file's catalog carries no key
    to_identify(qtbot, w, "SS01")
    rig.card()
    wait_screen(qtbot, w, "unavailable")
    assert "cannot use ID cards" in str(w.screens["error"].error)
    assert terminal.outbox_length() == 0 and hall.tickets() == []  # nothing issued, not even offline
    live = LiveServer(create_app(hall.engine, dev=True), port=port).start()
    try:
        qtbot.waitUntil(lambda: terminal.seal_key is not None, timeout=10_000)  # the kiosk's catalog refresh
        click(qtbot, w.screens["error"].retry)  # the card is still in the visit: sealed now
        wait_screen(qtbot, w, "done")
        ticket = w.screens["done"].outcome.ticket
        assert hall.ticket(ticket.id).id_mask == "31**************16"
    finally:
        live.stop()
