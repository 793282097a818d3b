"""Where things go on the LED board: the hall's main board and one window's screen.

Both lay :class:`~ui.calling.led.LedText` runs on a :class:`~ui.calling.led.LedMatrix` from a
:class:`~ui.calling.model.BoardModel`. Coordinates are in dots; the grids are 16:9 so that a
full-HD screen shows whole dots (384 × 216 dots of 5 px, 128 × 72 dots of 15 px).
"""

from __future__ import annotations

from datetime import datetime

from kiosk.models import Call
from ui.calling.led import LedMatrix, LedText
from ui.calling.model import BoardModel

BOARD_GRID = (384, 216)
WINDOW_GRID = (128, 72)
RECENT_COLS, RECENT_ROWS, CELL = 3, 4, 128
WAITING_PAGE_SECONDS = 8


def big_call_text(call: Call) -> str:
    """The latest call as the board shows it large: ``请A012号到3号窗口``."""
    return f"请{call.number}号到{call.window}号窗口"


def lay_out_board(matrix: LedMatrix, model: BoardModel, now: datetime, *, linked: bool = True) -> None:
    """The hall's main board: header, latest call, recent calls, waiting counts, notice."""
    cols = matrix.cols
    matrix.set_item("hall", LedText(model.hall_name(), 2, 0, "amber", width=cols - 110))
    matrix.set_item("link", None if linked else LedText("重连中", cols - 120, 0, "amber", width=50))
    matrix.set_item("clock", LedText(now.strftime("%H:%M:%S"), cols - 68, 0, "green", width=66,
                                     align="right"))
    latest = model.latest
    matrix.set_item("latest", None if latest is None else LedText(
        big_call_text(latest), 0, 20, "red", scale=2, width=cols, align="center", blink=True))
    _recent(matrix, model)
    _waiting(matrix, model, now)
    notice = model.notice()
    matrix.set_item("notice", LedText(notice, 0, 198, "amber", width=cols, scroll=True)
                    if notice else None)


def _recent(matrix: LedMatrix, model: BoardModel) -> None:
    """Recent calls, newest first, in columns of number (red) and window (green)."""
    matrix.clear("recent.")
    newest_first = list(reversed(model.recent))[:RECENT_COLS * RECENT_ROWS]
    for i, call in enumerate(newest_first):
        row, col = divmod(i, RECENT_COLS)
        x, y = col * CELL + 4, 58 + row * 16
        matrix.set_item(f"recent.{i}.number", LedText(call.number, x, y, "red", width=44))
        matrix.set_item(f"recent.{i}.window", LedText(f"{call.window}号窗口", x + 44, y, "green",
                                                      width=CELL - 50))


def _waiting(matrix: LedMatrix, model: BoardModel, now: datetime) -> None:
    """Waiting counts per service, a page of twelve at a time."""
    matrix.clear("waiting.")
    rows = model.waiting_rows()
    per_page = RECENT_COLS * RECENT_ROWS
    pages = max(1, -(-len(rows) // per_page))
    page = int(now.timestamp() // WAITING_PAGE_SECONDS) % pages
    for i, (prefix, name, waiting) in enumerate(rows[page * per_page:(page + 1) * per_page]):
        row, col = divmod(i, RECENT_COLS)
        x, y = col * CELL + 4, 128 + row * 16
        matrix.set_item(f"waiting.{i}.name", LedText(f"{prefix}{name[:4]}", x, y, "amber", width=84))
        matrix.set_item(f"waiting.{i}.count", LedText(f"{waiting}人", x + 84, y, "green",
                                                      width=CELL - 92, align="right"))


def lay_out_window(matrix: LedMatrix, model: BoardModel, window: int, *, linked: bool = True) -> None:
    """One window's screen: its name, its current number, and what to do."""
    cols = matrix.cols
    name = model.window_name(window)
    wide = matrix.text_width(name) > cols
    matrix.set_item("window", LedText(name, 0, 0, "amber", width=cols, align="center", scroll=wide))
    matrix.set_item("link", None if linked else LedText("·", cols - 8, 0, "amber", width=8))
    latest = model.latest
    if window in model.paused_windows:
        matrix.set_item("latest", None)
        matrix.set_item("hint", LedText("暂停服务", 0, 40, "green", width=cols, align="center"))
        return
    matrix.set_item("latest", None if latest is None else LedText(
        latest.number, 0, 18, "red", scale=2, width=cols, align="center", blink=True))
    matrix.set_item("hint", LedText("请到本窗口办理" if latest else "欢迎光临", 0, 54, "green",
                                    width=cols, align="center"))
