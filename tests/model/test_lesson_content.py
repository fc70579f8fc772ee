"""The 6.2 lesson checked against the chapter, slide by slide.

Each test enters a slide with the Qt-free player, as a presenter would, and
asserts the numbers the screen then shows and every claim its caption or
answer makes about them (a sign, "all zeros", a ring, a rate), computed by
the engine: no number here is copied from the slide's text without being
recomputed.
"""

from __future__ import annotations

import math
from math import comb, factorial

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from convviz.engine import conv2d, corr2d, corr_matrix, kernel_grad, loss_value
from convviz.model import Session, presets
from convviz.model.learning import (
    BOOK_STARTS,
    LearningData,
    LearningRun,
    Quadratic,
    djl_edition,
    mxnet_edition,
)
from convviz.model.lessons import ADVANCE, PREDICT, LessonPlayer

MXNET_PRINTED = [
    "batch 2, loss 4.949",
    "batch 4, loss 0.831",
    "batch 6, loss 0.140",
    "batch 8, loss 0.024",
    "batch 10, loss 0.004",
]
DJL_PRINTED = [0.12571818, 0.09935227, 0.07851635, 0.062050212, 0.049037326]


def slide(lesson, title: str) -> int:
    matches = [i for i, s in enumerate(lesson.slides) if s.title == title]
    assert len(matches) == 1, f"one slide titled {title!r}"
    return matches[0]


def enter(lesson, title: str, build: int = 0) -> tuple[LessonPlayer, Session]:
    p = LessonPlayer(lesson, Session())
    p.goto(slide(lesson, title), build=build)
    return p, p.session


def outputs_while_stepping(p: LessonPlayer) -> list[float]:
    s, out = p.session, []
    while p.builds_left:
        p.next()
        out.append(s.current.result)
    return out


# ------------------------------------------------------------- the whole lesson
def test_one_instruction_for_moving_on(lesson):
    """The bar says "press →", and so does every caption that says how to go on."""
    assert ADVANCE == "press →" and ADVANCE in PREDICT
    for s in lesson.slides:
        for text in (s.caption, s.answer):
            low = text.casefold()
            assert "click" not in low, f"slide {s.number} says click"
            assert low.count("press") == low.count("press →"), f"slide {s.number}"
        assert "photograph" not in (s.caption + s.answer).casefold()


def test_text_fits_a_projector(lesson):
    """At 1280×800, zoom 150, a line holds about 55 characters: the question and its
    answer together stay within about four lines, so the grids keep the screen."""
    for s in lesson.slides:
        assert len(s.caption) <= 180, f"slide {s.number}'s caption"
        assert len(s.caption) + len(s.answer) <= 250, f"slide {s.number}'s caption + answer"


def test_the_summary_sums_up_and_is_not_slide_one(lesson):
    last = lesson.slides[-1]
    assert last.title == "Summary" and last.caption != lesson.slides[0].caption
    for point in ("bias", "(H − h + 1) × (W − w + 1)", "learned", "flip"):
        assert point in last.caption


# ---------------------------------------------------------------------- 6.2.1
def test_cross_correlation_and_its_size(lesson):
    p, s = enter(lesson, "Cross-correlation")
    assert s.current is None
    assert outputs_while_stepping(p) == [19, 25, 37, 43]
    _, s = enter(lesson, "The output is smaller")
    assert s.output.shape == (3 - 2 + 1, 3 - 2 + 1)


# ---------------------------------------------------------------------- 6.2.2
def test_bias_products_and_sum_wait_for_the_reveal(lesson):
    p, s = enter(lesson, "A layer adds a bias")
    assert s.options.bias == 1 and s.current is None and s.hidden == {"result"}
    assert p.next().kind == "reveal" and s.hidden == frozenset()
    assert s.current.total == 19 and s.current.result == 20  # "19 + 1 = 20"
    assert [s.current.result, *outputs_while_stepping(p)] == [20, 26, 38, 44]


# ---------------------------------------------------------------------- 6.2.3
def test_finding_edges_signs(lesson):
    p, s = enter(lesson, "Finding edges")
    p.next()
    Y = s.output
    X = s.input
    white_to_black = (X[:, :-1] == 1) & (X[:, 1:] == 0)
    black_to_white = (X[:, :-1] == 0) & (X[:, 1:] == 1)
    np.testing.assert_array_equal(Y[white_to_black], 1)
    np.testing.assert_array_equal(Y[black_to_white], -1)
    np.testing.assert_array_equal(Y[~white_to_black & ~black_to_white], 0)


def test_transposed_image_vanishes_by_structure(lesson):
    p, s = enter(lesson, "Turn the image")
    p.next()
    assert s.output.shape == (8, 5) and not s.output.any()  # "All zeros"
    # "every row of Xᵀ is constant and 1 − 1 = 0": so any such image gives zeros.
    assert all(np.ptp(row) == 0 for row in s.input) and s.kernel.sum() == 0
    rng = np.random.default_rng(0)
    rows = np.repeat(rng.integers(-9, 9, (8, 1)).astype(float), 6, axis=1)
    assert not corr2d(rows, s.kernel).any()


def test_edge_maps_and_the_transposed_kernel(lesson):
    _, s = enter(lesson, "The edge map")
    assert not s.edges.map("XK").vanishes and s.edges.map("XtK").vanishes
    p, s = enter(lesson, "Transpose the kernel")
    p.next()
    assert s.edges.map("XKt").vanishes  # "Nothing on X"
    np.testing.assert_array_equal(s.edges.map("XtKt").values, s.edges.map("XK").values.T)


# ---------------------------------------------------------------------- 6.2.4
def test_mxnet_slide_prints_the_books_lines(lesson):
    _, s = enter(lesson, "Learning the kernel")
    run = s.learning.run
    assert run.settings == mxnet_edition(init="book")
    np.testing.assert_array_equal(run.K0, [BOOK_STARTS["squared"]])
    assert run.advance(run.settings.steps) == 10
    assert list(run.log) == MXNET_PRINTED  # digit for digit, in MXNet's %.3f
    k = run.kernel.ravel()
    assert abs(k[0] - 0.9895) < 1e-6 and abs(k[1] - (-0.9873705)) < 1e-6  # as printed
    # "one batch is the whole data set": each loss is over all 42 outputs at once.
    _, losses = run.loss_history()
    assert losses[0] == pytest.approx(loss_value(corr2d(run.data.X, run.K0), run.data.Y))
    assert run.data.Y.size == 42


def test_the_brief_replays_the_mxnet_edition():
    run = LearningRun(mxnet_edition(init="book"), LearningData.chapter())
    run.advance(10)
    assert list(run.log) == MXNET_PRINTED


def test_djl_slide_replays_djl_within_a_hundredth_of_a_percent(lesson):
    _, s = enter(lesson, "Same idea, other settings")
    run = s.learning.run
    assert run.settings == djl_edition(init="book")
    run.advance(10)
    _, losses = run.loss_history()
    np.testing.assert_allclose(losses[1::2], DJL_PRINTED, rtol=1e-4)
    lines = list(run.log)
    assert len(lines) == 5 and lines[0].startswith("batch 2 loss: 0.1257")  # DJL's format
    for line, value in zip(lines, losses[1::2], strict=True):
        assert float(line.rsplit(": ", 1)[1]) == pytest.approx(value, rel=1e-7)
    k = run.kernel.ravel()
    np.testing.assert_allclose(k, [0.4475, -0.4477], atol=5e-5)
    # "antisymmetric already, but only halfway"
    assert abs(k[0] + k[1]) < 1e-3 and 0.4 < k[0] < 0.5


def _hessian(run: LearningRun) -> tuple[np.ndarray, np.ndarray]:
    q = run.quadratic
    return np.linalg.eigh(2 * q.c * q.G)


def test_the_valley(lesson):
    _, s = enter(lesson, "A valley")
    run = s.learning.run
    assert run.settings.loss == "l2" and run.settings.lr == 0.4
    w, V = _hessian(run)
    across, along = w[1], w[0]
    assert across / along == pytest.approx(5.0)  # "5× steeper"
    np.testing.assert_allclose(np.abs(V[:, 1]), [math.sqrt(0.5)] * 2)  # (1, 1)
    assert V[0, 0] * V[1, 0] < 0  # (1, −1): the edge direction
    factors = 1 - run.settings.lr * w
    assert round(factors[1], 2) == 0.71 and round(factors[0], 2) == 0.94
    mx = LearningRun(mxnet_edition(init="book"), LearningData.chapter())
    np.testing.assert_allclose(_hessian(mx)[0], [12, 60])  # the notes' curvatures
    # After 10 steps the edge component has come 1 − 0.943¹⁰ ≈ 44 % of the way.
    run.advance(10)
    done = 1 - (run.kernel.ravel() @ [1, -1]) / 2  # distance left along (1, −1), K_true = 1
    assert 1 - done == pytest.approx(1 - factors[0] ** 10, abs=0.01)
    assert 1 - factors[0] ** 10 == pytest.approx(0.44, abs=0.01)


def test_close_to_the_edge_and_past_it(lesson):
    p, s = enter(lesson, "Close to the edge")
    run = s.learning.run
    q = run.quadratic
    assert q.max_stable_lr() == pytest.approx(2 / 60) and round(q.max_stable_lr(), 4) == 0.0333
    assert run.settings.lr / q.max_stable_lr() == pytest.approx(0.90)
    assert 1 - 0.03 * q.curvature == pytest.approx(-0.8)
    assert 1 - 0.034 * q.curvature == pytest.approx(-1.04)
    assert s.hidden == {"answer"} and p.next().kind == "reveal"

    _, s = enter(lesson, "Try 0.034")
    run = s.learning.run
    assert run.settings.lr == 0.034 > q.max_stable_lr() and run.settings.log_scale
    taken = run.advance(run.settings.steps)
    assert run.diverged and taken < run.settings.steps  # "stops as it diverges"
    assert run.suggested_lr is not None and run.suggested_lr < q.max_stable_lr()
    _, y = run.loss_history()
    assert int(np.argmin(y)) + 1 == 10  # "falls for 10 steps"
    assert np.all(np.diff(y[:10]) < 0) and np.all(np.diff(y[10:]) > 0)  # "then climbs"
    assert round(run.summary.min, 4) == 0.0129 and run.summary.count + 1 == 275  # the notes


def test_learning_from_the_transposed_image(lesson):
    _, s = enter(lesson, "Learning from Xᵀ")
    run = s.learning.run
    assert run.data.X.shape == (8, 6) and not run.data.Y.any()  # (Xᵀ, 0)
    run.advance(run.settings.steps)
    assert run.summary.last < 1e-12  # "the loss reaches 0"
    k, k0 = run.kernel.ravel(), run.K0.ravel()
    assert np.abs(k - k0).max() < 0.02  # "K ends near its start"
    assert np.linalg.norm(k - [1, -1]) > 1  # "nowhere near [1, −1]"
    assert abs(k.sum()) < 1e-9  # on the line w₁ + w₂ = 0, "any K with w₁ + w₂ = 0 fits"
    np.testing.assert_allclose(k, [-0.003082, 0.003082], atol=1e-9)  # the notes
    assert run.quadratic.curvature == pytest.approx(80)
    for w1 in (-3.0, 0.5, 7.0):
        assert run.quadratic.value(np.array([w1, -w1])) == 0
    assert run.settings.lr == 0.01
    assert run.quadratic.max_stable_lr() == pytest.approx(0.025)  # "limit is 0.025"
    book = LearningRun(
        mxnet_edition(init="book", source="current"), LearningData.from_grids(run.data.X, s.kernel)
    )
    book.advance(100)
    assert book.diverged  # lr 0.03 on this data


# ---------------------------------------------------------------------- 6.2.5
def test_convolution_flip_waits_for_the_reveal(lesson):
    p, s = enter(lesson, "Convolution flips the kernel")
    assert not s.options.convolution and s.current is None  # no flipped kernel shown yet
    p.next()
    assert s.options.convolution
    np.testing.assert_array_equal(s.applied_kernel, [[3, 2], [1, 0]])
    assert s.current.result == 0 * 3 + 1 * 2 + 3 * 1 + 4 * 0 == 5
    assert [5, *outputs_while_stepping(p)] == [5, 11, 23, 29]
    np.testing.assert_array_equal(conv2d(presets.fig_621(), presets.fig_621_kernel()).ravel(),
                                  [5, 11, 23, 29])  # fmt: skip


def test_a_true_convolution_would_learn_the_flipped_kernel(lesson):
    p, s = enter(lesson, "Learned by a convolution")
    Y = s.output.copy()
    np.testing.assert_array_equal(Y, LearningData.chapter().Y)
    p.next()
    np.testing.assert_array_equal(s.kernel, [[-1, 1]])
    assert s.options.convolution
    np.testing.assert_array_equal(s.applied_kernel, [[1, -1]])
    np.testing.assert_array_equal(s.output, Y)  # "the very same Y"
    # A convolution layer's least-squares kernel is the flip of the correlation's.
    X = s.input
    A = sliding_window_view(X, (1, 2)).reshape(-1, 2)[:, ::-1]  # conv: taps reversed
    sol, *_ = np.linalg.lstsq(A, Y.ravel(), rcond=None)
    np.testing.assert_allclose(sol, [-1, 1], atol=1e-12)


# ----------------------------------------------------------------- Exercise 1
def test_diagonal_edges(lesson):
    def revealed(title):
        p, s = enter(lesson, title)
        p.next()
        return s.output

    Y = revealed("A diagonal edge")
    assert set(np.unique(Y)) == {0, 1}
    np.testing.assert_array_equal((Y == 1).sum(axis=1), [1] * 7 + [0])  # "except the bottom row"
    assert np.all(np.diff(np.argmax(Y[:7] == 1, axis=1)) == 1)  # a diagonal line
    Y = revealed("Transpose X")
    assert set(np.unique(Y)) == {-1, 0}
    np.testing.assert_array_equal((Y == -1).sum(axis=1), [0] + [1] * 7)  # "the top row ... 0s"
    assert np.all(np.diff(np.argmax(Y[1:] == -1, axis=1)) == 1)
    Y = revealed("Transpose K")
    assert set(np.unique(Y)) == {-1, 0} and np.all(np.diff(np.argmax(Y == -1, axis=1)) == 1)
    _, s = enter(lesson, "All four at once")
    assert all(not m.vanishes for m in s.edges.maps().values())


def test_drawn_house_roof_shows_in_both_maps(lesson):
    _, s = enter(lesson, "A drawn picture")
    assert s.edges.name == "Sample: house front" and s.edges.show_kt
    X = s.edges.picture
    n = X.shape[0]
    XK, XKt = np.abs(s.edges.map("XK").values), np.abs(s.edges.map("XKt").values)
    wall_top = 0.42  # scripts/make_sample_images.py: the roof's slopes
    hits = {"XK": 0, "XKt": 0}
    xs = [*np.linspace(0.15, 0.4, 12), *np.linspace(0.6, 0.85, 12)]
    for x in xs:
        r = round((wall_top - 0.3 + abs(x - 0.5) * 0.75) * (n - 1))
        c = round(x * (n - 1))
        hits["XK"] += XK[r - 2 : r + 3, c - 2 : c + 3].max() > 0.2
        hits["XKt"] += XKt[r - 2 : r + 3, c - 2 : c + 3].max() > 0.2
    assert hits == {"XK": len(xs), "XKt": len(xs)}


# ----------------------------------------------------------------- Exercise 2
def test_second_write_and_the_mxnet_message(lesson):
    p, s = enter(lesson, "Autograd on corr2d")
    assert s.step == 0 and s.hidden == {"answer"}
    p.next()
    assert s.step == 1  # the second write, Y[0, 1]
    sl = lesson.slides[p.index]
    for words in ("y[idx]=x", "inside a record section", "PyTorch"):
        assert words in sl.answer
    # MXNet 1.x, Imperative::RecordOp: the message in full, for the presenter.
    assert (
        "Assigning to NDArrays that are already in a computational graph will cause undefined "
        "behavior when evaluating gradients. Please call backward first to clear the graph or "
        "do this out side of a record section. Also note that you cannot use inplace operations "
        "like +=, *=, relu(x, out=x), y[idx]=x, etc inside a record section." in sl.notes
    )


def test_the_gradient_is_a_correlation(lesson):
    p, s = enter(lesson, "∂L/∂K is a correlation")
    data = LearningData.chapter()
    X, Y = data.X, data.Y
    dY = 2 * (corr2d(X, np.zeros((1, 2))) - Y)  # "2(Ŷ − Y) = −2Y" at K = 0
    np.testing.assert_array_equal(dY, -2 * Y)
    np.testing.assert_array_equal(s.input, X)
    np.testing.assert_array_equal(s.kernel, dY)
    assert s.current is None and s.hidden == {"result"}
    p.next()
    p.next()
    dK = kernel_grad(X, dY, (1, 2))
    np.testing.assert_array_equal(dK, [[-12, 12]])
    np.testing.assert_array_equal(s.output, dK)  # corr2d(X, ∂L/∂Y) on screen
    # Finite differences agree: this is the squared error's gradient.
    L = lambda k: loss_value(corr2d(X, k), Y)  # noqa: E731
    for j in range(2):
        e = np.zeros((1, 2))
        e[0, j] = 1e-6
        assert (L(e) - L(-e)) / 2e-6 == pytest.approx(dK[0, j], rel=1e-6)


def test_the_learning_panel_shows_the_same_gradient(lesson):
    _, s = enter(lesson, "The engine's gradient")
    run = s.learning.run
    np.testing.assert_array_equal(run.K0, [[0, 0]])
    assert run.advance(run.settings.steps) == 1
    np.testing.assert_array_equal(run.grad, [[-12, 12]])
    d = run.data
    dY = 2 * (corr2d(d.X, run.K0) - d.Y)  # the squared error's ∂L/∂Y at K0
    np.testing.assert_array_equal(kernel_grad(d.X, dY, (1, 2)), run.grad)


# ----------------------------------------------------------------- Exercise 3
def test_banded_w(lesson):
    p, s = enter(lesson, "As a matrix product")
    K = s.kernel
    assert np.all(K != 0)  # "no zero, so the band shows"
    W = corr_matrix(s.input.shape, K)
    assert W.shape == (4, 9)
    for n, row in enumerate(W):
        i, j = divmod(n, 2)
        start = i * 3 + j
        np.testing.assert_array_equal(np.flatnonzero(row), start + np.array([0, 1, 3, 4]))
        np.testing.assert_array_equal(row[row != 0], K.ravel())  # the kernel's 4 taps
    assert outputs_while_stepping(p) == [27, 37, 57, 67]
    np.testing.assert_array_equal(W @ s.input.ravel(), s.output.ravel())


def test_im2col_patches_times_the_kernel(lesson):
    p, s = enter(lesson, "Or: patches × kernel")
    P = s.input
    np.testing.assert_array_equal(P, presets.im2col(presets.fig_621(), (2, 2)))
    k = presets.kernel_preset("No zero 2×2 (1..4)").ravel()
    np.testing.assert_array_equal(s.kernel, [k])
    assert outputs_while_stepping(p) == [27, 37, 57, 67]
    np.testing.assert_array_equal(s.output.ravel(), P @ k)
    # "and so does the learner": its patch matrix A is the same im2col.
    d = LearningData.from_grids(presets.fig_621(), k.reshape(2, 2))
    q = Quadratic(d, (2, 2), "squared")
    np.testing.assert_array_equal(q.G, P.T @ P)


def _nonzeros(size: int, k: int) -> tuple[int, int, int]:
    o = size - k + 1
    return o * o, size * size, o * o * k * k


@pytest.mark.parametrize(("size", "k"), [(5, 3), (6, 2), (8, 3)])
def test_sparsity_formula_matches_the_engine(size, k):
    rows, cols, nz = _nonzeros(size, k)
    W = corr_matrix((size, size), np.ones((k, k)))
    assert W.shape == (rows, cols) and np.count_nonzero(W) == nz


def test_w_is_mostly_zeros(lesson):
    _, s = enter(lesson, "W is mostly zeros")
    W = corr_matrix(s.input.shape, s.kernel)
    assert W.shape == (24, 48) and np.count_nonzero(W) == 216 and W.size == 1152
    rows, cols, nz = _nonzeros(224, 3)
    assert (rows, cols, nz) == (49_284, 50_176, 443_556)
    assert round(rows * cols / 1e9, 2) == 2.47
    assert round(100 * nz / (rows * cols), 3) == 0.018
    cap = lesson.slides[slide(lesson, "W is mostly zeros")].caption
    for text in ("24×48", "216 of 1,152", "49,284 × 50,176", "443,556", "2.47 billion", "0.018 %"):
        assert text in cap


def test_w_transpose_is_the_transposed_convolution(lesson):
    _, s = enter(lesson, "Wᵀ runs backwards")
    K = s.kernel
    y = s.input
    W = corr_matrix((3, 3), K)
    np.testing.assert_array_equal(s.output, (W.T @ y.ravel()).reshape(3, 3))
    stamps = np.zeros((3, 3))
    stamps[:2, :2] += K
    stamps[1:, 1:] += K
    np.testing.assert_array_equal(s.output, stamps)  # "stamps K twice"
    # Wᵀ is also the backward pass of the layer: ∂L/∂X for ∂L/∂Y = y.
    rng = np.random.default_rng(1)
    g = rng.normal(size=(2, 2))
    np.testing.assert_allclose(conv2d(g, K, padding=1).ravel(), W.T @ g.ravel())


# ----------------------------------------------------------------- Exercise 4
def test_second_derivative_rows(lesson):
    p, s = enter(lesson, "Second derivative")
    p.next()
    Y = s.output
    np.testing.assert_array_equal(Y[0], 0)
    np.testing.assert_array_equal(Y[1], 0)
    np.testing.assert_array_equal(Y[2], 2)
    np.testing.assert_array_equal(Y[3], [6, 12, 18, 24, 30])
    np.testing.assert_array_equal(Y[3], 6 * np.arange(5) + 6)
    np.testing.assert_array_equal(s.kernel, s.kernel[:, ::-1])  # symmetric: flip-proof
    np.testing.assert_array_equal(conv2d(s.input, s.kernel), Y)


def test_laplacian_ring(lesson):
    _, s = enter(lesson, "Laplace operator")
    assert s.options.padding == (1, 1) and s.output.shape == s.input.shape
    D = s.input.astype(bool)
    out = s.output
    nb = np.zeros_like(D, dtype=int)  # 4-neighbours inside the disc, zeros outside
    P = np.pad(D, 1)
    for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
        nb += P[1 + dr : 1 + dr + D.shape[0], 1 + dc : 1 + dc + D.shape[1]]
    rim = D & (nb < 4)
    outside = ~D & (nb > 0)
    assert np.all(out[rim] < 0) and np.all(out[outside] > 0)  # the ± ring
    assert not out[~rim & ~outside].any()  # "flat regions give 0"
    # Without padding the positive ring would be cut off at the frame.
    assert (corr2d(s.input, s.kernel) > 0).sum() < (out > 0).sum()
    # The ring is whole: the positive cells enclose the disc (no gap to the frame).
    assert not (D[0].any() or D[-1].any() or D[:, 0].any() or D[:, -1].any())


def test_box_sum_ramps(lesson):
    _, s = enter(lesson, "Integral")
    np.testing.assert_array_equal(s.output, np.tile([6, 3, 0, 0, 3, 6], (4, 1)))


def test_integral_image_gives_every_box_sum(lesson):
    _, s = enter(lesson, "The integral image")
    X = presets.edge_image()
    S = s.input
    np.testing.assert_array_equal(S[1:, 1:], np.cumsum(np.cumsum(X, 0), 1))
    assert not S[0].any() and not S[:, 0].any()
    assert np.count_nonzero(s.kernel) == 4
    np.testing.assert_array_equal(s.output, corr2d(X, np.ones((3, 3))))  # as the box kernel
    rng = np.random.default_rng(2)
    Z = rng.integers(0, 9, (7, 9)).astype(float)
    for h, w in ((1, 1), (2, 2), (4, 5), (7, 9)):  # "for any size", still 4 taps
        Kc = presets.box_corners(h, w)
        assert np.count_nonzero(Kc) == 4
        np.testing.assert_array_equal(
            corr2d(presets.integral_image(Z), Kc), corr2d(Z, np.ones((h, w)))
        )


def test_sum_then_differentiate(lesson):
    p, s = enter(lesson, "Sum, then differentiate")
    np.testing.assert_array_equal(s.input[0], [1, 2, 2, 2, 2, 2, 3, 4])
    assert s.options.convolution
    p.next()
    X = presets.edge_image()
    np.testing.assert_array_equal(s.output, X[:, 1:])  # "the picture again"
    np.testing.assert_array_equal(corr2d(s.input, s.kernel), -X[:, 1:])  # "gives −X"


def test_third_derivative_sign_and_the_flip(lesson):
    p, s = enter(lesson, "Third derivative")
    np.testing.assert_array_equal(s.input, presets.powers())
    p.next()
    np.testing.assert_array_equal(s.output, [[0] * 4, [0] * 4, [0] * 4, [-6] * 4])
    p, s = enter(lesson, "With the flip")
    np.testing.assert_array_equal(s.applied_kernel, [[-1, 3, -3, 1]])
    p.next()
    np.testing.assert_array_equal(s.output, [[0] * 4, [0] * 4, [0] * 4, [6] * 4])
    assert factorial(3) == 6
    # (−1)ᵈ for every order: the binomial kernel under correlation and convolution.
    x = np.arange(12.0)
    for d in range(1, 6):
        k = np.array([[(-1) ** i * comb(d, i) for i in range(d + 1)]], float)
        xd = (x**d)[None, :]
        np.testing.assert_allclose(corr2d(xd, k), (-1) ** d * factorial(d))
        np.testing.assert_allclose(conv2d(xd, k), factorial(d))


def test_why_d_plus_one_taps(lesson):
    _, s = enter(lesson, "Why d + 1 taps")
    Y = s.output
    assert not Y[0].any() and not Y[1].any() and Y[2].all()  # 1 and x, but not x²
    for d in range(1, 7):
        V = np.arange(d, dtype=float)[None, :] ** np.arange(d)[:, None]  # d equations, d taps
        assert np.linalg.matrix_rank(V) == d  # only the zero kernel
        V1 = np.arange(d + 1, dtype=float)[None, :] ** np.arange(d)[:, None]
        null = np.linalg.svd(V1)[2][-1]
        binom = np.array([(-1) ** i * comb(d, i) for i in range(d + 1)], float)
        np.testing.assert_allclose(np.abs(null / null[0]), np.abs(binom))


def test_mixed_derivative(lesson):
    p, s = enter(lesson, "Mixed derivatives")
    assert s.kernel.shape == (1 + 1, 2 + 1)  # (b + 1) × (a + 1) for a = 2, b = 1
    p.next()
    np.testing.assert_array_equal(s.output, -2)  # (−1)³ × 2
    y, x = np.mgrid[:7, :8].astype(float)
    for a in range(3):
        for b in range(3):
            k = np.outer(
                [(-1) ** i * comb(b, i) for i in range(b + 1)],
                [(-1) ** i * comb(a, i) for i in range(a + 1)],
            )
            assert k.shape == (b + 1, a + 1)
            np.testing.assert_allclose(
                corr2d(x**a * y**b, k), (-1) ** (a + b) * factorial(a) * factorial(b)
            )
