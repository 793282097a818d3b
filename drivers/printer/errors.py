"""Typed printer failures, each with a plain message for citizens and a precise one for staff.

``PrinterError``
  ``PrinterUnavailable``   cannot open or lost the device (missing, unplugged, refused)
    ``PrinterNotResponding``  the device is there but did not answer a status query
  ``PaperOut``, ``CoverOpen``, ``PrinterOffline``   the printer reported a state
  ``PrintTimeout``         sending did not finish in time (also: printer busy too long)
  ``PrinterConfigError``   a bad URI or option, named precisely

``bytes_written`` tells the caller whether part of the ticket may be on paper, which decides
between voiding and re-offering the ticket.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from drivers.pipe import PipeError, PipeTimeout, PipeUriError
from drivers.printer.model import PrinterStatus

_CITIZEN = {
    "unavailable": {
        "zh": "打印机暂时无法使用，请拍下屏幕上的二维码或联系工作人员。",
        "en": "The printer is not available. Please photograph the QR code or ask staff.",
    },
    "paper": {
        "zh": "打印机缺纸，请联系工作人员。",
        "en": "The printer is out of paper. Please ask staff.",
    },
    "cover": {
        "zh": "打印机盖未关好，请联系工作人员。",
        "en": "The printer cover is open. Please ask staff.",
    },
    "failed": {
        "zh": "打印未完成，请联系工作人员。",
        "en": "Printing did not finish. Please ask staff.",
    },
}


class PrinterError(Exception):
    """Base of every printer failure. ``str(error)`` is the staff message."""

    citizen_key = "failed"

    def __init__(
        self, staff_message: str, *, bytes_written: int = 0, status: PrinterStatus | None = None
    ) -> None:
        super().__init__(staff_message)
        self.staff_message = staff_message
        self.bytes_written = bytes_written
        self.status = status

    def citizen_message(self, language: str = "zh") -> str:
        """A short, plain sentence for the citizen's screen."""
        texts = _CITIZEN[self.citizen_key]
        return texts.get(language, texts["zh"])

    @property
    def maybe_printed(self) -> bool:
        """True when some bytes reached the printer, so part of a ticket may be on paper."""
        return self.bytes_written > 0


class PrinterConfigError(PrinterError, PipeUriError):
    """A device URI or option is wrong; the message names what and why (a ``ValueError``)."""

    citizen_key = "unavailable"


class PrinterUnavailable(PrinterError):
    """The device cannot be opened or was lost (missing, unplugged, busy, no permission)."""

    citizen_key = "unavailable"


class PrinterNotResponding(PrinterUnavailable):
    """The transport can answer status queries but the printer stayed silent or garbled."""


class PaperOut(PrinterError):
    """The printer reports its paper roll is empty."""

    citizen_key = "paper"


class CoverOpen(PrinterError):
    """The printer reports its cover open."""

    citizen_key = "cover"


class PrinterOffline(PrinterError):
    """The printer reports itself offline for another reason (error, cutter, feed button)."""


class PrintTimeout(PrinterError):
    """Sending did not finish within the write timeout, or the printer stayed busy too long."""


@contextlib.contextmanager
def pipe_failures() -> Iterator[None]:
    """Turn the transport's ``PipeError``s into printer errors, keeping ``bytes_written``."""
    try:
        yield
    except PipeTimeout as exc:
        raise PrintTimeout(str(exc), bytes_written=exc.bytes_written) from exc
    except PipeError as exc:
        raise PrinterUnavailable(str(exc), bytes_written=exc.bytes_written) from exc
