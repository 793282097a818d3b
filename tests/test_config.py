"""Configuration: the samples are valid, and every bad file is refused with its key paths."""

from __future__ import annotations

import shutil

import pytest

from app.cli import main
from kiosk.config import PROJECT_CONFIG_DIR, ConfigError, load_hall_config, load_kiosk_config


def test_sample_hall_has_what_the_product_needs():
    hall = load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")
    kinds = {s.kind for s in hall.services}
    assert len(hall.zones) >= 4 and len(hall.services) >= 10 and len(hall.windows) == 12
    assert {"consult", "complaint", "bundle"} <= kinds
    assert {"normal", "elderly", "disabled", "green", "appointment"} <= {p.code for p in hall.priorities}
    assert hall.hall.hours.lunch_start is not None
    assert all(s.materials.zh for s in hall.services if s.kind != "consult")
    assert load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml").kiosk.id == "K01"


def test_config_check_accepts_the_samples(capsys):
    assert main(["config", "check"]) == 0
    assert capsys.readouterr().out.count(": ok") == 2


def _broken_hall(tmp_path, old: str, new: str):
    path = tmp_path / "hall.toml"
    text = (PROJECT_CONFIG_DIR / "hall.toml").read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old, new, key, reason",
    [
        ('prefix = "A"', 'prefix = "a1"', "services.0.prefix", "pattern"),
        ("daily_quota = 300", "daily_quota = -5", "services.0.daily_quota", "greater than or equal"),
        ('zone = "social"\nprefix', 'zone = "nowhere"\nprefix', "(file)", "unknown zone 'nowhere'"),
        ("close = 17:30:00", "close = 07:30:00", "hall.hours", "open must be before close"),
        ('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"', "hall.timezone", "unknown time zone"),
        ("priority_ratio = 3", "priority_ratio = 3\nsurprise = 1", "policy.surprise", "unknown key 'surprise'"),
    ],
)
def test_each_bad_value_is_named_with_its_key_path(tmp_path, capsys, old, new, key, reason):
    path = _broken_hall(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load_hall_config(path)
    assert any(k.startswith(key.split(".(")[0]) or key == "(file)" for k, _ in err.value.problems)
    assert reason in str(err.value)
    assert main(["config", "check", str(path)]) == 1
    assert reason in capsys.readouterr().err


def test_every_problem_is_listed_at_once(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nid = "bad id!"\nidle_timeout_s = 1\n[link]\nmode = "server"\ntoken = ""\n', "utf-8")
    with pytest.raises(ConfigError) as err:
        load_kiosk_config(path)
    keys = {k for k, _ in err.value.problems}
    assert {"kiosk.id", "kiosk.idle_timeout_s", "link"} <= keys


@pytest.mark.parametrize("content", [None, "this is = = not toml", b"\xff\xfe\x00bad"])
def test_missing_or_corrupt_files_exit_1_with_a_clear_message(tmp_path, capsys, content):
    path = tmp_path / "kiosk.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, "utf-8")
    assert main(["config", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and ("not found" in err or "not valid TOML" in err)


def test_serve_refuses_a_bad_config_before_starting(tmp_path, capsys):
    bad = tmp_path / "hall.toml"
    shutil.copy(PROJECT_CONFIG_DIR / "kiosk.toml", bad)  # a kiosk file is not a hall file
    assert main(["serve", "--config", str(bad), "--data", str(tmp_path)]) == 1
    assert "hall: Field required" in capsys.readouterr().err


def _broken_kiosk(tmp_path, old: str, new: str):
    path = tmp_path / "kiosk.toml"
    text = (PROJECT_CONFIG_DIR / "kiosk.toml").read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old, new, key, reason",
    [
        ("width_mm = 80", "width_mm = 66", "printer.width_mm", "Input should be 58 or 80"),
        ('uri = "dummy:"', 'uri = "bogus://x"', "printer.uri", "'bogus"),  # the driver's own sentence
        ('qr = "native"', 'qr = "native"\nstatus_timeout_s = 0', "printer.status_timeout_s", "greater than 0"),
        ('uri = "sim:"', 'uri = "nope://x"', "signs.0.uri", "'nope"),
        ('"1" = 1,', '"one" = 1,', "signs.0.addresses", "'one' is not a window number (1-999)"),
        # the three limits the panel and the file used to disagree on
        ("poll_interval_s = 0.3", "poll_interval_s = 0.01", "id_reader.poll_interval_s", "greater than or equal to 0.05"),
        ("timeout_s = 3.0", "timeout_s = 0.1", "link.timeout_s", "greater than or equal to 0.5"),
        ("screen = 0", "screen = 9", "display.screen", "less than or equal to 8"),
    ],
)
def test_a_bad_kiosk_value_is_named_with_its_key_path(tmp_path, capsys, old, new, key, reason):
    path = _broken_kiosk(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load_kiosk_config(path)
    (problem,) = err.value.problems
    assert problem[0] == key and reason in problem[1]
    assert main(["config", "check", str(path)]) == 1
    assert f"{key}: " in capsys.readouterr().err


@pytest.mark.parametrize(
    "old, new, key, reason",
    [
        ("width_mm = 80", "widht_mm = 80", "printer.widht_mm", "did you mean 'width_mm'?"),
        ("elderly_age = 65", "elderly_aeg = 65", "kiosk.elderly_aeg", "did you mean 'elderly_age'?"),
        ("addresses = {", "adresses = {", "signs.0.adresses", "did you mean 'addresses'?"),
        ("repeat = 2", "repeat = 2\nspeed = 3", "voice.speed", "valid keys here: backend, languages, repeat"),
        ("[display]", "[dispaly]", "dispaly", "did you mean 'display'?"),
    ],
)
def test_an_unknown_kiosk_key_is_named_with_a_suggestion(tmp_path, capsys, old, new, key, reason):
    path = _broken_kiosk(tmp_path, old, new)
    assert main(["config", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"  {key}: unknown key" in err and reason in err


@pytest.mark.parametrize(
    "old, new, key, reason",
    [
        ("lunch_end = 13:30:00", "lunch_end = 13:30:00\nlunch_ends = 13:30:00", "hall.hours.lunch_ends",
         "did you mean 'lunch_end'?"),
        ("daily_quota = 300", "daily_quota = 300\ndialy_quota = 3", "services.0.dialy_quota",
         "did you mean 'daily_quota'?"),
        ('services = ["SS01", "SS02"]', 'services = ["SS01", "SS02"]\nservice = "SS01"', "windows.0.service",
         "did you mean 'services'?"),
        ("start = 900", "start = 900\nfirst = 900", "offline_ranges.0.first", "valid keys here: kiosk, start, end"),
        ("rank = 0", "rank = 0\nstaffonly = true", "priorities.0.staffonly", "did you mean 'staff_only'?"),
    ],
)
def test_an_unknown_hall_key_is_named_with_a_suggestion(tmp_path, capsys, old, new, key, reason):
    path = _broken_hall(tmp_path, old, new)
    assert main(["config", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"  {key}: unknown key" in err and reason in err


def test_a_service_with_its_own_hours_names_unknown_keys_inside_them(tmp_path):
    path = _broken_hall(tmp_path, "service_minutes = 6\n", "service_minutes = 6\nhours = { open = 09:00:00, shut = 1 }\n")
    with pytest.raises(ConfigError) as err:
        load_hall_config(path)
    assert err.value.problems == [("services.0.hours.shut", "unknown key 'shut': remove it (valid keys here: "
                                   "open, close, lunch_start, lunch_end, weekdays)")]


def _models(model, seen=None):
    """Every pydantic model a config model holds, through lists, dicts and ``X | None``."""
    from typing import get_args

    from pydantic import BaseModel

    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            node = stack.pop()
            if isinstance(node, type) and issubclass(node, BaseModel):
                _models(node, seen)
            stack += list(get_args(node))
    return seen


def test_every_hall_and_kiosk_model_refuses_unknown_keys():
    from drivers.printer import PrinterSettings
    from kiosk.config import HallConfig, KioskConfig, Service

    models = _models(HallConfig) | _models(KioskConfig)
    assert {PrinterSettings, Service} <= models  # the walk reaches the tables, [printer] included
    assert [m.__name__ for m in models if m.model_config.get("extra") != "forbid"] == []


def test_the_printer_table_is_typed_when_loaded():
    from drivers.printer import PrinterSettings

    config = load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml")
    assert isinstance(config.printer, PrinterSettings)
    assert (config.printer.uri, config.printer.width_mm, config.printer.columns) == ("dummy:", 80, 48)


@pytest.mark.parametrize("url, level, words", [
    ("", "error", "it is empty"),
    ("hall.example.gov.cn", "error", "not an http:// or https:// address"),
    ("ftp://hall.example.gov.cn", "error", "not an http:// or https:// address"),
    ("http://127.0.0.1:8600", "warning", "loopback"),
])
def test_config_check_says_when_the_qr_codes_address_is_wrong(tmp_path, capsys, url, level, words):
    path = _broken_hall(tmp_path, 'public_url = "http://127.0.0.1:8600"', f'public_url = "{url}"')
    assert main(["config", "check", str(path)]) == (1 if level == "error" else 0)
    err = capsys.readouterr().err
    assert f"{level}: hall.public_url:" in err and words in err and "phones" in err


def test_config_check_is_quiet_about_a_good_public_url(tmp_path, capsys):
    path = _broken_hall(tmp_path, 'public_url = "http://127.0.0.1:8600"', 'public_url = "https://hall.example.gov.cn"')
    assert main(["config", "check", str(path)]) == 0
    assert "public_url" not in capsys.readouterr().err
