"""The announcer: one queue, one voice at a time, every call heard, a stuck device never fatal.

Calls are queued (bounded but large; an overflow is reported, never silent) and spoken one after
another, each repeated as configured. Every playback runs on its own short-lived thread and is
bounded by a timeout derived from the clip length; a backend that overruns is cancelled, and if
it still does not return it is abandoned so the next call proceeds. Faults go to the status.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace

from drivers.voice.backend import VoiceBackend
from drivers.voice.utterance import LANGS, Announcement, Utterance
from drivers.worker import DeviceWorker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnnouncerStatus:
    """A snapshot for the display's status line and the staff panel."""

    backend: str
    queued: int = 0
    playing: str | None = None
    played: int = 0
    faults: int = 0
    last_fault: str | None = None
    last_fault_at: float | None = None
    last_played_at: float | None = None
    dropped: int = 0
    stuck: int = 0

    @property
    def ok(self) -> bool:
        """True when no call was dropped, no playback is stuck and the latest one succeeded.

        ``last_fault`` stays set after recovery so staff can still see what went wrong.
        """
        if self.dropped or self.stuck:
            return False
        if self.last_fault_at is None:
            return True
        return self.last_played_at is not None and self.last_played_at > self.last_fault_at


@dataclass(frozen=True)
class AnnouncerSettings:
    """How calls are spoken: language(s), repeats, gaps, the queue bound and the timeout.

    A playback may take ``timeout_factor`` × its length + ``timeout_margin`` seconds before the
    watchdog gives up on it.
    """

    lang: str = "zh"
    repeat: int = 2
    repeat_gap: float = 1.0
    call_gap: float = 0.5
    max_queue: int = 1000
    timeout_factor: float = 2.0
    timeout_margin: float = 3.0
    cancel_grace: float = 0.5

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {self.lang!r}")
        if not 1 <= self.repeat <= 10:
            raise ValueError(f"repeat must be 1-10, got {self.repeat}")
        if min(self.repeat_gap, self.call_gap, self.cancel_grace) < 0:
            raise ValueError("gaps and cancel_grace must be >= 0")
        if self.max_queue < 1 or self.timeout_factor < 1 or self.timeout_margin <= 0:
            raise ValueError("max_queue >= 1, timeout_factor >= 1 and timeout_margin > 0 needed")


class Announcer(DeviceWorker):
    """Queues calls and speaks them through a :class:`VoiceBackend`; never blocks callers.

    ``on_status`` gets every new :class:`AnnouncerStatus`, on the caller's or the worker's
    thread. A backend thread that was abandoned keeps running until its device returns; if it
    then still makes sound it may overlap a later call, which is the price of not going silent.
    """

    def __init__(
        self,
        backend: VoiceBackend,
        settings: AnnouncerSettings | None = None,
        *,
        on_status: Callable[[AnnouncerStatus], None] | None = None,
        name: str = "announcer",
    ) -> None:
        self.backend = backend
        self.settings = settings or AnnouncerSettings()
        self._on_status = on_status
        DeviceWorker.__init__(self, name, AnnouncerStatus(backend=backend.name))
        self._queue: deque[Announcement] = deque()
        self._recent: deque[Hashable] = deque(maxlen=256)
        self._abandoned: list[threading.Thread] = []

    # -- caller side -------------------------------------------------------------------------

    def announce(self, utterance: Announcement, key: Hashable | None = None) -> bool:
        """Queue ``utterance`` (a call's words or a :class:`Chime`); returns False only when
        ``key`` was announced already (an event delivered twice). On overflow the oldest waiting
        announcement is dropped and reported."""
        with self._cond:
            if self._stopping:
                raise RuntimeError("announcer is closed")
            if key is not None:
                if key in self._recent:
                    return False
                self._recent.append(key)
            if len(self._queue) >= self.settings.max_queue:
                lost = self._queue.popleft()
                self._fault(f"announcement queue full ({self.settings.max_queue}):"
                            f" dropped {lost.label}", dropped=self._status.dropped + 1)
            self._queue.append(utterance)
            self._update()
            self._cond.notify_all()
        self.start()
        return True

    def announce_call(self, call: Mapping[str, object], lang: str | None = None) -> bool:
        """Queue a call object of the hall API in ``lang`` (default: the settings' language).

        The call's ``seq`` keeps an event delivered twice from being spoken twice. Raises
        :class:`~drivers.voice.utterance.UtteranceError` for a call that cannot be read.
        """
        utterance = Utterance.from_call(call, lang or self.settings.lang)
        seq = call.get("seq")
        return self.announce(utterance, None if seq is None else ("seq", seq))

    def _has_work(self) -> bool:
        return bool(self._queue)

    def close(self, timeout: float = 2.0) -> None:
        """Stop after the current playback; queued calls are not spoken."""
        self._stop_thread(timeout, interrupt=self.backend.cancel)
        self.backend.close()

    def __enter__(self) -> Announcer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- worker side -------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                utterance = self._queue.popleft()
                self._busy = True
                self._update(playing=utterance.text)
            try:
                self._speak(utterance)
            finally:
                with self._cond:
                    self._busy = False
                    self._update(playing=None)
                    self._cond.notify_all()
            self._sleep(self.settings.call_gap)

    def _speak(self, utterance: Announcement) -> None:
        """Say one call ``repeat`` times, the chime only before the first (a chime alone
        once)."""
        for n in range(self.settings.repeat if utterance.repeats else 1):
            if n:
                self._sleep(self.settings.repeat_gap)
            if self._stopping:
                return
            if not self._play_bounded(utterance if n == 0 else utterance.without_chime()):
                return  # do not spend the next calls' time on repeats that cannot work

    def _play_bounded(self, utterance: Announcement) -> bool:
        """Play once under the watchdog; False when repeating is pointless (the backend had
        to be abandoned, or the announcement cannot be built)."""
        try:
            timeout = self.backend.duration(utterance) * self.settings.timeout_factor
        except Exception as exc:  # e.g. a missing clip: report it, the next call may work
            self._fault(f"cannot prepare {utterance.label}: {exc}")
            return False  # a repeat would fail the same way
        timeout += self.settings.timeout_margin
        done = threading.Event()
        errors: list[BaseException] = []

        def target() -> None:
            try:
                self.backend.play(utterance)
            except Exception as exc:  # reported by the worker below
                errors.append(exc)
            finally:
                done.set()

        player = threading.Thread(target=target, name=f"{self._name}-play", daemon=True)
        player.start()
        if not done.wait(timeout):
            return self._overran(utterance, player, done, timeout)
        if errors:
            self._fault(f"playing {utterance.label} failed: {errors[0]}")
        else:
            with self._cond:
                self._update(played=self._status.played + 1, last_played_at=time.monotonic())
        return True

    def _overran(
        self, utterance: Announcement, player: threading.Thread, done: threading.Event, timeout: float
    ) -> bool:
        try:
            self.backend.cancel()
        except Exception:  # cancelling is best effort; the watchdog moves on regardless
            log.exception("announcer: cancel failed")
        if done.wait(self.settings.cancel_grace):
            self._fault(f"playing {utterance.label} took over {timeout:.1f} s; cancelled")
            return True
        with self._cond:
            self._abandoned = [t for t in self._abandoned if t.is_alive()] + [player]
        self._fault(
            f"sound device stuck playing {utterance.label} (over {timeout:.1f} s);"
            " abandoned it, later calls continue",
        )
        return False

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        with self._cond:
            while not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    def _fault(self, message: str, **changes: object) -> None:
        log.warning("announcer: %s", message)
        with self._cond:
            self._update(
                faults=self._status.faults + 1,
                last_fault=message,
                last_fault_at=time.monotonic(),
                **changes,
            )

    def _update(self, **changes: object) -> None:
        """Replace the status (lock held) and tell the listener."""
        stuck = sum(1 for t in self._abandoned if t.is_alive())
        self._status = replace(self._status, queued=len(self._queue), stuck=stuck, **changes)
        if self._on_status is not None:
            try:
                self._on_status(self._status)
            except Exception:  # a broken listener must not silence the hall
                log.exception("announcer status listener failed")
