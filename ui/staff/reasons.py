"""Reasons staff pick for each action: a machine code (audit log, hall) and an English label.

Labels are translated in the ``Reasons`` context (ui/i18n/staff_zh_CN.ts).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

REASONS: dict[str, list[tuple[str, str]]] = {
    "issue": [
        ("elderly_citizen", QT_TRANSLATE_NOOP("Reasons", "Elderly citizen")),
        ("disabled_citizen", QT_TRANSLATE_NOOP("Reasons", "Citizen with a disability")),
        ("military", QT_TRANSLATE_NOOP("Reasons", "Serving soldier or veteran")),
        ("pregnant", QT_TRANSLATE_NOOP("Reasons", "Pregnant citizen")),
        ("urgent_case", QT_TRANSLATE_NOOP("Reasons", "Urgent case approved by the supervisor")),
    ],
    "reprint": [
        ("paper_jam", QT_TRANSLATE_NOOP("Reasons", "Ticket jammed or torn")),
        ("ticket_lost", QT_TRANSLATE_NOOP("Reasons", "Citizen lost the ticket")),
        ("print_failed", QT_TRANSLATE_NOOP("Reasons", "Printing failed")),
    ],
    "void": [
        ("citizen_left", QT_TRANSLATE_NOOP("Reasons", "Citizen left")),
        ("duplicate", QT_TRANSLATE_NOOP("Reasons", "Duplicate ticket")),
        ("wrong_service", QT_TRANSLATE_NOOP("Reasons", "Wrong service, new ticket issued")),
    ],
    "transfer": [
        ("wrong_service", QT_TRANSLATE_NOOP("Reasons", "Wrong service chosen")),
        ("sent_by_window", QT_TRANSLATE_NOOP("Reasons", "Sent on by a window")),
    ],
    "requeue": [
        ("missing_materials", QT_TRANSLATE_NOOP("Reasons", "Came back with the missing materials")),
        ("stepped_away", QT_TRANSLATE_NOOP("Reasons", "Citizen stepped away when called")),
    ],
    "pause": [
        ("staff_shortage", QT_TRANSLATE_NOOP("Reasons", "Not enough staff")),
        ("system_fault", QT_TRANSLATE_NOOP("Reasons", "Business system down")),
        ("quota_reached", QT_TRANSLATE_NOOP("Reasons", "Capacity reached for today")),
    ],
    "resume": [
        ("back_to_normal", QT_TRANSLATE_NOOP("Reasons", "Back to normal")),
    ],
    "quota": [
        ("high_demand", QT_TRANSLATE_NOOP("Reasons", "High demand today")),
        ("staff_shortage", QT_TRANSLATE_NOOP("Reasons", "Not enough staff")),
        ("extra_windows", QT_TRANSLATE_NOOP("Reasons", "Extra windows opened")),
    ],
}


def reason_label(action: str, code: str) -> str:
    """The translated label of reason ``code`` of ``action`` (the code itself if unknown)."""
    for known, label in REASONS.get(action, []):
        if known == code:
            return QCoreApplication.translate("Reasons", label)
    return code
