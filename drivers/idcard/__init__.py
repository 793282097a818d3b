"""Resident ID card reader driver (SAM module on a serial line), Qt-free.

``CardReader`` talks to a reader blocking; ``ReaderWorker`` runs one on its own thread and reports
``ReaderEvent``s; ``IdCard`` is the card value (it never shows a full ID number, name or
address). ``drivers.idcard.simulator`` speaks the same protocol for tests and the demo.
"""

from drivers.idcard.card import CARD_TYPES, LONG_TERM, IdCard, parse_text
from drivers.idcard.errors import (
    CardDataError,
    CardReaderError,
    FrameError,
    ReaderStatusError,
    ReaderUnavailable,
    ReadTimeout,
)
from drivers.idcard.reader import CardReader, Timeouts
from drivers.idcard.worker import EventKind, ReaderEvent, ReaderWorker

__all__ = [
    "CARD_TYPES",
    "LONG_TERM",
    "CardDataError",
    "CardReader",
    "CardReaderError",
    "EventKind",
    "FrameError",
    "IdCard",
    "ReadTimeout",
    "ReaderEvent",
    "ReaderStatusError",
    "ReaderUnavailable",
    "ReaderWorker",
    "Timeouts",
    "parse_text",
]
