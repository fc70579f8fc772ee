"""The learning panel driven through its buttons, keys and settings (pytest-qt)."""

from __future__ import annotations

import itertools

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QCoreApplication, QPointF, Qt, QTimer
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QApplication

from convviz.engine import train_kernel, warm_up
from convviz.gui.style import Style
from convviz.gui.widgets.learn_plots import ContourLines, contour_segments, join_segments
from convviz.gui.widgets.learn_view import PACES, LearnView
from convviz.model import Session
from convviz.model.learning import LearningData, LearningRun, djl_edition, mxnet_edition

FASTEST = list(PACES).index("fastest")


@pytest.fixture(scope="module", autouse=True)
def _engine_warm():
    warm_up()  # the app does this on a worker thread; here it keeps timings honest


@pytest.fixture
def view(qtbot):
    v = LearnView(Session(), Style())
    qtbot.addWidget(v)
    v.resize(1280, 760)
    v.show()
    qtbot.waitExposed(v)
    v.combo_pace.setCurrentIndex(FASTEST)
    return v


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def set_number(edit, text: str) -> None:
    edit.setText(text)
    edit.editingFinished.emit()


def wait_state(qtbot, view, *states, timeout=10_000):
    qtbot.waitUntil(lambda: view.state in states, timeout=timeout)


def scaled_view(qtbot, scale: float, width: int = 1280) -> LearnView:
    """A learning view on a stage's style at ``scale`` (3.8: a 4K stage), shown."""
    from convviz.gui.style import StageStyle

    style = StageStyle(Style())
    style.set_scale(scale)
    v = LearnView(Session(), style)
    qtbot.addWidget(v)
    v.resize(int(width * scale), int(760 * scale))
    v.show()
    qtbot.waitExposed(v)
    return v


def tick_specs(axis) -> list:
    """The axis's tick labels as pyqtgraph lays them out: (rect, flags, text) each."""
    from PySide6.QtGui import QPainter, QPicture

    picture = QPicture()
    painter = QPainter(picture)
    painter.setFont(axis.style["tickFont"])
    specs = axis.generateDrawSpecs(painter)[2]
    painter.end()
    return specs


def test_builds_without_running_compiled_code(qtbot, monkeypatch):
    import convviz.engine._kernels as kernels

    calls = []
    monkeypatch.setattr(kernels, "train_steps", lambda *a: calls.append(a))
    v = LearnView(Session(), Style())
    qtbot.addWidget(v)
    v.show()
    qtbot.waitExposed(v)
    assert calls == [] and v.run is not None and v.run.steps == 0
    np.testing.assert_array_equal(v.grid_Y.values(), LearningData.chapter().Y)


@pytest.mark.parametrize(
    ("button", "edition", "falls"),
    [("btn_mxnet", mxnet_edition, (100, np.inf)), ("btn_djl", djl_edition, (2.0, 3.5))],
)
def test_each_edition_replays_through_the_buttons(qtbot, view, button, edition, falls):
    view.ask = lambda *a: pytest.fail("a fresh run needs no question")
    click(qtbot, getattr(view, button))
    assert view.learning.settings == edition()
    click(qtbot, view.btn_train)
    wait_state(qtbot, view, "done")
    run = view.run
    ref = train_kernel(run.data.X, run.data.Y, run.K0, lr=run.settings.lr,
                       loss=run.settings.loss, steps=10)  # fmt: skip
    x, y = view.loss_plot.curve.getData()
    np.testing.assert_array_equal(x, np.arange(1, 11))
    np.testing.assert_array_equal(y, ref.losses)
    printed = y[1::2]
    assert falls[0] < printed[0] / printed[-1] < falls[1]
    np.testing.assert_array_equal(view.grid_K.values(), ref.kernel)
    if edition is mxnet_edition:
        np.testing.assert_allclose(view.grid_K.values(), [[1, -1]], atol=0.05)
    else:
        k = view.grid_K.values().ravel()
        assert k[0] > 0.35 and k[1] < -0.35  # heading for [1, -1]
    lines = view.log.toPlainText().splitlines()
    head = "batch 2, loss " if edition is mxnet_edition else "batch 2 loss: "  # each book's
    assert len(lines) == 5 and lines[0].startswith(head)
    assert f"batch {run.steps:,}" in view.status.text()
    path = view.surface.path_data()
    assert len(path) == 11 and np.linalg.norm(path[-1] - [1, -1]) < np.linalg.norm(
        path[0] - [1, -1]
    )
    assert view.surface.current_point() == tuple(path[-1])  # the marker is at the kernel
    click(qtbot, view.btn_copy)
    assert QApplication.clipboard().text().splitlines() == lines


def test_switching_editions_after_a_run_asks_first(qtbot, view):
    click(qtbot, view.btn_train)
    wait_state(qtbot, view, "done")
    asked = []
    view.ask = lambda title, text: asked.append(text) or False
    click(qtbot, view.btn_djl)
    assert len(asked) == 1 and "10 steps" in asked[0]
    assert view.learning.settings == mxnet_edition() and view.run.steps == 10
    assert view.combo_loss.currentData() == "squared"  # the widgets are put back
    view.ask = lambda title, text: True
    click(qtbot, view.btn_djl)
    assert view.learning.settings == djl_edition() and view.run.steps == 0


def test_pause_then_resume_equals_uninterrupted(qtbot, view):
    view.spin_steps.setValue(300)
    view.combo_pace.setCurrentIndex(list(PACES).index("10 steps/s"))
    click(qtbot, view.btn_train)
    qtbot.waitUntil(lambda: view.run.steps >= 3, timeout=5000)
    click(qtbot, view.btn_train)  # pause
    assert view.state == "paused" and not view.driver.timer.isActive()
    paused_at, slices = view.run.steps, view.slices
    QCoreApplication.processEvents()  # a slice or redraw already queued runs now...
    assert view.run.steps == paused_at and view.slices == slices  # ...and trains nothing
    assert not view.driver.timer.isActive()  # nothing left to tick
    view.combo_pace.setCurrentIndex(FASTEST)
    click(qtbot, view.btn_train)  # resume to the same target
    wait_state(qtbot, view, "done")
    assert view.run.steps == 300
    ref = LearningRun(mxnet_edition(steps=300), LearningData.chapter())
    ref.advance(300)
    np.testing.assert_array_equal(view.loss_plot.curve.getData()[1], ref.loss_history()[1])
    np.testing.assert_array_equal(view.grid_K.values(), ref.kernel)


def test_the_status_is_selectable_except_while_training(qtbot, view):
    """Its text changes every frame while training: a selectable label paints through
    a text document (~3 ms a frame at 4K), so it is selectable when it holds still."""
    selectable = Qt.TextInteractionFlag.TextSelectableByMouse
    assert view.status.textInteractionFlags() == selectable
    view.spin_steps.setValue(300)
    view.combo_pace.setCurrentIndex(list(PACES).index("10 steps/s"))
    click(qtbot, view.btn_train)
    assert view.state == "training"
    assert view.status.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    qtbot.waitUntil(lambda: view.run.steps >= 2, timeout=5000)
    assert "batch" in view.status.text()
    click(qtbot, view.btn_train)  # pause
    assert view.state == "paused" and view.status.textInteractionFlags() == selectable


def test_step_and_reset_replay_exactly(qtbot, view):
    for _ in range(4):
        click(qtbot, view.btn_step)
    assert view.run.steps == 4 and view.state == "paused"
    first = view.loss_plot.curve.getData()[1].copy()
    assert len(first) == 4
    click(qtbot, view.btn_reset)
    assert view.run.steps == 0 and view.log.toPlainText() == ""
    assert len(view.loss_plot.curve.getData()[0] or []) == 0
    for _ in range(4):
        click(qtbot, view.btn_step)
    np.testing.assert_array_equal(view.loss_plot.curve.getData()[1], first)


def test_keys_drive_the_view(qtbot, view):
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert view.run.steps == 2
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.run.steps == 0
    qtbot.keyClick(view, Qt.Key.Key_Space)
    wait_state(qtbot, view, "done")
    assert view.run.steps == 10


def test_divergence_stops_with_a_message_and_a_finite_plot(qtbot, view):
    set_number(view.edit_lr, "10")
    assert view.learning.settings.lr == 10
    view.spin_steps.setValue(1000)
    click(qtbot, view.btn_train)
    wait_state(qtbot, view, "diverged")
    assert "too large" in view.message.text() and "0.01" in view.message.text()
    assert view.message.isVisibleTo(view)
    x, y = view.loss_plot.curve.getData()
    assert len(y) >= 1 and np.isfinite(y).all() and np.isfinite(x).all()
    assert np.isfinite(view.grid_K.values()).all() and np.isfinite(view.grid_grad.values()).all()
    assert np.isfinite(view.surface.path_data()).all()
    for curve in view.weight_plot.curves:
        assert np.isfinite(curve.getData()[1]).all()
    assert not view.btn_step.isEnabled()
    # log scale shows it too, without a warning
    view.check_log.setChecked(True)
    assert view.loss_plot.log and view.run.steps > 0
    # one click takes the suggestion, with no question: a diverged run is not worth keeping
    view.ask = lambda *a: pytest.fail("no question for a diverged run")
    assert view.btn_use_lr.isVisibleTo(view) and "0.01" in view.btn_use_lr.text()
    click(qtbot, view.btn_use_lr)
    assert view.learning.settings.lr == 0.01 and view.run.steps == 0
    click(qtbot, view.btn_train)
    wait_state(qtbot, view, "done")
    assert view.run.summary.last < view.run.summary.first


def test_the_event_loop_keeps_serving_during_a_long_run(qtbot, view):
    """Timers and keys are served between training slices: a timer that fires while
    the run goes on presses Space, and the run pauses part-way. (How long the loop
    waits between slices is measured by benchmarks/bench_ui.py, not asserted here.)"""
    view.spin_steps.setValue(300_000)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    ticks, pressed_at = [], []
    probe = QTimer()
    probe.setInterval(5)

    def on_probe():
        steps = view.run.steps
        ticks.append(steps)
        if not pressed_at and len({t for t in ticks if 0 < t < 300_000}) >= 5:
            pressed_at.append(steps)
            qtbot.keyClick(view, Qt.Key.Key_Space)  # pause, as the lecturer would

    probe.timeout.connect(on_probe)
    probe.start()
    fired = []
    QTimer.singleShot(50, lambda: fired.append(view.run.steps))
    click(qtbot, view.btn_train)
    wait_state(qtbot, view, "paused", "done", timeout=120_000)
    probe.stop()
    assert fired and 0 < fired[0] < 300_000  # it fired while training went on
    assert view.state == "paused", "the run finished before a key press was served"
    assert 0 < pressed_at[0] <= view.run.steps < 300_000
    click(qtbot, view.btn_train)  # carries on to the end
    wait_state(qtbot, view, "done", timeout=120_000)
    assert view.run.steps == 300_000 and view.frames <= view.slices + 2
    x, _ = view.loss_plot.curve.getData()
    assert len(x) <= 4001 and x[-1] == 300_000


def test_run_until_converged(qtbot, view):
    set_number(view.edit_threshold, "1e-8")
    assert not view.run.steps  # the threshold needs no restart
    click(qtbot, view.btn_until)
    wait_state(qtbot, view, "converged")
    y = view.loss_plot.curve.getData()[1]
    assert y[-1] <= 1e-8 < y[-2]
    assert "Converged" in view.message.text()
    click(qtbot, view.btn_train)  # carries on from there
    wait_state(qtbot, view, "done")
    assert view.run.steps == len(y) + 10


def test_settings_change_mid_run_asks_and_keeps(qtbot, view):
    view.spin_steps.setValue(100_000)
    view.combo_pace.setCurrentIndex(list(PACES).index("10 steps/s"))
    click(qtbot, view.btn_train)
    qtbot.waitUntil(lambda: view.run.steps >= 2, timeout=5000)
    asked = []

    def keep(title, text):
        asked.append(text)
        assert view.state == "paused"  # paused while the question is open
        return False

    view.ask = keep
    run = view.run
    set_number(view.edit_lr, "0.02")
    assert len(asked) == 1 and "learning rate" in asked[0]
    assert view.learning.settings.lr == 0.03 and view.edit_lr.text() == "0.03"
    assert view.run is run and view.state == "training"
    # A display setting needs no question.
    view.check_log.setChecked(True)
    assert len(asked) == 1 and view.run is run and view.loss_plot.log


def test_settings_change_mid_run_asks_and_discards(qtbot, view):
    view.spin_steps.setValue(100_000)
    view.combo_pace.setCurrentIndex(list(PACES).index("10 steps/s"))
    click(qtbot, view.btn_train)
    qtbot.waitUntil(lambda: view.run.steps >= 2, timeout=5000)
    view.ask = lambda title, text: True
    old = view.run
    view.spin_seed.setValue(42)
    assert view.run is not old and view.run.settings.seed == 42
    assert view.state == "training"  # restarted with the new settings
    rng_start = mxnet_edition(seed=42).initial_kernel()
    np.testing.assert_array_equal(view.run.K0, rng_start)


def test_session_edits_mid_run_ask(qtbot, view):
    sess = view.session
    sess.set_grid("input", np.random.default_rng(0).integers(0, 5, (5, 6)).astype(float))
    sess.set_grid("kernel", [[1.0, 0.0], [0.0, -1.0]])
    view.combo_source.setCurrentIndex(view.combo_source.findData("current"))
    assert view.learning.settings.source == "current"
    assert view.run.shape == (2, 2) and view.spin_rows.value() == 2
    np.testing.assert_array_equal(view.grid_true.values(), sess.kernel)
    assert not view.surface.available and "two weights" in view.surface.message.text()
    assert len(view.weight_plot.curves) == 4
    view.spin_steps.setValue(100_000)
    # A rate this data cannot diverge with (its Hessian's largest eigenvalue is
    # about 950): at 0.03 the run diverged within a few steps, so whether it was
    # still "mid-run" at the edit depended on how busy the machine was.
    set_number(view.edit_lr, "5e-4")
    view.combo_pace.setCurrentIndex(list(PACES).index("10 steps/s"))
    click(qtbot, view.btn_train)
    qtbot.waitUntil(lambda: view.run.steps >= 2, timeout=120_000)  # a hang guard
    run = view.run

    # The edit pauses the run; the question comes in a later event, then training
    # resumes ("training" again). Waiting on that signal, not on a clock.
    def resumed(state: str) -> bool:
        return state == "training"

    view.ask = lambda title, text: False  # keep the run: the edit is put back
    old_input = sess.input.copy()
    with qtbot.waitSignal(view.sig_state_changed, check_params_cb=resumed, timeout=120_000):
        sess.set_cell("input", 0, 0, 9.0)
        assert view.state == "paused"
    np.testing.assert_array_equal(sess.input, old_input)
    assert view.run is run

    view.ask = lambda title, text: True  # discard: learn from the new data
    with qtbot.waitSignal(view.sig_state_changed, check_params_cb=resumed, timeout=120_000):
        sess.set_cell("kernel", 0, 0, 2.0)
    assert view.run is not run
    np.testing.assert_array_equal(view.run.data.K_true, [[2, 0], [0, -1]])
    assert view.state == "training"


def test_hovering_the_loss_plot_reads_step_and_loss(qtbot, view):
    click(qtbot, view.btn_train)
    wait_state(qtbot, view, "done")
    y = view.run.loss_history()[1]
    text = view.loss_plot.hover_at(4.2)
    assert text == f"batch 4\nloss {y[3]:.4g}"
    vb = view.loss_plot.plotItem.vb
    scene_pos = vb.mapViewToScene(QPointF(7.0, float(y[6])))
    view.loss_plot.scene().sigMouseMoved.emit(scene_pos)
    assert view.loss_plot.hover_text.startswith("batch 7\n")
    assert view.loss_plot.hover.isVisible()
    assert view.loss_plot.hover.textItem.toPlainText() == view.loss_plot.hover_text
    # outside the plot the label goes away
    view.loss_plot.scene().sigMouseMoved.emit(QPointF(-50, -50))
    assert not view.loss_plot.hover.isVisible()


def test_surface_and_typed_start(qtbot, view):
    view.combo_init.setCurrentIndex(view.combo_init.findData("typed"))
    view.edit_typed.setText("0.5, 0.5")
    view.edit_typed.editingFinished.emit()
    np.testing.assert_array_equal(view.run.K0, [[0.5, 0.5]])
    Z = view.surface.Z
    assert Z is not None and Z.shape == (view.surface.N, view.surface.N)
    contours = view.surface.contours
    assert np.isfinite(Z).all() and contours is not None
    assert len(contours.levels) == view.surface.LEVELS and len(contours.segments) > 100
    np.testing.assert_array_equal(view.surface.path_data(), [[0.5, 0.5]])
    assert view.surface.current_point() == (0.5, 0.5)
    view.edit_typed.setText("1, 2, 3")
    view.edit_typed.editingFinished.emit()
    assert "1×3" in view.settings_problem.text()


def test_zoom_and_theme_restyle(qtbot, view):
    click(qtbot, view.btn_train)
    wait_state(qtbot, view, "done")
    view.style_.set_zoom(200)
    view.style_.set_theme("dark")
    assert view.loss_plot.backgroundBrush().color().name() == "#1e1e1e"
    # The legend's labels, made before, are drawn at the new size and colour too.
    size = f"font-size:{11 * view.style_.scale:g}pt"
    for _, label in view.weight_plot.legend.items:
        html = label.item.toHtml()
        assert size in html and view.style_.theme.text.lower() in html.lower()


def test_a_session_that_cannot_be_learned_from_says_why_and_recovers(qtbot, view):
    sess = view.session
    sess.set_grid("input", np.ones((3, 3)))
    sess.set_grid("kernel", np.ones((4, 2)))
    view.combo_source.setCurrentIndex(view.combo_source.findData("current"))
    assert view.run is None and "larger than the input" in view.message.text()
    assert view.state == "stopped"
    view.train()  # nothing to train, nothing breaks
    assert view.run is None
    sess.set_grid("kernel", [[1.0, -1.0]])
    assert view.run is not None and view.run.shape == (1, 2)
    assert not view.message.isVisibleTo(view)


def test_session_edits_while_hidden_are_asked_about_on_show(qtbot, view):
    sess = view.session
    view.combo_source.setCurrentIndex(view.combo_source.findData("current"))
    click(qtbot, view.btn_step)
    view.hide()
    asked = []
    view.ask = lambda title, text: asked.append(text) or True
    sess.set_cell("input", 0, 0, 5.0)
    assert asked == [] and view.run.steps == 1  # nothing pops up over another tab
    view.show()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=3000)
    assert view.run.steps == 0 and view.run.data.X[0, 0] == 5.0


def test_a_learning_change_while_hidden_is_drawn_on_show(qtbot, view):
    """A lesson sets the learning state on every slide: a hidden view draws nothing
    until it is shown, and then shows the new settings and a run made from them."""
    view.hide()
    n = view.new_run_count
    old = view.learning.run
    view.learning.set_settings(djl_edition())
    assert view.new_run_count == n and view.learning.run is old  # nothing done yet
    view.show()
    qtbot.waitExposed(view)
    assert view.new_run_count == n + 1
    assert view.run is view.learning.run and view.run.settings == djl_edition()
    assert view.edit_lr.value() == djl_edition().lr
    assert view.spin_steps.value() == djl_edition().steps


def test_bias_and_new_seed(qtbot, view):
    view.check_bias.setChecked(True)
    assert view.run.learn_bias and not view.surface.available
    click(qtbot, view.btn_step)
    assert view.bias_label.isVisibleTo(view) and "∂L/∂b" in view.bias_label.text()
    view.ask = lambda *a: True
    seed = view.learning.settings.seed
    click(qtbot, view.btn_seed)
    assert view.learning.settings.seed != seed and view.spin_seed.value() != seed
    assert view.run.steps == 0


def test_in_the_main_window_keys_reach_the_view_once_its_tab_is_shown(qtbot, settings):
    from convviz.gui.main_window import MainWindow

    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    view = win.views["learn"]
    assert isinstance(view, LearnView) and view.session is win.session
    win.show_view("learn")
    win.activateWindow()
    qtbot.waitUntil(lambda: view.isAncestorOf(QApplication.focusWidget()) or view.hasFocus())
    target = QApplication.focusWidget()
    qtbot.keyClick(target, Qt.Key.Key_Right)
    assert view.run.steps == 1
    qtbot.keyClick(target, Qt.Key.Key_Home)
    assert view.run.steps == 0


def test_surface_is_traced_again_only_when_it_changes(qtbot, view):
    """Slides that train on one example share a surface: its contours are not traced again."""
    surface = view.surface
    Z, ranges = surface.Z, surface.ranges
    assert Z is not None and ranges is not None
    drawn = surface.contours
    surface.set_surface(Z.copy(), ranges, np.array([1.0, -1.0]), np.array([0.2, 0.1]))
    assert surface.contours is drawn  # the same item: nothing traced again
    assert surface.start.point() == (0.2, 0.1)  # the markers did move
    surface.set_surface(2 * Z, ranges, np.array([1.0, -1.0]), np.array([0.0, 0.0]))
    assert surface.contours is not None and surface.contours is not drawn
    assert drawn.scene() is None and surface.contours.scene() is not None  # one shown
    np.testing.assert_allclose(surface.image.image, np.sqrt(2 * Z))


def test_a_surface_seen_before_is_not_traced_again(qtbot, view):
    """Going back to an earlier learning slide reuses its traced contours."""
    surface = view.surface
    Z, ranges = surface.Z, surface.ranges
    assert Z is not None and ranges is not None
    first = surface.contours
    truth, start = np.array([1.0, -1.0]), np.array([0.0, 0.0])
    surface.set_surface(3 * Z, ranges, truth, start)
    assert surface.contours is not first
    surface.set_surface(Z.copy(), ranges, truth, start)  # back to the first surface
    assert surface.contours is first
    assert first.parentItem() is surface.image
    np.testing.assert_allclose(surface.image.image, np.sqrt(np.maximum(Z, 0)))


def test_a_traced_surface_is_painted_ahead_where_it_will_show(qtbot, view, monkeypatch):
    """trace_ahead (a learning slide after a learning slide) also paints the next map
    and its contours into the pictures Qt keeps of them, unseen: the paint that shows
    them draws neither again, the plot on screen is untouched meanwhile, and the
    surface shows as a plot that drew it on the spot shows it."""
    surface = view.surface
    Z, ranges = surface.Z, surface.ranges
    assert Z is not None and ranges is not None
    (a, b), (c, d) = ranges
    ranges2 = ((a + 0.3, b + 0.3), (c - 0.2, d - 0.2))  # square, as every run's window
    Z2 = 2 * Z + 1
    truth, start = np.array([1.0, -1.0]), np.array([0.0, 0.0])
    surface.set_surface(Z, ranges, truth, start)
    surface.plot.viewport().repaint()
    before = surface.plot.grab().toImage()
    painted: list[object] = []
    for cls in (pg.ImageItem, ContourLines):
        paint = cls.paint
        monkeypatch.setattr(
            cls, "paint", lambda self, *a, paint=paint: painted.append(self) or paint(self, *a)
        )
    assert surface.trace_ahead(Z2, ranges2)
    assert len(painted) == 2  # the map and its contours, once each, ahead
    assert surface.plot.grab().toImage() == before
    painted.clear()
    surface.set_surface(Z2, ranges2, truth, start)
    surface.plot.viewport().repaint()
    assert painted == []  # found drawn
    shown = surface.plot.grab().toImage()
    other = LearnView(Session(), Style())
    qtbot.addWidget(other)
    other.resize(view.size())
    other.show()
    qtbot.waitExposed(other)
    other.surface.set_surface(Z2, ranges2, truth, start)
    other.surface.plot.viewport().repaint()
    assert other.surface.plot.grab().toImage() == shown


def test_axes_drawn_ahead_are_the_axes_drawn_on_the_spot(qtbot, view, monkeypatch):
    """A learning slide after a learning slide: the next press of Train's axes are
    drawn while this run shows (StyledPlot.prime_axes_ahead). The click then finds
    each picture made, with the pixels of one made on the spot; the axes on screen
    are untouched meanwhile."""
    from PySide6.QtGui import QImage, QPainter

    from convviz.gui.widgets.learn_plots import KeptAxis

    plot = view.loss_plot
    axes = [plot.plotItem.getAxis(n) for n in ("bottom", "left")]
    plot.set_data(np.arange(5.0), np.linspace(4.0, 1.0, 5), horizon=10, expect=(0.5, 4.0))
    plot.prime()
    shown = [(tuple(a.range), a.picture) for a in axes]
    widths = [a.geometry().width() for a in axes]

    def pixels(picture) -> QImage:
        img = QImage(2000, 2000, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(0)
        p = QPainter(img)
        picture.play(p)
        p.end()
        return img

    assert plot.prime_axes_ahead((0.0, 50.0), (0.0, 5.0)) == 2
    assert [(tuple(a.range), a.picture) for a in axes] == shown
    assert plot.prime_axes_ahead((0.0, 50.0), (0.0, 5.0)) == 0  # made once
    ahead = {a.orientation: pixels(a._kept[next(reversed(a._kept))][0]) for a in axes}
    made = []
    prime = KeptAxis.prime

    def counting(axis):
        if axis.picture is None and axis._key() not in axis._kept:
            made.append(axis.orientation)
        prime(axis)

    monkeypatch.setattr(KeptAxis, "prime", counting)
    plot.set_view((0.0, 50.0), (0.0, 5.0))
    plot.prime()
    assert [a.geometry().width() for a in axes] == widths  # (labels as wide)
    assert made == []
    for a in axes:
        assert pixels(a.picture) == ahead[a.orientation]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_contours_are_pyqtgraphs_isocurves(seed):
    """The whole-array tracer draws the segments pyqtgraph's marching squares draws
    (its oracle), in the image's pixels: sample k at k + 0.5, reaching the edges."""
    rng = np.random.default_rng(seed)
    if seed == 0:  # the panel's own case: a quadratic bowl
        w1, w2 = np.meshgrid(np.linspace(-1.5, 1.5, 41), np.linspace(-1.2, 1.4, 37))
        R = np.sqrt(3 * (w1 - 1) ** 2 + (w2 + 1) ** 2 + 2 * (w1 - 1) * (w2 + 1))
    else:  # noise: saddles and edges everywhere
        R = rng.random((9 + seed, 13))
    for level in np.linspace(R.min(), R.max(), 7)[1:-1]:
        mine = contour_segments(R, level)
        ref = pg.functions.isocurve(R.T, level, connected=False, extendToEdge=True)
        ref = np.array([[a[0], a[1], b[0], b[1]] for a, b in ref])
        ref = ref[(ref[:, 0] != ref[:, 2]) | (ref[:, 1] != ref[:, 3])]
        assert len(mine) == len(ref) > 0
        np.testing.assert_allclose(_canonical(mine), _canonical(ref), atol=1e-9)
        assert mine[:, 0::2].min() >= 0 and mine[:, 0::2].max() <= R.shape[1]
        assert mine[:, 1::2].min() >= 0 and mine[:, 1::2].max() <= R.shape[0]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_contour_segments_are_drawn_as_joined_lines(seed):
    """The contours are stroked as lines, not as one stroke per segment (round caps
    on thousands of segments cost a 4K slide ~5 ms): every segment is drawn once, as
    a piece of one line, and a bowl's contours are a few lines."""
    rng = np.random.default_rng(seed)
    if seed == 0:  # the panel's own case: a quadratic bowl, each level a closed line
        w1, w2 = np.meshgrid(np.linspace(-1.5, 1.5, 121), np.linspace(-1.2, 1.4, 121))
        R = np.sqrt(3 * (w1 - 1) ** 2 + (w2 + 1) ** 2 + 2 * (w1 - 1) * (w2 + 1))
    else:  # noise: saddles, open lines ending on the edges
        R = rng.random((9 + seed, 13))
    levels = list(np.linspace(R.min(), R.max(), 9)[1:-1])
    segs = np.concatenate([contour_segments(R, v) for v in levels])
    pts, link = join_segments(segs)
    assert len(pts) == len(link) and not link[-1]
    i = np.nonzero(link)[0]
    drawn = np.column_stack([pts[i], pts[i + 1]])
    np.testing.assert_allclose(_canonical(drawn), _canonical(segs), atol=1e-9)
    lines = int((~link).sum())
    if seed == 0:
        assert lines <= 2 * len(levels) < len(segs) // 50
    item = ContourLines(R, levels)  # what is painted: one subpath a line
    moves = sum(item.path.elementAt(k).isMoveTo() for k in range(item.path.elementCount()))
    assert moves == lines == len(item.path.toSubpathPolygons())


def test_joining_no_segments_draws_nothing():
    pts, link = join_segments(np.empty((0, 4)))
    assert pts.shape == (0, 2) and link.shape == (0,)


def _canonical(S: np.ndarray) -> np.ndarray:
    """Segments as a sorted set: each from its smaller end."""
    S = np.round(S, 9)
    flip = (S[:, 0] > S[:, 2]) | ((S[:, 0] == S[:, 2]) & (S[:, 1] > S[:, 3]))
    S = np.where(flip[:, None], S[:, [2, 3, 0, 1]], S)
    return np.array(sorted(map(tuple, S)))


def test_train_draws_its_first_step_at_once_in_axes_that_stay(qtbot, view):
    """A press of Train (or a slide that trains) shows its first step with the press,
    in axes spanning the steps it aims at and the loss it starts from: the plots are
    painted once for it, and their axes are not redrawn at step 1, 2 and 5."""
    view.combo_pace.setCurrentIndex(list(PACES).index("10 steps/s"))
    start_loss = view.run.current_loss()
    view.train()  # no event processed yet
    assert view.run.steps == 1 and view.frames >= 1
    np.testing.assert_array_equal(view.loss_plot.curve.getData()[1], [start_loss])
    ranges = [p.plotItem.vb.viewRange() for p in (view.loss_plot, view.weight_plot)]
    assert ranges[0][0][1] >= view.learning.settings.steps  # the x axis: the whole run
    wait_state(qtbot, view, "done")
    assert view.run.steps == view.learning.settings.steps
    assert [p.plotItem.vb.viewRange() for p in (view.loss_plot, view.weight_plot)] == ranges


def test_a_new_run_of_the_same_kernel_keeps_the_weight_plots_items(qtbot, view):
    curves, truths = list(view.weight_plot.curves), list(view.weight_plot.truths)
    view.ask = lambda title, text: True
    click(qtbot, view.btn_djl)  # another start and loss, the same 1×2 kernel
    assert view.weight_plot.curves == curves and view.weight_plot.truths == truths
    assert [t.value() for t in truths] == [1.0, -1.0]
    view.spin_cols.setValue(3)  # a 1×3 kernel: three curves
    assert len(view.weight_plot.curves) == 3 and view.weight_plot.names[2] == "w[0,2]"


def test_a_diverging_run_keeps_its_axes_from_the_first_frame(qtbot, view):
    """lr 0.034 (slide "Try 0.034"): the loss falls four decades, then climbs until the
    run stops; the axes fit all of it from the press on and are not redrawn."""
    view.learning.set_settings(mxnet_edition(lr=0.034, steps=300, log_scale=True))
    view.train()
    plots = (view.loss_plot, view.weight_plot)
    ranges = [p.plotItem.vb.viewRange() for p in plots]
    wait_state(qtbot, view, "diverged")
    assert [p.plotItem.vb.viewRange() for p in plots] == ranges
    x, y = view.loss_plot.data()
    (x0, x1), (y0, y1) = ranges[0]
    assert x0 < 0 < x[-1] < x1 and y0 < np.log10(y.min()) < np.log10(y.max()) < y1


def test_an_axis_keeps_the_pictures_of_ranges_it_has_drawn(qtbot, view):
    """Going back to a range draws no ticks again; a new zoom draws them afresh."""
    plot = view.loss_plot
    axis = plot.plotItem.getAxis("left")

    def drawn(y):
        plot.set_view((0.0, 10.0), y)
        plot.viewport().repaint()
        return axis.picture

    first = drawn((0.0, 15.0))
    other = drawn((0.0, 0.15))
    assert other is not first and drawn((0.0, 15.0)) is first
    view.style_.set_zoom(150)  # a new tick font: the kept pictures are forgotten
    assert not axis._kept and axis.picture is None
    plot.viewport().repaint()
    assert axis.picture is not None and axis.picture is not first


@pytest.mark.parametrize("scale", [1.0, 3.8])
def test_plot_titles_have_the_room_their_text_needs(qtbot, scale):
    """pyqtgraph gives a plot's title a 30 px row: at the 4K stage's scale the titles
    ("Loss surface") showed with their top cut off."""
    v = scaled_view(qtbot, scale)
    for plot in (v.loss_plot, v.weight_plot, v.surface.plot):
        label = plot.plotItem.titleLabel
        text = label.item.boundingRect().height()
        assert text > 10 * scale
        assert label.geometry().height() >= text - 0.5, (plot, label.geometry(), text)


@pytest.mark.parametrize("scale", [1.0, 1.6, 3.8])
@pytest.mark.parametrize("y", [(0.0, 0.008), (-400.0, 400.0), (-0.0025, 0.0125), (0.0, 15.0)])
def test_tick_labels_stand_clear_of_the_axis_label(qtbot, scale, y):
    """Slide 13 at 1280×800 drew its loss ticks ("0.008") over the axis's "loss": the
    axis had a fixed width. It is now as wide as its labels need, and no wider than
    its usual width where that is enough."""
    v = scaled_view(qtbot, scale)
    for plot in (v.loss_plot, v.weight_plot):
        plot.set_view((0.0, 50.0), y)
        plot.prime()
        axis = plot.plotItem.getAxis("left")
        texts = [r for r, _, _ in tick_specs(axis)]
        label = axis.label.mapRectToParent(axis.label.boundingRect())
        assert texts, (plot, y)
        assert label.right() <= min(r.left() for r in texts), (plot, y, label, texts)
        assert max(r.right() for r in texts) <= axis.geometry().width()
        assert axis.geometry().width() == pytest.approx(axis.fixedWidth)
        if y == (0.0, 15.0):  # short labels: the usual width
            assert axis.fixedWidth == plot._left_width


def test_a_new_run_inside_drawing_once_is_drawn_once_at_its_end(qtbot, view):
    """A lesson click (drawing_once) draws a new run's start at its end, unless the
    click trains: then the first step is the one drawing."""
    view.combo_pace.setCurrentIndex(list(PACES).index("auto"))  # a lesson's pace
    before = view.frames
    with view.drawing_once():
        view.learning.set_settings(mxnet_edition(lr=0.01))
        assert view.run is not None and view.run.steps == 0
        assert view.frames == before  # not yet
    assert view.frames == before + 1
    np.testing.assert_array_equal(view.grid_K.values(), view.run.kernel)
    with view.drawing_once():
        view.learning.set_settings(mxnet_edition(lr=0.02))
        view.train()
        view.pause()
    assert view.frames == before + 2 and view.run.steps == 1
    np.testing.assert_array_equal(view.grid_K.values(), view.run.kernel)


@pytest.mark.parametrize("scale", [1.0, 3.8])
def test_the_weights_legend_draws_its_lines_at_the_stages_scale(qtbot, scale):
    """pyqtgraph's legend sample is a fixed 20 px line: at 4K a stub beside its label."""
    from PySide6.QtGui import QColor

    from convviz.gui.widgets.learn_plots import WEIGHT_COLORS

    v = scaled_view(qtbot, scale)
    v.step()
    plot = v.weight_plot
    assert plot.legend is not None and len(plot.legend.items) == 2
    sample = plot.legend.items[0][0]
    img = plot.grab().toImage()
    box = plot.mapFromScene(sample.mapRectToScene(sample.boundingRect())).boundingRect()
    assert box.width() >= 20 * scale - 1
    want = QColor(WEIGHT_COLORS[0])
    y = box.top() + round(11 * scale)
    inked = [
        x
        for x in range(box.left(), box.right() + 1)
        if min(
            abs(img.pixelColor(x, yy).red() - want.red())
            + abs(img.pixelColor(x, yy).green() - want.green())
            + abs(img.pixelColor(x, yy).blue() - want.blue())
            for yy in (y - 1, y, y + 1)
        )
        < 60
    ]
    assert len(inked) >= 18 * scale, (len(inked), box)


def test_a_long_message_fits_its_slot_in_type_set_in_pixels(qtbot):
    """At 4K the stage's type is set in pixels (a point size of -1): the message's
    smaller type is too, not a size of -1 points."""
    v = scaled_view(qtbot, 3.8, width=640)  # narrow: the message needs smaller type
    v.combo_pace.setCurrentIndex(FASTEST)
    assert v._message_font.pixelSize() > 0  # the case this is about
    v.learning.set_settings(mxnet_edition(lr=0.034, steps=300, log_scale=True))
    v.train()
    wait_state(qtbot, v, "diverged")
    QApplication.processEvents()
    font = v.message.font()
    assert 0 < font.pixelSize() <= v._message_font.pixelSize()
    assert v.message.heightForWidth(v.message.width()) <= v.note.height()


def test_a_restyle_over_a_small_range_keeps_the_ticks_true(qtbot, view):
    """pyqtgraph's enableAutoSIPrefix(False) fixed a ×1000 prefix when called over a
    range below 1: after a restyle at 0-0.008, the loss axis read 8, 6, 4, 2, 0."""
    plot = view.loss_plot
    plot.set_view((0.0, 50.0), (0.0, 0.008))
    plot.prime()
    view.style_.set_zoom(150)  # a restyle while the small range shows
    plot.set_view((0.0, 50.0), (0.0, 0.008))
    plot.prime()
    axis = plot.plotItem.getAxis("left")
    texts = [t for _, _, t in tick_specs(axis)]
    assert "0.004" in texts and "4" not in texts, texts
    assert "x0.001" not in axis.labelString()


def test_a_lone_loss_is_drawn_as_a_dot(qtbot, view):
    """One step has one loss: a line through one point draws nothing, so the loss plot
    looked empty on the lesson's one-step slide. It is a dot until there are two."""
    click(qtbot, view.btn_step)
    qtbot.waitUntil(lambda: len(view.loss_plot.curve.getData()[0] or []) == 1)
    assert view.loss_plot.curve.opts["symbol"] == "o"
    click(qtbot, view.btn_step)
    qtbot.waitUntil(lambda: len(view.loss_plot.curve.getData()[0]) == 2)
    assert view.loss_plot.curve.opts["symbol"] is None


def _unsnapped(style, points: float) -> QFont:
    """The style's type at its scale before :func:`snap_to_glyph_cache`."""
    f = QFont(QApplication.font())
    f.setPointSizeF(points * style.scale)
    return f


def test_the_lines_that_change_at_every_frame_are_set_in_type_qt_caches(qtbot):
    """The status and summary are new at every frame of a run: over 64 px (the 4K
    stage's scale) each frame filled them from glyph outlines, and the stage's label
    cache rendered a twin of each before painting it. They are set just below the
    glyph cache's limit and painted directly; at a small scale they are untouched."""
    from convviz.gui.style import StageStyle
    from convviz.gui.widgets import label_cache, text_sprites
    from convviz.gui.widgets.label_cache import LabelPaintCache

    for scale, capped in ((1.0, False), (3.8, True)):  # 1280×760 and a 4K stage
        style = StageStyle(Style())
        style.set_scale(scale)
        v = LearnView(Session(), style)
        qtbot.addWidget(v)
        cache = LabelPaintCache()
        cache.watch(v)
        v.resize(int(1280 * scale), int(760 * scale))
        v.show()
        qtbot.waitExposed(v)
        for label, points in ((v.status, 14), (v.summary, 11)):
            px = QFontInfo(label.font()).pixelSize()
            natural = QFontInfo(_unsnapped(style, points)).pixelSize()
            assert px == min(natural, text_sprites.DIRECT_PX - 1)
        status_px = QFontInfo(_unsnapped(style, 14)).pixelSize()
        assert (status_px >= text_sprites.DIRECT_PX) == capped  # the case is exercised
        for _n in range(3):
            text = v.summary.text()
            v.step()
            assert v.summary.text() != text
            QApplication.processEvents()  # painted as the app paints them
        live = {id(v.status), id(v.summary)}
        assert not [k for k in label_cache._POOL if k[0] == id(cache) and k[1] in live]
        v.close()


def test_a_markers_label_shows_whole_below_beside_or_above_it():
    """The chapter's true kernel sits near the bottom of its window: "true K [1, −1]"
    went below it and was cut by the plot's edge at 1280×800."""
    from PySide6.QtCore import QRectF

    from convviz.gui.widgets.learn_plots import _label_anchor

    text = QRectF(0, 0, 150, 30)

    def box(anchor, px, py):
        return QRectF(px - anchor[0] * 150, py - anchor[1] * 30, 150, 30)

    view = QRectF(0, 0, 240, 190)
    for px, py in [(200, 40), (200, 170), (40, 170), (120, 185), (230, 5), (10, 100)]:
        anchor = _label_anchor(px, py, text, 240, 190, 13)
        assert anchor is not None
        r = box(anchor, px, py)
        assert view.adjusted(-0.5, -0.5, 0.5, 0.5).contains(r), (px, py, anchor, r)
        assert not r.intersects(QRectF(px - 13, py - 13, 26, 26)), (px, py, anchor)
    # room below: below it, towards the middle
    assert _label_anchor(200, 40, text, 240, 190, 13)[1] < 0
    assert _label_anchor(200, 40, text, 240, 190, 13)[0] > 1
    # the chapter's star, near the bottom right: beside it, not below
    assert _label_anchor(200, 170, text, 240, 190, 13)[1] == 0.5
    assert _label_anchor(100, 20, text, 120, 190, 13) is None  # wider than the plot


def test_the_true_kernels_label_is_inside_the_surface_plot(qtbot):
    """Small enough that "true K [1, −1]" fits nowhere: "true K", whole, beside it."""
    v = LearnView(Session(), Style())
    qtbot.addWidget(v)
    plot = v.surface.plot
    for width in (1280, 700):
        v.resize(width, 600)
        v.show()
        qtbot.waitExposed(v)
        qtbot.waitUntil(lambda: not getattr(plot, "_settle_pending", False))
        plot.viewport().repaint()
        vb = plot.plotItem.vb
        label = v.surface.true_label
        assert label.toPlainText().startswith("true K")
        r, box = label.sceneBoundingRect(), vb.sceneBoundingRect()
        assert box.adjusted(-1, -1, 1, 1).contains(r), (width, label.toPlainText(), r, box)


def _wrapped_lines(text: str, font: QFont, width: int) -> list[str]:
    """The lines a word-wrapping label of ``width`` pixels shows ``text`` in."""
    from PySide6.QtGui import QTextLayout, QTextOption

    layout = QTextLayout(text, font)
    opt = QTextOption()
    opt.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(opt)
    layout.beginLayout()
    lines = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        lines.append(text[line.textStart() : line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


def test_the_loss_summary_wraps_between_its_groups_never_inside(qtbot, view):
    """However narrow the loss plot, the summary breaks after a "·" (or before the
    lowest loss's "(batch n)"), so no number is stranded on a line of its own (the
    issue's "last" and its loss were split)."""
    from convviz.gui.widgets.learn_view import NBSP, summary_text

    for _ in range(3):
        click(qtbot, view.btn_step)
    assert view.summary.text() == summary_text(view.run.summary, view.run.stride)
    text = summary_text(view.run.summary, 10)  # (the long form: "a point every 10 steps")
    assert text.count("·") == 3 and "batch" in text and "every" in text
    readable = text.replace(NBSP, " ")
    assert readable.startswith("first ") and " · last " in readable
    font = view.summary.font()
    wrapped = 0
    for width in range(40, 1200, 7):
        lines = _wrapped_lines(text, font, width)
        assert "".join(lines) == text
        for line, after in itertools.pairwise(lines):
            assert line.rstrip().endswith("·") or after.startswith("(batch"), (width, lines)
        wrapped += len(lines) > 1
    assert wrapped > 20  # (the check above checked something)


def _assert_plots_on_screen_are_fresh(view: LearnView) -> None:
    """The plots' pixels on screen (the window's backing store, as last painted)
    are what a fresh render of each draws: nothing was left unpainted."""
    QApplication.processEvents()
    shot = view.screen().grabWindow(view.winId()).toImage()
    for plot in (view.loss_plot, view.weight_plot, view.surface.plot):
        fresh = plot.grab().toImage()
        at = plot.mapTo(view, plot.rect().topLeft())
        seen = shot.copy(at.x(), at.y(), plot.width(), plot.height())
        assert seen.convertToFormat(fresh.format()) == fresh, type(plot).__name__


def test_the_plots_on_screen_are_what_a_full_repaint_draws(qtbot, view):
    """The plots keep no picture of their background (a fill of what a paint exposes
    is cheaper): after steps that repaint parts of them, and a reset that moves their
    ranges, the pixels on screen (the backing store) are what a fresh render draws."""
    for _ in range(6):
        click(qtbot, view.btn_step)
        QApplication.processEvents()
    _assert_plots_on_screen_are_fresh(view)
    click(qtbot, view.btn_reset)
    for _ in range(3):
        click(qtbot, view.btn_step)
    _assert_plots_on_screen_are_fresh(view)


def test_a_diverging_run_draws_each_curve_whole_once_then_adds_to_it(qtbot, view):
    """lr 0.034 ("Try 0.034"), trained: the path runs back and forth across the
    surface and the weights swing across their plot. Stroking each curve whole at
    every frame took ~107 ms a frame at 4K by step 250; a run's ranges are set at
    its start, so each curve is drawn whole once and each frame then strokes its
    new segments only."""
    from convviz.gui.widgets.trail_curve import TrailCurve

    set_number(view.edit_lr, "0.034")
    view.spin_steps.setValue(300)
    view.combo_pace.setCurrentIndex(list(PACES).index("auto"))  # ~2 s: many frames
    click(qtbot, view.btn_train)
    wait_state(qtbot, view, "diverged")
    curves = [view.loss_plot.curve.curve, view.surface.path]
    curves += [c.curve for c in view.weight_plot.curves]
    assert len(curves) == 4 and all(isinstance(c, TrailCurve) for c in curves)
    assert view.run.steps > 250 and view.frames > 30
    for c in curves:
        assert c.full_draws <= 2, c  # (its first points; once more if a range moved)
        assert c.points_stroked >= view.run.steps - 10  # each step's segment, once
    x, _ = view.surface.path.getData()
    assert np.ptp(x) > 10  # (it did swing across the plot)
    # Each frame's segments reached the screen (a try at repainting only their
    # place left the loss curve's first dot on screen for the whole run).
    _assert_plots_on_screen_are_fresh(view)


def test_a_kernel_being_learned_keeps_one_size_of_digits(qtbot):
    """The kernels' digits are sized for the widest number their cells keep room for,
    not for the numbers of the frame: fitted to those, the learned K's digits changed
    size at every frame (76, 97, 92 px at 4K), and the true kernel's 1 and −1 stood
    at three times the size of the numbers they are compared with."""
    v = scaled_view(qtbot, 3.8)  # a 4K stage
    grids = (v.grid_K, v.grid_true, v.grid_grad)
    sizes, lengths = set(), set()
    for _n in range(12):
        v.step()
        QApplication.processEvents()
        sizes.add(tuple(g.digit_px() for g in grids))
        lengths |= {len(t) for g in (v.grid_K, v.grid_grad) for row in g._texts for t in row}
    assert len(lengths) > 1, lengths  # numbers of more than one width were shown
    assert len(sizes) == 1
    (px,) = sizes
    assert max(px) - min(px) <= 1  # the three kernels side by side, in one size
    assert min(px) >= v.style_.min_text_px()
    # The true kernel's colour scale follows the learned one's: only its colours change.
    g = v.grid_true
    texts, font = g._texts, g._digit_font()
    before = g.grab().toImage()
    g.set_limit(4 * g.limit())
    assert g.grab().toImage() != before
    assert g._texts is texts and g._digit_font() is font


def test_a_new_colour_scale_repaints_a_grid_only_if_its_colours_change(qtbot, view):
    """The true kernel's scale follows the learned one's at every frame. Late in a
    diverging run it is hundreds, and ±1 keep their colours: no repaint then."""
    from PySide6.QtCore import QEvent, QObject

    g = view.grid_true
    paints = []

    class Count(QObject):
        def eventFilter(self, obj, ev):
            if obj is g and ev.type() == QEvent.Type.Paint:
                paints.append(g.limit())
            return False

    counter = Count()
    g.installEventFilter(counter)
    QApplication.processEvents()
    for limit, repainted in ((4.0, True), (300.0, True), (301.0, False), (2.0, True)):
        shown = g.grab().toImage()
        paints.clear()  # (a grab paints too)
        g.set_limit(limit)
        QApplication.processEvents()
        assert bool(paints) == repainted, limit
        assert (g.grab().toImage() != shown) == repainted, limit  # (what a repaint draws)
    g.removeEventFilter(counter)


def test_a_settled_kernel_is_not_repainted_for_digits_no_one_sees(qtbot, view):
    """Near its end a run changes the learned kernel in digits the grid does not
    print, at every frame: the grid is repainted only when what it shows changes."""
    from PySide6.QtCore import QEvent, QObject

    g = view.grid_K
    paints = []

    class Count(QObject):
        def eventFilter(self, obj, ev):
            if obj is g and ev.type() == QEvent.Type.Paint:
                paints.append(1)
            return False

    counter = Count()
    g.installEventFilter(counter)
    try:
        g.set_values(np.array([[1.0, -1.0]]), limit=1.2)
        QApplication.processEvents()
        g.grab()  # (painted: what it shows is known)
        for values, repainted in (
            ([[1.00001, -0.99999]], False),  # printed 1 and −1, the same colours
            ([[1.2, -1.0]], True),  # a new number
            ([[1.2, -0.5]], True),
            ([[1.20001, -0.5]], False),
        ):
            paints.clear()
            g.set_values(np.array(values), limit=1.2)
            QApplication.processEvents()
            assert bool(paints) == repainted, values
            np.testing.assert_array_equal(g.values(), values)  # (the values are the new ones)
    finally:
        g.removeEventFilter(counter)
