"""Tables of text runs on an LED board: headings over rows, in columns of dots.

A column is as wide as its widest text needs (numbers, window names, badges: never cut) or takes
the room left (names: they scroll through their cell when longer). Headings sit over their
column; a right-aligned heading may reach left over the empty end of the heading before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ui.calling.led import LedMatrix, LedText, text_dots

LINE = 16  # one line of text, in dots
ROW = 16  # pitch of table rows
GAP = 10  # dark dots between table columns
HEAD_GAP = 2  # between a table's headings and its first row
HEAD_COLOR = "green"


@dataclass(frozen=True)
class Box:
    """A rectangle of the board, in dots."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Cell:
    """One table cell: text, colour, and whether it is drawn as a badge."""

    text: str
    color: str
    badge: bool = False


@dataclass(frozen=True)
class Column:
    """A table column: its key (run names), heading, width in dots (None: the room left),
    alignment, and whether its texts scroll when too long (names; never numbers or badges,
    which get the width they need). An empty heading is covered by the next column's."""

    key: str
    heading: str
    width: int | None
    align: str = "left"
    scroll: bool = False
    gap: int = GAP  # dark dots after the column, part of its width (none after the last)


def widest(texts: list[str], *, badged: bool = False) -> int:
    """Width in dots of the widest of ``texts`` (0 for none)."""
    return max((text_dots(t, badged=badged) for t in texts), default=0)


def fixed_width(columns: list[Column]) -> int:
    """Dots the fixed-width columns take."""
    return sum(c.width for c in columns if c.width is not None)


def table_capacity(box: Box) -> int:
    """Rows of a table that fit in ``box`` under its headings."""
    return max(0, (box.h - LINE - HEAD_GAP) // ROW)


def lay_table(matrix: LedMatrix, name: str, box: Box, columns: list[Column],
              rows: list[list[Cell]]) -> None:
    """Headings and rows of a table in ``box``; runs are ``name.head.KEY`` and ``name.I.KEY``.
    Only the rows that fit are shown."""
    rest = max(0, box.w - fixed_width(columns))
    widths = [c.width if c.width is not None else rest for c in columns]
    xs = [box.x + sum(widths[:i]) for i in range(len(columns))]
    inner = [w - (c.gap if i < len(columns) - 1 else 0) for i, (c, w) in enumerate(zip(columns, widths, strict=True))]
    items = _headings(name, columns, xs, inner, box)
    for r, row in enumerate(rows[:table_capacity(box)]):
        y = box.y + LINE + HEAD_GAP + r * ROW
        for i, (column, cell) in enumerate(zip(columns, row, strict=True)):
            items[f"{name}.{r}.{column.key}"] = LedText(
                cell.text, xs[i], y, cell.color, width=inner[i], align=column.align,
                scroll=column.scroll, badge=cell.badge)
    matrix.replace(f"{name}.", items)


def _headings(name: str, columns: list[Column], xs: list[int], inner: list[int], box: Box) -> dict:
    items: dict[str, LedText] = {}
    reach = box.x  # where the previous heading's text ends
    for i, column in enumerate(columns):
        if not column.heading:
            continue
        start = i
        while start > 0 and not columns[start - 1].heading:
            start -= 1
        left, right = xs[start], xs[i] + inner[i]
        wide = text_dots(column.heading)
        if column.align == "right":
            left = min(left, max(reach + GAP, right - wide))
        else:
            right = min(right, left + wide)  # the heading's box is its text: others may come close
        items[f"{name}.head.{column.key}"] = LedText(column.heading, left, box.y, HEAD_COLOR,
                                                     width=right - left, align=column.align)
        reach = right
    return items
