"""Text for LED window signs: what a sign shows for a call, and fitting text to a sign.

LED window signs render GBK text: a Chinese character takes a 16-dot cell, an ASCII character
half of one. A sign's width is therefore counted here in half-width cells, which is the text's
length in GBK bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Shown in place of a character the sign cannot render, so the fault is visible on the sign.
SUBSTITUTE = "?"

_NUMBER = re.compile(r"[A-Z]{1,2}[0-9]{1,6}")


class SignTextError(ValueError):
    """A text or ticket number that cannot be shown on a sign; the message names the problem."""


@dataclass(frozen=True)
class PreparedText:
    """Text made safe for a sign: encodable, free of control bytes and cut to the sign's width.

    ``replaced`` lists the characters that were swapped for :data:`SUBSTITUTE`; ``truncated`` is
    true when the text was longer than the sign. Callers report both rather than raise.
    """

    text: str
    encoded: bytes
    replaced: tuple[str, ...] = ()
    truncated: bool = False

    @property
    def warnings(self) -> list[str]:
        """Plain messages describing what was changed, for a status line or log."""
        notes = []
        if self.replaced:
            shown = " ".join(f"U+{ord(c):04X}" for c in self.replaced)
            notes.append(f"replaced characters the sign cannot show: {shown}")
        if self.truncated:
            notes.append(f"text cut to fit the sign: {self.text!r}")
        return notes


def prepare_text(text: str, width: int, encoding: str = "gbk") -> PreparedText:
    """Fit ``text`` to a sign ``width`` half-width cells wide, in the sign's ``encoding``.

    Control characters (which would break frame boundaries) and characters the encoding lacks
    become :data:`SUBSTITUTE`. Text wider than the sign is cut at a character boundary.
    """
    if not isinstance(text, str):
        raise SignTextError(f"sign text must be a string, not {type(text).__name__}")
    if width < 1:
        raise SignTextError(f"sign width must be at least 1 cell, got {width}")
    out: list[bytes] = []
    kept: list[str] = []
    replaced: list[str] = []
    used = 0
    truncated = False
    for char in text:
        data = _encode_char(char, encoding)
        if data is None:
            replaced.append(char)
            char, data = SUBSTITUTE, SUBSTITUTE.encode("ascii")
        if used + len(data) > width:
            truncated = True
            break
        out.append(data)
        kept.append(char)
        used += len(data)
    return PreparedText("".join(kept), b"".join(out), tuple(replaced), truncated)


def _encode_char(char: str, encoding: str) -> bytes | None:
    """The bytes of one character, or None when a sign cannot show it."""
    if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
        return None
    try:
        data = char.encode(encoding)
    except UnicodeEncodeError:
        return None
    # Python's GBK codec maps the euro sign to the lone byte 0x80, which GBK signs do not show.
    if len(data) == 1 and data[0] >= 0x80:
        return None
    return data


def check_ticket_number(number: str) -> str:
    """Return ``number`` upper-cased if it looks like a ticket number (``A012``), else raise."""
    if not isinstance(number, str):
        raise SignTextError(f"ticket number must be a string, not {type(number).__name__}")
    norm = number.strip().upper()
    if not _NUMBER.fullmatch(norm):
        raise SignTextError(
            f"ticket number {number!r} is not 1-2 letters followed by 1-6 digits (like A012)"
        )
    return norm


def window_sign_text(number: str | None, window_name: str = "", lang: str = "zh") -> str:
    """What the sign above a window shows for a call: ``请A012号`` (zh) or ``A012`` (en).

    With no ``number`` (the window is idle) the sign shows ``window_name``, e.g. ``3号窗口``.
    """
    if lang not in ("zh", "en"):
        raise SignTextError(f"sign language must be 'zh' or 'en', got {lang!r}")
    if number is None:
        return window_name
    norm = check_ticket_number(number)
    return f"请{norm}号" if lang == "zh" else norm


#: What follows the kiosk's id on a desk's sign when that kiosk calls for staff.
HELP_WORD = {"zh": "求助", "en": " HELP"}


def help_sign_text(device: str, width: int, lang: str = "zh", encoding: str = "gbk") -> str:
    """What a guide desk's sign shows when kiosk ``device`` calls for staff: ``K01求助`` (zh) or
    ``K01 HELP`` (en), fitted to a sign ``width`` half-width cells wide.

    The kiosk's id comes from the hall (a token's device name): characters a sign cannot show
    become :data:`SUBSTITUTE` and a long id is cut, never the word after it, which is the point.
    """
    if lang not in HELP_WORD:
        raise SignTextError(f"sign language must be 'zh' or 'en', got {lang!r}")
    if not isinstance(device, str):
        raise SignTextError(f"kiosk id must be a string, not {type(device).__name__}")
    word = HELP_WORD[lang]
    room = width - len(word.encode(encoding))
    if room < 1:
        return prepare_text(word.strip(), width, encoding).text
    return prepare_text(device.strip(), room, encoding).text + word
