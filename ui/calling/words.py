"""The fixed words of the LED boards in Chinese and English (no Qt here).

The boards show the hall's own names (services, windows, the notice) from the catalog in the
board's language; these are the few words around them. A board is in one language, chosen at
start (``kiosk display --lang``), unlike the counter, which switches with Qt's translators.
"""

from __future__ import annotations

from kiosk.domain import place_label
from kiosk.models import Call, WindowClerk

LANGS = ("zh", "en")

WORDS = {
    "zh": {"number": "号码", "window": "窗口", "service": "业务", "waiting": "等候",
           "reconnecting": "重连中", "paused": "暂停服务", "welcome": "欢迎光临",
           "come": "请到本窗口办理", "come.desk": "请到本咨询台办理", "help": "求助"},
    "en": {"number": "No.", "window": "Window", "service": "Service", "waiting": "Waiting",
           "reconnecting": "Reconnecting", "paused": "Service paused", "welcome": "Welcome",
           "come": "Please come here", "come.desk": "Please come here", "help": "HELP"},
}


def word(key: str, lang: str) -> str:
    """The board word ``key`` in ``lang`` (Chinese for anything but ``en``)."""
    return WORDS["en" if lang == "en" else "zh"][key]


def people(count: int, lang: str) -> str:
    """A waiting count: ``12人`` (zh) or ``12`` (en, under the heading "Waiting")."""
    return str(count) if lang == "en" else f"{count}人"


def call_place(call: Call, lang: str) -> str:
    """Where the call sends the citizen: ``3号窗口``, ``18号咨询台``, ``Help desk 18``."""
    return place_label(call.window, call.window_kind, lang)


def call_lines(call: Call, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The latest call as one line and as two: ``请A012号到3号窗口`` or ``请A012号`` /
    ``到3号窗口`` (``A012 to Window 3``, or ``Number A012`` / ``Window 3`` like a sign)."""
    place = call_place(call, lang)
    if lang == "en":
        return (f"{call.number} to {place}",), (f"Number {call.number}", place)
    return (f"请{call.number}号到{place}",), (f"请{call.number}号", f"到{place}")


def help_text(devices: list[str], lang: str) -> str:
    """A call for staff from one kiosk or several: ``K01号自助机 请求协助``, ``K01、K02号自助机
    请求协助``; ``Kiosk K01 needs help``, ``Kiosks K01, K02 need help``."""
    if lang == "en":
        if len(devices) == 1:
            return f"Kiosk {devices[0]} needs help"
        return f"Kiosks {', '.join(devices)} need help"
    return f"{'、'.join(devices)}号自助机 请求协助"


def help_lines(devices: list[str], lang: str, limit: int) -> list[str]:
    """One line per calling kiosk, oldest first; when more kiosks call than ``limit`` lines
    hold, the last line names all the rest."""
    if not devices or limit < 1:
        return []
    if len(devices) <= limit:
        return [help_text([d], lang) for d in devices]
    return [help_text([d], lang) for d in devices[:limit - 1]] + [help_text(devices[limit - 1:], lang)]


def clerk_line(clerk: WindowClerk, lang: str) -> str:
    """The clerk at a window as its screen shows them: ``工号0123 张三`` / ``Clerk 0123 张三``."""
    return f"Clerk {clerk.code} {clerk.name}" if lang == "en" else f"工号{clerk.code} {clerk.name}"
