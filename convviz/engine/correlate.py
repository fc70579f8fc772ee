"""Public 2-D correlation functions: validate what a student typed, then compute.

Every array that crosses this boundary is checked once here, with a message
a student can act on; the compiled loops in :mod:`._kernels` trust their input.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _jit, _kernels, _pool

Pair = int | tuple[int, int] | Sequence[int]

#: Padding, stride and dilation may each be at most this (per axis): larger
#: values mean nothing on a picture and would overflow the compiled loops'
#: 64-bit integers long before they meant anything.
MAX_OPTION = 1 << 16

#: At most this many cells in the padded input and in the output (67 million,
#: 512 MB as float64), checked before anything is allocated: padding=10**6
#: once asked for 29 TiB.
MAX_CELLS = 1 << 26

#: A correlation is split over threads when ``output cells x kernel taps``
#: reaches this: about 20 us of work on one core (a 150x150 output for a 3x3
#: kernel). Below it, waking a helper thread costs more than it saves.
PARALLEL_MIN_WORK = 1 << 18

#: Work (``cells x taps``) in one block of rows handed to a thread: about
#: 20 us of the 3x3 loop. Small blocks bound what a helper that the OS
#: deschedules can hold back, and how long the caller waits for a helper's
#: last block; a block costs only an atomic increment (threads claim blocks
#: inside the compiled loop) and re-reads the kernel's height in input rows.
BLOCK_WORK = 1 << 19

_I64 = np.dtype(np.int64)

#: The threads that share large correlations (see :mod:`._pool`).
POOL = _pool.RowPool(_pool.usable_cores() - 1)


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for large correlations (1: all on the calling thread)."""
    n = int(n)
    if not 1 <= n <= 64:
        raise ValueError(f"The number of threads must be 1..64, not {n}.")
    global POOL
    if n - 1 != POOL.helpers:
        old, POOL = POOL, _pool.RowPool(n - 1)
        old.close()


def get_num_threads() -> int:
    return POOL.helpers + 1


# ---------------------------------------------------------------- validation
def as_pair(value: Pair, name: str, *, minimum: int) -> tuple[int, int]:
    """Accept ``n`` or ``(n_h, n_w)`` and return a checked pair of ints."""
    if type(value) is int and minimum <= value <= MAX_OPTION:  # the common case, fast
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
    if max(pair) > MAX_OPTION:
        raise ValueError(f"{name} must be at most {MAX_OPTION} (got {pair[0]}, {pair[1]}).")
    return pair


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise a ValueError naming the first NaN or inf in ``arr``, if any.

    A small array (a kernel) is checked in plain Python: after a loop has
    streamed megabytes through the caches, ``np.isfinite(K).all()`` took 22 us
    and this 12 (medians, 3x3 float32).
    """
    if arr.size <= 64 and all(map(math.isfinite, arr.ravel().tolist())):
        return
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} holds a value that is not a finite number "
            f"({arr[tuple(bad)]} at row {bad[0]}, column {bad[1]})."
        )


_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_FAST_DTYPES = (_F32, _F64)


def as_grid(
    A: object, name: str, *, dtype: np.dtype | None = None, check: bool = True
) -> np.ndarray:
    """Return ``A`` as a finite 2-D float array (float32 kept, the rest float64).

    ``check=False`` leaves the NaN/inf scan to the caller: :func:`corr2d`
    finds them in its output instead, which every input value reaches.
    """
    if (
        type(A) is np.ndarray
        and A.ndim == 2
        and A.size
        and A.dtype in _FAST_DTYPES
        and (dtype is None or dtype == A.dtype)
        and A.flags.c_contiguous
    ):  # the common case, already right: skip the conversions (they cost microseconds)
        if check:
            check_finite(A, name)
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
    if arr.size > MAX_CELLS:
        raise ValueError(
            f"{name} has {arr.shape[0]}x{arr.shape[1]} cells; the engine takes at most "
            f"{MAX_CELLS:,}."
        )
    if dtype is None:
        dtype = np.dtype(np.float32) if arr.dtype == np.float32 else np.dtype(np.float64)
    if np.issubdtype(arr.dtype, np.floating) and np.dtype(dtype).itemsize < arr.itemsize:
        check_finite(arr, name)  # before narrowing: 1e308 must not become inf silently
        big = float(np.abs(arr).max())
        if big > float(np.finfo(dtype).max):
            raise ValueError(
                f"{name} holds {big:g}, too large for {np.dtype(dtype).name} "
                f"(at most {float(np.finfo(dtype).max):.3g})."
            )
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if check:
        check_finite(arr, name)
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
    """Check the options and that the (dilated) kernel fits the padded input.

    Everything is Python integer arithmetic and every size is checked against
    :data:`MAX_CELLS` here, before any array exists.
    """
    g = Geometry(
        tuple(int(v) for v in input_shape),  # type: ignore[arg-type]
        tuple(int(v) for v in kernel_shape),  # type: ignore[arg-type]
        as_pair(padding, "padding", minimum=0),
        as_pair(stride, "stride", minimum=1),
        as_pair(dilation, "dilation", minimum=1),
    )
    (Hp, Wp), (eh, ew) = g.padded_shape, g.extent
    for what, (h, w) in (("input", g.input_shape), ("kernel", g.kernel_shape)):
        if h < 1 or w < 1 or h * w > MAX_CELLS:
            raise ValueError(f"The {what} is {h}x{w}: it must have 1 to {MAX_CELLS:,} cells.")
    if Hp * Wp > MAX_CELLS:
        raise ValueError(
            f"The padded input would be {Hp}x{Wp} cells; the engine takes at most "
            f"{MAX_CELLS:,}. Use less padding or a smaller input."
        )
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


def _prepare(X, K, padding, stride, dilation, *, check_x=True):
    """Checked input, kernel (in X's dtype), padded input and geometry.

    With ``check_x=False`` the NaN/inf scan of X is skipped for stride 1 and
    dilation 1, where every input value reaches the output and
    :func:`_run` finds it there (see :func:`_not_finite`).
    """
    X = as_grid(X, "The input X", check=False)
    K = as_grid(K, "The kernel K", dtype=X.dtype)
    g = geometry(X.shape, K.shape, padding=padding, stride=stride, dilation=dilation)
    if check_x or g.stride != (1, 1) or g.dilation != (1, 1):
        check_finite(X, "The input X")
    ph, pw = g.padding
    Xp = np.pad(X, ((ph, ph), (pw, pw))) if ph or pw else X
    return X, K, Xp, g


def _as_float(value: object, what: str) -> float:
    """``float(value)``, with a message naming ``what`` (e.g. "The bias") when it is not one."""
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        raise ValueError(
            f"{what} is too large: at most {np.finfo(np.float64).max:.3g} in size."
        ) from None
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, not {value!r}.") from None


def _check_bias(bias: object) -> float:
    b = _as_float(bias, "The bias")
    if not math.isfinite(b):  # np.isfinite on a float: 13 us with cold caches, this 3
        raise ValueError(f"The bias must be a finite number, not {b}.")
    return b


#: Kernel widths with a loop of their own on float32 (see :mod:`._kernels`).
_WIDE_F32 = {7: "block_w7"}


def _stride1_loop(kh: int, kw: int, dtype: np.dtype) -> str:
    """The compiled loop for a stride-1, dilation-1 correlation with a kh x kw kernel.

    The shape specialisations are float32 only, the large pictures' dtype:
    float64 (the small grids on screen) takes block_any, which sums a 3x3
    window in the same order with the same fused multiply-adds as block_3x3,
    so gives the same bits; a float64 block_3x3 cost 0.7 s more compile time.
    """
    if dtype is _F32 or dtype == _F32:  # (identity first: this runs on every call)
        if kh == 3 and kw == 3:
            return "block_3x3"
        if kw in _WIDE_F32:
            return _WIDE_F32[kw]
    return "block_any"


def _loop_for(g: Geometry, dtype: np.dtype) -> str:
    """The compiled loop for these options, chosen here so one call compiles one loop."""
    if g.stride == (1, 1) and g.dilation == (1, 1):
        return _stride1_loop(*g.kernel_shape, dtype)
    return "block_general"


def _numpy_corr(Xp: np.ndarray, K: np.ndarray, g: Geometry, out: np.ndarray, bias: float) -> bool:
    """The same correlation in plain numpy, one pass per tap: for a thread that must not
    wait for a compile (the GUI's, with the tiny grids on screen). True if all finite."""
    (oh, ow), (sh, sw), (dh, dw) = g.output_shape, g.stride, g.dilation
    kh, kw = K.shape
    out[...] = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for a in range(kh):
            rows = slice(a * dh, a * dh + sh * (oh - 1) + 1, sh)
            for c in range(kw):
                out += K[a, c] * Xp[rows, c * dw : c * dw + sw * (ow - 1) + 1 : sw]
        if bias:
            out += out.dtype.type(bias)
        return bool(np.isfinite(out).all())


#: The largest finite value of each dtype the loops run in (np.finfo costs microseconds).
_FMAX = {dt: float(np.finfo(dt).max) for dt in _FAST_DTYPES}


def _run(Xp: np.ndarray, K: np.ndarray, g: Geometry, bias: float = 0.0) -> tuple[np.ndarray, bool]:
    """Correlate the padded input with K and add the bias; return ``(Y, all finite)``.

    The loop is picked by options and kernel shape; a large output is cut
    into blocks of rows that :data:`POOL` shares between threads.
    """
    dtype = Xp.dtype
    if abs(bias) > _FMAX[dtype]:
        raise ValueError(
            f"The bias {bias:g} is too large for {dtype.name} (at most {_FMAX[dtype]:.3g})."
        )
    out = np.empty(g.output_shape, dtype=dtype)
    name = _loop_for(g, dtype)
    if not _jit.ensure(name, dtype):  # not compiled yet, and this thread must not wait
        return out, _numpy_corr(Xp, K, g, out, bias)
    Kc = np.ascontiguousarray(K, dtype=dtype)
    return out, _compute(name, np.ascontiguousarray(Xp), Kc, out, bias, g.stride + g.dilation)


def _run_finite(
    Xp: np.ndarray, K: np.ndarray, g: Geometry, bias: float, *inputs: tuple[np.ndarray, str]
) -> np.ndarray:
    """:func:`_run`, raising why (see :func:`_not_finite`) when a value is not finite."""
    Y, finite = _run(Xp, K, g, bias)
    if not finite:
        raise _not_finite(Y, *inputs)
    return Y


def _compute(
    name: str,
    X: np.ndarray,
    K: np.ndarray,
    out: np.ndarray,
    bias: float,
    options: tuple[int, ...] = (1, 1, 1, 1),
) -> bool:
    """Run the compiled loop ``name`` into ``out``; True if every value came out finite.

    ``X`` (padded) and ``K`` are C-contiguous in ``out``'s dtype, the loop is
    ready (see :func:`._jit.ensure`); ``options`` are (sh, sw, dh, dw) for
    block_general. A large output is cut into blocks of rows that
    :data:`POOL` shares between threads.
    """
    dtype = out.dtype
    loop = getattr(_kernels, name)
    Xr = _jit.readonly(X)
    Kr = _jit.readonly(K)
    b = dtype.type(bias + 0.0)  # -0.0 becomes 0.0: the loops sum from the bias
    oh, ow = out.shape
    kh, kw = K.shape
    work = oh * ow * kh * kw
    pool = POOL
    rows = oh  # one block, unless the call is shared
    if name == "block_general":
        sh, sw, dh, dw = options

        def run(state: np.ndarray) -> int:
            return loop(Xr, Kr, sh, sw, dh, dw, out, rows, state, b)
    else:

        def run(state: np.ndarray) -> int:
            return loop(Xr, Kr, out, rows, state, b)

    state = np.zeros(2, np.int64)  # [next block, 1 if a value was not finite]
    if work < PARALLEL_MIN_WORK or pool.helpers == 0:
        run(state)
    else:
        # calls alike for the pool's choice (one thread or shared): same loop
        # and dtype, work within a factor of two
        key = (name, dtype.char, work.bit_length())
        if pool.settled_on_one_thread(key):
            run(state)
        elif _jit.ensure("pool_sync", _I64) and pool.share(key):
            # Blocks of about BLOCK_WORK, at least eight per thread, rows a multiple
            # of 4 (the 3x3 loop's step), so no block but the last has a ragged end.
            want = max(work // BLOCK_WORK, 8 * (pool.helpers + 1))
            rows = max(4, -(-oh // want) + 3 & ~3)
            state[1] = pool.run_shared(run, -(-oh // rows), key, work)
        else:  # on one thread, in one block, timed for the pool's choice
            t0 = time.perf_counter()
            run(state)
            pool.record(key, False, time.perf_counter() - t0, work)
    # block_3x3 flags a group of four cells whose sum is not finite, which
    # finite cells near the dtype's limit can overflow to: confirm (rare, cheap)
    return not state[1] or bool(np.isfinite(out).all())


def _plain(X: object, K: object, bias: object) -> np.ndarray | None:
    """corr2d without options, when X and K are already what the loops take; else None.

    The common call on a large picture, with as few Python steps as can be:
    each runs with cold caches after a loop that streamed megabytes through
    them (measured at 1024^2 3x3 float32: the full path's checks and set-up
    cost about 60 us around a 470 us loop, this one about 25 us). Anything
    unusual, including every error but a bad bias or kernel, goes the full
    path, which checks in the same order and says the same things.
    """
    if not (type(X) is np.ndarray and type(K) is np.ndarray and X.ndim == 2 and K.ndim == 2):
        return None
    dtype = X.dtype
    if not (dtype is _F32 or dtype is _F64) and dtype not in _FAST_DTYPES:
        return None
    if K.dtype is not dtype and K.dtype != dtype:
        return None
    if not (X.flags.c_contiguous and K.flags.c_contiguous):
        return None
    (H, W), (kh, kw) = X.shape, K.shape
    if not (0 < kh <= H and 0 < kw <= W and H * W <= MAX_CELLS):
        return None
    name = _stride1_loop(kh, kw, dtype)
    if not _jit.is_ready(name, dtype):
        return None  # the full path compiles it, or answers from numpy meanwhile
    b = _check_bias(bias)
    if abs(b) > _FMAX[dtype]:
        return None
    check_finite(K, "The kernel K")
    out = np.empty((H - kh + 1, W - kw + 1), dtype)
    if not _compute(name, X, K, out, b):
        raise _not_finite(out, (X, "The input X"))
    return out


def _not_finite(Y: np.ndarray, *inputs: tuple[np.ndarray, str]) -> ValueError:
    """The error for an output holding inf or NaN: a bad input, or an overflow."""
    for arr, name in inputs:
        try:
            check_finite(arr, name)
        except ValueError as exc:
            return exc
    bad = np.argwhere(~np.isfinite(Y))[0]
    return ValueError(
        f"The result overflows: output cell (row {bad[0]}, column {bad[1]}) is "
        f"{Y[tuple(bad)]}, beyond the largest {Y.dtype.name} "
        f"({float(np.finfo(Y.dtype).max):.3g}). Scale the input, kernel or bias down."
    )


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
    if (
        type(padding) is int
        and type(stride) is int
        and type(dilation) is int
        and padding == 0
        and stride == dilation == 1
    ):
        Y = _plain(X, K, bias)
        if Y is not None:
            return Y
    b = _check_bias(bias)
    Xg, Kg, Xp, g = _prepare(X, K, padding, stride, dilation, check_x=False)
    return _run_finite(Xp, Kg, g, b, (Xg, "The input X"))


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
        # No sum can overflow below this bound (the common case, checked in one
        # pass); above it, compute the output and see.
        with np.errstate(over="ignore"):
            bound = float(np.abs(self.Xp).max()) * float(np.abs(K64).sum()) + abs(self.bias)
        if not bound <= float(np.finfo(np.float64).max):
            self.output()

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
        with np.errstate(over="ignore", invalid="ignore"):  # summed in another order
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
        return _run_finite(self.Xp, self.kernel, self.geometry, self.bias)


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
    # One tap at a time: within a tap, each output cell reads a different input
    # cell, so one fancy-indexed assignment per tap writes every entry once.
    # (numpy does this as fast as the compiled loop did, with nothing to compile.)
    i, j = np.divmod(np.arange(oh * ow), ow)
    for a in range(K.shape[0]):
        y = i * sh + a * dh - ph
        for c in range(K.shape[1]):
            x = j * sw + c * dw - pw
            inside = (y >= 0) & (y < H) & (x >= 0) & (x < W)
            r = np.flatnonzero(inside)
            M[r, y[r] * W + x[r]] = K[a, c]
    return M
