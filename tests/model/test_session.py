"""The Session without Qt: editing, options, undo, gestures and the step cursor."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.engine import conv2d, corr2d
from convviz.model import LIMITS, Session, ValueProblem


@pytest.fixture
def s():
    return Session()


@pytest.fixture
def events(s):
    got: list[frozenset] = []
    s.changed.connect(got.append)
    return got


def test_starts_on_fig_621_not_started(s):
    np.testing.assert_array_equal(s.input, np.arange(9.0).reshape(3, 3))
    np.testing.assert_array_equal(s.kernel, np.arange(4.0).reshape(2, 2))
    assert s.step == -1 and s.n_steps == 4 and s.output_shape == (2, 2)
    assert s.current is None and s.error is None
    assert not s.computed_mask().any()


def test_grids_are_read_only_views(s):
    with pytest.raises(ValueError):
        s.input[0, 0] = 5


def test_set_cell_from_text_and_number(s, events):
    s.set_cell("input", 0, 0, "5")
    s.set_cell("kernel", 1, 1, -2.5)
    assert s.input[0, 0] == 5 and s.kernel[1, 1] == -2.5
    assert frozenset({"input"}) in events and frozenset({"kernel"}) in events
    np.testing.assert_array_equal(s.output, corr2d(s.input, s.kernel))


@pytest.mark.parametrize("bad", ["x", "", "nan", "inf", "1e300"])
def test_bad_text_leaves_the_cell_and_undo_alone(s, events, bad):
    with pytest.raises(ValueProblem):
        s.set_cell("input", 1, 1, bad)
    assert s.input[1, 1] == 4 and not s.can_undo and not events


def test_same_value_is_not_an_edit(s, events):
    s.set_cell("input", 0, 0, "0")
    assert not events and not s.can_undo


def test_index_outside_the_grid(s):
    with pytest.raises(IndexError):
        s.set_cell("input", 3, 0, "1")


def test_paint_and_gesture_is_one_undo_step(s):
    with s.gesture():
        s.paint("input", [(0, 0), (0, 1)], 1)
        s.paint("input", [(2, 2), (9, 9)], 1)  # outside cells are skipped
    assert s.input[0, 0] == s.input[0, 1] == s.input[2, 2] == 1
    assert s.undo()
    np.testing.assert_array_equal(s.input, np.arange(9.0).reshape(3, 3))
    assert not s.can_undo


def test_paste_grows_the_grid_and_refuses_what_cannot_fit(s):
    assert s.paste("input", 2, 2, [[1, -1], [2, -2]]) == (2, 2)
    assert s.input.shape == (4, 4)
    np.testing.assert_array_equal(s.input[2:, 2:], [[1, -1], [2, -2]])
    assert s.input[0, 0] == 0 and s.input[3, 0] == 0
    before = s.input.copy()
    with pytest.raises(ValueProblem, match="does not fit"):
        s.paste("kernel", 0, 0, np.ones((16, 1)))
    with pytest.raises(ValueProblem):
        s.paste("input", 0, 0, [[1, np.nan]])
    np.testing.assert_array_equal(s.input, before)


def test_resize_keeps_what_fits(s):
    s.resize("input", 2, 4)
    np.testing.assert_array_equal(s.input, [[0, 1, 2, 0], [3, 4, 5, 0]])
    s.undo()
    assert s.input.shape == (3, 3)
    for bad in ((0, 3), (3, LIMITS["input"] + 1)):
        with pytest.raises(ValueProblem):
            s.resize("input", *bad)
    with pytest.raises(ValueProblem):
        s.resize("kernel", 16, 1)


def test_transpose_and_flip(s):
    s.transpose("kernel")
    np.testing.assert_array_equal(s.kernel, [[0, 2], [1, 3]])
    s.flip("kernel")
    np.testing.assert_array_equal(s.kernel, [[3, 1], [2, 0]])
    s.flip("input", axis=1)
    np.testing.assert_array_equal(s.input[0], [2, 1, 0])


def test_load_preset_and_set_grid(s):
    s.load_preset("input", "Edge image (6×8, dark band)")
    s.load_preset("kernel", "Edge [1, −1]")
    assert s.input.shape == (6, 8) and s.output_shape == (6, 7)
    with pytest.raises(ValueProblem):
        s.set_grid("input", np.zeros((65, 2)))
    with pytest.raises(KeyError):
        s.load_preset("kernel", "no such kernel")


def test_options_and_shape_formula(s):
    assert s.shape_formula() == "rows: 3 − 2 + 1 = 2\ncolumns: 3 − 2 + 1 = 2"
    s.set_options(padding=(1, 1), stride=(2, 2))
    assert s.output_shape == (2, 2)
    assert "= 2" in s.shape_formula() and "⌊" in s.shape_formula()
    np.testing.assert_array_equal(s.output, corr2d(s.input, s.kernel, padding=1, stride=2))
    s.set_options(padding=(0, 0), stride=(1, 1), dilation=(3, 3))
    assert "dilation" in s.error  # a 2x2 kernel dilated by 3 spans 4x4 > 3x3
    s.undo()
    s.set_options(stride=(1, 1), padding=(0, 0), dilation=(1, 1), convolution=True, bias=0.5)
    np.testing.assert_array_equal(s.output, conv2d(s.input, s.kernel, bias=0.5))
    np.testing.assert_array_equal(s.applied_kernel, s.kernel[::-1, ::-1])


def test_dilated_window_fits_exactly():
    s = Session()
    s.set_options(dilation=(2, 2))
    assert s.error is None and s.output_shape == (1, 1)
    np.testing.assert_array_equal(s.output, corr2d(s.input, s.kernel, dilation=2))


@pytest.mark.parametrize(
    "changes",
    [{"stride": (0, 1)}, {"padding": (-1, 0)}, {"dilation": (1, 17)}, {"stride": (1.5, 1)}],
)
def test_bad_options_are_refused(s, changes):
    with pytest.raises(ValueProblem):
        s.set_options(**changes)
    assert s.options.stride == (1, 1) and not s.can_undo


def test_unknown_option(s):
    with pytest.raises(TypeError):
        s.set_options(colour="red")


def test_kernel_too_large_is_an_error_not_a_crash(s, events):
    s.resize("kernel", 4, 4)
    assert s.steps is None and s.output is None and s.n_steps == 0
    assert "larger than the input" in s.error
    assert s.output_shape is None and s.computed_mask() is None
    s.set_options(padding=(1, 1))
    assert s.error is None and s.output_shape == (2, 2)


def test_undo_redo_across_both_grids(s):
    s.set_cell("input", 0, 0, "9")
    s.set_cell("kernel", 0, 0, "-1")
    s.set_options(bias=1.0)
    assert s.undo() and s.options.bias == 0
    assert s.undo() and s.kernel[0, 0] == 0 and s.input[0, 0] == 9
    assert s.undo() and s.input[0, 0] == 0
    assert not s.undo()
    assert s.redo() and s.input[0, 0] == 9
    assert s.redo() and s.kernel[0, 0] == -1
    s.set_cell("input", 1, 1, "7")  # a new edit clears the redo stack
    assert not s.can_redo


def test_step_cursor_and_clamping(s, events):
    assert s.step_forward() and s.step == 0
    assert s.current.result == 19
    s.to_end()
    assert s.step == 3 and s.at_end and not s.step_forward()
    assert s.computed_mask().all()
    s.set_step(99)
    assert s.step == 3
    s.resize("input", 2, 3)  # output shrinks to 1x2: the step is clamped
    assert s.step == 1 and "step" in events[-1]
    s.to_start()
    assert s.step == -1 and not s.step_back()


def test_steps_match_the_chapter(s):
    results = [s.steps[n].result for n in range(s.n_steps)]
    assert results == [19, 25, 37, 43]
    first = s.steps[0]
    np.testing.assert_array_equal(first.values, [[0, 1], [3, 4]])
    np.testing.assert_array_equal(first.products, [[0, 1], [6, 12]])


def test_model_imports_no_qt():
    import subprocess
    import sys

    code = "import convviz.model, convviz.engine, sys; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_set_scene_is_one_undo_step_and_all_or_nothing():
    import numpy as np

    from convviz.model import Options, Session, ValueProblem

    s = Session()
    X0, K0 = s.input.copy(), s.kernel.copy()
    s.set_scene(np.ones((6, 8)), [[1.0, -1.0]], Options(bias=0.5, padding=(1, 0)))
    assert s.input.shape == (6, 8) and s.kernel.tolist() == [[1.0, -1.0]]
    assert s.options.bias == 0.5 and s.options.padding == (1, 0)
    s.undo()
    assert np.array_equal(s.input, X0) and np.array_equal(s.kernel, K0)
    assert s.options == Options()
    with pytest.raises(ValueProblem):
        s.set_scene(np.ones((3, 3)), [[np.nan]], Options())
    assert np.array_equal(s.input, X0) and np.array_equal(s.kernel, K0)
    assert s.can_redo  # a refused scene changes nothing, not even the redo stack
