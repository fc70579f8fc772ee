"""Shared test set-up: Qt runs offscreen, settings never touch the user's own."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(scope="session", autouse=True)
def _row_major_images():
    """pyqtgraph must show numpy (row, col) images as rows and columns."""
    try:
        import pyqtgraph as pg
    except ImportError:  # engine/model tests need no Qt
        return
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


@pytest.fixture
def settings(tmp_path):
    """A QSettings file private to the test."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "convviz.ini"), QSettings.Format.IniFormat)
