"""File menu: save and open sessions, exports, and the unsaved-changes question on quit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from convviz.gui.main_window import MainWindow
from convviz.model import export


@pytest.fixture
def window(qtbot, settings):
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.said = []  # what the message boxes would have said
    w.files.warn = lambda title, text: w.said.append(text)
    w.lessons.warn = lambda title, text: w.said.append(text)
    yield w
    w.files.ask_unsaved = lambda answer: answer("discard")


def answer_save_dialog(window, path):
    asked = []

    def dialog(caption, name, filt):
        asked.append((caption, name, filt))
        return str(path)

    window.files.get_save_path = dialog
    return asked


def test_save_and_open_through_the_menu(qtbot, window, tmp_path):
    s = window.session
    s.set_grid("input", [[0.1, 2], [3, -4.25]])
    s.set_options(bias=0.5, padding=1)
    s.set_step(2)
    window.show_view("matrix")
    assert s.modified and window.isWindowModified()
    asked = answer_save_dialog(window, tmp_path / "lecture")
    window.files.act_save.trigger()  # first save: asks where
    path = tmp_path / "lecture.convviz.json"
    assert asked[0][1] == "session.convviz.json" and path.exists()
    assert not s.modified and not window.isWindowModified()
    assert window.windowTitle().startswith("lecture.convviz.json[*]")
    assert json.loads(path.read_text())["view"] == "matrix"
    s.set_cell("input", 0, 0, 9)
    window.files.act_save.trigger()  # then: saves in place, no question
    assert len(asked) == 1 and json.loads(path.read_text())["input"][0][0] == 9

    s.set_grid("input", np.ones((5, 5)))
    window.show_view("window")
    window.files.get_open_path = lambda caption, filt: str(path)
    window.files.act_open.trigger()
    qtbot.waitUntil(lambda: not window.files.busy)
    assert s.input.tolist() == [[9, 2], [3, -4.25]] and s.options.padding == (1, 1)
    assert s.step == 2 and s.options.bias == 0.5 and not s.modified
    assert window.current_view() is window.views["matrix"]
    assert "Opened lecture.convviz.json" in window.status.text()


def test_broken_file_leaves_the_session_alone(qtbot, window, tmp_path):
    bad = tmp_path / "bad.convviz.json"
    bad.write_text('{"format": "convviz-session", "version": 1, "input": [[1, 2]')
    s = window.session
    s.set_cell("input", 0, 0, 7)
    before = (s.input.tobytes(), s.kernel.tobytes(), s.options, s.step, s.modified)
    window.files.get_open_path = lambda caption, filt: str(bad)
    window.files.act_open.trigger()
    qtbot.waitUntil(lambda: not window.files.busy)
    assert "bad.convviz.json" in window.said[-1] and "truncated" in window.said[-1]
    assert (s.input.tobytes(), s.kernel.tobytes(), s.options, s.step, s.modified) == before
    newer = tmp_path / "new.convviz.json"
    newer.write_text('{"format": "convviz-session", "version": 99}')
    assert window.files.open(newer)
    qtbot.waitUntil(lambda: not window.files.busy)
    assert "newer convviz" in window.said[-1]


def test_cancelled_dialogs_do_nothing(qtbot, window):
    window.files.get_save_path = lambda *a: ""
    window.files.get_open_path = lambda *a: ""
    window.session.set_cell("input", 0, 0, 3)
    assert not window.files.save() and window.session.modified
    assert not window.files.open() and not window.said


@pytest.mark.parametrize("choice", ["cancel", "discard", "save"])
def test_quit_with_unsaved_changes_asks(qtbot, window, tmp_path, choice):
    window.session.set_cell("input", 0, 0, 5)
    asked = []
    window.files.ask_unsaved = lambda answer: (asked.append(1), answer(choice))
    answer_save_dialog(window, tmp_path / "q.convviz.json")
    window.files.act_quit.trigger()  # Ctrl+Q
    assert asked == [1]
    assert window.isVisible() == (choice == "cancel")
    assert (tmp_path / "q.convviz.json").exists() == (choice == "save")
    window.close()  # from code (as at the end of a test): closes without asking
    assert not window.isVisible() and asked == [1]


def test_quit_without_changes_does_not_ask(qtbot, window):
    window.files.ask_unsaved = lambda answer: pytest.fail("asked without changes")
    window.files.act_quit.trigger()
    assert not window.isVisible()


def test_the_real_question_does_not_block(qtbot, window):
    window.session.set_cell("input", 0, 0, 5)
    window.files.act_quit.trigger()  # the sheet opens; the window stays until it is answered
    assert window.isVisible()
    box = window.findChild(QMessageBox)
    assert box is not None and box.isVisible() and "not saved" in box.text()
    box.button(QMessageBox.StandardButton.Discard).click()
    qtbot.waitUntil(lambda: not window.isVisible())


def test_export_gif_png_and_grids(qtbot, window, tmp_path):
    answer_save_dialog(window, tmp_path / "anim")
    window.files.act_gif.trigger()
    qtbot.waitUntil(lambda: not window.files.busy)
    with Image.open(tmp_path / "anim.gif") as im:
        assert im.n_frames == window.session.n_steps + 1 == 5
    assert "5 frames" in window.status.text()
    answer_save_dialog(window, tmp_path / "view.png")
    window.files.act_png.trigger()
    with Image.open(tmp_path / "view.png") as im:
        assert im.size[0] > 200
    answer_save_dialog(window, tmp_path / "grids.csv")
    window.files.act_csv.trigger()
    assert sorted(p.name for p in tmp_path.glob("grids-*.csv")) == [
        "grids-input.csv",
        "grids-kernel.csv",
        "grids-output.csv",
    ]
    answer_save_dialog(window, tmp_path / "g")
    window.files.act_npy.trigger()
    np.testing.assert_array_equal(np.load(tmp_path / "g-output.npy"), [[19, 25], [37, 43]])
    assert not window.said


def test_copy_latex_and_code(qtbot, window, tmp_path):
    clip = QGuiApplication.clipboard()
    window.files.act_latex.trigger()
    assert "has not started" in window.said[-1]
    window.session.set_step(0)
    window.files.act_latex.trigger()
    assert clip.text() == r"0\times0 + 1\times1 + 3\times2 + 4\times3 = 19"
    window.files.act_np_copy.trigger()
    assert clip.text() == export.numpy_snippet(window.session)
    window.files.act_torch_copy.trigger()
    assert "F.conv2d(" in clip.text()
    answer_save_dialog(window, tmp_path / "scene")
    window.files.act_np_file.trigger()
    assert (tmp_path / "scene.py").read_text() == export.numpy_snippet(window.session)


def test_mp4_unavailable_says_so(qtbot, window, monkeypatch):
    monkeypatch.setattr(export, "mp4_available", lambda: False)
    window.files.get_save_path = lambda *a: pytest.fail("no dialog when MP4 cannot be made")
    window.files.act_mp4.trigger()
    assert "MP4 export needs the PyAV package" in window.said[-1]


def test_export_errors_are_shown(qtbot, window, tmp_path):
    window.session.set_grid("kernel", np.ones((5, 5)))  # no output
    answer_save_dialog(window, tmp_path / "x.gif")
    window.files.act_gif.trigger()
    assert "nothing to export" in window.said[-1]
    assert not (tmp_path / "x.gif").exists()
