"""Consultation desks: a window of kind ``desk`` is called 咨询台 ("help desk") on every call."""

from __future__ import annotations

import pytest

from drivers.voice import Utterance
from kiosk.config import PROJECT_CONFIG_DIR, ConfigError, load_hall_config
from kiosk.domain import call_text, place_label
from kiosk.models import IssueRequest

pytestmark = pytest.mark.both_stores  # storage tests: on SQLite and on PostgreSQL (tests/pg.py)


def test_windows_are_windows_unless_the_hall_file_says_desk():
    hall = load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")
    kinds = {w.number: w.kind for w in hall.windows}
    assert kinds[18] == "desk"
    assert kinds[1] == kinds[20] == "window"
    consulting = [w for w in hall.windows if "GC01" in w.services and w.zone == "general"]
    assert any(w.kind == "desk" for w in consulting)


def test_an_unknown_kind_is_refused_with_its_key_path(tmp_path):
    text = (PROJECT_CONFIG_DIR / "hall.toml").read_text(encoding="utf-8")
    path = tmp_path / "hall.toml"
    path.write_text(text.replace('kind = "desk"', 'kind = "booth"', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_hall_config(path)
    assert [key for key, _ in err.value.problems] == ["windows.10.kind"]
    assert "'window' or 'desk'" in str(err.value)


def test_labels_and_call_texts_name_the_desk():
    assert place_label(3) == "3号窗口" and place_label(3, lang="en") == "Window 3"
    assert place_label(18, "desk") == "18号咨询台" and place_label(18, "desk", "en") == "Help desk 18"
    assert call_text("K001", 18, "desk") == {
        "zh": "请K001号到18号咨询台办理", "en": "Number K001, please go to Help desk 18"}
    assert call_text("A012", 6)["zh"] == "请A012号到6号窗口办理"


def test_the_engine_calls_to_the_desk_and_the_catalog_says_which_windows_are_desks(engine):
    ticket = engine.issue(IssueRequest(service="GC01"), "desk-1")
    call = engine.call_next(18)
    assert call.number == ticket.number and call.window_kind == "desk"
    assert call.text.zh == f"请{ticket.number}号到18号咨询台办理"
    assert call.text.en == f"Number {ticket.number}, please go to Help desk 18"
    assert call.window_name.zh == "18号咨询台"
    catalog = engine.catalog()
    assert catalog.window(18).kind == "desk" and catalog.window(20).kind == "window"


def test_a_window_with_a_long_name_is_called_by_its_number_as_the_voice_says(engine):
    ticket = engine.issue(IssueRequest(service="AP02"), "bundle-1")
    call = engine.call_next(6)
    assert call.window_name.zh == "6号窗口（主题联办）"
    assert call.text.zh == f"请{ticket.number}号到6号窗口办理"
    assert call.text.zh == Utterance.from_call(call.model_dump(mode="json")).text_zh


def test_the_voice_says_help_desk_for_a_desk():
    call = {"seq": 1, "number": "K001", "window": 18, "window_kind": "desk"}
    desk = Utterance.from_call(call, "both")
    assert desk.text == "请K001号到18号咨询台办理 / Number K001, please go to help desk 18"
    plan = desk.plan()
    assert "zh_zixuntai" in plan and "en_please_go_to_help_desk" in plan
    assert "zh_chuangkou" not in plan and "en_please_go_to_window" not in plan
    assert "zh_chuangkou" in Utterance.from_call({**call, "window_kind": "window"}).plan()
