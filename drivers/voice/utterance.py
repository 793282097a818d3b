"""What an announcement says: the call as text in each language and as a sequence of clip names.

Halls read ticket numbers letter by letter and digit by digit (A012 → A 零 一 二) so that no
one mishears "twelve" for "one two", and window numbers naturally (3 → 三, 12 → 十二).
Clip names are plain ASCII so that a hall can drop recorded files in without fuss; the full list
is :data:`ALL_CLIPS` and ``assets/voice/README.md`` explains each one.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

LANGS = ("zh", "en", "both")
MAX_WINDOW = 999

#: Silences placed between parts of an announcement, in milliseconds.
PAUSE_AFTER_CHIME_MS = 300
PAUSE_BETWEEN_LANGS_MS = 600
PAUSE_COMMA_MS = 150

ZH_WORDS = ("zh_qing", "zh_hao", "zh_dao", "zh_chuangkou", "zh_zixuntai", "zh_banli")
ZH_NUMBERS = tuple(f"zh_{n}" for n in (*range(10), 10, 100))
LETTERS = tuple(f"letter_{c}" for c in string.ascii_lowercase)
EN_WORDS = ("en_number", "en_please_go_to_window", "en_please_go_to_help_desk")
EN_NUMBERS = tuple(f"en_{n}" for n in (*range(20), *range(20, 100, 10), 100))
#: Every clip an announcement may need, besides the chime.
ALL_CLIPS = ("chime", *ZH_WORDS, *ZH_NUMBERS, *LETTERS, *EN_WORDS, *EN_NUMBERS)

_NUMBER = re.compile(r"([A-Z]{1,2})([0-9]{1,6})")
_ZH_DIGITS = "零一二三四五六七八九"


class UtteranceError(ValueError):
    """A call that cannot be announced: the message names the bad field."""


@dataclass(frozen=True)
class Pause:
    """Silence inside an announcement."""

    ms: int


Segment = str | Pause


@dataclass(frozen=True)
class Utterance:
    """One announcement of one call: ``请A012号到3号窗口办理`` after an optional chime.

    ``desk`` calls to a consultation desk instead: ``请K001号到18号咨询台办理``.
    """

    number: str
    window: int
    lang: str = "zh"
    chime: bool = True
    desk: bool = False
    #: Said again as the announcer's settings repeat calls.
    repeats: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not isinstance(self.number, str):
            raise UtteranceError(f"ticket number must be a string, not {self.number!r}")
        norm = self.number.strip().upper()
        if not _NUMBER.fullmatch(norm):
            raise UtteranceError(
                f"ticket number {self.number!r} is not 1-2 letters and 1-6 digits (like A012)"
            )
        object.__setattr__(self, "number", norm)
        if isinstance(self.window, bool) or not isinstance(self.window, int):
            raise UtteranceError(f"window must be a whole number, not {self.window!r}")
        if not 1 <= self.window <= MAX_WINDOW:
            raise UtteranceError(f"window {self.window} is outside 1-{MAX_WINDOW}")
        if self.lang not in LANGS:
            raise UtteranceError(f"language {self.lang!r} is not one of {', '.join(LANGS)}")

    @classmethod
    def from_call(cls, call: Mapping[str, object], lang: str = "zh") -> Utterance:
        """The utterance for a call object of the hall API (``number``, ``window`` and
        ``window_kind``)."""
        window = call.get("window")
        if isinstance(window, str) and window.isdigit():
            window = int(window)
        desk = call.get("window_kind") == "desk"
        return cls(call.get("number"), window, lang, desk=desk)  # type: ignore[arg-type]

    def without_chime(self) -> Utterance:
        """The same words with no chime (for repeats)."""
        return replace(self, chime=False)

    @property
    def label(self) -> str:
        """What status lines and faults call this announcement: the ticket number."""
        return self.number

    @property
    def text_zh(self) -> str:
        """``请A012号到3号窗口办理`` (``…到18号咨询台办理`` for a desk)."""
        return f"请{self.number}号到{self.window}号{'咨询台' if self.desk else '窗口'}办理"

    @property
    def text_en(self) -> str:
        """``Number A012, please go to window 3`` (``… help desk 18`` for a desk)."""
        return f"Number {self.number}, please go to {'help desk' if self.desk else 'window'} {self.window}"

    @property
    def text(self) -> str:
        """The words in the configured language(s), as a screen or a log shows them."""
        return {"zh": self.text_zh, "en": self.text_en}.get(
            self.lang, f"{self.text_zh} / {self.text_en}"
        )

    def plan(self) -> list[Segment]:
        """The clips and pauses of this announcement, in order."""
        parts: list[Segment] = ["chime", Pause(PAUSE_AFTER_CHIME_MS)] if self.chime else []
        if self.lang in ("zh", "both"):
            parts += self._zh()
        if self.lang == "both":
            parts.append(Pause(PAUSE_BETWEEN_LANGS_MS))
        if self.lang in ("en", "both"):
            parts += self._en()
        return parts

    def _zh(self) -> list[Segment]:
        letters, digits = _split(self.number)
        return [
            "zh_qing",
            *letters,
            *(f"zh_{d}" for d in digits),
            "zh_hao",
            "zh_dao",
            *zh_cardinal(self.window),
            "zh_hao",
            "zh_zixuntai" if self.desk else "zh_chuangkou",
            "zh_banli",
        ]

    def _en(self) -> list[Segment]:
        letters, digits = _split(self.number)
        return [
            "en_number",
            *letters,
            *(f"en_{d}" for d in digits),
            Pause(PAUSE_COMMA_MS),
            "en_please_go_to_help_desk" if self.desk else "en_please_go_to_window",
            *en_cardinal(self.window),
        ]


@dataclass(frozen=True)
class Chime:
    """The chime alone, once: a kiosk's call for staff, heard at the guide desk.

    The clips backend plays only the chime clip; a speech backend, which has no clip to play,
    says ``text`` instead (``K01号自助机请求协助``). ``device`` is the kiosk's id as the hall
    names it (shown and said, never parsed).
    """

    device: str = ""
    lang: str = "zh"
    chime: bool = True
    repeats: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise UtteranceError(f"language {self.lang!r} is not one of {', '.join(LANGS)}")

    @property
    def label(self) -> str:
        """What status lines and faults call it."""
        return f"chime ({self.device})" if self.device else "chime"

    @property
    def text_zh(self) -> str:
        """``K01号自助机请求协助``."""
        return f"{self.device}号自助机请求协助" if self.device else "自助机请求协助"

    @property
    def text_en(self) -> str:
        """``Kiosk K01 needs help``."""
        return f"Kiosk {self.device} needs help" if self.device else "A kiosk needs help"

    @property
    def text(self) -> str:
        """The words a speech backend says, in the configured language(s)."""
        return {"zh": self.text_zh, "en": self.text_en}.get(self.lang, f"{self.text_zh} / {self.text_en}")

    def without_chime(self) -> Chime:
        """The same chime (a chime is never said without one)."""
        return self

    def plan(self) -> list[Segment]:
        """The chime clip only."""
        return ["chime"]


#: Anything the announcer queues: a call's words or a chime alone.
Announcement = Utterance | Chime


def _split(number: str) -> tuple[list[str], str]:
    match = _NUMBER.fullmatch(number)
    assert match is not None  # checked in __post_init__
    return [f"letter_{c.lower()}" for c in match.group(1)], match.group(2)


def zh_cardinal(n: int) -> list[str]:
    """Clip names reading ``n`` (1-999) the way Chinese is spoken: 12 → 十二, 105 → 一百零五."""
    if not 1 <= n <= MAX_WINDOW:
        raise UtteranceError(f"cannot read {n} (1-{MAX_WINDOW})")
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = [f"zh_{hundreds}", "zh_100"] if hundreds else []
    if tens:
        # 十二, not 一十二, unless hundreds come first (一百一十二).
        out += ["zh_10"] if tens == 1 and not hundreds else [f"zh_{tens}", "zh_10"]
    elif hundreds and units:
        out.append("zh_0")  # 一百零五
    if units:
        out.append(f"zh_{units}")
    return out


def en_cardinal(n: int) -> list[str]:
    """Clip names reading ``n`` (1-999) in English: 12 → twelve, 105 → one hundred five."""
    if not 1 <= n <= MAX_WINDOW:
        raise UtteranceError(f"cannot read {n} (1-{MAX_WINDOW})")
    hundreds, rest = divmod(n, 100)
    out = [f"en_{hundreds}", "en_100"] if hundreds else []
    if rest >= 20:
        out.append(f"en_{rest - rest % 10}")
        rest %= 10
    if rest:
        out.append(f"en_{rest}")
    return out


def zh_reading(n: int) -> str:
    """``n`` as Chinese characters (for logs and the clip README): 12 → 十二."""
    names = {f"zh_{i}": _ZH_DIGITS[i] for i in range(10)} | {"zh_10": "十", "zh_100": "百"}
    return "".join(names[c] for c in zh_cardinal(n))
