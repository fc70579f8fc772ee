"""window_steps (what the animation draws) and corr_matrix (exercise 3) against corr2d."""

from __future__ import annotations

import naive
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convviz.engine import conv2d, corr2d, corr_matrix, output_shape, window_steps


@st.composite
def case(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H, W = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    assume(dh * (kh - 1) + 1 <= H + 2 * ph and dw * (kw - 1) + 1 <= W + 2 * pw)
    elems = st.integers(-9, 9).map(float)
    X = draw(hnp.arrays(np.float64, (H, W), elements=elems))
    K = draw(hnp.arrays(np.float64, (kh, kw), elements=elems))
    bias = draw(st.sampled_from([0.0, 0.5, -2.0]))
    return X, K, (ph, pw), (sh, sw), (dh, dw), bias


# ------------------------------------------------------------- window_steps
@settings(max_examples=80, deadline=None)
@given(case(), st.booleans())
def test_every_step_is_the_output_cell(c, flip):
    X, K, p, s, d, bias = c
    fn = conv2d if flip else corr2d
    Y = fn(X, K, bias=bias, padding=p, stride=s, dilation=d)
    steps = window_steps(X, K, bias=bias, padding=p, stride=s, dilation=d, flip=flip)
    assert len(steps) == Y.size
    assert steps.output_shape == Y.shape
    np.testing.assert_allclose(steps.output(), Y, rtol=1e-12, atol=1e-12)
    kernel = K[::-1, ::-1] if flip else K
    H, W = X.shape
    for n, step in enumerate(steps):
        i, j = divmod(n, Y.shape[1])
        assert step.n == n
        assert step.out_pos == (i, j)
        assert step.result == pytest.approx(Y[i, j], rel=1e-12, abs=1e-12)
        assert step.result == step.total + bias
        np.testing.assert_array_equal(step.kernel, kernel)
        np.testing.assert_array_equal(step.products, step.values * kernel)
        assert step.total == pytest.approx(step.products.sum(), abs=1e-12)
        # where the window sits: rows/cols of the unpadded input, -1 on padding
        prow = i * s[0] + np.arange(K.shape[0]) * d[0] - p[0]
        pcol = j * s[1] + np.arange(K.shape[1]) * d[1] - p[1]
        np.testing.assert_array_equal(step.rows, np.where((prow < 0) | (prow >= H), -1, prow))
        np.testing.assert_array_equal(step.cols, np.where((pcol < 0) | (pcol >= W), -1, pcol))
        expect_pad = (step.rows[:, None] < 0) | (step.cols[None, :] < 0)
        np.testing.assert_array_equal(step.padded, expect_pad)
        assert np.all(step.values[step.padded] == 0)
        inside = ~step.padded
        rr, cc = np.meshgrid(step.rows, step.cols, indexing="ij")
        np.testing.assert_array_equal(step.values[inside], X[rr[inside], cc[inside]])


def test_padded_cells_are_marked():
    X = np.arange(1.0, 10.0).reshape(3, 3)
    steps = window_steps(X, np.ones((3, 3)), padding=1)
    first = steps[0]
    np.testing.assert_array_equal(first.rows, [-1, 0, 1])
    np.testing.assert_array_equal(first.cols, [-1, 0, 1])
    np.testing.assert_array_equal(
        first.padded, [[True, True, True], [True, False, False], [True, False, False]]
    )
    np.testing.assert_array_equal(first.values, [[0, 0, 0], [0, 1, 2], [0, 4, 5]])
    assert first.result == 12
    assert len(steps) == 9


def test_indexing_negative_slices_and_errors():
    X, K = np.arange(9).reshape(3, 3), np.arange(4).reshape(2, 2)
    steps = window_steps(X, K)
    assert steps[-1].n == 3
    assert steps[-1].total == 43
    assert steps[-4].total == 19
    assert [s.total for s in steps[1:3]] == [25, 37]
    assert [s.total for s in steps[::-1]] == [43, 37, 25, 19]
    for bad in (4, 100, -5):
        with pytest.raises(IndexError, match=r"outside 0\.\.3"):
            steps[bad]
    assert list(iter(steps))[2].total == 37


def test_window_steps_of_float32_input_report_float64():
    steps = window_steps(np.arange(9, dtype=np.float32).reshape(3, 3), np.ones((2, 2)))
    assert steps[0].values.dtype == np.float64
    assert steps.output().dtype == np.float64


# ------------------------------------------------------------- corr_matrix
@settings(max_examples=80, deadline=None)
@given(case())
def test_corr_matrix_times_image_is_the_correlation(c):
    X, K, p, s, d, _ = c
    M = corr_matrix(X.shape, K, padding=p, stride=s, dilation=d)
    oh, ow = output_shape(X.shape, K.shape, padding=p, stride=s, dilation=d)
    assert M.shape == (oh * ow, X.size)
    np.testing.assert_allclose(
        M @ X.ravel(), corr2d(X, K, padding=p, stride=s, dilation=d).ravel(), atol=1e-9
    )


@settings(max_examples=30, deadline=None)
@given(case())
def test_corr_matrix_matches_unit_images(c):
    X, K, p, s, d, _ = c
    np.testing.assert_array_equal(
        corr_matrix(X.shape, K, padding=p, stride=s, dilation=d),
        naive.corr_matrix(X.shape, K, p, s, d),
    )


def test_corr_matrix_of_the_table():
    M = corr_matrix((3, 3), np.arange(4).reshape(2, 2))
    np.testing.assert_array_equal(
        M,
        [
            [0, 1, 0, 2, 3, 0, 0, 0, 0],
            [0, 0, 1, 0, 2, 3, 0, 0, 0],
            [0, 0, 0, 0, 1, 0, 2, 3, 0],
            [0, 0, 0, 0, 0, 1, 0, 2, 3],
        ],
    )
    np.testing.assert_array_equal(M @ np.arange(9.0), [19, 25, 37, 43])


def test_corr_matrix_transpose_is_the_gradient_to_the_input():
    """M.T @ dY is dL/dX: the 'transposed convolution' of chapter 14."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 6))
    K = rng.standard_normal((2, 3))
    M = corr_matrix(X.shape, K, padding=1, stride=(1, 2))
    dY = rng.standard_normal(M.shape[0])
    loss = lambda Xv: float(dY @ corr2d(Xv, K, padding=1, stride=(1, 2)).ravel())  # noqa: E731
    np.testing.assert_allclose(M.T @ dY, naive.numeric_grad(loss, X).ravel(), rtol=1e-6, atol=1e-8)


def test_corr_matrix_rejects_bad_shapes_and_huge_matrices():
    with pytest.raises(ValueError, match="input_shape must be"):
        corr_matrix((3,), np.ones((2, 2)))
    with pytest.raises(ValueError, match="input_shape must be positive"):
        corr_matrix((0, 3), np.ones((1, 1)))
    with pytest.raises(ValueError, match="too large to show"):
        corr_matrix((200, 200), np.ones((3, 3)))
    with pytest.raises(ValueError, match="larger than the input"):
        corr_matrix((2, 2), np.ones((3, 3)))


@pytest.mark.parametrize(
    "opts",
    [{}, {"padding": 1}, {"stride": 2, "padding": (1, 0)}, {"dilation": 2, "padding": 2}],
)
def test_window_mask_covers_exactly_the_values_multiplied(opts):
    X = np.arange(35.0).reshape(5, 7) + 1
    K = np.ones((2, 3))
    steps = window_steps(X, K, **opts)
    ph, pw = steps.geometry.padding
    Xp = np.pad(X, ((ph, ph), (pw, pw)))
    for n in range(len(steps)):
        m = steps.window_mask(n)
        assert m.shape == Xp.shape and m.sum() == K.size
        np.testing.assert_array_equal(Xp[m].reshape(K.shape), steps[n].values)
