"""Byte pipes: one way for every driver to reach its device from a URI string.

In the manner of pyserial's ``serial_for_url`` and its ``protocol_*`` handlers::

    pipe = pipe_for_uri("serial:///dev/ttyUSB2?baudrate=9600", device="sign")  # checked, closed
    pipe.open(timeout=3.0)
    pipe.write(frame, timeout=2.0); pipe.read(64, timeout=0.5); pipe.close()

``BytePipe`` (``base``) holds the primitives; ``parse_uri`` and ``Options`` (``uri``) are the one
parser; ``register`` and ``pipe_for_uri`` (``registry``) map a scheme to its handler.
``serial://`` (and pyserial's ``loop://``, ``socket://``, ``spy://`` …), ``tcp://`` and ``file://``
serve every device; each driver registers its own schemes (``sim:``, the printer's ``usb://``,
``cups://``, ``dummy:``). This package imports nothing from the drivers above it.
"""

from drivers.pipe.base import BytePipe, PipeError, PipeTimeout, PipeUnavailable, one_line
from drivers.pipe.registry import PYSERIAL_SCHEMES, pipe_for_uri, register, schemes_for
from drivers.pipe.uri import Options, PipeUri, PipeUriError, parse_uri

__all__ = [
    "PYSERIAL_SCHEMES",
    "BytePipe",
    "Options",
    "PipeError",
    "PipeTimeout",
    "PipeUnavailable",
    "PipeUri",
    "PipeUriError",
    "one_line",
    "parse_uri",
    "pipe_for_uri",
    "register",
    "schemes_for",
]
