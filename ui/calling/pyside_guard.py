"""Stop-gap for a reference-count bug of PySide6 6.12 on CPython 3.11.

Observed here (PySide6 6.12.0, Python 3.11.7): every call of a Qt method returning ``void``
(``QPainter.drawPixmap``, ``QLabel.setText`` …) drops one reference to ``None`` that it never
took, and ``Signal.emit`` does the same to ``True``. A display painting 25 frames a second
would bring ``None``'s count to zero within minutes and the interpreter aborts with
"none_dealloc: deallocating None". From Python 3.12 these objects are immortal (PEP 683) and
the bug is harmless; this gives them the same immortality on 3.11 by raising their counts far
beyond anything a process can drop. The proper fix is Python >= 3.12 or a PySide6 without the
bug; until then every Qt program of the project should call :func:`apply` once at start.
"""

from __future__ import annotations

import ctypes
import sys

#: Added to each count: at a million lost references a second this lasts for millennia.
MARGIN = 1 << 50
_applied = False


def needed() -> bool:
    """Whether this interpreter counts references to None/True/False (CPython before 3.12)."""
    return sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def apply() -> bool:
    """Make None, True and False effectively immortal; True when it did something."""
    global _applied
    if _applied or not needed() or hasattr(sys, "gettotalrefcount"):  # not on debug builds
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every object in release builds of CPython 3.11.
        ctypes.c_ssize_t.from_address(id(obj)).value += MARGIN
    _applied = True
    return True
