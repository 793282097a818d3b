"""The chart of estimate against actual wait (``kiosk simulate --out``, the demo): an SVG scatter,
one dot per called ticket, per estimator, with the line of a perfect estimate and the band of
the target (±20 %, or ±3 minutes for short waits). No chart library; every text is escaped."""

from __future__ import annotations

from html import escape

from kiosk.simulate import TARGET_MIN, TARGET_PCT, Sample

COLORS = {"today": "#c0392b", "blend": "#1f6fb2", "recent": "#27ae60", "erlang": "#8e44ad",
          "drain": "#d68910", "pool": "#566573"}
SIZE, PAD = 420, 48
MAX_DOTS = 1500
"""Dots drawn per estimator at most (every n-th sample): the file stays a few hundred kilobytes."""


def estimate_chart(samples: list[Sample], estimators: tuple[str, ...] = ("today", "blend"),
                   title: str = "Estimate vs actual wait (minutes)") -> str:
    """The SVG text: actual wait across, estimate up, one colour per estimator."""
    called = [s for s in samples if s.wait_s is not None]
    top = max([s.wait_s / 60 for s in called] + [10.0])
    top = min(top, 120.0)
    scale = (SIZE - 2 * PAD) / top

    def x(v: float) -> float:
        return PAD + min(v, top) * scale

    def y(v: float) -> float:
        return SIZE - PAD - min(v, top) * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
             f'viewBox="0 0 {SIZE} {SIZE}" font-family="sans-serif" font-size="11">',
             f'<rect width="{SIZE}" height="{SIZE}" fill="white"/>',
             f'<text x="{SIZE / 2}" y="20" text-anchor="middle" font-size="13">{escape(title)}</text>']
    steps = [top * i / 40 for i in range(41)]  # the band's edges bend at 15 min: drawn in steps
    band = [(x(v), y(max(v * (1 + TARGET_PCT / 100), v + TARGET_MIN))) for v in steps]
    band += [(x(v), y(max(min(v * (1 - TARGET_PCT / 100), v - TARGET_MIN), 0))) for v in reversed(steps)]
    parts.append('<polygon fill="#eaf2e3" points="' + " ".join(f"{a:.1f},{b:.1f}" for a, b in band) + '"/>')
    parts.append(f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(top)}" y2="{y(top)}" stroke="#888" stroke-dasharray="4 3"/>')
    parts += _axes(top, x, y)
    for i, name in enumerate(estimators):
        dots = [s for s in called if s.estimates.get(name) is not None]
        step = max(1, len(dots) // MAX_DOTS)
        color = COLORS.get(name, "#333")
        parts += [f'<circle cx="{x(s.wait_s / 60):.1f}" cy="{y(s.estimates[name].minutes):.1f}" r="1.8" '
                  f'fill="{color}" fill-opacity="0.45"/>' for s in dots[::step]]
        parts.append(f'<rect x="{PAD + 8}" y="{PAD - 4 + i * 16}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{PAD + 22}" y="{PAD + 5 + i * 16}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _axes(top: float, x, y) -> list[str]:  # noqa: ANN001 - the chart's scales
    step = 5 if top <= 40 else 10 if top <= 80 else 20
    out = [f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(top)}" y2="{y(0)}" stroke="#333"/>',
           f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(0)}" y2="{y(top)}" stroke="#333"/>',
           f'<text x="{SIZE / 2}" y="{SIZE - 10}" text-anchor="middle">actual wait</text>',
           f'<text x="14" y="{SIZE / 2}" text-anchor="middle" transform="rotate(-90 14 {SIZE / 2})">estimate</text>']
    value = 0
    while value <= top:
        out.append(f'<text x="{x(value):.1f}" y="{y(0) + 14:.1f}" text-anchor="middle">{value}</text>')
        out.append(f'<text x="{x(0) - 6:.1f}" y="{y(value) + 4:.1f}" text-anchor="end">{value}</text>')
        value += step
    return out
