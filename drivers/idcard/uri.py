"""Opening the reader's line from a URI, through the scheme registry of ``drivers.pipe``.

``serial:///dev/ttyUSB1?baudrate=115200`` or a bare path (a pty too), ``tcp://host:port`` (a
serial-device server), pyserial's ``socket://``, ``loop://`` …, and ``sim:<kind>?…``: the
built-in simulator, in-process (``drivers.idcard.simulator``, imported only when a URI names it).
A line that cannot carry the reader's replies back (``file://``) is refused.
"""

from __future__ import annotations

from drivers.idcard.errors import ReaderUnavailable
from drivers.pipe import BytePipe, PipeUriError, pipe_for_uri, register

DEVICE = "ID card reader"
#: SAM modules talk at 115200 baud, 8N1.
DEFAULTS = {"baudrate": 115200}


def reader_pipe(uri: str) -> BytePipe:
    """The line a reader URI names, not yet open; ``ReaderUnavailable`` names what is wrong."""
    try:
        return pipe_for_uri(uri, device=DEVICE, defaults=DEFAULTS, needs_answers=True)
    except PipeUriError as exc:
        raise ReaderUnavailable(str(exc)) from None


register("sim", "drivers.idcard.simulator:sim_pipe", example="sim:resident", device=DEVICE)
