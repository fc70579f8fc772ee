"""kernel_grad, bias_grad and the trainer's gradients against central finite differences."""

from __future__ import annotations

import naive
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convviz.engine import KernelTrainer, bias_grad, corr2d, kernel_grad, loss_value


def dloss_dY(Y_hat, Y, loss):
    r = Y_hat - Y
    return 2 * r if loss == "squared" else r / r.size


@st.composite
def problem(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    H, W = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    assume(dh * (kh - 1) + 1 <= H + 2 * ph and dw * (kw - 1) + 1 <= W + 2 * pw)
    elems = st.floats(-2, 2, allow_nan=False, width=32)
    X = draw(hnp.arrays(np.float64, (H, W), elements=elems))
    K = draw(hnp.arrays(np.float64, (kh, kw), elements=elems))
    b = draw(st.floats(-1, 1, width=32))
    opts = {"padding": (ph, pw), "stride": (sh, sw), "dilation": (dh, dw)}
    oh, ow = corr2d(X, K, **opts).shape
    Y = draw(hnp.arrays(np.float64, (oh, ow), elements=elems))
    loss = draw(st.sampled_from(["squared", "l2"]))
    return X, K, b, Y, opts, loss


@settings(max_examples=80, deadline=None)
@given(problem())
def test_kernel_and_bias_grad_match_finite_differences(p):
    X, K, b, Y, opts, loss = p
    dY = dloss_dY(corr2d(X, K, bias=b, **opts), Y, loss)
    G = kernel_grad(X, dY, K.shape, **opts)
    assert G.shape == K.shape

    def L_of_K(Kv):
        return loss_value(corr2d(X, Kv, bias=b, **opts), Y, loss)

    def L_of_b(bv):
        return loss_value(corr2d(X, K, bias=float(bv[0]), **opts), Y, loss)

    np.testing.assert_allclose(G, naive.numeric_grad(L_of_K, K), rtol=1e-5, atol=1e-6)
    gb = bias_grad(dY)
    assert isinstance(gb, float)
    assert gb == pytest.approx(naive.numeric_grad(L_of_b, [b])[0], rel=1e-5, abs=1e-6)
    # and the engine's compiled gradient is the definition's sum
    np.testing.assert_allclose(
        G,
        naive.kernel_grad(X, dY, K.shape, opts["padding"], opts["stride"], opts["dilation"]),
        rtol=1e-12,
        atol=1e-12,
    )


@settings(max_examples=50, deadline=None)
@given(problem())
def test_trainer_step_uses_the_gradient_at_the_old_weights(p):
    X, K, b, Y, opts, loss = p
    lr = 1e-3
    trainer = KernelTrainer(X, Y, K, lr=lr, loss=loss, b0=b, **opts)
    (reported,) = trainer.run(1)
    dY = dloss_dY(corr2d(X, K, bias=b, **opts), Y, loss)
    G = kernel_grad(X, dY, K.shape, **opts)
    assert reported == pytest.approx(
        loss_value(corr2d(X, K, bias=b, **opts), Y, loss), rel=1e-12, abs=1e-12
    )
    np.testing.assert_allclose(trainer.grad, G, rtol=1e-10, atol=1e-12)
    assert trainer.bias_grad == pytest.approx(bias_grad(dY), rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(trainer.kernel, K - lr * G, rtol=1e-12, atol=1e-12)
    assert trainer.bias == pytest.approx(b - lr * bias_grad(dY), rel=1e-12, abs=1e-12)
    assert trainer.current_loss() == pytest.approx(
        loss_value(corr2d(X, trainer.kernel, bias=trainer.bias, **opts), Y, loss),
        rel=1e-10,
        abs=1e-12,
    )


def test_kernel_grad_of_the_chapter_example():
    """At K = 0 the squared-loss gradient is -2 * sum_ij Y[i, j] * X[i, j + c]."""
    X = np.ones((6, 8))
    X[:, 2:6] = 0
    Y = corr2d(X, [[1, -1]])
    dY = dloss_dY(corr2d(X, [[0.0, 0.0]]), Y, "squared")
    G = kernel_grad(X, dY, (1, 2))
    np.testing.assert_array_equal(G, [[-12.0, 12.0]])


def test_kernel_grad_and_bias_grad_validate():
    with pytest.raises(ValueError, match="kernel_shape must be"):
        kernel_grad(np.ones((3, 3)), np.ones((2, 2)), (2,))
    with pytest.raises(ValueError, match="kernel_shape must be positive"):
        kernel_grad(np.ones((3, 3)), np.ones((2, 2)), (0, 2))
    with pytest.raises(ValueError, match=r"dY must have the output's shape \(2, 2\)"):
        kernel_grad(np.ones((3, 3)), np.ones((3, 3)), (2, 2))
    with pytest.raises(ValueError, match="not a finite number"):
        bias_grad([[1.0, np.nan]])
