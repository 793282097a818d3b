"""The technician panel's settings come from the config models: what the panel offers, the file
accepts, and what the panel refuses, the file refuses too."""

from __future__ import annotations

import shutil
from typing import Literal

import pytest
from pydantic import Field, create_model

from kiosk.config import PROJECT_CONFIG_DIR, panel
from kiosk.configwrite import SettingsInvalid, save_settings
from kiosk.settings_schema import GROUPS, SETTINGS, SchemaError, Setting, in_group, settings_of

NUMBERS = [s for s in SETTINGS if s.kind in ("int", "float")]
CHOICES = [(s, c) for s in SETTINGS if s.kind == "choice" for c in s.choices]


@pytest.fixture
def kiosk_toml(tmp_path):
    path = tmp_path / "kiosk.toml"
    shutil.copy(PROJECT_CONFIG_DIR / "kiosk.toml", path)
    return path


def test_the_panel_shows_what_it_showed_before_on_the_same_pages():
    assert [s.key for s in in_group("printer")] == [
        "printer.uri", "printer.mode", "printer.width_mm", "printer.qr", "printer.show_materials"]
    assert {s.key for s in in_group("server")} == {"link.mode", "link.url", "link.token", "link.timeout_s",
                                                  "link.ca_file", "link.report_interval_s"}
    assert [s.key for s in in_group("kiosk")][-1] == "staff.idle_lock_s"
    assert [s.key for s in in_group("display")][-1] == "display.help_seconds"
    assert len(SETTINGS) == 29 and {s.group for s in SETTINGS} == set(GROUPS)
    assert SETTINGS[[s.key for s in SETTINGS].index("link.token")].kind == "secret"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_every_setting_has_labels_and_help_in_both_languages(setting: Setting):
    for lang in ("zh", "en"):
        assert setting.label(lang).strip() and setting.help(lang).strip(), lang
    assert setting.label("zh") != setting.label("en")


@pytest.mark.parametrize("setting", NUMBERS, ids=lambda s: s.key)
def test_the_panels_limits_are_the_files_limits(kiosk_toml, setting: Setting):
    step = 1 if setting.kind == "int" else 0.01
    for inside in (setting.minimum, setting.maximum):
        value = int(inside) if setting.kind == "int" else float(inside)
        save_settings(kiosk_toml, {setting.key: value})  # the spin box's ends are accepted
    for outside in (setting.minimum - step, setting.maximum + step):
        with pytest.raises(SettingsInvalid) as err:
            save_settings(kiosk_toml, {setting.key: outside})
        assert setting.key in err.value.problems


@pytest.mark.parametrize("setting, choice", CHOICES, ids=lambda v: getattr(v, "key", str(v)))
def test_every_choice_the_panel_offers_is_accepted(kiosk_toml, setting: Setting, choice):
    value = list(choice) if isinstance(choice, tuple) else choice
    changes = {setting.key: value}
    if setting.key == "link.mode":
        changes["link.token"] = "a-token"
    assert save_settings(kiosk_toml, changes).config is not None


def test_defaults_are_the_models():
    from drivers.printer import PrinterSettings

    by_key = {s.key: s for s in SETTINGS}
    assert by_key["printer.width_mm"].default == PrinterSettings().width_mm == 80
    assert by_key["id_reader.poll_interval_s"].default == 0.3
    assert by_key["voice.languages"].default == ["zh"]


def test_restart_notes_follow_what_the_kiosk_applies_live():
    live = {s.key for s in SETTINGS if s.live}
    assert live == {"kiosk.idle_timeout_s", "kiosk.elderly_idle_timeout_s", "kiosk.done_timeout_s",
                    "kiosk.elderly_age", "staff.idle_lock_s"}


def _table(**fields):
    """A config file model with one table holding ``fields`` (name=(type, Field))."""
    table = create_model("Table", **fields)
    return create_model("File", table=(table, table()))


def test_a_new_field_marked_for_the_panel_appears_with_its_limits_and_labels():
    model = _table(level=(int, Field(3, ge=1, le=9, description="How loud",
                                     json_schema_extra=panel("voice", "音量级", "Level", "多响"))),
                   hidden=(int, Field(0)))
    (setting,) = settings_of(model)
    assert (setting.key, setting.group, setting.kind, setting.default) == ("table.level", "voice", "int", 3)
    assert (setting.minimum, setting.maximum, setting.help("en"), setting.label("zh")) == (1, 9, "How loud", "音量级")


@pytest.mark.parametrize("kind, field, why", [
    (float, Field(1.0, gt=0, le=5, json_schema_extra=panel("voice", "a", "b", "c")), "exclusive limit"),
    (int, Field(1, ge=0, json_schema_extra=panel("voice", "a", "b", "c")), "needs both ge and le"),
    (dict, Field({}, json_schema_extra=panel("voice", "a", "b", "c")), "no editor"),
    (Literal["x", "y"], Field("x", json_schema_extra=panel("nowhere", "a", "b", "c")), "pages the panel"),
])
def test_a_field_the_panel_cannot_show_as_declared_is_refused_when_the_schema_is_built(kind, field, why):
    with pytest.raises(SchemaError, match=why):
        settings_of(_table(value=(kind, field)))
