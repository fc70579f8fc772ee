"""The sliding window, step by step: Fig. 6.2.1 of the chapter, editable and animated.

Input ⋆ kernel = output across the top, the current step's arithmetic in
large type beneath, then the transport controls and the layer's options (their form is
:mod:`.window_options`).
The view owns the animation's QTimer (the model owns none); every number
comes from the Session (``session.steps[n]``, ``session.output``), and the
view only formats and places it. Space plays or pauses, →/← and
PageDown/PageUp step, Home/End jump, whenever focus is inside the view and
no cell editor or text field wants the key.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...model import colormap
from ...model.session import Session
from ..style import Style
from ._util import LAYOUT_SETTLED, blocked, connect_model, set_style_sheet
from .arithmetic import ArithmeticView
from .color_bar import ColorBar
from .fit_label import FitLabel
from .flow import FlowLayout
from .grid_panel import GridPanel
from .grid_widget import GridWidget
from .window_options import OptionDoubleSpin, OptionsForm

#: Every part of a session the view shows (a full refresh).
ALL_PARTS = frozenset({"input", "kernel", "options", "step", "hidden"})

#: Keys that drive the animation, and what they do.
#: What each stepping key does (the table itself is after the class, which it names).
STEP_KEYS: dict[Qt.Key, Callable[[WindowView], object]]


class WindowView(QWidget):
    """Input ⋆ kernel = output, the arithmetic of the current step, and its controls."""

    def __init__(self, session: Session, style: Style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.style_ = style
        self._hover_term = -1
        self._controls_on = True
        self._controls_stale = True  # the controls' fonts and icons lag the style
        self._reserve_flipped = False
        self._focused_once = False
        self._pending: frozenset = frozenset()  # session parts changed while hidden
        self._previewed = False  # showing a preview's session (see rehearse)
        self._held = False  # a lesson is moving to another view's slide (see hold)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer)

        # ---------------------------------------------------------- the grids
        self.input_panel = GridPanel(session, "input", style, title="Input X")
        self.input_panel.editor.picture_ok = True  # a 0/1 image shows as one: 0 black, 1 white
        self.kernel_panel = GridPanel(session, "kernel", style, title="Kernel K")
        self.applied_title = QLabel("Flipped kernel")
        self.applied = GridWidget(style)
        self.applied_note = QLabel(
            "Convolution turns the kernel 180° (flips both axes); this flipped kernel slides."
        )
        self.applied_note.setWordWrap(True)
        self.applied_box = QWidget()
        ab = QVBoxLayout(self.applied_box)
        ab.setContentsMargins(0, 0, 0, 0)
        ab.addStretch(1)
        ab.addWidget(self.applied_title, 0, Qt.AlignmentFlag.AlignHCenter)
        ab.addWidget(self.applied_note)
        ab.addWidget(self.applied, 100)
        ab.addStretch(1)
        self.op_star = QLabel("⋆")
        self.op_eq = QLabel("=")
        for op in (self.op_star, self.op_eq):
            op.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.output_title = QLabel("Output Y")
        self.output = GridWidget(style)
        self.output_error = QLabel()
        self.output_error.setWordWrap(True)
        self.output_error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.output_error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Set in smaller type when the output's column is narrow (zoom 200, a long
        # strided formula): wrapped, its lines outgrew the room under the output.
        self.formula = FitLabel()
        self.in_bar = ColorBar(style, "Colour scale: input and kernel")
        self.out_bar = ColorBar(style, "Colour scale: output")
        out_box = QWidget()
        ob = QVBoxLayout(out_box)
        ob.setContentsMargins(0, 0, 0, 0)
        ob.addStretch(1)
        ob.addWidget(self.output_title, 0, Qt.AlignmentFlag.AlignHCenter)
        ob.addWidget(self.output, 100)
        ob.addWidget(self.output_error, 100)
        ob.addWidget(self.formula)
        ob.addStretch(1)
        self.output_box = out_box

        top = QGridLayout()
        top.addWidget(self.input_panel, 0, 0)
        top.addWidget(self.op_star, 0, 1)
        top.addWidget(self.kernel_panel, 0, 2)
        top.addWidget(self.applied_box, 0, 3)
        top.addWidget(self.op_eq, 0, 4)
        top.addWidget(out_box, 0, 5)
        for col, stretch in ((0, 5), (2, 3), (3, 3), (5, 4)):
            top.setColumnStretch(col, stretch)
        top.setRowStretch(0, 1)
        self._top = top

        # ------------------------------------------------------ the arithmetic
        self.arith = ArithmeticView(style)

        # -------------------------------------------------------- the controls
        self.btn_start = self._button("Start", "start", "Back to the start (Home)")
        self.btn_back = self._button("Back", "back", "One step back (← or PgUp)")
        self.btn_play = self._button("Play", "play", "Play or pause (Space)")
        self.btn_forward = self._button("Step", "forward", "One step forward (→ or PgDown)")
        self.btn_end = self._button("End", "end", "Jump to the last step (End)")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.setToolTip("Drag to any step")
        self.step_label = QLabel()
        self.speed = OptionDoubleSpin(self)
        self.speed.setRange(0.25, 30.0)
        self.speed.setDecimals(2)
        self.speed.setSingleStep(0.5)
        self.speed.setValue(1.0)
        self.speed.setToolTip("Animation speed: steps per second")
        self.speed_label = QLabel("Steps per second")
        controls_w = QWidget()
        self.controls_box = controls_w
        self.controls_flow = FlowLayout(controls_w)
        buttons = QWidget()
        bl = QHBoxLayout(buttons)
        bl.setContentsMargins(0, 0, 0, 0)
        for b in (self.btn_start, self.btn_back, self.btn_play, self.btn_forward, self.btn_end):
            bl.addWidget(b)
        self._button_row = bl
        speed = QWidget()
        sl = QHBoxLayout(speed)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.speed_label)
        sl.addWidget(self.speed)
        self.btn_tools = QToolButton()
        self.btn_tools.setText("Edit tools")
        self.btn_tools.setCheckable(True)
        self.btn_tools.setChecked(True)
        self.btn_tools.setToolTip(
            "Show or hide the grid tools and the layer's options (more room to project)"
        )
        self.btn_tools.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        for w in (buttons, speed, self.btn_tools):
            self.controls_flow.addWidget(w)
        # The colour-scale legends ride beside the slider, not on a row of their own:
        # every row under the grids is a row the grids cannot have.
        slider_row = QHBoxLayout()
        slider_row.addWidget(self.slider, 1)
        slider_row.addSpacing(12)
        slider_row.addWidget(self.step_label)
        for bar in (self.in_bar, self.out_bar):
            bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            slider_row.addWidget(bar)
        self._slider_row = slider_row

        # ------------------------------------------ the options (window_options.py)
        self.options_form = OptionsForm(session, style, home=self)

        # ----------------------------------------------------------- the layout
        root = QVBoxLayout(self)
        self._root = root
        root.addLayout(top, 1)
        root.addWidget(self.arith)
        root.addLayout(slider_row)
        root.addWidget(controls_w)
        root.addWidget(self.options_form)

        # ------------------------------------------------------------- wiring
        self.btn_start.clicked.connect(self.to_start)
        self.btn_back.clicked.connect(self.step_back)
        self.btn_play.clicked.connect(self.toggle_play)
        self.btn_forward.clicked.connect(self.step_forward)
        self.btn_end.clicked.connect(self.to_end)
        self.btn_tools.toggled.connect(self._on_tools_changed)
        # Once the user has shown or hidden the tools, the view never overrides it.
        self._tools_chosen = False
        self.btn_tools.clicked.connect(self._on_tools_clicked)
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.speed.valueChanged.connect(self._on_speed_changed)
        self.arith.sig_term_hovered.connect(self._on_term_hovered)
        self.input_panel.editor.sig_cell_hovered.connect(self._on_input_hovered)
        self.kernel_panel.editor.sig_cell_hovered.connect(self._on_kernel_hovered)
        self.applied.sig_cell_hovered.connect(self._on_applied_hovered)
        self._shortcuts: list[QShortcut] = []
        for key, action in STEP_KEYS.items():
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.setAutoRepeat(key != Qt.Key.Key_Space)  # held Space must not toggle on and off
            sc.activated.connect(lambda a=action: a(self))
            self._shortcuts.append(sc)
        self.syncs = 0  # cell sizes shared after a layout settled (tests wait on it)
        # A posted event, not a zero-delay timer: posted events run before the
        # window's low-priority repaint, timers after it (a second full paint at 4K).
        self._sync_pending = False
        for g in self._grids():
            g.installEventFilter(self)
        connect_model(session.changed, self._on_session_changed)
        style.sig_changed.connect(self._on_style_changed)
        self._on_speed_changed(self.speed.value())
        self._on_style_changed()
        self._refresh_all()

    def _button(self, text: str, icon: str, tip: str) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setIcon(self.style_.icon(icon))
        b.setProperty("icon_kind", icon)
        b.setToolTip(tip)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        b.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the keys with the view
        return b

    # ------------------------------------------------- one cell size for all
    def _grids(self) -> list[GridWidget]:
        return [self.input_panel.editor, self.kernel_panel.editor, self.applied, self.output]

    def eventFilter(self, obj, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._request_sync()
        return False

    def _request_sync(self) -> None:
        """Share the cell sizes once the layout has settled, before the next paint."""
        if not self._sync_pending:
            self._sync_pending = True
            QCoreApplication.postEvent(self, QEvent(LAYOUT_SETTLED))

    def event(self, e: QEvent) -> bool:
        if e.type() == LAYOUT_SETTLED:
            self._sync_pending = False
            self._sync_cells()
            return True
        return super().event(e)

    def _sync_cells(self) -> None:
        """Draw input, kernel and output with one cell size, as in the chapter's figure.

        The shared size is the smallest that stays readable: a grid whose own
        cells are smaller than that (a 64×64 input) keeps its small cells, and
        the others (kernel, output) still share theirs. Runs after the layout
        has settled (the grids' Resize/Show events post an event, handled before
        the repaint).
        """
        self.syncs += 1
        # Shown within this view, not on screen: a view drawn ahead while hidden (the
        # next slide, see rehearse) shares its cells as the click will, and the digits
        # it paints are the ones the click finds made (slide 29 at 4K: cells of 119,
        # 165 and 128 px ahead, 119 for all three on the click).
        grids = [g for g in self._grids() if g.isVisibleTo(self) and g.values() is not None]
        readable = self.style_.px(40)
        sizes = [g.natural_cell() for g in grids]
        if (
            sizes
            and max(sizes) < readable
            and self.btn_tools.isChecked()
            and not self._tools_chosen
        ):  # no grid is readable: give them the tools' room
            self.set_tools_visible(False)
            return  # the re-layout starts another sync
        # Small grids (their numbers are read) share one cell size, so the output
        # is never drawn smaller than the input; a large one (64×64) keeps its own.
        small = [g for g in grids if max(g.padded_shape()) <= 16]
        for g in self._grids():
            group = small if g in small and len(small) > 1 else []
            g.cell_root = self
            if group != g.cell_group:
                g.cell_group = group
                g.set_cell_cap(None)
                g.update()

    # ------------------------------------------------------------ actions
    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def play(self) -> None:
        if self.session.steps is None:
            return
        if self.session.at_end:
            self.session.to_start()
        self.session.step_forward()
        if self.session.at_end:
            self._update_play_button()
            return
        self.timer.start()
        self._update_play_button()

    def pause(self) -> None:
        self.timer.stop()
        self._update_play_button()

    def toggle_play(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def step_forward(self) -> None:
        self.pause()
        self.session.step_forward()

    def step_back(self) -> None:
        self.pause()
        self.session.step_back()

    def to_start(self) -> None:
        self.pause()
        self.session.to_start()

    def to_end(self) -> None:
        self.pause()
        self.session.to_end()

    def _on_timer(self) -> None:
        if not self.session.step_forward() or self.session.at_end:
            self.pause()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        """The same keys as the shortcuts, for when the view itself gets them."""
        action = STEP_KEYS.get(Qt.Key(e.key()))
        if action is not None and not e.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            action(self)
            return
        super().keyPressEvent(e)

    def showEvent(self, event) -> None:
        if self._previewed:  # the session's own grids again, where a preview drew
            self._previewed = False
            self._refresh_panels()
        if self._pending:  # before the stage fits the view (its show event follows)
            parts, self._pending = self._pending, frozenset()
            self._on_session_changed(parts)
        super().showEvent(event)
        if not self._focused_once:
            self._focused_once = True
            fw = self.focusWidget()
            if fw is None or not self.isAncestorOf(fw):
                self.setFocus(Qt.FocusReason.OtherFocusReason)

    def sizeHint(self) -> QSize:
        return QSize(self.style_.px(1200), self.style_.px(760))

    # ------------------------------------------------------ model -> view
    def rehearse(self, session: Session, reserve_flipped: bool = False) -> bool:
        """Show ``session`` (a preview of the next slide's) while this view is hidden;
        False if the view is shown.

        A lesson calls this while the class looks at a slide of another view, then
        fits and paints the hidden stage once: the click then finds the fit, the
        grids' painted cells and the labels' pictures made (slide 27, "Wᵀ runs
        backwards", after the matrix view). Whatever this drew, the view shows its
        own session again when it is next shown.
        """
        if self.isVisible():
            return False
        own, own_reserve = self.session, self._reserve_flipped
        users = (self, self.input_panel, self.kernel_panel)  # (the form: given its options)
        editors = (self.input_panel.editor, self.kernel_panel.editor)
        try:
            for user in (*users, *editors):
                user.session = session
            self._reserve_flipped = reserve_flipped
            self._refresh_panels()
            self._refresh_all()
            self.arith.render_now()  # (hidden, it waits to be shown)
        finally:
            for user in (*users, *editors):
                user.session = own
            self._reserve_flipped = own_reserve
            self._previewed = True
            self._pending |= ALL_PARTS
        return True

    def settle_ahead(self) -> bool:
        """Draw now what waits for the view to be shown (see ``Stage.prepare``); True if
        anything was. The sum is drawn when shown: fitted ahead, the stage's new scale
        left it at the old one, and the sum painted ahead (slide 29 at 4K: 109 pt) was
        not the one the click shows (81 pt)."""
        return self.arith.flush()

    def _refresh_panels(self) -> None:
        """The grid panels (titles, sizes, presets) and their grids, from the session
        they point at: each follows the session's events on its own, a preview sends
        none."""
        for panel in (self.input_panel, self.kernel_panel):
            panel.editor.refresh()
            panel.refresh()

    def hold(self) -> None:
        """A lesson is about to show another view: wait for it to be shown again.

        The lesson sets the session up before it switches views, so on a move from
        a window slide to a learning slide this view redrew its grids and sum for a
        change nobody would see (4.7 ms of the change at 4K).
        """
        self._held = True

    def release(self) -> None:
        """The move is over: if this view is still on screen, show what it held back."""
        self._held = False
        if self._pending and self.isVisible():
            parts, self._pending = self._pending, frozenset()
            self._on_session_changed(parts)

    def _on_session_changed(self, parts: frozenset) -> None:
        if self._held or not self.isVisible():
            # Hidden (another view's slide): caught up when shown, once. A learning
            # slide that changes X redrew this view's grids and sum unseen (5 ms).
            self._pending |= parts
            return
        if parts & {"input", "kernel", "options", "undo"}:
            self._refresh_all()
        elif parts & {"step", "hidden"}:
            self._refresh_step()

    def _refresh_all(self) -> None:
        with self.arith.batched():  # the plan and the step, rendered once
            self._refresh_all_now()

    def _refresh_all_now(self) -> None:
        s = self.session
        o = s.options
        lim = colormap.symmetric_limit(s.input, s.kernel)
        self.input_panel.editor.set_shared_limit(lim)
        self.kernel_panel.editor.set_shared_limit(lim)
        self.in_bar.set_limit(lim)
        self.input_panel.editor.set_padding(o.padding)
        conv = o.convolution
        self._show_columns(lim)
        self._plan_arithmetic()
        self.op_star.setText("∗" if conv else "⋆")
        self.op_star.setToolTip("convolution" if conv else "cross-correlation")
        self.options_form.show_options(o)
        ok = s.error is None
        self.output.setVisible(ok)
        self.output_error.setVisible(not ok)
        self.output_error.setText("" if ok else f"No output: {s.error}")
        self.output_title.setToolTip("")
        self.out_bar.setVisible(ok and self._controls_on)
        if ok:
            oh, ow = s.output_shape  # type: ignore[misc]
            self.output_title.setText(f"Output Y  ({oh}×{ow})")
            self.formula.setText("Output shape\n" + s.shape_formula())
        else:
            self.output_title.setText("Output Y")
            self.formula.setText("Output shape\n" + s.shape_formula())
        for w in (
            self.btn_start,
            self.btn_back,
            self.btn_play,
            self.btn_forward,
            self.btn_end,
            self.slider,
        ):
            w.setEnabled(ok)
        if not ok:
            self.pause()
        with blocked(self.slider):
            self.slider.setRange(-1, max(-1, s.n_steps - 1))
        self._refresh_step()
        self._request_sync()

    def _show_columns(self, lim: float) -> None:
        """Which columns show and how wide: the flipped kernel's column shows in
        convolution, or blank when a lesson's reveal will turn convolution on."""
        s = self.session
        conv = s.options.convolution
        keep = conv or self._reserve_flipped  # a reveal to come keeps its column
        self.applied_box.setVisible(keep)
        # Columns as wide as their grids: one cell size fits all, and the output
        # (the answer) is never drawn smaller than the input.
        _, wp = self.input_panel.editor.padded_shape()
        kw = s.kernel.shape[1]
        ow = s.output_shape[1] if s.output_shape else kw
        for col, cells in (
            (0, wp),
            (2, max(kw, 2)),
            (3, max(kw, 2) if keep else 0),
            (5, max(ow, 2)),
        ):
            self._top.setColumnStretch(col, cells)
        if conv:
            self.applied.set_values(s.applied_kernel, limit=lim)
        elif keep:  # room for the flip the reveal will show, its cells blank till then
            k = np.asarray(s.kernel)[::-1, ::-1]
            self.applied.set_values(k, mask=np.zeros(k.shape, bool), limit=lim)

    def _plan_arithmetic(self) -> None:
        """Fold the sum once per slide, for the widest numbers any step can show."""
        self.arith.plan_for(self.session)

    def _refresh_step(self) -> None:
        s = self.session
        with blocked(self.slider):
            self.slider.setValue(s.step)
        steps = s.steps
        if steps is None:
            self.input_panel.editor.set_outline(None)
            self.input_panel.editor.set_outline(None, "accent2")
            self.kernel_panel.editor.set_outline(None, "accent2")
            self.step_label.setText("—")
            self.arith.show_step(None, message=f"No output: {s.error}")
            self._update_play_button()
            return
        shape = steps.output_shape
        cur = s.current
        hidden = s.hidden  # a lesson's predict-then-reveal slide
        if cur is None:
            self.output.set_values(np.zeros(shape), mask=np.zeros(shape, bool))
            self.output.set_outline(None)
            self.input_panel.editor.set_outline(None)
            self.step_label.setText(f"Step 0 of {s.n_steps}")
            self.arith.show_step(
                None,
                message="Press → (or Space to play) to slide the window over the input.",
            )
        else:
            out = s.output
            assert out is not None
            olim = colormap.symmetric_limit(out)
            mask = s.computed_mask()
            assert mask is not None
            if "output" in hidden:
                mask[...] = False
            elif "result" in hidden:
                mask[cur.out_pos] = False
            self.output.set_values(out, mask=mask, limit=olim)
            self.out_bar.set_limit(olim)
            here = np.zeros(shape, bool)
            here[cur.out_pos] = True
            self.output.set_outline(here)
            self.input_panel.editor.set_outline(self.session.steps.window_mask(cur.n))  # type: ignore[union-attr]
            i, j = cur.out_pos
            self.step_label.setText(f"Step {s.step + 1} of {s.n_steps}")
            self.arith.show_step(
                cur,
                caption=f"Y[{i}, {j}] =",
                hide_result=bool(hidden & {"result", "output"}),
            )
        self._apply_term_highlight()
        self._update_play_button()

    def _update_play_button(self) -> None:
        playing = self.playing
        kind = "pause" if playing else "play"
        if self.btn_play.property("icon_kind") != kind:  # (a restyle re-icons it)
            self.btn_play.setText("Pause" if playing else "Play")
            self.btn_play.setProperty("icon_kind", kind)
            self.btn_play.setIcon(self.style_.icon(kind))
        s = self.session
        ok = s.steps is not None
        self.btn_back.setEnabled(ok and s.step >= 0)
        self.btn_start.setEnabled(ok and s.step >= 0)
        self.btn_forward.setEnabled(ok and not s.at_end)
        self.btn_end.setEnabled(ok and not s.at_end)

    # ------------------------------------------------------ the tie: term <-> cells
    def _on_term_hovered(self, term: int) -> None:
        self._hover_term = term
        self._apply_term_highlight()

    def _on_input_hovered(self, r: int, c: int) -> None:
        cur = self.session.current
        t = -1
        if cur is not None and r >= 0:
            a = np.flatnonzero(cur.rows == r)
            b = np.flatnonzero(cur.cols == c)
            if a.size and b.size:
                t = int(a[0] * cur.kernel.shape[1] + b[0])
        self._on_term_hovered(t)

    def _on_kernel_hovered(self, r: int, c: int) -> None:
        if r < 0 or self.session.current is None:
            self._on_term_hovered(-1)
            return
        kh, kw = self.session.kernel.shape
        if self.session.options.convolution:
            r, c = kh - 1 - r, kw - 1 - c
        self._on_term_hovered(r * kw + c)

    def _on_applied_hovered(self, r: int, c: int) -> None:
        if r < 0 or self.session.current is None:
            self._on_term_hovered(-1)
            return
        self._on_term_hovered(r * self.session.kernel.shape[1] + c)

    def _apply_term_highlight(self) -> None:
        cur = self.session.current
        t = self._hover_term
        inp, ker = self.input_panel.editor, self.kernel_panel.editor
        if cur is None or t < 0 or t >= cur.kernel.size:
            self.arith.highlight(-1)
            for w in (inp, ker, self.applied):
                w.set_outline(None, "accent2")
            return
        kh, kw = cur.kernel.shape
        a, b = divmod(t, kw)
        window = self.session.steps.window_mask(cur.n)  # type: ignore[union-attr]
        pos = np.argwhere(window)  # row-major, one per term
        m = np.zeros_like(window)
        m[tuple(pos[t])] = True
        inp.set_outline(m, "accent2")
        km = np.zeros((kh, kw), bool)
        km[a, b] = True
        self.applied.set_outline(km, "accent2")
        ker.set_outline(km[::-1, ::-1] if self.session.options.convolution else km, "accent2")
        self.arith.highlight(t)

    # ------------------------------------------------------ view -> model
    def _on_slider_changed(self, value: int) -> None:
        self.pause()
        self.session.set_step(value)

    def reserve_flipped(self, on: bool) -> None:
        """A lesson slide whose reveal turns convolution on: keep the flipped kernel's
        column (blank) from the first build, so the reveal moves nothing."""
        if bool(on) != self._reserve_flipped:
            self._reserve_flipped = bool(on)
            self._show_columns(colormap.symmetric_limit(self.session.input, self.session.kernel))

    def set_tools_visible(self, on: bool) -> None:
        """Show or fold the edit tools under the grids (lessons fold them: room to project)."""
        self.btn_tools.setChecked(on)

    def set_controls_visible(self, on: bool) -> None:
        """View ▸ Hide controls and presenting: only the grids and the arithmetic stay."""
        self.set_tools_visible(on)
        self._controls_on = on
        if on and self._controls_stale:
            self._style_controls()
        for w in (self.controls_box, self.slider, self.step_label, self.in_bar, self.out_bar):
            w.setVisible(on)
        if on:
            self._refresh_all()

    def _on_tools_clicked(self) -> None:
        self._tools_chosen = True

    def _on_tools_changed(self, on: bool) -> None:
        # The layer's options fold with the grids' tools: one click on "Edit tools"
        # brings all of them back, and a lesson's grids get the rows they took.
        self.input_panel.set_tools_visible(on)
        self.kernel_panel.set_tools_visible(on)
        self.options_form.set_fields_visible(on)

    def _on_speed_changed(self, value: float) -> None:
        self.timer.setInterval(max(1, round(1000.0 / max(value, 0.01))))

    # -------------------------------------------------------------- style
    def _on_style_changed(self) -> None:
        s = self.style_
        t = s.theme
        big = s.font(40, bold=True)
        fm = QFontMetrics(big)
        op_w = max(fm.horizontalAdvance(c) for c in "⋆∗=") + s.px(8)
        for op in (self.op_star, self.op_eq):
            op.setFont(big)
            op.setFixedWidth(op_w)  # ⋆ and ∗ differ in width: a flip moves nothing
        title = s.font(17, bold=True)
        for w in (self.output_title, self.applied_title):
            w.setFont(title)
        self.applied_note.setFont(s.font(11.5))
        set_style_sheet(self.applied_note, f"color: {t.muted};")
        self.formula.set_base_font(s.font(12))
        set_style_sheet(self.formula, f"color: {t.muted};")
        self.output_error.setFont(s.font(15, bold=True))
        set_style_sheet(self.output_error, f"color: {t.error};")
        self._top.setSpacing(s.px(14))
        self._root.setSpacing(s.px(6))
        m = s.px(12)
        self._root.setContentsMargins(m, m, m, m)
        # Hidden controls (presenting) are restyled when shown again, not on every
        # rescale of the stage (their fonts and icons cost a relayout each at 4K).
        self._controls_stale = True
        if self._controls_on:
            self._style_controls()

    def _style_controls(self) -> None:
        """Fonts, icons and gaps of the transport controls under the grids."""
        self._controls_stale = False
        s = self.style_
        ctrl = s.font(14)
        icon = QSize(s.px(26), s.px(26))
        for b in (self.btn_start, self.btn_back, self.btn_play, self.btn_forward, self.btn_end):
            b.setFont(ctrl)
            b.setIconSize(icon)
            b.setIcon(s.icon(str(b.property("icon_kind"))))
        self.step_label.setFont(s.font(15, bold=True))
        self.speed_label.setFont(ctrl)
        self.speed.setFont(ctrl)
        self.btn_tools.setFont(ctrl)
        self.controls_flow.set_spacing(s.px(24))
        self._button_row.setSpacing(s.px(6))
        self._slider_row.setSpacing(s.px(18))
        self.slider.setMinimumHeight(s.px(28))


STEP_KEYS = {
    Qt.Key.Key_Space: WindowView.toggle_play,
    Qt.Key.Key_Right: WindowView.step_forward,
    Qt.Key.Key_PageDown: WindowView.step_forward,
    Qt.Key.Key_Left: WindowView.step_back,
    Qt.Key.Key_PageUp: WindowView.step_back,
    Qt.Key.Key_Home: WindowView.to_start,
    Qt.Key.Key_End: WindowView.to_end,
}
