"""The headless runs' Qt message filter drops only the offscreen plugin's resize warning."""

from PySide6.QtCore import qInstallMessageHandler, qWarning

from ui.qtlog import quiet_offscreen_warnings


def test_only_the_harmless_warning_is_dropped(capsys):
    previous = qInstallMessageHandler(None)
    try:
        quiet_offscreen_warnings()
        qWarning("This plugin does not support propagateSizeHints()")
        qWarning("QFont: a real problem")
    finally:
        qInstallMessageHandler(previous)
    err = capsys.readouterr().err
    assert "a real problem" in err and "propagateSizeHints" not in err
