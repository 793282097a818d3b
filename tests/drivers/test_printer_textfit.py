"""Display widths and line wrapping for the printer's font-A grid."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.printer.textfit import char_width, clean, gbk_safe, text_width, wrap


def test_widths() -> None:
    assert text_width("A012") == 4
    assert text_width("社保") == 4
    assert text_width("：（）") == 6  # fullwidth punctuation: double-byte, two columns
    assert text_width("·") == 2  # ambiguous width, but a GBK double-byte code prints wide
    assert char_width("㐀") == 2 and not gbk_safe("㐀")
    assert not gbk_safe("€") and not gbk_safe("ñ") and gbk_safe("é")


def test_clean_drops_commands_and_keeps_text() -> None:
    assert clean("社保\x1b@卡\r\n") == "社保@卡"
    assert clean("e\u0301") == "é"  # NFC: one character, one GBK code


def test_wrap_examples() -> None:
    assert wrap("社会保障卡申领、补换", 8) == ["社会保障", "卡申领、", "补换"]
    # A closing mark that would open a line pulls the character before it along.
    assert wrap("一二三，四", 6) == ["一二", "三，四"]
    # An opening bracket never ends a line.
    assert wrap("一二（三）", 6) == ["一二", "（三）"]
    assert wrap("please bring the form", 12) == ["please bring", "the form"]
    assert wrap("Supercalifragilistic", 8) == ["Supercal", "ifragili", "stic"]
    assert wrap("1. 居民身份证原件及复印件", 16, indent=3) == ["1. 居民身份证原", "   件及复印件"]
    assert wrap("", 10) == [""]


text_strategy = st.text(
    alphabet=st.sampled_from(list("社会保障卡申领补换窗口abcXYZ019 ，。：（）、-./")), max_size=80
)


@settings(max_examples=300, deadline=None)
@given(text=text_strategy, columns=st.integers(4, 48), indent=st.integers(0, 6))
def test_wrap_fits_and_loses_nothing(text: str, columns: int, indent: int) -> None:
    lines = wrap(text, columns, indent)
    for line in lines:
        assert text_width(line) <= columns, (line, columns)
    rebuilt = "".join(line.strip() for line in lines).replace(" ", "")
    assert rebuilt == clean(text).replace(" ", "")
