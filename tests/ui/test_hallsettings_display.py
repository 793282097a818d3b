"""A calling board follows a hall settings change (kiosk.hallsettings) without a restart."""

from __future__ import annotations

import shutil

from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.hallsettings import save_hall_settings
from tests.ui.test_calling_display import make_display
from tests.ui.test_calling_support import dev_hall  # noqa: F401 - fixture


def test_the_board_shows_a_new_notice_and_window_name_at_once(qtbot, dev_hall, tmp_path) -> None:  # noqa: F811
    display = make_display(qtbot, dev_hall)
    try:
        assert "20号窗口" in display.model.notice("zh")
        hall_file = tmp_path / "hall.toml"
        shutil.copy(PROJECT_CONFIG_DIR / "hall.toml", hall_file)  # what the running hall was started from
        save_hall_settings(hall_file, {"notice": {"zh": "今日16:00后暂停取号", "en": "No tickets after 16:00 today"},
                                       "windows": {"1": {"name": {"zh": "1号综合窗口"}}}},
                           actor="admin it-1", engine=dev_hall.engine)
        qtbot.waitUntil(lambda: display.model.notice("zh") == "今日16:00后暂停取号", timeout=5000)
        assert display.model.window_name(1) == "1号综合窗口"
    finally:
        display.stop()
