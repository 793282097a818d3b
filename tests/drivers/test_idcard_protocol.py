"""Frames of the SAM reader protocol: known answers from DEVICES.md, errors, resync, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.idcard import FrameError
from drivers.idcard import protocol as p
from drivers.idcard.simcards import sample_card_text
from drivers.idcard.simdevice import SimCardDevice

# The command table of DEVICES.md, byte for byte.
KNOWN_COMMANDS = [
    (p.RESET_SAM, "AA AA AA 96 69 00 03 10 FF EC"),
    (p.SAM_STATUS, "AA AA AA 96 69 00 03 11 FF ED"),
    (p.SAM_ID, "AA AA AA 96 69 00 03 12 FF EE"),
    (p.FIND_CARD, "AA AA AA 96 69 00 03 20 01 22"),
    (p.SELECT_CARD, "AA AA AA 96 69 00 03 20 02 21"),
    (p.READ_BASE, "AA AA AA 96 69 00 03 30 01 32"),
    (p.READ_WITH_FINGERPRINT, "AA AA AA 96 69 00 03 30 10 23"),
]
FIND_OK = bytes.fromhex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
FIND_FAILED = bytes.fromhex("AA AA AA 96 69 00 04 00 00 80 84")
SELECT_OK = bytes.fromhex("AA AA AA 96 69 00 0C 00 00 90") + bytes(8) + bytes.fromhex("9C")


@pytest.mark.parametrize(("command", "expected"), KNOWN_COMMANDS, ids=lambda c: getattr(c, "name", ""))
def test_command_frames_match_the_documented_bytes(command: p.Command, expected: str) -> None:
    assert command.frame() == bytes.fromhex(expected)


@pytest.mark.parametrize(("frame", "sw3", "data"), [
    (FIND_OK, 0x9F, bytes(4)), (FIND_FAILED, 0x80, b""), (SELECT_OK, 0x90, bytes(8)),
])
def test_documented_replies_parse(frame: bytes, sw3: int, data: bytes) -> None:
    response = p.parse_response(frame)
    assert (response.sw1, response.sw2, response.sw3, response.data) == (0, 0, sw3, data)


def test_simulator_answers_with_the_documented_bytes() -> None:
    device = SimCardDevice(sample_card_text("resident"))

    def reply(command: p.Command) -> bytes:
        return b"".join(chunk.data for chunk in device.respond(command.frame()))

    assert reply(p.FIND_CARD) == FIND_OK
    assert reply(p.SELECT_CARD) == SELECT_OK
    read = reply(p.READ_BASE)
    assert len(read) == 1295
    assert read[:14] == bytes.fromhex("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")
    assert read[14:270] == sample_card_text("resident")
    device.remove()
    assert reply(p.FIND_CARD) == FIND_FAILED


def test_every_documented_status_has_a_plain_message() -> None:
    documented = [0x90, 0x9F, 0x91, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x3F, 0x40,
                  0x41, 0x47, 0x60, 0x66, 0x80, 0x81]
    messages = [p.status_message(code) for code in documented]
    assert all(m and "undocumented" not in m for m in messages)
    assert len(set(messages)) == len(messages)
    assert "0x5A" in p.status_message(0x5A)


@pytest.mark.parametrize(("frame", "kind"), [
    (FIND_OK[:-1], "truncated"),
    (FIND_OK[:6], "truncated"),
    (FIND_OK + b"\x00", "length"),
    (FIND_OK[:-1] + bytes((FIND_OK[-1] ^ 1,)), "checksum"),
    (bytes.fromhex("AA AA AA 96 69 00 01 00 01"), "length"),
    (bytes.fromhex("AA AA AA 96 69 FF FF 00 00 00"), "length"),
    (bytes.fromhex("AA AA AA 96 68 00 04 00 00 80 84"), "length"),
])
def test_bad_frames_raise_typed_errors_naming_the_fault(frame: bytes, kind: str) -> None:
    with pytest.raises(FrameError) as caught:
        p.parse_frame(frame)
    assert caught.value.kind == kind
    assert kind in str(caught.value)


def test_decoder_skips_noise_and_a_false_frame_start() -> None:
    decoder = p.FrameDecoder()
    noise = b"\x01\xaa\xaa" + p.PREAMBLE + b"\x00\x09\x13"  # a false start claiming 9 more bytes
    assert decoder.feed(noise + FIND_OK[:8]) == []
    assert decoder.feed(FIND_OK[8:] + FIND_FAILED) == [FIND_OK[7:-1], FIND_FAILED[7:-1]]


def test_decoder_reports_a_truncated_frame_when_the_stream_stops() -> None:
    decoder = p.FrameDecoder()
    assert decoder.feed(b"\x00" + FIND_OK[:9]) == []
    error = decoder.truncated_error()
    assert error is not None and error.kind == "truncated"


def test_build_frame_rejects_bodies_the_protocol_cannot_carry() -> None:
    with pytest.raises(ValueError):
        p.build_frame(b"\x20")
    with pytest.raises(ValueError):
        p.build_frame(bytes(p.MAX_LEN))


# -- fuzzing ----------------------------------------------------------------------------------

bodies = st.binary(min_size=3, max_size=300).map(lambda b: b"\x00\x00" + b[2:])
# Garbage that likes to look like frames: random bytes mixed with preamble pieces and lengths.
garbage = st.lists(st.one_of(
    st.binary(max_size=20),
    st.sampled_from([p.PREAMBLE, p.PREAMBLE[:3], b"\xaa", p.PREAMBLE + b"\x00\x05",
                     p.PREAMBLE + b"\x0f\xff", p.PREAMBLE + b"\x00\x00"]),
), max_size=8).map(b"".join)


@given(st.binary(max_size=400))
def test_parse_frame_on_random_bytes_raises_only_frame_errors(data: bytes) -> None:
    try:
        body = p.parse_frame(data)
    except FrameError as exc:
        assert exc.kind in FrameError.KINDS
    else:
        assert p.build_frame(body) == data


@given(bodies, st.data())
def test_truncated_frames_are_reported_as_truncated(body: bytes, data: st.DataObject) -> None:
    frame = p.build_frame(body)
    cut = data.draw(st.integers(min_value=0, max_value=len(frame) - 1))
    with pytest.raises(FrameError) as caught:
        p.parse_frame(frame[:cut])
    assert caught.value.kind in ("truncated", "length")


@given(bodies, st.integers(min_value=0, max_value=0xFFFF))
def test_wrong_length_fields_never_pass(body: bytes, length: int) -> None:
    frame = bytearray(p.build_frame(body))
    if length == len(body) + 1:
        return
    frame[5:7] = length.to_bytes(2, "big")
    with pytest.raises(FrameError):
        p.parse_frame(bytes(frame))


@given(bodies, st.integers(min_value=1, max_value=255))
def test_bad_checksums_never_pass(body: bytes, flip: int) -> None:
    frame = bytearray(p.build_frame(body))
    frame[-1] ^= flip
    with pytest.raises(FrameError) as caught:
        p.parse_frame(bytes(frame))
    assert caught.value.kind == "checksum"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(garbage, bodies, st.lists(st.integers(min_value=1, max_value=64), max_size=20))
def test_a_good_frame_after_garbage_is_still_read(junk: bytes, body: bytes,
                                                  cuts: list[int]) -> None:
    stream = junk + p.build_frame(body)
    decoder = p.FrameDecoder(accept=p.plausible_response)
    found: list[bytes] = []
    pos = 0
    for size in cuts:  # the stream arrives in arbitrary pieces
        found += decoder.feed(stream[pos : pos + size])
        pos += size
    found += decoder.feed(stream[pos:])
    assert body in found


@given(st.lists(st.binary(max_size=200), max_size=30))
def test_decoder_takes_any_byte_stream_without_raising(chunks: list[bytes]) -> None:
    decoder = p.FrameDecoder()
    for chunk in chunks:
        for body in decoder.feed(chunk):
            assert len(body) >= 2
    assert decoder.pending() <= 4 * p.MAX_LEN


def test_decoder_says_how_many_bytes_the_frame_still_lacks() -> None:
    decoder = p.FrameDecoder()
    assert decoder.wanted() == p.HEADER_LEN
    decoder.feed(b"\x13" + p.PREAMBLE[:2])
    assert decoder.wanted() == p.HEADER_LEN - 2
    decoder.feed(FIND_OK[2:9])
    assert decoder.wanted() == len(FIND_OK) - 9
    assert decoder.feed(FIND_OK[9:]) == [FIND_OK[7:-1]]
    assert decoder.wanted() == p.HEADER_LEN
