"""A small ESC/POS decoder for tests, written apart from the driver that makes the bytes.

It walks the stream command by command and fails on anything it does not know, so a stray
byte in the output shows up. Text runs are decoded as GB18030 (Chinese mode) or ASCII;
native QR payloads are read from ``GS ( k`` (cn 49, fn 80); ``GS v 0`` rasters are rebuilt as
Pillow images, consecutive fragments stacked, and their QR codes read with zxing-cpp.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import zxingcpp
from PIL import Image, ImageOps


class DecodeError(AssertionError):
    """The stream holds something a well-formed ticket should not."""


@dataclass
class Line:
    """One printed text line and the style it was printed in."""

    text: str
    raw: bytes
    width: int  # GS ! width multiplier
    height: int
    align: int  # 0 left, 1 centre, 2 right
    bold: bool
    invert: bool
    chinese: bool


@dataclass
class Decoded:
    """Everything a stream put on paper, in order."""

    lines: list[Line] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # "text", "image", "qr", "cut", "init"
    queries: list[int] = field(default_factory=list)
    cuts: int = 0
    inits: int = 0

    @property
    def text(self) -> str:
        """All text lines joined by newlines."""
        return "\n".join(line.text for line in self.lines)

    def image_qr_texts(self) -> list[str]:
        """QR codes found in the rebuilt raster images (zxing-cpp)."""
        found = []
        for img in self.images:
            padded = ImageOps.expand(img.convert("L"), border=24, fill=255)
            found += [r.text for r in zxingcpp.read_barcodes(padded)]
        return found


def gb18030_sequences(raw: bytes) -> list[bytes]:
    """Split GB18030 bytes into characters (1, 2 or 4 bytes) without Python's codec."""
    out, i = [], 0
    while i < len(raw):
        b = raw[i]
        if b < 0x80:
            step = 1
        elif 0x81 <= b <= 0xFE and i + 1 < len(raw) and 0x30 <= raw[i + 1] <= 0x39:
            step = 4
        elif 0x81 <= b <= 0xFE:
            step = 2
        else:
            raise DecodeError(f"byte 0x{b:02x} cannot start a GB18030 character")
        if i + step > len(raw):
            raise DecodeError(f"truncated GB18030 character at the end of {raw!r}")
        out.append(raw[i : i + step])
        i += step
    return out


def raster_image(width_bytes: int, height: int, data: bytes) -> Image.Image:
    """A GS v 0 bitmap (1 = black dot, rows MSB first) as a Pillow greyscale image."""
    if len(data) != width_bytes * height:
        raise DecodeError(f"raster data {len(data)} bytes, expected {width_bytes * height}")
    img = Image.new("L", (width_bytes * 8, height), 255)
    pixels = img.load()
    for y in range(height):
        row = data[y * width_bytes : (y + 1) * width_bytes]
        for xb, byte in enumerate(row):
            if byte:
                for bit in range(8):
                    if byte & (0x80 >> bit):
                        pixels[xb * 8 + bit, y] = 0
    return img


class _Walker:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0
        self.out = Decoded()
        self.style = {"width": 1, "height": 1, "align": 0, "bold": False, "invert": False}
        self.chinese = False
        self.pending = bytearray()
        self.last_image_open = False

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise DecodeError(f"command at {self.pos} truncated (needs {n} more bytes)")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def flush_line(self) -> None:
        raw = bytes(self.pending)
        self.pending.clear()
        if self.chinese:
            gb18030_sequences(raw)  # validates the byte structure
            text = raw.decode("gb18030")
        else:
            if any(b >= 0x80 for b in raw):
                raise DecodeError(f"byte >= 0x80 outside Chinese mode: {raw!r}")
            text = raw.decode("ascii")
        self.out.lines.append(Line(text, raw, chinese=self.chinese, **self.style))
        self.out.events.append("text")
        self.last_image_open = False

    def run(self) -> Decoded:
        while self.pos < len(self.data):
            b = self.take(1)[0]
            if b == 0x0A:
                self.flush_line()
            elif b == 0x0D:
                continue
            elif b in (0x1B, 0x1D, 0x1C, 0x10):
                if self.pending:
                    raise DecodeError(f"command 0x{b:02x} inside a text run at {self.pos}")
                self.command(b)
            elif b < 0x20 or b == 0x7F:
                raise DecodeError(f"stray control byte 0x{b:02x} at {self.pos - 1}")
            else:
                self.pending.append(b)
        if self.pending:
            raise DecodeError(f"text never ended by a line feed: {bytes(self.pending)!r}")
        return self.out

    def command(self, lead: int) -> None:
        code = self.take(1)
        if (lead, code) not in ((0x1D, b"v"), (0x1B, b"a")):
            self.last_image_open = False  # only raster fragments back to back form one image
        handler = {
            0x1B: self.esc,
            0x1D: self.gs,
            0x1C: self.fs,
            0x10: self.dle,
        }[lead]
        handler(code)

    def esc(self, code: bytes) -> None:
        if code == b"@":
            self.style.update(width=1, height=1, align=0, bold=False, invert=False)
            self.chinese = False
            self.out.inits += 1
            self.out.events.append("init")
        elif code == b"a":
            self.style["align"] = self.take(1)[0]
        elif code == b"E":
            self.style["bold"] = bool(self.take(1)[0] & 1)
        elif code == b"d":
            self.take(1)
            self.out.events.append("feed")
        else:
            raise DecodeError(f"unexpected ESC {code!r} at {self.pos}")

    def gs(self, code: bytes) -> None:
        if code == b"!":
            n = self.take(1)[0]
            self.style.update(width=(n >> 4) + 1, height=(n & 0x0F) + 1)
        elif code == b"B":
            self.style["invert"] = bool(self.take(1)[0] & 1)
        elif code == b"V":
            mode = self.take(1)[0]
            if mode in (65, 66):
                self.take(1)
            self.out.cuts += 1
            self.out.events.append("cut")
        elif code == b"(":
            self.two_d_code()
        elif code == b"v":
            self.raster()
        else:
            raise DecodeError(f"unexpected GS {code!r} at {self.pos}")

    def fs(self, code: bytes) -> None:
        if code == b"&":
            self.chinese = True
        elif code == b".":
            self.chinese = False
        else:
            raise DecodeError(f"unexpected FS {code!r} at {self.pos}")

    def dle(self, code: bytes) -> None:
        if code != b"\x04":
            raise DecodeError(f"unexpected DLE {code!r} at {self.pos}")
        self.out.queries.append(self.take(1)[0])

    def two_d_code(self) -> None:
        if self.take(1) != b"k":
            raise DecodeError("only GS ( k is expected")
        p_low, p_high = self.take(2)
        body = self.take(p_low + 256 * p_high)
        cn, fn = body[0], body[1]
        if cn != 49:
            raise DecodeError(f"2D code type {cn} is not QR (49)")
        if fn == 80:
            if body[2] != 48:
                raise DecodeError("QR store must use m = 48")
            self.out.qr_payloads.append(body[3:].decode("utf-8"))
        elif fn == 81:
            self.out.events.append("qr")
        elif fn not in (65, 67, 69):
            raise DecodeError(f"unexpected QR function {fn}")

    def raster(self) -> None:
        if self.take(1) != b"0":
            raise DecodeError("only GS v 0 is expected")
        self.take(1)  # density
        x_low, x_high, y_low, y_high = self.take(4)
        width_bytes, height = x_low + 256 * x_high, y_low + 256 * y_high
        img = raster_image(width_bytes, height, self.take(width_bytes * height))
        previous = self.out.images[-1] if self.out.images else None
        if self.last_image_open and previous is not None and previous.width == img.width:
            stacked = Image.new("L", (img.width, previous.height + img.height), 255)
            stacked.paste(previous, (0, 0))
            stacked.paste(img, (0, previous.height))
            self.out.images[-1] = stacked
        else:
            self.out.images.append(img)
            self.out.events.append("image")
        self.last_image_open = True


def decode(data: bytes) -> Decoded:
    """Walk ``data`` and return what it prints; raise ``DecodeError`` on malformed output."""
    return _Walker(bytes(data)).run()


def split_jobs(data: bytes) -> list[bytes]:
    """Split a text-mode stream holding several tickets at each ``ESC @``.

    Not for streams with images, whose data may hold the same two bytes.
    """
    parts = data.split(b"\x1b@")
    return [b"\x1b@" + part for part in parts[1:]]
