"""Learning a kernel (section 6.2.4), live: the loss falls while the kernel walks to [1, −1].

:class:`LearnView` shows the one training example (X and its target Y), the
kernel being learned beside the true one with the gradient of the last
step, the loss and each weight plotted as the run trains, the loss surface
over (w₁, w₂) with the descent path for two-weight kernels, and the
book-style log. The run itself is a Qt-free
:class:`~convviz.model.learning.LearningRun`; this widget is its
controller: its :class:`~.learn_driver.TrainingDriver` advances the run in
timed slices and asks for at most one redraw per slice; this view says
what a slice means (done, converged, diverged) and draws. The settings
form and the transport bar are in ``learn_settings.py`` and
``learn_transport.py``. Nothing compiled runs before the first step.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QCoreApplication, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...model import colormap
from ...model.learning import (
    MAX_LOG_LINES,
    LearningRun,
    LearningSettings,
    Summary,
    data_for,
    djl_edition,
    format_loss,
    kernel_text,
    mxnet_edition,
    parse_kernel_text,
)
from ...model.session import Session
from ...model.values import ValueProblem, display_number
from ..style import Style
from ._util import LAYOUT_SETTLED, blocked, connect_model
from .fit_label import FitLabel
from .grid_widget import GridWidget
from .label_cache import LIVE
from .learn_driver import UNTIL_CAP, TrainingDriver
from .learn_plots import LossPlot, SurfacePlot, WeightPlot
from .learn_settings import SettingsForm
from .learn_transport import TrainingBar
from .steady_label import SteadyWidthLabel
from .text_sprites import within_glyph_cache

NBSP = "\u00a0"  # a space no line breaks at

#: Paces in steps per second; None is as fast as the budget allows, "auto"
#: spreads a press of Train over about two seconds so a short run can be watched.
PACES: dict[str, float | str | None] = {
    "auto": "auto",
    "1 step/s": 1.0,
    "10 steps/s": 10.0,
    "fastest": None,
}
EXPLAIN = (
    "Each step is one full-batch gradient step on the one example (X, Y): "
    "Ŷ = X ⋆ K, the loss L(Ŷ, Y), then K ← K − lr · ∂L/∂K."
)


def ask_question(parent: QWidget, title: str, text: str) -> bool:
    """Ask a yes/no question in a message box; True means yes (discard)."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def summary_text(s: Summary, stride: int = 1) -> str:
    """The loss summary above the loss plot, in groups ("first 12", "lowest 0.5",
    "(batch 3)", "last 0.5") that a narrow plot wraps between, never inside: a plain
    space let the last number strand on a line of its own."""

    def group(text: str) -> str:
        return text.replace(" ", NBSP)

    groups = [
        group(f"first {format_loss(s.first)}"),
        f"{group(f'lowest {format_loss(s.min)}')} {group(f'(batch {s.min_batch:,})')}",
        group(f"last {format_loss(s.last)}"),
    ]
    if stride > 1:
        groups.append(group(f"a point every {stride:,} steps"))
    return f"{NBSP}· ".join(groups)  # (a "·" ends a line, never starts one)


class LearnView(QWidget):
    """The learning panel: settings, controls, the example, the kernel and three plots."""

    sig_state_changed = Signal(str)  # payload: "ready", "training", "paused", "done",
    #                                  "converged", "diverged" or "stopped"

    def __init__(self, session: Session, style: Style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.style_ = style
        self.learning = session.learning
        self.run: LearningRun | None = None
        #: Asked before a run is discarded: (title, text) -> True to discard.
        #: Tests replace it with a function that answers at once.
        self.ask: Callable[[str, str], bool] = lambda title, text: ask_question(self, title, text)
        self.state = "ready"
        self.frames = 0  # redraws of the live parts, for the benchmark
        self.new_run_count = 0  # runs drawn from their start (tests: none while hidden)
        self._message_error = False
        self._log_seen = 0
        self._stale = False  # the session's X or K changed while hidden
        self._resume_on_show = False
        self._settings_pending = False  # the learning state changed while hidden
        self._held = False  # a lesson click is leaving this view (see hold)
        self._drawing_once = 0  # inside drawing_once(): a run's start is drawn at its end
        self._start_pending = False  # a new run's start is not drawn yet (drawing_once)
        self._asking = False
        self._restoring = False
        self._resume_after_check = False
        self._writing = False  # this view is writing the learning state (its own event)
        self._run_slot: Callable[..., object] = self._on_new_run  # see _follow
        #: The (lowest, highest) loss and weight the current press of Train will show.
        self._ahead: tuple[tuple[float, float], tuple[float, float]] | None = None
        # The timer, the slices and the pace (learn_driver.py); this view says what a
        # slice means and draws.
        self.driver = TrainingDriver(
            self,
            pace=self._pace,
            threshold=lambda: self.learning.settings.threshold,
            on_slice=self._after_slice,
            on_draw=self._refresh_live,
        )
        self._build()
        self._show_settings(self.learning.settings)
        self._build_shortcuts()
        connect_model(session.changed, self._on_session_changed)
        connect_model(self.learning.changed, self._on_learning_changed)
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()
        self._set_state("ready")

    # ================================================================ building
    def _build(self) -> None:
        st = self.style_
        root = QVBoxLayout(self)
        root.setContentsMargins(st.px(8), st.px(6), st.px(8), st.px(6))

        # --- controls: the training transport (learn_transport.py)
        bar = TrainingBar(st, self.learning.settings.threshold, PACES)
        # the view wires them by these names
        self.btn_train = bar.btn_train
        self.btn_step = bar.btn_step
        self.btn_reset = bar.btn_reset
        self.btn_until = bar.btn_until
        self.edit_threshold = bar.edit_threshold
        self.combo_pace = bar.combo_pace
        self.btn_mxnet = bar.btn_mxnet
        self.btn_djl = bar.btn_djl
        self.btn_settings = bar.btn_settings
        root.addWidget(bar)
        self._controls_bar = bar

        self.status = SteadyWidthLabel()  # (the page's widest line: see its module)
        self.status.setProperty(LIVE, True)
        # Selectable (to copy K) except while training, when its text changes each frame:
        # a selectable label paints through a text document, ~3 ms a frame at 4K against
        # 0.2 ms for a plain one (_set_state switches it).
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.status)
        # One slot, two lines high whatever it shows: the explanation, or a message
        # in its place (a run's end, a setting's problem). A message row that
        # appeared at "Try 0.034"'s divergence shrank the plots mid-slide, and the
        # next slide grew them back, drawing their axes and pictures again.
        self.note = QWidget()
        note_row = QHBoxLayout(self.note)
        note_row.setContentsMargins(0, 0, 0, 0)
        self.explain = QLabel(EXPLAIN)
        self.explain.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.message.hide()
        self._message_font = QFont()  # its full size (the style sets it)
        self._message_small = False  # set in smaller type by _fit_message
        self.btn_use_lr = self._button("Use the suggested rate", "Restart with this rate")
        self.btn_use_lr.hide()
        note_row.addWidget(self.explain, 1)
        note_row.addWidget(self.message, 1)
        note_row.addWidget(self.btn_use_lr)
        root.addWidget(self.note)
        self._controls_shown = True

        # --- the four columns: a fixed share each (a stage scales them as one slide;
        # a splitter's handles would let the shares drift and its minimum ignores scale)
        self.columns = QWidget()
        self._columns = QHBoxLayout(self.columns)
        self._columns.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.columns, 1)
        self.settings_box = self._build_settings()
        self._columns.addWidget(self.settings_box, 0)
        self._surface_column = self._build_surface_and_log()
        for column, share in (
            (self._build_grids(), 40),
            (self._build_plots(), 35),
            (self._surface_column, 25),
        ):
            # Their shares alone set their widths, not what they hold: a wider kernel
            # widened the grids' column and narrowed every plot, which then redrew
            # all of itself (its axes, map and contours) on that slide and the next.
            policy = column.sizePolicy()
            policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
            column.setSizePolicy(policy)
            self._columns.addWidget(column, share)
        self.settings_box.hide()  # the Settings button shows it
        self._sized = False

        self.btn_train.clicked.connect(self.toggle_training)
        self.btn_step.clicked.connect(self.step)
        self.btn_reset.clicked.connect(self.reset)
        self.btn_until.clicked.connect(self.run_until_converged)
        self.btn_mxnet.clicked.connect(lambda: self.use_edition("mxnet"))
        self.btn_djl.clicked.connect(lambda: self.use_edition("djl"))
        self.btn_settings.toggled.connect(self._on_settings_toggled)
        self.btn_use_lr.clicked.connect(self._use_suggested_lr)
        self.edit_threshold.sig_value.connect(self._on_settings_edited)
        self.combo_pace.currentIndexChanged.connect(self._on_pace_changed)

    def _button(self, text: str, tip: str) -> QPushButton:
        b = QPushButton(text)
        b.setToolTip(tip)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys keep driving the view
        return b

    def _build_settings(self) -> QWidget:
        form = SettingsForm(self.style_)
        # the view reads and writes them by these names
        self.combo_source = form.combo_source
        self.spin_rows = form.spin_rows
        self.spin_cols = form.spin_cols
        self.combo_loss = form.combo_loss
        self.edit_lr = form.edit_lr
        self.lr_hint = form.lr_hint
        self.spin_steps = form.spin_steps
        self.combo_init = form.combo_init
        self.edit_scale = form.edit_scale
        self.edit_typed = form.edit_typed
        self.spin_seed = form.spin_seed
        self.btn_seed = form.btn_seed
        self.check_bias = form.check_bias
        self.settings_problem = form.settings_problem
        for w in (self.combo_source, self.combo_loss, self.combo_init):
            w.currentIndexChanged.connect(self._on_settings_edited)
        for w in (self.spin_rows, self.spin_cols, self.spin_steps, self.spin_seed):
            w.valueChanged.connect(self._on_settings_edited)
        for w in (self.edit_lr, self.edit_scale):
            w.sig_value.connect(self._on_settings_edited)
        self.edit_typed.editingFinished.connect(self._on_settings_edited)
        self.check_bias.toggled.connect(self._on_settings_edited)
        self.btn_seed.clicked.connect(self._new_seed)

        self._settings_inner = form.inner
        return form

    def _build_grids(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        self.grid_X = GridWidget(self.style_)
        self.grid_Y = GridWidget(self.style_)
        self.grid_K = GridWidget(self.style_)
        self.grid_true = GridWidget(self.style_)
        self.grid_grad = GridWidget(self.style_)
        for g in (self.grid_X, self.grid_Y):
            # Context, already read on the slides before: thumbnails, so the
            # kernel being learned and its gradient get the room.
            g.max_cell = 26
            g.show_digits = False
        self.grid_X.picture_ok = True
        for g in (self.grid_K, self.grid_true, self.grid_grad):
            g.max_cell = 120
            g.digits = 3  # read from the back: 0.45, not 0.4496
            g.reserve_chars = 6  # "−0.045": the cells keep their size while K is learned
        self.grid_K.live = self.grid_grad.live = True  # new values at every frame
        self.cap_X = _caption("X, the input")
        self.cap_Y = _caption("Y, the target")
        self.cap_K = _caption("learned K")
        self.cap_true = _caption("true K, which made Y")
        self.cap_grad = _caption("∂L/∂K (last step)")
        pair = QGridLayout()  # X and Y side by side: thumbnails
        pair.addWidget(self.cap_X, 0, 0)
        pair.addWidget(self.grid_X, 1, 0)
        pair.addWidget(self.cap_Y, 0, 1)
        pair.addWidget(self.grid_Y, 1, 1)
        lay.addLayout(pair, 2)
        # The learned kernel sits above the true one, cell over cell, and the
        # gradient that moves it beside it.
        kernels = QGridLayout()
        kernels.addWidget(self.cap_K, 0, 0)
        kernels.addWidget(self.grid_K, 1, 0)
        kernels.addWidget(self.cap_grad, 0, 1)
        kernels.addWidget(self.grid_grad, 1, 1)
        kernels.addWidget(self.cap_true, 2, 0)
        kernels.addWidget(self.grid_true, 3, 0)
        for col in (0, 1):
            kernels.setColumnStretch(col, 1)
        for row in (1, 3):
            kernels.setRowStretch(row, 1)
        lay.addLayout(kernels, 3)
        self.bias_label = QLabel()
        lay.addWidget(self.bias_label)
        return w

    def _build_plots(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = LossPlot(self.style_)
        self.check_log = QCheckBox("log scale")
        self.check_log.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.check_log.toggled.connect(self._on_settings_edited)
        self.summary = QLabel()
        self.summary.setProperty(LIVE, True)
        self.summary.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(self.check_log)
        lay.addLayout(row)
        lay.addWidget(self.loss_plot, 3)
        self.weight_plot = WeightPlot(self.style_)
        lay.addWidget(self.weight_plot, 2)
        return w

    def _build_surface_and_log(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        self.surface = SurfacePlot(self.style_)
        lay.addWidget(self.surface, 3)
        head = QHBoxLayout()
        self.cap_log = _caption("Log, as the book prints it")  # ("…book prin" at 1280×800)
        self.btn_copy = self._button("Copy", "Copy the log")
        self.btn_copy.clicked.connect(self.copy_log)
        head.addWidget(self.cap_log, 1)
        head.addWidget(self.btn_copy)
        lay.addLayout(head)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(MAX_LOG_LINES)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        lay.addWidget(self.log, 2)
        return w

    def _build_shortcuts(self) -> None:
        """Space, →/Page Down and Home drive the run while this view is on screen."""
        self.shortcuts: list[QShortcut] = []
        for keys, slot in (
            ((Qt.Key.Key_Space,), self.toggle_training),
            ((Qt.Key.Key_Right, Qt.Key.Key_PageDown), self.step),
            ((Qt.Key.Key_Home,), self.reset),
        ):
            for key in keys:
                sc = QShortcut(QKeySequence(key), self)
                sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                sc.activated.connect(slot)
                self.shortcuts.append(sc)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # =============================================================== the run
    def _on_learning_changed(self, parts: frozenset) -> None:
        """Someone else changed the settings or the run (a lesson slide, an opened
        file): the form shows them and the view follows the model's run, or a fresh one."""
        if self._writing:
            return  # this view's own change: it has drawn it already
        self.pause()
        self._follow(None)
        if not self._on_screen():
            # Hidden (a window slide): the run is fetched or made when the view is
            # shown (showEvent), in time for its first paint; a lesson that sets the
            # learning state on every slide then costs nothing while nobody sees it.
            self._settings_pending = True
            return
        self.ensure_run()
        self._show_settings(self.learning.settings)

    @contextlib.contextmanager
    def _writing_model(self) -> Iterator[None]:
        """This view writes the learning state: its own event is not news to it."""
        self._writing = True
        try:
            yield
        finally:
            self._writing = False

    def _follow(self, run: LearningRun | None) -> None:
        """Show ``run`` from now on, and redraw when it is reset (LearningRun.changed)."""
        if self.run is not None:
            self.run.changed.disconnect(self._run_slot)
        self.run = run
        if run is not None:
            self._run_slot = connect_model(run.changed, self._on_new_run)

    def ensure_run(self) -> LearningRun | None:
        """The current run, made from the settings on first need (cheap: no compiled code)."""
        if self.run is None:
            run = self.learning.run
            if run is not None and not run.settings.restart_needed(self.learning.settings):
                self._follow(run)
                self._on_new_run()
            else:
                self._new_run()
        return self.run

    def rehearse(self, run: LearningRun) -> bool:
        """Draw ``run`` as a slide that trains it would, while this view is hidden, then
        let go of it; False if the view is in use (shown, or keeping a press to resume).

        A lesson calls this for the next slide's run (see
        :func:`~convviz.model.lessons.preview_run`) while the class looks at a slide
        of another view: its surface, contours and axes' pictures are then found
        again when the click shows the real run, which draws the same. The view
        follows no run afterwards, so the next showing draws the model's run from
        its start, whatever this drew.
        """
        if self.isVisible() or self.training or self._resume_on_show:
            return False
        kept = (self.new_run_count, self.frames, self._stale)
        self._follow(run)
        try:
            self._on_new_run()
            self.driver.aim_steps(run, run.settings.steps)
            self._ahead = run.extent(self.driver.target - run.steps)
            self._refresh_live()
            for plot in (self.loss_plot, self.weight_plot, self.surface.plot):
                plot.prime()
        finally:
            self._follow(None)
            self.driver.forget()
            self._ahead = None
            self.new_run_count, self.frames, self._stale = kept
        return True

    def settle_ahead(self) -> bool:
        """Settle the plots of this view, hidden, as their first paint would (their
        ranges, axes and the surface's labels, placed for the size the stage gave
        them); False if the view is shown. See ``Stage.settle_ahead``: a picture of
        the page drawn ahead then shows what its showing paints ("true K [1, −1]",
        not the "true K" its plot's size before the fit left room for)."""
        if self.isVisible():
            return False
        for plot in (self.loss_plot, self.weight_plot, self.surface.plot):
            plot.prime()
        return True

    def trace_ahead(self, run: LearningRun) -> bool:
        """Trace the loss surface ``run`` will show (see :meth:`SurfacePlot.trace_ahead`)
        while this view shows another run; False if nothing was left to make.

        The extent of a slide's press of Train is taken too (kept by the run's start,
        so the click's press finds it: ~8 ms of slide 12's first showing at 4K), and
        the loss and weight plots' axes for that press are drawn.
        """
        made = 0
        if run.steps == 0:
            ahead = run.extent(run.settings.steps)
            if ahead is not None:  # the press's axes (see _refresh_live)
                horizon = float(run.settings.steps)
                truths = np.append(run.data.K_true.ravel(), 0.0)[: len(run.param_names)]
                made += self.loss_plot.prime_ahead(horizon, ahead[0], run.settings.log_scale)
                made += self.weight_plot.prime_ahead(horizon, ahead[1], truths)
        if run.two_weights:
            r1, r2 = run.surface_ranges()
            Z = run.loss_surface(r1, r2, SurfacePlot.N)
            made += self.surface.trace_ahead(Z, (r1, r2))
        return made > 0

    def _new_run(self) -> None:
        self.pause()
        try:
            with self._writing_model():
                run = self.learning.new_run(self.session)
        except ValueProblem as exc:
            with self._writing_model():
                self.learning.discard()
            self._follow(None)
            self._show_message(str(exc), error=True)
            self._set_state("stopped")
            self._clear_live()
            return
        self._follow(run)
        self._on_new_run()

    def _on_new_run(self) -> None:
        """A run to show from its start: a new one, or this one reset."""
        run = self.run
        assert run is not None
        self.new_run_count += 1
        self.status.release()
        self.driver.forget()
        self._ahead = None
        self._log_seen = 0
        self._stale = False
        self.log.clear()
        self._show_message("")
        d = run.data
        self.grid_X.set_values(d.X)
        self.grid_Y.set_values(d.Y)
        # The session's kernel made Y: it is the true K below (and short enough for
        # the column, where "the session's kernel" was cut at 1280×800).
        src = "[1, −1]" if d.source == "chapter" else "true K"
        self.cap_Y.setText(f"Y = X ⋆ {src}, the target")
        self.grid_true.set_values(d.K_true)
        self.weight_plot.set_params(run.param_names, np.append(d.K_true.ravel(), 0.0))
        if run.two_weights:
            r1, r2 = run.surface_ranges()
            Z = run.loss_surface(r1, r2, SurfacePlot.N)
            self.surface.set_surface(Z, (r1, r2), d.K_true.ravel(), run.K0.ravel())
        else:
            self.surface.set_unavailable(
                "The loss surface is drawn for kernels with two weights, such as 1×2, "
                f"without a bias. This one has {len(run.param_names)} parameters: "
                "their paths are in the weights plot."
            )
        q = run.quadratic
        limit = q.max_stable_lr()
        self.lr_hint.setText(
            "any rate converges on this data"
            if math.isinf(limit)
            else f"stable below {limit:.3g} on this data; {q.suggested_lr():g} never overshoots"
        )
        self._set_state("ready")
        if self._drawing_once:
            self._start_pending = True  # drawn at the end, unless a first step is first
        else:
            self._refresh_live()
        self._prime_plots()

    @contextlib.contextmanager
    def drawing_once(self) -> Iterator[None]:
        """A lesson click: a new run's start is drawn at the end, if nothing else is.

        A slide that trains draws its run's first step in the same click: the start,
        drawn first, was thrown away (~3 ms a learning slide at 1080p: the plots' data,
        three grids, the summary and the log).
        """
        self._drawing_once += 1
        try:
            yield
        finally:
            self._drawing_once -= 1
            if not self._drawing_once:
                self.draw_start()

    def draw_start(self) -> None:
        """Draw the new run's start now if it is still undrawn (see :meth:`drawing_once`)."""
        if self._start_pending and self.run is not None:
            self._refresh_live()
        self._start_pending = False

    def _prime_plots(self, now: bool = False) -> None:
        """Settle the plots before the paint that shows a new run or a press: pyqtgraph
        settles ranges, axes and changed items while painting, then paints again. A
        slide change settles them with its layouts; a press (``now``) at once."""
        if self.isVisible():
            for plot in (self.loss_plot, self.weight_plot, self.surface.plot):
                plot.request_prime()
                if now:
                    QCoreApplication.sendPostedEvents(plot, LAYOUT_SETTLED)

    def _clear_live(self) -> None:
        for g in (self.grid_X, self.grid_Y, self.grid_K, self.grid_true, self.grid_grad):
            g.set_values(None)
        self.loss_plot.set_data(np.empty(0), np.empty(0))
        self.surface.set_path(np.empty((0, 2)))

    # ----------------------------------------------------------- controls
    def toggle_training(self) -> None:
        if self.training:
            self.pause()
        else:
            self.train()

    @property
    def training(self) -> bool:
        return self.driver.training

    @property
    def slices(self) -> int:
        """Training slices run by the timer (for tests and the benchmark)."""
        return self.driver.slices

    def train(self) -> None:
        """Train (or resume) towards ``steps`` more steps than where the run stood."""
        run = self.ensure_run()
        if run is None or run.diverged or self.training:
            return
        self.driver.aim_steps(run, self.learning.settings.steps)
        # What this press will show (a twin run, a few steps at most): the axes fit it.
        self._ahead = run.extent(self.driver.target - run.steps)
        self._start(run)

    def run_until_converged(self) -> None:
        run = self.ensure_run()
        if run is None or run.diverged:
            return
        self.pause()
        self.driver.aim_until(run)
        self._ahead = None
        self._start(run)

    def _start(self, run: LearningRun) -> None:
        self._show_message("")
        self._set_state("training")
        self.driver.start(run)
        self._prime_plots(now=True)

    def pause(self) -> None:
        if not self.training:
            return
        self.driver.pause()
        self._set_state("done" if self.driver.reached else "paused")

    def hold(self) -> None:
        # Measured: a click from a learning slide to a window slide whose learning
        # state cannot be learned from made a run and a message here, which resized
        # the plots; the next learning slide resized them back and redrew them all.
        self._held = True

    def release(self) -> None:
        self._held = False
        if self.isVisible():
            self._catch_up()

    def _on_screen(self) -> bool:
        """Shown, and not about to be left: a model change is drawn now, else when shown."""
        return self.isVisible() and not self._held

    def step(self) -> None:
        """One gradient step (pauses a running run first)."""
        self.pause()
        run = self.ensure_run()
        if run is None or run.diverged:
            return
        self.driver.until = False
        run.advance(1)
        self._after_slice(stepping=True)
        self._refresh_live()

    def reset(self) -> None:
        """Back to step 0 with the same start, so the run replays exactly."""
        self.pause()
        run = self.ensure_run()
        if run is None:
            return
        run.reset()  # its changed event redraws the view (_on_new_run)

    def use_edition(self, which: str) -> None:
        """One click for a book's settings (the seed stays as it is)."""
        seed = self.learning.settings.seed
        s = mxnet_edition(seed=seed) if which == "mxnet" else djl_edition(seed=seed)
        s = replace(s, threshold=self.learning.settings.threshold)
        self._request_settings(s)

    def copy_log(self) -> None:
        QApplication.clipboard().setText(self.log.toPlainText())

    # ------------------------------------------------------------ the pace
    def _pace(self) -> float | None:
        """Steps per second for the driver (None: as fast as the budget allows)."""
        val = self.combo_pace.currentData()
        if val == "auto":
            return max(self.learning.settings.steps / 2.0, 5.0)
        return val  # type: ignore[no-any-return]

    def _after_slice(self, stepping: bool = False) -> None:
        run = self.run
        assert run is not None
        if run.diverged:
            self._stop("diverged")
            if run.suggested_lr is not None:
                self.btn_use_lr.setText(f"Use lr {run.suggested_lr:g}")
                self.btn_use_lr.show()
            self._show_message(run.message, error=True)
        elif run.converged:
            self._stop("converged")
            self._show_message(run.message)
        elif not stepping and self.driver.reached:
            if self.driver.until:
                self._stop("stopped")
                self._show_message(
                    f"The loss is still {format_loss(run.summary.last)} after "
                    f"{UNTIL_CAP:,} more steps: try a larger learning rate or threshold."
                )
            else:
                self._stop("done")
        elif stepping:
            self._set_state("paused")

    def _stop(self, state: str) -> None:
        self.driver.stop()
        self._set_state(state)

    # ------------------------------------------------------------ drawing
    def _refresh_live(self) -> None:
        """Redraw what changes as the run trains (called at most once per slice)."""
        self._start_pending = False
        self.driver.drawn()
        run = self.run
        if run is None:
            return
        self.frames += 1
        # The axes span the steps this press of Train aims at and the losses and weights
        # it will show (or, before any press, the loss the run starts from), from the
        # first frame on: drawn once, not again at step 1, 2, 5 or at each decade.
        horizon = 0 if self.driver.until else self.driver.target
        ahead = self._ahead
        x, y = run.loss_history()
        loss_ahead = ahead[0] if ahead is not None else None
        if loss_ahead is None and not len(y):  # the loss its first point will have
            loss_ahead = (run.current_loss(), run.current_loss())
        self.loss_plot.set_data(x, y, horizon=horizon, expect=loss_ahead)
        xw, W = run.weight_history()
        self.weight_plot.set_data(
            xw, W, horizon=horizon, expect=ahead[1] if ahead is not None else None
        )
        if run.two_weights and self.surface.available:
            self.surface.set_path(run.descent_path())
        K = run.kernel
        limit = colormap.symmetric_limit(K, run.data.K_true)
        self.grid_K.set_values(K, limit=limit)
        self.grid_true.set_limit(limit)
        self.grid_grad.set_values(run.grad)
        if run.learn_bias:
            self.bias_label.setText(
                f"bias b = {display_number(run.bias or 0.0)}   "
                f"∂L/∂b = {display_number(run.bias_grad or 0.0)}"
            )
            self.bias_label.show()
        else:
            self.bias_label.hide()
        s = run.summary
        if s.count:
            self.summary.setText(summary_text(s, run.stride))
        else:
            self.summary.setText("No steps yet: press Train (Space) or Step (→).")
        self._append_log()
        self._update_status()

    def _append_log(self) -> None:
        run = self.run
        if run is None:
            return
        new = run.log_count - self._log_seen
        if new <= 0:
            return
        lines = list(run.log)[-min(new, len(run.log)) :]
        self.log.appendPlainText("\n".join(lines))
        self._log_seen = run.log_count

    def _update_status(self) -> None:
        run = self.run
        if run is None:
            self.status.setText("No run: see the message below.")
            return
        K = run.kernel
        k = ", ".join(display_number(v) for v in K.ravel()[:6]) + (", …" if K.size > 6 else "")
        loss = f"loss {format_loss(run.summary.last)}" if run.summary.count else "loss —"
        self.status.setText(
            f"<b>{self.state}</b> · batch {run.steps:,} · {loss} · "
            f"K = [{k}]" + (f" · b = {display_number(run.bias or 0.0)}" if run.learn_bias else "")
        )

    def _set_state(self, state: str) -> None:
        self.state = state
        flags = (
            Qt.TextInteractionFlag.NoTextInteraction
            if state == "training"
            else Qt.TextInteractionFlag.TextSelectableByMouse
        )
        if self.status.textInteractionFlags() != flags:
            self.status.setTextInteractionFlags(flags)
        self.btn_train.setText("‖ Pause" if state == "training" else "▶ Train")
        diverged = self.run is not None and self.run.diverged
        self.btn_train.setEnabled(self.run is None or not diverged or state == "training")
        self.btn_step.setEnabled(not diverged)
        self.btn_until.setEnabled(not diverged)
        if not diverged:
            self.btn_use_lr.hide()
        self._update_status()
        self.sig_state_changed.emit(state)

    def _style_message(self) -> None:
        t = self.style_.theme
        color = t.error if self._message_error else t.text
        sheet = f"color: {color}; font-weight: bold;"
        if self.message.styleSheet() != sheet:  # each new sheet re-polishes the label (6 ms)
            self.message.setStyleSheet(sheet)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self._message_error = error
        self.message.setText(text)
        if text:  # (an empty one is hidden: restyled when it has words again)
            self._style_message()
        self.message.setVisible(bool(text))
        self.explain.setVisible(self._controls_shown and not text)
        if not text:
            self.btn_use_lr.hide()
        self._fit_message()

    def _fit_message(self) -> None:
        """The message's type, from its size down to 70 %, in which it fits the slot's
        two lines beside the button (a long one at 1280×800 took three)."""
        base, label = self._message_font, self.message
        if not label.text():  # hidden: back to full size only if it was set smaller
            if self._message_small:
                label.setFont(base)
                self._message_small = False
            return
        room = self.note.width() - (
            self.btn_use_lr.sizeHint().width() + self.note.layout().spacing()
            if self.btn_use_lr.isVisibleTo(self)
            else 0
        )
        ratios = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7) if room > 0 else (1.0,)
        for ratio in ratios:
            font = QFont(base)
            if ratio == 1.0:
                pass
            elif base.pixelSize() > 0:  # (the stage's type is set in pixels)
                font.setPixelSize(max(1, round(base.pixelSize() * ratio)))
            else:
                font.setPointSizeF(base.pointSizeF() * ratio)
            label.setFont(font)
            self._message_small = ratio < 1.0
            if label.heightForWidth(room) <= self.note.height():
                break

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.message.text():
            self._fit_message()

    # ============================================================ settings
    def _show_settings(self, s: LearningSettings) -> None:
        """Put ``s`` into the widgets without triggering their handlers."""
        widgets = (
            self.combo_source, self.combo_loss, self.combo_init, self.spin_rows, self.spin_cols,
            self.spin_steps, self.spin_seed, self.check_bias, self.check_log, self.edit_typed,
        )  # fmt: skip
        with blocked(*widgets):
            self.combo_source.setCurrentIndex(self.combo_source.findData(s.source))
            self.combo_loss.setCurrentIndex(self.combo_loss.findData(s.loss))
            self.combo_init.setCurrentIndex(self.combo_init.findData(s.init))
            shape = s.kernel_shape
            if s.source == "current":
                shape = tuple(self.session.kernel.shape)  # type: ignore[assignment]
            self.spin_rows.setValue(shape[0])
            self.spin_cols.setValue(shape[1])
            self.spin_steps.setValue(s.steps)
            self.spin_seed.setValue(min(s.seed, 2**31 - 1))
            self.check_bias.setChecked(s.learn_bias)
            self.check_log.setChecked(s.log_scale)
            self.edit_typed.setText(kernel_text(s.typed_kernel).replace("\n", "; "))
        self.edit_lr.set_value(s.lr)
        self.edit_scale.set_value(s.init_scale)
        self.edit_threshold.set_value(s.threshold)
        current = s.source == "current"
        self.spin_rows.setEnabled(not current)
        self.spin_cols.setEnabled(not current)
        self.edit_typed.setEnabled(s.init == "typed")
        self.edit_scale.setEnabled(s.init not in ("typed", "book"))
        self.loss_plot.set_log(s.log_scale)
        self.settings_problem.setText("")

    def _settings_from_widgets(self) -> LearningSettings:
        typed_text = self.edit_typed.text().replace(";", "\n")
        typed = parse_kernel_text(typed_text)  # ValueProblem says what is wrong
        return LearningSettings(
            kernel_shape=(self.spin_rows.value(), self.spin_cols.value()),
            lr=self.edit_lr.value(),
            steps=self.spin_steps.value(),
            loss=self.combo_loss.currentData(),
            learn_bias=self.check_bias.isChecked(),
            init=self.combo_init.currentData(),
            init_scale=self.edit_scale.value(),
            seed=self.spin_seed.value(),
            typed_kernel=typed,
            log_scale=self.check_log.isChecked(),
            threshold=self.edit_threshold.value(),
            source=self.combo_source.currentData(),
        )

    def _on_settings_edited(self, *_: object) -> None:
        try:
            s = self._settings_from_widgets()
            if s.source == "current":  # the shape follows the session's kernel
                s = replace(s, kernel_shape=self.learning.settings.kernel_shape)
            s = s.validated()
        except ValueProblem as exc:
            self.settings_problem.setText(str(exc))
            self.settings_problem.setStyleSheet(f"color: {self.style_.theme.error};")
            return
        self.settings_problem.setText("")
        self._request_settings(s)

    def _new_seed(self) -> None:
        s = self.learning.settings
        self._request_settings(replace(s, seed=random.randrange(2**31)))

    def _use_suggested_lr(self) -> None:
        run = self.run
        if run is None or run.suggested_lr is None:
            return
        s = self.learning.settings
        self._request_settings(replace(s, lr=run.suggested_lr))

    def _mid_run(self) -> bool:
        """A run worth asking about: it has taken steps and has not diverged."""
        run = self.run
        return run is not None and run.steps > 0 and not run.diverged

    def _request_settings(self, new: LearningSettings) -> None:
        """Apply new settings; if they redefine a run in progress, pause and ask first."""
        old = self.learning.settings
        if new == old:
            self._show_settings(old)
            return
        run = self.run
        restart = run is None or new.restart_needed(run.settings)
        if restart and self._mid_run():
            was = self.training
            self.pause()
            assert run is not None
            what = ", ".join(_FIELD_NAMES.get(f, f) for f in run.settings.changed_fields(new)
                             if f in _FIELD_NAMES)  # fmt: skip
            if not self._ask(
                "Discard this run?",
                f"You changed {what}. This run has taken {run.steps:,} steps.\n\n"
                "Yes: discard it and start again with the new settings.\n"
                "No: keep the run and put the setting back.",
            ):
                self._show_settings(old)
                if was:
                    self.train()
                return
            self._adopt(new, restart=True, resume=was)
            return
        self._adopt(new, restart=restart, resume=False)

    def _adopt(self, new: LearningSettings, *, restart: bool, resume: bool) -> None:
        with self._writing_model():
            self.learning.set_settings(new)
        self._show_settings(new)
        if restart:
            self._follow(None)
            self._new_run()
            if resume:
                self.train()
        else:
            self._update_status()

    def _ask(self, title: str, text: str) -> bool:
        self._asking = True
        try:
            return bool(self.ask(title, text))
        finally:
            self._asking = False

    # ========================================================= the session
    def _on_session_changed(self, parts: frozenset) -> None:
        if self._restoring or not ({"input", "kernel"} & set(parts)):
            return
        if self.learning.settings.source != "current":
            return
        if self.run is None:  # no run yet, or the last data could not be learned from
            if self._on_screen():
                self._show_settings(self.learning.settings)
                self._new_run()
            return
        if self._on_screen():
            if not self._stale:
                self._stale = True
                QTimer.singleShot(0, self._check_data)
            if self.training and self._mid_run():
                self._resume_after_check = True
                self.pause()
        else:
            self._stale = True

    def _check_data(self) -> None:
        """The session's X or K changed: start again, or keep the run and put them back."""
        if not self._stale or self.run is None:
            return
        self._stale = False
        resume, self._resume_after_check = self._resume_after_check, False
        run = self.run
        try:
            data = data_for(self.learning.settings, self.session)
        except ValueProblem as exc:
            data = None
            problem = str(exc)
        if data is not None and run.data.same_as(data):
            if resume:
                self.train()
            return
        if self._mid_run() and not self._ask(
            "Discard this run?",
            "The session's input or kernel changed, so X and Y changed too. This run "
            f"has taken {run.steps:,} steps.\n\n"
            "Yes: discard it and learn from the new X and Y.\n"
            "No: keep the run and put the session's input and kernel back.",
        ):
            self._restoring = True
            try:
                self.session.set_grid("input", run.data.X)
                self.session.set_grid("kernel", run.data.K_true)
            finally:
                self._restoring = False
            if resume:
                self.train()
            return
        self._show_settings(self.learning.settings)
        self._follow(None)
        if data is None:
            with self._writing_model():
                self.learning.discard()
            self._clear_live()
            self._show_message(problem, error=True)
            self._set_state("stopped")
            return
        self._new_run()
        if resume:
            self.train()

    # ============================================================== events
    def _on_settings_toggled(self, on: bool) -> None:
        self.settings_box.setVisible(on)
        self._size_columns()

    def _size_columns(self) -> None:
        """The example a third of the width, the plots 38 %, the surface and log 29 %
        (stretch factors of the columns' layout); the settings take what they need."""
        self._columns.invalidate()

    def set_tools_visible(self, on: bool) -> None:
        """The settings form is this view's tools: folding them closes it (the Settings
        button opens it again)."""
        if not on:
            self.btn_settings.setChecked(False)

    def set_controls_visible(self, on: bool) -> None:
        """View ▸ Hide controls and presenting: the buttons, settings and log fold away."""
        self._controls_bar.setVisible(on)
        self._controls_shown = on
        self.explain.setVisible(on and not self.message.text())
        for w in (self.log, self.btn_copy, self.cap_log, self.check_log):
            w.setVisible(on)
        if not on:
            self.btn_settings.setChecked(False)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            QTimer.singleShot(0, self._size_columns)
        self._catch_up()
        if not self.hasFocus() and not self.isAncestorOf(QApplication.focusWidget()):
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def catch_up(self) -> None:
        """Show what changed while hidden, as a showing would (a double of this view,
        drawn ahead and never shown: see ``LessonController._learning_double``)."""
        self._catch_up()

    def _catch_up(self) -> None:
        """Shown (or no longer held): what changed meanwhile, shown once."""
        if self._settings_pending:
            self._settings_pending = False
            self._show_settings(self.learning.settings)
        if self.run is None:
            self.ensure_run()
            if self._resume_on_show:  # hidden while training, then given a new run
                self.train()
        elif self._stale:
            QTimer.singleShot(0, self._check_data)
        elif self._resume_on_show:
            self.train()
        self._resume_on_show = False

    def hideEvent(self, event) -> None:
        if self.training and not self._asking:
            self._resume_on_show = True
            self.pause()
        super().hideEvent(event)

    def _on_pace_changed(self) -> None:
        if self.training:
            self.driver.restart_pace()

    def _on_style_changed(self) -> None:
        st, t = self.style_, self.style_.theme
        self.explain.setFont(st.font(12))
        self.explain.setStyleSheet(f"color: {t.muted};")
        # New text at every frame of a run: painted directly, in type Qt keeps the
        # glyphs of (at 4K each frame's status was filled from outlines, 6-9 ms).
        self.status.setFont(within_glyph_cache(st.font(14)))
        self.status.release()
        self.summary.setFont(within_glyph_cache(st.font(11)))
        # Two lines kept for the summary whether its text takes one or two: the plots
        # below keep their size from slide to slide and through a run (a resized plot
        # draws its axes and pictures again, ~8 ms each at 4K).
        two_lines = QFontMetrics(self.summary.font()).boundingRect(
            QRect(0, 0, 10_000, 0), Qt.TextFlag.TextWordWrap, "1\n2"
        )
        self.summary.setMinimumHeight(two_lines.height())
        self.lr_hint.setFont(st.font(10.5))
        self.lr_hint.setStyleSheet(f"color: {t.muted};")
        for cap in (self.cap_X, self.cap_Y, self.cap_K, self.cap_true, self.cap_grad,
                    self.cap_log):  # fmt: skip
            cap.set_base_font(st.font(12, bold=True))
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(11.5 * st.scale)
        self.log.setFont(mono)
        self.btn_train.setMinimumWidth(st.px(110))
        self._settings_inner.setMinimumWidth(st.px(250))
        self.settings_box.setMinimumWidth(
            self._settings_inner.minimumSizeHint().width()
            + self.settings_box.verticalScrollBar().sizeHint().width()
        )
        self.edit_threshold.setMaximumWidth(st.px(90))
        self.bias_label.setFont(st.font(12))
        self._message_font = st.font(13)
        self.message.setFont(self._message_font)
        self._message_small = False
        self._style_message()
        # Two lines of the message's (bold) type, or of the explanation's: the slot
        # keeps its height whichever it shows, and the plots below keep theirs.
        bold = QFont(self._message_font)
        bold.setBold(True)
        lines = [
            QFontMetrics(f).boundingRect(QRect(0, 0, 10_000, 0), Qt.TextFlag.TextWordWrap, "1\n2")
            for f in (bold, self.explain.font())
        ]
        self.note.setFixedHeight(max(r.height() for r in lines))
        self._fit_message()


_FIELD_NAMES = {
    "kernel_shape": "the kernel's shape",
    "lr": "the learning rate",
    "loss": "the loss",
    "learn_bias": "whether a bias is learned",
    "init": "the start",
    "init_scale": "the start's scale",
    "seed": "the seed",
    "typed_kernel": "the typed start",
    "source": "the data",
}


def _caption(text: str) -> FitLabel:
    lab = FitLabel(text)
    lab.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
    return lab
