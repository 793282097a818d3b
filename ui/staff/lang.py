"""Which language the staff panels show, for texts that come from data (catalog, settings).

Qt's translators carry no language name, so the Chinese catalogue translates the marker "en"
in the ``StaffLanguage`` context to "zh": whatever translators are installed decide, exactly as
they do for every ``tr()`` text.
"""

from PySide6.QtCore import QCoreApplication


def current_language() -> str:
    """``zh`` when the Chinese staff catalogue is installed, else ``en``."""
    return "zh" if QCoreApplication.translate("StaffLanguage", "en") == "zh" else "en"
