"""Public 2-D correlation functions: validate what a student typed, then compute.

Every array that crosses this boundary is checked once here, with a message
a student can act on; the compiled loops in :mod:`._kernels` trust their input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _kernels

Pair = int | tuple[int, int] | Sequence[int]

#: A correlation runs on all cores when ``output cells x kernel taps`` reaches
#: ``9 * PARALLEL_MIN_CELLS``: from 40,000 cells (200x200) for a 3x3 kernel,
#: about 7,300 (86x86) for a 7x7 and 180,000 (425x425) for a 1x2. Below it,
#: waking the worker threads (2-7 us a call when they have gone to sleep, as
#: between a GUI's calls, and far more on a busy machine) costs more than the
#: second core saves. In a tight loop the break-even is about 3x lower.
PARALLEL_MIN_CELLS = 40_000

#: Arrays of at least this many values are checked for NaN/inf on all cores.
PARALLEL_MIN_CHECK = 1 << 18


# ---------------------------------------------------------------- validation
def as_pair(value: Pair, name: str, *, minimum: int) -> tuple[int, int]:
    """Accept ``n`` or ``(n_h, n_w)`` and return a checked pair of ints."""
    if type(value) is int and value >= minimum:  # the common case, fast
        return value, value
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a whole number or a pair of them, not {value!r}.")
    if isinstance(value, (int, np.integer)):
        pair = (int(value), int(value))
    else:
        try:
            items = list(value)
        except TypeError:
            raise ValueError(
                f"{name} must be a whole number or a pair of them, not {value!r}."
            ) from None
        if len(items) != 2 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in items
        ):
            raise ValueError(f"{name} must be a whole number or a pair of them, not {value!r}.")
        pair = (int(items[0]), int(items[1]))
    if min(pair) < minimum:
        what = "positive" if minimum == 1 else "zero or more"
        raise ValueError(f"{name} must be {what} (got {pair[0]}, {pair[1]}).")
    return pair


def _all_finite(arr: np.ndarray) -> bool:
    """``np.isfinite(arr).all()`` for a contiguous float32/float64 array, in one read.

    An IEEE value is inf or NaN exactly when its exponent bits are all ones.
    """
    mask: np.unsignedinteger
    if arr.dtype == np.dtype(np.float32):
        bits, mask = arr.reshape(-1).view(np.uint32), np.uint32(0x7F800000)
    elif arr.dtype == np.dtype(np.float64):
        bits, mask = arr.reshape(-1).view(np.uint64), np.uint64(0x7FF0000000000000)
    else:  # pragma: no cover - as_grid only makes native float32/float64
        return bool(np.isfinite(arr).all())
    if bits.size >= PARALLEL_MIN_CHECK:
        top = _kernels.exponent_max_parallel(bits, mask, 16)
    else:
        top = _kernels.exponent_max(bits, mask)
    return int(top) != int(mask)


_FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def as_grid(A: object, name: str, *, dtype: np.dtype | None = None) -> np.ndarray:
    """Return ``A`` as a finite 2-D float array (float32 kept, the rest float64)."""
    if (
        type(A) is np.ndarray
        and A.ndim == 2
        and A.size
        and A.dtype in _FAST_DTYPES
        and (dtype is None or dtype == A.dtype)
        and A.flags.c_contiguous
        and _all_finite(A)
    ):  # the common case, already right: skip the conversions (they cost microseconds)
        return A
    try:
        arr = np.asarray(A)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a rectangular grid of numbers ({exc}).") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise ValueError(f"{name} must hold numbers, not {arr.dtype} values.")
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} must hold real numbers, not complex ones.")
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (rows x columns); it has {arr.ndim} "
            f"dimension{'s' if arr.ndim != 1 else ''} with shape {arr.shape}."
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape[0]}x{arr.shape[1]}).")
    if dtype is None:
        dtype = np.dtype(np.float32) if arr.dtype == np.float32 else np.dtype(np.float64)
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if not _all_finite(arr):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} holds a value that is not a finite number "
            f"({arr[tuple(bad)]} at row {bad[0]}, column {bad[1]})."
        )
    return arr


@dataclass(frozen=True)
class Geometry:
    """Everything about a correlation except the numbers: shapes and options."""

    input_shape: tuple[int, int]
    kernel_shape: tuple[int, int]
    padding: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]

    @property
    def padded_shape(self) -> tuple[int, int]:
        (H, W), (ph, pw) = self.input_shape, self.padding
        return H + 2 * ph, W + 2 * pw

    @property
    def extent(self) -> tuple[int, int]:
        """Rows and columns one window spans, dilation included."""
        (h, w), (dh, dw) = self.kernel_shape, self.dilation
        return dh * (h - 1) + 1, dw * (w - 1) + 1

    @property
    def output_shape(self) -> tuple[int, int]:
        (Hp, Wp), (eh, ew), (sh, sw) = self.padded_shape, self.extent, self.stride
        return (Hp - eh) // sh + 1, (Wp - ew) // sw + 1


def geometry(
    input_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    *,
    padding: Pair = 0,
    stride: Pair = 1,
    dilation: Pair = 1,
) -> Geometry:
    """Check the options and that the (dilated) kernel fits the padded input."""
    g = Geometry(
        tuple(int(v) for v in input_shape),  # type: ignore[arg-type]
        tuple(int(v) for v in kernel_shape),  # type: ignore[arg-type]
        as_pair(padding, "padding", minimum=0),
        as_pair(stride, "stride", minimum=1),
        as_pair(dilation, "dilation", minimum=1),
    )
    (Hp, Wp), (eh, ew) = g.padded_shape, g.extent
    if eh > Hp or ew > Wp:
        span = "" if g.dilation == (1, 1) else f" (spanning {eh}x{ew} with dilation)"
        pad = "" if g.padding == (0, 0) else f" padded to {Hp}x{Wp}"
        raise ValueError(
            f"The kernel is {g.kernel_shape[0]}x{g.kernel_shape[1]}{span}, larger than the "
            f"input ({g.input_shape[0]}x{g.input_shape[1]}{pad}): the window has nowhere to "
            "fit. Use a smaller kernel, a larger input or more padding."
        )
    return g


def output_shape(
    input_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    *,
    padding: Pair = 0,
    stride: Pair = 1,
    dilation: Pair = 1,
) -> tuple[int, int]:
    """``(H + 2p - d(h-1) - 1) // s + 1`` along each axis, checked."""
    return geometry(
        input_shape, kernel_shape, padding=padding, stride=stride, dilation=dilation
    ).output_shape


def _prepare(X, K, padding, stride, dilation):
    X = as_grid(X, "The input X")
    K = as_grid(K, "The kernel K", dtype=X.dtype)
    g = geometry(X.shape, K.shape, padding=padding, stride=stride, dilation=dilation)
    ph, pw = g.padding
    Xp = np.pad(X, ((ph, ph), (pw, pw))) if ph or pw else X
    return X, K, Xp, g


def _check_bias(bias: float) -> float:
    try:
        b = float(bias)
    except (TypeError, ValueError):
        raise ValueError(f"The bias must be a number, not {bias!r}.") from None
    if not np.isfinite(b):
        raise ValueError(f"The bias must be a finite number, not {b}.")
    return b


def _run(Xp: np.ndarray, K: np.ndarray, g: Geometry) -> np.ndarray:
    """Correlate the padded input with K: the compiled loop that fits the options.

    Stride 1 and dilation 1 (the chapter's case) take the kernels specialised
    on the kernel's shape; anything else takes the general loop. Large
    outputs are split over the cores in blocks of rows.
    """
    Xp = np.ascontiguousarray(Xp)
    K = np.ascontiguousarray(K, dtype=Xp.dtype)
    out = np.empty(g.output_shape, dtype=Xp.dtype)
    (sh, sw), (dh, dw) = g.stride, g.dilation
    parallel = out.size * K.size >= 9 * PARALLEL_MIN_CELLS
    block = _kernels.BLOCK_ROWS
    if sh == sw == dh == dw == 1:
        if parallel:
            _kernels.corr2d_fast_parallel(Xp, K, out, block)
        else:
            _kernels.corr2d_fast(Xp, K, out, block)
    elif parallel:
        _kernels.corr2d_rows_parallel(Xp, K, sh, sw, dh, dw, out, block)
    else:
        _kernels.corr2d_rows(Xp, K, sh, sw, dh, dw, out)
    return out


# ------------------------------------------------------------------ public
def corr2d(
    X: object,
    K: object,
    *,
    bias: float = 0.0,
    padding: Pair = 0,
    stride: Pair = 1,
    dilation: Pair = 1,
) -> np.ndarray:
    """2-D cross-correlation, what deep-learning libraries call convolution.

    ``Y[i, j] = sum_ab X[i*s + a*d, j*s + b*d] * K[a, b] + bias`` over the
    zero-padded input. float32 input stays float32 (the fast path for large
    pictures); everything else is computed in float64.
    """
    b = _check_bias(bias)
    _, Kg, Xp, g = _prepare(X, K, padding, stride, dilation)
    Y = _run(Xp, Kg, g)
    if b:
        Y += Y.dtype.type(b)
    return Y


def conv2d(
    X: object,
    K: object,
    *,
    bias: float = 0.0,
    padding: Pair = 0,
    stride: Pair = 1,
    dilation: Pair = 1,
) -> np.ndarray:
    """True convolution: cross-correlation with the kernel flipped in both axes (6.2.5)."""
    Kf = as_grid(K, "The kernel K")[::-1, ::-1]
    return corr2d(X, Kf, bias=bias, padding=padding, stride=stride, dilation=dilation)


@dataclass(frozen=True)
class WindowStep:
    """One output cell and the arithmetic that makes it; what the animation draws.

    ``rows``/``cols`` index the *unpadded* input; a position on the padding
    is -1 there and True in ``padded``. ``values`` are the input under the
    window (0 on padding), ``kernel`` the taps as applied (flipped for
    convolution), ``products`` their element-wise product.
    """

    n: int
    out_pos: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    padded: np.ndarray
    values: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    total: float
    bias: float
    result: float


class WindowSteps(Sequence[WindowStep]):
    """All output cells of one correlation, computed lazily one step at a time.

    Indexing is row-major over the output; any step costs O(h*w), so an
    animation can scrub back and forth freely.
    """

    def __init__(
        self,
        X: object,
        K: object,
        *,
        bias: float = 0.0,
        padding: Pair = 0,
        stride: Pair = 1,
        dilation: Pair = 1,
        flip: bool = False,
    ) -> None:
        self.bias = _check_bias(bias)
        X, Kc, Xp, g = _prepare(X, K, padding, stride, dilation)
        self.X = np.asarray(X, dtype=np.float64)
        self.Xp = np.asarray(Xp, dtype=np.float64)
        K64 = np.asarray(Kc, dtype=np.float64)
        self.kernel = np.ascontiguousarray(K64[::-1, ::-1]) if flip else K64
        self.flip = bool(flip)
        self.geometry = g
        self.output_shape = g.output_shape

    def __len__(self) -> int:
        oh, ow = self.output_shape
        return oh * ow

    def __getitem__(self, n):
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(len(self)))]
        n = int(n)
        if n < 0:
            n += len(self)
        if not 0 <= n < len(self):
            raise IndexError(f"step {n} is outside 0..{len(self) - 1}")
        g = self.geometry
        ow = self.output_shape[1]
        i, j = divmod(n, ow)
        (kh, kw), (sh, sw), (dh, dw), (ph, pw) = g.kernel_shape, g.stride, g.dilation, g.padding
        H, W = g.input_shape
        prow = i * sh + np.arange(kh) * dh
        pcol = j * sw + np.arange(kw) * dw
        rows = prow - ph
        cols = pcol - pw
        row_pad = (rows < 0) | (rows >= H)
        col_pad = (cols < 0) | (cols >= W)
        padded = row_pad[:, None] | col_pad[None, :]
        values = self.Xp[np.ix_(prow, pcol)]
        products = values * self.kernel
        total = float(products.sum())
        return WindowStep(
            n=n,
            out_pos=(int(i), int(j)),
            rows=np.where(row_pad, -1, rows),
            cols=np.where(col_pad, -1, cols),
            padded=padded,
            values=values,
            kernel=self.kernel,
            products=products,
            total=total,
            bias=self.bias,
            result=total + self.bias,
        )

    def window_mask(self, n: int) -> np.ndarray:
        """Cells of the *padded* input under step n's window (True), for drawing it."""
        step = self[n]
        g = self.geometry
        (kh, kw), (sh, sw), (dh, dw) = g.kernel_shape, g.stride, g.dilation
        m = np.zeros(g.padded_shape, bool)
        rows = step.out_pos[0] * sh + np.arange(kh) * dh
        cols = step.out_pos[1] * sw + np.arange(kw) * dw
        m[np.ix_(rows, cols)] = True
        return m

    def output(self) -> np.ndarray:
        """The whole output, computed by the compiled engine (float64)."""
        Y = _run(self.Xp, self.kernel, self.geometry)
        if self.bias:
            Y += self.bias
        return Y


def window_steps(
    X: object,
    K: object,
    *,
    bias: float = 0.0,
    padding: Pair = 0,
    stride: Pair = 1,
    dilation: Pair = 1,
    flip: bool = False,
) -> WindowSteps:
    """The sliding window's steps for ``corr2d`` (or ``conv2d`` with ``flip=True``)."""
    return WindowSteps(
        X, K, bias=bias, padding=padding, stride=stride, dilation=dilation, flip=flip
    )


def corr_matrix(
    input_shape: tuple[int, int],
    K: object,
    *,
    padding: Pair = 0,
    stride: Pair = 1,
    dilation: Pair = 1,
) -> np.ndarray:
    """The matrix M with ``M @ X.ravel() == corr2d(X, K).ravel()`` (exercise 3).

    Row r holds the kernel laid out where output cell r's window sits; it is
    sparse and banded, which is why libraries never build it.
    """
    try:
        H, W = (int(v) for v in input_shape)
    except (TypeError, ValueError):
        raise ValueError(f"input_shape must be (rows, columns), not {input_shape!r}.") from None
    if H < 1 or W < 1:
        raise ValueError(f"input_shape must be positive, not {H}x{W}.")
    K = as_grid(K, "The kernel K")
    g = geometry((H, W), K.shape, padding=padding, stride=stride, dilation=dilation)
    oh, ow = g.output_shape
    if oh * ow * H * W > 50_000_000:
        raise ValueError(
            f"The matrix would be {oh * ow}x{H * W}: too large to show. Use a smaller input."
        )
    M = np.zeros((oh * ow, H * W))
    (sh, sw), (dh, dw), (ph, pw) = g.stride, g.dilation, g.padding
    _kernels.corr_matrix_fill(H, W, ph, pw, K, sh, sw, dh, dw, oh, ow, M)
    return M
