"""The sign bus simulator (``sim:``): a byte pipe that records every frame with its time.

Tests and the demo read ``frames`` to see what the signs were sent and when; setting
``failing`` makes the bus behave like a port that has gone until it is cleared.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.pipe import BytePipe, Options, PipeUnavailable, PipeUri, register

DEVICE = "sign"


@dataclass(frozen=True)
class SimFrame:
    """One frame the simulator received, with the monotonic time it arrived."""

    at: float
    data: bytes


class SimTransport(BytePipe):
    """A simulated sign bus: one ``SimFrame`` per write; ``opens`` counts successful opens."""

    can_answer = False  # window signs never answer

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__("simulated sign bus")
        self._clock = clock
        self._lock = threading.Lock()  # frames are read from other threads than the bus's
        self._frames: list[SimFrame] = []
        self.failing = False
        self.opens = 0

    @property
    def frames(self) -> list[SimFrame]:
        """A copy of the frames received so far, oldest first."""
        with self._lock:
            return list(self._frames)

    def write(self, data: bytes, timeout: float) -> int:
        """Record ``data`` as one frame, or fail as a vanished port does while ``failing``."""
        self._require_open()
        if self.failing:
            raise PipeUnavailable(f"write to {self.description} failed: simulated failure")
        with self._lock:
            self._frames.append(SimFrame(self._clock(), bytes(data)))
        return len(data)

    def _open(self, timeout: float) -> None:
        if self.failing:
            raise PipeUnavailable(f"cannot open {self.description}: simulated failure")
        self.opens += 1

    def _write_some(self, chunk: bytes, timeout: float) -> int:
        return self.write(chunk, timeout)  # not reached: write keeps whole frames


def sim_pipe(uri: PipeUri, options: Options) -> SimTransport:
    """Handler of the sign bus's ``sim:``."""
    if uri.target:
        raise uri.error("the sign simulator takes no name", "write sim: or sim:?gap_ms=0")
    return SimTransport()


register("sim", sim_pipe, example="sim:", device=DEVICE, answers=False)
