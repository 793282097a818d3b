"""LED sign text, the ascii485 frame format and sign URIs."""

from __future__ import annotations

import pytest

from drivers.pipe.scheme_serial import SerialPipe
from drivers.pipe.scheme_tcp import TcpPipe
from drivers.sign import (
    Ascii485Protocol,
    SignProtocolError,
    SignTextError,
    SignUriError,
    SimTransport,
    help_sign_text,
    open_sign_bus,
    parse_sign_uri,
    prepare_text,
    window_sign_text,
)

# GBK codes looked up in the GB 2312 table, written out so the test does not trust the codec.
QING = b"\xc7\xeb"  # 请
HAO = b"\xba\xc5"  # 号


def test_window_sign_text_reads_like_a_hall_sign() -> None:
    assert window_sign_text("A012", "3号窗口", "zh") == "请A012号"
    assert window_sign_text("a012", "3号窗口", "en") == "A012"
    assert window_sign_text(None, "3号窗口") == "3号窗口"


@pytest.mark.parametrize("number", ["", "012", "A-12", "ABC1", "A1234567", "号"])
def test_window_sign_text_refuses_a_bad_number(number: str) -> None:
    with pytest.raises(SignTextError, match="ticket number"):
        window_sign_text(number, "", "zh")


def test_window_sign_text_refuses_unknown_language() -> None:
    with pytest.raises(SignTextError, match="language"):
        window_sign_text("A012", "", "fr")


def test_ascii485_frame_byte_by_byte() -> None:
    frame = Ascii485Protocol().encode(3, "请A012号")
    assert frame == b"\x01\x03" + QING + b"A012" + HAO + b"\x07"


def test_ascii485_decode_round_trip_and_address_0x07() -> None:
    proto = Ascii485Protocol()
    assert proto.decode(proto.encode(7, "请A012号")) == (7, "请A012号")
    frames, rest = proto.split(proto.encode(7, "B1") + proto.encode(1, "C2") + b"\x01\x02ab")
    assert [proto.decode(f) for f in frames] == [(7, "B1"), (1, "C2")]
    assert rest == b"\x01\x02ab"


@pytest.mark.parametrize("address", [-1, 256, "3", True, 2.0])
def test_ascii485_refuses_bad_address(address: object) -> None:
    with pytest.raises(SignProtocolError, match="address"):
        Ascii485Protocol().encode(address, "A012")  # type: ignore[arg-type]


def test_help_sign_text_keeps_the_word_and_cuts_a_long_kiosk_id() -> None:
    assert help_sign_text("K01", 16) == "K01求助"
    assert help_sign_text(" K01 ", 16, "en") == "K01 HELP"
    assert help_sign_text("kiosk-east-entrance-02", 16) == "kiosk-east-e求助"  # 12 + 4 cells
    assert help_sign_text("K\x0701", 16) == "K?01求助"  # a control byte cannot break the frame
    assert help_sign_text("K01", 4) == "求助" and help_sign_text("K01", 3) == "求"
    Ascii485Protocol().encode(5, help_sign_text("自助机\U00020000", 16))  # the sign can show it
    with pytest.raises(SignTextError, match="language"):
        help_sign_text("K01", 16, "fr")


@pytest.mark.parametrize("text", ["A\x0712", "A\x0112", "𠀀", "€"])
def test_ascii485_encode_refuses_what_would_break_or_garble_a_frame(text: str) -> None:
    with pytest.raises(SignProtocolError, match="cannot show"):
        Ascii485Protocol().encode(1, text)


@pytest.mark.parametrize("frame", [b"", b"\x01\x03", b"\x02\x03A\x07", b"\x01\x03A", b"\x01\x03\xff\x07"])
def test_ascii485_decode_refuses_malformed_frames(frame: bytes) -> None:
    with pytest.raises(SignProtocolError):
        Ascii485Protocol().decode(frame)


def test_prepare_text_substitutes_and_reports() -> None:
    prepared = prepare_text("请\x07A𠀀1", width=32)
    assert prepared.text == "请?A?1"
    assert prepared.encoded == QING + b"?A?1"
    assert prepared.replaced == ("\x07", "𠀀")
    assert any("U+20000" in note for note in prepared.warnings)


def test_prepare_text_cuts_at_a_character_boundary() -> None:
    # 请 takes two cells; with five cells "请A01" fits and the rest is cut.
    prepared = prepare_text("请A012号", width=5)
    assert (prepared.text, prepared.truncated) == ("请A01", True)
    # A Chinese character that would straddle the edge is left out whole.
    assert prepare_text("A请", width=2).text == "A"
    assert not prepare_text("请A012号", width=8).truncated


def test_uri_serial_with_options() -> None:
    config = parse_sign_uri("serial:///dev/ttyUSB2?baudrate=19200&protocol=ascii485&gap_ms=300")
    assert isinstance(config.transport, SerialPipe)
    assert (config.transport.url, config.transport.settings["baudrate"]) == ("/dev/ttyUSB2", 19200)
    assert parse_sign_uri("serial:///dev/ttyUSB2").transport.settings["baudrate"] == 9600
    assert (config.protocol, config.gap, config.width) == ("ascii485", 0.3, 16)


def test_uri_pyserial_urls_tcp_and_sim() -> None:
    loop = parse_sign_uri("loop://?protocol=ascii485&width=20")
    assert isinstance(loop.transport, SerialPipe) and loop.transport.url == "loop://"
    assert loop.width == 20
    tcp = parse_sign_uri("tcp://192.168.1.60:5005?protocol=ascii485")
    assert isinstance(tcp.transport, TcpPipe)
    assert (tcp.transport.host, tcp.transport.port) == ("192.168.1.60", 5005)
    assert isinstance(parse_sign_uri("sim:").transport, SimTransport)


@pytest.mark.parametrize(
    ("uri", "names"),
    [
        ("", "empty"),
        ("usb://1234:5678", "unknown scheme"),
        ("serial://", "no serial port"),
        ("serial:///dev/ttyS0?baudrate=fast", "baudrate"),
        ("serial:///dev/ttyS0?baudrate=10", "baudrate=10 is outside"),
        ("serial:///dev/ttyS0?parity=Q", "parity='Q' is not one of"),
        ("serial:///dev/ttyS0?speed=9600", "unknown option 'speed'.*gap_ms"),
        ("sim:board", "takes no name"),
        ("tcp://host", "host and port"),
        ("tcp://host:99999", "port"),
        ("sim:?protocol=modbus", "unknown sign protocol 'modbus'"),
        ("sim:?gap_ms=-5", "gap_ms"),
        ("sim:?width=0", "width"),
    ],
)
def test_uri_errors_name_the_problem(uri: str, names: str) -> None:
    with pytest.raises(SignUriError, match=names):
        parse_sign_uri(uri)


def test_loop_url_carries_frames() -> None:
    bus = open_sign_bus("loop://?gap_ms=0")
    try:
        bus.show(2, "请A012号")
        assert bus.wait_idle(5)
        # The loopback port hands back what the bus wrote.
        assert bus.transport.read(64, 1.0) == b"\x01\x02" + QING + b"A012" + HAO + b"\x07"
    finally:
        bus.close()
