"""Languages: Qt's translation system, switched live.

Source strings in the code are English (``self.tr("…")``); ``ui/i18n/*_zh_CN.ts`` hold the
Chinese, compiled to ``.qm`` by the set-up (``app.buildassets``). Chinese is installed by
default; English removes the translators. Qt then sends every widget a LanguageChange event,
and each screen's ``changeEvent`` calls its ``retranslate()``: the switch is live everywhere.
Names from the config (services, windows) come in both languages from the catalog instead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

I18N_DIR = Path(__file__).resolve().parent / "i18n"


class Languages:
    """Installs and removes the Chinese translators of every ``.qm`` catalogue."""

    def __init__(self, app: QCoreApplication, directory: Path = I18N_DIR):
        self.app = app
        self.directory = directory
        self.current = "en"
        self._translators: list[QTranslator] = []

    def set(self, language: str) -> None:
        """Switch every widget to ``language`` (``zh`` or ``en``)."""
        if language == self.current:
            return
        for translator in self._translators:
            self.app.removeTranslator(translator)
        self._translators = []
        if language == "zh":
            for qm in sorted(self.directory.glob("*_zh_CN.qm")):
                translator = QTranslator(self.app)
                if translator.load(str(qm)):
                    self.app.installTranslator(translator)
                    self._translators.append(translator)
        self.current = language
