"""``file:///path``: bytes appended to a file, or written to a device node (``/dev/usb/lp0``).

Nothing comes back on this line (``can_answer`` is false): good for keeping what a printer or a
sign was sent, and for printers that take a device node and never answer.
"""

from __future__ import annotations

import os
import select

from drivers.pipe.base import BytePipe, PipeUnavailable
from drivers.pipe.uri import Options, PipeUri


class FilePipe(BytePipe):
    """Appends to ``path``, never blocking longer than the write's deadline."""

    can_answer = False

    def __init__(self, path: str) -> None:
        super().__init__(f"file {path}")
        self.path = path
        self._fd = -1

    def _open(self, timeout: float) -> None:
        # Non-blocking, so a device node whose printer stopped taking bytes cannot hang a write.
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_CLOEXEC
        if may_create(self.path):
            flags |= os.O_CREAT
        try:
            self._fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            raise PipeUnavailable(f"cannot open {self.path}: {exc.strerror}") from exc

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        try:
            _, ready, _ = select.select([], [self._fd], [], timeout)
            return os.write(self._fd, chunk) if ready else 0
        except BlockingIOError:
            return 0
        except OSError as exc:
            raise PipeUnavailable(f"writing {self.path} failed: {exc.strerror}") from exc

    def _close(self) -> None:
        fd, self._fd = self._fd, -1
        os.close(fd)


def may_create(path: str) -> bool:
    """Whether opening ``path`` may create it: a plain file may be, a device may not.

    A device node (``/dev/usb/lp0``) or udev's name for it (``/dev/hall-printer``, a symlink)
    vanishes while the printer is unplugged; creating a plain file there would swallow every
    later ticket, even after the printer is back. So nothing under ``/dev/`` is created, nor
    anything through a symlink: the open fails, the printer reads as offline, and it is opened
    again once the device is back.
    """
    return not path.startswith("/dev/") and not os.path.islink(path)


def file_pipe(uri: PipeUri, options: Options) -> FilePipe:
    """Handler of ``file:///absolute/path`` (``file://localhost/…`` too)."""
    path = uri.target
    if path.startswith("localhost/"):
        path = path[len("localhost"):]
    if not path.startswith("/"):
        raise uri.error("the path must be absolute", "write file:///tmp/ticket.bin (three slashes)")
    return FilePipe(path)
