"""The citizen's full-screen touch kiosk (``kiosk run``): screens, flow, runtime container.

``app.kiosk_app.build_kiosk`` builds it; nothing here assembles a kiosk of its own.
"""

from ui.kiosk.bootstrap import KioskRuntime
from ui.kiosk.window import KioskWindow

__all__ = ["KioskRuntime", "KioskWindow"]
