"""The presenter console on one screen: a window that mirrors the lesson and never owns it.

The two-screen layout is tested in ``test_presenter_console_screens.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from scipy.signal import correlate2d

from convviz.gui.presenter_console import grid_text, next_click
from convviz.gui.widgets.lesson_bar import PREDICT
from convviz.model.values import display_number


@pytest.fixture
def window(make_window):
    return make_window(1280, 800)


def open_console(qtbot, w):
    w.console.act_console.trigger()
    con = w.console.console
    qtbot.waitUntil(con.isVisible)
    return con


def place(w):
    p = w.lessons.player
    return (p.index, p.build)


def first(w, hide):
    return next(i for i, st in enumerate(w.lessons.player.lesson.states) if st.hide == hide)


def test_one_screen_console_is_a_window_and_presenting_works_as_before(qtbot, window):
    w = window
    assert w.open_lesson("6.2")
    w.presenting.start()
    assert w.presenting.active and not w.console.two_screens
    assert not w.console.console.isVisible()  # one screen: only the stage, as before
    assert w.screen() is not None and not w.menuBar().isVisible()
    con = open_console(qtbot, w)  # F6 opens it on demand
    assert not con.isFullScreen() and w.console.act_console.isChecked()
    w.console.act_console.trigger()
    qtbot.waitUntil(lambda: not con.isVisible())
    w.presenting.stop()


def test_console_reads_the_one_player_and_mirrors_every_move(qtbot, window):
    w = window
    con = open_console(qtbot, w)
    assert con.counter.text() == "no lesson"
    assert w.open_lesson("6.2")
    assert con.player is w.lessons.player  # no copy of the lesson state
    p = w.lessons.player
    qtbot.keyClick(w.tabs.currentWidget(), Qt.Key.Key_Right)  # the clicker on the stage
    assert con.counter.text() == f"Slide 1 / {p.n_slides}  ·  click 1 / 4"
    p.goto(4)  # a move made on the model alone still reaches the console
    assert con.counter.text().startswith(f"Slide 5 / {p.n_slides}")
    assert con.slide_list.currentRow() == 4
    assert con.slide_list.item(4).font().bold() and not con.slide_list.item(3).font().bold()
    w.lessons.close()
    assert con.counter.text() == "no lesson" and con.slide_list.count() == 0


def test_clicker_keys_in_the_console_drive_the_lesson(qtbot, window):
    w = window
    con = open_console(qtbot, w)
    assert w.open_lesson("6.2")
    last = w.lessons.player.n_slides - 1
    for key, want in (
        (Qt.Key.Key_PageDown, (0, 1)),
        (Qt.Key.Key_Right, (0, 2)),
        (Qt.Key.Key_Left, (0, 1)),
        (Qt.Key.Key_End, (last, 0)),
        (Qt.Key.Key_Home, (0, 0)),
    ):
        qtbot.keyClick(con.slide_list, key)
        assert place(w) == want, key
    w.presenting.start()  # presenting: Space, N and P too, as on the stage
    for key, want in ((Qt.Key.Key_Space, (0, 1)), (Qt.Key.Key_N, (0, 2)), (Qt.Key.Key_P, (0, 1))):
        qtbot.keyClick(con.slide_list, key)
        assert place(w) == want, key
    qtbot.keyClick(con.slide_list, Qt.Key.Key_B)
    assert w.presenting.blanked
    assert con.counter.text().endswith("BLANKED (B)")
    qtbot.keyClick(con.slide_list, Qt.Key.Key_N)
    assert not w.presenting.blanked and place(w) == (0, 2)
    w.presenting.stop()


def test_typing_into_the_console_never_advances(qtbot, window):
    w = window
    con = open_console(qtbot, w)
    assert w.open_lesson("6.2")
    w.presenting.start()
    con.activateWindow()
    con.my_note.setFocus()
    qtbot.waitUntil(con.my_note.hasFocus)
    qtbot.keyClicks(con.my_note, "Ask: N or P? b.")
    for key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Left):
        qtbot.keyClick(con.my_note, key)
    assert place(w) == (0, 0) and not w.presenting.blanked
    assert con.my_note.toPlainText().startswith("Ask: N or P? b.")
    con.goto_box.setFocus()
    qtbot.keyClicks(con.goto_box, "3")
    qtbot.keyClick(con.goto_box, Qt.Key.Key_Up)  # the value's own arrows
    assert place(w) == (0, 0)
    qtbot.keyClick(con.goto_box, Qt.Key.Key_Return)  # the value chosen: the jump happens
    assert place(w) == (con.goto_box.value() - 1, 0)
    # the note is the slide's: back on slide 1 it is there again, elsewhere empty
    assert con.my_note.toPlainText() == ""
    w.lessons.goto(0)
    assert con.my_note.toPlainText().startswith("Ask: N or P? b.")
    w.presenting.stop()


def test_slide_list_jumps_only_when_chosen(qtbot, window):
    w = window
    con = open_console(qtbot, w)
    assert w.open_lesson("6.2")
    con.slide_list.setFocus()
    con.slide_list.setCurrentRow(5)
    qtbot.keyClick(con.slide_list, Qt.Key.Key_Down)
    assert place(w) == (0, 0) and con.slide_list.currentRow() == 6
    qtbot.keyClick(con.slide_list, Qt.Key.Key_Return)
    assert place(w) == (6, 0)
    assert w.current_view_key() == w.lessons.player.state.view


def test_hidden_output_is_on_the_console_not_on_the_stage(qtbot, window):
    w = window
    con = open_console(qtbot, w)
    assert w.open_lesson("6.2")
    i = first(w, "output")
    con.jump(i)
    st = w.lessons.player.lesson.states[i]
    assert w.lessons.bar.answer_text() == PREDICT
    want = correlate2d(st.input, st.kernel, mode="valid") + st.options.bias
    assert grid_text(want) in con.answer.text()
    assert w.lessons.player.slide.answer in con.answer.text()
    assert "not yet shown" in con.answer_heading.text()
    assert con.next_what.text() == "Next click reveals the whole output."
    assert "The class then sees: " in con.next_detail.text()
    qtbot.keyClick(con.slide_list, Qt.Key.Key_Right)
    assert "revealed" in con.answer_heading.text()
    assert w.lessons.bar.answer_text().startswith(w.lessons.player.slide.answer[:20])


def test_next_build_and_next_slide_previews(qtbot, window):
    w = window
    con = open_console(qtbot, w)
    assert w.open_lesson("6.2")
    p, s = w.lessons.player, w.session
    assert p.state.builds > 0 and p.state.view == "window"
    nxt = s.steps[s.step + 1]
    X, K = s.input, s.applied_kernel
    r, c = nxt.out_pos
    kh, kw = K.shape
    assert nxt.result == (X[r : r + kh, c : c + kw] * K).sum()
    assert con.next_detail.text().endswith(f"= {display_number(nxt.result)}")
    assert con.next_input.marked() == {(r + i, c + j) for i in range(kh) for j in range(kw)}
    assert s.step == nxt.n - 1  # the stage has not taken it
    while p.builds_left:
        w.lessons.next()
    assert p.index == 0
    assert con.next_what.text() == f"Next click: slide 2 / {p.n_slides}."
    st2, slide2 = p.lesson.states[1], p.lesson.slides[1]
    assert np.array_equal(con.next_input.values(), st2.input)
    assert np.array_equal(con.next_kernel.values(), st2.kernel)
    assert slide2.title in con.next_detail.text()
    w.lessons.goto_last()
    while p.builds_left:
        w.lessons.next()
    assert next_click(p).startswith("End of the lesson")


def test_thumbnail_is_the_stage_as_the_class_sees_it(qtbot, window):
    w = window
    con = open_console(qtbot, w)
    assert w.open_lesson("6.2")
    qtbot.waitUntil(lambda: not con.thumbnail().isNull())
    pix = con.thumbnail()
    ratio = w.width() / w.height()
    assert abs(pix.width() / pix.height() - ratio) < 0.02
    assert pix.width() <= con.thumb.width() and pix.height() <= con.thumb.height()


def test_elapsed_time_starts_with_the_lesson(qtbot, window):
    w = window
    con = open_console(qtbot, w)
    assert con.elapsed.text() == "0:00:00" and con._t0 is None
    assert w.open_lesson("6.2")
    t0 = con._t0
    assert t0 is not None
    con.restart_timer()
    assert con._t0 >= t0
    assert con.clock.text().count(":") == 1


def test_thumbnail_follows_a_click(qtbot, window):
    w = window
    con = open_console(qtbot, w)
    assert w.open_lesson("6.2")
    qtbot.waitUntil(lambda: not con.thumbnail_pending and not con.thumbnail().isNull())
    before = con.thumbnail().toImage()
    w.lessons.goto(first(w, "output"))  # another picture on the stage
    assert con.thumbnail_pending
    qtbot.waitUntil(lambda: not con.thumbnail_pending)
    after = con.thumbnail().toImage()
    assert after != before
    want = w.size().scaled(con.thumb.size(), Qt.AspectRatioMode.KeepAspectRatio)
    assert after.size() == want  # the whole window, scaled, as the class sees it
