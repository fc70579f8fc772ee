"""Every bad input a student can type gets a ValueError that says what to fix."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.engine import (
    Diverged,
    KernelTrainer,
    conv2d,
    corr2d,
    corr_matrix,
    geometry,
    loss_value,
    output_shape,
    train_kernel,
    window_steps,
)
from convviz.engine import correlate as correlate_mod

ONES = np.ones((4, 4))
K1 = [[1.0]]


def edge_problem():
    X = np.ones((6, 8))
    X[:, 2:6] = 0
    return X, corr2d(X, [[1, -1]])


# --------------------------------------------------------------- the arrays
@pytest.mark.parametrize(
    ("X", "K", "match"),
    [
        ([1.0, 2.0, 3.0], K1, r"The input X must be 2-D .* 1 dimension with shape \(3,\)"),
        (np.ones((2, 2, 2)), K1, r"The input X must be 2-D .* 3 dimensions with shape \(2, 2, 2\)"),
        (5.0, K1, r"The input X must be 2-D .* 0 dimensions"),
        (ONES, [1.0, -1.0], r"The kernel K must be 2-D .* 1 dimension"),
        (ONES, np.ones((1, 2, 1)), r"The kernel K must be 2-D .* 3 dimensions"),
        (np.ones((0, 3)), K1, r"The input X is empty \(shape 0x3\)"),
        ([[]], K1, r"The input X is empty \(shape 1x0\)"),
        (ONES, np.ones((2, 0)), r"The kernel K is empty \(shape 2x0\)"),
        ([[1, 2], [3]], K1, r"The input X must be a rectangular grid of numbers"),
        (ONES, [[1, 2], [3]], r"The kernel K must be a rectangular grid of numbers"),
        ([["a", "b"], ["c", "d"]], K1, r"The input X must hold numbers, not <U1 values"),
        (ONES, "edge", r"The kernel K must hold numbers"),
        (np.array([[None, 1]]), K1, r"The input X must hold numbers, not object values"),
        (np.ones((2, 2)) * 1j, K1, r"The input X must hold real numbers, not complex ones"),
        (ONES, np.ones((1, 1), complex), r"The kernel K must hold real numbers"),
        (
            np.ones((2, 2)),
            np.ones((3, 3)),
            r"The kernel is 3x3, larger than the input \(2x2\): the window has nowhere to fit",
        ),
        (np.ones((5, 1)), np.ones((1, 2)), r"The kernel is 1x2, larger than the input \(5x1\)"),
        (
            [[1.0, np.nan]],
            K1,
            r"The input X holds a value that is not a finite number \(nan at row 0, column 1\)",
        ),
        ([[1.0], [-np.inf]], K1, r"The input X holds .* \(-inf at row 1, column 0\)"),
        (
            ONES,
            [[np.inf, 0.0]],
            r"The kernel K holds a value that is not a finite number \(inf at row 0",
        ),
        (
            np.full((2, 2), np.nan, np.float32),
            K1,
            r"The input X holds .* \(nan at row 0, column 0\)",
        ),
    ],
)
def test_bad_arrays(X, K, match):
    for fn in (corr2d, conv2d, window_steps):
        with pytest.raises(ValueError, match=match):
            fn(X, K)


def test_kernel_larger_than_the_padded_input_names_padding_and_dilation():
    with pytest.raises(ValueError, match=r"larger than the input \(2x2 padded to 4x4\)"):
        corr2d(np.ones((2, 2)), np.ones((5, 5)), padding=1)
    with pytest.raises(ValueError, match=r"2x2 \(spanning 5x5 with dilation\), larger"):
        corr2d(np.ones((4, 4)), np.ones((2, 2)), dilation=4)
    with pytest.raises(ValueError, match="more padding"):
        output_shape((2, 2), (3, 3))
    # exactly fitting is fine
    assert output_shape((2, 2), (4, 4), padding=1) == (1, 1)
    assert corr2d(np.ones((4, 4)), np.ones((2, 2)), dilation=3).shape == (1, 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("size", ["small", "in blocks"])
def test_non_finite_values_are_found_anywhere(dtype, where, bad, size):
    """Found through the output (one thread, or blocks on several) and named in the input."""
    shape = (7, 9) if size == "small" else (700, 401)
    work = (shape[0] - 1) * (shape[1] - 1) * 4
    assert (work >= correlate_mod.PARALLEL_MIN_WORK) == (size == "in blocks")
    X = np.ones(shape, dtype)
    r, c = {"first": (0, 0), "middle": (shape[0] // 2, 3), "last": (shape[0] - 1, shape[1] - 1)}[
        where
    ]
    X[r, c] = bad
    with pytest.raises(ValueError, match=rf"not a finite number \(.*at row {r}, column {c}\)"):
        corr2d(X, np.ones((2, 2), dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_largest_and_subnormal_values_are_finite(dtype):
    info = np.finfo(dtype)
    for size in ((3, 5), (600, 500)):
        X = np.zeros(size, dtype)
        X[0, :3] = [info.max, -info.max, info.smallest_subnormal]
        X[-1, -1] = -info.smallest_subnormal
        assert corr2d(X, np.zeros((1, 1), dtype)).shape == size


# -------------------------------------------------------------- the options
@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"stride": 0}, r"stride must be positive \(got 0, 0\)"),
        ({"stride": (1, -2)}, r"stride must be positive \(got 1, -2\)"),
        ({"dilation": 0}, r"dilation must be positive \(got 0, 0\)"),
        ({"dilation": (-1, 1)}, r"dilation must be positive"),
        ({"padding": -1}, r"padding must be zero or more \(got -1, -1\)"),
        ({"padding": (0, -3)}, r"padding must be zero or more \(got 0, -3\)"),
        ({"stride": True}, r"stride must be a whole number or a pair of them, not True"),
        ({"padding": np.bool_(False)}, r"padding must be a whole number"),
        ({"dilation": (1, True)}, r"dilation must be a whole number or a pair"),
        ({"stride": 1.0}, r"stride must be a whole number or a pair of them, not 1.0"),
        ({"stride": 1.5}, r"stride must be a whole number"),
        ({"padding": (1.0, 1)}, r"padding must be a whole number"),
        ({"stride": (1, 1, 1)}, r"stride must be a whole number or a pair of them"),
        ({"stride": "2"}, r"stride must be a whole number"),
        ({"dilation": None}, r"dilation must be a whole number"),
        ({"bias": float("nan")}, r"The bias must be a finite number, not nan"),
        ({"bias": float("inf")}, r"The bias must be a finite number, not inf"),
        ({"bias": "x"}, r"The bias must be a number, not 'x'"),
        ({"bias": None}, r"The bias must be a number"),
    ],
)
def test_bad_options(kw, match):
    with pytest.raises(ValueError, match=match):
        corr2d(ONES, np.ones((2, 2)), **kw)
    with pytest.raises(ValueError, match=match):
        window_steps(ONES, np.ones((2, 2)), **kw)
    geometry_kw = {k: v for k, v in kw.items() if k != "bias"}
    if geometry_kw:
        with pytest.raises(ValueError, match=match):
            corr_matrix((4, 4), np.ones((2, 2)), **geometry_kw)
        with pytest.raises(ValueError, match=match):
            geometry((4, 4), (2, 2), **geometry_kw)


def test_numpy_integers_and_pairs_are_accepted():
    a = corr2d(ONES, np.ones((2, 2)), stride=np.int64(2), padding=[1, np.int32(0)])
    b = corr2d(ONES, np.ones((2, 2)), stride=(2, 2), padding=(1, 0))
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ training
def test_wrong_kernel_shape_for_the_target():
    X, Y = edge_problem()
    with pytest.raises(ValueError, match=r"K0 has the wrong shape") as info:
        train_kernel(X, Y, np.zeros((2, 2)))
    assert "6x7" in str(info.value) and "2x2" in str(info.value) and "5x7" in str(info.value)
    with pytest.raises(ValueError, match=r"wrong shape"):
        KernelTrainer(X, Y, np.zeros((1, 3)))


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"loss": "mse"}, r"loss must be one of 'squared', 'l2', not 'mse'"),
        ({"loss": None}, r"loss must be one of"),
        ({"loss": ["l2"]}, r"loss must be one of"),
        ({"lr": 0}, r"The learning rate must be a positive number, not 0"),
        ({"lr": -0.1}, r"The learning rate must be a positive number"),
        ({"lr": float("nan")}, r"The learning rate must be a positive number, not nan"),
        ({"lr": float("inf")}, r"The learning rate must be a positive number"),
        ({"lr": "fast"}, r"The learning rate must be a number, not 'fast'"),
        ({"b0": float("inf")}, r"The bias must be a finite number, not inf"),
        ({"b0": float("nan")}, r"The bias must be a finite number"),
        ({"b0": "zero"}, r"The bias must be a number"),
        ({"steps": -1}, r"steps must be zero or more, not -1"),
        ({"stride": 0}, r"stride must be positive"),
    ],
)
def test_bad_training_settings(kw, match):
    X, Y = edge_problem()
    with pytest.raises(ValueError, match=match):
        train_kernel(X, Y, np.zeros((1, 2)), **kw)


def test_bad_training_arrays():
    X, Y = edge_problem()
    with pytest.raises(ValueError, match=r"The target Y holds a value that is not a finite"):
        train_kernel(X, np.where(Y > 0, np.nan, Y), np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"The initial kernel K0 must be 2-D"):
        train_kernel(X, Y, [0.0, 0.0])
    with pytest.raises(ValueError, match=r"The input X must hold real numbers"):
        train_kernel(X * 1j, Y, np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"The number of steps must be zero or more"):
        KernelTrainer(X, Y, np.zeros((1, 2))).run(-1)


def test_zero_steps_is_no_training():
    X, Y = edge_problem()
    res = train_kernel(X, Y, [[0.5, 0.5]], steps=0)
    assert res.losses.shape == (0,)
    np.testing.assert_array_equal(res.kernel, [[0.5, 0.5]])


def test_loss_value_validates():
    with pytest.raises(
        ValueError, match=r"The prediction is \(2, 2\) but the target Y is \(2, 3\)"
    ):
        loss_value(np.ones((2, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"loss must be one of"):
        loss_value(np.ones((2, 2)), np.ones((2, 2)), "abs")
    with pytest.raises(ValueError, match=r"The prediction holds a value that is not a finite"):
        loss_value([[np.inf]], [[0.0]])


# ----------------------------------------------------------------- divergence
@pytest.mark.parametrize("b0", [None, 0.0])
def test_divergence_keeps_the_last_finite_weights(b0):
    X, Y = edge_problem()
    trainer = KernelTrainer(X, Y, [[0.05, -0.03]], lr=10.0, loss="squared", b0=b0)
    with pytest.raises(Diverged, match=r"diverged at step \d+.*smaller learning rate") as info:
        trainer.run(100_000)
    losses = info.value.losses
    assert len(losses) == trainer.steps > 10
    assert np.all(np.isfinite(losses))
    assert np.all(np.diff(losses) > 0)  # it blew up, step after step
    assert np.all(np.isfinite(trainer.kernel))
    assert np.isfinite(trainer.bias)
    assert np.all(np.isfinite(trainer.grad))
    assert trainer.diverged
    assert trainer.last_loss == losses[-1]
    # a diverged run stays stopped
    with pytest.raises(Diverged, match="reset it"):
        trainer.run(1)


def test_train_kernel_raises_diverged_with_losses():
    X, Y = edge_problem()
    with pytest.raises(Diverged) as info:
        train_kernel(X, Y, [[0.05, -0.03]], lr=10.0, steps=100_000)
    assert isinstance(info.value, ArithmeticError)
    assert len(info.value.losses) > 10
    assert np.all(np.isfinite(info.value.losses))
