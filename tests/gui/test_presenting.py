"""Presenting mode: F5 / Esc, the clicker's keys, blanking and the idle cursor."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from convviz.gui.app import parse_args
from convviz.gui.presenting import IDLE_MS


@pytest.fixture
def window(make_window):
    w = make_window(1280, 800)
    w.enter_fullscreen = lambda: None  # offscreen: keep the test's size
    return w


def key(qtbot, w, k) -> None:
    qtbot.keyClick(w.focusWidget() or w, k)


def where(w) -> tuple[int, int]:
    p = w.lessons.player
    return p.index, p.build


def test_f5_presents_a_lesson_without_chrome_and_esc_ends_it(qtbot, window):
    w = window
    assert not w.lessons.active
    w.presenting.act_present.trigger()  # what F5 does
    assert w.presenting.active and w.lessons.active  # the first lesson opened itself
    assert not w.menuBar().isVisible() and not w.tabs.tabBar().isVisible()
    assert not w.statusBar().isVisible()
    bar = w.lessons.bar
    assert bar.title.isVisible() and bar.caption.isVisible()
    assert not bar.btn_next.isVisible() and not bar.slides.isVisible()
    assert not bar.counter.isVisible()
    view = w.current_view()
    assert not view.controls_box.isVisible() and not view.slider.isVisible()
    key(qtbot, w, Qt.Key.Key_Escape)
    assert not w.presenting.active
    assert w.menuBar().isVisible() and w.tabs.tabBar().isVisible()
    assert w.statusBar().isVisible() and bar.btn_next.isVisible()


@pytest.mark.parametrize(
    "k", [Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_N]
)
def test_every_next_key_moves_on_and_every_back_key_back(qtbot, window, k):
    w = window
    w.presenting.start()
    assert where(w) == (0, 0)
    key(qtbot, w, k)
    assert where(w) == (0, 1)
    back = {
        Qt.Key.Key_Right: Qt.Key.Key_Left,
        Qt.Key.Key_PageDown: Qt.Key.Key_PageUp,
        Qt.Key.Key_Space: Qt.Key.Key_Backspace,
        Qt.Key.Key_N: Qt.Key.Key_P,
    }[k]
    key(qtbot, w, back)
    assert where(w) == (0, 0)


def test_home_end_and_blank(qtbot, window):
    w = window
    w.presenting.start()
    key(qtbot, w, Qt.Key.Key_End)
    p = w.lessons.player
    assert p.index == p.n_slides - 1
    key(qtbot, w, Qt.Key.Key_Home)
    assert where(w) == (0, 0)
    key(qtbot, w, Qt.Key.Key_B)
    assert w.presenting.blanked and w.presenting._blank.isVisible()
    assert w.presenting._blank.geometry() == w.rect()
    key(qtbot, w, Qt.Key.Key_B)
    assert not w.presenting.blanked and not w.presenting._blank.isVisible()
    key(qtbot, w, Qt.Key.Key_Period)
    assert w.presenting.blanked
    key(qtbot, w, Qt.Key.Key_Right)  # moving on shows the screen again
    assert not w.presenting.blanked and where(w) == (0, 1)


def test_the_cursor_hides_when_idle_and_comes_back_on_a_move(qtbot, window):
    w = window
    w.presenting.start()
    qtbot.waitUntil(lambda: w.presenting.cursor_hidden, timeout=IDLE_MS * 4)
    assert QApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
    qtbot.mouseMove(w.current_stage(), w.current_stage().rect().center())
    qtbot.waitUntil(lambda: not w.presenting.cursor_hidden, timeout=2000)
    w.presenting.stop()
    assert QApplication.overrideCursor() is None


def test_present_on_the_command_line():
    assert parse_args(["--present"]).present
    assert parse_args(["--theme", "contrast"]).theme == "contrast"
