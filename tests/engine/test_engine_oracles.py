"""corr2d/conv2d against independent oracles, on every compiled path.

The engine picks a loop by options and kernel shape (see ``_kernels``):
stride 1 and dilation 1 take the 3x3 loop, the 7-columns loop (float32
only) or the one for any kernel (which unrolls each kernel row in groups of
up to four columns), the rest a general loop; each runs on one thread or in
blocks of rows shared with the pool's helper threads. The tests here reach
every one of them, both ways.
"""

from __future__ import annotations

import naive
import numpy as np
import pytest
import scipy.signal
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convviz.engine import _kernels, _pool, conv2d, corr2d, output_shape
from convviz.engine import correlate as correlate_mod

FAST = settings(max_examples=60, deadline=None)

# The stride-1 loops and the column groups of the generic one (see block_any).
FAST_PATH_SHAPES = {
    "1x2": (1, 2),
    "2x1": (2, 1),
    "2x2": (2, 2),
    "3x3": (3, 3),
    "any 3 (5 rows)": (5, 3),
    "any 3 (one row)": (1, 3),
    "any 5 (4 + 1)": (5, 5),
    "any 5 two rows": (2, 5),
    "any 7 (4 + 3)": (7, 7),
    "any 7 one row": (1, 7),
    "any 1x1": (1, 1),
    "any kx1": (4, 1),
    "any kx2": (3, 2),
    "any 4 (one group of four)": (4, 4),
    "any 6 (4 + 2)": (2, 6),
    "any 9 (4 + 4 + 1)": (3, 9),
    "any 11 (4 + 4 + 3)": (1, 11),
    # float32: block_w7 (any height); float64: block_any
    "w7 three rows": (3, 7),
    "w7 tall": (9, 7),
    "w7 two rows": (2, 7),
}


def force(monkeypatch, how: str) -> None:
    """Every correlation on the calling thread, or in small blocks shared with a helper."""
    if how == "serial":
        monkeypatch.setattr(correlate_mod, "POOL", _pool.RowPool(0))
    else:
        pool = _pool.RowPool(1)
        pool.share = lambda key: True  # share every call, however the timings look
        monkeypatch.setattr(correlate_mod, "POOL", pool)
        monkeypatch.setattr(correlate_mod, "PARALLEL_MIN_WORK", 0)


@pytest.fixture(params=["serial", "parallel"])
def threading(request, monkeypatch):
    force(monkeypatch, request.param)
    return request.param


def tol(X, K, dtype) -> dict:
    """Tolerances scaled to the size of the sums involved."""
    scale = max(1.0, float(np.abs(X).max()) * float(np.abs(K).sum()))
    if np.dtype(dtype) == np.float32:
        return {"rtol": 1e-4, "atol": 1e-5 * scale}
    return {"rtol": 1e-10, "atol": 1e-12 * scale}


def reference(X, K) -> np.ndarray:
    return scipy.signal.correlate2d(
        np.asarray(X, np.float64), np.asarray(K, np.float64), mode="valid"
    )


# ---------------------------------------------------------- plain correlation
@st.composite
def image_and_kernel(draw, dtype=np.float64, max_side=24):
    kh = draw(st.integers(1, 8))
    kw = draw(st.integers(1, 8))
    H = draw(st.integers(kh, max_side))
    W = draw(st.integers(kw, max_side))
    elems = st.floats(-100, 100, allow_nan=False, allow_infinity=False, width=32)
    X = draw(hnp.arrays(dtype, (H, W), elements=elems))
    K = draw(hnp.arrays(dtype, (kh, kw), elements=elems))
    return X, K


@FAST
@given(image_and_kernel(np.float64))
def test_corr2d_matches_scipy_float64(XK):
    X, K = XK
    Y = corr2d(X, K)
    assert Y.dtype == np.float64
    np.testing.assert_allclose(Y, reference(X, K), **tol(X, K, np.float64))


@FAST
@given(image_and_kernel(np.float32))
def test_corr2d_matches_scipy_float32(XK):
    X, K = XK
    Y = corr2d(X, K)
    assert Y.dtype == np.float32
    np.testing.assert_allclose(Y, reference(X, K), **tol(X, K, np.float32))


@FAST
@given(image_and_kernel(np.float64))
def test_conv2d_matches_scipy_convolve2d(XK):
    X, K = XK
    np.testing.assert_allclose(
        conv2d(X, K), scipy.signal.convolve2d(X, K, mode="valid"), **tol(X, K, np.float64)
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(FAST_PATH_SHAPES))
def test_every_fast_path_on_big_inputs(name, dtype, threading):
    """Each specialised loop, past the row-block edges, serial and parallel."""
    kh, kw = FAST_PATH_SHAPES[name]
    rng = np.random.default_rng(kh * 31 + kw)
    # 37 output rows: two full blocks of 16 plus a ragged one (and, for 3x3,
    # a block that is not a multiple of four rows); 70 columns: vector body
    # plus a scalar tail.
    X = rng.standard_normal((36 + kh, 69 + kw)).astype(dtype)
    K = rng.standard_normal((kh, kw)).astype(dtype)
    Y = corr2d(X, K)
    assert Y.dtype == dtype
    assert Y.shape == (37, 70)
    np.testing.assert_allclose(Y, reference(X, K), **tol(X, K, dtype))


@pytest.mark.parametrize("name", list(FAST_PATH_SHAPES))
@pytest.mark.parametrize("H", [1, 2, 3, 4, 5, 6, 7, 15, 16, 17, 18, 19, 20])
def test_fast_paths_on_every_small_row_count(name, H):
    """The row-blocked loops (2x2 in pairs, 3x3 in fours) and their leftovers."""
    kh, kw = FAST_PATH_SHAPES[name]
    rng = np.random.default_rng(H)
    X = rng.standard_normal((H + kh - 1, kw + 4))
    K = rng.standard_normal((kh, kw))
    np.testing.assert_allclose(corr2d(X, K), reference(X, K), **tol(X, K, np.float64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(FAST_PATH_SHAPES))
def test_serial_and_parallel_agree_bit_for_bit(name, dtype, monkeypatch):
    """Both drivers call the same row loop, so the sums are the same sums."""
    kh, kw = FAST_PATH_SHAPES[name]
    rng = np.random.default_rng(5)
    X = rng.standard_normal((60, 50)).astype(dtype)
    K = rng.standard_normal((kh, kw)).astype(dtype)
    force(monkeypatch, "serial")
    serial = corr2d(X, K, padding=1)
    force(monkeypatch, "parallel")
    parallel = corr2d(X, K, padding=1)
    np.testing.assert_array_equal(serial, parallel)


@pytest.mark.parametrize("name", list(FAST_PATH_SHAPES))
def test_fast_paths_agree_with_the_general_loop(name):
    kh, kw = FAST_PATH_SHAPES[name]
    rng = np.random.default_rng(11)
    for dtype in (np.float32, np.float64):
        X = rng.standard_normal((40, 45)).astype(dtype)
        K = rng.standard_normal((kh, kw)).astype(dtype)
        general = np.empty(output_shape(X.shape, K.shape), dtype)
        state = np.zeros(2, np.int64)
        _kernels.block_general(X, K, 1, 1, 1, 1, general, 7, state, dtype(0))
        blocks = -(-general.shape[0] // 7)
        assert state.tolist() == [blocks + 1, 0]  # every block claimed (and one more), finite
        np.testing.assert_allclose(corr2d(X, K), general, **tol(X, K, dtype))


def test_large_image_default_threshold_goes_parallel_and_is_right():
    """No monkeypatching: a 512x512 float32 picture takes the real parallel path."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((512, 512)).astype(np.float32)
    for kshape in [(3, 3), (7, 7), (1, 2), (4, 6)]:
        K = rng.standard_normal(kshape).astype(np.float32)
        Y = corr2d(X, K)
        assert Y.dtype == np.float32
        np.testing.assert_allclose(Y, reference(X, K), **tol(X, K, np.float32))


def test_dispatch_picks_one_loop_by_options_and_the_threads_by_size(monkeypatch):
    """One call, one loop (so one compile); large outputs are cut into blocks of rows."""
    from convviz.engine import warm_up

    warm_up()  # so the spies below see only real calls, not a first compile's example
    calls = []
    for name in ("block_3x3", "block_any", "block_general", "block_w7"):
        real = getattr(_kernels, name)

        def spy(*args, _real=real, _name=name):
            rows, oh = args[-3], args[-4].shape[0]
            calls.append((_name, rows, -(-oh // rows)))  # (loop, rows a block, blocks)
            return _real(*args)

        monkeypatch.setattr(_kernels, name, spy)
    pool = _pool.RowPool(1)
    pool.share = lambda key: True
    monkeypatch.setattr(correlate_mod, "POOL", pool)
    small, big, K = np.ones((20, 20)), np.ones((300, 300)), np.ones((3, 3))

    def loops_used(*args, **kw):
        calls.clear()
        corr2d(*args, **kw)
        return sorted({c[0] for c in calls}), max(c[2] for c in calls)

    f32 = small.astype(np.float32)
    assert loops_used(f32, K) == (["block_3x3"], 1)
    assert loops_used(small, K) == (["block_any"], 1)  # float64: the generic loop
    assert loops_used(small, np.ones((2, 2))) == (["block_any"], 1)
    assert loops_used(small, K, stride=2) == (["block_general"], 1)
    assert loops_used(f32, K, stride=2) == (["block_general"], 1)
    K7 = np.ones((5, 7))
    assert loops_used(small, K7) == (["block_any"], 1)  # float64: the generic loop
    assert loops_used(f32, K7) == (["block_w7"], 1)
    names, blocks = loops_used(big.astype(np.float32), K7)
    assert names == ["block_w7"] and blocks >= 8
    names, blocks = loops_used(big.astype(np.float32), K)
    assert names == ["block_3x3"] and blocks >= 8
    names, blocks = loops_used(big, K)
    assert names == ["block_any"] and blocks >= 8
    names, blocks = loops_used(big, K, dilation=2)
    assert names == ["block_general"] and blocks >= 8
    assert all(rows % 4 == 0 for _, rows, _ in calls)  # the 3x3 loop steps four rows
    # a 1x2 kernel does 2 multiply-adds a cell: 100x100 is not worth a second thread
    assert loops_used(np.ones((100, 100)), np.ones((1, 2))) == (["block_any"], 1)


# Integer-valued inputs: every product and partial sum is an integer well
# inside float32's exact range, so the stride-1 loops (which fuse multiply and
# add, see _kernels) must give scipy's sums exactly, not merely close.
EXACT_SHAPES = [(1, 2), (2, 1), (2, 2), (3, 3), (1, 7), (3, 7), (7, 7), (9, 7), (5, 5), (4, 6)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kshape", EXACT_SHAPES, ids=lambda k: f"{k[0]}x{k[1]}")
@pytest.mark.parametrize(
    "out_shape",
    [(1, 1), (1, 37), (3, 5), (7, 33), (37, 70), (61, 19)],
    ids=lambda s: f"out{s[0]}x{s[1]}",
)
def test_integer_valued_inputs_give_scipy_exactly(kshape, out_shape, dtype, threading):
    """One-row outputs, outputs smaller than a block, odd sizes, ragged blocks; both dtypes."""
    kh, kw = kshape
    rng = np.random.default_rng(kh * 100 + kw * 10 + out_shape[0])
    X = rng.integers(-9, 10, (out_shape[0] + kh - 1, out_shape[1] + kw - 1)).astype(dtype)
    K = rng.integers(-4, 5, kshape).astype(dtype)
    bias = 3.0
    Y = corr2d(X, K, bias=bias)
    assert Y.dtype == dtype and Y.shape == out_shape
    np.testing.assert_array_equal(Y, reference(X, K) + bias)
    Yc = conv2d(X, K)
    np.testing.assert_array_equal(
        Yc, scipy.signal.convolve2d(X.astype(float), K.astype(float), mode="valid")
    )


def test_the_chapter_examples_are_exact_in_float32():
    """Fig. 6.2.1 and the edge example of 6.2.3, on the float32 loops (the edge-map dtype)."""
    X = np.arange(9, dtype=np.float32).reshape(3, 3)
    np.testing.assert_array_equal(
        corr2d(X, np.arange(4, dtype=np.float32).reshape(2, 2)), [[19, 25], [37, 43]]
    )
    E = np.ones((6, 8), np.float32)
    E[:, 2:6] = 0
    Y = corr2d(E, np.array([[1, -1]], np.float32))
    expected = np.zeros((6, 7), np.float32)
    expected[:, 1], expected[:, 5] = 1, -1
    np.testing.assert_array_equal(Y, expected)
    assert not np.signbit(Y[Y == 0]).any()  # no cell a student would read as "-0"


@pytest.mark.parametrize("kshape", [(3, 3), (2, 2), (1, 7), (2, 3)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_bias_of_minus_zero_gives_no_minus_zero_cells(kshape, dtype):
    """The loops sum from the bias; -0.0 plus products of -0.0 would stay "-0"."""
    X = np.zeros((9, 12), dtype)
    K = -np.ones(kshape, dtype)
    Y = corr2d(X, K, bias=-0.0)
    assert Y.shape == (10 - kshape[0], 13 - kshape[1]) and not np.signbit(Y).any()


# ------------------------------------------- padding, stride and dilation
@st.composite
def strided_case(draw, dtype=np.float64):
    kh = draw(st.integers(1, 4))
    kw = draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    H = draw(st.integers(1, 14))
    W = draw(st.integers(1, 14))
    assume(dh * (kh - 1) + 1 <= H + 2 * ph and dw * (kw - 1) + 1 <= W + 2 * pw)
    elems = st.floats(-50, 50, allow_nan=False, allow_infinity=False, width=32)
    X = draw(hnp.arrays(dtype, (H, W), elements=elems))
    K = draw(hnp.arrays(dtype, (kh, kw), elements=elems))
    bias = draw(st.floats(-5, 5, allow_nan=False, width=32))
    return X, K, (ph, pw), (sh, sw), (dh, dw), bias


@settings(max_examples=80, deadline=None)
@given(strided_case(np.float64))
def test_options_match_the_definition_float64(case):
    X, K, p, s, d, bias = case
    Y = corr2d(X, K, bias=bias, padding=p, stride=s, dilation=d)
    ref = naive.corr2d(X, K, bias, p, s, d)
    assert Y.shape == ref.shape == output_shape(X.shape, K.shape, padding=p, stride=s, dilation=d)
    np.testing.assert_allclose(Y, ref, **tol(X, K, np.float64))
    # and the scipy construction (pad, dilate the kernel, subsample) agrees too
    np.testing.assert_allclose(Y - bias, naive.corr2d_scipy(X, K, p, s, d), **tol(X, K, np.float64))


@settings(max_examples=60, deadline=None)
@given(strided_case(np.float32))
def test_options_match_scipy_float32(case):
    X, K, p, s, d, bias = case
    Y = corr2d(X, K, bias=bias, padding=p, stride=s, dilation=d)
    assert Y.dtype == np.float32
    ref = naive.corr2d_scipy(X, K, p, s, d) + np.float32(bias)
    np.testing.assert_allclose(Y, ref, **tol(X, K, np.float32))


@settings(max_examples=40, deadline=None)
@given(strided_case(np.float64))
def test_conv2d_options_match_the_definition(case):
    X, K, p, s, d, bias = case
    np.testing.assert_allclose(
        conv2d(X, K, bias=bias, padding=p, stride=s, dilation=d),
        naive.conv2d(X, K, bias, p, s, d),
        **tol(X, K, np.float64),
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("stride", "dilation", "padding"),
    [((2, 2), (1, 1), 0), ((1, 1), (2, 3), 1), ((3, 1), (1, 2), 2), ((1, 2), (1, 1), (0, 3))],
)
def test_general_loop_on_big_inputs(stride, dilation, padding, dtype, threading):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((70, 65)).astype(dtype)
    K = rng.standard_normal((3, 4)).astype(dtype)
    Y = corr2d(X, K, stride=stride, dilation=dilation, padding=padding)
    assert Y.dtype == dtype
    np.testing.assert_allclose(
        Y, naive.corr2d_scipy(X, K, padding, stride, dilation), **tol(X, K, dtype)
    )


# ------------------------------------------------------------------ dtypes
@pytest.mark.parametrize(
    ("x_dtype", "k_dtype", "out"),
    [
        (np.int64, np.int64, np.float64),
        (np.int32, np.float32, np.float64),
        (np.uint8, np.int16, np.float64),
        (np.bool_, np.bool_, np.float64),
        (np.float16, np.float16, np.float64),
        (np.float32, np.float32, np.float32),
        (np.float32, np.float64, np.float32),
        (np.float32, np.int64, np.float32),
        (np.float64, np.float32, np.float64),
        (np.float64, np.float64, np.float64),
    ],
)
def test_dtype_rules(x_dtype, k_dtype, out):
    """Ints and bools become float64; float32 input stays float32 (K follows X)."""
    X = (np.arange(20).reshape(4, 5) % 3).astype(x_dtype)
    K = np.array([[1, 0], [1, 1]]).astype(k_dtype)
    for fn in (corr2d, conv2d):
        Y = fn(X, K)
        assert Y.dtype == out
    np.testing.assert_array_equal(corr2d(X, K), reference(X.astype(float), K.astype(float)))


def test_python_scalars_and_lists_are_float64():
    assert corr2d([[1, 2], [3, 4]], [[1]]).dtype == np.float64
    assert corr2d([[True, False]], [[True]]).dtype == np.float64


def test_bias_is_added_in_the_output_dtype():
    X = np.ones((3, 3), np.float32)
    Y = corr2d(X, np.ones((2, 2), np.float32), bias=0.5)
    assert Y.dtype == np.float32
    np.testing.assert_array_equal(Y, np.full((2, 2), 4.5, np.float32))


def test_inputs_are_not_modified_and_views_work():
    rng = np.random.default_rng(2)
    base = rng.standard_normal((30, 40))
    X = base[::2, 5:35]  # a non-contiguous view
    K = rng.standard_normal((5, 3))[:, ::-1]
    X_before, K_before = X.copy(), K.copy()
    Y = corr2d(X, K)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(K, K_before)
    np.testing.assert_allclose(Y, reference(X, K), **tol(X, K, np.float64))


def test_extreme_but_finite_values_are_accepted():
    big = np.finfo(np.float32).max
    tiny = np.finfo(np.float32).smallest_subnormal
    X = np.array([[big, -big, tiny], [0.0, 1.0, -tiny]], np.float32)
    Y = corr2d(X, np.array([[0.0]], np.float32))
    np.testing.assert_array_equal(Y, np.zeros((2, 3), np.float32))


# ------------------------------------- the plain call's short path (_plain)
def _full_path(X, K, **kw):
    """corr2d through the full path: a pair of zeros is not the plain int 0."""
    return corr2d(X, K, padding=(0, 0), **kw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kshape", [(3, 3), (1, 7), (6, 7), (2, 2), (1, 1), (5, 4)])
def test_the_short_path_gives_the_full_paths_result_bit_for_bit(kshape, dtype, threading):
    rng = np.random.default_rng(sum(kshape))
    X = rng.standard_normal((300, 257)).astype(dtype)
    K = rng.standard_normal(kshape).astype(dtype)
    for bias in (0.0, -1.25, 7):
        Y = corr2d(X, K, bias=bias)
        assert correlate_mod._plain(X, K, bias) is not None  # the loop is ready: short path
        assert Y.dtype == dtype
        np.testing.assert_array_equal(Y, _full_path(X, K, bias=bias))
        np.testing.assert_allclose(Y, reference(X, K) + bias, **tol(X, K, dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_short_path_says_what_the_full_path_says(dtype):
    X = np.ones((40, 30), dtype)
    K = np.ones((3, 3), dtype)
    bad_k = K.copy()
    bad_k[1, 2] = np.nan
    bad_x = X.copy()
    bad_x[7, 3] = np.inf
    huge = np.full((40, 30), np.finfo(dtype).max / 2, dtype)
    cases = [
        ((X, bad_k), {}),  # a NaN in the kernel
        ((bad_x, K), {}),  # an inf in the input, found in the output
        ((huge, K), {}),  # the sums overflow
        ((X, K), {"bias": float("nan")}),
        ((X, K), {"bias": "one"}),
        ((X, K), {"bias": 1e300 if dtype == np.float32 else 1e308}),  # too large for float32
        ((X, np.ones((41, 3), dtype)), {}),  # a kernel taller than the input
    ]
    for args, kw in cases:
        messages = []
        for call in (corr2d, _full_path):
            try:
                Y = call(*args, **kw)
            except ValueError as exc:
                messages.append(str(exc))
            else:
                messages.append(Y.tolist())
        assert messages[0] == messages[1], (args[0].shape, kw)
    with pytest.raises(ValueError, match="The kernel K holds a value that is not a finite"):
        corr2d(X, bad_k)
    with pytest.raises(ValueError, match="The input X holds a value that is not a finite"):
        corr2d(bad_x, K)
    with pytest.raises(ValueError, match="result overflows"):
        corr2d(huge, K)


def test_inputs_the_short_path_does_not_take_still_work():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 60))
    K = rng.standard_normal((3, 3))
    for x, k in [
        (X[:, ::2], K),  # a view, not contiguous
        (X.astype(np.float32), K),  # float32 input, float64 kernel
        (X.tolist(), K),  # nested lists
        (X, K.astype(np.float32)),  # float64 input, float32 kernel
        (X.astype(np.int64), K),
    ]:
        Y = corr2d(x, k)
        x64 = np.asarray(x, np.float64)
        np.testing.assert_allclose(Y, reference(x64, k), **tol(x64, k, Y.dtype))
