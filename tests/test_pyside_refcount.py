"""Regression guard for PySide6 6.12.0 on Python 3.11.

That release drops a reference to ``None`` on every Qt call that returns
nothing; after a few thousand calls the interpreter dies with
``Fatal Python error: none_dealloc``. pyproject pins ``<6.12`` for Python
< 3.12; this test fails loudly if a broken build slips back in.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget


def test_void_qt_calls_keep_none_refcount(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    img = QImage(8, 8, QImage.Format.Format_RGB32)
    painter = QPainter(img)
    pen = QPen(QColor("black"))
    gc.collect()
    gc.disable()  # a collection mid-loop frees unrelated references to None
    try:
        before = sys.getrefcount(None)
        _void_calls(w, painter, pen)
        after = sys.getrefcount(None)
    finally:
        gc.enable()
    painter.end()
    # Other threads may hold a few transient references; a leak loses 11,000.
    assert after >= before - 100, f"refcount of None fell from {before} to {after}"


def _void_calls(w, painter, pen) -> None:
    for i in range(10_000):
        painter.setPen(pen)  # returns void
        w.resize(100 + i % 7, 80)  # returns void
    rect = QRect(0, 0, 4, 4)
    for _ in range(1000):
        rect.setWidth(5)
