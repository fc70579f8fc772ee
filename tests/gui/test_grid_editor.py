"""The grid widgets driven like a user would: typing, painting, the clipboard, tools."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from convviz.gui.widgets.grid_editor import GridPanel, GridWidget, cell_text
from convviz.model.presets import KERNELS


@pytest.fixture
def panel(qtbot, session, style):
    p = GridPanel(session, "input", style)
    qtbot.addWidget(p)
    p.resize(700, 700)
    p.show()
    qtbot.waitExposed(p)
    return p


def center(grid, r, c) -> QPoint:
    return grid.cell_rect(r, c).center().toPoint()


def open_editor(qtbot, grid, r, c):
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=center(grid, r, c))
    assert grid.editing
    return grid.line_edit


# ----------------------------------------------------------------- display
def test_grid_widget_values_mask_outline_padding(qtbot, style):
    g = GridWidget(style)
    qtbot.addWidget(g)
    g.resize(400, 400)
    g.set_values(np.array([[1.0, -2.0], [0.5, 3.0]]), mask=np.array([[1, 1], [0, 0]], bool))
    np.testing.assert_array_equal(g.values(), [[1, -2], [0.5, 3]])
    assert g.limit() == 2.0  # only the shown (computed) cells set the scale
    g.set_values(g.values(), limit=10)
    assert g.limit() == 10
    g.set_padding((1, 2))
    assert g.padded_shape() == (4, 6)
    r00, rpad = g.cell_rect(0, 0), g.cell_rect(-1, -2)
    assert rpad.right() < r00.left() and rpad.bottom() <= r00.top()
    assert g.cell_at(r00.center()) == (0, 0)
    assert g.cell_at(rpad.center()) is None and g.cell_at(rpad.center(), padded=True) == (-1, -2)
    m = np.zeros((4, 6), bool)
    m[0:2, 0:2] = True
    g.set_outline(m)
    assert g.outline() is m
    g.set_outline(None)
    assert g.outline() is None
    g.grab()  # paints without error


def test_cells_shrink_for_large_grids_and_drop_digits(qtbot, style):
    g = GridWidget(style)
    qtbot.addWidget(g)
    g.resize(500, 500)
    g.set_values(np.arange(9.0).reshape(3, 3))
    assert g.digits_shown() and g.cell_size() == style.px(120)
    g.set_values(np.ones((64, 64)))
    assert g.cell_size() * 64 <= 500 and not g.digits_shown()
    g.grab()


def test_zoom_grows_cells_and_digits(qtbot, style):
    g = GridWidget(style)
    qtbot.addWidget(g)
    g.resize(1200, 1200)
    g.set_values(np.arange(4.0).reshape(2, 2))
    small = g.cell_size()
    style.set_zoom(150)
    g.resize(1200, 1200)  # a layout would do this when the size hints change
    assert g.cell_size() == pytest.approx(1.5 * small, abs=1)


def test_hover_and_click_signals(qtbot, style):
    g = GridWidget(style)
    qtbot.addWidget(g)
    g.resize(300, 300)
    g.set_values(np.zeros((2, 2)))
    g.show()
    with qtbot.waitSignal(g.sig_cell_clicked) as sig:
        qtbot.mouseClick(g, Qt.MouseButton.LeftButton, pos=center(g, 1, 0))
    assert sig.args == [1, 0]
    with qtbot.waitSignal(g.sig_cell_hovered) as sig:
        qtbot.mouseMove(g, center(g, 0, 1))
    assert sig.args == [0, 1]


def test_cell_text_uses_a_visible_minus_and_no_dot_zero():
    assert cell_text(-3.0) == "\u22123" and cell_text(19.0) == "19" and cell_text(0.5) == "0.5"


# ----------------------------------------------------------------- typing
def test_type_a_value_with_double_click_and_enter(qtbot, panel, session):
    grid = panel.editor
    ed = open_editor(qtbot, grid, 1, 1)
    assert ed.text() == "4"
    ed.selectAll()
    qtbot.keyClicks(ed, "-2.5")
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    assert session.input[1, 1] == -2.5
    assert not grid.editing and grid.selected == (2, 1)  # Enter moves down
    assert grid.values()[1, 1] == -2.5


def test_typing_a_digit_starts_editing_and_tab_moves(qtbot, panel, session):
    grid = panel.editor
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=center(grid, 0, 0))
    qtbot.keyClick(grid, "7")
    assert grid.editing and grid.line_edit.text() == "7"
    qtbot.keyClick(grid.line_edit, Qt.Key.Key_Tab)
    assert session.input[0, 0] == 7 and grid.selected == (0, 1)
    qtbot.keyClick(grid, "-")
    qtbot.keyClicks(grid.line_edit, "3")
    qtbot.keyClick(grid.line_edit, Qt.Key.Key_Backtab)
    assert session.input[0, 1] == -3 and grid.selected == (0, 0)
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.selected == (1, 1)


def test_escape_cancels(qtbot, panel, session):
    grid = panel.editor
    ed = open_editor(qtbot, grid, 0, 2)
    ed.setText("99")
    qtbot.keyClick(ed, Qt.Key.Key_Escape)
    assert not grid.editing and session.input[0, 2] == 2 and not session.can_undo


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("abc", "not a number"),
        ("", "empty"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        ("1e300", "too large"),
    ],
)
def test_bad_values_are_refused_in_place(qtbot, panel, session, bad, says):
    grid = panel.editor
    ed = open_editor(qtbot, grid, 2, 2)
    ed.setText(bad)
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    assert grid.editing and grid.line_edit.text() == bad  # nothing the user typed is lost
    assert says in panel.message.text()
    assert session.input[2, 2] == 8 and not session.can_undo
    ed.setText("5")
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    assert session.input[2, 2] == 5 and panel.message.text() == ""


def test_delete_clears_the_selection_to_zero(qtbot, panel, session):
    grid = panel.editor
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=center(grid, 1, 1))
    qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert grid.selection() == (1, 1, 1, 2)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    np.testing.assert_array_equal(session.input[1], [3, 0, 0])
    assert session.undo() and session.input[1, 2] == 5


# ----------------------------------------------------------------- brush
def test_brush_drag_paints_and_is_one_undo_step(qtbot, panel, session):
    grid = panel.editor
    panel.brush_value.setText("1")
    panel.btn_brush.setChecked(True)
    assert grid.brush and grid.brush_value == 1
    session.set_grid("input", np.zeros((5, 5)))
    undo_depth = len(session._undo)
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=center(grid, 0, 0))
    qtbot.mouseMove(grid, center(grid, 0, 2))
    qtbot.mouseMove(grid, center(grid, 2, 2))
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=center(grid, 2, 2))
    painted = session.input.copy()
    assert painted[0, 0] == painted[0, 1] == painted[0, 2] == painted[1, 2] == painted[2, 2] == 1
    assert painted.sum() == 5  # the drag's line, no gaps, nothing else
    assert len(session._undo) == undo_depth + 1
    session.undo()
    assert not session.input.any()


def test_bad_brush_value_is_refused(qtbot, panel):
    panel.brush_value.setText("lots")
    panel.btn_brush.setChecked(True)
    assert not panel.btn_brush.isChecked() and not panel.editor.brush
    assert "not a number" in panel.message.text()


# ------------------------------------------------------------- clipboard
def test_paste_at_the_selected_cell(qtbot, panel, session):
    grid = panel.editor
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=center(grid, 1, 1))
    QApplication.clipboard().setText("1\t-1\n2\t-2\n")
    qtbot.keyClick(grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(session.input, [[0, 1, 2], [3, 1, -1], [6, 2, -2]])
    QApplication.clipboard().setText("[[5, 6, 7]]")
    panel.btn_paste.click()
    assert session.input.shape == (3, 4)  # grew to fit
    np.testing.assert_array_equal(session.input[1, 1:], [5, 6, 7])
    session.undo()
    np.testing.assert_array_equal(session.input[1], [3, 1, -1])


@pytest.mark.parametrize("text", ["1\t2\n3", "hello", "", "[[1, 2]"])
def test_bad_paste_changes_nothing(qtbot, panel, session, text):
    grid = panel.editor
    QApplication.clipboard().setText(text)
    before = session.input.copy()
    assert not grid.paste_clipboard()
    np.testing.assert_array_equal(session.input, before)
    assert panel.message.text().startswith("Nothing was pasted.")


def test_copy_grid_selection_and_numpy(qtbot, panel, session):
    grid = panel.editor
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "0\t1\t2\n3\t4\t5\n6\t7\t8"
    panel.act_copy_numpy.trigger()
    assert QApplication.clipboard().text() == "[[0, 1, 2], [3, 4, 5], [6, 7, 8]]"
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=center(grid, 0, 1))
    qtbot.mouseClick(
        grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, center(grid, 1, 2)
    )
    assert grid.copy() == "1\t2\n4\t5"


# ----------------------------------------------------------------- tools
def test_resize_with_the_spin_boxes(qtbot, panel, session):
    panel.rows.setValue(5)
    panel.cols.setValue(2)
    assert session.input.shape == (5, 2)
    np.testing.assert_array_equal(session.input[:3], [[0, 1], [3, 4], [6, 7]])
    assert panel.editor.values().shape == (5, 2) and "(5×2)" in panel.title.text()
    assert panel.rows.maximum() == 64
    session.undo()
    assert panel.cols.value() == 3 and panel.rows.value() == 5  # the model drives the spins


def test_kernel_panel_limits_and_presets(qtbot, session, style):
    p = GridPanel(session, "kernel", style)
    qtbot.addWidget(p)
    assert p.rows.maximum() == 15
    assert p.preset.currentText().startswith("Fig. 6.2.1")
    i = p.preset.findText("Sobel x")
    p.preset.setCurrentIndex(i)
    p.preset.activated.emit(i)
    np.testing.assert_array_equal(session.kernel, KERNELS["Sobel x"]())
    assert p.preset.currentText() == "Sobel x"
    session.set_cell("kernel", 0, 0, "5")
    assert p.preset.currentText() == "Custom"


def test_transpose_and_flip_buttons(qtbot, session, style):
    p = GridPanel(session, "kernel", style)
    qtbot.addWidget(p)
    qtbot.mouseClick(p.btn_transpose, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(session.kernel, [[0, 2], [1, 3]])
    qtbot.mouseClick(p.btn_flip, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(session.kernel, [[3, 1], [2, 0]])
    np.testing.assert_array_equal(p.editor.values(), session.kernel)


def test_editor_follows_undo(qtbot, panel, session):
    session.set_cell("input", 0, 0, "42")
    assert panel.editor.values()[0, 0] == 42
    session.undo()
    assert panel.editor.values()[0, 0] == 0
