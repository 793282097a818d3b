"""What an announcement says and which clips read it."""

from __future__ import annotations

import pytest

from drivers.voice import ALL_CLIPS, Pause, Utterance, UtteranceError, en_cardinal, zh_cardinal
from drivers.voice.utterance import zh_reading


def test_texts_read_like_a_hall() -> None:
    utterance = Utterance("a012", 3)
    assert utterance.number == "A012"
    assert utterance.text_zh == "请A012号到3号窗口办理"
    assert utterance.text_en == "Number A012, please go to window 3"
    assert Utterance("A012", 3, "both").text == "请A012号到3号窗口办理 / Number A012, please go to window 3"


def test_zh_plan_reads_number_digit_by_digit_and_window_naturally() -> None:
    assert Utterance("A012", 12).plan() == [
        "chime", Pause(300),
        "zh_qing", "letter_a", "zh_0", "zh_1", "zh_2", "zh_hao",
        "zh_dao", "zh_10", "zh_2", "zh_hao", "zh_chuangkou", "zh_banli",
    ]


def test_en_plan_and_no_chime_on_repeat() -> None:
    assert Utterance("BC105", 45, "en", chime=False).plan() == [
        "en_number", "letter_b", "letter_c", "en_1", "en_0", "en_5", Pause(150),
        "en_please_go_to_window", "en_40", "en_5",
    ]
    assert Utterance("A1", 1, "zh").without_chime().plan()[0] == "zh_qing"


def test_both_languages_zh_first_with_a_pause_between() -> None:
    plan = Utterance("A1", 2, "both").plan()
    middle = plan.index(Pause(600))
    assert plan[middle - 1] == "zh_banli" and plan[middle + 1] == "en_number"
    assert plan[-1] == "en_2"


@pytest.mark.parametrize(
    ("n", "zh"),
    [(1, "一"), (3, "三"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九"),
     (100, "一百"), (101, "一百零一"), (110, "一百一十"), (115, "一百一十五"), (999, "九百九十九")],
)
def test_zh_window_numbers(n: int, zh: str) -> None:
    assert zh_reading(n) == zh


@pytest.mark.parametrize(
    ("n", "clips"),
    [(3, ["en_3"]), (12, ["en_12"]), (20, ["en_20"]), (45, ["en_40", "en_5"]),
     (100, ["en_1", "en_100"]), (105, ["en_1", "en_100", "en_5"]),
     (319, ["en_3", "en_100", "en_19"])],
)
def test_en_window_numbers(n: int, clips: list[str]) -> None:
    assert en_cardinal(n) == clips


def test_every_planned_clip_is_in_the_clip_list() -> None:
    for window in range(1, 1000):
        for lang in ("zh", "en"):
            for segment in Utterance("AZ0123456"[:2] + str(window), window, lang).plan():
                assert isinstance(segment, Pause) or segment in ALL_CLIPS
    assert len(set(ALL_CLIPS)) == len(ALL_CLIPS)


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"number": "012", "window": 3}, "ticket number"),
        ({"number": "A-1", "window": 3}, "ticket number"),
        ({"number": 12, "window": 3}, "ticket number"),
        ({"number": "A012", "window": 0}, "window 0"),
        ({"number": "A012", "window": 1000}, "window 1000"),
        ({"number": "A012", "window": "3"}, "window"),
        ({"number": "A012", "window": True}, "window"),
        ({"number": "A012", "window": 3, "lang": "fr"}, "language 'fr'"),
    ],
)
def test_bad_calls_name_the_field(kwargs: dict, names: str) -> None:
    with pytest.raises(UtteranceError, match=names):
        Utterance(**kwargs)


def test_from_call_takes_the_api_call_object() -> None:
    call = {"seq": 7, "number": "A012", "window": 3, "window_name": "3号窗口"}
    assert Utterance.from_call(call, "en") == Utterance("A012", 3, "en")
    assert Utterance.from_call({"number": "B2", "window": "12"}).window == 12
    with pytest.raises(UtteranceError):
        Utterance.from_call({"number": "B2"})
    with pytest.raises(UtteranceError):
        zh_cardinal(0)
