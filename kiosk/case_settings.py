"""``[cases]`` and ``[export]`` of the hall file (DESIGN.md §4 Cases, Export).

Kept apart from ``kiosk.cases`` so the hall file's models load without the database layer.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class CaseSettings(BaseModel):
    """How cases are handled: deadlines in working days, the 办不成事 window, the check's pace."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rectify_days: int = Field(default=5, ge=1, le=60, description="working days to rectify a bad rating")
    unresolved_days: int = Field(default=15, ge=1, le=60, description="working days to answer a 办不成事 case")
    remind_days: int = Field(default=2, ge=0, le=30, description="remind this many working days before a deadline")
    unresolved_window: int | None = Field(default=None, ge=1, le=999,
                                          description="the 办不成事 window, whose counter may register cases")
    check_interval_s: float = Field(default=60, ge=0.05, le=3600,
                                    description="how often the server looks for cases near or past their deadline")


class ExportSettings(BaseModel):
    """Where ratings and cases go for the provincial platform: daily JSON lines and/or a webhook."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    jsonl_dir: str = Field(default="", description="folder of the daily JSON-lines files (relative: inside the "
                           "server's data folder); empty: none")
    webhook_url: str = Field(default="", description="the platform's http(s) endpoint; empty: none")
    webhook_token: str = Field(default="", description="sent as 'Authorization: Bearer …' to the webhook")
    timeout_s: float = Field(default=10, ge=0.5, le=120)
    interval_s: float = Field(default=5, ge=0.05, le=3600, description="how often the sender looks for items")
    max_backoff_s: float = Field(default=900, ge=1, le=86400, description="longest pause between two attempts")

    @field_validator("webhook_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"webhook_url must start with http:// or https://, not {value[:20]!r}")
        return value

    @property
    def enabled(self) -> bool:
        """Whether anything is exported at all."""
        return bool(self.jsonl_dir or self.webhook_url)


def case_problems(unresolved_window: int | None, windows: set[int]) -> list[str]:
    """Cross-references of ``[cases]`` that point nowhere."""
    if unresolved_window is not None and unresolved_window not in windows:
        return [f"cases.unresolved_window: no window {unresolved_window}"]
    return []
