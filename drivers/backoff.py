"""The pause between attempts to reopen a device that went away.

A device that was unplugged is usually back within seconds (a cable pushed in again, a printer
switched on), so the first retry comes soon; one that stays away is tried less and less often,
so a kiosk left with a dead reader for a night does not spin on it. Every device worker (the
card reader, the printer watch, each LED sign bus) counts its pauses with one ``Backoff``.
"""

from __future__ import annotations

#: The first pause and the longest one, in seconds (DESIGN.md §7, "A device failure").
FIRST_S = 0.5
LIMIT_S = 10.0


class Backoff:
    """Pauses growing from ``first`` by ``factor`` up to ``limit``; ``reset()`` after a success.

    Not thread-safe: each worker owns its own and uses it on its own thread.
    """

    def __init__(self, first: float = FIRST_S, limit: float = LIMIT_S, factor: float = 2.0) -> None:
        if first <= 0 or limit < first or factor < 1:
            raise ValueError("backoff needs 0 < first <= limit and factor >= 1")
        self.first = first
        self.limit = limit
        self.factor = factor
        self._next = first
        self.failures = 0  # attempts failed since the last success

    @property
    def pending(self) -> float:
        """The pause the next ``next()`` will return."""
        return self._next

    def next(self) -> float:
        """The pause before the next attempt (one more attempt has failed)."""
        pause = self._next
        self.failures += 1
        self._next = min(self.limit, self._next * self.factor)
        return pause

    def reset(self) -> None:
        """The device answered: the next failure starts again from ``first``."""
        self._next = self.first
        self.failures = 0
