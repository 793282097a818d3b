"""Device names and states as staff read them: machine keys in ``device_states``, words on screen.

Translated in the ``Devices`` context (ui/i18n/staff_zh_CN.ts); a key without a word shows as is.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

DEVICE_NAMES = {
    "printer": QT_TRANSLATE_NOOP("Devices", "Ticket printer"),
    "reader": QT_TRANSLATE_NOOP("Devices", "ID card reader"),
    "signs": QT_TRANSLATE_NOOP("Devices", "LED window signs"),
    "hall": QT_TRANSLATE_NOOP("Devices", "Hall server"),
}

DEVICE_STATES = {
    "ok": QT_TRANSLATE_NOOP("Devices", "working"),
    "configured": QT_TRANSLATE_NOOP("Devices", "configured, not used yet"),
    "starting": QT_TRANSLATE_NOOP("Devices", "starting"),
    "missing": QT_TRANSLATE_NOOP("Devices", "not configured"),
    "lost": QT_TRANSLATE_NOOP("Devices", "not answering"),
    "paper_out": QT_TRANSLATE_NOOP("Devices", "out of paper"),
    "printer_offline": QT_TRANSLATE_NOOP("Devices", "not answering"),
    "printer_error": QT_TRANSLATE_NOOP("Devices", "fault"),
    "reconnecting": QT_TRANSLATE_NOOP("Devices", "gone: looking for it again"),
}


def device_name(key: str) -> str:
    """What staff call device ``key``, in the current language."""
    return QCoreApplication.translate("Devices", DEVICE_NAMES[key]) if key in DEVICE_NAMES else key


def device_state(key: str) -> str:
    """Device state ``key`` in words, in the current language."""
    return QCoreApplication.translate("Devices", DEVICE_STATES[key]) if key in DEVICE_STATES else key
