"""Rendered tickets, checked by decoding the bytes with the tests' own ESC/POS decoder."""

from __future__ import annotations

import unicodedata

import pytest
from PIL import Image

from drivers.printer import PrinterSettings, build_layout, render_preview, render_ticket
from tests.drivers.escpos_decode import decode, gb18030_sequences
from tests.drivers.printer_samples import STATUS_URL, english_ticket, ticket

WIDTHS = (58, 80)


def columns(width_mm: int) -> int:
    return 32 if width_mm == 58 else 48


def display_width(text: str) -> int:
    """Font A columns, counted independently of the driver: double-byte codes take two."""
    return sum(1 if len(ch.encode("gb18030")) == 1 else 2 for ch in text)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("qr", ["native", "image"])
def test_text_mode_ticket_content(width: int, qr: str) -> None:
    out = decode(render_ticket(ticket(), PrinterSettings(width_mm=width, qr=qr)))
    text = out.text
    assert out.inits == 1 and out.cuts == 1
    for expected in ("浦东新区政务服务中心", "社会保障卡申领", "办理窗口：3、5、12", "前面还有 7 人",
                     "预计等候约 21 分钟", "绿色通道", "姓名：张*明", "证件：3101**********0014",
                     "1. 居民身份证原件", "2. 近期免冠一寸照片（白底）", "取号时间：2024-05-06 09:31",
                     "请留意叫号，过号需重新取号。", "扫码查看排队进度"):
        assert expected in text, expected
    number = [line for line in out.lines if line.text == "A012"]
    assert len(number) == 1 and number[0].width == number[0].height >= 3
    assert number[0].align == 1 and number[0].bold
    service = next(line for line in out.lines if line.text == "社会保障卡申领")
    assert (service.width, service.height) == (2, 2)
    if qr == "native":
        assert out.qr_payloads == [STATUS_URL] and out.events.count("qr") == 1
        assert out.images == []
    else:
        assert out.qr_payloads == [] and out.image_qr_texts() == [STATUS_URL]
    assert all(line.chinese for line in out.lines)  # FS & came before any text


@pytest.mark.parametrize("width", WIDTHS)
def test_every_text_line_fits_the_paper(width: int) -> None:
    out = decode(render_ticket(ticket(), PrinterSettings(width_mm=width)))
    for line in out.lines:
        assert display_width(line.text) * line.width <= columns(width), line.text


@pytest.mark.parametrize("width", WIDTHS)
def test_raster_mode_is_one_image_with_the_qr(width: int) -> None:
    out = decode(render_ticket(ticket(), PrinterSettings(mode="raster", width_mm=width)))
    assert out.lines == [] and out.qr_payloads == []
    assert len(out.images) == 1 and out.cuts == 1
    assert out.images[0].width == (384 if width == 58 else 576)
    assert out.image_qr_texts() == [STATUS_URL]


@pytest.mark.parametrize("width", WIDTHS)
def test_raster_mode_lines_match_text_mode_lines(width: int) -> None:
    """Without OCR, compare the raster's ink bands with the decoded text-mode lines: same
    count and order, each band as wide and tall as its line's columns and size allow."""
    from tests.drivers.printer_samples import ink_bands

    settings = PrinterSettings(width_mm=width)
    lines = [line for line in decode(render_ticket(ticket(), settings)).lines if line.text.strip()]
    raster = decode(render_ticket(ticket(), settings.model_copy(update={"mode": "raster"})))
    bands = ink_bands(raster.images[0])
    qr_index = next(i for i, line in enumerate(lines) if line.text == "扫码查看排队进度")
    text_bands = bands[:qr_index] + bands[qr_index + 1 :]
    qr_band = bands[qr_index]
    assert len(text_bands) == len(lines)
    assert qr_band[1] - qr_band[0] > 100  # the QR code, tall and square
    for line, (top, bottom, left, right) in zip(lines, text_bands, strict=True):
        expected = display_width(line.text) * 12 * line.width
        if set(line.text) == {"-"}:  # a rule: a thin line across the paper
            assert bottom - top < 6 and right - left >= expected - 2
            continue
        assert right - left <= expected + 2, line.text
        assert right - left >= expected * 0.6, line.text
        assert 8 * line.height <= bottom - top <= 30 * line.height, line.text
        if line.align == 1 and not line.text.startswith("-"):
            assert abs((left + right) / 2 - raster.images[0].width / 2) < 14 * line.width


def test_english_ticket_uses_the_same_layout() -> None:
    zh_settings = PrinterSettings()
    zh, en = build_layout(ticket(), zh_settings), build_layout(english_ticket(), zh_settings)
    assert [type(e) for e in zh] == [type(e) for e in en]
    out = decode(render_ticket(english_ticket(ahead=1, eta_minutes=None), zh_settings))
    for expected in ("Pudong Government Service Center", "Social Security Card",
                     "Windows: 3, 5, 12", "1 person ahead of you", "Estimated wait: unknown",
                     "Name: 张*明", "ID: 3101**********0014", "Please have ready:",
                     "Scan to follow the queue", "Issued: 2024-05-06 09:31"):
        assert expected in out.text, expected


def test_unknown_numbers_are_printed_as_unknown() -> None:
    out = decode(render_ticket(ticket(ahead=None, eta_minutes=None), PrinterSettings()))
    assert "前面等候人数：未知" in out.text and "预计等候时间：未知" in out.text


def test_nobody_ahead_is_printed_as_now_not_zero_minutes() -> None:
    out = decode(render_ticket(ticket(ahead=0, eta_minutes=0), PrinterSettings()))
    assert "预计等候：马上" in out.text and "0 分钟" not in out.text
    assert "Estimated wait: now" in decode(render_ticket(english_ticket(ahead=0, eta_minutes=0), PrinterSettings())).text


def test_nobody_ahead_while_the_windows_are_busy_is_printed_as_a_wait() -> None:
    out = decode(render_ticket(ticket(ahead=0, eta_minutes=9), PrinterSettings()))
    assert "马上" not in out.text and "9 分钟" in out.text


def test_offline_mark_is_printed_inverted() -> None:
    out = decode(render_ticket(ticket(offline=True), PrinterSettings()))
    mark = [line for line in out.lines if "离线" in line.text]
    assert len(mark) == 1 and mark[0].invert
    assert "离线" not in decode(render_ticket(ticket(), PrinterSettings())).text


def test_materials_can_be_left_out() -> None:
    out = decode(render_ticket(ticket(), PrinterSettings(show_materials=False)))
    assert "居民身份证原件" not in out.text and "请备齐" not in out.text


def test_ticket_without_url_identity_or_priority() -> None:
    data = ticket(status_url=None, citizen_name_masked=None, id_masked=None,
                  priority_label=None, materials=[], windows=[])
    out = decode(render_ticket(data, PrinterSettings()))
    assert out.qr_payloads == [] and out.images == []
    assert "姓名" not in out.text and "证件" not in out.text and "窗口" not in out.text
    assert "A012" in out.text


def test_text_ticket_stays_under_one_and_a_half_kilobytes() -> None:
    for width in WIDTHS:
        assert len(render_ticket(ticket(), PrinterSettings(width_mm=width))) <= 1536


def test_fullwidth_punctuation_only_line_is_gb18030_not_question_marks() -> None:
    out = decode(render_ticket(ticket(service_name="：（）"), PrinterSettings()))
    line = next(line for line in out.lines if line.text == "：（）")
    assert line.raw == "：（）".encode("gb18030") == b"\xa3\xba\xa3\xa8\xa3\xa9"
    assert b"?" not in line.raw


def test_extension_a_name_is_drawn_not_sent_as_four_byte_code() -> None:
    """Decision: a line with a character outside GBK (㐀, U+3400) is sent as a small raster
    strip, since GBK printers garble 4-byte GB18030 codes and substitutes misprint names."""
    data = ticket(citizen_name_masked="㐀*明")
    raw = render_ticket(data, PrinterSettings())
    out = decode(raw)
    assert "姓名" not in out.text  # the whole name line became an image
    assert "证件：3101**********0014" in out.text
    for line in out.lines:
        assert all(len(seq) <= 2 for seq in gb18030_sequences(line.raw)), line.text
    assert "㐀".encode("gb18030") not in raw
    assert len(out.images) == 1 and out.events.index("image") > 0
    strip = out.images[0]
    # 姓名：㐀*明 is 11 columns of 12 dots, padded to whole bytes; one line pitch high.
    assert strip.height == 30 and strip.width == (11 * 12 + 7) // 8 * 8
    # And the same ticket on paper: a strip is cheap compared with a raster ticket.
    assert len(raw) <= 2048


def test_extension_a_character_has_a_glyph_in_the_preview() -> None:
    """The raster strip must show 㐀 itself, not the font's empty box: compare it with the
    box the CJK font draws for a character it lacks (U+FFFF)."""
    with_rare = render_preview(ticket(citizen_name_masked="㐀*明"), PrinterSettings())
    with_box = render_preview(ticket(citizen_name_masked="\uffff*明"), PrinterSettings())
    assert with_rare.tobytes() != with_box.tobytes()


def test_mixed_latin_and_chinese() -> None:
    name = "ETC卡办理 (Type-B) 与 USB Key 申领"
    out = decode(render_ticket(ticket(service_name=name), PrinterSettings(width_mm=80)))
    joined = "".join(line.text for line in out.lines if line.width == 2)
    assert joined.replace(" ", "") == name.replace(" ", "")


@pytest.mark.parametrize("width", WIDTHS)
def test_long_service_name_wraps_cleanly(width: int) -> None:
    name = "不动产登记（转移登记、抵押登记、变更登记及更正登记）与房屋交易税费一窗受理"
    out = decode(render_ticket(ticket(service_name=name), PrinterSettings(width_mm=width)))
    wrapped = [line for line in out.lines if line.width == 2]
    assert len(wrapped) >= 3
    assert "".join(line.text for line in wrapped) == name  # nothing lost or doubled
    for line in wrapped:
        assert display_width(line.text) * 2 <= columns(width)
        assert line.text[0] not in "，、。：）", line.text  # no closing mark opens a line
        assert line.text[-1] not in "（", line.text
    # Lines are filled: all but the last use most of the width.
    for line in wrapped[:-1]:
        assert display_width(line.text) * 2 >= columns(width) - 6


def test_control_characters_cannot_inject_commands() -> None:
    out = decode(render_ticket(ticket(service_name="社保\x1b@\x1dV\x00卡"), PrinterSettings()))
    assert out.inits == 1 and out.cuts == 1
    assert any(line.text == "社保@V卡" for line in out.lines)


def test_logo_is_printed_first(tmp_path) -> None:
    logo = tmp_path / "logo.png"
    img = Image.new("RGB", (400, 100), "white")
    img.paste((0, 0, 0), (50, 20, 350, 80))
    img.save(logo)
    out = decode(render_ticket(ticket(), PrinterSettings(logo=str(logo))))
    assert out.events[:3] == ["init", "image", "text"]
    assert out.images[0].height == 100 and out.images[0].width <= 576


def test_unreadable_logo_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "logo.png"
    bad.write_text("not an image")
    with pytest.raises(ValueError, match="logo"):
        render_ticket(ticket(), PrinterSettings(logo=str(bad)))


@pytest.mark.parametrize("width", WIDTHS)
def test_preview_has_the_paper_width_and_the_qr(width: int) -> None:
    import zxingcpp

    preview = render_preview(ticket(), PrinterSettings(width_mm=width))
    assert preview.mode == "L" and preview.width == (384 if width == 58 else 576)
    assert [r.text for r in zxingcpp.read_barcodes(preview)] == [STATUS_URL]


def test_ticket_data_refuses_unmasked_identity() -> None:
    with pytest.raises(ValueError, match="mask"):
        ticket(id_masked="310101199001010014")
    with pytest.raises(ValueError, match="mask"):
        ticket(citizen_name_masked="张三明")
    with pytest.raises(ValueError, match="language"):
        ticket(language="fr")
    with pytest.raises(ValueError, match="ahead"):
        ticket(ahead=-1)


def test_decoder_rejects_a_stray_byte() -> None:
    """The decoder is strict, so the content tests above could fail."""
    from tests.drivers.escpos_decode import DecodeError

    good = render_ticket(ticket(), PrinterSettings())
    with pytest.raises(DecodeError):
        decode(good.replace(b"\x1d!\x11", b"\x1dZ\x11", 1))
    assert unicodedata.name("㐀").startswith("CJK UNIFIED IDEOGRAPH")
