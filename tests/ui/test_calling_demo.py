"""The headless demo hook writes the calling screenshots and the announcement audio."""

from __future__ import annotations

import wave
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.demo import calling_shots as demo_calling
from app.demo.day import last_day, register_unresolved
from drivers.voice import ALL_CLIPS, default_clip_folders
from kiosk.clock import FakeClock
from kiosk.config import PROJECT_CONFIG_DIR, load_kiosk_config
from kiosk.hall import LocalHall, open_engine
from tests.conftest import MONDAY_10AM
from tests.test_cases import hook, rating
from tests.ui.test_calling_support import HALL_TOML, dev_hall  # noqa: F401 - fixture


def demo_context(hall, tmp_path: Path, notes: dict[str, str]) -> SimpleNamespace:  # noqa: ANN001
    """What ``app.demo.run`` hands a capture module, over ``hall``."""
    ctx = SimpleNamespace(out=tmp_path / "out", app=QApplication.instance(), hall=hall,
                          engine=hall.engine, kiosk_config=load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml"),
                          config_dir=PROJECT_CONFIG_DIR, data_dir=tmp_path / "data",
                          note=lambda name, detail: notes.__setitem__(name, detail))
    ctx.out.mkdir()
    return ctx


def test_capture_writes_boards_counters_and_announcements(qtbot, dev_hall, tmp_path, monkeypatch) -> None:  # noqa: F811
    notes: dict[str, str] = {}
    ctx = demo_context(dev_hall, tmp_path, notes)
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


def test_the_guide_desk_shows_the_days_cases_a_fortnight_on(qtbot, tmp_path) -> None:
    """On the demo's fake clock the desk's caller is photographed when the bad rating's case is
    overdue and the 办不成事 case's reminder is due, in both languages; the clock goes back."""
    clock = FakeClock(MONDAY_10AM)
    hall = LocalHall(open_engine(HALL_TOML, tmp_path / "hall", dev=True, clock=clock))
    rectify = hook(hall.engine, rating(level=2))  # what a bad rating at window 3 opens
    register_unresolved(SimpleNamespace(engine=hall.engine, hall=hall, clock=clock, note=lambda _text: None))
    unresolved = next(c for c in hall.engine.list_cases() if c.kind == "unresolved")
    assert (unresolved.state, unresolved.window, unresolved.owner) == ("assigned", 20, "行政审批科")
    now = clock.now()
    notes: dict[str, str] = {}
    demo_calling.desk_shots(demo_context(hall, tmp_path, notes))
    assert clock.now() == now  # the screens photographed after it see the morning again
    rectify_due = last_day(hall.engine.case(rectify).deadline)[5:]
    unresolved_due = last_day(unresolved.deadline)[5:]
    lines = {"zh": f"整改案件 #{rectify} 逾期 · 窗口3 · 截止 {rectify_due} | "
                   f"办不成事 #{unresolved.id} 即将到期 · 窗口20 · 截止 {unresolved_due}",
             "en": f"Case {rectify} overdue · window 3 · due {rectify_due} | "
                   f"Unresolved case {unresolved.id} due soon · window 20 · due {unresolved_due}"}
    for lang, suffix in (("zh", ""), ("en", "-en")):
        for width, height in demo_calling.SIGN_IN_SHAPES:
            name = f"counter-desk-cases{suffix}-{width}x{height}.png"
            image = QImage(str(tmp_path / "out" / name))
            assert (image.width(), image.height()) == (width, height)
            assert notes[name].endswith(lines[lang]), notes[name]
