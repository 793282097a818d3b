"""Drawing the layout with Pillow: whole raster tickets, text strips and previews.

Text is drawn on the printer's own grid (12 dots per column, 24-dot glyphs, times the size),
so a raster ticket wraps exactly like a text-mode one and the preview shows what prints.
Glyphs come from WenQuanYi Micro Hei; characters it lacks (CJK Extension A) fall back to
GNU Unifont when installed, else show as a box.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont, ImageOps

from drivers.printer.layout import QR, Element, Feed, Logo, Rule, Text
from drivers.printer.model import PrinterSettings
from drivers.printer.textfit import char_width, clean, wrap

CELL, GLYPH, LINE = 12, 24, 30  # dots: column width, glyph height, line pitch (font A)
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)
FALLBACK_FONTS = ("/usr/share/fonts/opentype/unifont/unifont.otf",)


@functools.lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """The CJK font file: fc-match's answer for WenQuanYi Micro Hei, else a known path."""
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", "WenQuanYi Micro Hei:lang=zh-cn"],
                capture_output=True, text=True, timeout=5, check=False,
            ).stdout.strip()
            if found and Path(found).exists() and "wqy" in found.lower():
                return found
        except (OSError, subprocess.SubprocessError):
            pass
    return next((p for p in CJK_FONTS if Path(p).exists()), None)


@functools.lru_cache(maxsize=32)
def _fonts(px: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, ...]:
    fonts: list = []
    for path in (cjk_font_path(), *FALLBACK_FONTS):
        if path and Path(path).exists():
            fonts.append(ImageFont.truetype(path, px))
    return tuple(fonts) or (ImageFont.load_default(px),)


@functools.lru_cache(maxsize=4096)
def _font_for(ch: str, px: int):
    """The first font with a real glyph for ``ch`` (not the .notdef box)."""
    fonts = _fonts(px)
    for font in fonts:
        if not hasattr(font, "getmask") or len(fonts) == 1:
            return font
        if bytes(font.getmask(ch)) != bytes(font.getmask("\uffff")):
            return font
    return fonts[0]


@functools.lru_cache(maxsize=8192)
def _glyph(ch: str, size: int, bold: bool) -> Image.Image:
    """The ink mask (255 = ink) of one character in its grid cell; cached, as tickets repeat
    the same few hundred characters."""
    cell = char_width(ch) * CELL * size
    mask = Image.new("L", (max(cell, 1), LINE * size), 0)
    draw = ImageDraw.Draw(mask)
    px = GLYPH * size
    font = _font_for(ch, px)
    left, _, right, _ = draw.textbbox((0, 0), ch, font=font)
    offset = max(0, (cell - (right - left)) // 2) - left
    for dx in (0, max(1, size)) if bold else (0,):  # bold: double strike, as printers do
        draw.text((offset + dx, size), ch, font=font, fill=255)
    return mask.point(lambda v: 255 if v > 115 else 0)


def line_image(text: str, size: int = 1, bold: bool = False, invert: bool = False) -> Image.Image:
    """One line drawn on the font-A grid: width = its columns, height = one line pitch."""
    columns = sum(char_width(ch) for ch in text)
    img = Image.new("L", (max(columns, 1) * CELL * size, LINE * size), 255)
    ink = 0
    if invert:
        ImageDraw.Draw(img).rectangle((0, 0, img.width, GLYPH * size + 2), fill=0)
        ink = 255
    x = 0
    for ch in text:
        mask = _glyph(ch, size, bold)
        img.paste(ink, (x, 0), mask)
        x += mask.width
    return img.convert("1", dither=Image.Dither.NONE)


def qr_image(data: str, settings: PrinterSettings) -> Image.Image:
    """The QR code as a black-and-white image (module size as the native code uses)."""
    code = qrcode.QRCode(border=2, box_size=qr_module(settings),
                         error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    img = code.make_image().get_image().convert("1")
    if img.width > settings.width_dots:
        img = img.resize((settings.width_dots, settings.width_dots), Image.NEAREST)
    return img


def qr_module(settings: PrinterSettings) -> int:
    """Dots per QR module: large enough for phone cameras, small enough for 58 mm paper."""
    return 6 if settings.width_mm == 80 else 5


def logo_image(path: str, settings: PrinterSettings) -> Image.Image:
    """The logo scaled to fit (at most 160 dots high) and dithered to black and white."""
    try:
        with Image.open(path) as src:
            img = src.convert("RGBA")
    except (OSError, ValueError) as exc:
        raise ValueError(f"printer logo {path!r} cannot be read: {exc}") from exc
    flat = Image.new("RGBA", img.size, (255, 255, 255, 255))
    flat.alpha_composite(img)
    gray = flat.convert("L")
    gray.thumbnail((settings.width_dots, 160))
    return ImageOps.autocontrast(gray).convert("1")


def _placed(img: Image.Image, width: int, align: str) -> tuple[Image.Image, int]:
    x = (width - img.width) // 2 if align == "center" else 0
    return img, max(x, 0)


def element_images(element: Element, settings: PrinterSettings) -> list[tuple[Image.Image, int]]:
    """The images (with x offsets) one element draws, top to bottom."""
    width = settings.width_dots
    if isinstance(element, Text):
        lines = wrap(element.text, settings.columns // element.size, element.indent)
        return [
            _placed(line_image(line, element.size, element.bold, element.invert), width, element.align)
            for line in lines
            if clean(line)
        ]
    if isinstance(element, Rule):
        img = Image.new("1", (width, LINE // 2), 1)
        ImageDraw.Draw(img).line((0, LINE // 4, width, LINE // 4), fill=0, width=2)
        return [(img, 0)]
    if isinstance(element, QR):
        return [_placed(qr_image(element.data, settings), width, "center")]
    if isinstance(element, Logo):
        return [_placed(logo_image(element.path, settings), width, "center")]
    if isinstance(element, Feed):
        return [(Image.new("1", (width, LINE * element.lines), 1), 0)]
    raise TypeError(f"unknown layout element {element!r}")


def render_raster(elements: list[Element], settings: PrinterSettings) -> Image.Image:
    """The whole ticket as one black-and-white image, ``width_dots`` wide."""
    parts = [p for element in elements for p in element_images(element, settings)]
    height = sum(img.height for img, _ in parts) + LINE
    ticket = Image.new("1", (settings.width_dots, height), 1)
    y = 0
    for img, x in parts:
        ticket.paste(img, (x, y))
        y += img.height
    return ticket
