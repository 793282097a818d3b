"""Sign protocols: how one sign's text becomes one frame of bytes on the bus.

There is no common standard for LED window signs; each vendor's controller speaks its own frames.
A protocol is a small class with ``encode(address, text) -> bytes``; new ones (Modbus RTU counters,
vendor TCP controllers) register themselves in :data:`PROTOCOLS` and are picked by name from the
sign URI (``?protocol=ascii485``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from drivers.sign.text import PreparedText, SignTextError, prepare_text


class SignProtocolError(ValueError):
    """A frame that cannot be built or read: bad address, unencodable text, malformed bytes."""


class SignProtocol(ABC):
    """Turns (address, text) into one frame. Stateless, so one instance serves a whole bus."""

    #: Name used in sign URIs.
    name: str = ""
    #: Text encoding the signs render.
    encoding: str = "gbk"
    #: Highest address the frame can carry.
    max_address: int = 255

    def check_address(self, address: int) -> int:
        """Return ``address`` if the protocol can carry it, else raise :class:`SignProtocolError`."""
        if isinstance(address, bool) or not isinstance(address, int):
            raise SignProtocolError(f"sign address must be an integer, not {address!r}")
        if not 0 <= address <= self.max_address:
            raise SignProtocolError(
                f"sign address {address} is outside 0-{self.max_address} for {self.name}"
            )
        return address

    def prepare(self, text: str, width: int) -> PreparedText:
        """Fit ``text`` to a sign ``width`` cells wide in this protocol's encoding."""
        return prepare_text(text, width, self.encoding)

    @abstractmethod
    def encode(self, address: int, text: str) -> bytes:
        """The frame showing ``text`` on the sign at ``address``; raises on anything invalid."""

    @abstractmethod
    def decode(self, frame: bytes) -> tuple[int, str]:
        """Read a frame back into (address, text); used by the simulator and tests."""


class Ascii485Protocol(SignProtocol):
    """RS-485 addressed frames ``01 <address> <text in GBK> 07``, one sign per frame.

    The start and end bytes never occur inside GBK text (lead bytes are 0x81-0xFE, trail bytes
    0x40-0xFE) as long as control characters are kept out, which :meth:`encode` enforces.
    """

    name = "ascii485"
    START = 0x01
    END = 0x07

    def encode(self, address: int, text: str) -> bytes:
        """``01 <address> <GBK text> 07``; raises if the text holds control or non-GBK characters."""
        self.check_address(address)
        prepared = self.prepare(text, width=max(1, len(text) * 2))
        if prepared.replaced:
            raise SignProtocolError(
                f"text {text!r} holds characters the sign cannot show: {prepared.replaced!r}"
            )
        return bytes([self.START, address]) + prepared.encoded + bytes([self.END])

    def decode(self, frame: bytes) -> tuple[int, str]:
        """(address, text) of one whole frame; raises :class:`SignProtocolError` if malformed."""
        if len(frame) < 3 or frame[0] != self.START or frame[-1] != self.END:
            raise SignProtocolError(f"not an ascii485 frame: {frame.hex(' ')}")
        try:
            text = frame[2:-1].decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise SignProtocolError(f"frame text is not {self.encoding}: {exc}") from exc
        return frame[1], text

    def split(self, data: bytes) -> tuple[list[bytes], bytes]:
        """Cut a byte stream into whole frames; returns (frames, the unfinished rest)."""
        frames: list[bytes] = []
        start = data.find(bytes([self.START]))
        while start != -1:
            # The address byte may itself be 0x07, so look for the end after it.
            end = data.find(bytes([self.END]), start + 2)
            if end == -1:
                return frames, data[start:]
            frames.append(data[start : end + 1])
            start = data.find(bytes([self.START]), end + 1)
        return frames, b""


#: Protocols by the name used in sign URIs.
PROTOCOLS: dict[str, type[SignProtocol]] = {Ascii485Protocol.name: Ascii485Protocol}


def protocol_by_name(name: str) -> SignProtocol:
    """A protocol instance for ``name``; raises :class:`SignProtocolError` naming the choices."""
    try:
        return PROTOCOLS[name]()
    except KeyError:
        known = ", ".join(sorted(PROTOCOLS))
        raise SignProtocolError(f"unknown sign protocol {name!r} (known: {known})") from None


__all__ = [
    "Ascii485Protocol",
    "PROTOCOLS",
    "SignProtocol",
    "SignProtocolError",
    "SignTextError",
    "protocol_by_name",
]
