"""The ticket layout: one list of elements built from the ticket data and its language.

The same list feeds the text renderer, the raster renderer and the preview, in both languages;
only the label table below differs between zh and en.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from drivers.printer.model import PrinterSettings, TicketData
from drivers.printer.textfit import clean, text_width

LABELS = {
    "zh": {
        "windows": "办理窗口：",
        "window_sep": "、",
        "ahead": "前面还有 {n} 人",
        "ahead_unknown": "前面等候人数：未知",
        "eta": "预计等候约 {n} 分钟",
        "eta_unknown": "预计等候时间：未知",
        "eta_now": "预计等候：马上",
        "name": "姓名：",
        "id": "证件：",
        "materials": "请备齐以下材料：",
        "scan": "扫码查看排队进度",
        "issued": "取号时间：",
        "offline": "【离线取号】",
    },
    "en": {
        "windows": "Windows: ",
        "windows_one": "Window: ",
        "window_sep": ", ",
        "ahead": "{n} people ahead of you",
        "ahead_one": "1 person ahead of you",
        "ahead_unknown": "People ahead: unknown",
        "eta": "Estimated wait: about {n} min",
        "eta_unknown": "Estimated wait: unknown",
        "eta_now": "Estimated wait: now",
        "name": "Name: ",
        "id": "ID: ",
        "materials": "Please have ready:",
        "scan": "Scan to follow the queue",
        "issued": "Issued: ",
        "offline": "[ISSUED OFFLINE]",
    },
}


@dataclass(frozen=True)
class Text:
    """A paragraph: wrapped to the paper at its size (1-8 times font A, width and height)."""

    text: str
    size: int = 1
    align: Literal["left", "center"] = "left"
    bold: bool = False
    invert: bool = False
    indent: int = 0  # columns of hanging indent on continuation lines


@dataclass(frozen=True)
class Rule:
    """A thin separator across the paper."""


@dataclass(frozen=True)
class QR:
    """A centred QR code of ``data``."""

    data: str


@dataclass(frozen=True)
class Logo:
    """A centred image from a file, scaled to fit the paper."""

    path: str


@dataclass(frozen=True)
class Feed:
    """Blank lines."""

    lines: int = 1


Element = Text | Rule | QR | Logo | Feed


def number_size(number: str, columns: int) -> int:
    """The largest size (up to 4) at which the ticket number fits one line."""
    for size in (4, 3, 2):
        if text_width(number) * size <= columns:
            return size
    return 1


def build_layout(data: TicketData, settings: PrinterSettings) -> list[Element]:
    """The ticket as layout elements, top to bottom."""
    labels = LABELS[data.language]
    out: list[Element] = []
    if settings.logo:
        out.append(Logo(settings.logo))
    if data.offline:
        out.append(Text(labels["offline"], align="center", bold=True, invert=True))
    out.append(Text(data.hall_name, align="center", bold=True))
    out.append(Rule())
    big = number_size(clean(data.number), settings.columns)
    out.append(Text(data.number, size=big, align="center", bold=True))
    out.append(Text(data.service_name, size=2, align="center", bold=True))
    if data.priority_label:
        out.append(Text(f" {data.priority_label} ", align="center", bold=True, invert=True))
    out.append(Feed())
    out.extend(_queue_lines(data, labels))
    out.extend(_identity_lines(data, labels))
    if settings.show_materials and data.materials:
        out.append(Rule())
        out.append(Text(labels["materials"], bold=True))
        for i, item in enumerate(data.materials, 1):
            out.append(Text(f"{i}. {item}", indent=len(str(i)) + 2))
    if data.status_url:
        out.append(Rule())
        out.append(QR(data.status_url))
        out.append(Text(labels["scan"], align="center"))
    out.append(Rule())
    out.append(Text(labels["issued"] + data.issued_at.strftime("%Y-%m-%d %H:%M")))
    if data.footer:
        out.append(Text(data.footer, align="center"))
    return out


def _queue_lines(data: TicketData, labels: dict[str, str]) -> list[Element]:
    out: list[Element] = []
    if data.windows:
        label = labels["windows_one" if len(data.windows) == 1 and "windows_one" in labels else "windows"]
        out.append(Text(label + labels["window_sep"].join(data.windows), indent=text_width(label)))
    if data.ahead is None:
        ahead = labels["ahead_unknown"]
    else:
        key = "ahead_one" if data.ahead == 1 and "ahead_one" in labels else "ahead"
        ahead = labels[key].format(n=data.ahead)
    out.append(Text(ahead))
    if data.eta_minutes is None:
        out.append(Text(labels["eta_unknown"]))
    elif data.eta_minutes == 0:  # a window is free: "now", never "about 0 min"
        out.append(Text(labels["eta_now"]))
    else:
        out.append(Text(labels["eta"].format(n=data.eta_minutes)))
    return out


def _identity_lines(data: TicketData, labels: dict[str, str]) -> list[Element]:
    out: list[Element] = []
    if data.citizen_name_masked:
        out.append(Text(labels["name"] + data.citizen_name_masked))
    if data.id_masked:
        out.append(Text(labels["id"] + data.id_masked))
    return out
