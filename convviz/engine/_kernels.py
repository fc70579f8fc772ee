"""The compiled loops behind the public engine functions.

Rules that keep numba's on-disk cache honest:
- functions only, no module globals read inside a jitted function (the cache
  would freeze their values);
- one Python function per option set: two ``njit`` wrappers of the same
  Python function with different options share one cache entry (numba issue
  6845), which once made a ``parallel=True`` variant silently run serially.

Every function takes an input that is already padded, so padding is handled
once in :mod:`convviz.engine.correlate` and never here.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True)
def corr2d_rows(Xp, K, sh, sw, dh, dw, out):  # pragma: no cover - compiled
    """General strided/dilated correlation, ordered to stream along rows.

    The innermost loop walks an output row, so for ``sw == 1`` it reads the
    input contiguously and LLVM vectorises it.
    """
    oh, ow = out.shape
    kh, kw = K.shape
    for i in range(oh):
        orow = out[i]
        for j in range(ow):
            orow[j] = 0
        for a in range(kh):
            xrow = Xp[i * sh + a * dh]
            for c in range(kw):
                k = K[a, c]
                off = c * dw
                if sw == 1:
                    for j in range(ow):
                        orow[j] += k * xrow[j + off]
                else:
                    for j in range(ow):
                        orow[j] += k * xrow[j * sw + off]
    return out


@njit(cache=True, nogil=True, parallel=True)
def corr2d_rows_parallel(Xp, K, sh, sw, dh, dw, out):  # pragma: no cover - compiled
    """:func:`corr2d_rows` with output rows spread over cores (large outputs only)."""
    oh, ow = out.shape
    kh, kw = K.shape
    for i in prange(oh):
        orow = out[i]
        for j in range(ow):
            orow[j] = 0
        for a in range(kh):
            xrow = Xp[i * sh + a * dh]
            for c in range(kw):
                k = K[a, c]
                off = c * dw
                if sw == 1:
                    for j in range(ow):
                        orow[j] += k * xrow[j + off]
                else:
                    for j in range(ow):
                        orow[j] += k * xrow[j * sw + off]
    return out


@njit(cache=True, nogil=True)
def kernel_grad(Xp, dY, kh, kw, sh, sw, dh, dw, out):  # pragma: no cover - compiled
    """dL/dK[a, c] = sum_ij dY[i, j] * Xp[i*sh + a*dh, j*sw + c*dw]."""
    oh, ow = dY.shape
    for a in range(kh):
        for c in range(kw):
            s = 0.0
            for i in range(oh):
                xrow = Xp[i * sh + a * dh]
                drow = dY[i]
                for j in range(ow):
                    s += drow[j] * xrow[j * sw + c * dw]
            out[a, c] = s
    return out


@njit(cache=True, nogil=True)
def corr_matrix_fill(H, W, ph, pw, K, sh, sw, dh, dw, oh, ow, M):  # pragma: no cover
    """Write the taps of K into M so that ``M @ X.ravel() == corr2d(X, K).ravel()``.

    Taps that land on padding are dropped: padding is zero, so they add nothing.
    """
    kh, kw = K.shape
    for i in range(oh):
        for j in range(ow):
            r = i * ow + j
            for a in range(kh):
                y = i * sh + a * dh - ph
                if y < 0 or y >= H:
                    continue
                for c in range(kw):
                    x = j * sw + c * dw - pw
                    if x < 0 or x >= W:
                        continue
                    M[r, y * W + x] += K[a, c]
    return M


@njit(cache=True, nogil=True)
def train_steps(
    Xp, Y, K, b, lr, nsteps, loss_kind, learn_bias, sh, sw, dh, dw, losses, kgrad, work
):  # pragma: no cover - compiled
    """Run up to ``nsteps`` full-batch gradient steps in place on K (and b).

    ``loss_kind`` 0 is sum((Yhat - Y)^2) (MXNet edition), 1 is 0.5 * mean of
    squares (DJL's L2Loss). ``losses[t]`` is the loss computed in step t,
    before its update, as both books print it; ``kgrad`` the gradient of the
    last step taken. A step whose loss or update is not finite is not
    applied: the loop stops there, so K and b always stay finite. Returns
    ``(steps_taken, b, bias_grad, diverged)``.
    """
    oh, ow = Y.shape
    kh, kw = K.shape
    n = oh * ow
    bgrad = 0.0
    for t in range(nsteps):
        corr2d_rows(Xp, K, sh, sw, dh, dw, work)
        loss = 0.0
        for i in range(oh):
            for j in range(ow):
                r = work[i, j] + b - Y[i, j]
                loss += r * r
                work[i, j] = r
        if loss_kind == 0:
            scale = 2.0
        else:
            loss = 0.5 * loss / n
            scale = 1.0 / n
        losses[t] = loss
        if not np.isfinite(loss):
            return t, b, bgrad, True
        g = 0.0
        for i in range(oh):
            for j in range(ow):
                work[i, j] *= scale
                g += work[i, j]
        kernel_grad(Xp, work, kh, kw, sh, sw, dh, dw, kgrad)
        for a in range(kh):
            for c in range(kw):
                if not np.isfinite(K[a, c] - lr * kgrad[a, c]):
                    return t, b, bgrad, True
        nb = b - lr * g if learn_bias else b
        if not np.isfinite(nb):
            return t, b, bgrad, True
        for a in range(kh):
            for c in range(kw):
                K[a, c] -= lr * kgrad[a, c]
        b = nb
        bgrad = g
    return nsteps, b, bgrad, False
