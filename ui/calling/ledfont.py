"""The LED board's bitmap font: GNU Unifont at its native 16 pixels, one LED per font pixel.

Each character is rendered once into a 16-pixel bitmap with no antialiasing and cached; a text
run is its glyphs side by side. A badge is a run lit in reverse (dark letters on a lit block),
the way LED boards set a service letter apart from the text beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QImage, QPainter

FONT_PX = 16
UNIFONT_FILES = (Path("/usr/share/fonts/opentype/unifont/unifont.otf"),
                 Path("/usr/share/fonts/truetype/unifont/unifont.ttf"))
BADGE_PAD = 2  # lit dots either side of a badge's letters


@dataclass(frozen=True)
class Bitmap:
    """A text as LED pixels: ``rows`` are bit sets, the leftmost pixel the highest bit."""

    width: int
    rows: tuple[int, ...]

    def lit(self, x: int, y: int) -> bool:
        """Whether the pixel at column ``x``, row ``y`` is on."""
        return bool(self.rows[y] >> (self.width - 1 - x) & 1)

    def ascii_art(self) -> str:
        """The bitmap as ``#`` and ``.`` lines (tests and debugging)."""
        return "\n".join(format(r, f"0{self.width}b").replace("0", ".").replace("1", "#")
                         for r in self.rows)


class BitmapFont:
    """Glyph bitmaps of a 16-pixel font, rendered once per character and cached."""

    def __init__(self) -> None:
        self.family = _load_unifont()
        self.font = QFont(self.family)
        self.font.setPixelSize(FONT_PX)
        self.font.setStyleStrategy(QFont.StyleStrategy.NoAntialias)
        self.font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        self.metrics = QFontMetrics(self.font)
        self._glyphs: dict[str, Bitmap] = {}

    def glyph(self, ch: str) -> Bitmap:
        """The bitmap of one character (8 pixels wide for Latin, 16 for Chinese)."""
        cached = self._glyphs.get(ch)
        if cached is None:
            cached = self._glyphs[ch] = self._render(ch)
        return cached

    def _render(self, ch: str) -> Bitmap:
        width = max(1, min(2 * FONT_PX, self.metrics.horizontalAdvance(ch)))
        image = QImage(width, FONT_PX, QImage.Format.Format_Grayscale8)
        image.fill(0)
        painter = QPainter(image)
        painter.setFont(self.font)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(0, self.metrics.ascent(), ch)
        painter.end()
        rows = []
        for y in range(FONT_PX):
            line = image.constScanLine(y).tobytes()[:width]
            bits = 0
            for value in line:
                bits = bits << 1 | (value > 127)
            rows.append(bits)
        return Bitmap(width, tuple(rows))

    def text(self, text: str) -> Bitmap:
        """A whole line of text, glyphs side by side."""
        width, rows = 0, [0] * FONT_PX
        for ch in text:
            glyph = self.glyph(ch)
            rows = [r << glyph.width | g for r, g in zip(rows, glyph.rows, strict=True)]
            width += glyph.width
        return Bitmap(width, tuple(rows))

    def width(self, text: str) -> int:
        """Width of ``text`` in font pixels."""
        return sum(self.glyph(ch).width for ch in text)


def _load_unifont() -> str:
    """Register Unifont with Qt (it may not be a system default) and return its family."""
    for path in UNIFONT_FILES:
        if path.is_file():
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if families:
                return families[0]
    return "Unifont"  # fontconfig may still find it; else Qt substitutes and dots look rougher


_FONT: BitmapFont | None = None


def bitmap_font() -> BitmapFont:
    """The shared bitmap font (needs a QGuiApplication)."""
    global _FONT
    if _FONT is None:
        _FONT = BitmapFont()
    return _FONT


def badge(bitmap: Bitmap, pad: int = BADGE_PAD) -> Bitmap:
    """``bitmap`` reversed on a lit block ``pad`` dots wider on each side, corners rounded and
    a dark line above and below (badges in rows one under the other stay apart)."""
    width = bitmap.width + 2 * pad
    full = (1 << width) - 1
    corners = 1 << (width - 1) | 1
    rows = [full ^ (row << pad) for row in bitmap.rows]
    rows[0] = rows[-1] = 0
    rows[1] &= ~corners
    rows[-2] &= ~corners
    return Bitmap(width, tuple(rows))


NO_BREAK_BEFORE = set("）)】」，。、；：！？,.;:!?")
NO_BREAK_AFTER = set("（(【「")


def _breaks_between(before: str, after: str) -> bool:
    """Whether a line may break between two characters: at a space, or beside a Chinese
    character or full-width sign (each is a word of its own), but never before a closing
    bracket or a comma nor after an opening bracket."""
    if after in NO_BREAK_BEFORE or before in NO_BREAK_AFTER:
        return False
    return " " in (before, after) or max(ord(before), ord(after)) >= 0x2E80


def wrap(text: str, limit: int) -> list[str] | None:
    """``text`` in lines no wider than ``limit`` font pixels, broken between words; None when
    a single word is wider than that."""
    font = bitmap_font()
    lines, start, last_break = [], 0, None
    for i in range(1, len(text) + 1):
        if font.width(text[start:i].strip()) > limit:  # break at the last chance that fitted
            if last_break is None or font.width(text[last_break:i].strip()) > limit:
                return None
            lines.append(text[start:last_break].strip())
            start, last_break = last_break, None
        if i < len(text) and _breaks_between(text[i - 1], text[i]):
            last_break = i
    lines.append(text[start:].strip())
    return [line for line in lines if line]


@lru_cache(maxsize=2048)
def whole_words_width(text: str, limit: int) -> int:
    """Width in font pixels of the longest start of ``text`` that ends between two words and
    fits in ``limit`` (0 when not even the first word fits)."""
    font = bitmap_font()
    if font.width(text) <= limit:
        return font.width(text)
    best = 0
    for i in range(1, len(text)):
        if _breaks_between(text[i - 1], text[i]):
            width = font.width(text[:i].rstrip())
            if width > limit:
                break
            best = width
    return best
