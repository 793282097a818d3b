"""Shared helpers of the calling display and counter tests (no tests here).

A real engine in dev mode (always open) on a fresh SQLite file; tickets issued with a made-up
citizen hash (several sample services require an ID card); a tiny clip set of short silent WAVs
so the clips backend works without espeak-ng.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.demo.calling_shots import random_id_number
from drivers.voice import ALL_CLIPS, wav_bytes
from kiosk.config import PROJECT_CONFIG_DIR
from kiosk.hall import LocalHall, open_engine
from kiosk.models import IssueRequest, Ticket
from kiosk.terminal import citizen_from_id

HALL_TOML = PROJECT_CONFIG_DIR / "hall.toml"


def issue(hall, service: str = "SS01") -> Ticket:  # noqa: ANN001
    """Issue one ticket for a made-up citizen."""
    citizen = citizen_from_id(random_id_number(), hall.catalog().id_seal_key)
    return hall.issue(IssueRequest(service=service, citizen=citizen))


def clip_folder(folder: Path) -> Path:
    """Every clip as 20 ms of silence (16 kHz mono 16-bit)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ALL_CLIPS:
        (folder / f"{name}.wav").write_bytes(wav_bytes(bytes(640)))
    return folder


@pytest.fixture
def dev_hall(tmp_path: Path) -> LocalHall:
    """The sample hall in-process, always open."""
    return LocalHall(open_engine(HALL_TOML, tmp_path / "hall", dev=True))


@pytest.fixture
def clips(tmp_path: Path) -> Path:
    """A folder with the whole (silent) clip set."""
    return clip_folder(tmp_path / "clips")
