"""The numbers printed in D2L section 6.2, reproduced exactly by the engine."""

from __future__ import annotations

import naive
import numpy as np
import pytest

from convviz.engine import (
    KernelTrainer,
    conv2d,
    corr2d,
    loss_value,
    train_kernel,
    window_steps,
)

X_TABLE = np.arange(9).reshape(3, 3)
K_TABLE = np.arange(4).reshape(2, 2)


def edge_image() -> np.ndarray:
    """6.2.3: a 6x8 image of ones with a black (zero) band in columns 2..5."""
    X = np.ones((6, 8))
    X[:, 2:6] = 0
    return X


def edge_map() -> np.ndarray:
    Y = np.zeros((6, 7))
    Y[:, 1] = 1
    Y[:, 5] = -1
    return Y


# ----------------------------------------------------------- 6.2.1 the table
def test_corr2d_table():
    Y = corr2d(X_TABLE, K_TABLE)
    assert Y.dtype == np.float64
    np.testing.assert_array_equal(Y, [[19.0, 25.0], [37.0, 43.0]])


def test_corr2d_table_float32_and_lists():
    Y = corr2d(X_TABLE.astype(np.float32), K_TABLE.astype(np.float32))
    assert Y.dtype == np.float32
    np.testing.assert_array_equal(Y, [[19, 25], [37, 43]])
    np.testing.assert_array_equal(corr2d(X_TABLE.tolist(), K_TABLE.tolist()), Y)


def test_window_step_zero_is_the_worked_sum():
    step = window_steps(X_TABLE, K_TABLE)[0]
    np.testing.assert_array_equal(step.values, [[0, 1], [3, 4]])
    np.testing.assert_array_equal(step.kernel, [[0, 1], [2, 3]])
    np.testing.assert_array_equal(step.products, [[0, 1], [6, 12]])
    assert step.total == 19
    assert step.result == 19
    assert step.out_pos == (0, 0)
    np.testing.assert_array_equal(step.rows, [0, 1])
    np.testing.assert_array_equal(step.cols, [0, 1])
    assert not step.padded.any()


def test_window_steps_walk_the_table_row_major():
    steps = window_steps(X_TABLE, K_TABLE)
    assert len(steps) == 4
    assert [s.total for s in steps] == [19, 25, 37, 43]
    assert [s.out_pos for s in steps] == [(0, 0), (0, 1), (1, 0), (1, 1)]


# ------------------------------------------------------ 6.2.3 edge detection
def test_edge_detection_map():
    Y = corr2d(edge_image(), [[1, -1]])
    assert Y.shape == (6, 7)
    np.testing.assert_array_equal(Y, edge_map())


def test_edge_detection_float32():
    Y = corr2d(edge_image().astype(np.float32), np.array([[1, -1]], np.float32))
    assert Y.dtype == np.float32
    np.testing.assert_array_equal(Y, edge_map())


def test_transposed_image_has_no_vertical_edges():
    Y = corr2d(edge_image().T, [[1, -1]])
    assert Y.shape == (8, 5)
    np.testing.assert_array_equal(Y, np.zeros((8, 5)))


def test_transposed_kernel_finds_the_transposed_edges():
    np.testing.assert_array_equal(corr2d(edge_image().T, [[1], [-1]]), edge_map().T)


def test_conv2d_flips_the_kernel():
    """6.2.5: convolution is correlation with the kernel turned around."""
    np.testing.assert_array_equal(conv2d(X_TABLE, K_TABLE), corr2d(X_TABLE, K_TABLE[::-1, ::-1]))
    np.testing.assert_array_equal(conv2d(edge_image(), [[-1, 1]]), edge_map())


# ------------------------------------------------------ 6.2.4 learning a kernel
def mxnet_start(seed: int) -> np.ndarray:
    """MXNet's default initialiser: uniform on [-0.07, 0.07]."""
    return np.random.default_rng(seed).uniform(-0.07, 0.07, (1, 2))


@pytest.mark.parametrize("seed", range(5))
def test_learning_the_edge_kernel_mxnet(seed):
    """Squared loss, lr 3e-2, 10 steps, no bias (use_bias=False).

    ``losses[t]`` is the loss of the kernel *before* step t's update, so
    ``losses[0]`` is the random start and ``losses[-1]`` the kernel after
    nine updates: the last loss the run measured. Comparing those two asks
    "did training work" of numbers that both exist in the run; the loss after
    the tenth update is not in the list, so it is computed here and must be
    lower still.
    """
    X, Y = edge_image(), edge_map()
    res = train_kernel(X, Y, mxnet_start(seed), lr=3e-2, steps=10, loss="squared")
    assert res.bias is None
    assert res.losses.shape == (10,)
    assert res.losses[-1] < res.losses[0] / 100
    after = loss_value(corr2d(X, res.kernel), Y, "squared")
    assert after < res.losses[-1]
    assert np.abs(res.kernel - [[1.0, -1.0]]).max() < 0.05
    # the loss falls at every step on this convex problem with this rate
    assert np.all(np.diff(res.losses) < 0)


@pytest.mark.parametrize("seed", range(5))
def test_learning_the_edge_kernel_djl(seed):
    """DJL: L2Loss (0.5 * mean), lr 0.4, start normal(0, 0.01); batches 2..10 print losses[1::2]."""
    X, Y = edge_image(), edge_map()
    K0 = np.random.default_rng(seed).normal(0, 0.01, (1, 2))
    res = train_kernel(X, Y, K0, lr=0.4, steps=10, loss="l2")
    printed = res.losses[1::2]
    assert printed.shape == (5,)
    assert np.all(np.diff(printed) < 0)
    assert 2.0 < printed[0] / printed[-1] < 3.5
    # heading for [1, -1], about halfway there after ten slow steps
    np.testing.assert_allclose(res.kernel, [[0.44, -0.44]], atol=0.03)


@pytest.mark.parametrize(
    ("loss", "lr", "b0"),
    [("squared", 3e-2, None), ("l2", 0.4, None), ("squared", 1e-2, 0.3), ("l2", 0.2, -0.1)],
)
def test_train_losses_replay_step_by_step(loss, lr, b0):
    """Each reported loss is loss_value(corr2d(X, K_t) + b_t, Y) of that step's weights."""
    X, Y = edge_image(), edge_map()
    K0 = mxnet_start(7)
    res = train_kernel(X, Y, K0, lr=lr, steps=10, loss=loss, b0=b0)

    trainer = KernelTrainer(X, Y, K0, lr=lr, loss=loss, b0=b0)
    replayed = []
    for t in range(10):
        K_t, b_t = trainer.kernel.copy(), trainer.bias
        expected = loss_value(corr2d(X, K_t) + b_t, Y, loss)
        (got,) = trainer.run(1)
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)
        assert res.losses[t] == pytest.approx(expected, rel=1e-12, abs=1e-15)
        replayed.append(expected)
    np.testing.assert_allclose(trainer.kernel, res.kernel, rtol=1e-12)

    # and an independent numpy replay of the same gradient descent agrees
    K_ref, b_ref, losses_ref = naive.train(X, Y, K0, lr, 10, loss, b0)
    np.testing.assert_allclose(res.losses, losses_ref, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(res.kernel, K_ref, rtol=1e-9, atol=1e-14)
    if b0 is None:
        assert res.bias is None
    else:
        assert res.bias == pytest.approx(b_ref, rel=1e-9, abs=1e-14)


def test_trainer_in_chunks_matches_one_run():
    X, Y = edge_image(), edge_map()
    whole = train_kernel(X, Y, mxnet_start(3), lr=3e-2, steps=12)
    trainer = KernelTrainer(X, Y, mxnet_start(3), lr=3e-2)
    chunks = np.concatenate([trainer.run(5), trainer.run(0), trainer.run(7)])
    np.testing.assert_array_equal(chunks, whole.losses)
    np.testing.assert_array_equal(trainer.kernel, whole.kernel)
    assert trainer.steps == 12
    assert trainer.last_loss == whole.losses[-1]
