"""The rotating log file: records land in it, ID numbers never do, and it stays bounded."""

import logging

import pytest

from kiosk.logfile import ScrubPersonalData, log_files, log_to_file


@pytest.fixture
def root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    filters = {h: list(h.filters) for h in handlers}
    root.setLevel(logging.INFO)
    yield root
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    for handler, kept in filters.items():
        handler.filters[:] = kept
    root.setLevel(level)


def test_records_are_written_with_id_numbers_masked(root_logger, tmp_path):
    path = log_to_file(tmp_path, "kiosk")
    logging.getLogger("kiosk.test").warning("card %s read, token Bearer abc123", "11010519491231002X")
    text = path.read_text(encoding="utf-8")
    assert "WARNING kiosk.test: card 1101**********002X read" in text
    assert "11010519491231002X" not in text and "abc123" not in text
    assert log_files(tmp_path / "logs") == [path]


def test_the_file_rotates_and_stays_bounded(root_logger, tmp_path):
    path = log_to_file(tmp_path, "kiosk", max_bytes=2000, backups=2)
    for i in range(200):
        logging.getLogger("kiosk.test").info("line %d %s", i, "x" * 50)
    files = log_files(tmp_path / "logs")
    assert [f.name for f in files] == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]
    assert all(f.stat().st_size <= 2100 for f in files)
    assert "line 199" in path.read_text(encoding="utf-8")


def test_installing_twice_adds_one_scrub_filter_per_handler(root_logger, tmp_path):
    log_to_file(tmp_path, "a")
    log_to_file(tmp_path, "b")
    for handler in root_logger.handlers:
        assert sum(isinstance(f, ScrubPersonalData) for f in handler.filters) == 1


def test_no_folder_no_files(tmp_path):
    assert log_files(None) == [] and log_files(tmp_path / "missing") == []


def test_the_cli_logs_info_although_escpos_configured_logging_first(tmp_path):
    import escpos.printer  # noqa: F401 - its import calls logging.basicConfig()

    from app.cli import main
    from kiosk.config import PROJECT_CONFIG_DIR

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.setLevel(logging.WARNING)  # where escpos's basicConfig leaves it
    try:
        assert main(["config", "check", str(PROJECT_CONFIG_DIR / "kiosk.toml")]) == 0
        assert root.level == logging.INFO
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
