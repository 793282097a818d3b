"""The announcer: order, repeats, no overlap, and a failing or stuck sound device.

The clips are short synthetic tones (so these tests need no espeak-ng); the sound device is the
fake edge: a :class:`RecordingSink`, or a player program written as a shell script.
"""

from __future__ import annotations

import array
import stat
import threading
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.voice import (
    ALL_CLIPS,
    Announcer,
    AnnouncerSettings,
    Chime,
    ClipLibrary,
    ClipsBackend,
    CommandSink,
    RecordingSink,
    RenderUnsupported,
    SilentBackend,
    Utterance,
    UtteranceError,
    VoiceError,
    WavFileSink,
    open_voice_backend,
)
from tests.polling import wait_for

FAST = AnnouncerSettings(repeat=2, repeat_gap=0.01, call_gap=0.01, timeout_factor=1.0,
                         timeout_margin=0.5, cancel_grace=0.1)


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> ClipLibrary:
    """A full clip set of distinct 50-110 ms tones in the required WAV format."""
    folder = tmp_path_factory.mktemp("tones")
    for i, name in enumerate(ALL_CLIPS):
        samples = array.array("h", [(i + 1) * 100] * (800 + 16 * (i % 5)))
        with wave.open(str(folder / f"{name}.wav"), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(16000)
            wav.writeframes(samples.tobytes())
    return ClipLibrary([folder])


@pytest.fixture
def make() -> Iterator[Callable[..., tuple[Announcer, RecordingSink]]]:
    """Build announcers over a recording sink and close them (releasing hangs) afterwards."""
    made: list[tuple[Announcer, RecordingSink]] = []

    def build(library: ClipLibrary, settings: AnnouncerSettings = FAST, **sink_kw: object):
        sink = RecordingSink(time_scale=0.02, **sink_kw)  # a 1 s announcement 'plays' in 20 ms
        announcer = Announcer(ClipsBackend(library, sink), settings)
        made.append((announcer, sink))
        return announcer, sink

    yield build
    for announcer, sink in made:
        sink.release()
        announcer.close()


def calls(n: int) -> list[Utterance]:
    return [Utterance(f"A{i:03d}", i % 7 + 1) for i in range(1, n + 1)]


def assert_no_overlap(playbacks: list) -> None:
    finished = [p for p in playbacks if p.outcome != "hung"]
    for before, after in zip(finished, finished[1:], strict=False):
        assert before.ended is not None and after.started >= before.ended


def test_burst_of_ten_in_order_each_once_per_repeat_never_overlapping(tones, make) -> None:
    announcer, sink = make(tones)
    burst = calls(10)
    for utterance in burst:
        assert announcer.announce(utterance)
    assert announcer.wait_idle(30)
    playbacks = sink.playbacks
    assert [p.label for p in playbacks] == [u.text for u in burst for _ in range(2)]
    assert all(p.outcome == "played" for p in playbacks)
    assert_no_overlap(playbacks)
    # The chime opens the first saying of each call only.
    chime = tones.seconds(["chime"])
    for first, second in zip(playbacks[::2], playbacks[1::2], strict=True):
        assert first.seconds == pytest.approx(second.seconds + chime + 0.3)
    status = announcer.status()
    assert (status.played, status.faults, status.queued, status.dropped) == (20, 0, 0, 0)
    assert status.ok


def test_a_stuck_device_does_not_silence_later_calls(tones, make) -> None:
    announcer, sink = make(tones, hang_on=lambda label: "A003" in label)
    for utterance in calls(6):
        announcer.announce(utterance)
    assert announcer.wait_idle(30)
    playbacks = sink.playbacks
    labels = [p.label for p in playbacks]
    # A003 was tried once, hung and was abandoned; its repeat was skipped, the rest played.
    assert labels == [u.text for u in calls(6) for _ in range(1 if u.number == "A003" else 2)]
    assert next(p for p in playbacks if "A003" in p.label).ended is None
    assert_no_overlap([p for p in playbacks if "A003" not in p.label])
    status = announcer.status()
    assert status.faults == 1 and status.stuck == 1 and not status.ok
    assert "stuck playing A003" in (status.last_fault or "")
    assert sink.cancels >= 1  # the watchdog tried to stop it first
    assert status.played == 10


def test_a_device_that_raises_is_reported_and_the_next_call_plays(tones, make) -> None:
    announcer, sink = make(tones, fail_on=lambda label: "A002" in label)
    for utterance in calls(3):
        announcer.announce(utterance)
    assert announcer.wait_idle(30)
    outcomes = [(p.label[:5], p.outcome) for p in sink.playbacks]
    assert outcomes == [("请A001", "played")] * 2 + [("请A002", "failed")] * 2 + [
        ("请A003", "played")] * 2
    status = announcer.status()
    assert status.faults == 2 and status.played == 4
    assert "playing A002 failed: simulated sound device failure" in (status.last_fault or "")
    assert status.ok  # A003 played after the fault


def test_overflow_is_reported_not_silent(tones, make) -> None:
    held = threading.Event()
    settings = AnnouncerSettings(repeat=1, call_gap=0, max_queue=3, timeout_margin=30)
    announcer, sink = make(tones, settings, hang_on=lambda label: not held.is_set())
    announcer.announce(Utterance("A001", 1))
    assert wait_for(lambda: announcer.status().playing is not None)
    for utterance in calls(6)[1:]:
        announcer.announce(utterance)  # A002..A006 into a queue of 3
    status = announcer.status()
    assert status.dropped == 2 and status.queued == 3 and not status.ok
    assert "dropped A003" in (status.last_fault or "")
    held.set()
    sink.release()
    assert announcer.wait_idle(30)
    assert [p.label[1:5] for p in sink.playbacks] == ["A001", "A004", "A005", "A006"]


def test_a_call_event_delivered_twice_is_spoken_once(tones, make) -> None:
    announcer, sink = make(tones)
    call = {"seq": 41, "number": "B007", "window": 12}
    assert announcer.announce_call(call, "both")
    assert not announcer.announce_call(call, "both")
    with pytest.raises(UtteranceError):
        announcer.announce_call({"seq": 42, "number": "12", "window": 3})
    assert announcer.wait_idle(30)
    assert [p.label for p in sink.playbacks] == [Utterance("B007", 12, "both").text] * 2


def write_player(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_player_program_gets_the_wav_and_a_hung_player_is_killed(tones, tmp_path: Path) -> None:
    out = tmp_path / "played"
    out.mkdir()
    # Plays the second call only; hangs on the first as a player stuck on a dead device does.
    player = write_player(
        tmp_path / "player.sh",
        f'n=$(ls "{out}" | wc -l); if [ -e "{tmp_path}/hung" ]; then cp "$1" "{out}/$n.wav";'
        f' else touch "{tmp_path}/hung"; exec sleep 60; fi',
    )
    backend = ClipsBackend(tones, CommandSink([str(player)]))
    with Announcer(backend, AnnouncerSettings(repeat=1, call_gap=0, timeout_factor=1,
                                              timeout_margin=0.5)) as announcer:
        announcer.announce(Utterance("A001", 1))
        announcer.announce(Utterance("A002", 2))
        assert announcer.wait_idle(30)
        status = announcer.status()
    assert status.faults == 1 and status.stuck == 0  # killed, not abandoned
    assert "A001" in (status.last_fault or "") and "cancelled" in (status.last_fault or "")
    assert [p.read_bytes() for p in out.iterdir()] == [backend.render_wav(Utterance("A002", 2))]


def test_player_failure_is_a_plain_message(tones, tmp_path: Path) -> None:
    player = write_player(tmp_path / "bad.sh", 'echo "no default audio device" >&2; exit 1')
    with Announcer(ClipsBackend(tones, CommandSink([str(player)])), FAST) as announcer:
        announcer.announce(Utterance("A001", 1))
        assert announcer.wait_idle(30)
        assert "bad.sh failed: no default audio device" in (announcer.status().last_fault or "")


def test_wav_file_sink_writes_each_announcement(tones, tmp_path: Path) -> None:
    sink = WavFileSink(tmp_path / "audio")
    backend = ClipsBackend(tones, sink)
    with Announcer(backend, AnnouncerSettings(repeat=1, call_gap=0)) as announcer:
        announcer.announce(Utterance("A012", 3))
        assert announcer.wait_idle(30)
    assert [p.name for p in sink.written] == ["0001-A012-3.wav"]
    assert sink.written[0].read_bytes() == backend.render_wav(Utterance("A012", 3))


def test_silent_backend_records_and_renders_nothing() -> None:
    backend = SilentBackend()
    with Announcer(backend, AnnouncerSettings(repeat=3, repeat_gap=0, call_gap=0)) as announcer:
        announcer.announce(Utterance("A012", 3))
        assert announcer.wait_idle(30)
    assert backend.played == [Utterance("A012", 3)] + [Utterance("A012", 3, chime=False)] * 2
    with pytest.raises(RenderUnsupported):
        backend.render_wav(Utterance("A012", 3))


def test_missing_clip_is_reported_and_close_does_not_hang(tmp_path: Path) -> None:
    library = ClipLibrary([tmp_path])  # empty folder: every clip missing
    announcer = Announcer(ClipsBackend(library, RecordingSink()), FAST)
    announcer.announce(Utterance("A012", 3))
    assert announcer.wait_idle(30)
    status = announcer.status()
    assert "chime.wav not found" in (status.last_fault or "") and status.faults == 1
    announcer.close()
    with pytest.raises(RuntimeError, match="closed"):
        announcer.announce(Utterance("A013", 3))


@pytest.mark.parametrize("bad", [{"repeat": 0}, {"repeat_gap": -1}, {"max_queue": 0},
                                 {"timeout_factor": 0.5}])
def test_settings_are_validated(bad: dict) -> None:
    with pytest.raises(ValueError):
        AnnouncerSettings(**bad)





def test_announce_call_uses_the_configured_language(tones, make) -> None:
    announcer, sink = make(tones, AnnouncerSettings(lang="en", repeat=1, call_gap=0))
    announcer.announce_call({"seq": 1, "number": "C3", "window": 4})
    announcer.announce_call({"seq": 2, "number": "C4", "window": 5}, "zh")
    assert announcer.wait_idle(30)
    assert [p.label for p in sink.playbacks] == [
        "Number C3, please go to window 4", "请C4号到5号窗口办理"]
    with pytest.raises(ValueError, match="lang"):
        AnnouncerSettings(lang="fr")


def test_a_chime_alone_plays_the_chime_clip_once_and_only_once_per_key(tones, make) -> None:
    announcer, sink = make(tones)  # calls repeat twice; a chime does not
    assert announcer.announce(Chime("K01"), key=("help", "K01", "10:00"))
    assert not announcer.announce(Chime("K01"), key=("help", "K01", "10:00"))  # replayed
    announcer.announce(Utterance("A1", 1))
    assert announcer.wait_idle(30)
    playbacks = sink.playbacks
    assert [p.label for p in playbacks] == ["K01号自助机请求协助", *[Utterance("A1", 1).text] * 2]
    assert playbacks[0].seconds == pytest.approx(tones.seconds(["chime"]))
    assert Chime("K01", "en").text == "Kiosk K01 needs help" and Chime(lang="both").plan() == ["chime"]
    with pytest.raises(UtteranceError, match="language"):
        Chime("K01", "fr")


def test_backends_by_name(tones, tmp_path: Path) -> None:
    assert isinstance(open_voice_backend("silent"), SilentBackend)
    backend = open_voice_backend("clips", clip_folders=tones.folders, out_dir=tmp_path / "wav")
    assert isinstance(backend, ClipsBackend) and isinstance(backend.sink, WavFileSink)
    backend.play(Utterance("A1", 1))
    assert len(list((tmp_path / "wav").iterdir())) == 1
    with pytest.raises(VoiceError, match="unknown voice backend 'tts'"):
        open_voice_backend("tts")
