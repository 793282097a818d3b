"""Clerks' photos (DESIGN.md §4 Clerks): where they live, and what may be served as one.

``kiosk clerks add --photo F`` checks F and copies it into the hall's data folder as
``clerk-photos/<工号>.png`` (or ``.jpg``); the clerk's row keeps that path relative to the data
folder, so the server reads its own copy whatever happens to F. A path stored otherwise (a
clerk added through the API) must name a file in that same folder: a request never makes the
server read a file elsewhere on its disk. Every read checks the file all the same: only a PNG
or JPEG file (by its first bytes, not its name) of at most ``MAX_PHOTO_BYTES`` is ever served.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_PHOTO_BYTES = 2 * 1024 * 1024
"""A portrait for a small screen needs far less; the cap keeps one request from reading a
large file into memory."""
PHOTO_FOLDER = "clerk-photos"
_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}


class PhotoError(ValueError):
    """A photo that cannot be used; the message says what is wrong and what to do, ``reason``
    the same without the path (for logs: a file's name may be a person's)."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


def image_kind(data: bytes) -> str | None:
    """``png`` or ``jpg`` from the file's first bytes, or None for anything else."""
    return next((kind for magic, kind in _MAGIC.items() if data.startswith(magic)), None)


def read_photo(path: Path) -> bytes:
    """The bytes of the photo at ``path`` once checked: a PNG or JPEG of at most the cap
    (PhotoError otherwise: missing, unreadable, too large, not an image)."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_PHOTO_BYTES + 1)  # one byte more tells a file past the cap
    except FileNotFoundError:
        raise PhotoError(f"the photo file {path} does not exist", "no such file") from None
    except IsADirectoryError:
        raise PhotoError(f"the photo path {path} is a folder, not a file", "a folder") from None
    except OSError as exc:
        raise PhotoError(f"the photo file {path} cannot be read ({exc.strerror or exc})",
                         f"unreadable: {exc.strerror or type(exc).__name__}") from None
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(f"the photo file {path} is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB; "
                         "use a smaller picture", "too large")
    if image_kind(data) is None:
        raise PhotoError(f"the photo file {path} is not a PNG or JPEG picture; save it as one", "not a PNG or JPEG")
    return data


def photo_path(stored: str, data_dir: Path | None) -> Path:
    """The file a clerk's stored ``photo`` names, always a file of ``clerk-photos/`` in
    ``data_dir``: any other path (absolute, climbing out, a folder) is refused: PhotoError."""
    path = Path(stored)
    if data_dir is None:
        raise PhotoError("this hall has no data folder to find the clerk's photo in")
    if path.is_absolute() or ".." in path.parts or len(path.parts) != 2 or path.parts[0] != PHOTO_FOLDER:
        raise PhotoError(f"the clerk's photo path {stored} is not a file of the hall's {PHOTO_FOLDER}/ folder",
                         "outside the photo folder")
    return data_dir / path


def stored_name(code: str, data: bytes) -> str:
    """Where the photo ``data`` of clerk ``code`` is kept, relative to the data folder:
    ``clerk-photos/<code>.png`` or ``.jpg`` (a 工号 is letters, digits, - and _: a safe name)."""
    return f"{PHOTO_FOLDER}/{code}.{image_kind(data)}"


def save_photo(data_dir: Path, stored: str, data: bytes) -> Path:
    """Write a checked photo's ``data`` to ``data_dir / stored``: written beside and renamed
    into place, so a reader never sees half a picture."""
    target = photo_path(stored, data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(data)
    os.replace(partial, target)
    return target
