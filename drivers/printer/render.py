"""Render a ticket to ESC/POS bytes (text or raster mode) or to a preview image.

Text mode: ``ESC @``, Chinese mode ``FS &``, text encoded to GB18030 here (python-escpos
``text()`` turns a line of fullwidth punctuation into ``???``), sizes with ``GS !``, native QR
with ``GS ( k`` or a QR image. A line holding a character outside GBK (CJK Extension A such
as 㐀, or a Latin letter GBK lacks) is sent as a small ``GS v 0`` strip of that line instead
of text: GBK printers garble 4-byte GB18030 codes, and a substitute would misprint a name.

Raster mode: the whole ticket drawn as one image (see ``raster``), sent as ``GS v 0``.
python-escpos builds the QR and image commands; we only feed it bytes through ``_raw``.
"""

from __future__ import annotations

import copy

from PIL import Image

from drivers.printer.escposlib import QR_ECLEVEL_M, Dummy
from drivers.printer.layout import QR, Element, Feed, Logo, Rule, Text, build_layout
from drivers.printer.model import PrinterSettings, TicketData
from drivers.printer.raster import (
    element_images,
    line_image,
    qr_module,
    render_raster,
)
from drivers.printer.textfit import clean, gbk_safe, wrap

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01"}
LF = b"\n"


def _builder(settings: PrinterSettings) -> Dummy:
    """A python-escpos command builder that knows the paper width (for image checks)."""
    builder = Dummy()
    profile = copy.deepcopy(builder.profile.profile_data)
    profile["media"]["width"]["pixels"] = settings.width_dots
    builder.profile.profile_data = profile
    return builder


def _size(n: int) -> bytes:
    """``GS !``: width and height multipliers (1-8), which also scale Chinese characters."""
    n = min(max(n, 1), 8) - 1
    return GS + b"!" + bytes((n << 4 | n,))


class _Style:
    """The printer's current text style, so only changes are sent (bytes matter on serial)."""

    def __init__(self) -> None:
        self.current = {"align": "left", "size": 1, "bold": False, "invert": False}

    def set(self, builder: Dummy, **wanted: object) -> None:
        commands = {
            "align": lambda v: ALIGN[v],
            "size": _size,
            "bold": lambda v: ESC + b"E" + bytes((int(v),)),
            "invert": lambda v: GS + b"B" + bytes((int(v),)),
        }
        for key, value in wanted.items():
            if self.current[key] != value:
                builder._raw(commands[key](value))
                self.current[key] = value

    def of(self, builder: Dummy, element: Text) -> None:
        self.set(builder, align=element.align, size=element.size, bold=element.bold,
                 invert=element.invert)


def _image(builder: Dummy, img: Image.Image, x: int) -> None:
    """Send ``img`` as GS v 0, shifted right by ``x`` dots (padding only on the left)."""
    if x > 0:
        padded = Image.new("1", (x + img.width, img.height), 1)
        padded.paste(img, (x, 0))
        img = padded
    builder.image(img, impl="bitImageRaster")


def _text(builder: Dummy, style: _Style, element: Text, settings: PrinterSettings) -> None:
    for line in wrap(element.text, settings.columns // element.size, element.indent):
        if not clean(line):
            continue
        if all(gbk_safe(ch) for ch in line):
            style.of(builder, element)
            builder._raw(line.encode("gb18030") + LF)
        else:
            style.set(builder, align="left")  # the strip carries its own centring
            img = line_image(line, element.size, element.bold, element.invert)
            x = (settings.width_dots - img.width) // 2 if element.align == "center" else 0
            _image(builder, img, x)


def _element(builder: Dummy, style: _Style, element: Element, settings: PrinterSettings) -> None:
    if isinstance(element, Text):
        _text(builder, style, element, settings)
        return
    style.set(builder, align="left", size=1, bold=False, invert=False)
    if isinstance(element, Rule):
        builder._raw(b"-" * settings.columns + LF)
    elif isinstance(element, Feed):
        builder._raw(ESC + b"d" + bytes((min(element.lines, 255),)))
    elif isinstance(element, QR) and settings.qr == "native":
        style.set(builder, align="center")
        builder.qr(element.data, native=True, size=qr_module(settings), ec=QR_ECLEVEL_M)
        builder._raw(LF)
    elif isinstance(element, QR | Logo):
        for img, x in element_images(element, settings):
            _image(builder, img, x)
    else:
        raise TypeError(f"unknown layout element {element!r}")


def render_elements(elements: list[Element], settings: PrinterSettings) -> bytes:
    """The ESC/POS stream for a list of layout elements, in the settings' mode."""
    builder = _builder(settings)
    builder._raw(INIT + CHINESE_ON)
    if settings.mode == "raster":
        builder.image(render_raster(elements, settings), impl="bitImageRaster")
    else:
        style = _Style()
        for element in elements:
            _element(builder, style, element, settings)
    builder.cut(mode="PART")
    return builder.output


def render_ticket(data: TicketData, settings: PrinterSettings) -> bytes:
    """The ESC/POS byte stream of one ticket (mode, width and QR option from ``settings``)."""
    return render_elements(build_layout(data, settings), settings)


def render_preview(data: TicketData, settings: PrinterSettings) -> Image.Image:
    """The ticket as an image (greyscale), for the staff panel, the demo and tests."""
    return render_raster(build_layout(data, settings), settings).convert("L")
