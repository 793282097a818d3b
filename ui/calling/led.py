"""A dot-matrix LED board drawn from a 16-pixel bitmap font (GNU Unifont, ``ledfont``).

Every font pixel is exactly one LED. A text run becomes one pixmap of round LED dots, cached;
the unlit grid is a tiled texture. Painting a frame is therefore a handful of pixmap blits,
whatever the size of the board, which keeps a full-HD board cheap to animate.

The board fills whatever screen it is on: given a base grid (384 × 216 dots for the hall's
board), it takes the largest whole dot pitch that still gives at least that many dots, turned
to portrait on a portrait screen, and covers the rest of the screen with more dots. Whoever lays
texts out on it follows :attr:`LedMatrix.gridChanged`.

A run too wide for its box scrolls through it when it may (a marquee that holds still at its
start, then loops); :meth:`LedMatrix.problems` lists every run that is cut, outside the grid or
on top of another, with the same measure the painting uses.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPixmap, QRadialGradient
from PySide6.QtWidgets import QWidget

from ui.calling.ledfont import BADGE_PAD, FONT_PX, Bitmap, badge, bitmap_font, whole_words_width

__all__ = ["COLORS", "FONT_PX", "LedCache", "LedMatrix", "LedText", "bitmap_font", "grid_for", "text_dots"]

#: Lit LED colours of real boards: red, green and amber.
COLORS = {"red": QColor(255, 40, 24), "green": QColor(40, 255, 70), "amber": QColor(255, 176, 0)}
UNLIT = QColor(38, 30, 30)
MARQUEE_HOLD = 50  # ticks a marquee stands still at its start (2 s at 25 frames a second)
MARQUEE_GAP = 32  # dots between the end of a marquee's text and its start coming round again


def grid_for(width: int, height: int, base: tuple[int, int]) -> tuple[int, int, int]:
    """(cols, rows, pitch) filling ``width`` × ``height`` pixels with at least ``base`` dots
    (``base`` is landscape; a portrait screen gets it turned)."""
    cols, rows = base if width >= height else (base[1], base[0])
    pitch = max(1, min(width // cols, height // rows))
    return max(1, width // pitch), max(1, height // pitch), pitch


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
    """Dot pixmaps per (colour, pitch) and text pixmaps per (text, colour, scale, pitch, badge)."""

    def __init__(self, max_texts: int = 256) -> None:
        self.max_texts = max_texts
        self._dots: dict[tuple[str, int], QPixmap] = {}
        self._texts: OrderedDict[tuple[str, str, int, int, bool], QPixmap] = OrderedDict()
        self.renders = 0  # text pixmaps built (a cache miss each): tests and the benchmark

    def dot(self, color: str, pitch: int) -> QPixmap:
        """The LED dot pixmap of ``color`` (a COLORS name or ``unlit``)."""
        key = (color, pitch)
        if key not in self._dots:
            self._dots[key] = dot_pixmap(COLORS.get(color, UNLIT), pitch)
        return self._dots[key]

    def text(self, text: str, color: str, scale: int, pitch: int, reverse: bool = False) -> QPixmap:
        """``text`` as lit dots on transparent ground; each font pixel is scale × scale dots.

        ``reverse`` draws it as a badge: dark letters on a lit block."""
        key = (text, color, scale, pitch, reverse)
        pixmap = self._texts.get(key)
        if pixmap is not None:
            self._texts.move_to_end(key)
            return pixmap
        bitmap = bitmap_font().text(text)
        pixmap = self._render(badge(bitmap) if reverse else bitmap, color, scale, pitch)
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

    ``width`` (dots) bounds the run: the text is aligned inside it, or, when it does not fit,
    scrolled through it if ``scroll`` is set (else cut at the edge: :meth:`LedMatrix.problems`
    reports that). ``blink`` makes the run flash with the board's blink phase; ``badge`` draws
    it reversed, dark on a lit block.
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
    badge: bool = False

    @property
    def height(self) -> int:
        """Height in dots."""
        return FONT_PX * self.scale


def text_dots(text: str, scale: int = 1, badged: bool = False) -> int:
    """Width of ``text`` in dots, as drawn (a badge adds its padding)."""
    return (bitmap_font().width(text) + (2 * BADGE_PAD if badged else 0)) * scale


class LedMatrix(QWidget):
    """A black panel of ``cols`` × ``rows`` round LEDs showing named :class:`LedText` runs.

    With ``base`` the grid follows the widget's size (:func:`grid_for`) and ``gridChanged``
    tells when it did. Call :meth:`tick` from one timer to advance scrolling by one dot;
    blinking follows :meth:`set_blink` (the owner decides the phase, so every run blinks in
    step).
    """

    gridChanged = Signal(int, int)  # noqa: N815 - Qt naming

    def __init__(self, cols: int, rows: int, parent: QWidget | None = None,
                 cache: LedCache | None = None, base: tuple[int, int] | None = None) -> None:
        super().__init__(parent)
        self.cols, self.rows = cols, rows
        self.base = base
        self.cache = cache or LedCache()
        self._items: dict[str, LedText] = {}
        self._scroll: dict[str, int] = {}
        self._blink_on = True
        self._grid_brush: tuple[tuple[int, int, int], QPixmap] | None = None
        self.painted: dict[str, tuple[int, int, bool]] = {}  # name → (text px, box px, scrolled)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(min(cols, 64), min(rows, 36))

    # -- content -----------------------------------------------------------------------------

    def set_item(self, name: str, item: LedText | None) -> None:
        """Place, replace (``item``) or remove (None) the run called ``name``."""
        old = self._items.get(name)
        if item is None:
            self._items.pop(name, None)
            self.painted.pop(name, None)
        else:
            self._items[name] = item
            if old is None or old.text != item.text:
                self._scroll[name] = 0
        if old != item:
            self.update()

    def item(self, name: str) -> LedText | None:
        """The run called ``name``."""
        return self._items.get(name)

    def items(self) -> dict[str, LedText]:
        """Every run by name."""
        return dict(self._items)

    def texts(self) -> dict[str, str]:
        """Every run's text by name (what the board shows)."""
        return {name: item.text for name, item in self._items.items()}

    def replace(self, prefix: str, items: dict[str, LedText]) -> None:
        """Make ``items`` the runs whose names start with ``prefix``: others with that prefix go,
        runs whose text stays keep their scrolling position."""
        for name in [n for n in self._items if n.startswith(prefix) and n not in items]:
            self.set_item(name, None)
        for name, item in items.items():
            self.set_item(name, item)

    def clear(self, prefix: str = "") -> None:
        """Remove every run whose name starts with ``prefix``."""
        for name in [n for n in self._items if n.startswith(prefix)]:
            self.set_item(name, None)

    def text_width(self, text: str, scale: int = 1) -> int:
        """Width of ``text`` in dots."""
        return text_dots(text, scale)

    def box_width(self, item: LedText) -> int:
        """Width of the run's box in dots (to the right edge when it has no width)."""
        return item.width if item.width is not None else self.cols - item.x

    def overflows(self, item: LedText) -> bool:
        """Whether the run's text is wider than its box (it scrolls, or is cut)."""
        return text_dots(item.text, item.scale, item.badge) > self.box_width(item)

    # -- grid --------------------------------------------------------------------------------

    def set_grid(self, cols: int, rows: int) -> None:
        """Use a grid of ``cols`` × ``rows`` dots (the runs stay; their owner lays them out)."""
        if (cols, rows) != (self.cols, self.rows):
            self.cols, self.rows = cols, rows
            self.update()
            self.gridChanged.emit(cols, rows)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt naming
        if self.base is not None:
            cols, rows, _ = grid_for(self.width(), self.height(), self.base)
            self.set_grid(cols, rows)
        super().resizeEvent(event)

    # -- animation ---------------------------------------------------------------------------

    def tick(self, dots: int = 1) -> None:
        """Advance every scrolling run that does not fit by ``dots``."""
        pitch, origin = self.pitch(), self._origin()
        for name, item in self._items.items():
            if item.scroll and self.overflows(item):
                span = self._hold(item) + text_dots(item.text, item.scale, item.badge) + MARQUEE_GAP
                self._scroll[name] = (self._scroll.get(name, 0) + dots) % span
                self.update(self._rect(item, pitch, origin))

    def rewind(self) -> None:
        """Every marquee back to its start (screenshots show its first whole words)."""
        self._scroll = dict.fromkeys(self._scroll, 0)
        self.update()

    def scroll_offset(self, name: str) -> int:
        """How far (dots) the run called ``name`` has scrolled left of its start."""
        return max(0, self._scroll.get(name, 0) - self._hold(self._items[name]))

    def _hold(self, item: LedText) -> int:
        """Ticks a marquee stands still at its start: none when not even its first word shows
        whole (holding would show half a word)."""
        return MARQUEE_HOLD if self._hold_width(item) else 0

    def _hold_width(self, item: LedText) -> int:
        """Dots of the marquee's start shown while it holds still: its whole first words."""
        return whole_words_width(item.text, self.box_width(item) // item.scale) * item.scale

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
        return QRect(origin[0] + item.x * pitch, origin[1] + item.y * pitch,
                     self.box_width(item) * pitch, item.height * pitch)

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
        pixmap = self.cache.text(item.text, item.color, item.scale, pitch, item.badge)
        text_dots_, box_dots = pixmap.width() // pitch, box.width() // pitch
        scrolled = item.scroll and text_dots_ > box_dots
        self.painted[name] = (pixmap.width(), box.width(), scrolled)
        if scrolled:
            offset = -self.scroll_offset(name)
            starts = (offset, offset + text_dots_ + MARQUEE_GAP)  # the loop comes round again
        elif item.align == "center":
            starts = (max(0, (box_dots - text_dots_) // 2),)
        elif item.align == "right":
            starts = (max(0, box_dots - text_dots_),)
        else:
            starts = (0,)
        if scrolled and self._hold(item) and self.scroll_offset(name) == 0:
            # Holding still at its start, a marquee shows whole words only, not half of one.
            box = QRect(box.x(), box.y(), self._hold_width(item) * pitch, box.height())
        for start in starts:
            # Only the part inside the box is drawn: a source rectangle, not a clip (one call).
            left = box.x() + start * pitch
            visible = QRect(left, box.y(), pixmap.width(), pixmap.height()).intersected(box)
            if not visible.isEmpty():
                painter.drawPixmap(visible, pixmap, visible.translated(-left, -box.y()))

    def _background(self, pitch: int, origin: tuple[int, int]) -> QPixmap:
        """Black with the grid of unlit dots, at the widget's size; rebuilt on resize."""
        key = (self.width(), self.height(), pitch, self.cols, self.rows)
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

    # -- checks ------------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Every run cut at its box's edge, lying outside the grid or over another run, and
        every run painted cut (as measured by the last paint), one line each."""
        found = []
        for name, item in self._items.items():
            if self.overflows(item) and not item.scroll:
                found.append(f"{name} {item.text!r}: needs {text_dots(item.text, item.scale, item.badge)}"
                             f" dots, has {self.box_width(item)}")
            if item.x < 0 or item.y < 0 or item.x + self.box_width(item) > self.cols \
                    or item.y + item.height > self.rows:
                found.append(f"{name} {item.text!r}: outside the {self.cols}x{self.rows} grid")
        for name, (text_px, box_px, scrolled) in self.painted.items():
            if text_px > box_px and not scrolled:
                found.append(f"{name}: painted {text_px}px of text in a {box_px}px box")
        return found + self._overlaps()

    def _overlaps(self) -> list[str]:
        boxes = [(name, QRect(i.x, i.y, self.box_width(i), i.height)) for name, i in self._items.items()]
        return [f"{a} overlaps {b}" for n, (a, ra) in enumerate(boxes) for b, rb in boxes[n + 1:]
                if ra.intersects(rb)]

    def unlit_margin(self) -> tuple[int, int]:
        """Pixels of the widget left without dots across and down (less than a dot when the
        grid follows the widget)."""
        pitch = self.pitch()
        return self.width() - pitch * self.cols, self.height() - pitch * self.rows
