"""The staff session: who is in (staff or technician), PIN checks, staff cards, the idle lock.

One ``StaffController`` per kiosk. PINs are checked on its own lane (scrypt takes tens of
milliseconds, too long for the GUI thread). A staff card whose keyed ID hash is listed in
``staff.staff_cards`` opens staff mode without a PIN. The session locks itself after
``staff.idle_lock_s`` without a touch; panels call ``touch()`` on activity.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import platformdirs
from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.audit import AuditLog
from kiosk.pins import PinGate, PinLocked
from ui.ops import Lane
from ui.staff.ops import Actor


def default_audit_path(services) -> Path:
    """``audit.jsonl`` in the kiosk's data folder (the one ``kiosk run`` uses, else
    ``kiosk.data_dir``, else the platform's)."""
    if getattr(services, "data_dir", None):
        return Path(services.data_dir) / "audit.jsonl"
    data_dir = services.config.kiosk.data_dir
    if data_dir:
        base = Path(data_dir)
        if not base.is_absolute():
            base = Path(services.config_path).parent / base
    else:
        base = Path(platformdirs.user_data_dir("hall-kiosk"))
    return base / "audit.jsonl"


class StaffController(QObject):
    """The state of staff mode, shared by the PIN dialog and every staff panel."""

    opened = Signal(str)  # role: "staff" | "tech"
    locked = Signal()
    configChanged = Signal(object)  # the new KioskConfig after a technician saved settings
    cardForLookup = Signal(object)  # a citizen card read while staff mode is open

    def __init__(self, services, *, audit: AuditLog | None = None, dev: bool = False,
                 clock: Callable[[], float] = time.time, parent: QObject | None = None):
        super().__init__(parent)
        self.services = services
        self.audit = audit or AuditLog(default_audit_path(services))
        self.dev = dev
        staff = services.config.staff
        # The lockout is kept beside the audit log (the kiosk's data folder): a restart keeps it.
        self.gate = PinGate({"staff": staff.pin_hash, "tech": staff.tech_pin_hash}, dev=dev,
                            clock=clock, state_path=self.audit.path.with_name("pin-lockout.json"))
        self.actor: Actor | None = None
        self.pin_lane = Lane("staff-pin", self)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self.lock)
        self._apply_idle(staff.idle_lock_s)

    # -- session -----------------------------------------------------------------------------
    @property
    def role(self) -> str | None:
        """``staff``, ``tech`` (which may do everything staff may) or None when locked."""
        return self.actor.role if self.actor else None

    def _apply_idle(self, seconds: float) -> None:
        self._idle.setInterval(int(seconds * 1000))

    def set_idle_lock(self, seconds: float) -> None:
        """Lock after ``seconds`` without a touch (the config's ``staff.idle_lock_s``)."""
        self._apply_idle(seconds)
        if self._idle.isActive():
            self._idle.start()

    def open(self, role: str, actor: str) -> None:
        """Enter staff mode as ``role``."""
        self.actor = Actor(actor, role)
        self._idle.start()
        self.opened.emit(role)

    def lock(self) -> None:
        """Leave staff mode (the idle timer, the Lock button, or the kiosk going home)."""
        self._idle.stop()
        if self.actor is not None:
            self.actor = None
            self.locked.emit()

    def stop(self) -> None:
        """The program is ending: the session closes without a word to the screens (which may
        be gone), and no idle lock can fire later."""
        self._idle.stop()
        self.actor = None

    def touch(self) -> None:
        """Staff did something: restart the idle countdown."""
        if self.actor is not None:
            self._idle.start()

    def set_config(self, config) -> None:
        """A new config was saved: PIN hashes, staff cards and the idle lock follow it."""
        self.services.config = config
        self.gate.hashes = {"staff": config.staff.pin_hash, "tech": config.staff.tech_pin_hash}
        self._apply_idle(config.staff.idle_lock_s)
        self.configChanged.emit(config)

    # -- ways in -----------------------------------------------------------------------------
    def submit_pin(self, pin: str, roles: tuple[str, ...], done: Callable[[object], None]) -> None:
        """Check ``pin`` off the GUI thread; ``done(role | None | PinLocked)`` on the GUI thread.

        On success the session opens before ``done`` is called.
        """
        def check():
            try:
                return self.gate.check(pin, roles)
            except PinLocked as exc:
                return exc

        def finished(result):
            if isinstance(result, str):
                self.open(result, result)
            done(result)

        self.pin_lane.run(check, finished, lambda exc: done(None))

    def card_presented(self, card) -> bool:
        """A card was read at the kiosk; True when staff mode used it (staff card or lookup).

        A registered staff card opens staff mode. While staff mode is open any other card is
        offered to the panels (reprint by card) instead of the citizen screens.
        """
        terminal = self.services.terminal
        if terminal.is_staff_card(card, self.services.config.staff):
            if self.actor is None:  # named in the audit log by this run's tag of the card
                self.open("staff", f"card:{terminal.card_tag(card.id_number)[:8]}")
            return True
        if self.actor is not None:
            self.touch()
            self.cardForLookup.emit(card)
            return True
        return False
