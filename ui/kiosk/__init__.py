"""The citizen's full-screen touch kiosk (``kiosk run``): screens, flow, bootstrap."""

from ui.kiosk.bootstrap import KioskRuntime, build_services
from ui.kiosk.window import KioskWindow

__all__ = ["KioskRuntime", "KioskWindow", "build_services"]
