"""Cross-correlation as a matrix multiplication (exercise 3): y = W x (+ b).

Flatten the input X row by row into a column x; then each output cell is
one row of a matrix W times x, and W holds nothing but the kernel's taps,
laid out where that cell's window sits (zeros everywhere else). The view
draws the small input with the window on it, W with the current step's row
outlined, x with the window's entries outlined, and y = W x filling in as
the window slides. W comes from the engine's
:func:`~convviz.engine.corr_matrix` with the session's padding, stride and
dilation (convolution mode uses the flipped kernel), and the arithmetic
under it is the same step the sliding-window view shows: row n of W times
x has exactly the window's products.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...engine import corr_matrix
from ...model import colormap
from ...model.session import Session
from ...model.values import display_number
from ..style import Style
from ._util import connect_model, restyle
from .arithmetic import ArithmeticView
from .grid_widget import GridWidget

#: Matrices with more entries than this are not drawn (a picture of noise, and slow).
MAX_ENTRIES = 250_000
#: The largest cell of W, x and y, in stage units: a 1×1 kernel's W stays a grid.
MAX_CELL = 96
#: The smallest cell the stage keeps room for, in stage units (digits stay readable:
#: the grids' own floor from the screen height applies on top).
MIN_CELL = 28.0
#: Keys that take W's rows one at a time, as the sliding window's keys step it.
STEP_KEYS: dict[Qt.Key, Callable[[Session], object]] = {
    Qt.Key.Key_Right: Session.step_forward,
    Qt.Key.Key_PageDown: Session.step_forward,
    Qt.Key.Key_Left: Session.step_back,
    Qt.Key.Key_PageUp: Session.step_back,
    Qt.Key.Key_Home: Session.to_start,
    Qt.Key.Key_End: Session.to_end,
}


class MatrixView(QWidget):
    """X, W, x and y = W x side by side, the current step's row highlighted."""

    def __init__(self, session: Session, style: Style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.style_ = style
        self._M: np.ndarray | None = None
        self._dirty = True
        self._held = False  # a lesson click is leaving this view (see hold)
        self._missed = False  # a change came while held
        self._width_bound = False
        self.refresh_count = 0

        self.title = QLabel("Exercise 3: cross-correlation as a matrix multiplication, y = W x")
        self.title.setWordWrap(True)
        self.explain = QLabel()
        self.explain.setWordWrap(True)

        self.input_grid = GridWidget(style)
        self.matrix = GridWidget(style)
        self.x_grid = GridWidget(style)
        self.y_grid = GridWidget(style)
        for g in (self.input_grid, self.matrix, self.x_grid, self.y_grid):
            g.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            # The minimum the stage fits to: the back row's floor (its digits), not the
            # cells the room allows; else filling the room would shrink the stage.
            g.min_readable_cell = MIN_CELL
        self.cap_input = QLabel("Input X")
        self.cap_matrix = QLabel("W")
        self.cap_x = QLabel("x")
        self.cap_y = QLabel("y")
        self.op_times = QLabel("×")
        self.op_eq = QLabel("=")
        for op in (self.op_times, self.op_eq):
            op.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.hide()
        self.arith = ArithmeticView(style)

        grids = QGridLayout()
        for col, (cap, w) in enumerate(
            (
                (self.cap_input, self.input_grid),
                (self.cap_matrix, self.matrix),
                (None, self.op_times),
                (self.cap_x, self.x_grid),
                (None, self.op_eq),
                (self.cap_y, self.y_grid),
            )
        ):
            if cap is not None:
                cap.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
                grids.addWidget(cap, 0, col)
            grids.addWidget(w, 1, col)
        grids.setRowStretch(1, 1)
        self._grids = grids
        self._grid_box = QWidget()
        self._grid_box.setLayout(grids)

        root = QVBoxLayout(self)
        root.addWidget(self.title)
        root.addWidget(self.explain)
        root.addWidget(self._grid_box, 1)
        root.addWidget(self.message, 1)
        root.addWidget(self.arith)
        self._root = root

        self.shortcuts: list[QShortcut] = []
        for key, action in STEP_KEYS.items():
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(lambda a=action: a(session))
            self.shortcuts.append(sc)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # so → reaches the shortcuts

        connect_model(session.changed, self._on_session_changed)
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()

    # ------------------------------------------------------ the View contract
    def set_controls_visible(self, on: bool) -> None:
        """Nothing to fold: the matrices, the explanation and the arithmetic all stay."""

    def set_tools_visible(self, on: bool) -> None:
        """No editing tools here: the grids are edited in the sliding-window view."""

    def pause(self) -> None:
        """Nothing runs by itself here: → takes one row of W at a time."""

    def hold(self) -> None:
        self._held = True

    def release(self) -> None:
        self._held = False
        if self._missed and self.isVisible():
            self.refresh()
        self._missed = False

    # ------------------------------------------------------------ reading
    @property
    def matrix_values(self) -> np.ndarray | None:
        """W as drawn (None when there is no output or it is too large to draw)."""
        return self._M

    def highlighted_row(self) -> int | None:
        """The row of W outlined: the current step, or None before the first."""
        return self.session.step if self.session.current is not None else None

    def sizeHint(self) -> QSize:
        return QSize(self.style_.px(1200), self.style_.px(760))

    # ------------------------------------------------------ model -> view
    def _on_session_changed(self, parts: frozenset) -> None:
        if parts & {"input", "kernel", "options", "undo"}:
            self._dirty = True
        if self._held:
            self._missed = True
        elif self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()
        if self.focusWidget() is None:
            self.setFocus(Qt.FocusReason.OtherFocusReason)  # → steps as the message says

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_cells()

    def settle_ahead(self) -> bool:
        """Draw the sum now, at the scale the stage was fitted at ahead (see
        ``Stage.prepare``); True if it waited for the view to be shown."""
        return self.arith.flush()

    def rehearse(self, session: Session) -> bool:
        """Show ``session`` (a preview of the next slide's) while this view is hidden,
        then let go of it; False if the view is shown.

        A lesson calls this while the class looks at a slide of another view, then
        fits and paints the hidden stage once: the click then finds the fit, the
        labels' pictures and the digits' glyphs made. The view rebuilds from its own
        session on its next showing, whatever this showed.
        """
        if self.isVisible():
            return False
        own, self.session = self.session, session
        try:
            self._dirty = True
            self.refresh()
        finally:
            self.session = own
            self._dirty = True
        return True

    def refresh(self) -> None:
        """Recompute W if the grids or options changed, then show the current step."""
        if self._dirty:
            self._dirty = False
            self.refresh_count += 1
            self._rebuild()
        self._show_step()

    def _problem(self) -> str | None:
        s = self.session
        if s.error is not None:
            return f"No output, so no matrix: {s.error}"
        oh, ow = s.output_shape  # type: ignore[misc]
        H, W = s.input.shape
        if oh * ow * H * W > MAX_ENTRIES:
            return (
                f"W would be {oh * ow}×{H * W} ({oh * ow * H * W:,} entries): too large to "
                "draw. Exercise 3 is about the idea: try a small input such as Fig. 6.2.1."
            )
        return None

    def _rebuild(self) -> None:
        s = self.session
        problem = self._problem()
        self.message.setText(problem or "")
        self.message.setVisible(problem is not None)
        self._grid_box.setVisible(problem is None)
        self.arith.setVisible(problem is None)
        if problem is not None:
            self._M = None
            self.explain.setText("")
            return
        o = s.options
        K = s.applied_kernel
        self._M = corr_matrix(
            s.input.shape, K, padding=o.padding, stride=o.stride, dilation=o.dilation
        )
        R, C = self._M.shape
        H, W = s.input.shape
        lim = colormap.symmetric_limit(s.input, K)
        self.input_grid.set_values(s.input, limit=lim)
        self.input_grid.set_padding(o.padding)
        self.matrix.set_values(self._M, limit=lim)
        self.x_grid.set_values(np.asarray(s.input).reshape(-1, 1), limit=lim)
        self.cap_input.setText(f"Input X ({H}×{W})")
        self.cap_matrix.setText(f"W ({R}×{C})")
        self.cap_x.setText(f"x ({C}×1)")
        self.cap_y.setText(f"y ({R}×1)")
        nz = int(np.count_nonzero(self._M))
        flip = " (flipped: convolution)" if o.convolution else ""
        self.explain.setText(
            f"x is X read row by row. Row n of W holds the kernel's {K.size} taps{flip} where "
            f"window n sits, zeros elsewhere: {nz} of its {R * C} entries are not zero."
        )
        self.op_eq.setText(f"+ {display_number(o.bias)} =" if o.bias else "=")
        self.arith.plan_for(s)
        self.arith.set_caption_template(f"y[{R - 1}] = row {R - 1} of W · x")
        self._fit_cells()

    def _show_step(self) -> None:
        s = self.session
        if self._M is None:
            self.arith.show_step(None)
            return
        out = s.output
        assert out is not None
        y = out.reshape(-1, 1)
        mask = s.computed_mask()
        assert mask is not None
        mask = mask.reshape(-1, 1)
        cur = s.current
        hidden = s.hidden
        if cur is not None and "output" in hidden:
            mask[...] = False
        elif cur is not None and "result" in hidden:
            mask[cur.n] = False
        self.y_grid.set_values(y, mask=mask, limit=colormap.symmetric_limit(out))
        R, C = self._M.shape
        if cur is None:
            for g in (self.matrix, self.x_grid, self.y_grid, self.input_grid):
                g.set_outline(None)
            self.arith.show_step(
                None, message="Press → to take the first row of W times x: the first output."
            )
            return
        row = np.zeros((R, C), bool)
        row[cur.n] = True
        self.matrix.set_outline(row)
        yo = np.zeros((R, 1), bool)
        yo[cur.n] = True
        self.y_grid.set_outline(yo)
        _H, W = s.input.shape
        xo = np.zeros((C, 1), bool)
        for r in cur.rows:
            for c in cur.cols:
                if r >= 0 and c >= 0:
                    xo[r * W + c] = True
        self.x_grid.set_outline(xo)
        self.input_grid.set_outline(self.session.steps.window_mask(cur.n))  # type: ignore[union-attr]
        self.arith.show_step(
            cur,
            caption=f"y[{cur.n}] = row {cur.n} of W · x",
            hide_result=bool(hidden & {"result", "output"}),
        )

    def room_for_grids(self) -> tuple[int, int]:
        """The width and height the grids' row may use: the view less its margins,
        title, explanation, arithmetic and captions, at their preferred heights.

        From the view's own size, not the grid box's: the box is capped by the
        grids' last maximum heights, so reading it would only ever shrink them
        (the view kept a band of empty space above small grids).
        """
        m = self._root.contentsMargins()
        width = self.width() - m.left() - m.right()
        used, rows = m.top() + m.bottom(), 0
        for w in (self.title, self.explain, self.arith):
            if w.isHidden():
                continue
            hfw = w.heightForWidth(width) if w.hasHeightForWidth() else -1
            # A wrapping label's sizeHint is its height at a narrow width: not this one.
            used += hfw if hfw >= 0 else max(w.sizeHint().height(), w.minimumSizeHint().height())
            rows += 1
        used += rows * max(0, self._root.spacing())  # the spacing around the grid box
        caps = max(c.sizeHint().height() for c in (self.cap_input, self.cap_matrix))
        gm = self._grids.contentsMargins()
        used += caps + max(0, self._grids.verticalSpacing()) + gm.top() + gm.bottom()
        width -= gm.left() + gm.right()
        return width, max(0, self.height() - used)

    def grids_height(self) -> int:
        """How tall the tallest of the four grids is drawn (cells only), in pixels."""
        if self._M is None:
            return 0
        gs = (self.input_grid, self.matrix, self.x_grid, self.y_grid)
        return int(max(g.cell_size() * g.padded_shape()[0] for g in gs))

    def grids_width_bound(self) -> bool:
        """True when the width or the largest cell, not the height, limits the cells."""
        return self._width_bound

    def _fit_cells(self) -> None:
        """One cell size for W, x and y, so a row of W lines up with y; as large as
        the room allows (up to a cap), so the grids fill the stage as a slide's do."""
        if self._M is None:
            return
        R, C = self._M.shape
        Hp, Wp = self.input_grid.padded_shape()
        width, height = self.room_for_grids()
        if width <= 0 or height <= 0:
            return
        spare = self.style_.px(40) * 4 + self.style_.px(24)
        m = 2 * self.style_.px(6)  # each grid's own margin
        by_height = (height - m) / max(R, C, Hp * 1.4, 1)
        cell = min(
            by_height,
            (width - spare) / max(C + 2 + Wp * 1.4, 1),
            float(self.style_.px(MAX_CELL)),
        )
        self._width_bound = cell < by_height
        # Never below what the back row can read: the stage fits the view to that.
        floor = max(g._cell_for_text() for g in (self.matrix, self.x_grid, self.y_grid))
        base = max(2.0, cell, floor) / self.style_.scale
        for g in (self.matrix, self.x_grid, self.y_grid):
            if g.max_cell != base:
                g.max_cell = base
                g._update_max_size()
        if self.input_grid.max_cell != base * 1.4:
            self.input_grid.max_cell = base * 1.4
            self.input_grid._update_max_size()
        # Columns share the width in proportion to the cells they hold.
        for col, n in ((0, int(Wp * 1.4)), (1, C), (3, 1), (5, 1)):
            self._grids.setColumnStretch(col, max(1, n))

    # -------------------------------------------------------------- style
    def _on_style_changed(self) -> None:
        s = self.style_
        t = s.theme
        restyle(self.title, s.font(17, bold=True))
        restyle(self.explain, s.font(13), f"color: {t.muted};")
        cap_font, op_font = s.font(15, bold=True), s.font(34, bold=True)
        for cap in (self.cap_input, self.cap_matrix, self.cap_x, self.cap_y):
            restyle(cap, cap_font)
        for op in (self.op_times, self.op_eq):
            restyle(op, op_font)
        restyle(self.message, s.font(16, bold=True), f"color: {t.error};")
        m = s.px(12)
        self._root.setContentsMargins(m, m, m, m)
        self._root.setSpacing(s.px(10))
        self._grids.setHorizontalSpacing(s.px(14))
        self._fit_cells()
