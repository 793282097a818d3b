"""What devices report about themselves and what the hall shows of them (DESIGN.md §5, "Devices").

Pure pydantic, like ``kiosk.rating_models``: the hall client and the programs' reporters load
this, never SQLAlchemy; ``kiosk.device_status`` stores the reports and derives the list and the
alerts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from kiosk.models import ApiModel

PRINTER_STATES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "error")
"""A ticket printer's states; ``paper_low`` is the roll's near-end sensor."""
PART_STATES = ("ok", "offline", "error")
"""The states of an ID card reader or an LED window sign bus."""
PROGRAMS = ("kiosk", "display", "counter", "rate")
"""The programs that report: ``kiosk run``, ``kiosk display``, ``kiosk counter``, ``kiosk rate``."""
PARTS = ("printer", "reader", "sign")

_DETAIL = Field(default="", max_length=160, description="a short plain sentence: what is wrong")


class PrinterPart(ApiModel):
    """The printer's state as the device last saw it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    state: Literal["ok", "paper_low", "paper_out", "cover_open", "offline", "error"]
    detail: str = _DETAIL


class Part(ApiModel):
    """A reader's or a sign bus's state as the device last saw it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    state: Literal["ok", "offline", "error"]
    detail: str = _DETAIL


class DeviceReport(ApiModel):
    """Body of ``POST /api/v1/devices/status``: what a device says of itself. Who reports is
    the token's business (device name, role, window), never the body's; a part the device does
    not have is left out."""

    model_config = ConfigDict(extra="forbid", strict=True)

    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}$", description="the program's version")
    program: Literal["kiosk", "display", "counter", "rate"]
    printer: PrinterPart | None = None
    reader: Part | None = None
    sign: Part | None = None
    outbox_pending: int = Field(default=0, ge=0, le=10_000_000, description="requests not yet sent to the hall")
    uptime_s: float = Field(default=0, ge=0, le=10 * 365 * 86400, description="seconds since the program started")

    def parts(self) -> dict[str, dict]:
        """The parts reported, by name: ``{"printer": {"state": …, "detail": …}}``."""
        return {name: part.model_dump() for name in PARTS if (part := getattr(self, name)) is not None}


class PartView(ApiModel):
    """A part as the hall last heard of it: ``since`` is when it entered this state (as far as
    the hall knows: its first report in it)."""

    state: str
    detail: str = ""
    since: datetime | None = None


class DeviceView(ApiModel):
    """One device as ``GET /api/v1/devices`` and the console list it.

    ``seen`` is False for a device that has a token but never reported ("never seen"); then
    only the token's binding is known. ``offline``: not seen for more than three report
    intervals (the hall file's ``[policy] device_report_s``), or never seen.
    """

    key: str
    name: str
    role: str
    device: str
    window: int | None = None
    seen: bool
    offline: bool
    status: Literal["online", "offline", "never_seen"]
    last_seen: datetime | None = None
    version: str = ""
    program: str = ""
    parts: dict[str, PartView] = {}
    outbox_pending: int = 0
    uptime_s: float = 0
    address: str = ""


class Alert(ApiModel):
    """A device problem the console's Live page shows: ``kind`` is a machine key
    (``paper_out``, ``paper_low``, ``printer``, ``reader``, ``sign``, ``offline``), ``message``
    a plain sentence, ``level`` ``error`` or ``warning``; ``since``: when the part entered
    that state, or the device's last report for ``offline``."""

    kind: str
    level: Literal["error", "warning"]
    device: str
    name: str
    message: str
    since: datetime | None = None
