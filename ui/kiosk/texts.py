"""Plain-words texts shared by several screens: closed reasons and hall errors.

Source strings are English and translated through Qt (context ``KioskText``; the calls are
literal so ``pyside6-lupdate`` finds them) with the Chinese in ``ui/i18n/kiosk_zh_CN.ts``.
Closed reasons come from ``kiosk.hours.CLOSED_REASONS``, which already holds both languages.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication as Q

from kiosk.domain import HallError
from kiosk.estimators import shown_range
from kiosk.hours import CLOSED_REASONS


def closed_reason(key: str | None, language: str) -> str:
    """Why a service takes no tickets, in ``language``."""
    zh, en = CLOSED_REASONS.get(key or "", ("暂停取号", "Not taking tickets now"))
    return en if language == "en" else zh


def waiting_text(waiting: int, eta: int | None) -> str:
    """``12 waiting · about 18 min`` on a tile."""
    text = Q.translate("KioskText", "{n} waiting").format(n=waiting)
    if eta is not None and waiting > 0:  # nobody waiting: no "about 0 min"
        low, high = shown_range(eta, waiting)
        text += " · " + Q.translate("KioskText", "about {m} min").format(m=str(low) if low == high else f"{low}–{high}")
    return text


def remote_kind(error: BaseException) -> str:
    """Why a phone place (线上取号) was not checked in: ``unknown``, ``not_today``, ``early``,
    ``lapsed``, ``joined`` or ``offline`` (kiosk.remote's refusals); "" for any other error."""
    return str(((error.extra or {}) if isinstance(error, HallError) else {}).get("remote", ""))


def remote_title(kind: str) -> str:
    """The headline of a phone place's refusal."""
    if kind == "offline":
        return Q.translate("KioskText", "Check-in needs the queue system")
    if kind == "lapsed":
        return Q.translate("KioskText", "Your phone ticket has lapsed")
    if kind == "early":
        return Q.translate("KioskText", "Too early to check in")
    if kind == "not_today":
        return Q.translate("KioskText", "This phone ticket is not for today")
    if kind == "joined":
        return Q.translate("KioskText", "You already have a ticket")
    return Q.translate("KioskText", "Check-in code not found")


def remote_text(kind: str, extra: dict) -> str:
    """What to do about a phone place's refusal, in plain words."""
    if kind == "offline":
        return Q.translate("KioskText", "Checking in a ticket taken on a phone needs the hall's queue "
                           "system, which cannot be reached right now. You can take an ordinary "
                           "ticket instead: touch the button below.")
    if kind == "lapsed":
        return Q.translate("KioskText", "It was not checked in within the time allowed after your booked "
                           "time. Please take a new ticket: touch the button below.")
    if kind == "early":
        return Q.translate("KioskText", "Your phone ticket can be checked in from {opens}. Please come "
                           "back then.").format(opens=extra.get("opens", "?"))
    if kind == "not_today":
        return Q.translate("KioskText", "It was taken for another day. Please take an ordinary "
                           "ticket for today: touch the button below.")
    if kind == "joined":
        return Q.translate("KioskText", "Your phone ticket is already in the queue and its ticket was "
                           "used. Please ask the staff at the help desk.")
    return Q.translate("KioskText", "We could not find this check-in code for this service today. "
                       "Please check the code on your phone, or take an ordinary ticket.")


def error_title(error: BaseException) -> str:
    """A short headline for a refusal or failure."""
    if remote_kind(error):
        return remote_title(remote_kind(error))
    code = getattr(error, "code", "")
    if code == "service_closed":
        return Q.translate("KioskText", "This service is not taking tickets now")
    if code == "quota_exhausted":
        return Q.translate("KioskText", "Today's tickets are all taken")
    if code == "duplicate_active":
        return Q.translate("KioskText", "You already have a ticket")
    if code == "appointment_outside_window":
        return Q.translate("KioskText", "Not yet time for your appointment")
    if code == "unknown_appointment":
        return Q.translate("KioskText", "Booking code not found")
    return Q.translate("KioskText", "Sorry, this did not work")


def error_text(error: BaseException, language: str) -> str:
    """What went wrong and what to do, in plain words (never the technical detail)."""
    code = error.code if isinstance(error, HallError) else ""
    extra = (error.extra or {}) if isinstance(error, HallError) else {}
    if remote_kind(error):
        return remote_text(remote_kind(error), extra)
    if code == "service_closed":
        sep = ". " if language == "en" else "。"
        return closed_reason(extra.get("closed_reason"), language) + sep + Q.translate(
            "KioskText", "Please choose another service or come back later.")
    if code == "quota_exhausted":
        return Q.translate("KioskText", "All of today's numbers for this service have been "
                           "given out. Please come back on the next working day.")
    if code == "duplicate_active":
        number = (extra.get("ticket") or {}).get("number", "")
        if number:
            return Q.translate("KioskText", "Each person may hold one ticket per service. Your "
                               "number is {number}. Touch the button below to print it "
                               "again.").format(number=number)
        return Q.translate("KioskText", "This booking has already been checked in. Please wait "
                           "to be called.")
    if code == "appointment_outside_window":
        return Q.translate("KioskText", "Your appointment can be checked in between {opens} and "
                           "{closes}.").format(opens=extra.get("opens", "?"),
                                               closes=extra.get("closes", "?"))
    if code == "unknown_appointment":
        return Q.translate("KioskText", "We could not find this booking code for this service "
                           "today. Please check the code, or ask the staff at the help desk.")
    return Q.translate("KioskText", "Please try again, or ask the staff at the help desk.")
