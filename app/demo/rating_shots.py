"""Headless demo of the window's evaluator (``kiosk rate``): ``capture(ctx)`` writes screenshots.

Called by ``app/demo/run.py`` after the scripted day: the pad of window 8 over the demo hall,
offered a ticket that window finished, photographed on each page (idle, levels, reasons,
comment, thanks) at the two evaluator screens, 800×480 and 1280×800, in Chinese and English.
A demo clerk signs in at window 8 first, so the idle page shows their name and 工号 as the
catalog gives them, and their photo: a placeholder portrait (a silhouette on a coloured ground)
painted here and kept in the demo hall's data folder as ``kiosk clerks add --photo`` keeps one. Nothing is rated here: the day's ratings are in summary.json.
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
    _until_idle(app, pad)  # the clerk's photo, fetched on the pad's lane
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


def _until_idle(app, pad: RatingPad, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while pad.lane.pending and time.monotonic() < deadline:
        _settle(app, 0.02)


def portrait_png(width: int = 240, height: int = 300) -> bytes:
    """A placeholder portrait as PNG bytes: a grey silhouette (head and shoulders) on a blue
    ground, painted with QPainter (no picture file in the repository)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#6f9fd8"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#6f9fd8"))
    painter.setBrush(QColor("#e9edf2"))
    painter.drawEllipse(QRectF(width * 0.08, height * 0.62, width * 0.84, height * 0.7))  # shoulders
    painter.drawEllipse(QRectF(width * 0.3, height * 0.16, width * 0.4, height * 0.42))  # head
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def _clerk_photo(engine, code: str) -> str | None:  # noqa: ANN001 - the demo's HallEngine
    """The demo clerk's placeholder photo saved in the hall's data folder; its stored path."""
    from kiosk.clerk_photos import save_photo, stored_name

    if engine.store.path is None:
        return None
    data = portrait_png()
    stored = stored_name(code, data)
    save_photo(engine.store.path.parent, stored, data)
    return stored


def _sign_in_clerk(ctx) -> None:
    """Register the demo's clerk (in an in-process hall) with a photo and sign them in at WINDOW."""
    engine = getattr(ctx, "engine", None)
    if engine is None:
        return
    from kiosk.clerk_models import NewClerk

    code, name, pin = CLERK
    try:
        engine.add_clerk(NewClerk(code=code, name=name, pin=pin, photo=_clerk_photo(engine, code)), actor="demo")
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
