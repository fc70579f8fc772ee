"""Slow, obviously correct reference implementations: the oracles for the engine tests.

Everything here is plain Python loops or scipy calls, in float64, written to
be read against the formulas of D2L section 6.2 rather than to be fast.
Nothing here imports the engine.
"""

from __future__ import annotations

import numpy as np
import scipy.signal


def pair(v) -> tuple[int, int]:
    """``n`` or ``(n_h, n_w)`` as a pair."""
    if np.ndim(v) == 0:
        return int(v), int(v)
    a, b = v
    return int(a), int(b)


def out_shape(input_shape, kernel_shape, padding=0, stride=1, dilation=1) -> tuple[int, int]:
    """``floor((n + 2p - d(k-1) - 1) / s) + 1`` along each axis."""
    (H, W), (kh, kw) = input_shape, kernel_shape
    (ph, pw), (sh, sw), (dh, dw) = pair(padding), pair(stride), pair(dilation)
    return (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1


def corr2d(X, K, bias=0.0, padding=0, stride=1, dilation=1) -> np.ndarray:
    """The definition, one output cell and one tap at a time.

    ``Y[i, j] = bias + sum_ab K[a, b] * Xpad[i*s_h + a*d_h, j*s_w + b*d_w]``,
    where ``Xpad`` is X with ``padding`` zero rows/columns on each side.
    """
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    (ph, pw), (sh, sw), (dh, dw) = pair(padding), pair(stride), pair(dilation)
    H, W = X.shape
    kh, kw = K.shape
    oh, ow = out_shape(X.shape, K.shape, padding, stride, dilation)
    Y = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    y = i * sh + a * dh - ph  # row in the unpadded input
                    x = j * sw + b * dw - pw
                    if 0 <= y < H and 0 <= x < W:
                        total += K[a, b] * X[y, x]
            Y[i, j] = total + bias
    return Y


def conv2d(X, K, bias=0.0, padding=0, stride=1, dilation=1) -> np.ndarray:
    """True convolution: correlate with the kernel rotated by 180 degrees."""
    K = np.asarray(K, dtype=np.float64)[::-1, ::-1]
    return corr2d(X, K, bias, padding, stride, dilation)


def dilate(K, dilation) -> np.ndarray:
    """K with ``d - 1`` zero rows/columns inserted between its taps."""
    K = np.asarray(K, dtype=np.float64)
    dh, dw = pair(dilation)
    kh, kw = K.shape
    D = np.zeros((dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    D[::dh, ::dw] = K
    return D


def corr2d_scipy(X, K, padding=0, stride=1, dilation=1) -> np.ndarray:
    """The same thing built from scipy: pad, dilate the kernel, correlate, subsample."""
    ph, pw = pair(padding)
    sh, sw = pair(stride)
    Xp = np.pad(np.asarray(X, dtype=np.float64), ((ph, ph), (pw, pw)))
    full = scipy.signal.correlate2d(Xp, dilate(K, dilation), mode="valid")
    return full[::sh, ::sw]


def corr_matrix(input_shape, K, padding=0, stride=1, dilation=1) -> np.ndarray:
    """Column c of M is the output for the c-th unit input image (linearity)."""
    H, W = input_shape
    cols = []
    for c in range(H * W):
        E = np.zeros(H * W)
        E[c] = 1.0
        cols.append(corr2d(E.reshape(H, W), K, 0.0, padding, stride, dilation).ravel())
    return np.stack(cols, axis=1)


def loss(Y_hat, Y, kind="squared") -> float:
    """``sum((Yh - Y)^2)`` (MXNet edition) or ``0.5 * mean((Yh - Y)^2)`` (DJL's L2Loss)."""
    r = np.asarray(Y_hat, dtype=np.float64) - np.asarray(Y, dtype=np.float64)
    sq = float((r * r).sum())
    return sq if kind == "squared" else 0.5 * sq / r.size


def kernel_grad(X, dY, kernel_shape, padding=0, stride=1, dilation=1) -> np.ndarray:
    """``dL/dK[a, b] = sum_ij dY[i, j] * Xpad[i*s_h + a*d_h, j*s_w + b*d_w]``."""
    X = np.asarray(X, dtype=np.float64)
    dY = np.asarray(dY, dtype=np.float64)
    (ph, pw), (sh, sw), (dh, dw) = pair(padding), pair(stride), pair(dilation)
    H, W = X.shape
    kh, kw = kernel_shape
    G = np.zeros((kh, kw))
    for a in range(kh):
        for b in range(kw):
            for i in range(dY.shape[0]):
                for j in range(dY.shape[1]):
                    y = i * sh + a * dh - ph
                    x = j * sw + b * dw - pw
                    if 0 <= y < H and 0 <= x < W:
                        G[a, b] += dY[i, j] * X[y, x]
    return G


def numeric_grad(f, P, eps=1e-6) -> np.ndarray:
    """Central finite differences of the scalar ``f`` at the array ``P``."""
    P = np.array(P, dtype=np.float64)
    G = np.zeros_like(P)
    for idx in np.ndindex(P.shape):
        up, down = P.copy(), P.copy()
        up[idx] += eps
        down[idx] -= eps
        G[idx] = (f(up) - f(down)) / (2 * eps)
    return G


def train(X, Y, K0, lr, steps, kind="squared", b0=None, padding=0, stride=1, dilation=1):
    """Full-batch gradient descent replayed in numpy: returns (K, b, losses).

    ``losses[t]`` is the loss of step t's kernel, before its update.
    """
    K = np.array(K0, dtype=np.float64)
    b = 0.0 if b0 is None else float(b0)
    losses = []
    for _ in range(steps):
        Yh = corr2d(X, K, b, padding, stride, dilation)
        losses.append(loss(Yh, Y, kind))
        r = Yh - np.asarray(Y, dtype=np.float64)
        dY = 2 * r if kind == "squared" else r / r.size
        K = K - lr * kernel_grad(X, dY, K.shape, padding, stride, dilation)
        if b0 is not None:
            b = b - lr * float(dY.sum())
    return K, (b if b0 is not None else None), np.array(losses)
