"""Domain rules that need no storage: ticket states and transitions, numbers, errors.

DESIGN.md §4 is the specification. Everything here is pure and Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    """A ticket's state."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    HELD = "held"
    VOID = "void"
    TRANSFERRED = "transferred"


ACTIVE_STATES = frozenset({State.WAITING, State.CALLED, State.SERVING, State.HELD})
"""States in which a ticket still holds a place: the real-name rule counts these."""

# Which states each action may start from, and the state it leads to (None: unchanged).
# A transfer moves the ticket, number and arrival time kept, into the target service's queue:
# the citizen's paper stays valid, and the event log records the move.
TRANSITIONS: dict[str, tuple[frozenset[State], State | None]] = {
    "call": (frozenset({State.WAITING, State.HELD}), State.CALLED),
    "recall": (frozenset({State.CALLED}), State.CALLED),
    "start": (frozenset({State.CALLED}), State.SERVING),
    "finish": (frozenset({State.CALLED, State.SERVING}), State.DONE),
    "no-show": (frozenset({State.CALLED}), State.NO_SHOW),
    "hold": (frozenset({State.CALLED, State.SERVING}), State.HELD),
    "requeue": (frozenset({State.CALLED, State.SERVING, State.HELD, State.NO_SHOW}), State.WAITING),
    "transfer": (frozenset({State.WAITING, State.CALLED, State.SERVING, State.HELD}), State.WAITING),
    "void": (frozenset({State.WAITING, State.CALLED, State.HELD, State.NO_SHOW}), State.VOID),
    "prioritize": (frozenset({State.WAITING, State.HELD}), None),
    "reprint": (frozenset(ACTIVE_STATES), None),
}

ACTIONS = tuple(TRANSITIONS)


# Machine codes of DESIGN.md §5 with the HTTP status each maps to.
ERROR_STATUS = {
    "validation_error": 422,
    "unknown_service": 404,
    "unknown_ticket": 404,
    "unknown_window": 404,
    "unknown_action": 404,
    "unknown_appointment": 404,
    "service_closed": 409,
    "quota_exhausted": 409,
    "duplicate_active": 409,
    "invalid_transition": 409,
    "appointment_outside_window": 409,
    "number_taken": 409,
    "already_rated": 409,
    "idempotency_mismatch": 409,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "payload_too_large": 413,
    "sign_in_required": 409,
    "clerk_exists": 409,
    "wrong_pin": 403,
    "pin_locked": 423,
    "too_many_requests": 429,  # kiosk.remote_api's rate limit: wait a minute
    "tls_required": 403,  # an ID number sent over plain HTTP to a hall that asks for TLS
    "data_unavailable": 503,  # the hall database cannot be read or reached: try again later
}


@dataclass
class HallError(Exception):
    """A refusal by the hall, with a machine code, a title and a detail in plain words.

    The same error travels from the engine through the HTTP server (as problem+json) and back
    out of the hall client, so callers handle one type whether the hall is local or remote.
    """

    code: str
    detail: str
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.detail}")

    @property
    def status(self) -> int:
        """The HTTP status of this error."""
        return ERROR_STATUS.get(self.code, 400)

    @property
    def title(self) -> str:
        """A short human title derived from the code."""
        return self.code.replace("_", " ").capitalize()


def check_transition(state: State, action: str) -> State | None:
    """The state ``action`` leads to from ``state``; raises HallError if it is not allowed."""
    if action not in TRANSITIONS:
        raise HallError("unknown_action", f"unknown action {action!r}; one of: {', '.join(ACTIONS)}")
    allowed, target = TRANSITIONS[action]
    if state not in allowed:
        raise HallError(
            "invalid_transition",
            f"cannot {action} a ticket that is {state.value}",
            {"state": state.value},
        )
    return target


def format_number(prefix: str, seq: int, digits: int) -> str:
    """The printed number: prefix and zero-padded sequence, ``A012``."""
    return f"{prefix}{seq:0{digits}d}"


def parse_number(number: str) -> tuple[str, int]:
    """Split ``A012`` into (``A``, 12); raises ValueError on anything else."""
    prefix = number.rstrip("0123456789")
    digits = number[len(prefix) :]
    if not prefix or not digits or not prefix.isalpha() or not prefix.isupper():
        raise ValueError(f"not a ticket number: {number!r}")
    return prefix, int(digits)


def place_label(window: int, kind: str = "window", lang: str = "zh") -> str:
    """What a window is called on boards and in calls: ``3号窗口`` or, for a desk, ``18号咨询台``
    (``Window 3``, ``Help desk 18``)."""
    desk = kind == "desk"
    if lang == "en":
        return f"Help desk {window}" if desk else f"Window {window}"
    return f"{window}号咨询台" if desk else f"{window}号窗口"


def call_text(number: str, window: int, kind: str = "window") -> dict[str, str]:
    """The announcement of a call in both languages (``请A012号到3号窗口办理``)."""
    return {
        "zh": f"请{number}号到{place_label(window, kind, 'zh')}办理",
        "en": f"Number {number}, please go to {place_label(window, kind, 'en')}",
    }
