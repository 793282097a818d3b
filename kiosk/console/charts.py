"""Small charts drawn on the server as inline SVG for the console's Statistics page (no chart
library: a hall PC gets a few kilobytes of markup and nothing to run).

Two shapes cover the page: ``columns`` (vertical bars, several series side by side per category:
waits by hour) and ``stacked_bars`` (horizontal bars, series stacked: tickets by service,
windows' load, ratings by level). Every text is escaped; nothing with no value is drawn as
empty axes — the caller's sentence says the period is empty instead. Qt-free.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = 12
"""Text size in the SVG's own units; the charts are drawn 1:1 at the page's usual width."""
SMALL = 11


@dataclass(frozen=True)
class Series:
    """One kind of value in a chart: its name (for the legend) and its colour."""

    name: str
    color: str


def number(value: float) -> str:
    """A value as the charts print it: whole numbers plain, others with one decimal."""
    return str(int(round(value))) if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def text_width(text: str, size: float = FONT) -> float:
    """About how wide ``text`` is drawn: CJK characters are square, others about half as wide."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.58 for ch in text)


def fit(text: str, width: float, size: float = FONT) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` (its whole is in a tooltip)."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round axis values from 0 covering ``top``: steps of 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def empty(sentence: str) -> Markup:
    """What stands in for a chart without a value: a plain sentence."""
    return Markup('<p class="chart-empty">{}</p>').format(sentence)


def _svg(width: float, height: float, title: str, body: list[str]) -> Markup:
    head = (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(title)}" '
            f'font-size="{FONT}"><title>{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = FONT, cls: str = "",
          full: str | None = None) -> str:
    klass = f' class="{cls}"' if cls else ""
    tip = f"<title>{escape(full)}</title>" if full and full != text else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{klass}>'
            f"{tip}{escape(text)}</text>")


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for s in series:
        parts.append(f'<rect class="key" x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{escape(s.color)}"/>')
        parts.append(_text(x + 14, y, s.name, size=SMALL))
        x += 14 + text_width(s.name, SMALL) + 16
    return parts


def _has_values(values: Sequence[Sequence[float | None]]) -> bool:
    return any(v for row in values for v in row)


def columns(categories: Sequence[str], series: Sequence[Series], values: Sequence[Sequence[float | None]], *,
            title: str, axis: str, empty_text: str, width: float = 640, height: float = 250,
            fmt: Callable[[float], str] = number) -> Markup:
    """Vertical bars: for each category (an hour) one bar per series side by side, its value
    above it; a value axis on the left captioned ``axis``. ``values[i][j]`` is series ``j`` of
    category ``i`` (None: none)."""
    if not categories or not _has_values(values):
        return empty(empty_text)
    left, right, top, bottom = 44, 8, 34, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max(v or 0 for row in values for v in row))
    scale = plot_h / ticks[-1]
    body = _legend(series, left, 14)
    body.append(_text(left - 6, top - 10, axis, anchor="end", size=SMALL, cls="axis"))
    for tick in ticks:
        y = top + plot_h - tick * scale
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        body.append(_text(left - 6, y + 4, fmt(tick), anchor="end", size=SMALL, cls="axis"))
    slot = plot_w / len(categories)
    bar = min(28.0, slot * 0.8 / len(series))
    for i, (category, row) in enumerate(zip(categories, values, strict=True)):
        x0 = left + i * slot + (slot - bar * len(series)) / 2
        for j, value in enumerate(row):
            if value is None:
                continue
            h, x = value * scale, x0 + j * bar
            body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" '
                        f'fill="{escape(series[j].color)}"><title>{escape(category)} · {escape(series[j].name)}: '
                        f'{escape(fmt(value))}</title></rect>')
            label = fmt(value)
            if text_width(label, SMALL - 1) <= bar + 4:
                body.append(_text(x + bar / 2, top + plot_h - h - 3, label, anchor="middle", size=SMALL - 1,
                                  cls="value"))
        body.append(_text(left + i * slot + slot / 2, height - bottom + 16, fit(category, slot, SMALL),
                          anchor="middle", size=SMALL, full=category))
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" class="base"/>')
    return _svg(width, height, title, body)


def stacked_bars(labels: Sequence[str], series: Sequence[Series], values: Sequence[Sequence[float]], *,
                 title: str, axis: str, empty_text: str, width: float = 640, row: float = 24,
                 fmt: Callable[[float], str] = number, legend: bool = True) -> Markup:
    """Horizontal bars, one per label (a service, a window), the series stacked left to right,
    the total at the bar's end; a value axis below captioned ``axis``."""
    if not labels or not _has_values(values):
        return empty(empty_text)
    # Names take up to 45 % of the width: a long service name whole beats a longer bar.
    label_w = min(width * 0.45, max(text_width(label) for label in labels) + 8)
    totals = [sum(v or 0 for v in r) for r in values]
    value_w = max(text_width(fmt(t), SMALL) for t in totals) + 8
    left, right, top = label_w + 6, value_w + 4, 26 if legend else 8
    plot_w = width - left - right
    ticks = nice_ticks(max(totals))
    scale = plot_w / ticks[-1]
    height = top + row * len(labels) + 36
    body = _legend(series, 4, 14) if legend else []
    bottom = top + row * len(labels)
    for tick in ticks:
        x = left + tick * scale
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" class="grid"/>')
        body.append(_text(x, bottom + 14, fmt(tick), anchor="middle", size=SMALL, cls="axis"))
    body.append(_text(left + plot_w, bottom + 30, axis, anchor="end", size=SMALL, cls="axis"))
    for i, (label, parts) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        body.append(_text(label_w, y + row / 2 + 4, fit(label, label_w), anchor="end", full=label))
        x = left
        for j, value in enumerate(parts):
            if not value:
                continue
            w = value * scale
            body.append(f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="{w:.1f}" height="{row - 8:.1f}" '
                        f'fill="{escape(series[j].color)}"><title>{escape(label)} · {escape(series[j].name)}: '
                        f'{escape(fmt(value))}</title></rect>')
            x += w
        body.append(_text(x + 4, y + row / 2 + 4, fmt(totals[i]), size=SMALL, cls="value"))
    body.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}" class="base"/>')
    return _svg(width, height, title, body)
