"""Real-time status queries (``DLE EOT n``) and what their answers mean.

Every answer byte has the fixed pattern ``0xx1xx10`` (bits 1 and 4 set, 0 and 7 clear); a byte
without it is garbage (an echo, line noise) and counts as no answer. A silent printer on a
transport that can answer is ``unknown``, which is never taken as fine.
"""

from __future__ import annotations

from drivers.pipe import BytePipe, PipeTimeout
from drivers.printer.model import PrinterState, PrinterStatus

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER = 1, 2, 3, 4


def valid_answer(byte: int) -> bool:
    """True when ``byte`` has the fixed bits every DLE EOT answer carries."""
    return byte & 0x93 == 0x12


def _ask(transport: BytePipe, n: int, timeout: float) -> int | None:
    """Send ``DLE EOT n`` and return the answer byte, or None when silent or garbled."""
    try:
        transport.discard_input()  # stale or automatic status bytes are not this answer
        transport.write(DLE_EOT + bytes((n,)), timeout)
        answer = transport.read(16, timeout)
    except PipeTimeout:
        return None
    # Some USB bridges prefix their own bytes: the printer's answer is the last one.
    if not answer or not valid_answer(answer[-1]):
        return None
    return answer[-1]


def query_status(transport: BytePipe, timeout: float) -> PrinterStatus:
    """Ask the printer how it is; at most one silent query (``timeout``) before giving up.

    Raises ``PipeError`` when the transport itself fails (device gone).
    """
    if not transport.can_answer:
        return PrinterStatus(PrinterState.UNKNOWN, False, f"{transport.description} cannot answer")
    printer = _ask(transport, PRINTER, timeout)
    if printer is None:
        return PrinterStatus(PrinterState.UNKNOWN, True, "no valid answer to DLE EOT 1")
    paper = _ask(transport, PAPER, timeout)
    if paper is None:
        return PrinterStatus(PrinterState.UNKNOWN, True, "no valid answer to DLE EOT 4")
    if paper & 0x60:
        return PrinterStatus(PrinterState.PAPER_OUT, True, f"paper sensor 0x{paper:02x}")
    if printer & 0x08:
        return _offline(transport, timeout)
    if paper & 0x0C:
        return PrinterStatus(PrinterState.PAPER_NEAR_END, True, f"paper sensor 0x{paper:02x}")
    return PrinterStatus(PrinterState.OK, True, "")


def _offline(transport: BytePipe, timeout: float) -> PrinterStatus:
    cause = _ask(transport, OFFLINE_CAUSE, timeout)
    if cause is None:
        return PrinterStatus(PrinterState.OFFLINE, True, "offline, cause not answered")
    if cause & 0x04:
        return PrinterStatus(PrinterState.COVER_OPEN, True, "cover open")
    if cause & 0x20:
        return PrinterStatus(PrinterState.PAPER_OUT, True, "stopped at paper end")
    reasons = []
    if cause & 0x08:
        reasons.append("feed button held")
    if cause & 0x40:
        error = _ask(transport, ERROR_CAUSE, timeout)
        reasons.append(_error_text(error))
    return PrinterStatus(PrinterState.OFFLINE, True, "offline: " + (", ".join(reasons) or "?"))


def _error_text(error: int | None) -> str:
    if error is None:
        return "error (cause not answered)"
    if error & 0x08:
        return "autocutter error"
    if error & 0x20:
        return "unrecoverable error"
    if error & 0x40:
        return "auto-recoverable error (head temperature?)"
    return "error"
