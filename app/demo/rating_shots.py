"""Headless demo of the window's evaluator (``kiosk rate``): ``capture(ctx)`` writes screenshots.

Called by ``app/demo/run.py`` after the scripted day: the pad of window 8 over the demo hall,
offered a ticket that window finished, photographed on each page (idle, levels, reasons,
comment, thanks) at the two evaluator screens, 800×480 and 1280×800, in Chinese and English.
A demo clerk signs in at window 8 first, so the idle page shows their name and 工号 as the
catalog gives them. Nothing is rated here: the day's ratings are in summary.json.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.domain import HallError
from ui.rating.pad import RatingPad

SIZES = ((800, 480), (1280, 800))
WINDOW = 8
CLERK = ("0815", "李华", "135790")  # 工号, name, PIN of the demo's clerk at WINDOW


def _settle(app, seconds: float = 0.05) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def _finished_ticket(ctx) -> dict:
    """A ticket window 8 finished in the scripted day (or any finished one)."""
    done = [t for t in ctx.hall.tickets(state="done")]
    ticket = next((t for t in done if t.window == WINDOW), done[0] if done else None)
    if ticket is None:
        return {"id": "demo", "number": "T001", "service": "TX01", "window": WINDOW, "state": "done"}
    return ticket.model_dump(mode="json")


def capture(ctx) -> None:
    """``rate-<page>-<lang>-<w>x<h>.png`` for every page, language and size."""
    app = ctx.app or QApplication.instance()
    out = Path(ctx.out) / "rating"
    out.mkdir(parents=True, exist_ok=True)
    _sign_in_clerk(ctx)
    pad = RatingPad(ctx.hall, WINDOW, idle_s=600, thanks_s=600)
    pad.set_catalog(ctx.hall.catalog())  # with the clerk signed in at the window
    ticket = _finished_ticket(ctx)
    pad.show()
    try:
        for width, height in SIZES:
            pad.resize(width, height)
            for lang in ("zh", "en"):
                pad.set_language(lang)
                _pages(app, pad, ticket, out, ctx, f"{lang}-{width}x{height}")
    finally:
        pad.timer.stop()
        pad.close()
        pad.deleteLater()


def _sign_in_clerk(ctx) -> None:
    """Register the demo's clerk (in an in-process hall) and sign them in at WINDOW."""
    engine = getattr(ctx, "engine", None)
    if engine is None:
        return
    from kiosk.clerk_models import NewClerk

    code, name, pin = CLERK
    try:
        engine.add_clerk(NewClerk(code=code, name=name, pin=pin), actor="demo")
    except HallError:
        pass  # registered by an earlier run on the same data
    try:
        ctx.hall.sign_in(WINDOW, code, pin, actor="demo")
        ctx.note("rating/clerk", f"clerk {code} {name} signed in at window {WINDOW}")
    except HallError as exc:
        ctx.note("rating/clerk", f"the demo clerk could not sign in: {exc.detail}")


def _pages(app, pad: RatingPad, ticket: dict, out: Path, ctx, suffix: str) -> None:
    pad.to_idle()
    pad.retranslate()
    _shot(app, pad, out, ctx, f"rate-idle-{suffix}.png")
    pad.offer(ticket)
    _shot(app, pad, out, ctx, f"rate-levels-{suffix}.png")
    pad.level = 2
    pad.show_page("reasons")
    for code in list(pad.reason_buttons)[:2]:
        pad.reason_buttons[code].setChecked(True)
    _shot(app, pad, out, ctx, f"rate-reasons-{suffix}.png")
    pad.comment.setText("WAITED 40 MIN")
    pad.show_page("comment")
    _shot(app, pad, out, ctx, f"rate-comment-{suffix}.png")
    pad.show_thanks("thanks")
    _shot(app, pad, out, ctx, f"rate-thanks-{suffix}.png")


def _shot(app, pad: RatingPad, out: Path, ctx, name: str) -> None:
    _settle(app)
    pad.grab().save(str(out / name))
    ctx.note(f"rating/{name}", f"evaluator demo: {name[:-4]}")
