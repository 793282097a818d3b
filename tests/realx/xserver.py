"""A private X server (Xvfb) for tests, and what the tests ask it: its top-level windows and a
screenshot of the whole screen.

Like a kiosk started by xinit, the server runs no window manager, so nobody but the program
itself sizes or places its window. Each server takes a display number nobody uses (Xvfb picks
it and tells us through ``-displayfd``), so tests never meet a developer's own X session or
another test's server.

Windows are read with ``xwininfo`` and ``xprop`` (Debian's x11-utils, installed by
scripts/setup.sh); the screenshot comes from Pillow's X11 grab, which talks to the server
directly.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pytest
from PIL import Image, ImageGrab

START_TIMEOUT_S = 15.0
X_TOOLS = ("xwininfo", "xprop")

# Where Xvfb exists the real-X tests run; only where it does not are they skipped, saying so.
needs_xvfb = pytest.mark.skipif(shutil.which("Xvfb") is None,
                                reason="Xvfb is not on PATH (scripts/setup.sh installs the Debian package xvfb)")


def missing_tools() -> list[str]:
    """The X client tools this module needs that are not on PATH."""
    return [tool for tool in X_TOOLS if shutil.which(tool) is None]


class Xvfb:
    """One Xvfb server with a single screen of ``width`` x ``height``; ``display`` is ``":N"``.

    Use it as a context manager, or call ``start`` and then ``stop`` (which is safe to call
    twice and after a failed start).
    """

    def __init__(self, width: int, height: int, depth: int = 24) -> None:
        self.width, self.height, self.depth = width, height, depth
        self.display: str | None = None
        self.proc: subprocess.Popen | None = None
        self.log = None  # the server's own messages, once started

    def start(self) -> Xvfb:
        """Start the server and return once it accepts clients."""
        # Its messages go to a file, not a pipe: a pipe nobody reads could fill and stall it.
        self.log = tempfile.TemporaryFile()
        read_end, write_end = os.pipe()
        try:
            # -noreset: without it the server resets whenever its last client leaves, e.g.
            # between two xwininfo calls before the program under test has connected.
            self.proc = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_end), "-screen", "0",
                 f"{self.width}x{self.height}x{self.depth}", "-nolisten", "tcp", "-noreset"],
                pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=self.log,
                stderr=subprocess.STDOUT, start_new_session=True)
            os.close(write_end)
            write_end = -1
            number = self._read_display_number(read_end)
        except BaseException:
            self.stop()
            raise
        finally:
            os.close(read_end)
            if write_end >= 0:
                os.close(write_end)
        self.display = f":{number}"
        return self

    def _read_display_number(self, fd: int) -> int:
        """Xvfb writes its display number and a newline to ``fd`` once it is ready."""
        text = b""
        deadline = time.monotonic() + START_TIMEOUT_S
        while not text.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise RuntimeError(f"Xvfb did not start within {START_TIMEOUT_S:.0f} s")
            chunk = os.read(fd, 32)
            if not chunk:  # the pipe closed: Xvfb exited without a display
                code = self.proc.wait(5)
                self.log.seek(0)
                said = self.log.read().decode(errors="replace")
                raise RuntimeError(f"Xvfb exited (code {code}): {said[-1500:]}")
            text += chunk
        return int(text)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL if it lingers)."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        if self.log is not None:
            self.log.close()
            self.log = None

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment for a Qt program on this server: the display, Qt's X11 platform."""
        env = dict(os.environ if base is None else base)
        env.pop("WAYLAND_DISPLAY", None)  # Qt must not prefer a developer's Wayland session
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb")
        return env

    def __enter__(self) -> Xvfb:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class Window:
    """A top-level X window: its id, absolute geometry, whether it is viewable, its owner's pid
    (``_NET_WM_PID``, which Qt sets; None when absent) and its title."""

    wid: str
    x: int
    y: int
    width: int
    height: int
    viewable: bool
    pid: int | None
    title: str

    def covers(self, width: int, height: int) -> bool:
        """Whether the window spans the whole ``width`` x ``height`` screen."""
        return (self.x <= 0 and self.y <= 0 and self.x + self.width >= width
                and self.y + self.height >= height)

    def __str__(self) -> str:
        state = "viewable" if self.viewable else "not viewable"
        return f"{self.wid} {self.title!r} {self.width}x{self.height}+{self.x}+{self.y} ({state}, pid {self.pid})"


def _x(display: str, *args: str) -> str:
    """Run an X client tool against ``display``; its standard output."""
    return subprocess.run(args, env={**os.environ, "DISPLAY": display}, capture_output=True,
                          text=True, timeout=10, check=True).stdout


def _field(info: str, name: str) -> str:
    match = re.search(rf"^\s*{re.escape(name)}:\s*(.*)$", info, re.MULTILINE)
    if match is None:
        raise ValueError(f"xwininfo gave no {name!r}:\n{info}")
    return match.group(1).strip()


def top_level_windows(display: str) -> list[Window]:
    """The root window's children: with no window manager these are the programs' own
    top-level windows (Qt also keeps a few small unmapped helper windows there)."""
    tree = _x(display, "xwininfo", "-root", "-children")
    windows = []
    for wid in re.findall(r"^\s+(0x[0-9a-f]+) ", tree, re.MULTILINE):
        try:
            info = _x(display, "xwininfo", "-id", wid)
            pid_text = _x(display, "xprop", "-id", wid, "_NET_WM_PID")
        except subprocess.CalledProcessError:
            continue  # the window went away between the two questions
        pid = re.search(r"=\s*(\d+)", pid_text)
        title = re.search(r'xwininfo: Window id: \S+ "(.*)"', info)
        windows.append(Window(
            wid, int(_field(info, "Absolute upper-left X")), int(_field(info, "Absolute upper-left Y")),
            int(_field(info, "Width")), int(_field(info, "Height")),
            _field(info, "Map State") == "IsViewable", int(pid.group(1)) if pid else None,
            title.group(1) if title else ""))
    return windows


def screenshot(display: str) -> Image.Image:
    """The whole screen of ``display`` as an RGB image."""
    return ImageGrab.grab(xdisplay=display).convert("RGB")
