"""``kiosk devices announce``: write or play one call."""

from __future__ import annotations

import array
import io
import stat
import wave
from pathlib import Path

import pytest

from app.cli import main
from drivers.voice import ALL_CLIPS


@pytest.fixture
def tone_dir(tmp_path: Path) -> Path:
    """A full set of distinct short tones, so no clip generation is needed."""
    folder = tmp_path / "tones"
    folder.mkdir()
    for i, name in enumerate(ALL_CLIPS):
        with wave.open(str(folder / f"{name}.wav"), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(16000)
            wav.writeframes(array.array("h", [i + 1] * 400).tobytes())
    return folder


def pcm(data: bytes) -> bytes:
    with wave.open(io.BytesIO(data), "rb") as wav:
        return wav.readframes(wav.getnframes())


def test_announce_writes_the_call_to_a_wav(tone_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "call.wav"
    code = main(["devices", "announce", "--number", "A012", "--window", "3", "--lang", "both",
                 "--out", str(out), "--clips", str(tone_dir)])
    assert code == 0
    assert "请A012号到3号窗口办理 / Number A012, please go to window 3" in capsys.readouterr().out
    frames = pcm(out.read_bytes())
    # The first word after the chime and its 300 ms pause is 请 (tone value of zh_qing).
    start = 2 * (400 + 16 * 300)
    qing = ALL_CLIPS.index("zh_qing") + 1
    assert frames[start : start + 800] == array.array("h", [qing] * 400).tobytes()


def test_announce_refuses_a_bad_number(tone_dir: Path, capsys) -> None:
    code = main(["devices", "announce", "--number", "12", "--window", "3", "--clips",
                 str(tone_dir)])
    assert code == 2
    assert "ticket number '12'" in capsys.readouterr().err


def test_announce_plays_through_a_player_on_path(tone_dir: Path, tmp_path: Path, monkeypatch,
                                                 capsys) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    player = bin_dir / "aplay"
    player.write_text(f'#!/bin/sh\nfor a; do f="$a"; done\n/bin/cp "$f" "{tmp_path}/heard.wav"\n')
    player.chmod(player.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    code = main(["devices", "announce", "--number", "B7", "--window", "12", "--clips",
                 str(tone_dir)])
    assert code == 0, capsys.readouterr().err
    assert "announced: 请B7号到12号窗口办理" in capsys.readouterr().out
    assert len(pcm((tmp_path / "heard.wav").read_bytes())) > 0


def test_announce_without_a_player_says_so(tone_dir: Path, tmp_path: Path, monkeypatch,
                                           capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    code = main(["devices", "announce", "--number", "B7", "--window", "12", "--clips",
                 str(tone_dir)])
    assert code == 1
    assert "no audio player" in capsys.readouterr().err
