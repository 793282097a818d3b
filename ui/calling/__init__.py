"""The calling programs: the LED-style calling screen (``kiosk display``) and the clerk's caller
(``kiosk counter``), with the dot-matrix widget, the hall feed, voice and LED sign followers."""

from ui.calling import pyside_guard

# PySide6 6.12 on Python 3.11 drops references to None/True it never took (see pyside_guard);
# without this a display painting for a few minutes aborts. Harmless where not needed.
pyside_guard.apply()
