"""The matrix view (exercise 3): W from the engine, y = W x, the current row outlined."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from convviz.engine import corr2d, corr_matrix
from convviz.gui.style import Style
from convviz.gui.widgets.matrix_view import MatrixView
from convviz.model import Session, presets


@pytest.fixture
def view(qtbot):
    s = Session()
    v = MatrixView(s, Style())
    qtbot.addWidget(v)
    v.resize(1400, 800)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_w_times_x_is_the_output(view):
    s = view.session
    M = view.matrix_values
    assert M.shape == (4, 9)
    np.testing.assert_array_equal(M @ s.input.ravel(), s.output.ravel())
    np.testing.assert_array_equal(view.x_grid.values().ravel(), s.input.ravel())
    assert view.cap_matrix.text() == "W (4×9)" and view.cap_x.text() == "x (9×1)"
    assert "12 of its 36 entries are not zero" in view.explain.text()


def test_the_current_row_is_highlighted(view):
    s = view.session
    assert view.highlighted_row() is None and view.matrix.outline() is None
    assert not view.y_grid.mask().any()  # nothing computed yet
    s.set_step(2)
    row = view.matrix.outline()
    assert row[2].all() and row.sum() == 9
    np.testing.assert_array_equal(view.y_grid.outline().ravel(), [0, 0, 1, 0])
    np.testing.assert_array_equal(view.y_grid.mask().ravel(), [1, 1, 1, 0])
    # x entries under the window: X[1:3, 0:2] -> flat 3, 4, 6, 7
    assert np.flatnonzero(view.x_grid.outline().ravel()).tolist() == [3, 4, 6, 7]
    assert view.input_grid.outline()[1:3, 0:2].all()
    assert view.arith.plain_text() == "3×0 + 4×1 + 6×2 + 7×3 = 37"


def test_arrow_keys_take_the_rows_as_the_message_promises(qtbot, view):
    s = view.session
    assert "Press →" in view.arith.message and s.step == -1
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert s.step == 0 and view.highlighted_row() == 0
    assert view.arith.plain_text() == "0×0 + 1×1 + 3×2 + 4×3 = 19"
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert s.step == 1
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert s.step == 0
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert s.step == 3 and view.matrix.outline()[3].all()
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert s.step == -1 and view.highlighted_row() is None


def test_options_and_convolution(view):
    s = view.session
    s.set_grid("input", presets.edge_image())
    s.set_grid("kernel", [[1, -1]])
    s.set_options(padding=(0, 1), stride=(2, 1), convolution=True)
    M = view.matrix_values
    expected = corr_matrix((6, 8), [[-1, 1]], padding=(0, 1), stride=(2, 1))
    np.testing.assert_array_equal(M, expected)
    np.testing.assert_array_equal(
        M @ s.input.ravel(), corr2d(s.input, [[-1, 1]], padding=(0, 1), stride=(2, 1)).ravel()
    )
    assert "flipped: convolution" in view.explain.text()
    s.set_options(bias=1.5)
    assert view.op_eq.text() == "+ 1.5 ="


def test_hidden_output_and_result(view):
    s = view.session
    s.set_step(1)
    s.set_hidden({"result"})
    np.testing.assert_array_equal(view.y_grid.mask().ravel(), [1, 0, 0, 0])
    assert view.arith.plain_text().endswith("= ?")
    s.set_hidden({"output"})
    assert not view.y_grid.mask().any()
    s.set_hidden(())
    np.testing.assert_array_equal(view.y_grid.mask().ravel(), [1, 1, 0, 0])


def test_too_large_and_impossible_say_so(view):
    s = view.session
    s.set_grid("input", np.zeros((40, 40)))
    s.set_grid("kernel", [[1]])
    assert view.matrix_values is None and view.message.isVisible()
    assert "W would be 1600×1600" in view.message.text()
    s.set_grid("input", np.zeros((2, 2)))
    s.set_grid("kernel", np.ones((3, 3)))
    assert "No output, so no matrix" in view.message.text()
    s.set_grid("kernel", [[1]])
    assert not view.message.isVisible() and view.matrix_values.shape == (4, 4)


def test_lazy_while_hidden(qtbot):
    s = Session()
    v = MatrixView(s, Style())
    qtbot.addWidget(v)
    s.set_grid("input", presets.diagonal())
    s.set_grid("kernel", [[1, -1]])
    assert v.refresh_count == 0  # nothing computed until shown
    v.show()
    qtbot.waitExposed(v)
    assert v.refresh_count == 1 and v.matrix_values.shape == (56, 64)
