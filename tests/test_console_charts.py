"""The Statistics page's SVG charts (kiosk.console.charts): bars proportional to their values,
values and axis labels written, texts escaped, long labels cut, nothing drawn without a value."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from kiosk.console.charts import Series, columns, fit, nice_ticks, number, stacked_bars, text_width

NS = "{http://www.w3.org/2000/svg}"
TWO = [Series("mean", "#111111"), Series("p90", "#222222")]


def bars(svg: str, color: str) -> list[ET.Element]:
    """The bars of one colour in a chart, not its legend's keys (the SVG must be well-formed XML)."""
    root = ET.fromstring(svg)
    return [r for r in root.iter(f"{NS}rect") if r.get("fill") == color and r.get("class") != "key"]


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{NS}text")]


def test_column_heights_are_proportional_to_the_values_on_one_baseline():
    svg = columns(["09:00", "10:00", "11:00"], TWO, [[10, 20], [5, 40], [None, 8]], title="Waits", axis="min",
                  empty_text="none")
    means = bars(svg, "#111111")
    p90s = bars(svg, "#222222")
    assert len(means) == 2 and len(p90s) == 3  # a missing value draws no bar
    heights = [float(r.get("height")) for r in means + p90s]
    unit = heights[0] / 10
    assert [round(h / unit, 6) for h in heights] == [10, 5, 20, 40, 8]
    bottoms = {round(float(r.get("y")) + float(r.get("height")), 3) for r in means + p90s}
    assert len(bottoms) == 1
    shown = texts(svg)
    assert {"09:00", "10:00", "11:00", "min", "mean", "p90", "40", "20"} <= set(shown)


def test_the_value_axis_covers_the_highest_bar_with_round_steps():
    assert nice_ticks(40) == [0, 10, 20, 30, 40]
    assert nice_ticks(43) == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(7.5) == [0, 2, 4, 6, 8]
    assert nice_ticks(0.3)[-1] >= 0.3 and nice_ticks(0) == [0.0, 1.0]


def test_stacked_bars_add_up_left_to_right_with_the_total_at_the_end():
    series = [Series("served", "#0a0a0a"), Series("missed", "#0b0b0b")]
    svg = stacked_bars(["Tax", "Permits"], series, [[30, 10], [15, 0]], title="Tickets", axis="tickets",
                       empty_text="none")
    served, missed = bars(svg, "#0a0a0a"), bars(svg, "#0b0b0b")
    assert len(served) == 2 and len(missed) == 1  # a zero is not drawn
    widths = [float(r.get("width")) for r in (*served, *missed)]
    assert abs(widths[0] / widths[1] - 2) < 1e-3 and abs(widths[0] / widths[2] - 3) < 1e-3
    assert abs(float(missed[0].get("x")) - (float(served[0].get("x")) + widths[0])) < 0.2  # stacked
    shown = texts(svg)
    assert "40" in shown and "15" in shown and "Tax" in shown and "tickets" in shown


def test_texts_are_escaped():
    evil = '<script>alert("x")</script> & co'
    svg = stacked_bars([evil], [Series('a"b<', "#0a0a0a")], [[3]], title=evil, axis="<n>", empty_text="none")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert evil in ET.fromstring(svg).find(f"{NS}title").text  # parses, and reads back as written
    assert columns(["<b>"], TWO, [[1, 2]], title="t", axis="a", empty_text="e").count("<b>") == 0


def test_long_labels_are_cut_and_keep_their_whole_text_in_a_tooltip():
    name = "不动产登记及抵押权设立变更注销一窗受理综合业务（含查封解封）"
    svg = str(stacked_bars([name, "税务"], [Series("n", "#0a0a0a")], [[5], [3]], title="t", axis="a",
                           empty_text="e"))
    assert f"<title>{name}</title>" in svg
    cut = [t for t in texts(svg) if t.startswith("不动产") and t.endswith("…")]
    assert cut and text_width(cut[0].removeprefix(name)) <= 640 * 0.45  # itertext: the tooltip first
    assert fit("short", 100) == "short"


def test_a_long_service_name_of_the_sample_hall_is_drawn_whole():
    """The demo's "Open a Restaurant (one-stop bundle)" was cut at 36 % of the width though the
    bars had room: names may take up to 45 %."""
    name = "Open a Restaurant (one-stop bundle)"
    svg = str(stacked_bars([name, "Invoice Application"], [Series("n", "#0a0a0a")], [[91], [568]], title="t",
                           axis="a", empty_text="e"))
    assert name in texts(svg)


def test_nothing_to_draw_is_a_sentence_not_empty_axes():
    for svg in (columns([], TWO, [], title="t", axis="a", empty_text="No <waits>."),
                columns(["09:00"], TWO, [[None, None]], title="t", axis="a", empty_text="No <waits>."),
                stacked_bars(["Tax"], TWO, [[0, 0]], title="t", axis="a", empty_text="No <waits>.")):
        assert "<svg" not in svg and svg == '<p class="chart-empty">No &lt;waits&gt;.</p>'


def test_numbers_are_whole_or_one_decimal():
    assert number(4.0) == "4" and number(23.33) == "23.3" and number(0.26) == "0.3"
    assert re.fullmatch(r"\d+", number(1200))
