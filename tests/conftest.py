"""Test setup shared by every test: Qt runs offscreen, no display is needed."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
