"""Sample tickets and raster measurements shared by the printer tests."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from PIL import Image

from drivers.printer import TicketData

STATUS_URL = "https://hall.example.gov.cn/t/20240506-A012?k=7f3a"


def ticket(**changes: object) -> TicketData:
    """A full real-name ticket in Chinese; keyword arguments replace fields."""
    base = TicketData(
        hall_name="浦东新区政务服务中心",
        number="A012",
        service_name="社会保障卡申领",
        windows=["3", "5", "12"],
        ahead=7,
        eta_minutes=21,
        priority_label="绿色通道",
        citizen_name_masked="张*明",
        id_masked="3101**********0014",
        materials=["居民身份证原件", "近期免冠一寸照片（白底）"],
        status_url=STATUS_URL,
        issued_at=datetime(2024, 5, 6, 9, 31),
        footer="请留意叫号，过号需重新取号。",
        offline=False,
        language="zh",
    )
    return dataclasses.replace(base, **changes)


def english_ticket(**changes: object) -> TicketData:
    """The same ticket in English."""
    return ticket(
        hall_name="Pudong Government Service Center",
        service_name="Social Security Card",
        priority_label="Priority",
        materials=["ID card (original)", "One passport photo"],
        footer="Please listen for your number.",
        language="en",
        **changes,
    )


def ink_bands(img: Image.Image, merge_gap: int = 3) -> list[tuple[int, int, int, int]]:
    """Horizontal bands of ink: (top, bottom, left, right), bottom/right exclusive.

    Rows of a printed line run together; blank gaps of more than ``merge_gap`` rows
    separate lines.
    """
    gray = img.convert("L")
    width, height = gray.size
    data = gray.tobytes()
    rows = [data[y * width : (y + 1) * width] for y in range(height)]
    inked = [any(b < 128 for b in row) for row in rows]
    bands: list[list[int]] = []
    for y, has_ink in enumerate(inked):
        if not has_ink:
            continue
        if bands and y - bands[-1][1] <= merge_gap:
            bands[-1][1] = y + 1
        else:
            bands.append([y, y + 1])
    out = []
    for top, bottom in bands:
        box = gray.crop((0, top, width, bottom)).point(lambda v: 255 if v < 128 else 0).getbbox()
        left, right = (box[0], box[2]) if box else (0, 0)
        out.append((top, bottom, left, right))
    return out
