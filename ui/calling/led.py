"""A dot-matrix LED board drawn from a 16-pixel bitmap font (GNU Unifont).

Each character is rendered once into a 16-pixel bitmap with Unifont at its native pixel size and
no antialiasing, so every font pixel is exactly one LED. A text run becomes one pixmap of round
LED dots, cached; the unlit grid is a tiled texture. Painting a frame is therefore a handful of
pixmap blits, whatever the size of the board, which keeps a full-HD board cheap to animate.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QImage,
    QPainter,
    QPixmap,
    QRadialGradient,
)
from PySide6.QtWidgets import QWidget

#: Lit LED colours of real boards: red, green and amber.
COLORS = {"red": QColor(255, 40, 24), "green": QColor(40, 255, 70), "amber": QColor(255, 176, 0)}
UNLIT = QColor(38, 30, 30)
FONT_PX = 16
UNIFONT_FILES = (Path("/usr/share/fonts/opentype/unifont/unifont.otf"),
                 Path("/usr/share/fonts/truetype/unifont/unifont.ttf"))


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


def dot_pixmap(color: QColor, pitch: int) -> QPixmap:
    """One round LED, ``pitch`` pixels square, with a bright centre like a real lens."""
    pixmap = QPixmap(pitch, pitch)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    radius = max(0.6, pitch * 0.42)
    centre = QPointF(pitch / 2, pitch / 2)
    gradient = QRadialGradient(centre, radius)
    gradient.setColorAt(0.0, color.lighter(150))
    gradient.setColorAt(0.6, color)
    gradient.setColorAt(1.0, color.darker(160))
    painter.setBrush(QBrush(gradient))
    painter.drawEllipse(centre, radius, radius)
    painter.end()
    return pixmap


class LedCache:
    """Dot pixmaps per (colour, pitch) and text pixmaps per (text, colour, scale, pitch)."""

    def __init__(self, max_texts: int = 256) -> None:
        self.max_texts = max_texts
        self._dots: dict[tuple[str, int], QPixmap] = {}
        self._texts: OrderedDict[tuple[str, str, int, int], QPixmap] = OrderedDict()
        self.renders = 0  # text pixmaps built (a cache miss each): tests and the benchmark

    def dot(self, color: str, pitch: int) -> QPixmap:
        """The LED dot pixmap of ``color`` (a COLORS name or ``unlit``)."""
        key = (color, pitch)
        if key not in self._dots:
            self._dots[key] = dot_pixmap(COLORS.get(color, UNLIT), pitch)
        return self._dots[key]

    def text(self, text: str, color: str, scale: int, pitch: int) -> QPixmap:
        """``text`` as lit dots on transparent ground; each font pixel is scale × scale dots."""
        key = (text, color, scale, pitch)
        pixmap = self._texts.get(key)
        if pixmap is not None:
            self._texts.move_to_end(key)
            return pixmap
        pixmap = self._render(bitmap_font().text(text), color, scale, pitch)
        self.renders += 1
        self._texts[key] = pixmap
        while len(self._texts) > self.max_texts:
            self._texts.popitem(last=False)
        return pixmap

    def _render(self, bitmap: Bitmap, color: str, scale: int, pitch: int) -> QPixmap:
        """Lit dots where the bitmap is on: a field of dots cut out by the enlarged bitmap.

        A handful of Qt calls per text whatever its length (no Python loop over dots).
        """
        step = pitch * scale
        width, height = max(1, bitmap.width * step), FONT_PX * step
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.fillRect(0, 0, width, height, QBrush(self.dot(color, pitch)))
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        painter.drawImage(0, 0, mask_image(bitmap).scaled(
            width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.FastTransformation))
        painter.end()
        return QPixmap.fromImage(image)


def mask_image(bitmap: Bitmap) -> QImage:
    """The bitmap as an alpha mask, one pixel per font pixel (opaque where lit)."""
    width = max(1, bitmap.width)
    stride = (width + 3) // 4 * 4  # QImage rows are 32-bit aligned
    data = bytearray(stride * FONT_PX)
    for y, row in enumerate(bitmap.rows):
        bits = format(row, f"0{width}b")
        data[y * stride:y * stride + width] = bits.replace("0", "\0").replace("1", "\xff").encode("latin-1")
    return QImage(bytes(data), width, FONT_PX, stride, QImage.Format.Format_Alpha8).copy()


@dataclass(frozen=True)
class LedText:
    """One text run on the board, placed in dot coordinates.

    ``width`` (dots) bounds the run: the text is aligned inside it, cut at its edge, or scrolled
    through it when ``scroll`` is set. ``blink`` makes the run flash with the board's blink phase.
    """

    text: str
    x: int
    y: int
    color: str = "red"
    scale: int = 1
    width: int | None = None
    align: str = "left"
    blink: bool = False
    scroll: bool = False

    @property
    def height(self) -> int:
        """Height in dots."""
        return FONT_PX * self.scale


class LedMatrix(QWidget):
    """A black panel of ``cols`` × ``rows`` round LEDs showing named :class:`LedText` runs.

    Call :meth:`tick` from one timer to advance scrolling by one dot; blinking follows
    :meth:`set_blink` (the owner decides the phase, so every run blinks in step).
    """

    def __init__(self, cols: int, rows: int, parent: QWidget | None = None,
                 cache: LedCache | None = None) -> None:
        super().__init__(parent)
        self.cols, self.rows = cols, rows
        self.cache = cache or LedCache()
        self._items: dict[str, LedText] = {}
        self._scroll: dict[str, int] = {}
        self._blink_on = True
        self._grid_brush: tuple[tuple[int, int, int], QPixmap] | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(cols, rows)

    # -- content -----------------------------------------------------------------------------

    def set_item(self, name: str, item: LedText | None) -> None:
        """Place, replace (``item``) or remove (None) the run called ``name``."""
        old = self._items.get(name)
        if item is None:
            self._items.pop(name, None)
        else:
            self._items[name] = item
            if old is None or old.text != item.text:
                self._scroll[name] = 0
        if old != item:
            self.update()

    def item(self, name: str) -> LedText | None:
        """The run called ``name``."""
        return self._items.get(name)

    def texts(self) -> dict[str, str]:
        """Every run's text by name (what the board shows)."""
        return {name: item.text for name, item in self._items.items()}

    def clear(self, prefix: str = "") -> None:
        """Remove every run whose name starts with ``prefix``."""
        for name in [n for n in self._items if n.startswith(prefix)]:
            self.set_item(name, None)

    def text_width(self, text: str, scale: int = 1) -> int:
        """Width of ``text`` in dots."""
        return bitmap_font().width(text) * scale

    # -- animation ---------------------------------------------------------------------------

    def tick(self, dots: int = 1) -> None:
        """Advance every scrolling run by ``dots``."""
        for name, item in self._items.items():
            if item.scroll:
                span = (item.width or self.cols) + self.text_width(item.text, item.scale)
                self._scroll[name] = (self._scroll.get(name, 0) + dots) % max(1, span)
                self.update(self._rect(item, self.pitch(), self._origin()))

    def set_blink(self, on: bool) -> None:
        """Show (True) or hide blinking runs."""
        if on != self._blink_on:
            self._blink_on = on
            pitch, origin = self.pitch(), self._origin()
            for item in self._items.values():
                if item.blink:
                    self.update(self._rect(item, pitch, origin))

    # -- geometry and painting ---------------------------------------------------------------

    def pitch(self) -> int:
        """Pixels per LED at the current size."""
        return max(1, min(self.width() // self.cols, self.height() // self.rows))

    def _origin(self) -> tuple[int, int]:
        pitch = self.pitch()
        return (self.width() - pitch * self.cols) // 2, (self.height() - pitch * self.rows) // 2

    def _rect(self, item: LedText, pitch: int, origin: tuple[int, int]) -> QRect:
        width = item.width if item.width is not None else self.cols - item.x
        return QRect(origin[0] + item.x * pitch, origin[1] + item.y * pitch,
                     width * pitch, item.height * pitch)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        return QSize(self.cols * 4, self.rows * 4)

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt naming
        painter = QPainter(self)
        pitch, origin = self.pitch(), self._origin()
        # The unlit board is one opaque cached pixmap: a copy, not a blend, on every frame.
        painter.drawPixmap(event.rect(), self._background(pitch, origin), event.rect())
        for name, item in self._items.items():
            if item.blink and not self._blink_on:
                continue
            box = self._rect(item, pitch, origin)
            if not box.intersects(event.rect()):
                continue
            self._paint_item(painter, name, item, box, pitch)
        painter.end()

    def _paint_item(self, painter: QPainter, name: str, item: LedText, box: QRect, pitch: int) -> None:
        pixmap = self.cache.text(item.text, item.color, item.scale, pitch)
        text_dots = pixmap.width() // pitch
        box_dots = box.width() // pitch
        if item.scroll:
            offset = box_dots - self._scroll.get(name, 0)
        elif item.align == "center":
            offset = max(0, (box_dots - text_dots) // 2)
        elif item.align == "right":
            offset = max(0, box_dots - text_dots)
        else:
            offset = 0
        # Only the part inside the box is drawn: a source rectangle, not a clip (one call).
        left = box.x() + offset * pitch
        visible = QRect(left, box.y(), pixmap.width(), pixmap.height()).intersected(box)
        if not visible.isEmpty():
            source = visible.translated(-left, -box.y())
            painter.drawPixmap(visible, pixmap, source)

    def _background(self, pitch: int, origin: tuple[int, int]) -> QPixmap:
        """Black with the grid of unlit dots, at the widget's size; rebuilt on resize."""
        key = (self.width(), self.height(), pitch)
        if self._grid_brush is None or self._grid_brush[0] != key:
            pixmap = QPixmap(max(1, self.width()), max(1, self.height()))
            pixmap.fill(Qt.GlobalColor.black)
            painter = QPainter(pixmap)
            painter.setBrushOrigin(origin[0], origin[1])
            painter.fillRect(QRect(origin[0], origin[1], self.cols * pitch, self.rows * pitch),
                             QBrush(self.cache.dot("unlit", pitch)))
            painter.end()
            self._grid_brush = (key, pixmap)
        return self._grid_brush[1]
