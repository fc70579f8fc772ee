"""The sliding-window view: stepping Fig. 6.2.1, keys, options, bias, convolution."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from convviz.engine import conv2d, corr2d
from convviz.gui.style import Style
from convviz.gui.widgets.window_view import WindowView

FIG_621 = [
    "0×0 + 1×1 + 3×2 + 4×3 = 19",
    "1×0 + 2×1 + 4×2 + 5×3 = 25",
    "3×0 + 4×1 + 6×2 + 7×3 = 37",
    "4×0 + 5×1 + 7×2 + 8×3 = 43",
]


@pytest.fixture
def view(qtbot, session):
    v = WindowView(session, Style())
    qtbot.addWidget(v)
    v.resize(1600, 1000)
    v.show()
    qtbot.waitExposed(v)
    v.setFocus()
    return v


def shown_output(view) -> np.ndarray:
    """The output grid as the class sees it: NaN where a cell is still blank."""
    vals, mask = view.output.values(), view.output.mask()
    return np.where(mask, vals, np.nan)


def test_opens_on_fig_621_ready_to_step(view, session):
    assert session.step == -1
    assert view.output.values().shape == (2, 2) and not view.output.mask().any()
    np.testing.assert_array_equal(view.input_panel.editor.values(), np.arange(9.0).reshape(3, 3))
    np.testing.assert_array_equal(view.kernel_panel.editor.values(), np.arange(4.0).reshape(2, 2))
    assert "Press →" in view.arith.plain_text()
    assert view.step_label.text() == "Step 0 of 4"
    assert view.slider.minimum() == -1 and view.slider.maximum() == 3
    assert "rows: 3 − 2 + 1 = 2" in view.formula.text()
    assert not view.applied_box.isVisibleTo(view)


def test_stepping_fig_621_shows_19_25_37_43(view, session):
    window_cells = [(0, 0), (0, 1), (1, 0), (1, 1)]
    for n, (text, value) in enumerate(zip(FIG_621, [19, 25, 37, 43], strict=True)):
        view.step_forward()
        assert session.step == n
        assert view.arith.sum_text == text and view.arith.plain_text() == text
        assert view.arith.bias_text == "" and not view.arith.bias_label.isVisibleTo(view)
        out = shown_output(view)
        assert out.ravel()[n] == value
        assert np.isnan(out.ravel()[n + 1 :]).all()  # not computed yet: blank
        outline = view.output.outline()
        assert outline.sum() == 1 and outline.ravel()[n]
        r0, c0 = window_cells[n]
        expect = np.zeros((3, 3), bool)
        expect[r0 : r0 + 2, c0 : c0 + 2] = True
        np.testing.assert_array_equal(view.input_panel.editor.outline(), expect)
        assert view.slider.value() == n and view.step_label.text() == f"Step {n + 1} of 4"
    np.testing.assert_array_equal(shown_output(view), [[19, 25], [37, 43]])
    assert not view.btn_forward.isEnabled()


def test_keys_step_play_and_jump(qtbot, view, session):
    key = lambda k: qtbot.keyClick(view, k)  # noqa: E731
    key(Qt.Key.Key_Right)
    assert session.step == 0
    key(Qt.Key.Key_PageDown)
    assert session.step == 1
    key(Qt.Key.Key_Left)
    assert session.step == 0
    key(Qt.Key.Key_PageUp)
    assert session.step == -1
    key(Qt.Key.Key_End)
    assert session.step == 3 and view.arith.sum_text == FIG_621[3]
    key(Qt.Key.Key_Home)
    assert session.step == -1
    view.speed.setValue(30)
    key(Qt.Key.Key_Space)
    assert view.playing and session.step == 0
    qtbot.waitUntil(lambda: session.at_end and not view.playing, timeout=3000)
    assert view.btn_play.text() == "Play"
    key(Qt.Key.Key_Space)  # at the end, play starts again from the beginning
    assert session.step == 0 and view.playing
    key(Qt.Key.Key_Space)
    assert not view.playing and session.step == 0


def test_keys_go_to_an_open_cell_editor(qtbot, view, session):
    grid = view.input_panel.editor
    view.step_forward()
    grid.edit(0, 0)
    ed = grid.line_edit
    for k in (Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Space, Qt.Key.Key_PageDown):
        qtbot.keyClick(ed, k)
    assert session.step == 0 and grid.editing
    ed.setText("2")
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    assert session.input[0, 0] == 2 and session.step == 0
    assert view.arith.sum_text == "2×0 + 1×1 + 3×2 + 4×3 = 19"


def test_the_slider_scrubs(view, session):
    view.slider.setValue(2)
    assert session.step == 2 and view.arith.sum_text == FIG_621[2]
    view.slider.setValue(-1)
    assert session.step == -1 and not view.output.mask().any()


def test_edits_recompute_and_keep_the_place(view, session):
    view.to_end()
    session.set_cell("kernel", 0, 0, "-1")
    assert session.step == 3
    assert view.arith.sum_text == "4×(−1) + 5×1 + 7×2 + 8×3 = 39"
    np.testing.assert_array_equal(shown_output(view), corr2d(session.input, session.kernel))
    session.resize("input", 3, 2)  # output 2x1: the step is clamped to the last cell
    assert session.step == 1 and view.output.values().shape == (2, 1)
    assert view.slider.maximum() == 1


def test_padding_stride_dilation_from_the_widgets(view, session):
    session.set_grid("input", np.arange(36.0).reshape(6, 6) - 10)
    session.set_grid("kernel", [[1, -1, 2], [0, 3, -2]])
    view.options_form.pad_r.setValue(2)
    view.options_form.pad_c.setValue(1)
    view.options_form.stride_r.setValue(2)
    view.options_form.stride_c.setValue(3)
    view.options_form.dil_c.setValue(2)
    o = session.options
    assert o.padding == (2, 1) and o.stride == (2, 3) and o.dilation == (1, 2)
    expect = corr2d(session.input, session.kernel, padding=(2, 1), stride=(2, 3), dilation=(1, 2))
    assert view.output.values().shape == expect.shape
    assert view.input_panel.editor.padding() == (2, 1)
    view.step_forward()  # first window: on the padding
    first = session.current
    assert first.padded.any()
    assert view.arith.sum_text.startswith("0×1 + 0×(−1) + 0×2")
    window = view.input_panel.editor.outline()
    assert window.shape == (10, 8) and window.sum() == 6
    assert window[0, 0] and not window[0, 1] and window[0, 2]  # dilated: a gap between taps
    view.to_end()
    np.testing.assert_array_equal(shown_output(view), expect)
    assert "⌊" in view.formula.text()


def test_bias_shows_two_steps(view, session):
    view.options_form.bias.setValue(0.5)
    assert session.options.bias == 0.5
    view.step_forward()
    assert view.arith.sum_text == FIG_621[0]
    assert view.arith.bias_text == "19 + 0.5 = 19.5"
    assert view.arith.bias_label.isVisibleTo(view)
    assert "19.5" in view.arith.bias_label.text()
    assert shown_output(view)[0, 0] == 19.5
    view.options_form.bias.setValue(-2)
    assert view.arith.bias_text == "19 + (−2) = 17"


def test_convolution_shows_the_flipped_kernel(view, session):
    view.options_form.mode_conv.click()
    assert session.options.convolution
    assert view.applied_box.isVisibleTo(view)
    np.testing.assert_array_equal(view.applied.values(), [[3, 2], [1, 0]])
    assert "flips" in view.applied_note.text() and view.op_star.text() == "∗"
    view.step_forward()
    assert view.arith.sum_text == "0×3 + 1×2 + 3×1 + 4×0 = 5"
    assert view.arith.caption.text() == "Y[0, 0] =" and view.op_star.toolTip() == "convolution"
    view.to_end()
    np.testing.assert_array_equal(shown_output(view), conv2d(session.input, session.kernel))
    view.options_form.mode_corr.click()
    assert not session.options.convolution and not view.applied_box.isVisibleTo(view)


def test_negative_numbers_in_parentheses(view, session):
    session.load_preset("kernel", "Edge [1, −1]")
    view.step_forward()
    assert view.arith.sum_text == "0×1 + 1×(−1) = −1"


def test_kernel_too_large_shows_the_error_and_disables_controls(view, session):
    view.step_forward()
    session.resize("kernel", 4, 4)
    assert view.output_error.isVisibleTo(view) and not view.output.isVisibleTo(view)
    assert "larger than the input" in view.output_error.text()
    assert not view.btn_play.isEnabled() and not view.slider.isEnabled()
    assert "larger than the input" in view.arith.plain_text()
    view.toggle_play()
    assert not view.playing
    session.undo()
    assert view.output.isVisibleTo(view) and view.btn_play.isEnabled()


def test_a_product_is_tied_to_its_two_cells(view, session):
    view.step_forward()
    view.step_forward()  # window over columns 1..2 of rows 0..1
    view.arith.sig_term_hovered.emit(2)  # the third product: 4×2
    inp = view.input_panel.editor.outline("accent2")
    ker = view.kernel_panel.editor.outline("accent2")
    assert inp is not None and list(zip(*np.nonzero(inp), strict=True)) == [(1, 1)]
    assert list(zip(*np.nonzero(ker), strict=True)) == [(1, 0)]
    assert view.arith.highlighted == 2
    view.input_panel.editor.sig_cell_hovered.emit(0, 2)  # and back: a cell names its product
    assert view.arith.highlighted == 1
    view.input_panel.editor.sig_cell_hovered.emit(-1, -1)
    assert view.arith.highlighted == -1 and view.input_panel.editor.outline("accent2") is None


def test_option_problems_are_shown_not_raised(view, session):
    view.options_form.set_options(stride=(0, 1))
    assert "Stride" in view.options_form.message.text()
    assert session.options.stride == (1, 1)


def test_hidden_result_for_a_lesson(view, session):
    view.step_forward()
    session.set_hidden({"result"})
    assert view.arith.plain_text() == "0×0 + 1×1 + 3×2 + 4×3 = ?"
    assert not view.output.mask()[0, 0]
    session.set_hidden(())
    assert view.arith.plain_text() == FIG_621[0] and view.output.mask()[0, 0]


def test_tools_fold_when_no_grid_is_readable_unless_the_user_chose(qtbot, session):
    v = WindowView(session, Style(zoom=200))
    qtbot.addWidget(v)
    v.resize(1500, 760)  # a window, not full screen, at 200 %: the tools crowd the grids
    v.show()
    qtbot.waitExposed(v)
    qtbot.waitUntil(lambda: not v.btn_tools.isChecked(), timeout=3000)
    readable = v.style_.px(40)
    qtbot.waitUntil(lambda: v.kernel_panel.editor.natural_cell() >= readable, timeout=3000)
    # The user asks for the tools back: the view leaves that choice alone, also once
    # the grids have shrunk again and the cells were shared out anew (the moment that
    # folded them before).
    syncs = v.syncs
    qtbot.mouseClick(v.btn_tools, Qt.MouseButton.LeftButton)
    assert v.btn_tools.isChecked()
    qtbot.waitUntil(lambda: v.kernel_panel.editor.natural_cell() < readable, timeout=3000)
    qtbot.waitUntil(lambda: v.syncs > syncs, timeout=3000)
    assert v.btn_tools.isChecked()


def test_tools_stay_when_the_grids_are_readable(qtbot, view):
    qtbot.waitUntil(lambda: view.syncs > 0)  # the cells were shared out once laid out
    assert view.btn_tools.isChecked()


def test_hidden_controls_are_restyled_when_shown_not_on_every_rescale(view):
    """Presenting hides the transport controls: a rescale restyles what is on screen,
    and the controls take the current style when they come back."""
    style = view.style_
    view.set_controls_visible(False)
    before = view.btn_play.font().pointSizeF()
    style.set_zoom(200)
    assert view.arith.isVisible()
    assert view.btn_play.font().pointSizeF() == before  # hidden: left as it was
    assert view.btn_play.iconSize().width() != style.px(26)
    view.set_controls_visible(True)
    assert view.btn_play.font().pointSizeF() == style.font(14).pointSizeF() != before
    assert view.btn_play.iconSize().width() == style.px(26)
    assert view.step_label.font().pointSizeF() == style.font(15, bold=True).pointSizeF()
