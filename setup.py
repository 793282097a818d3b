"""Wheel build hook (the project's metadata is in pyproject.toml).

The programs find the sample configs and their assets next to their packages, as
``<packages' parent>/config`` and ``<packages' parent>/assets`` (kiosk.config.PROJECT_CONFIG_DIR,
ui/kiosk/bootstrap.STYLE_DIR, drivers/voice/clips.ASSETS_VOICE). In a checkout that is the
repository; in an installed wheel it is site-packages, so the wheel carries both folders there,
generated assets included (run ``python -m app.buildassets`` first, as ``make deb`` does).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("config", "assets")


class BuildWithAssets(build_py):
    """build_py, then the ``config`` and ``assets`` folders beside the packages."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout itself
            return
        for name in SHIPPED:
            target = Path(self.build_lib) / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithAssets})
