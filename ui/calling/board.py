"""Where things go on the hall's LED board, at whatever grid the screen gives it.

The board is laid out in dots on a :class:`~ui.calling.led.LedMatrix` from a
:class:`~ui.calling.model.BoardModel`: the hall's name and the clock on top, the latest call
large, a table of recent calls (号码 / 窗口 / 业务) and one of waiting counts (the service's
letter as a badge, its name, how many wait), the hall's notice at the bottom. While kiosks call
for staff, a line each (``求助`` badge, ``K01号自助机 请求协助``) sits under the latest call, taking
its rows from the tables, never from the call. A wide board puts
the two tables side by side, sharing out the room their names get; a narrow or portrait one
stacks them. Texts wider than their cell scroll through it (a marquee) instead of being cut;
nothing is shortened by characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.models import Call
from ui.calling.led import LedMatrix, LedText, text_dots
from ui.calling.ledtable import (
    GAP,
    HEAD_GAP,
    LINE,
    ROW,
    Box,
    Cell,
    Column,
    fixed_width,
    lay_table,
    table_capacity,
    widest,
)
from ui.calling.model import BoardModel
from ui.calling.words import call_lines, call_place, help_lines, people, word

BOARD_GRID = (384, 216)  # the fewest dots the board is laid out for (1080p: 5-pixel dots)
MARGIN = 2  # dots left dark at the board's left and right edges
SIDE_BY_SIDE_COLS = 300  # boards at least this wide (and landscape) put the tables side by side
MIN_WAITING_ROWS = 4  # rows a stacked waiting table gets at least
WAITING_PAGE_SECONDS = 8
HELP_LINES = 2  # lines for kiosks' calls for staff (more kiosks share the last one)


@dataclass(frozen=True)
class Regions:
    """The board's parts for a grid."""

    big: Box
    recent: Box
    waiting: Box
    notice_y: int
    help: Box | None = None


def regions(cols: int, rows: int, recent_wanted: int, fixed: tuple[int, int] = (0, 0),
            help_rows: int = 0) -> Regions:
    """Split a ``cols`` × ``rows`` board. The latest call gets what the tables leave, within
    bounds; side by side, each table gets its ``fixed`` columns and half the room left.
    ``help_rows`` lines for calls for staff go under the latest call, taken from the tables."""
    table = LINE + HEAD_GAP + ROW * recent_wanted
    side = cols >= SIDE_BY_SIDE_COLS and cols >= rows
    body_need = table if side else table + GAP + LINE + HEAD_GAP + ROW * MIN_WAITING_ROWS
    notice_y = rows - LINE
    big_h = max(2 * LINE + 2, min(rows // (4 if side else 5), notice_y - HEAD_GAP - LINE - body_need))
    inner = cols - 2 * MARGIN
    big = Box(MARGIN, LINE, inner, big_h)
    help_box = Box(MARGIN, LINE + big_h, inner, LINE * help_rows) if help_rows else None
    top = LINE + big_h + (LINE * help_rows + HEAD_GAP if help_rows else 0)
    body_h = notice_y - HEAD_GAP - top
    if side:
        # The names of both tables get the same room (the waiting names lose a gap to the count).
        left = fixed[0] + (inner - GAP - fixed[0] - fixed[1] - GAP) // 2
        return Regions(big, Box(MARGIN, top, left, body_h),
                       Box(MARGIN + left + GAP, top, inner - left - GAP, body_h), notice_y, help_box)
    recent_h = min(table, max(LINE + HEAD_GAP, body_h - GAP - LINE - HEAD_GAP - ROW * MIN_WAITING_ROWS))
    return Regions(big, Box(MARGIN, top, inner, recent_h),
                   Box(MARGIN, top + recent_h + GAP, inner, body_h - recent_h - GAP), notice_y, help_box)


def lay_out_board(matrix: LedMatrix, model: BoardModel, now: datetime, *, linked: bool = True,
                  lang: str = "zh", helping: list[str] | None = None) -> None:
    """The hall's main board: header, latest call, the kiosks calling for staff (``helping``,
    their ids, oldest first), recent calls, waiting counts, notice."""
    cols, rows = matrix.cols, matrix.rows
    recent_columns, recent_rows = _recent(model, lang)
    waiting_columns, waiting_rows = _waiting(model, lang)
    lines = help_lines(helping or [], lang, HELP_LINES)
    parts = regions(cols, rows, model.recent_limit,
                    (fixed_width(recent_columns), fixed_width(waiting_columns)), len(lines))
    _header(matrix, model, now, linked, lang)
    _latest(matrix, model.latest, parts.big, lang)
    _help(matrix, lines, parts.help, lang)
    lay_table(matrix, "recent", parts.recent, recent_columns, recent_rows)
    lay_table(matrix, "waiting", parts.waiting, waiting_columns,
              _page(waiting_rows, table_capacity(parts.waiting), now))
    notice = model.notice(lang)
    matrix.set_item("notice", LedText(notice, MARGIN, parts.notice_y, "amber", width=cols - 2 * MARGIN,
                                      scroll=True) if notice else None)


def _header(matrix: LedMatrix, model: BoardModel, now: datetime, linked: bool, lang: str) -> None:
    """The hall's name (scrolling when long), the link state and the clock."""
    clock = now.strftime("%H:%M:%S")
    right = matrix.cols - MARGIN - text_dots(clock)
    matrix.set_item("clock", LedText(clock, right, 0, "green", width=text_dots(clock)))
    link = None if linked else word("reconnecting", lang)
    if link is not None:
        right -= text_dots(link) + GAP
        matrix.set_item("link", LedText(link, right, 0, "amber", width=text_dots(link)))
    else:
        matrix.set_item("link", None)
    matrix.set_item("hall", LedText(model.hall_name(lang), MARGIN, 0, "amber",
                                    width=max(0, right - GAP - MARGIN), scroll=True))


def _latest(matrix: LedMatrix, call: Call | None, box: Box, lang: str) -> None:
    """The newest call, as large as it fits in ``box`` on one line or two."""
    if call is None:
        matrix.clear("latest.")
        return
    lines, scale = latest_form(call, box, lang)
    top = box.y + (box.h - LINE * scale * len(lines)) // 2
    matrix.replace("latest.", {f"latest.{i}": LedText(
        line, box.x, top + i * LINE * scale, "red", scale=scale, width=box.w, align="center",
        blink=True, scroll=True) for i, line in enumerate(lines)})


def _help(matrix: LedMatrix, lines: list[str], box: Box | None, lang: str) -> None:
    """A line per kiosk calling for staff: a red ``求助`` badge, then who calls (scrolling when
    longer than the board)."""
    if box is None:
        matrix.clear("help.")
        return
    badge = word("help", lang)
    badge_w = text_dots(badge, badged=True)
    items = {}
    for i, line in enumerate(lines):
        y = box.y + i * LINE
        items[f"help.{i}.badge"] = LedText(badge, box.x, y, "red", width=badge_w, badge=True)
        items[f"help.{i}.text"] = LedText(line, box.x + badge_w + GAP // 2, y, "red",
                                          width=box.w - badge_w - GAP // 2, scroll=True)
    matrix.replace("help.", items)


def latest_form(call: Call, box: Box, lang: str) -> tuple[tuple[str, ...], int]:
    """The lines and scale the latest call is shown at: the largest scale at which it fits,
    one line before two."""
    one, two = call_lines(call, lang)
    for scale in (3, 2):
        for lines in (one, two):
            if LINE * scale * len(lines) <= box.h and widest(list(lines)) * scale <= box.w:
                return lines, scale
    return (two if widest(list(one)) > box.w else one), 1


def _recent(model: BoardModel, lang: str) -> tuple[list[Column], list[list[Cell]]]:
    """Recent calls, newest first: number (red), window or desk (green), service (amber)."""
    calls = list(reversed(model.recent))
    places = [call_place(c, lang) for c in calls]
    number, window = word("number", lang), word("window", lang)
    columns = [
        Column("number", number, max(widest([number]), widest([c.number for c in calls])) + GAP),
        Column("window", window, max(widest([window]), widest(places)) + GAP),
        Column("service", word("service", lang), None, scroll=True),
    ]
    rows = [[Cell(c.number, "red"), Cell(place, "green"), Cell(model.service_name(c.service, lang), "amber")]
            for c, place in zip(calls, places, strict=True)]
    return columns, rows


def _waiting(model: BoardModel, lang: str) -> tuple[list[Column], list[list[Cell]]]:
    """Waiting counts per service: letter badge, name, count."""
    services = model.waiting_rows(lang)
    counts = [people(n, lang) for _, _, n in services]
    columns = [
        Column("badge", "", widest([p for p, _, _ in services], badged=True) + GAP // 2, gap=GAP // 2),
        Column("name", word("service", lang), None, scroll=True),
        Column("count", word("waiting", lang), widest(counts + [people(99, lang)]), align="right"),
    ]
    rows = [[Cell(prefix, "amber", badge=True), Cell(name, "amber"), Cell(count, "green")]
            for (prefix, name, _), count in zip(services, counts, strict=True)]
    return columns, rows


def _page(rows: list, capacity: int, now: datetime) -> list:
    """The page of ``rows`` shown now: pages turn every few seconds and are of even length
    (6 + 5 rows, not 8 + 3)."""
    pages = max(1, -(-len(rows) // max(1, capacity)))
    per_page = max(1, -(-len(rows) // pages))
    page = int(now.timestamp() // WAITING_PAGE_SECONDS) % pages
    return rows[page * per_page:(page + 1) * per_page]
