"""What the calling screen shows, kept apart from how it is drawn (no Qt here).

Calls arrive from the start-up fetch and from the live event stream, possibly both for the same
call and possibly again after a reconnect; each is taken once, by its call sequence number, and
kept in call order. A recall is a new call (new sequence number) and is shown and spoken again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from kiosk.domain import place_label
from kiosk.models import Call, Catalog, QueueEntry, WindowClerk

SEEN_LIMIT = 10_000  # call numbers remembered for de-duplication (far more than a day's calls)


@dataclass
class BoardModel:
    """Recent calls, waiting counts and the hall's texts, fed by hall events."""

    recent_limit: int = 8
    window: int | None = None
    catalog: Catalog | None = None
    waiting: dict[str, int] = field(default_factory=dict)
    paused_windows: set[int] = field(default_factory=set)
    clerks: dict[int, WindowClerk] = field(default_factory=dict)  # who is signed in at each window
    _recent: deque[Call] = field(default_factory=deque)
    _seen: set[int] = field(default_factory=set)
    _seen_order: deque[int] = field(default_factory=deque)

    def set_catalog(self, catalog: Catalog) -> None:
        """Take the hall's services, windows and notice; waiting counts start from it."""
        self.catalog = catalog
        self.waiting.update({s.code: s.waiting for s in catalog.services})
        self.paused_windows = {w.number for w in catalog.windows if w.paused}
        self.clerks = {w.number: w.clerk for w in catalog.windows if w.clerk is not None}

    def add_calls(self, calls: Iterable[Call]) -> list[Call]:
        """Take calls (any order, duplicates allowed); returns the new ones in call order."""
        fresh = sorted((c for c in calls if c.seq not in self._seen), key=lambda c: c.seq)
        for call in fresh:
            self._remember(call.seq)
            if self.window is None or call.window == self.window:
                self._recent.append(call)
        # A late-arriving older call must not jump ahead of newer ones on the board.
        if fresh:
            self._recent = deque(sorted(self._recent, key=lambda c: c.seq)[-self.recent_limit:])
        return fresh

    def _remember(self, seq: int) -> None:
        self._seen.add(seq)
        self._seen_order.append(seq)
        if len(self._seen_order) > SEEN_LIMIT:
            self._seen.discard(self._seen_order.popleft())

    def apply_event(self, kind: str, data: dict) -> list[Call]:
        """Apply one hall event; returns the calls it added (zero or one). Bad data is ignored."""
        try:
            if kind == "call":
                return self.add_calls([Call.model_validate(data)])
            if kind == "queue" and "service" in data:
                entry = QueueEntry.model_validate(data)
                self.waiting[entry.service] = entry.waiting
            elif kind == "queue" and "window" in data:
                number = int(data["window"])
                (self.paused_windows.add if data.get("paused") else self.paused_windows.discard)(number)
            elif kind == "clerk":
                number, clerk = int(data["window"]), data.get("clerk")
                if clerk is None:
                    self.clerks.pop(number, None)
                else:
                    self.clerks[number] = WindowClerk.model_validate(clerk)
        except (ValidationError, TypeError, ValueError, KeyError):
            return []
        return []

    @property
    def recent(self) -> list[Call]:
        """Recent calls, oldest first."""
        return list(self._recent)

    @property
    def latest(self) -> Call | None:
        """The newest call shown."""
        return self._recent[-1] if self._recent else None

    @property
    def last_seq(self) -> int:
        """The highest call sequence number taken (0 when none)."""
        return max(self._seen) if self._seen else 0

    def hall_name(self, lang: str = "zh") -> str:
        """The hall's name."""
        if self.catalog is None:
            return ""
        return self.catalog.hall.name.en if lang == "en" else self.catalog.hall.name.zh

    def notice(self, lang: str = "zh") -> str:
        """The hall's notice, or an empty string."""
        if self.catalog is None or self.catalog.hall.notice is None:
            return ""
        notice = self.catalog.hall.notice
        return notice.en if lang == "en" else notice.zh

    def window_name(self, number: int, lang: str = "zh") -> str:
        """A window's name from the catalog, or ``N号窗口`` (``N号咨询台`` for a desk)."""
        window = self.catalog.window(number) if self.catalog else None
        if window is None:
            return place_label(number, "window", lang)
        return window.name.en if lang == "en" else window.name.zh

    def window_kind(self, number: int) -> str:
        """``window`` or ``desk``, from the catalog."""
        window = self.catalog.window(number) if self.catalog else None
        return window.kind if window is not None else "window"

    def service_name(self, code: str, lang: str = "zh") -> str:
        """A service's name in ``lang``, or its code when the catalog does not know it."""
        service = self.catalog.service(code) if self.catalog else None
        if service is None:
            return code
        return service.name.en if lang == "en" else service.name.zh

    def waiting_rows(self, lang: str = "zh") -> list[tuple[str, str, int]]:
        """(prefix, name in ``lang``, waiting) per service, in catalog order."""
        if self.catalog is None:
            return []
        return [(s.prefix, s.name.en if lang == "en" else s.name.zh, self.waiting.get(s.code, s.waiting))
                for s in self.catalog.services]
