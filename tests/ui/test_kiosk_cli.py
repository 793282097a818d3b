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
    import logging

    from app.demo.files import kiosk_file

    path = kiosk_file(tmp_path, printer="dummy:")
    data = tmp_path / "data"
    (data / "outbox.db").mkdir(parents=True)  # not a database: nothing may be issued over it
    handlers = list(logging.getLogger().handlers)
    try:  # an exception would fail the test; a refusal is exit code 1 and a sentence
        assert run.run_kiosk(_parse(["run", "--dev", "--config", str(path), "--data", str(data)])) == 1
    finally:
        for handler in set(logging.getLogger().handlers) - set(handlers):  # kiosk run's log file
            logging.getLogger().removeHandler(handler)
            handler.close()
    assert "kiosk: cannot start: outbox_unavailable: cannot open the outbox" in capsys.readouterr().err
