"""Wire protocol of the SAM ID card reader: frames, commands, status codes, stream decoding.

A frame, both directions, is ``AA AA AA 96 69 | LEN_H LEN_L | body | CHK``. LEN counts the bytes
after itself including CHK; CHK is the XOR of every byte from LEN_H to the end of the body. A
request body is ``CMD PARA [data]``, a response body ``SW1 SW2 SW3 [data]``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from drivers.idcard.errors import FrameError

PREAMBLE = bytes.fromhex("AAAAAA9669")
HEADER_LEN = len(PREAMBLE) + 2
MIN_LEN = 3  # a request: CMD PARA CHK
MAX_LEN = 0x1000  # the largest reply (read with fingerprint) is about 2.3 KB
MIN_RESPONSE_LEN = 4  # SW1 SW2 SW3 CHK


@dataclass(frozen=True)
class Command:
    """One request the driver sends: ``CMD PARA``, a name for messages and its status for success."""

    name: str
    cmd: int
    para: int
    ok_status: int = 0x90

    def frame(self) -> bytes:
        """The complete request frame."""
        return build_frame(bytes((self.cmd, self.para)))


RESET_SAM = Command("reset SAM", 0x10, 0xFF)
SAM_STATUS = Command("SAM status", 0x11, 0xFF)
SAM_ID = Command("SAM id", 0x12, 0xFF)
FIND_CARD = Command("find card", 0x20, 0x01, ok_status=0x9F)
SELECT_CARD = Command("select card", 0x20, 0x02)
READ_BASE = Command("read base message", 0x30, 0x01)
READ_WITH_FINGERPRINT = Command("read with fingerprint", 0x30, 0x10)
COMMANDS = (RESET_SAM, SAM_STATUS, SAM_ID, FIND_CARD, SELECT_CARD, READ_BASE,
            READ_WITH_FINGERPRINT)

SW3_SUCCESS = 0x90
SW3_CARD_FOUND = 0x9F
SW3_NO_CARD = 0x80
SW3_SELECT_FAILED = 0x81

# Every status byte the SAM module is documented to send, in words a technician understands.
SW3_MESSAGES: dict[int, str] = {
    0x90: "success",
    0x9F: "card found",
    0x91: "no such item on the card",
    0x10: "the reader received a frame with a bad checksum",
    0x11: "the reader received a frame with a bad length",
    0x21: "the reader does not know this command",
    0x23: "the command is not permitted now",
    0x24: "the reader reports an unknown error",
    0x31: "the card failed to authenticate the SAM",
    0x32: "the SAM failed to authenticate the card",
    0x33: "the card information failed its check",
    0x3F: "the card information has a wrong length",
    0x40: "unknown card type",
    0x41: "reading the card failed (card moved or removed?)",
    0x47: "the card's random number request failed",
    0x60: "the SAM module failed its self-test",
    0x66: "the SAM module is not authorised",
    0x80: "no card found",
    0x81: "selecting the card failed",
}


def status_message(code: int) -> str:
    """Plain words for an SW3 status byte, also for codes outside the documented table."""
    return SW3_MESSAGES.get(code, f"undocumented status 0x{code:02X}")


def checksum(data: bytes) -> int:
    """XOR of all bytes (the frame checksum over LEN_H … end of body)."""
    return reduce(operator.xor, data, 0)


def build_frame(body: bytes) -> bytes:
    """Wrap a body (request ``CMD PARA [data]`` or response ``SW1 SW2 SW3 [data]``) in a frame."""
    length = len(body) + 1
    if not MIN_LEN <= length <= MAX_LEN:
        raise ValueError(f"frame body of {len(body)} bytes is outside the protocol's range")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes((checksum(head + body),))


@dataclass(frozen=True)
class Response:
    """A decoded response: the three status bytes and the data after them."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def message(self) -> str:
        """The plain message of SW3."""
        return status_message(self.sw3)


def parse_frame(frame: bytes) -> bytes:
    """Check one complete frame and return its body; raise ``FrameError`` for anything else."""
    frame = bytes(frame)
    if not frame.startswith(PREAMBLE[: len(frame)]):
        raise FrameError("length", "frame does not start with AA AA AA 96 69")
    if len(frame) < HEADER_LEN:
        raise FrameError("truncated", f"{len(frame)} bytes is shorter than the frame header")
    length = int.from_bytes(frame[5:7], "big")
    if not MIN_LEN <= length <= MAX_LEN:
        raise FrameError("length", f"LEN field {length} is outside {MIN_LEN}..{MAX_LEN}")
    expected = HEADER_LEN + length
    if len(frame) < expected:
        raise FrameError("truncated", f"LEN says {expected} bytes, got {len(frame)}")
    if len(frame) > expected:
        raise FrameError("length", f"LEN says {expected} bytes, got {len(frame)}")
    if checksum(frame[5:-1]) != frame[-1]:
        raise FrameError("checksum", f"checksum 0x{frame[-1]:02X} does not match the bytes")
    return frame[HEADER_LEN:-1]


def parse_response(frame: bytes) -> Response:
    """Parse a complete response frame into its status bytes and data."""
    return response_from_body(parse_frame(frame))


def response_from_body(body: bytes) -> Response:
    """Split a response body; a body too short to hold SW1 SW2 SW3 is a length error."""
    if len(body) < MIN_RESPONSE_LEN - 1:
        raise FrameError("length", f"response body of {len(body)} bytes has no status bytes")
    return Response(body[0], body[1], body[2], bytes(body[3:]))


def plausible_response(body: bytes) -> bool:
    """True for a body that can be a reader's reply: status bytes present, SW1 = SW2 = 00.

    Every documented reply has SW1 SW2 = 00 00 (?); checking it makes a false frame in line noise
    whose checksum happens to match (1 in 256) very unlikely to be taken for the answer.
    """
    return len(body) >= MIN_RESPONSE_LEN - 1 and body[0] == 0 and body[1] == 0


class FrameDecoder:
    """Incremental decoder of a byte stream into frame bodies, resynchronising after noise.

    ``feed`` accepts any chunks. Bytes before a preamble are skipped. A candidate frame with an
    impossible length or a bad checksum is dropped together with only the first byte of its
    preamble, so a real frame hidden inside a false candidate is still found. While a candidate
    is incomplete, later preambles are tried too: a complete, valid frame wins over a false
    candidate that claims a long length. ``accept``, if given, rejects bodies that are
    well-formed but cannot be what the listener expects (treated like a bad checksum).
    """

    def __init__(self, accept: Callable[[bytes], bool] | None = None,
                 max_buffer: int = 4 * MAX_LEN) -> None:
        self._accept = accept
        self._buf = bytearray()
        self._max_buffer = max_buffer
        self.errors: list[FrameError] = []

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes and return the bodies of all frames now complete, in order."""
        self._buf.extend(data)
        bodies = []
        while (body := self._next()) is not None:
            bodies.append(body)
        if len(self._buf) > self._max_buffer:  # a flood of noise must not grow memory
            del self._buf[: len(self._buf) - self._max_buffer]
        return bodies

    def pending(self) -> int:
        """Bytes held while waiting for the rest of a candidate frame."""
        return len(self._buf)

    def wanted(self) -> int:
        """Bytes still missing for the first candidate frame (at least 1): what to read next."""
        pos = self._buf.find(PREAMBLE)
        if pos < 0:  # after feed() the buffer holds at most the start of a preamble
            return max(1, HEADER_LEN - len(self._buf))
        if len(self._buf) < pos + HEADER_LEN:
            return pos + HEADER_LEN - len(self._buf)
        length = int.from_bytes(self._buf[pos + 5 : pos + 7], "big")
        return max(1, pos + HEADER_LEN + min(length, MAX_LEN) - len(self._buf))

    def truncated_error(self) -> FrameError | None:
        """The error to report when the stream stops now: a started frame is truncated."""
        start = self._buf.find(PREAMBLE)
        if start < 0:
            return None
        return FrameError("truncated", f"frame stopped after {len(self._buf) - start} bytes")

    def reset(self) -> None:
        """Forget buffered bytes and recorded errors."""
        self._buf.clear()
        self.errors.clear()

    def _next(self) -> bytes | None:
        """Take the first decodable frame out of the buffer, or None when more bytes are needed."""
        first_incomplete = -1
        pos = self._buf.find(PREAMBLE)
        while pos >= 0:
            outcome = self._try_at(pos)
            if isinstance(outcome, bytes):
                del self._buf[: pos + HEADER_LEN + len(outcome) + 1]
                return outcome
            if outcome is None and first_incomplete < 0:
                first_incomplete = pos
            if isinstance(outcome, FrameError) and first_incomplete < 0:
                self.errors.append(outcome)
                del self._buf[: pos + 1]
                pos = self._buf.find(PREAMBLE)
                continue
            pos = self._buf.find(PREAMBLE, pos + 1)
        self._drop_before(first_incomplete)
        return None

    def _drop_before(self, first_incomplete: int) -> None:
        """Keep only what may still become a frame: an incomplete candidate or a partial preamble."""
        if first_incomplete >= 0:
            del self._buf[:first_incomplete]
            return
        keep = 0
        for size in range(len(PREAMBLE) - 1, 0, -1):
            if self._buf.endswith(PREAMBLE[:size]):
                keep = size
                break
        del self._buf[: len(self._buf) - keep]

    def _try_at(self, pos: int) -> bytes | FrameError | None:
        """The body of a valid frame at ``pos``, its error, or None when it is still incomplete."""
        if len(self._buf) < pos + HEADER_LEN:
            return None
        length = int.from_bytes(self._buf[pos + 5 : pos + 7], "big")
        if not MIN_LEN <= length <= MAX_LEN:
            return FrameError("length", f"LEN field {length} is outside {MIN_LEN}..{MAX_LEN}")
        end = pos + HEADER_LEN + length
        if len(self._buf) < end:
            return None
        if checksum(self._buf[pos + 5 : end - 1]) != self._buf[end - 1]:
            return FrameError("checksum", "checksum does not match the bytes")
        body = bytes(self._buf[pos + HEADER_LEN : end - 1])
        if self._accept is not None and not self._accept(body):
            return FrameError("length", f"a {len(body)}-byte frame that is not a plausible reply")
        return body
