"""Development secrets: listed for a loaded config, warned by ``kiosk config check``, refused by
``kiosk run`` without ``--dev``."""

from __future__ import annotations

from app.cli import main
from app.demo.files import kiosk_file
from kiosk.config import PROJECT_CONFIG_DIR, load_hall_config, load_kiosk_config
from kiosk.devsecrets import dev_secrets
from kiosk.pins import hash_pin
from tests.test_datafile import keep_root_logging  # noqa: F401 - autouse

FAST = {"n": 2**10, "r": 8, "p": 1}
# Another change moves the ID-hash key to the server: these tests hold with or without it.
HAS_KEY = "id_hash_key" in load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml").kiosk.model_dump()
KEY = ["kiosk.id_hash_key"] if HAS_KEY else []


def real_kiosk(folder, **keys):
    """A kiosk file with real secrets: its own PINs, ID-hash key and (server) token."""
    keys = {"id_hash_key": "a" * 64, **keys} if HAS_KEY else keys
    path = kiosk_file(folder, server="http://127.0.0.1:9", token="Zq3-real-token", **keys)
    text = path.read_text("utf-8")
    config = load_kiosk_config(path)
    text = text.replace(config.staff.pin_hash, hash_pin("4826", **FAST))
    text = text.replace(config.staff.tech_pin_hash, hash_pin("7391", **FAST))
    path.write_text(text, "utf-8")
    return path


def keys_of(path) -> list[str]:
    return [secret.key for secret in dev_secrets(load_kiosk_config(path))]


def test_the_sample_kiosk_has_its_development_secrets_listed():
    found = dev_secrets(load_kiosk_config(PROJECT_CONFIG_DIR / "kiosk.toml"))
    assert [s.key for s in found] == [*KEY, "staff.pin_hash", "staff.tech_pin_hash"]
    assert "1234" in found[-2].what and "kiosk config pin-hash" in found[-2].fix
    assert "9999" in found[-1].what


def test_the_sample_hall_has_none():
    assert dev_secrets(load_hall_config(PROJECT_CONFIG_DIR / "hall.toml")) == []


def test_real_secrets_are_not_listed(tmp_path):
    assert keys_of(real_kiosk(tmp_path)) == []


def test_a_dev_token_of_a_server_kiosk_and_blank_pins_are_listed(tmp_path):
    path = kiosk_file(tmp_path, server="http://127.0.0.1:9", token="dev-kiosk", blank_pins=True)
    found = dev_secrets(load_kiosk_config(path))
    assert [s.key for s in found] == [*KEY, "link.token", "staff.pin_hash", "staff.tech_pin_hash"]
    assert "kiosk tokens add" in found[-3].fix and "empty" in found[-2].what


def test_the_id_hash_key_is_optional(tmp_path):
    assert keys_of(real_kiosk(tmp_path, **({"id_hash_key": ""} if HAS_KEY else {}))) == []


def test_config_check_warns_and_still_exits_0(capsys):
    assert main(["config", "check"]) == 0
    captured = capsys.readouterr()
    assert "kiosk.toml: ok" in captured.out
    warnings = [line for line in captured.err.splitlines() if "warning: development secret" in line]
    assert len(warnings) == len(KEY) + 2 and any("staff.tech_pin_hash" in w for w in warnings)


def test_kiosk_run_refuses_development_secrets_without_dev(tmp_path, capsys):
    config = kiosk_file(tmp_path, server="http://127.0.0.1:9", token="dev-kiosk")
    assert main(["run", "--config", str(config), "--data", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert "will not start on development secrets" in err and "--dev" in err
    for key in ("link.token", "staff.pin_hash", "staff.tech_pin_hash", *KEY):
        assert key in err
    assert not (tmp_path / "data").exists()  # refused before anything was made


def test_pin_hash_prints_a_line_that_replaces_the_dev_pin(monkeypatch, capsys):
    import getpass

    from kiosk.pins import verify_pin

    answers = iter(["4826", "4826"])
    monkeypatch.setattr(getpass, "getpass", lambda _prompt="": next(answers))  # the terminal, faked
    assert main(["config", "pin-hash", "--key", "tech_pin_hash"]) == 0
    key, _, value = capsys.readouterr().out.strip().partition(" = ")
    assert key == "tech_pin_hash" and verify_pin("4826", value.strip('"'))
    answers = iter(["4826", "4827"])
    assert main(["config", "pin-hash"]) == 1
    assert "differ" in capsys.readouterr().err
