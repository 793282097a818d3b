"""The headless demo hook writes the calling screenshots and the announcement audio."""

from __future__ import annotations

import wave
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.demo import calling_shots as demo_calling
from drivers.voice import ALL_CLIPS, default_clip_folders
from kiosk.config import PROJECT_CONFIG_DIR, load_kiosk_config
from tests.ui.test_calling_support import dev_hall  # noqa: F401 - fixture


def test_capture_writes_boards_counters_and_announcements(qtbot, dev_hall, tmp_path, monkeypatch) -> None:  # noqa: F811
    notes: dict[str, str] = {}
    ctx = SimpleNamespace(out=tmp_path / "out", app=QApplication.instance(), hall=dev_hall,
                          engine=dev_hall.engine, kiosk_config=load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml"),
                          config_dir=PROJECT_CONFIG_DIR, data_dir=tmp_path / "data",
                          note=lambda name, detail: notes.__setitem__(name, detail))
    ctx.out.mkdir()
    demo_calling.capture(ctx)
    for lang, suffix in (("zh", ""), ("en", "-en")):
        for width, height in demo_calling.SHAPES:
            for what in ("display-board", "display-window-3", "counter"):
                image = QImage(str(ctx.out / f"{what}{suffix}-{width}x{height}.png"))
                assert (image.width(), image.height()) == (width, height), (what, lang)
        for width, height in demo_calling.SIGN_IN_SHAPES:
            image = QImage(str(ctx.out / f"counter-sign-in{suffix}-{width}x{height}.png"))
            assert (image.width(), image.height()) == (width, height), lang
    # The demo clerk is at window 3: on its screen, and on the tickets it called.
    assert notes["clerk"] == "clerk 0123 张敏 signed in at window 3"
    assert "工号0123 张敏" in notes["display-window-3-1920x1080.png"]
    called_at_3 = [t for t in dev_hall.tickets() if t.window == 3]
    assert called_at_3 and all(t.clerk == "0123" for t in called_at_3)
    numbers = [part.split("→")[0] for part in notes["calls"].split(", ")]
    assert len(numbers) == len(demo_calling.DEMO_CALLS)
    assert all(n in notes["display-board-1080x1920.png"] for n in numbers)
    have_clips = any(all((f / f"{c}.wav").is_file() for c in ALL_CLIPS) for f in default_clip_folders())
    if have_clips or "announcements" not in notes:
        for number in numbers:
            with wave.open(str(ctx.out / f"announce-{number}.wav")) as wav:
                assert wav.getnframes() / wav.getframerate() > 1.0
    assert Path(ctx.out / "display-board-1366x768.png").stat().st_size > 10_000
