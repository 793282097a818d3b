"""PySide6 must not leak references to None: 6.12.0 on Python 3.11 did, one per void call,
and a calling screen redrawing for a few minutes then aborted with "deallocating None".
pyproject pins a release without the fault; this test fails on one that has it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    fired = Signal(object)


def _drift(call, obj, times: int = 300) -> int:
    before = sys.getrefcount(obj)
    for _ in range(times):
        call()
    return sys.getrefcount(obj) - before


def test_void_qt_calls_keep_the_reference_counts_of_none_and_true(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    emitter = _Emitter()
    emitter.fired.connect(lambda _v: None)
    canvas, dot = QPixmap(50, 50), QPixmap(5, 5)
    dot.fill(Qt.GlobalColor.red)
    painter = QPainter(canvas)
    try:
        assert abs(_drift(lambda: painter.drawPixmap(1, 2, dot), None)) < 10
    finally:
        painter.end()
    assert abs(_drift(lambda: label.setText("A012"), None)) < 10
    assert abs(_drift(lambda: emitter.fired.emit(1), True)) < 10
