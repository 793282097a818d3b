"""The sign bus worker: one thread per bus sends frames one at a time with a gap between them.

Callers hand texts to :meth:`SignBus.show` and return at once. The worker keeps at most one
pending text per sign (a newer text for the same sign replaces the one not yet sent: a sign only
ever needs to show the latest call), writes one frame, waits the inter-frame gap that shared
RS-485 buses need, and reopens the transport after a failure, with pauses doubling from
``reconnect_interval`` up to ``reconnect_limit`` (``drivers.backoff``). Failures are kept in the status,
never raised into callers.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from drivers.backoff import LIMIT_S, Backoff
from drivers.pipe import BytePipe, PipeError
from drivers.sign.protocol import SignProtocol
from drivers.sign.text import PreparedText
from drivers.worker import DeviceWorker

log = logging.getLogger(__name__)

#: Inter-frame gap that ascii485 window signs need on a shared bus (200-300 ms).
DEFAULT_GAP = 0.25
#: Default sign width in half-width cells (8 Chinese characters or 16 ASCII ones).
DEFAULT_WIDTH = 16
#: Bounds on connecting to the bus (a TCP controller) and on writing one frame.
OPEN_TIMEOUT = 3.0
WRITE_TIMEOUT = 2.0


@dataclass(frozen=True)
class SignState:
    """What the bus last did for one sign."""

    address: int
    text: str = ""
    sent_at: float | None = None
    pending: bool = False
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignBusStatus:
    """A snapshot of the bus for the staff panel and the CLI."""

    transport: str
    connected: bool = False
    pending: int = 0
    frames_sent: int = 0
    failures: int = 0
    last_error: str | None = None
    last_error_at: float | None = None
    signs: dict[int, SignState] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the last attempt to reach the bus succeeded (or none failed yet)."""
        return self.last_error is None


class SignBus(DeviceWorker):
    """A worker that owns one sign bus; safe to call from any thread, never blocks.

    Each call event is one call: ``bus.show(window.sign_address, window_sign_text(number))``.
    ``on_status`` gets every new :class:`SignBusStatus`, on the caller's or the worker's thread
    (a Qt adapter re-emits it as a signal).
    """

    def __init__(
        self,
        transport: BytePipe,
        protocol: SignProtocol,
        *,
        gap: float = DEFAULT_GAP,
        width: int = DEFAULT_WIDTH,
        widths: dict[int, int] | None = None,
        reconnect_interval: float = 0.5,
        reconnect_limit: float = LIMIT_S,
        on_status: Callable[[SignBusStatus], None] | None = None,
        name: str = "sign-bus",
    ) -> None:
        if gap < 0 or width < 1 or reconnect_interval <= 0:
            raise ValueError("gap must be >= 0, width >= 1 and reconnect_interval > 0")
        self.transport = transport
        self.protocol = protocol
        self.gap = gap
        self.width = width
        self.widths = dict(widths or {})
        self.reconnect_interval = reconnect_interval
        self._backoff = Backoff(reconnect_interval, max(reconnect_interval, reconnect_limit))
        self._on_status = on_status
        DeviceWorker.__init__(self, name, SignBusStatus(transport=transport.description))
        self._pending: OrderedDict[int, PreparedText] = OrderedDict()

    # -- caller side -------------------------------------------------------------------------

    def show(self, address: int, text: str) -> PreparedText:
        """Queue ``text`` for the sign at ``address``; returns at once with the text as it will
        be shown (check ``.warnings`` for replaced characters or truncation).

        Raises :class:`~drivers.sign.protocol.SignProtocolError` only for an address the
        protocol cannot carry, which is a configuration error; bus failures go to :meth:`status`.
        """
        self.protocol.check_address(address)
        prepared = self.protocol.prepare(text, self.widths.get(address, self.width))
        for note in prepared.warnings:
            log.warning("sign %d: %s", address, note)
        with self._cond:
            if self._stopping:
                raise RuntimeError("sign bus is closed")
            self._pending[address] = prepared
            sign = self._status.signs.get(address, SignState(address))
            self._update(signs={**self._status.signs, address: replace(
                sign, pending=True, warnings=tuple(prepared.warnings))})
            self._cond.notify_all()
        self.start()
        return prepared

    def _has_work(self) -> bool:
        return bool(self._pending)

    def close(self, timeout: float = 2.0) -> None:
        """Stop the worker (texts not yet sent are dropped) and release the transport."""
        self._stop_thread(timeout)
        self.transport.close()

    def __enter__(self) -> SignBus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- worker side -------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                address, prepared = self._pending.popitem(last=False)
                self._busy = True
            try:
                sent = self._send(address, prepared)
            except Exception as exc:  # the worker must outlive any one bad frame
                log.exception("sign bus: frame for sign %d failed", address)
                self._record_error(address, f"frame for sign {address} failed: {exc}")
                sent = None
            with self._cond:
                self._busy = False
                if sent is not None:
                    self._record_sent(address, sent[0])
                self._cond.notify_all()
            if sent is not None:
                self._sleep(self.gap + sent[1] * self.transport.byte_time)

    def _send(self, address: int, prepared: PreparedText) -> tuple[PreparedText, int] | None:
        """Write the frame, reopening the transport until it works or the bus closes.

        Returns the text actually sent (a newer one may have replaced it while the bus was
        down) and the frame's length, or None when the bus closed first.
        """
        while not self._stopping:
            frame = self.protocol.encode(address, prepared.text)
            try:
                self.transport.open(OPEN_TIMEOUT)
                self.transport.write(frame, WRITE_TIMEOUT)
                self._backoff.reset()
                return prepared, len(frame)
            except PipeError as exc:
                self._record_error(address, str(exc))
                self.transport.close()
                self._sleep(self._backoff.next())
                with self._cond:
                    # A newer text for this sign arrived while the bus was down: send that.
                    prepared = self._pending.pop(address, prepared)
        return None

    def _sleep(self, seconds: float) -> None:
        """Sleep, waking early when the bus is closed."""
        deadline = time.monotonic() + seconds
        with self._cond:
            while not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    def _record_sent(self, address: int, prepared: PreparedText) -> None:
        sign = SignState(
            address,
            prepared.text,
            time.monotonic(),
            pending=address in self._pending,
            warnings=tuple(prepared.warnings),
        )
        self._update(
            connected=True,
            frames_sent=self._status.frames_sent + 1,
            last_error=None,
            signs={**self._status.signs, address: sign},
        )

    def _record_error(self, address: int, message: str) -> None:
        with self._cond:
            if message != self._status.last_error:
                log.warning("sign bus (sign %d): %s", address, message)
            self._update(
                connected=False,
                failures=self._status.failures + 1,
                last_error=message,
                last_error_at=time.monotonic(),
            )

    def _update(self, **changes: object) -> None:
        """Replace the status (lock held) and tell the listener."""
        self._status = replace(self._status, pending=len(self._pending), **changes)
        if self._on_status is not None:
            try:
                self._on_status(self._status)
            except Exception:  # a broken listener must not stop the signs
                log.exception("sign bus status listener failed")
