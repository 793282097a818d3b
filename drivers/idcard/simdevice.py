"""The simulated reader's logic, free of any transport: request bytes in, timed response bytes out.

``SimCardDevice`` answers the same frames a SAM reader does, byte for byte, holds the card that is
"on" it, and applies fault modes. Transports (the in-process port and the pty server in
``drivers.idcard.simulator``) feed it what the host wrote and deliver what it returns.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from drivers.idcard import protocol as p

FAULTS = ("no_card", "checksum", "noise", "slow", "unplug")
PHOTO_LEN = 1024
SLOW_CHUNK = 64  # a slow reader trickles its answer out in pieces of this size


@dataclass(frozen=True)
class Chunk:
    """Bytes to deliver ``delay`` seconds after the previous chunk (or after the request)."""

    delay: float
    data: bytes


class SimCardDevice:
    """A simulated SAM ID card reader with an optional card on it.

    Fault modes (``set_fault``): ``no_card`` (find never sees the card), ``checksum`` (replies
    carry a wrong checksum), ``noise`` (garbage, including false preambles, around each reply),
    ``slow`` (each reply starts after ``delay`` seconds and trickles out), ``unplug`` (same as
    ``unplug()``). A fault applies to every reply, or to the next ``count`` replies it affects.
    Thread-safe: the demo places and removes cards from another thread than the one serving.
    """

    def __init__(self, card_text: bytes | None = None, *, present: bool = True,
                 delay: float = 0.3, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._card = card_text
        self._present = present and card_text is not None
        self._selected = False
        self._faults: dict[str, int | None] = {}
        self._decoder = p.FrameDecoder()
        self._rng = random.Random(seed)
        self.delay = delay
        self.generation = 0  # bumped by unplug(): ports opened before it stay dead
        self._plugged = True
        self.requests: list[tuple[int, int]] = []  # (CMD, PARA) of every request, for tests
        self.last_sent_at = 0.0  # perf_counter() when a transport delivered the last reply byte

    # -- what the demo and tests do to the reader ------------------------------------------
    def place(self, card_text: bytes | None = None) -> None:
        """Put a card on the reader (the given one, or the last one placed)."""
        with self._lock:
            if card_text is not None:
                self._card = card_text
            if self._card is None:
                raise ValueError("no card to place: give a text block")
            self._present, self._selected = True, False

    def remove(self) -> None:
        """Take the card off the reader."""
        with self._lock:
            self._present, self._selected = False, False

    @property
    def card_present(self) -> bool:
        """True while a card lies on the reader."""
        return self._present

    def set_fault(self, name: str, count: int | None = None) -> None:
        """Switch a fault mode on, for ``count`` replies or until cleared."""
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
        if name == "unplug":
            self.unplug()
            return
        with self._lock:
            self._faults[name] = count

    def clear_faults(self, name: str | None = None) -> None:
        """Switch one fault mode (or all) off."""
        with self._lock:
            if name is None:
                self._faults.clear()
            else:
                self._faults.pop(name, None)

    @property
    def plugged(self) -> bool:
        """False between ``unplug()`` and ``plug()``."""
        return self._plugged

    def unplug(self) -> None:
        """The reader vanishes: open ports fail, new opens fail, nothing is answered."""
        with self._lock:
            self._plugged = False
            self.generation += 1
            self._decoder.reset()

    def plug(self) -> None:
        """The reader is back (ports opened before the unplug stay dead, as on a real system)."""
        with self._lock:
            self._plugged = True

    # -- what transports call ---------------------------------------------------------------
    def respond(self, data: bytes) -> list[Chunk]:
        """Take bytes the host wrote and return the reply chunks (empty while unplugged)."""
        with self._lock:
            if not self._plugged:
                return []
            bodies = self._decoder.feed(data)
            replies = [self._bad_request(err) for err in self._decoder.errors]
            self._decoder.errors.clear()
            replies += [self._answer(body) for body in bodies]
            return [chunk for reply in replies for chunk in self._deliver(reply)]

    # -- internals (called with the lock held) ------------------------------------------------
    def _bad_request(self, error: p.FrameError) -> bytes:
        status = 0x10 if error.kind == "checksum" else 0x11
        return self._frame(status)

    def _answer(self, body: bytes) -> bytes:
        if len(body) < 2:
            return self._frame(0x11)
        cmd, para = body[0], body[1]
        self.requests.append((cmd, para))
        handler = {
            (0x10, 0xFF): lambda: self._frame(0x90),
            (0x11, 0xFF): lambda: self._frame(0x90),
            (0x12, 0xFF): lambda: self._frame(0x90, bytes(range(16))),
            (0x20, 0x01): self._find,
            (0x20, 0x02): self._select,
            (0x30, 0x01): lambda: self._read(fingerprint=False),
            (0x30, 0x10): lambda: self._read(fingerprint=True),
        }.get((cmd, para))
        return handler() if handler else self._frame(0x21)

    def _find(self) -> bytes:
        if self._present and not self._take("no_card"):
            return self._frame(p.SW3_CARD_FOUND, bytes(4))
        return self._frame(p.SW3_NO_CARD)

    def _select(self) -> bytes:
        if not self._present:
            return self._frame(p.SW3_SELECT_FAILED)
        self._selected = True
        return self._frame(0x90, bytes(8))

    def _read(self, fingerprint: bool) -> bytes:
        if not self._present or self._card is None:
            return self._frame(0x41)
        if not self._selected:
            return self._frame(0x23)
        photo = random.Random(len(self._card)).randbytes(PHOTO_LEN)  # stands in for WLT data
        lengths = len(self._card).to_bytes(2, "big") + PHOTO_LEN.to_bytes(2, "big")
        data = lengths + self._card + photo
        if fingerprint:
            data = lengths + PHOTO_LEN.to_bytes(2, "big") + self._card + photo + bytes(PHOTO_LEN)
        return self._frame(0x90, data)

    def _frame(self, sw3: int, data: bytes = b"") -> bytes:
        frame = bytearray(p.build_frame(bytes((0x00, 0x00, sw3)) + data))
        if self._take("checksum"):
            frame[-1] ^= 0xFF
        return bytes(frame)

    def _deliver(self, reply: bytes) -> list[Chunk]:
        """Timed chunks for one reply, with noise and slowness applied."""
        if self._take("noise"):
            reply = self._noise() + reply + self._rng.randbytes(self._rng.randint(0, 6))
        if not self._take("slow"):
            return [Chunk(0.0, reply)]
        pieces = [reply[i : i + SLOW_CHUNK] for i in range(0, len(reply), SLOW_CHUNK)]
        return [Chunk(self.delay if i == 0 else 0.002, piece) for i, piece in enumerate(pieces)]

    def _noise(self) -> bytes:
        """Garbage as seen on a bad line: random bytes, stray AA, and a false frame start."""
        junk = bytearray(self._rng.randbytes(self._rng.randint(3, 24)))
        junk += bytes.fromhex("AAAA")  # a partial preamble
        junk += p.PREAMBLE + bytes((0x00, self._rng.randint(3, 9))) + self._rng.randbytes(2)
        return bytes(junk)

    def _take(self, name: str) -> bool:
        """True if fault ``name`` applies to this reply (and count it)."""
        if name not in self._faults:
            return False
        remaining = self._faults[name]
        if remaining is not None:
            if remaining <= 1:
                del self._faults[name]
            else:
                self._faults[name] = remaining - 1
        return True


def now() -> float:
    """The clock the transports stamp ``last_sent_at`` with."""
    return time.perf_counter()
