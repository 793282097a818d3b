"""The kiosk, the calling board and the counter fill a real X screen with no window manager.

Each program runs from its real command line as its own process (``kiosk run``, ``kiosk
display`` for the board and with ``--window 18`` for one window's screen, ``kiosk counter
--window 18``) on a private Xvfb of 1920x1080 and of 1080x1920 (a monitor turned to portrait),
and the window's evaluator (``kiosk rate --window 18``) on its 800x480 and 1280x800 screens,
the way a kiosk started by xinit runs. Once its window is up the test photographs the whole
screen and checks that the program's top-level window spans the screen, that what it painted
is neither blank nor only in one corner and looks like that program, and that the program is
still running; then it stops the program. The screenshots and the programs' logs are kept in the
folder named at the end of the run (or in $KIOSK_REALX_SHOTS).

The offscreen tests (tests/ui) lay the same windows out at these sizes; only a real X server
shows whether the window itself gets the whole screen when nobody but the program places it.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from app.demo.files import kiosk_file
from kiosk.config import PROJECT_CONFIG_DIR
from tests.realx.xserver import Window, Xvfb, needs_xvfb, screenshot, top_level_windows

pytestmark = [pytest.mark.realx, needs_xvfb]

SHAPES = [(1920, 1080), (1080, 1920)]
PROGRAMS = {
    "run": ["run"],
    "display": ["display"],
    "window-screen": ["display", "--window", "18"],
    "counter": ["counter", "--window", "18"],
    "rate": ["rate", "--window", "18"],
}
RATE_SHAPES = [(800, 480), (1280, 800)]  # the evaluator's small touch screens facing the citizen
CASES = [(p, w, h) for p in PROGRAMS if p != "rate" for w, h in SHAPES] + [("rate", w, h) for w, h in RATE_SHAPES]
UP_TIMEOUT_S = 40.0  # a cold start on a busy two-core CI machine, with room to spare
# Once up, each program runs this long before the photo: its clock, marquees and hall refresh
# tick on the real server at least once, so a crash in them shows as a dead process.
STAY_UP_S = 2.0
MIN_COLOURS = 8  # the LED board paints with 16; an empty X screen has 1


def _kiosk_top_bar() -> tuple[int, int, int]:
    """The kiosk's top bar colour, read from its style sheet so a new shade needs no test edit."""
    qss = (PROJECT_CONFIG_DIR.parent / "assets" / "style" / "kiosk.qss").read_text("utf-8")
    hex_colour = re.search(r"#topBar\s*\{\s*background:\s*#([0-9a-fA-F]{6})", qss).group(1)
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))


def _share(image: Image.Image, wanted: Callable[[tuple[int, int, int]], bool]) -> float:
    """The fraction of ``image``'s pixels whose colour is ``wanted``."""
    colours = image.getcolors(image.width * image.height)
    return sum(count for count, rgb in colours if wanted(rgb)) / (image.width * image.height)


def blank_problems(shot: Image.Image) -> list[str]:
    """What makes the screenshot look empty: too few colours in all, or a quarter of the screen
    in one flat colour (a window painted at its old size leaves the bare root around it)."""
    problems = []
    colours = len(shot.getcolors(shot.width * shot.height))
    if colours < MIN_COLOURS:
        problems.append(f"only {colours} distinct colours on the screen")
    w, h = shot.size
    quarters = {"top left": (0, 0, w // 2, h // 2), "top right": (w // 2, 0, w, h // 2),
                "bottom left": (0, h // 2, w // 2, h), "bottom right": (w // 2, h // 2, w, h)}
    for name, box in quarters.items():
        if shot.crop(box).getcolors(1) is not None:  # getcolors(n) is None past n colours
            problems.append(f"the {name} quarter of the screen is one flat colour")
    return problems


def _near(rgb: tuple[int, int, int], target: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True))


def kiosk_look(shot: Image.Image) -> list[str]:
    """The citizen's kiosk: its blue top bar runs along the top edge of the screen."""
    bar = _kiosk_top_bar()
    share = _share(shot.crop((0, 0, shot.width, 8)), lambda rgb: _near(rgb, bar))
    return [] if share >= 0.9 else [f"the kiosk's top bar colour {bar} fills only {share:.0%} of the top edge"]


def board_look(shot: Image.Image) -> list[str]:
    """The LED board: a dark panel with lit coloured dots (amber, green, red text)."""
    dark = _share(shot, lambda rgb: max(rgb) < 70)
    lit = _share(shot, lambda rgb: max(rgb) >= 150 and max(rgb) - min(rgb) >= 60)
    problems = []
    if dark < 0.7:
        problems.append(f"the LED board is dark on only {dark:.0%} of the screen")
    if lit < 0.002:
        problems.append(f"only {lit:.2%} of the screen are lit coloured dots")
    return problems


def counter_look(shot: Image.Image) -> list[str]:
    """The clerk's counter: a light window with dark text and buttons on it."""
    light = _share(shot, lambda rgb: min(rgb) >= 200)
    text = _share(shot, lambda rgb: max(rgb) < 90)
    problems = []
    if light < 0.5:
        problems.append(f"the counter is light on only {light:.0%} of the screen")
    if text < 0.0005:
        problems.append(f"only {text:.3%} of the screen is dark text")
    return problems


# The evaluator is light with dark words too (its idle page: the window and the clerk).
LOOKS = {"run": kiosk_look, "display": board_look, "window-screen": board_look, "counter": counter_look,
         "rate": counter_look}


def wait_until_shown(proc: subprocess.Popen, x: Xvfb) -> list[Window]:
    """Wait until ``proc`` shows a viewable top-level window that kept its geometry for two
    looks in a row on a screen that is no longer bare; return its viewable top-level windows
    (none if it died or showed nothing before the time-out: the caller's checks say which)."""
    deadline = time.monotonic() + UP_TIMEOUT_S
    before = None
    while True:
        if proc.poll() is not None:
            return []
        mine = [w for w in top_level_windows(x.display) if w.viewable and w.pid == proc.pid]
        geometry = sorted((w.x, w.y, w.width, w.height) for w in mine)
        # getcolors(n) is None past n colours: the program has painted more than a bare root.
        if mine and geometry == before and screenshot(x.display).getcolors(MIN_COLOURS) is None:
            return mine
        if time.monotonic() > deadline:
            return mine
        before = geometry
        time.sleep(0.25)


def stop(proc: subprocess.Popen) -> int:
    """Stop the program as a service manager would (SIGTERM); its exit code."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(15)
    except subprocess.TimeoutExpired:
        pytest.fail("the program did not end within 15 s of SIGTERM")


def _tail(log: Path, lines: int = 25) -> str:
    return "\n".join(log.read_text("utf-8", errors="replace").splitlines()[-lines:])


def show_program(program: list[str], width: int, height: int, name: str, *, tmp_path: Path,
                 shots_dir: Path, start_x: Callable, launch: Callable) -> dict:
    """Run ``kiosk PROGRAM`` on a fresh ``width`` x ``height`` X screen until its window is up;
    save the screenshot and log as ``name`` in ``shots_dir``. Returns what was seen: the
    program's windows, all top-level windows, the screenshot, the process and the paths."""
    config = kiosk_file(tmp_path / "config", printer="dummy:", reader="sim:resident")
    x = start_x(width, height)
    log = shots_dir / f"{name}.log"
    proc = launch([*program, "--dev", "--config", str(config), "--data", str(tmp_path / "data")], x, log)
    started = time.monotonic()
    mine = wait_until_shown(proc, x)
    up_s = time.monotonic() - started
    if mine:
        time.sleep(STAY_UP_S)
        mine = [w for w in top_level_windows(x.display) if w.viewable and w.pid == proc.pid]
    shot = screenshot(x.display)
    path = shots_dir / f"{name}.png"
    shot.save(path)
    return {"mine": mine, "all": top_level_windows(x.display), "shot": shot, "proc": proc,
            "log": log, "png": path, "up_s": up_s}


@pytest.mark.parametrize("program,width,height", CASES, ids=[f"{p}-{w}x{h}" for p, w, h in CASES])
def test_program_fills_a_bare_x_screen(program, width, height, tmp_path, shots_dir, start_x, launch):
    """The program's window spans the whole bare X screen, shows the program's face across
    all of it, the program keeps running, and SIGTERM ends it."""
    name = f"{program}-{width}x{height}"
    cmd = "kiosk " + " ".join(PROGRAMS[program])
    seen = show_program(PROGRAMS[program], width, height, name, tmp_path=tmp_path,
                        shots_dir=shots_dir, start_x=start_x, launch=launch)
    proc, log = seen["proc"], seen["log"]
    where = f"screenshot {seen['png']}, log {log}"
    print(f"{name}: up in {seen['up_s']:.1f} s; {where}")

    assert proc.poll() is None, f"{cmd} exited with code {proc.returncode}:\n{_tail(log)}"
    everything = "\n".join(map(str, seen["all"])) or "none"
    assert seen["mine"], f"{cmd} mapped no window within {UP_TIMEOUT_S:.0f} s; " \
                         f"top-level windows:\n{everything}\n{where}"
    window = max(seen["mine"], key=lambda w: w.width * w.height)
    assert window.covers(width, height), \
        f"{cmd}'s window is {window}, the screen {width}x{height}; {where}"
    problems = blank_problems(seen["shot"]) + LOOKS[program](seen["shot"])
    assert not problems, f"{cmd} on {width}x{height}: {'; '.join(problems)}; {where}"

    code = stop(proc)
    # Each program catches SIGTERM and leaves its event loop, so its clean-up runs (the kiosk's
    # lanes finish before the outbox closes); the exit code then says which signal asked.
    assert code == 128 + signal.SIGTERM, f"{cmd} ended with code {code}:\n{_tail(log)}"
    output = log.read_text("utf-8", errors="replace")
    assert "Traceback" not in output, f"{cmd} raised an exception while up:\n{_tail(log, 60)}"


def test_the_checks_see_a_window_that_does_not_fill_the_screen(tmp_path, shots_dir, start_x, launch):
    """``--windowed`` gives the counter a 640x720 window: both the window check and the
    screenshot check must say so (the checks above can fail)."""
    seen = show_program(["counter", "--window", "18", "--windowed"], 1920, 1080, "counter-windowed-1920x1080",
                        tmp_path=tmp_path, shots_dir=shots_dir, start_x=start_x, launch=launch)
    assert seen["mine"], f"no window; log:\n{_tail(seen['log'])}"
    window = max(seen["mine"], key=lambda w: w.width * w.height)
    assert not window.covers(1920, 1080), window
    assert "the bottom right quarter of the screen is one flat colour" in blank_problems(seen["shot"])
