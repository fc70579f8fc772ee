"""Edge maps: the picture, its transpose, the kernel and what they make (6.2.3, exercise 1).

Rows are pictures, columns are kernels::

                    K                    Kᵀ (on request)
    X        corr2d(X, K)         corr2d(X, Kᵀ)
    Xᵀ       corr2d(Xᵀ, K)        corr2d(Xᵀ, Kᵀ)

All maps share one symmetric diverging colour scale (the colour bar beside
them). The kernel is the session's, edited in the panel on the left, and
every map follows each edit live. A map that is entirely zero says so in
large type — the chapter's point about the transposed picture. Pointing at a
cell reads its value; clicking a cell of an edge map outlines its window on
the picture and shows the arithmetic that made it.

Pictures come from the list (the chapter's grids and sample photographs),
File ▸ Open image… or a file dropped on the window; files are read, turned
grey and scaled down on a worker thread, and an unreadable file leaves the
current picture in place with a message saying why. Nothing is computed
while the view is hidden: the first computation happens when it is shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...model.edges import MAP_KEYS, PICTURES
from ...model.images import FILE_FILTER, MAX_MAX_SIDE, MIN_MAX_SIDE, load_image
from ...model.session import Session
from ...model.values import display_number
from ..style import Style
from ..workers import Task, run_in_thread
from ._util import blocked, connect_model, restyle
from .arithmetic import ArithmeticView
from .color_bar import ColorBar
from .drops import ImageDrops, dropped_path  # noqa: F401  (dropped_path: re-exported)
from .grid_panel import GridPanel
from .grid_widget import GridWidget
from .heatmap import HeatMap

VANISHES = "all zeros"  # beside the map's caption: short, so both fit
HIDDEN = "?\nPredict it first"
HINT = "Point at a map to read a value; click a cell of an edge map to see its arithmetic."
OPTIONS_NOTE = (
    "Plain corr2d, as in the chapter: no padding, stride 1, no bias, no flip — "
    "the sliding-window options do not apply here."
)
#: The picture panels and the map panels, by key, and what each is called.
IMAGE_KEYS = ("X", "Xt")
NAMES = {
    "X": "X",
    "Xt": "Xᵀ",
    "XK": "corr2d(X, K)",
    "XtK": "corr2d(Xᵀ, K)",
    "XKt": "corr2d(X, Kᵀ)",
    "XtKt": "corr2d(Xᵀ, Kᵀ)",
}
#: Which lesson "hidden" name hides which maps (see Session.hidden).
HIDDEN_BY = {"XK": "edge-map", "XtK": "edge-map", "XKt": "edge-map-t", "XtKt": "edge-map-t"}
FILE_PREFIX = "File: "


class EdgeView(ImageDrops, QWidget):
    """The edge-map view: pictures × kernels, on one colour scale, live."""

    def __init__(self, session: Session, style: Style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.edges = session.edges
        self.style_ = style
        self._dirty = True
        self._previewed = False  # the kernel panel shows a preview's (see rehearse)
        self._held = False  # a lesson click is leaving this view (see hold)
        self._picture_stale = True  # X on screen is not the model's picture (its event says)
        self._selected: tuple[str, int, int] | None = None
        self._task: Task | None = None
        self._pending: tuple[str, str | None] | None = None  # (path, preset name)
        self._last_dir = ""
        self.refresh_count = 0  # full refreshes so far (tests check laziness)
        self._sized = False
        self.setAcceptDrops(True)

        # -------------------------------------------------------- top bar
        self.picture_label = QLabel("Picture X:")
        self.picture_combo = QComboBox()
        self.picture_combo.addItems(list(PICTURES))
        self.picture_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.picture_combo.setToolTip("The chapter's grids and sample photographs")
        self.btn_open = QPushButton("Open image…")
        self.btn_open.setToolTip("Read a PNG, JPEG or BMP file (Ctrl+O); or drop one on the window")
        self.max_side_label = QLabel("Max side:")
        self.max_side = QSpinBox()
        self.max_side.setRange(MIN_MAX_SIDE, MAX_MAX_SIDE)
        self.max_side.setSingleStep(64)
        self.max_side.setSuffix(" px")
        self.max_side.setKeyboardTracking(False)
        self.max_side.setValue(self.edges.max_side)
        self.max_side.setToolTip("Larger pictures are scaled down to this many pixels a side")
        self.show_kt = QCheckBox("Show Kᵀ")
        self.show_kt.setToolTip("Also correlate with the transposed kernel (exercise 1)")
        self.btn_chapter = QPushButton("Chapter example: K = [1, −1]")
        self.btn_chapter.setToolTip(
            "The 6×8 picture of section 6.2.3 and the kernel [[1, −1]] (an ordinary, undoable "
            "kernel edit)"
        )
        self.picture_info = QLabel()
        self.picture_info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message.hide()
        self._message_is_error = False
        self.btn_cancel_load = QPushButton("Cancel")
        self.btn_cancel_load.setToolTip("Stop reading this picture; the one shown stays")
        self.btn_cancel_load.clicked.connect(self.cancel_load)
        self.btn_cancel_load.hide()

        top = QHBoxLayout()
        for w in (self.picture_label, self.picture_combo, self.btn_open):
            top.addWidget(w)
        top.addSpacing(style.px(12))
        top.addWidget(self.max_side_label)
        top.addWidget(self.max_side)
        top.addSpacing(style.px(12))
        top.addWidget(self.show_kt)
        top.addWidget(self.btn_chapter)
        top.addWidget(self.picture_info, 1)

        # -------------------------------------------------------- side bar
        self.kernel_panel = GridPanel(session, "kernel", style, title="Kernel K")
        self.kt_title = QLabel("Kᵀ (K transposed)")
        self.kt_grid = GridWidget(style)
        self.kt_grid.max_cell = 70
        self.colorbar = ColorBar(style, caption="One scale for all maps")
        self.note = QLabel(OPTIONS_NOTE)
        self.note.setWordWrap(True)
        self.detail_title = QLabel()
        self.detail_title.setWordWrap(True)
        self.detail_window = GridWidget(style)
        self.detail_kernel = GridWidget(style)
        for g in (self.detail_window, self.detail_kernel):
            g.max_cell = 56
        self.detail_times = QLabel("⊙")
        self.detail_times.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.arith = ArithmeticView(style)
        self.detail = QWidget()
        dl = QVBoxLayout(self.detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail_title)
        grids = QHBoxLayout()
        grids.addWidget(self.detail_window, 1)
        grids.addWidget(self.detail_times)
        grids.addWidget(self.detail_kernel, 1)
        dl.addLayout(grids, 1)
        dl.addWidget(self.arith)
        self.detail.hide()

        side = QWidget()
        sl = QVBoxLayout(side)
        sl.addWidget(self.kernel_panel, 3)
        sl.addWidget(self.kt_title, 0, Qt.AlignmentFlag.AlignHCenter)
        sl.addWidget(self.kt_grid, 1)
        sl.addWidget(self.colorbar)
        sl.addWidget(self.note)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        sl.addWidget(line)
        sl.addWidget(self.detail, 3)
        sl.addStretch(0)
        self._side = side
        # No scroll area: the stage fits the whole view, side bar included.
        self.side_scroll = side

        # -------------------------------------------------------- the maps
        self.panels: dict[str, HeatMap] = {k: HeatMap(style, k) for k in NAMES}
        for k in IMAGE_KEYS:  # the pictures: grey, 0 black and 1 white
            self.panels[k].picture_ok = True
        maps = QWidget()
        self._maps_grid = grid = QGridLayout(maps)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(style.px(10))
        for row, (img, a, b) in enumerate((("X", "XK", "XKt"), ("Xt", "XtK", "XtKt"))):
            for col, key in enumerate((img, a, b)):
                grid.addWidget(self.panels[key], row, col)
                grid.setColumnStretch(col, 1)
            grid.setRowStretch(row, 1)
            self.panels[a].link(self.panels[img])
            self.panels[b].link(self.panels[img])
        self.status = QLabel(HINT)
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(maps, 1)
        rl.addWidget(self.status)

        self.splitter = QWidget()  # side bar and maps; fixed shares (a stage scales them)
        cols = QHBoxLayout(self.splitter)
        cols.setContentsMargins(0, 0, 0, 0)
        cols.addWidget(self.side_scroll, 0)
        cols.addWidget(right, 1)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.btn_cancel_load)
        lay.addLayout(message_row)
        lay.addWidget(self.splitter, 1)

        # -------------------------------------------------------- wiring
        self.picture_combo.activated.connect(self._on_picture_chosen)
        self.btn_open.clicked.connect(lambda: self.open_image())
        self.max_side.valueChanged.connect(self._on_max_side_changed)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(350)
        self._reload_timer.timeout.connect(self._reload_scaled)
        self.show_kt.toggled.connect(self.edges.set_show_kt)
        self.btn_chapter.clicked.connect(self.edges.use_chapter_example)
        for key, panel in self.panels.items():
            panel.sig_cell_hovered.connect(lambda r, c, k=key: self._on_hovered(k, r, c))
            if key not in IMAGE_KEYS:
                panel.sig_cell_clicked.connect(lambda r, c, k=key: self.select(k, r, c))
        connect_model(self.edges.changed, self._on_edges_changed)
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()
        self._sync_controls()
        self._show_kt_widgets()

    # ============================================================ reading
    def map_panel(self, key: str) -> HeatMap:
        """The panel of ``"X"``, ``"Xt"`` or a map key (``"XK"``, ``"XtK"``, ...)."""
        return self.panels[key]

    @property
    def loading(self) -> bool:
        return self._task is not None

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def selected(self) -> tuple[str, int, int] | None:
        return self._selected

    # ============================================================ pictures
    def open_image(self, path: str | None = None) -> None:
        """File ▸ Open image…: ask for a file (unless given) and read it off the GUI thread."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Open a picture", self._last_dir, FILE_FILTER
            )
            if not path:
                return
        self._last_dir = str(Path(path).parent)
        self.load_path(path)

    def load_path(self, path: str | Path, name: str | None = None) -> Task:
        """Read ``path`` on a worker thread, then show it; a failure keeps the picture."""
        if self._task is not None:
            self._task.cancel()  # the newest request wins
        path = str(path)
        self._pending = (path, name)
        self.show_message(f"Reading {Path(path).name}…", error=False)
        task = run_in_thread(load_image, path, self.edges.max_side, name="load_image")
        task.sig_done.connect(self._on_loaded)
        task.sig_failed.connect(self._on_load_failed)
        self._task = task
        self.btn_cancel_load.show()
        return task

    def cancel_load(self) -> None:
        """Cancel: drop the picture being read (Pillow runs on to its end, unheard)."""
        if self._task is None:
            return
        self._task.cancel()
        name = Path(self._pending[0]).name if self._pending else "the picture"
        self._task = None
        self._pending = None
        self.btn_cancel_load.hide()
        self.show_message(f"Cancelled reading {name}; the picture stays as it was.")

    def _on_loaded(self, result: tuple) -> None:
        arr, info = result
        path, name = self._pending or (info.path, None)
        self._task = None
        self._pending = None
        self.btn_cancel_load.hide()
        self.edges.set_picture(arr, name or info.name, info=info, path=path)
        self.show_message("")

    def _on_load_failed(self, exc: BaseException) -> None:
        self._task = None
        self._pending = None
        self.btn_cancel_load.hide()
        text = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        self.show_message(f"{text} The picture stays as it was.", error=True)
        self._sync_controls()

    def _on_picture_chosen(self, index: int) -> None:
        name = self.picture_combo.itemText(index)
        src = PICTURES.get(name)
        if src is None:  # a file opened earlier
            path = self.picture_combo.itemData(index)
            if path and path != self.edges.path:
                self.load_path(path)
            return
        if src.make is not None:
            if self._task is not None:
                self._task.cancel()
                self._task = None
                self.btn_cancel_load.hide()
            self.edges.load_preset(name)
            self.show_message("")
        else:
            self.load_path(src.path, name)  # type: ignore[arg-type]

    def _on_max_side_changed(self, value: int) -> None:
        try:
            self.edges.set_max_side(value)
        except ValueError as exc:
            self.show_message(str(exc), error=True)
            return
        self._reload_timer.start()

    def _reload_scaled(self) -> None:
        """Read the current file again when the new limit changes its size."""
        info, path = self.edges.info, self.edges.path
        if info is None or path is None:
            return
        m = self.edges.max_side
        if max(info.original_shape) > m or info.scaled:
            name = self.edges.name if self.edges.name in PICTURES else None
            self.load_path(path, name)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """A line above the maps: what is being read, or why a file was refused."""
        self._message_is_error = error
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self._style_message()

    # ============================================================ showing
    def showEvent(self, event) -> None:
        if self._previewed:  # the session's own kernel again, where a preview drew
            self._previewed = False
            self._refresh_kernel_panel()
        super().showEvent(event)
        self.edges.first_look()  # the chapter's [1, −1], not the launch 2×2 kernel
        if not self._sized:
            self._sized = True
            self._size_side_bar()
        if self._dirty:
            self.refresh()

    def _size_side_bar(self) -> None:
        """Wide enough for the kernel panel's tools, the rest for the maps."""
        self._side.setMinimumWidth(self.style_.px(300))
        self._side.setMaximumWidth(self.style_.px(380))

    def rehearse(self, session: Session) -> bool:
        """Show ``session``'s edge maps (a preview of the next slide's) while this view
        is hidden, then let go of it; False if the view is shown.

        A lesson calls this while the class looks at a slide of another view, then
        fits and paints the hidden stage once: the click then finds the fit, the
        maps' layers and the labels' pictures made. The view shows its own session
        again from its next refresh on, whatever this showed.
        """
        if self.isVisible():
            return False
        own = (self.session, self.edges)
        panel = self.kernel_panel  # the session's kernel, with its editor
        self.session, self.edges = session, session.edges
        panel.session = panel.editor.session = session
        try:
            self._picture_stale = True
            self.refresh()
            self._refresh_kernel_panel()
        finally:
            self.session, self.edges = own
            panel.session = panel.editor.session = own[0]
            self._picture_stale = True
            self._dirty = True
            self._previewed = True
        return True

    def _refresh_kernel_panel(self) -> None:
        """The kernel panel from the session it points at (it follows the session's
        events on its own; a preview sends none)."""
        self.kernel_panel.editor.refresh()
        self.kernel_panel.refresh()

    def refresh(self) -> None:
        """Compute what is stale and put every map on screen (the model changed, or the
        view is shown after it did)."""
        self._dirty = False
        self.refresh_count += 1
        if self.kt_grid.isVisibleTo(self) != self.edges.show_kt:
            self._show_kt_widgets()  # as the model says, whatever a rehearsal showed
        e = self.edges
        maps = e.maps()
        L = e.limit()
        hidden = self.session.hidden

        X = e.picture
        new_picture, self._picture_stale = self._picture_stale, False
        if new_picture:
            h, w = X.shape
            self.panels["X"].set_values(X, limit=L, caption=f"X — {h}×{w}")
            self.panels["Xt"].set_values(e.picture_t, limit=L, caption=f"Xᵀ — {w}×{h}")
        else:
            self.panels["X"].set_limit(L)
            self.panels["Xt"].set_limit(L)
        for key in MAP_KEYS:
            panel = self.panels[key]
            m = maps.get(key)
            if m is None:
                panel.hide()
                continue
            panel.show()
            if HIDDEN_BY[key] in hidden:
                shape = f" — {m.shape[0]}×{m.shape[1]}" if m.shape else ""
                # The hidden map keeps its room, so the reveal moves nothing.
                panel.set_message(f"{m.name}{shape}", HIDDEN, reserve=m.values)
            elif m.values is None:
                panel.set_message(m.caption(), m.error or "")
            else:
                panel.set_values(
                    m.values, limit=L, caption=m.caption(), overlay=VANISHES if m.vanishes else ""
                )
                src = m.transpose_of
                panel.setToolTip(f"{m.name} = {src}ᵀ" if src else "")
        if new_picture:
            self.panels["X"].fit_all()
            self.panels["Xt"].fit_all()
        K = e.kernel
        self.kt_grid.set_values(K.T, limit=L)
        self.kernel_panel.editor.set_shared_limit(L)
        self.colorbar.set_limit(L)
        self._sync_controls()
        self._update_detail(L)

    def repaint_maps(self) -> None:
        """Paint every visible map now, not at the next turn of the event loop.

        (``QWidget.repaint`` on the view does not reach into the graphics
        views' viewports; the benchmark and the tests need the paint done.)
        """
        for panel in self.panels.values():
            if panel.isVisible():
                panel.view.repaint()

    def _sync_controls(self) -> None:
        e = self.edges
        with blocked(self.picture_combo, self.show_kt, self.max_side):
            self.show_kt.setChecked(e.show_kt)
            self.max_side.setValue(e.max_side)
            idx = self.picture_combo.findText(e.name)
            if idx < 0 and e.path is not None:
                self.picture_combo.addItem(FILE_PREFIX + e.name, e.path)
                idx = self.picture_combo.count() - 1
            elif idx < 0:
                idx = self.picture_combo.findData(e.path) if e.path else -1
            if idx >= 0:
                self.picture_combo.setCurrentIndex(idx)
        h, w = e.picture.shape
        text = f"X: {h}×{w}"
        if e.info is not None:
            text += f"   ({e.info.describe()})"
        self.picture_info.setText(text)
        self.picture_info.setToolTip(e.path or e.name)

    def _show_kt_widgets(self) -> None:
        on = self.edges.show_kt
        self.kt_title.setVisible(on)
        self.kt_grid.setVisible(on)
        for key in ("XKt", "XtKt"):
            self.panels[key].setVisible(on)
        self._maps_grid.setColumnStretch(2, 1 if on else 0)  # no empty column when off

    # ============================================================ hover, click
    def hover_text(self) -> str:
        return self.status.text()

    def _value_name(self, key: str) -> str:
        return NAMES[key]

    def _on_hovered(self, key: str, r: int, c: int) -> None:
        panel = self.panels[key]
        v = panel.values()
        if r < 0 or v is None:
            self.status.setText(HINT)
            return
        self.status.setText(
            f"{self._value_name(key)} row {r}, col {c}: {display_number(float(v[r, c]))}"
        )

    def select(self, key: str, r: int, c: int) -> None:
        """Show the window and arithmetic behind cell (r, c) of an edge map."""
        if HIDDEN_BY.get(key) in self.session.hidden:
            return
        self._selected = (key, r, c)
        self._update_detail(self.edges.limit())

    def clear_selection(self) -> None:
        self._selected = None
        self._update_detail(1.0)

    def _update_detail(self, L: float) -> None:
        for p in self.panels.values():
            p.clear_marks()
        sel = self._selected
        if sel is not None:
            key, r, c = sel
            hidden = HIDDEN_BY[key] in self.session.hidden
            shown = key in self.edges.shown_keys()
            m = self.edges.map(key) if shown else None
            if hidden or m is None or m.shape is None or r >= m.shape[0] or c >= m.shape[1]:
                sel = self._selected = None
        if sel is None:
            self.detail.hide()
            return
        key, r, c = sel
        step = self.edges.window(key, r, c)
        m = self.edges.map(key)
        img_key = "X" if m.image == "X" else "Xt"
        rows, cols = step.rows, step.cols
        self.panels[img_key].set_window(
            (int(rows[0]), int(rows[-1])), (int(cols[0]), int(cols[-1]))
        )
        self.panels[key].set_marked((r, c))
        r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
        self.detail_title.setText(
            f"{m.name}[{r}, {c}] = {display_number(step.result)}\n"
            f"the window {m.image}[{r0}:{r1}, {c0}:{c1}] ⊙ {m.kernel}, summed:"
        )
        self.detail_window.set_values(step.values, limit=L)
        self.detail_kernel.set_values(step.kernel, limit=L)
        self.arith.show_step(step)
        self.detail.show()

    def detail_text(self) -> str:
        """The arithmetic on show, e.g. ``1×1 + 0×(−1) = 1`` ("" when none)."""
        return self.arith.sum_text if not self.detail.isHidden() else ""

    # ============================================================ model events
    def _on_edges_changed(self, parts: frozenset) -> None:
        if "picture" in parts:
            self._picture_stale = True
        if "show_kt" in parts:
            self._show_kt_widgets()
        if "max_side" in parts and not (parts - {"max_side"}):
            self._sync_controls()
            return
        if self.isVisible() and not self._held:
            self.refresh()
        else:  # computed when shown: a hidden view costs nothing
            self._dirty = True

    def set_controls_visible(self, on: bool) -> None:
        """View ▸ Hide controls and presenting: the picture bar, hints and notes fold away."""
        self.set_tools_visible(on)
        for w in (self.status, self.note):
            w.setVisible(on)

    def _picture_bar(self) -> tuple[QWidget, ...]:
        """The row above the maps that picks the picture: folded and styled as one."""
        return (
            self.picture_label,
            self.picture_combo,
            self.btn_open,
            self.max_side_label,
            self.max_side,
            self.show_kt,
            self.btn_chapter,
        )

    def pause(self) -> None:
        """Nothing plays here (a picture being read goes on: the slide may want it)."""

    def hold(self) -> None:
        self._held = True

    def release(self) -> None:
        self._held = False
        if self._dirty and self.isVisible():
            self.refresh()

    def set_tools_visible(self, on: bool) -> None:
        """Lessons fold the picture bar and the kernel's edit tools: room for the maps."""
        for w in (*self._picture_bar(), self.picture_info):
            w.setVisible(on)
        self.kernel_panel.set_tools_visible(on)

    # ============================================================ style
    def _style_message(self) -> None:
        t = self.style_.theme
        colour = t.error if self._message_is_error else t.muted
        restyle(
            self.message, self.style_.font(15, bold=self._message_is_error), f"color: {colour};"
        )

    def _on_style_changed(self) -> None:
        s = self.style_
        muted = f"color: {s.theme.muted};"
        bar_font = s.font(13)
        for w in self._picture_bar():
            restyle(w, bar_font)
        restyle(self.picture_info, s.font(12), muted)
        restyle(self.kt_title, s.font(15, bold=True))
        restyle(self.note, s.font(11.5), muted)
        restyle(self.detail_title, s.font(13, bold=True))
        restyle(self.detail_times, s.font(26, bold=True))
        restyle(self.status, s.font(16))
        self._size_side_bar()
        self._style_message()
