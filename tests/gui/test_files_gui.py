"""File menu: save and open sessions, exports, and the unsaved-changes question on quit."""

from __future__ import annotations

import json
import os
import threading

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from convviz.model import export


@pytest.fixture
def window(make_window):
    return make_window(questions=True)  # the unsaved-changes question is tested here


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


# ------------------------------------------------- long work off the GUI thread
def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _long_scene(window) -> None:
    window.session.set_grid("input", np.arange(2000.0).reshape(40, 50) % 7)
    window.session.set_grid("kernel", [[1]])
    assert window.session.n_steps == 2000


@pytest.mark.parametrize("kind", ["gif", "mp4"])
def test_a_2000_frame_export_runs_on_a_worker_with_flat_memory(
    qtbot, window, tmp_path, monkeypatch, kind
):
    _long_scene(window)
    real = getattr(export, f"save_{kind}")
    threads, memory = [], []

    def small_frames(scene, path, *, progress):
        threads.append(threading.get_ident())

        def watch(done, total):
            memory.append(_rss())
            progress(done, total)

        return real(scene, path, cell=3, progress=watch)

    monkeypatch.setattr(export, f"save_{kind}", small_frames)
    answer_save_dialog(window, tmp_path / f"long.{kind}")
    base = _rss()
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))  # the event loop keeps turning meanwhile
    timer.start(5)
    getattr(window.files, f"act_{kind}").trigger()
    task = window.files.task
    assert task is not None and window.files.busy
    progress = []
    task.sig_progress.connect(lambda d, t: progress.append((d, t)))
    qtbot.waitUntil(lambda: not window.files.busy, timeout=120_000)
    timer.stop()
    assert threads and threads[0] != threading.get_ident()
    assert len(memory) == 2001 and max(memory) - base < 200 * 2**20
    assert progress and progress[-1] == (2001, 2001) and len(ticks) > 1
    assert f"Saved long.{kind}: 2001 frames." in window.status.text()
    assert not window.said


@pytest.mark.parametrize("kind", ["gif", "mp4"])
def test_cancel_stops_an_export_mid_way(qtbot, window, tmp_path, monkeypatch, kind):
    _long_scene(window)
    real = getattr(export, f"save_{kind}")
    monkeypatch.setattr(
        export,
        f"save_{kind}",
        lambda scene, path, *, progress: real(scene, path, cell=3, progress=progress),
    )
    old = tmp_path / f"anim.{kind}"
    old.write_bytes(b"last week's export")
    answer_save_dialog(window, old)
    getattr(window.files, f"act_{kind}").trigger()
    task = window.files.task
    qtbot.waitUntil(lambda: task.done >= 200, timeout=60_000)
    window.files.cancel()  # the progress dialog's Cancel button
    assert not window.files.busy and "Cancelled" in window.status.text()
    qtbot.waitUntil(lambda: not task.running, timeout=60_000)
    assert isinstance(task.error, export.Cancelled) and task.done < 2001
    assert old.read_bytes() == b"last week's export"
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))
    assert not window.said


def test_open_session_failures_are_dialogs_not_tracebacks(qtbot, window, tmp_path):
    """Every kind of bad file ends in a dialog naming it; the session is untouched."""
    s = window.session
    s.set_cell("input", 0, 0, 7)
    before = (s.input.tobytes(), s.kernel.tobytes(), s.options, s.step, s.modified)
    head = '{"format": "convviz-session", "version": 1, '
    cases = {
        "deep.convviz.json": "[" * 1000 + "]" * 1000,
        "bigint.convviz.json": head + '"input": [[1' + "0" * 400 + ']], "kernel": [[1]]}',
        "padding.convviz.json": head
        + '"input": [[1]], "kernel": [[1]], "options": {"padding": 2.0}}',
        "huge.convviz.json": " " * 2_000_001,
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        window.said.clear()
        assert window.files.open(tmp_path / name)
        qtbot.waitUntil(lambda: not window.files.busy)
        assert len(window.said) == 1 and name in window.said[0], (name, window.said)
        assert "Traceback" not in window.said[0]
        assert (s.input.tobytes(), s.kernel.tobytes(), s.options, s.step, s.modified) == before


def test_an_unexpected_failure_is_still_a_dialog(qtbot, window, tmp_path, monkeypatch):
    from convviz.gui import file_actions

    def broken(path):
        raise KeyError("surprise")

    monkeypatch.setattr(file_actions, "read_session_file", broken)
    assert window.files.open(tmp_path / "x.convviz.json")
    qtbot.waitUntil(lambda: not window.files.busy)
    assert "x.convviz.json" in window.said[-1] and "KeyError" in window.said[-1]


def test_export_errors_name_the_users_file(qtbot, window, tmp_path):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("a file, where the dialog was told a folder")
    answer_save_dialog(window, not_a_folder / "anim.gif")
    window.files.act_gif.trigger()
    qtbot.waitUntil(lambda: not window.files.busy)
    assert "“anim.gif” could not be written" in window.said[-1]
    assert ".tmp" not in window.said[-1]
