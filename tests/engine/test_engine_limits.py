"""Engine boundary (issue 15): every bad argument is a ValueError that names its limit.

Before, these escaped as OverflowError, numba TypingError, MemoryError (a
29 TiB allocation) or TypeError, and an overflowing sum came back as inf.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.engine import (
    KernelTrainer,
    conv2d,
    corr2d,
    corr_matrix,
    kernel_grad,
    output_shape,
    train_kernel,
    window_steps,
)
from convviz.engine.correlate import MAX_CELLS, MAX_OPTION
from convviz.engine.learn import MAX_STEPS

X3 = np.ones((3, 3))
K2 = np.ones((2, 2))


@pytest.mark.parametrize(
    ("option", "value"),
    [("stride", 2**63), ("dilation", 2**64), ("padding", 10**6), ("stride", (1, 2**70))],
)
@pytest.mark.parametrize("fn", [corr2d, conv2d, window_steps])
def test_huge_options_name_their_limit(fn, option, value):
    with pytest.raises(ValueError, match=rf"{option} must be at most {MAX_OPTION} "):
        fn(X3, K2, **{option: value})


def test_padding_within_the_option_limit_is_refused_before_allocating():
    """65536 padding on both sides would be 17 G cells: refused by the cell limit."""
    with pytest.raises(ValueError, match=f"at most {MAX_CELLS:,}") as info:
        corr2d(X3, K2, padding=MAX_OPTION)
    assert "padded input would be 131075x131075" in str(info.value)


def test_the_largest_options_still_work_where_they_fit():
    assert corr2d(X3, K2, stride=MAX_OPTION).shape == (1, 1)
    assert output_shape((3, 3), (1, 1), dilation=MAX_OPTION) == (3, 3)


@pytest.mark.parametrize("bias", [10**400, -(10**400)])
def test_a_bias_beyond_float64_is_a_value_error(bias):
    with pytest.raises(ValueError, match=r"bias is too large: at most 1.8e\+308"):
        corr2d(X3, K2, bias=bias)


def test_a_bias_beyond_float32_is_refused_for_float32_input():
    with pytest.raises(
        ValueError, match=r"bias 1e\+39 is too large for float32 \(at most 3.4e\+38\)"
    ):
        corr2d(X3.astype(np.float32), K2, bias=1e39)


@pytest.mark.parametrize("steps", [10**13, MAX_STEPS + 1, 2**64])
def test_too_many_steps_name_the_limit(steps):
    Y = corr2d(X3, K2)
    with pytest.raises(ValueError, match=f"at most {MAX_STEPS:,} in one call"):
        train_kernel(X3, Y, K2, steps=steps)
    with pytest.raises(ValueError, match=f"at most {MAX_STEPS:,} in one call"):
        KernelTrainer(X3, Y, K2).run(steps)


@pytest.mark.parametrize("steps", [2.5, "3", None, True])
def test_steps_must_be_whole_numbers(steps):
    with pytest.raises(ValueError, match="whole number"):
        train_kernel(X3, corr2d(X3, K2), K2, steps=steps)


def test_a_learning_rate_beyond_float64_is_a_value_error():
    with pytest.raises(ValueError, match="learning rate is too large"):
        KernelTrainer(X3, corr2d(X3, K2), K2, lr=10**400)


def test_huge_shapes_are_refused_before_allocating():
    with pytest.raises(ValueError, match=f"1 to {MAX_CELLS:,} cells"):
        kernel_grad(X3, K2, (2**64, 2))
    with pytest.raises(ValueError, match=f"1 to {MAX_CELLS:,} cells"):
        corr_matrix((10**30, 1), [[1.0]])
    with pytest.raises(ValueError, match=f"1 to {MAX_CELLS:,} cells"):
        output_shape((2**40, 2**40), (1, 1))


# ------------------------------------------------------------- overflow
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_an_overflowing_sum_is_reported_not_returned(dtype):
    big = float(np.finfo(dtype).max) / 2
    with pytest.raises(
        ValueError, match=r"result overflows: output cell \(row 0, column 0\) is inf"
    ):
        corr2d(np.full((3, 3), big, dtype), np.ones((2, 2)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_finite_values_near_the_limit_are_not_mistaken_for_an_overflow(dtype):
    """The 3x3 loop checks four cells at once by their sum, which overflows here."""
    big = float(np.finfo(dtype).max) * 0.6
    X = np.full((40, 30), big, dtype)
    K = np.zeros((3, 3), dtype)
    K[1, 1] = 1
    np.testing.assert_array_equal(corr2d(X, K), X[1:-1, 1:-1])
    K[1, 1] = -1
    np.testing.assert_array_equal(corr2d(X, K, bias=1.0), -X[1:-1, 1:-1])


def test_the_issue_case_1e308_is_a_value_error():
    with pytest.raises(ValueError, match=r"beyond the largest float64 \(1.8e\+308\)"):
        corr2d(np.full((3, 3), 1e308), np.ones((2, 2)))


def test_overflow_in_one_cell_of_a_large_output_is_found_in_every_block():
    X = np.zeros((400, 300), np.float32)
    X[397, 5] = X[398, 5] = np.finfo(np.float32).max
    with pytest.raises(ValueError, match=r"row 396, column 3\) is inf"):
        corr2d(X, np.ones((3, 3), np.float32))


def test_a_bias_that_tips_the_sum_over_is_reported():
    with pytest.raises(ValueError, match="result overflows"):
        corr2d(np.full((2, 2), 1e308), [[1.0]], bias=1e308)


def test_a_float64_kernel_too_large_for_float32_input_is_refused():
    with pytest.raises(ValueError, match=r"kernel K holds 1e\+300, too large for float32"):
        corr2d(X3.astype(np.float32), np.full((2, 2), 1e300))


def test_window_steps_refuse_an_output_that_overflows():
    with pytest.raises(ValueError, match="result overflows"):
        window_steps(np.full((3, 3), 1e308), K2)
    # large but safe values pass the cheap bound check without computing anything
    s = window_steps(np.full((3, 3), 1e300), K2)
    assert s[0].result == 4e300


@settings(max_examples=60, deadline=None)
@given(
    st.integers(-(2**80), 2**80),
    st.sampled_from(["padding", "stride", "dilation"]),
)
def test_any_integer_option_is_a_result_or_a_value_error(value, option):
    try:
        Y = corr2d(np.ones((4, 5)), np.ones((2, 2)), **{option: value})
    except ValueError as exc:
        assert option in str(exc) or "padded input" in str(exc) or "larger than the" in str(exc)
    else:
        assert Y.shape == output_shape((4, 5), (2, 2), **{option: value})
