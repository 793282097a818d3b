"""Names and order of a statistics report's rows (DESIGN.md "Statistics"): the hall file's names
of services, windows and priorities, clerks' names with their 工号, fixed names for the rest."""

from __future__ import annotations

from kiosk.config import HallConfig
from kiosk.domain import place_label
from kiosk.stats_models import CHANNELS

NONE_LABEL = {"zh": "（无）", "en": "(none)"}
CHANNEL_LABELS = {
    "kiosk": {"zh": "自助机", "en": "Kiosk"},
    "staff": {"zh": "人工取号", "en": "Staff"},
    "appointment": {"zh": "预约", "en": "Appointment"},
    "offline": {"zh": "离线补录", "en": "Offline"},
    "remote": {"zh": "远程", "en": "Remote"},
}


class Labels:
    """The zh and en names of a report's keys, and the order its rows come in."""

    def __init__(self, config: HallConfig, clerks: dict[str, str], by: str):
        self.config, self.clerks, self.by = config, clerks, by
        if by == "service":
            self.rank = {s.code: i for i, s in enumerate(config.services)}
        elif by == "priority":
            self.rank = {p.code: i for i, p in enumerate(config.priorities)}
        elif by == "channel":
            self.rank = {c: i for i, c in enumerate(CHANNELS)}
        else:
            self.rank = {}

    def order(self, key: str) -> tuple:
        """Rows in the hall file's order (services, priorities), channels as listed, windows by
        number, the rest by key; what has no key comes last."""
        if key == "":
            return (2, 0, "")
        if self.by == "window" and key.isdigit():
            return (0, int(key), key)
        return (0, self.rank.get(key, len(self.rank)), key) if self.rank else (1, 0, key)

    def of(self, key: str) -> dict[str, str]:
        """The key's name in zh and en."""
        if key == "":
            return dict(NONE_LABEL)
        by, config = self.by, self.config
        if by == "service":
            service = config.service(key)
            return service.name.model_dump() if service else {"zh": key, "en": key}
        if by == "window":
            window = config.window(int(key)) if key.isdigit() else None
            if window is not None:
                return window.name.model_dump()
            return {lang: place_label(int(key), "window", lang) for lang in ("zh", "en")} if key.isdigit() \
                else {"zh": key, "en": key}
        if by == "clerk":
            name = self.clerks.get(key)
            return {"zh": f"{name}（{key}）", "en": f"{name} ({key})"} if name else {"zh": key, "en": key}
        if by == "hour":
            return {"zh": f"{key}:00–{int(key) + 1:02d}:00", "en": f"{key}:00–{int(key) + 1:02d}:00"}
        if by == "priority":
            priority = config.priority(key)
            return priority.name.model_dump() if priority else {"zh": key, "en": key}
        if by == "channel":
            return dict(CHANNEL_LABELS.get(key, {"zh": key, "en": key}))
        return {"zh": key, "en": key}
