"""Typed errors of the ID card reader driver.

Everything that goes wrong below the driver's public API surfaces as one of these, so callers
catch ``CardReaderError`` and nothing else: serial exceptions, OS errors and malformed bytes are
translated at the edge. Messages name what is wrong and never contain card contents.
"""

from __future__ import annotations


class CardReaderError(Exception):
    """Base of every error raised by the ID card reader driver."""


class FrameError(CardReaderError):
    """A frame that cannot be accepted; ``kind`` is ``checksum``, ``length`` or ``truncated``."""

    KINDS = ("checksum", "length", "truncated")

    def __init__(self, kind: str, detail: str) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"unknown frame error kind {kind!r}")
        super().__init__(f"bad frame ({kind}): {detail}")
        self.kind = kind
        self.detail = detail


class ReaderStatusError(CardReaderError):
    """The reader answered with a failure status (SW3); ``code`` and a plain ``message``."""

    def __init__(self, code: int, message: str, command: str = "") -> None:
        where = f"{command}: " if command else ""
        super().__init__(f"{where}reader status 0x{code:02X}: {message}")
        self.code = code
        self.message = message
        self.command = command


class ReaderUnavailable(CardReaderError):
    """The port cannot be opened or failed during I/O (unplugged, no permission, wrong path)."""


class ReadTimeout(CardReaderError):
    """The reader did not answer a command within its timeout."""


class CardDataError(CardReaderError):
    """The card's text block was read intact but holds a field that makes no sense."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"card field {field!r}: {detail}")
        self.field = field
