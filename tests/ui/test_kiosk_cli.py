"""``kiosk run`` argument handling (the window itself is tested by the other kiosk tests)."""

from __future__ import annotations

import argparse

from app.cli import run


def _parse(argv):
    parser = argparse.ArgumentParser()
    run.register(parser.add_subparsers())
    return parser.parse_args(argv)


def test_options_parse():
    args = _parse(["run", "--windowed", "--dev", "--cursor", "show"])
    assert args.windowed and args.dev and args.cursor == "show"
    assert args.config.name == "kiosk.toml" and args.handler is run.run_kiosk


def test_bad_config_exits_1_and_names_the_key(tmp_path, capsys):
    bad = tmp_path / "kiosk.toml"
    bad.write_text('[kiosk]\nid = "K01"\nidle_timeout_s = 1\n', encoding="utf-8")
    assert run.run_kiosk(_parse(["run", "--config", str(bad)])) == 1
    assert "kiosk.idle_timeout_s" in capsys.readouterr().err
