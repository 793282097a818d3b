"""What the printer driver takes and gives: ticket data, settings, status and results."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


@dataclass(frozen=True)
class TicketData:
    """Everything printed on one ticket, already in the ticket's language.

    Sequences are stored as tuples so a ticket stays immutable. Identity fields must arrive
    masked: a full ID number or name is refused here rather than printed.
    """

    hall_name: str
    number: str
    service_name: str
    windows: Sequence[str] = ()
    ahead: int | None = None
    eta_minutes: int | None = None
    priority_label: str | None = None
    citizen_name_masked: str | None = None
    id_masked: str | None = None
    materials: Sequence[str] = ()
    status_url: str | None = None
    issued_at: datetime = field(default_factory=datetime.now)
    footer: str = ""
    offline: bool = False
    language: Literal["zh", "en"] = "zh"

    def __post_init__(self) -> None:
        object.__setattr__(self, "windows", tuple(str(w) for w in self.windows))
        object.__setattr__(self, "materials", tuple(str(m) for m in self.materials))
        if self.language not in ("zh", "en"):
            raise ValueError(f"ticket language must be 'zh' or 'en', not {self.language!r}")
        if not self.number.strip():
            raise ValueError("ticket number is empty")
        for name in ("ahead", "eta_minutes"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"{name} must be a non-negative integer or None, not {value!r}")
        if self.id_masked is not None and "*" not in self.id_masked:
            raise ValueError("id_masked carries no mask ('*'): refusing to print a full ID")
        name = self.citizen_name_masked
        if name is not None and len(name) > 1 and "*" not in name:
            raise ValueError("citizen_name_masked carries no mask ('*'): refusing a full name")
        if not isinstance(self.issued_at, datetime):
            raise ValueError(f"issued_at must be a datetime, not {type(self.issued_at).__name__}")


class PrinterSettings(BaseModel):
    """The ``[printer]`` table of the kiosk config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # ``json_schema_extra`` "panel": the technician panel's page, labels and Chinese help for the
    # field (kiosk.settings_schema builds the panel from it); ``description`` is the English help;
    # "live": False as the printer is opened with these settings when the kiosk starts.
    uri: str = Field(
        "dummy:", description="e.g. usb://0416:5011, serial:///dev/ttyUSB0?baudrate=115200, "
        "tcp://192.168.1.50:9100, cups://Name, file:///tmp/ticket.bin, dummy:, sim:",
        json_schema_extra={"panel": "printer", "live": False, "label": {"zh": "打印机地址", "en": "Printer URI"},
                           "help_zh": "例如 usb://0416:5011、serial:///dev/ttyUSB0?baudrate=115200、"
                                      "tcp://192.168.1.50:9100、cups://打印机名、file:///tmp/ticket.bin、dummy:、sim:"})
    mode: Literal["text", "raster"] = Field(
        "text", description="text: printer fonts, fast; raster: one picture",
        json_schema_extra={"panel": "printer", "live": False, "label": {"zh": "打印方式", "en": "Print mode"},
                           "help_zh": "text：打印机字库，速度快；raster：整张图片"})
    width_mm: Literal[58, 80] = Field(
        80, description="Paper width: 58 or 80",
        json_schema_extra={"panel": "printer", "live": False, "label": {"zh": "纸宽（毫米）", "en": "Paper width (mm)"},
                           "help_zh": "58 或 80"})
    qr: Literal["native", "image"] = Field(
        "native", description="native: printer command (GS ( k); image: picture (printers without native QR)",
        json_schema_extra={"panel": "printer", "live": False, "label": {"zh": "二维码方式", "en": "QR code"},
                           "help_zh": "native：打印机指令；image：图片（不支持原生二维码的打印机）"})
    status_timeout_s: float = Field(0.5, gt=0, le=10, description="wait for one status answer")
    write_timeout_s: float = Field(
        5.0, gt=0, le=120, description="bound on sending one ticket, beyond the serial line's own transfer time",
    )
    logo: str | None = Field(None, description="image file printed at the top, optional")
    show_materials: bool = Field(
        True, description="Print the required materials on the ticket",
        json_schema_extra={"panel": "printer", "live": False, "label": {"zh": "打印材料清单", "en": "Print materials list"},
                           "help_zh": "在票上打印所需材料"})
    check_status: bool = Field(
        True, description="query paper/cover status (turn off for printers that never answer)"
    )

    @field_validator("uri")
    @classmethod
    def _uri_parses(cls, value: str) -> str:
        from drivers.printer.uri import parse_uri  # late: uri imports errors, not this module

        if value.strip():  # empty: a kiosk without a printer (every ticket an e-ticket)
            parse_uri(value)
        return value.strip()

    @property
    def width_dots(self) -> int:
        """Printable width in dots at 203 dpi: 384 on 58 mm paper, 576 on 80 mm."""
        return 384 if self.width_mm == 58 else 576

    @property
    def columns(self) -> int:
        """Characters per line in font A (12 dots wide): 32 on 58 mm, 48 on 80 mm."""
        return self.width_dots // 12


class PrinterState(enum.StrEnum):
    """What a status query found."""

    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PrinterStatus:
    """A status reading. ``answerable`` says whether the transport can answer at all.

    ``unknown`` from a transport that can answer (usb, serial, tcp) means the printer was
    silent or garbled: never fine. From a transport that cannot (file, dummy, cups) it is
    the best anyone knows and does not block printing.
    """

    state: PrinterState
    answerable: bool
    detail: str = ""

    @property
    def fine(self) -> bool:
        """True when a ticket can be printed and counted as done."""
        if self.state in (PrinterState.OK, PrinterState.PAPER_NEAR_END):
            return True
        return self.state is PrinterState.UNKNOWN and not self.answerable


@dataclass(frozen=True)
class PrintResult:
    """A finished print: bytes handed over and the status read afterwards."""

    bytes_written: int
    status: PrinterStatus
    seconds: float

    @property
    def confirmed(self) -> bool:
        """True when the printer itself confirmed a fine state after the ticket."""
        return self.status.answerable and self.status.fine
