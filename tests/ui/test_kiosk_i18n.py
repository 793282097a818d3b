"""Every string the kiosk shows has a finished Chinese translation."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from ui.i18n import I18N_DIR

KIOSK_SOURCES = sorted((Path(__file__).resolve().parents[2] / "ui" / "kiosk").glob("*.py"))
TS = I18N_DIR / "kiosk_zh_CN.ts"


def _messages(path: Path) -> list[tuple[str, str, ET.Element]]:
    tree = ET.parse(path)
    return [(ctx.findtext("name"), msg.findtext("source"), msg.find("translation"))
            for ctx in tree.iter("context") for msg in ctx.iter("message")]


def test_lupdate_finds_no_untranslated_string(tmp_path):
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    tool = Path(sys.executable).parent / "pyside6-lupdate"
    subprocess.run([str(tool), *map(str, KIOSK_SOURCES), "-ts", str(copy)], check=True,
                   capture_output=True)
    messages = _messages(copy)
    assert len(messages) > 50
    unfinished = [(c, s) for c, s, t in messages if t.get("type") == "unfinished"]
    assert not unfinished, f"untranslated: {unfinished}"
    obsolete = [(c, s) for c, s, t in messages if t.get("type") in ("obsolete", "vanished")]
    assert not obsolete, f"translations whose source string is gone: {obsolete}"


def test_translations_are_chinese_and_keep_placeholders():
    for context, source, translation in _messages(TS):
        text = translation.text or ""
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), (context, source)
        for placeholder in ("{n}", "{m}", "{s}", "{age}", "{name}", "{number}", "{windows}",
                            "{opens}", "{closes}"):
            assert (placeholder in source) == (placeholder in text), (source, placeholder)
