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
        ("priority_ratio = 3", "priority_ratio = 3\nsurprise = 1", "policy.surprise", "Extra inputs"),
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
