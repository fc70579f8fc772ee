"""Learning a kernel (6.2.4) as a run: both editions replayed, bounded memory, divergence."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from convviz.engine import corr2d, loss_value, train_kernel
from convviz.model import Session
from convviz.model.learning import (
    MAX_LOG_LINES,
    PREVIEW_STEPS,
    LearningData,
    LearningRun,
    LearningSettings,
    LearningState,
    data_for,
    djl_edition,
    kernel_text,
    log_line,
    mxnet_edition,
    parse_kernel_text,
)
from convviz.model.values import ValueProblem


def chapter_run(settings: LearningSettings, **kw) -> LearningRun:
    return LearningRun(settings, LearningData.chapter(), **kw)


def test_chapter_data_is_the_books():
    d = LearningData.chapter()
    assert d.X.shape == (6, 8) and d.Y.shape == (6, 7)
    np.testing.assert_array_equal(d.Y, corr2d(d.X, [[1.0, -1.0]]))
    np.testing.assert_array_equal(d.Y[:, 1], 1.0)
    np.testing.assert_array_equal(d.Y[:, 5], -1.0)


@pytest.mark.parametrize("edition", [mxnet_edition, djl_edition])
def test_edition_replays_train_kernel(edition):
    s = edition()
    run = chapter_run(s)
    assert run.advance(s.steps) == 10
    ref = train_kernel(run.data.X, run.data.Y, run.K0, lr=s.lr, loss=s.loss, steps=10)
    x, y = run.loss_history()
    np.testing.assert_array_equal(x, np.arange(1, 11))
    np.testing.assert_array_equal(y, ref.losses)
    np.testing.assert_array_equal(run.kernel, ref.kernel)
    assert run.summary.count == 10 and run.summary.last == ref.losses[-1]


@pytest.mark.parametrize("seed", [0, 1, 7, 2024])
def test_mxnet_edition_falls_100x_and_finds_the_edge_kernel(seed):
    run = chapter_run(mxnet_edition(seed=seed))
    assert np.all(np.abs(run.K0) <= 0.07)
    run.advance(10)
    _, y = run.loss_history()
    assert y[0] / y[-1] > 100
    np.testing.assert_allclose(run.kernel, [[1.0, -1.0]], atol=0.05)
    assert next(iter(run.log)).startswith("batch 2, loss ")
    assert len(run.log) == 5 and list(run.log)[-1].startswith("batch 10, loss ")


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_djl_edition_falls_about_2_5x(seed):
    run = chapter_run(djl_edition(seed=seed))
    run.advance(10)
    _, y = run.loss_history()
    printed = y[1::2]  # batches 2, 4, ..., 10 as the book prints them
    assert 2.0 < printed[0] / printed[-1] < 3.5
    k = run.kernel.ravel()
    assert 0.35 < k[0] < 0.55 and -0.55 < k[1] < -0.35  # the book: [0.4475, -0.4477]


def test_pause_and_resume_equals_uninterrupted():
    a, b = chapter_run(mxnet_edition()), chapter_run(mxnet_edition())
    a.advance(3)
    a.advance(7)
    b.advance(10)
    np.testing.assert_array_equal(a.loss_history()[1], b.loss_history()[1])
    np.testing.assert_array_equal(a.kernel, b.kernel)
    np.testing.assert_array_equal(a.weight_history()[1], b.weight_history()[1])
    assert list(a.log) == list(b.log)


def test_reset_with_the_same_seed_replays_exactly():
    run = chapter_run(djl_edition(seed=5))
    run.advance(37)
    first = (run.loss_history(), run.kernel, list(run.log))
    run.reset()
    assert run.steps == 0 and run.summary.count == 0 and not run.log
    run.advance(37)
    np.testing.assert_array_equal(run.loss_history()[1], first[0][1])
    np.testing.assert_array_equal(run.kernel, first[1])
    assert list(run.log) == first[2]
    other = chapter_run(djl_edition(seed=6))
    assert not np.array_equal(other.K0, run.K0)


def test_weights_and_descent_path():
    run = chapter_run(mxnet_edition())
    x, W = run.weight_history()
    np.testing.assert_array_equal(x, [0])
    np.testing.assert_array_equal(W[0], run.K0.ravel())
    run.advance(10)
    x, W = run.weight_history()
    np.testing.assert_array_equal(x, np.arange(11))
    np.testing.assert_array_equal(W[-1], run.kernel.ravel())
    path = run.descent_path()
    assert path.shape == (11, 2)
    assert np.linalg.norm(path[-1] - [1, -1]) < np.linalg.norm(path[0] - [1, -1])
    # The weights recorded at update t produce the loss of batch t + 1.
    q = run.quadratic
    np.testing.assert_allclose(q.value(W[:10]), run.loss_history()[1], rtol=1e-12)


def test_a_million_steps_in_bounded_memory():
    run = chapter_run(mxnet_edition(), max_points=1000)
    for _ in range(10):
        run.advance(100_000)
    assert run.summary.count == 1_000_000 == run.steps
    x, y = run.loss_history()
    assert len(x) <= 1001 and x[0] == 1 and x[-1] == 1_000_000 and y[-1] == run.summary.last
    assert np.all(np.diff(x) > 0) and np.isfinite(y).all()
    xw, W = run.weight_history()
    assert len(xw) <= 1001 and xw[-1] == 1_000_000
    np.testing.assert_array_equal(W[-1], run.kernel.ravel())
    assert run.summary.first == pytest.approx(y[0]) and run.summary.min <= y.min()
    assert len(run.log) <= MAX_LOG_LINES and run.log_count < 400
    assert run.log[-1] == f"batch 1000000, loss {run.summary.last:.3f}"  # MXNet %.3f
    np.testing.assert_allclose(run.kernel, [[1, -1]], atol=1e-12)


def test_decimation_keeps_the_start_and_doubles_the_stride():
    run = chapter_run(mxnet_edition(), max_points=8)
    run.advance(100)
    assert run.stride == 16
    x, _ = run.loss_history()
    assert x[0] == 1 and x[-1] == 100 and len(x) <= 9


@pytest.mark.parametrize("chunks", [[10], [1] * 10, [4, 6]])
def test_divergence_stops_with_a_suggestion(chunks):
    run = chapter_run(mxnet_edition(lr=10))
    for c in chunks:
        run.advance(c)
    assert run.diverged and run.finished
    assert "too large" in run.message and "Try 0.01" in run.message
    assert run.suggested_lr == 0.01
    _x, y = run.loss_history()
    assert len(y) >= 1 and np.isfinite(y).all() and np.isfinite(run.kernel).all()
    assert np.isfinite(run.weight_history()[1]).all()
    assert run.advance(10) == 0  # stays stopped until reset
    assert run.log[-1].startswith("# stopped: diverged")
    # The suggested rate works.
    fixed = chapter_run(mxnet_edition(lr=run.suggested_lr))
    fixed.advance(200)
    assert not fixed.diverged and fixed.summary.last < 1e-6


def test_divergence_just_above_the_stable_rate():
    run = chapter_run(mxnet_edition(lr=0.034))  # the limit is 2 / 60 = 0.0333
    assert run.quadratic.max_stable_lr() == pytest.approx(1 / 30)
    run.advance(1_000_000)
    assert run.diverged and np.isfinite(run.loss_history()[1]).all()
    assert run.summary.count < 10_000


def test_engine_overflow_is_divergence_too():
    run = chapter_run(mxnet_edition(lr=1000.0, init="normal", init_scale=1000.0))
    run.advance(50)
    assert run.diverged and np.isfinite(run.loss_history()[1]).all()


def test_run_until_converged_stops_at_the_threshold():
    run = chapter_run(mxnet_edition())
    taken = run.advance(10_000, stop_below=1e-6)
    assert run.converged and taken == run.steps
    _, y = run.loss_history()
    assert y[-1] <= 1e-6 < y[-2]
    ref = train_kernel(run.data.X, run.data.Y, run.K0, steps=taken)
    np.testing.assert_array_equal(run.kernel, ref.kernel)
    assert "Converged" in run.message


def test_loss_surface_agrees_with_loss_value():
    for s in (mxnet_edition(), djl_edition()):
        run = chapter_run(s)
        r1, r2 = (-0.5, 1.5), (-1.5, 0.5)
        Z = run.loss_surface(r1, r2, 5)
        w1, w2 = np.linspace(*r1, 5), np.linspace(*r2, 5)
        for i, j in [(0, 0), (2, 3), (4, 1), (1, 4)]:
            K = np.array([[w1[j], w2[i]]])
            want = loss_value(corr2d(run.data.X, K), run.data.Y, s.loss)
            assert Z[i, j] == pytest.approx(want, rel=1e-10, abs=1e-12)
        # its minimum is the true kernel
        Z = run.loss_surface((0.0, 2.0), (-2.0, 0.0), 21)
        assert np.unravel_index(Z.argmin(), Z.shape) == (10, 10)
    (a, b), (c, d) = run.surface_ranges()
    assert a < min(run.K0[0, 0], 1) and b > 1 and c < -1 and d > max(run.K0[0, 1], -1)


def test_loss_surface_needs_two_weights():
    run = chapter_run(mxnet_edition(learn_bias=True))
    assert not run.two_weights
    with pytest.raises(ValueError, match="two weights"):
        run.loss_surface((0, 1), (0, 1), 5)


def test_learning_a_bias_too():
    X = np.random.default_rng(1).integers(0, 4, (5, 6)).astype(float)
    d = LearningData.from_grids(X, [[1.0, 2.0], [0.0, -1.0]])
    d2 = LearningData(d.X, d.Y + 0.5, d.K_true, "current")
    s = mxnet_edition(source="current", learn_bias=True, lr=0.002)
    run = LearningRun(s, d2)
    assert run.param_names == ["w[0,0]", "w[0,1]", "w[1,0]", "w[1,1]", "b"]
    run.advance(200_000, stop_below=1e-12)
    assert run.converged
    np.testing.assert_allclose(run.kernel, d.K_true, atol=1e-4)
    assert run.bias == pytest.approx(0.5, abs=1e-4)


def test_current_source_uses_the_session_kernel_as_target():
    sess = Session()
    sess.set_grid("input", np.arange(30.0).reshape(5, 6) % 4)
    sess.set_grid("kernel", [[0.0, 1.0], [-1.0, 0.5]])
    s = LearningSettings(source="current", kernel_shape=(1, 2), lr=0.002)
    d = data_for(s, sess)
    np.testing.assert_array_equal(d.Y, corr2d(sess.input, sess.kernel))
    run = LearningRun(s, d)
    assert run.shape == (2, 2) and run.K0.shape == (2, 2)
    run.advance(100_000, stop_below=1e-10)
    np.testing.assert_allclose(run.kernel, sess.kernel, atol=1e-3)
    assert d.same_as(data_for(s, sess))
    sess.set_cell("input", 0, 0, 9)
    assert not d.same_as(data_for(s, sess))


def test_settings_validation_messages():
    assert LearningSettings().validated() == mxnet_edition()
    cases = [
        (dict(lr=0), "learning rate"),
        (dict(lr=float("nan")), "learning rate"),
        (dict(steps=0), "number of steps"),
        (dict(steps=2.5), "number of steps"),
        (dict(loss="abs"), "'squared'"),
        (dict(init="zeros"), "'normal', 'uniform', 'typed' or 'book'"),
        (dict(init_scale=-1.0), "initial scale"),
        (dict(seed=-3), "seed"),
        (dict(kernel_shape=(0, 2)), "between 1×1 and 15×15"),
        (dict(kernel_shape=(1, 2, 3)), "between 1×1 and 15×15"),
        (dict(threshold=0.0), "threshold"),
        (dict(source="web"), "'chapter'"),
        (dict(init="typed", typed_kernel=((1.0, 2.0, 3.0),)), "is 1×3 but the kernel to learn"),
        (dict(typed_kernel=((float("inf"), 0.0),)), "typed initial kernel"),
    ]
    for changes, text in cases:
        with pytest.raises(ValueProblem, match=text.replace("(", r"\(")):
            LearningSettings(**changes).validated()
    # several problems are all reported
    msg = LearningSettings(lr=-1.0, steps=0).problems()
    assert len(msg) == 2


def test_typed_initial_kernel():
    K = parse_kernel_text("0.5, −0.25")
    assert K == ((0.5, -0.25),)
    assert parse_kernel_text(kernel_text(np.array([[1.5, -2.0]]))) == ((1.5, -2.0),)
    run = chapter_run(mxnet_edition(init="typed", typed_kernel=K))
    np.testing.assert_array_equal(run.K0, [[0.5, -0.25]])
    exact = chapter_run(mxnet_edition(init="typed", typed_kernel=((1.0, -1.0),)))
    exact.advance(5)
    assert exact.summary.last == 0.0 and not exact.diverged
    with pytest.raises(ValueProblem):
        parse_kernel_text("1, x")


def test_restart_needed_only_for_run_fields():
    s = mxnet_edition()
    assert not s.restart_needed(mxnet_edition(steps=1000, log_scale=True, threshold=1e-3))
    assert s.restart_needed(mxnet_edition(lr=0.01))
    assert s.restart_needed(mxnet_edition(seed=1))
    assert s.changed_fields(mxnet_edition(lr=0.01, steps=3)) == ["lr", "steps"]


def test_kernel_larger_than_input_is_refused():
    with pytest.raises(ValueProblem, match="larger than the input"):
        LearningData.from_grids(np.ones((2, 2)), np.ones((3, 1)))


def test_larger_kernels_learn_the_chapter_edge_padded_with_zeros():
    s = mxnet_edition(kernel_shape=(2, 3), lr=0.005)
    d = data_for(s)
    np.testing.assert_array_equal(d.K_true, [[1, -1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(d.Y, LearningData.chapter().Y[:5, :6])
    run = LearningRun(s, d)
    run.advance(100_000, stop_below=1e-20)
    assert run.summary.last < 1e-12
    # All rows of X are alike: only the column sums are pinned down by (X, Y).
    np.testing.assert_allclose(run.kernel.sum(0), [1, -1, 0], atol=1e-6)
    assert not run.two_weights
    with pytest.raises(ValueProblem, match="at least 2 columns"):
        data_for(mxnet_edition(kernel_shape=(2, 1)))
    with pytest.raises(ValueProblem, match="larger than the chapter"):
        data_for(mxnet_edition(kernel_shape=(7, 2)))


def test_a_learned_shape_other_than_the_targets_is_refused():
    d = LearningData.from_grids(np.ones((4, 4)), np.ones((2, 2)))
    with pytest.raises(ValueProblem, match="must be 2×2 too"):
        LearningRun(mxnet_edition(), LearningData(d.X, d.Y, d.K_true, "chapter"))


def test_state_on_the_session_is_cheap_and_announces():
    sess = Session()
    st = sess.learning
    assert isinstance(st, LearningState) and st.run is None
    seen = []
    st.changed.connect(seen.append)
    st.set_settings(djl_edition())
    run = st.new_run(sess)
    assert run.settings == djl_edition() and seen == [{"settings"}, {"run"}]
    st.discard()
    assert st.run is None


def test_log_lines_are_bounded_and_sparse_later():
    run = chapter_run(djl_edition(lr=1e-6), max_points=64)
    run.advance(20_000)
    lines = list(run.log)
    batches = [int(ln.split(",")[0].split()[1]) for ln in lines]
    assert batches[:3] == [2, 4, 6] and batches[99] == 200 and batches[100] == 300
    assert batches[-1] == 20_000 and len(lines) == 100 + 98 + 1
    assert all(math.isfinite(float(ln.rsplit(" ", 1)[1])) for ln in lines)


# ------------------------------------------------------------ the book's own runs
def test_book_start_replays_both_printed_tables():
    mx = chapter_run(mxnet_edition(init="book"))
    mx.advance(10)
    assert list(mx.log) == [
        "batch 2, loss 4.949",
        "batch 4, loss 0.831",
        "batch 6, loss 0.140",
        "batch 8, loss 0.024",
        "batch 10, loss 0.004",
    ]
    np.testing.assert_allclose(mx.kernel, [[0.9895, -0.9873705]], atol=1e-6)
    djl = chapter_run(djl_edition(init="book"))
    djl.advance(10)
    printed = [0.12571818, 0.09935227, 0.07851635, 0.062050212, 0.049037326]
    np.testing.assert_allclose(djl.loss_history()[1][1::2], printed, rtol=1e-4)
    np.testing.assert_allclose(djl.kernel, [[0.4475, -0.4477]], atol=5e-5)
    # The start does not depend on the seed: it is the book's.
    assert np.array_equal(chapter_run(djl_edition(init="book", seed=5)).K0, djl.K0)


def test_book_start_is_for_the_1x2_kernel_only():
    with pytest.raises(ValueProblem, match="book's start is for its 1×2 kernel, not 2×2"):
        mxnet_edition(init="book", kernel_shape=(2, 2))
    s = mxnet_edition(init="book", source="current")  # the shape comes from the session
    with pytest.raises(ValueProblem, match="not 3×3"):
        LearningRun(s, LearningData.from_grids(np.ones((6, 6)), np.ones((3, 3))))
    run = LearningRun(s, LearningData.from_grids(np.ones((6, 6)), [[1.0, -1.0]]))
    np.testing.assert_array_equal(run.K0, [[0.006834, 0.012998]])


@pytest.mark.parametrize(
    ("loss", "value", "line"),
    [
        ("squared", 4.94931974, "batch 2, loss 4.949"),
        ("squared", 0.0004, "batch 2, loss 0.000"),  # %.3f, as MXNet's print does
        ("squared", 12345.678, "batch 2, loss 12345.678"),
        ("l2", 0.12571691, "batch 2 loss: 0.12571691"),  # Java's Float.toString
        ("l2", 0.1, "batch 2 loss: 0.1"),
        ("l2", 2.0, "batch 2 loss: 2.0"),
        ("l2", 1e-4, "batch 2 loss: 1.0E-4"),
        ("l2", 3.2e-10, "batch 2 loss: 3.2E-10"),
        ("l2", 12345678.0, "batch 2 loss: 1.2345678E7"),
        ("l2", 0.0, "batch 2 loss: 0.0"),
        ("l2", float("inf"), "batch 2 loss: Infinity"),
    ],
)
def test_log_lines_in_each_editions_format(loss, value, line):
    assert log_line(2, value, loss) == line


def test_the_loss_surface_is_the_quadratic_written_out():
    """The two-weight formula is the general quadratic's value, point by point."""
    run = LearningRun(djl_edition(), LearningData.chapter())
    r1, r2 = (-0.7, 1.9), (-1.6, 0.4)
    Z = run.loss_surface(r1, r2, 17)
    W1, W2 = np.meshgrid(np.linspace(*r1, 17), np.linspace(*r2, 17))
    np.testing.assert_allclose(Z, run.quadratic.value(np.stack([W1, W2], -1)), rtol=1e-12)


@pytest.mark.parametrize("lr", [0.03, 0.034])  # converging, and diverging at batch 275
@pytest.mark.parametrize("done", [0, 7])
def test_extent_is_what_the_next_steps_show(lr, done):
    """The twin's (loss, weight) extent is what this run then shows, and it does not move."""
    run = LearningRun(mxnet_edition(lr=lr), LearningData.chapter())
    run.advance(done)
    ahead = run.extent(300)
    assert run.steps == done and ahead is not None
    K0 = run.params.copy()
    run.advance(300)
    _, losses = run.loss_history()
    _, W = run.weight_history()
    new = losses[done:]  # the losses of the steps ahead (batches done + 1 ...)
    (lo, hi), (wlo, whi) = ahead
    assert (lo, hi) == (new.min(), new.max())
    W_ahead = np.vstack([K0, W[done + 1 :]])
    np.testing.assert_allclose((wlo, whi), (W_ahead.min(), W_ahead.max()), rtol=1e-12)
    assert run.diverged == (lr == 0.034)


def test_extent_is_bounded():
    run = LearningRun(mxnet_edition(), LearningData.chapter())
    assert run.extent(PREVIEW_STEPS + 1) is None and run.extent(0) is None
    assert run.extent(PREVIEW_STEPS) is not None and run.steps == 0


def test_extent_is_kept_for_the_same_start(monkeypatch):
    """A slide that presses Train from the same start again finds its preview; any
    difference in the start (a step taken, another X) computes it anew."""
    first = LearningRun(mxnet_edition(lr=0.031), LearningData.chapter())
    first.advance(3)
    ahead = first.extent(200)
    again = LearningRun(mxnet_edition(lr=0.031), LearningData.chapter())
    again.advance(3)
    computed = []
    real = LearningRun._extent
    monkeypatch.setattr(LearningRun, "_extent", lambda self, n: computed.append(n) or real(self, n))
    assert again.extent(200) == ahead and computed == []
    again.advance(1)
    fresh = LearningRun(mxnet_edition(lr=0.031), LearningData.chapter())
    fresh.advance(4)
    assert again.extent(200) == fresh._extent(200) and computed == [200, 200]
    other = LearningData.chapter()
    X = other.X.copy()
    X[0, 0] = 0.5
    moved = LearningRun(mxnet_edition(lr=0.031), replace(other, X=X, Y=corr2d(X, other.K_true)))
    moved.advance(3)
    assert moved.extent(200) == moved._extent(200) != ahead and len(computed) == 4
