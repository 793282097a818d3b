"""One window's LED screen (``kiosk display --window N``): its name, its current number as
large as the screen allows, and what to do (``请到本窗口办理``, ``请到本咨询台办理`` at a desk).
While kiosks call for staff, a guide desk's screen says so (``K01号自助机 请求协助``, in red)
where the hint was; the number keeps its place.

Where the screen is too narrow for the name or the hint on one line (a portrait screen), they
wrap onto more lines if the number keeps room enough, else they scroll.
"""

from __future__ import annotations

from ui.calling.led import LedMatrix, LedText, text_dots
from ui.calling.ledfont import wrap
from ui.calling.ledtable import LINE
from ui.calling.model import BoardModel
from ui.calling.words import clerk_line, help_lines, word

WINDOW_GRID = (128, 72)  # the fewest dots a window's screen is laid out for (1080p: 15 px)
LINK_MARK = "·"
MAX_LINES = 3  # of the name or the hint, when they wrap
HELP_LINES = 2  # kiosks calling for staff (more share the last line)


def lay_out_window(matrix: LedMatrix, model: BoardModel, window: int, *, linked: bool = True,
                   lang: str = "zh", helping: list[str] | None = None) -> None:
    """One window's screen: its name, its current number, and what to do, or which kiosks
    call for staff (``helping``, oldest first: the caller passes them to a desk only)."""
    cols, rows = matrix.cols, matrix.rows
    mark_w = 0 if linked else text_dots(LINK_MARK)
    latest = None if window in model.paused_windows else model.latest
    if window in model.paused_windows:
        hint = word("paused", lang)
    elif latest is None:
        hint = word("welcome", lang)
    else:
        hint = word("come.desk" if model.window_kind(window) == "desk" else "come", lang)
    number_scale = 1 if latest is None else max(1, cols // max(1, text_dots(latest.number)))
    clerk = model.clerks.get(window)
    below_texts = help_lines(helping or [], lang, HELP_LINES) or _with_clerk(
        hint, clerk_line(clerk, lang) if clerk else "", rows, number_scale, idle=latest is None)
    title, below = _fitted(model.window_name(window, lang), below_texts, cols - mark_w, rows, number_scale)
    _lines(matrix, "window", title, 0, cols - mark_w, "amber")
    matrix.set_item("link", None if linked else LedText(LINK_MARK, cols - mark_w, 0, "amber", width=mark_w))
    hint_y = rows - LINE * len(below)
    shown, gone = ("help", "hint") if helping else ("hint", "help")
    matrix.clear(gone)
    _lines(matrix, shown, below, hint_y, cols, "red" if helping else "green")
    top = LINE * len(title)
    matrix.set_item("latest", None if latest is None else _number(latest.number, cols, top, hint_y))


def _with_clerk(hint: str, clerk: str, rows: int, number_scale: int, *, idle: bool) -> list[str]:
    """The texts below the number: the hint, and the signed-in clerk on a line of their own
    where the number keeps its size; else the clerk takes the welcome's place while the window
    is idle, and shares the hint's line (scrolling) while a number is called."""
    if not clerk:
        return [hint]
    if rows - LINE * 3 >= LINE * min(2, number_scale) + 2:  # name, hint and clerk: one line each
        return [hint, clerk]
    return [clerk] if idle else [f"{hint}  {clerk}"]


def _fitted(name: str, texts: list[str], width: int, rows: int,
            number_scale: int) -> tuple[list[str], list[str]]:
    """The name's lines and those of the texts below the number (the hint, or the calls for
    staff): wrapped where that takes at most ``MAX_LINES`` each and leaves the number room for
    its size (up to twice the font), else one line each (they scroll); the name still wraps
    when only the texts below cannot."""
    title = wrap(name, width) or []
    wrapped = [wrap(text, width) for text in texts]
    below = [line for lines in wrapped for line in lines or []] if all(wrapped) else []
    need = LINE * min(2, number_scale) + 2
    for top, bottom in ((title, below), (title, list(texts))):
        if 0 < len(top) <= MAX_LINES and 0 < len(bottom) <= MAX_LINES \
                and rows - LINE * (len(top) + len(bottom)) >= need:
            return top, bottom
    return [name], list(texts)


def _lines(matrix: LedMatrix, name: str, lines: list[str], y: int, width: int, color: str) -> None:
    """Centred lines from ``y`` down, runs ``name``, ``name.1``…; a line too wide scrolls."""
    items = {name if i == 0 else f"{name}.{i}": LedText(line, 0, y + i * LINE, color, width=width,
                                                        align="center", scroll=True)
             for i, line in enumerate(lines)}
    matrix.replace(f"{name}.", {k: v for k, v in items.items() if k != name})
    matrix.set_item(name, items[name])


def _number(number: str, cols: int, top: int, bottom: int) -> LedText:
    """The current number, as large as fits between the name and the hint, centred."""
    room = bottom - top - 2
    scale = max(1, min(room // LINE, cols // max(1, text_dots(number))))
    y = top + 1 + (room - LINE * scale) // 2
    return LedText(number, 0, y, "red", scale=scale, width=cols, align="center", blink=True, scroll=True)
