"""Writing settings back into the kiosk TOML: comments kept, validated first, backup kept."""

import shutil
import zipfile

import pytest

from kiosk.config import PROJECT_CONFIG_DIR, load_kiosk_config
from kiosk.configwrite import SettingsInvalid, save_settings
from kiosk.settings_schema import SETTINGS, get_value, restart_needed
from kiosk.support import build_bundle, list_usb_printers, redacted_config, scrub


@pytest.fixture
def kiosk_toml(tmp_path):
    path = tmp_path / "kiosk.toml"
    shutil.copy(PROJECT_CONFIG_DIR / "kiosk.toml", path)
    return path


def test_save_keeps_comments_and_writes_backup(kiosk_toml):
    before = kiosk_toml.read_text()
    result = save_settings(kiosk_toml, {"printer.width_mm": 58, "kiosk.elderly_age": 70})
    after = kiosk_toml.read_text()
    assert "width_mm = 58" in after and "elderly_age = 70" in after
    comments = [line for line in before.splitlines() if line.startswith("#")]
    assert comments and all(c in after for c in comments)
    assert result.backup.read_text() == before
    assert sorted(result.changed) == ["kiosk.elderly_age", "printer.width_mm"]
    assert load_kiosk_config(kiosk_toml).kiosk.elderly_age == 70
    assert result.config.printer.width_mm == 58


@pytest.mark.parametrize("changes,key", [
    ({"kiosk.elderly_age": 20}, "kiosk.elderly_age"),
    ({"printer.width_mm": 66}, "printer.width_mm"),
    ({"printer.uri": "bogus://x"}, "printer.uri"),
    ({"kiosk.id": "has space"}, "kiosk.id"),
    ({"signs": [{"uri": "nope://", "addresses": {"1": 1}}]}, "signs.0.uri"),
    ({"link.mode": "server", "link.token": ""}, "link"),
])
def test_invalid_changes_write_nothing(kiosk_toml, changes, key):
    before = kiosk_toml.read_bytes()
    with pytest.raises(SettingsInvalid) as err:
        save_settings(kiosk_toml, changes)
    assert key in err.value.problems
    assert kiosk_toml.read_bytes() == before
    assert not kiosk_toml.with_name("kiosk.toml.bak").exists()


def test_signs_are_rewritten_in_place(kiosk_toml):
    save_settings(kiosk_toml, {"signs": [
        {"uri": "sim:", "addresses": {"1": 1, "2": 7}},
        {"uri": "tcp://192.168.1.60:5005?protocol=ascii485", "addresses": {"9": 9}}]})
    config = load_kiosk_config(kiosk_toml)
    assert [s.uri for s in config.signs] == ["sim:", "tcp://192.168.1.60:5005?protocol=ascii485"]
    assert config.signs[0].addresses == {"1": 1, "2": 7}
    save_settings(kiosk_toml, {"signs": []})
    assert load_kiosk_config(kiosk_toml).signs == []


def test_every_declared_setting_exists_in_the_sample(kiosk_toml):
    import tomllib

    data = tomllib.loads(kiosk_toml.read_text())
    config = load_kiosk_config(kiosk_toml).model_dump()
    for setting in SETTINGS:
        value = get_value(data, setting.key, get_value(config, setting.key))
        assert value is not None or setting.key.startswith("printer."), setting.key
    assert restart_needed({"link.url", "kiosk.elderly_age"}) == ["link.url"]


def test_support_bundle_has_no_secrets_or_ids(kiosk_toml, tmp_path):
    log = tmp_path / "kiosk.log"
    log.write_text("card read 11010519491231002X ok\nAuthorization: Bearer dev-kiosk\n")
    out = build_bundle(tmp_path / "b.zip", config_path=kiosk_toml, log_files=[log],
                       device_states={"printer": "ok"}, last_errors={"reader": "lost 11010519491231002X"})
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        text = "".join(zf.read(n).decode() for n in names)
    assert {"info.json", "kiosk.toml", "logs/kiosk.log"} <= names
    assert "11010519491231002X" not in text and "1101**********002X" in text
    assert "scrypt$" not in text and "dev-kiosk" not in text
    assert "# Sample kiosk" in text  # comments kept
    assert '"printer": "ok"' in text


def test_scrub_leaves_short_numbers():
    assert scrub("ticket A012 at 1700000000") == "ticket A012 at 1700000000"
    assert "<removed>" in redacted_config(PROJECT_CONFIG_DIR / "kiosk.toml")


def test_usb_printers_from_sysfs(tmp_path):
    dev = tmp_path / "1-2"
    dev.mkdir()
    (dev / "idVendor").write_text("0416\n")
    (dev / "idProduct").write_text("5011\n")
    (dev / "product").write_text("POS58\n")
    iface = dev / "1-2:1.0"
    iface.mkdir()
    (iface / "bInterfaceClass").write_text("07\n")
    other = tmp_path / "1-3"
    other.mkdir()
    (other / "idVendor").write_text("1234\n")
    (other / "idProduct").write_text("0001\n")
    (other / "1-3:1.0").mkdir()
    (other / "1-3:1.0" / "bInterfaceClass").write_text("03\n")
    # sysfs lists interfaces at the top level as links; mimic that
    (tmp_path / "1-2:1.0").symlink_to(iface)
    (tmp_path / "1-3:1.0").symlink_to(other / "1-3:1.0")
    found = list_usb_printers(tmp_path)
    assert [d.uri for d in found] == ["usb://0416:5011"]
    assert "POS58" in found[0].description


def test_a_validators_own_sentence_reaches_the_panel_without_pydantics_prefix(kiosk_toml):
    with pytest.raises(SettingsInvalid) as err:
        save_settings(kiosk_toml, {"printer.uri": "bogus://x"})
    assert err.value.problems["printer.uri"].startswith("printer URI 'bogus://x': unknown scheme 'bogus'")
