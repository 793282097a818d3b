"""The staff demo writes every screenshot the headless demo expects, without touching config/."""

from pathlib import Path
from types import SimpleNamespace

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.demo.staff_shots import capture
from kiosk.config import PROJECT_CONFIG_DIR, load_kiosk_config
from kiosk.hall import LocalHall, open_engine
from kiosk.models import IssueRequest

SCREENS = ["staff-pin", "staff-home", "staff-queue", "staff-actions", "staff-alerts",
           "settings-printer", "settings-server", "settings-invalid", "settings-diagnostics"]
EXPECTED = [f"{screen}-{language}.png" for screen in SCREENS for language in ("zh", "en")]


def test_capture_writes_the_screens(qtbot, tmp_path):
    hall = LocalHall(open_engine(PROJECT_CONFIG_DIR / "hall.toml", tmp_path / "hall", dev=True))
    for code in ("AP01", "AP01", "TX01"):
        hall.issue(IssueRequest(service=code))
    sample = (PROJECT_CONFIG_DIR / "kiosk.toml").read_bytes()
    notes = []
    ctx = SimpleNamespace(out=tmp_path / "out", app=QApplication.instance(), hall=hall,
                          engine=hall.engine, kiosk_config=load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml"),
                          config_dir=PROJECT_CONFIG_DIR, data_dir=tmp_path / "data",
                          note=lambda name, detail: notes.append(name))
    capture(ctx)
    for name in EXPECTED:
        image = QImage(str(Path(ctx.out) / name))
        assert (image.width(), image.height()) == (1920, 1080), name
    assert set(EXPECTED) <= set(notes)
    assert (PROJECT_CONFIG_DIR / "kiosk.toml").read_bytes() == sample
    assert [t.priority for t in hall.tickets()].count("green") == 2  # one in each language
