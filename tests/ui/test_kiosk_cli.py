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


def test_an_outbox_that_cannot_be_opened_stops_the_start_in_plain_words(tmp_path, capsys):
    from app.demo.files import kiosk_file

    path = kiosk_file(tmp_path, printer="dummy:")
    data = tmp_path / "data"
    (data / "outbox.db").mkdir(parents=True)  # not a database: nothing may be issued over it
    assert run.run_kiosk(_parse(["run", "--dev", "--config", str(path), "--data", str(data)])) == 1
    err = capsys.readouterr().err
    assert "cannot start" in err and "outbox" in err and "Traceback" not in err
