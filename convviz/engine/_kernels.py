"""The compiled loops behind the public engine functions.

Rules that keep numba's on-disk cache honest:
- functions only, no module globals read inside a jitted function (the cache
  would freeze their values);
- one Python function per option set: two ``njit`` wrappers of the same
  Python function with different options share one cache entry (numba issue
  6845), which once made a ``parallel=True`` variant silently run serially.
  So every parallel driver below is its own function, and the work itself
  lives in a serial ``_..._rows(..., i0, i1)`` helper both drivers call.

Rules that keep the loops fast (each one measured, see
``benchmarks/bench_engine.py``):
- the innermost loop runs along an output row with unit stride, so LLVM
  vectorises it; arrays are indexed 2-D (``Xp[r, j + 2]``) rather than through
  row views, because every view costs two atomic reference-count updates,
  which on small rows cost more than the arithmetic;
- column offsets are constants, or unsigned (``np.uint64``) when they are only
  known at run time: numba wraps negative indices around, and that check on a
  signed ``j + c`` stops LLVM from vectorising the loop;
- no float literals mixed into float32 arithmetic (numba would promote it to
  float64): float32 in, float32 sums out;
- the parallel drivers split the output into blocks of ``BLOCK_ROWS`` rows
  (passed in, not read as a global) and give each thread whole blocks.

Every function takes an input that is already padded, so padding is handled
once in :mod:`convviz.engine.correlate` and never here.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Output rows per block handed to one call of a ``_rows`` helper. Passed to
#: the drivers as an argument, never read inside compiled code.
BLOCK_ROWS = 16


# ------------------------------------------------------ general: any options
@njit(cache=True, nogil=True)
def _general_rows(Xp, K, sh, sw, dh, dw, out, i0, i1):  # pragma: no cover - compiled
    """Rows ``i0:i1`` of a strided/dilated correlation, one tap at a time.

    Each tap is a pass along the output row; for ``sw == 1`` it reads the
    input contiguously and vectorises.
    """
    kh, kw = K.shape
    ow = out.shape[1]
    owu = np.uint64(ow)
    swu = np.uint64(sw)
    for i in range(i0, i1):
        for j in range(ow):
            out[i, j] = 0
        for a in range(kh):
            r = i * sh + a * dh
            for c in range(kw):
                k = K[a, c]
                off = np.uint64(c * dw)
                if sw == 1:
                    for j in range(owu):
                        out[i, j] += k * Xp[r, j + off]
                else:
                    for j in range(owu):
                        out[i, j] += k * Xp[r, j * swu + off]


@njit(cache=True, nogil=True)
def corr2d_rows(Xp, K, sh, sw, dh, dw, out):  # pragma: no cover - compiled
    """General strided/dilated correlation of the padded input ``Xp`` into ``out``."""
    _general_rows(Xp, K, sh, sw, dh, dw, out, 0, out.shape[0])
    return out


@njit(cache=True, nogil=True, parallel=True)
def corr2d_rows_parallel(Xp, K, sh, sw, dh, dw, out, block):  # pragma: no cover - compiled
    """:func:`corr2d_rows` with blocks of ``block`` output rows spread over cores."""
    oh = out.shape[0]
    nb = (oh + block - 1) // block
    for b in prange(nb):
        i0 = b * block
        _general_rows(Xp, K, sh, sw, dh, dw, out, i0, min(oh, i0 + block))
    return out


# ------------------------------------------- stride 1, dilation 1: fast paths
# One pass over the output per kernel row (a single pass for 1x2, 2x1, 2x2
# and 3x3), the taps of a kernel row unrolled so the running sum stays in a
# register. 2x2 computes two output rows per pass and 3x3 four, so input rows
# shared by neighbouring outputs are loaded once: 3x3 loads each input value
# 1.5 times instead of 3, which is what makes it faster than OpenCV.


@njit(cache=True, nogil=True)
def _rows_1x2(Xp, K, out, i0, i1):  # pragma: no cover - compiled
    ow = out.shape[1]
    k0 = K[0, 0]
    k1 = K[0, 1]
    for i in range(i0, i1):
        for j in range(ow):
            out[i, j] = Xp[i, j] * k0 + Xp[i, j + 1] * k1


@njit(cache=True, nogil=True)
def _rows_2x1(Xp, K, out, i0, i1):  # pragma: no cover - compiled
    ow = out.shape[1]
    k0 = K[0, 0]
    k1 = K[1, 0]
    for i in range(i0, i1):
        for j in range(ow):
            out[i, j] = Xp[i, j] * k0 + Xp[i + 1, j] * k1


@njit(cache=True, nogil=True)
def _rows_2x2(Xp, K, out, i0, i1):  # pragma: no cover - compiled
    ow = out.shape[1]
    k00 = K[0, 0]
    k01 = K[0, 1]
    k10 = K[1, 0]
    k11 = K[1, 1]
    i = i0
    while i + 2 <= i1:  # two output rows share the middle input row
        for j in range(ow):
            a0 = Xp[i, j]
            a1 = Xp[i, j + 1]
            b0 = Xp[i + 1, j]
            b1 = Xp[i + 1, j + 1]
            c0 = Xp[i + 2, j]
            c1 = Xp[i + 2, j + 1]
            out[i, j] = (a0 * k00 + a1 * k01) + (b0 * k10 + b1 * k11)
            out[i + 1, j] = (b0 * k00 + b1 * k01) + (c0 * k10 + c1 * k11)
        i += 2
    if i < i1:
        for j in range(ow):
            out[i, j] = (Xp[i, j] * k00 + Xp[i, j + 1] * k01) + (
                Xp[i + 1, j] * k10 + Xp[i + 1, j + 1] * k11
            )


@njit(cache=True, nogil=True)
def _rows_3x3(Xp, K, out, i0, i1):  # pragma: no cover - compiled
    ow = out.shape[1]
    k00 = K[0, 0]
    k01 = K[0, 1]
    k02 = K[0, 2]
    k10 = K[1, 0]
    k11 = K[1, 1]
    k12 = K[1, 2]
    k20 = K[2, 0]
    k21 = K[2, 1]
    k22 = K[2, 2]
    i = i0
    while i + 4 <= i1:  # four output rows from six input rows: 4.5 loads a cell, not 9
        for j in range(ow):
            a0 = Xp[i, j]
            a1 = Xp[i, j + 1]
            a2 = Xp[i, j + 2]
            b0 = Xp[i + 1, j]
            b1 = Xp[i + 1, j + 1]
            b2 = Xp[i + 1, j + 2]
            c0 = Xp[i + 2, j]
            c1 = Xp[i + 2, j + 1]
            c2 = Xp[i + 2, j + 2]
            d0 = Xp[i + 3, j]
            d1 = Xp[i + 3, j + 1]
            d2 = Xp[i + 3, j + 2]
            e0 = Xp[i + 4, j]
            e1 = Xp[i + 4, j + 1]
            e2 = Xp[i + 4, j + 2]
            f0 = Xp[i + 5, j]
            f1 = Xp[i + 5, j + 1]
            f2 = Xp[i + 5, j + 2]
            out[i, j] = (
                (a0 * k00 + a1 * k01 + a2 * k02)
                + (b0 * k10 + b1 * k11 + b2 * k12)
                + (c0 * k20 + c1 * k21 + c2 * k22)
            )
            out[i + 1, j] = (
                (b0 * k00 + b1 * k01 + b2 * k02)
                + (c0 * k10 + c1 * k11 + c2 * k12)
                + (d0 * k20 + d1 * k21 + d2 * k22)
            )
            out[i + 2, j] = (
                (c0 * k00 + c1 * k01 + c2 * k02)
                + (d0 * k10 + d1 * k11 + d2 * k12)
                + (e0 * k20 + e1 * k21 + e2 * k22)
            )
            out[i + 3, j] = (
                (d0 * k00 + d1 * k01 + d2 * k02)
                + (e0 * k10 + e1 * k11 + e2 * k12)
                + (f0 * k20 + f1 * k21 + f2 * k22)
            )
        i += 4
    while i < i1:
        for j in range(ow):
            out[i, j] = (
                (Xp[i, j] * k00 + Xp[i, j + 1] * k01 + Xp[i, j + 2] * k02)
                + (Xp[i + 1, j] * k10 + Xp[i + 1, j + 1] * k11 + Xp[i + 1, j + 2] * k12)
                + (Xp[i + 2, j] * k20 + Xp[i + 2, j + 1] * k21 + Xp[i + 2, j + 2] * k22)
            )
        i += 1


@njit(cache=True, nogil=True)
def _rows_w3(Xp, K, out, i0, i1):  # pragma: no cover - compiled
    """Any number of kernel rows, three columns: one pass per kernel row."""
    kh = K.shape[0]
    ow = out.shape[1]
    for i in range(i0, i1):
        for a in range(kh):
            r = i + a
            k0 = K[a, 0]
            k1 = K[a, 1]
            k2 = K[a, 2]
            if a == 0:
                for j in range(ow):
                    out[i, j] = Xp[r, j] * k0 + Xp[r, j + 1] * k1 + Xp[r, j + 2] * k2
            else:
                for j in range(ow):
                    out[i, j] += Xp[r, j] * k0 + Xp[r, j + 1] * k1 + Xp[r, j + 2] * k2


@njit(cache=True, nogil=True)
def _rows_w5(Xp, K, out, i0, i1):  # pragma: no cover - compiled
    """Any number of kernel rows, five columns: one pass per kernel row."""
    kh = K.shape[0]
    ow = out.shape[1]
    for i in range(i0, i1):
        for a in range(kh):
            r = i + a
            k0 = K[a, 0]
            k1 = K[a, 1]
            k2 = K[a, 2]
            k3 = K[a, 3]
            k4 = K[a, 4]
            if a == 0:
                for j in range(ow):
                    out[i, j] = (
                        Xp[r, j] * k0
                        + Xp[r, j + 1] * k1
                        + Xp[r, j + 2] * k2
                        + Xp[r, j + 3] * k3
                        + Xp[r, j + 4] * k4
                    )
            else:
                for j in range(ow):
                    out[i, j] += (
                        Xp[r, j] * k0
                        + Xp[r, j + 1] * k1
                        + Xp[r, j + 2] * k2
                        + Xp[r, j + 3] * k3
                        + Xp[r, j + 4] * k4
                    )


@njit(cache=True, nogil=True)
def _rows_w7(Xp, K, out, i0, i1):  # pragma: no cover - compiled
    """Any number of kernel rows, seven columns: one pass per kernel row."""
    kh = K.shape[0]
    ow = out.shape[1]
    for i in range(i0, i1):
        for a in range(kh):
            r = i + a
            k0 = K[a, 0]
            k1 = K[a, 1]
            k2 = K[a, 2]
            k3 = K[a, 3]
            k4 = K[a, 4]
            k5 = K[a, 5]
            k6 = K[a, 6]
            if a == 0:
                for j in range(ow):
                    out[i, j] = (
                        Xp[r, j] * k0
                        + Xp[r, j + 1] * k1
                        + Xp[r, j + 2] * k2
                        + Xp[r, j + 3] * k3
                        + Xp[r, j + 4] * k4
                        + Xp[r, j + 5] * k5
                        + Xp[r, j + 6] * k6
                    )
            else:
                for j in range(ow):
                    out[i, j] += (
                        Xp[r, j] * k0
                        + Xp[r, j + 1] * k1
                        + Xp[r, j + 2] * k2
                        + Xp[r, j + 3] * k3
                        + Xp[r, j + 4] * k4
                        + Xp[r, j + 5] * k5
                        + Xp[r, j + 6] * k6
                    )


@njit(cache=True, nogil=True)
def _rows_any(Xp, K, out, i0, i1):  # pragma: no cover - compiled
    """Any kernel: each kernel row in passes of up to four unrolled columns.

    The column offset is only known at run time, so it is unsigned (see the
    module notes) to keep the loop vectorised.
    """
    kh, kw = K.shape
    ow = out.shape[1]
    owu = np.uint64(ow)
    one = np.uint64(1)
    for i in range(i0, i1):
        for j in range(ow):
            out[i, j] = 0
        for a in range(kh):
            r = i + a
            c = 0
            while c < kw:
                n = min(kw - c, 4)
                u0 = np.uint64(c)
                u1 = u0 + one
                u2 = u1 + one
                u3 = u2 + one
                if n == 4:
                    k0 = K[a, c]
                    k1 = K[a, c + 1]
                    k2 = K[a, c + 2]
                    k3 = K[a, c + 3]
                    for j in range(owu):
                        out[i, j] += (
                            Xp[r, j + u0] * k0
                            + Xp[r, j + u1] * k1
                            + Xp[r, j + u2] * k2
                            + Xp[r, j + u3] * k3
                        )
                elif n == 3:
                    k0 = K[a, c]
                    k1 = K[a, c + 1]
                    k2 = K[a, c + 2]
                    for j in range(owu):
                        out[i, j] += Xp[r, j + u0] * k0 + Xp[r, j + u1] * k1 + Xp[r, j + u2] * k2
                elif n == 2:
                    k0 = K[a, c]
                    k1 = K[a, c + 1]
                    for j in range(owu):
                        out[i, j] += Xp[r, j + u0] * k0 + Xp[r, j + u1] * k1
                else:
                    k0 = K[a, c]
                    for j in range(owu):
                        out[i, j] += Xp[r, j + u0] * k0
                c += n


@njit(cache=True, nogil=True)
def _fast_rows(Xp, K, out, i0, i1):  # pragma: no cover - compiled
    """Rows ``i0:i1`` of a stride-1, dilation-1 correlation, by kernel shape."""
    kh, kw = K.shape
    if kh == 3 and kw == 3:
        _rows_3x3(Xp, K, out, i0, i1)
    elif kh == 1 and kw == 2:
        _rows_1x2(Xp, K, out, i0, i1)
    elif kh == 2 and kw == 1:
        _rows_2x1(Xp, K, out, i0, i1)
    elif kh == 2 and kw == 2:
        _rows_2x2(Xp, K, out, i0, i1)
    elif kw == 3:
        _rows_w3(Xp, K, out, i0, i1)
    elif kw == 5:
        _rows_w5(Xp, K, out, i0, i1)
    elif kw == 7:
        _rows_w7(Xp, K, out, i0, i1)
    else:
        _rows_any(Xp, K, out, i0, i1)


@njit(cache=True, nogil=True)
def corr2d_fast(Xp, K, out, block):  # pragma: no cover - compiled
    """Stride-1, dilation-1 correlation on one core, ``block`` rows at a time."""
    oh = out.shape[0]
    for i0 in range(0, oh, block):
        _fast_rows(Xp, K, out, i0, min(oh, i0 + block))
    return out


@njit(cache=True, nogil=True, parallel=True)
def corr2d_fast_parallel(Xp, K, out, block):  # pragma: no cover - compiled
    """:func:`corr2d_fast` with blocks of ``block`` output rows spread over cores."""
    oh = out.shape[0]
    nb = (oh + block - 1) // block
    for b in prange(nb):
        i0 = b * block
        _fast_rows(Xp, K, out, i0, min(oh, i0 + block))
    return out


# ------------------------------------------------------------ finite check
@njit(cache=True, nogil=True)
def _exponent_max(bits, mask, lo, hi):  # pragma: no cover - compiled
    m = np.uint64(0)
    for k in range(np.uint64(lo), np.uint64(hi)):
        m = max(m, np.uint64(bits[k] & mask))
    return m


@njit(cache=True, nogil=True)
def exponent_max(bits, mask):  # pragma: no cover - compiled
    """``max(bits & mask)`` over a float array viewed as unsigned ints.

    With ``mask`` the exponent field it equals ``mask`` exactly when some
    value is inf or NaN: a check that reads the array once and allocates
    nothing, unlike ``np.isfinite(a).all()``.
    """
    return _exponent_max(bits, mask, 0, bits.shape[0])


@njit(cache=True, nogil=True, parallel=True)
def exponent_max_parallel(bits, mask, nblocks):  # pragma: no cover - compiled
    """:func:`exponent_max` in ``nblocks`` slices spread over cores."""
    n = bits.shape[0]
    ms = np.zeros(nblocks, np.uint64)
    for b in prange(nblocks):
        ms[b] = _exponent_max(bits, mask, b * n // nblocks, (b + 1) * n // nblocks)
    return ms.max()


# ---------------------------------------------------------------- learning
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
