"""Fixtures shared by the GUI tests: a session, a style, and the main window on screen."""

from __future__ import annotations

import pytest

from convviz.gui.main_window import MainWindow
from convviz.gui.style import Style
from convviz.model import Session


@pytest.fixture
def session():
    return Session()


@pytest.fixture
def style(qapp):
    return Style()


@pytest.fixture
def make_window(qtbot, settings):
    """``make_window(width, height, questions=False)``: a main window on screen.

    What its warnings would say is collected in ``w.said``; unsaved changes
    and learning runs are discarded without asking, unless ``questions`` keeps
    the real (non-blocking) questions for a test of them. At the end the
    lesson, the presentation and the console are closed, and the global font
    and palette put back.
    """
    made: list[MainWindow] = []

    def make(width: int = 1400, height: int = 900, *, questions: bool = False) -> MainWindow:
        w = MainWindow(settings=settings)
        qtbot.addWidget(w)
        w.resize(width, height)
        w.show()
        qtbot.waitExposed(w)
        w.said = []
        w.files.warn = lambda title, text: w.said.append(text)
        w.lessons.warn = lambda title, text: w.said.append(text)
        if not questions:
            w.files.ask_unsaved = lambda answer: answer("discard")
            w.learn_view.ask = lambda title, text: w.said.append(text) or True  # discard
        made.append(w)
        return w

    yield make
    for w in made:
        w.files.ask_unsaved = lambda answer: answer("discard")
        w.presenting.stop()
        w.console.set_console_shown(False)
        w.lessons.close()
        w.style_.set_theme("light")
        w.style_.set_zoom(100)


@pytest.fixture
def window(make_window):
    return make_window()
