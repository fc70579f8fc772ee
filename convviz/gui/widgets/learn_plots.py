"""The learning panel's three plots: the loss, each weight, and the loss surface.

Each plot owns a fixed set of pyqtgraph items created once and updated
with ``setData``, so a redraw costs the same at step 10 and at step
1,000,000 (the run hands over at most a few thousand decimated points).
Only finite numbers are ever passed to pyqtgraph.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsItem, QLabel, QStackedWidget, QVBoxLayout, QWidget

from ...model.values import display_number
from ..style import Style

#: Okabe-Ito colours: distinct for the common colour-vision deficiencies.
WEIGHT_COLORS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
                 "#f0e442", "#999999", "#882255"]  # fmt: skip
#: More weights than this are not plotted one by one (a 15×15 kernel has 225).
MAX_WEIGHT_CURVES = 10
#: Losses are clipped to this before a log-scale plot takes their logarithm.
LOG_FLOOR = 1e-300


_NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
#: The step axes grow through 1, 2, 5 × 10^k: each change repaints the axes twice.
_STEPS = (1.0, 2.0, 5.0, 10.0)


def nice_up(x: float, steps: tuple[float, ...] = _NICE) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k (or ``steps``) ≥ ``x`` > 0."""
    if not x > 0 or not np.isfinite(x):
        return 1.0
    e = np.floor(np.log10(x))
    for m in steps:
        v = m * 10.0**e
        if v >= x * (1 - 1e-12):
            return float(v)
    return float(10.0 ** (e + 1))  # pragma: no cover


def nice_bounds(lo: float, hi: float) -> tuple[float, float]:
    """``[lo, hi]`` widened to multiples of a round step (about a quarter of the span)."""
    span = hi - lo
    if not span > 0:
        span = max(abs(lo), 1.0)
    step = nice_up(span / 4)
    return float(np.floor(lo / step) * step), float(np.ceil(hi / step) * step)


def _finite(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.all():
        x, y = x[ok], y[ok]
    return x, y


#: The (w1, w2) extent of a loss surface: ((w1 min, w1 max), (w2 min, w2 max)).
Ranges = tuple[tuple[float, float], tuple[float, float]]


class StyledPlot(pg.PlotWidget):
    """A PlotWidget whose colours, fonts and pens follow the :class:`Style`."""

    def __init__(self, style: Style, title: str, xlabel: str, ylabel: str) -> None:
        super().__init__()
        self.style_ = style
        self._labels = (title, xlabel, ylabel)
        self.plotItem.hideButtons()
        self.plotItem.setMenuEnabled(False)
        # The plots set their own ranges, snapped to round numbers so that the axes
        # (costly to repaint) change a few times a decade, not at every frame.
        self.plotItem.disableAutoRange()
        self.plotItem.setMouseEnabled(x=False, y=False)
        self._range: tuple | None = None
        self.setMinimumSize(style.px(160), style.px(120))
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()

    def _css(self, points: float, color: str) -> dict[str, str]:
        return {"color": color, "font-size": f"{points * self.style_.scale:.1f}pt"}

    def _on_style_changed(self) -> None:
        s, t = self.style_, self.style_.theme
        self.setBackground(t.base)
        title, xlabel, ylabel = self._labels
        self.plotItem.setTitle(title, color=t.text, size=f"{13 * s.scale:.1f}pt", bold=True)
        tick_font = QFont(s.font_px(13, "label"))
        for name, label in (("bottom", xlabel), ("left", ylabel)):
            ax = self.plotItem.getAxis(name)
            ax.setPen(pg.mkPen(t.grid_line, width=1))
            ax.setTextPen(pg.mkPen(t.text))
            ax.setTickFont(tick_font)
            ax.enableAutoSIPrefix(False)  # "loss (x0.001)" only confuses
            ax.setLabel(label, **self._css(12, t.muted))
        self.plotItem.getAxis("left").setWidth(s.px(64))
        self.restyle()

    def set_view(self, x: tuple[float, float], y: tuple[float, float]) -> None:
        """Show this range (view coordinates) unless it is already shown."""
        r = (x, y)
        if r != self._range:
            self._range = r
            self.plotItem.vb.setRange(xRange=x, yRange=y, padding=0.03)
            # Settle the new transform now, not while painting (which paints twice).
            self.plotItem.vb.prepareForPaint()

    def restyle(self) -> None:
        """Re-pen the plot's own items after a zoom or theme change."""

    def minimumSizeHint(self) -> QSize:
        # Proportional to the stage's scale: a stage fits the view to it.
        return QSize(self.style_.px(170), self.style_.px(130))


class LossPlot(StyledPlot):
    """The loss against the batch number, growing as the run trains.

    One PlotDataItem holds the (decimated) history; hovering shows the batch
    and loss of the nearest kept point in a label that follows the mouse.
    """

    def __init__(self, style: Style) -> None:
        self.curve = pg.PlotDataItem()
        self.marker = pg.PlotDataItem()
        self.hover = pg.TextItem("", anchor=(0, 1))
        super().__init__(style, "Loss", "batch (one gradient step each)", "loss")
        self.curve.setDownsampling(auto=True, method="peak")
        self.plotItem.addItem(self.curve)
        self.plotItem.addItem(self.marker)
        self.plotItem.addItem(self.hover, ignoreBounds=True)
        self.hover.setZValue(10)
        self.hover.hide()
        self._x = np.empty(0)
        self._y = np.empty(0)
        self.log = False
        self.hover_text = ""
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def restyle(self) -> None:
        s, t = self.style_, self.style_.theme
        self.curve.setPen(pg.mkPen(t.text, width=s.px(3)))
        self.marker.setSymbol("o")
        self.marker.setSymbolSize(s.px(12))
        self.marker.setSymbolBrush(pg.mkBrush(t.accent2))
        self.marker.setSymbolPen(pg.mkPen(t.text, width=s.px(1.5)))
        self.marker.setPen(None)
        self.hover.setColor(QColor(t.text))
        self.hover.fill = pg.mkBrush(QColor(t.base))
        self.hover.border = pg.mkPen(t.grid_line)
        self.hover.setFont(s.font(12, bold=True))

    # ------------------------------------------------------------- data
    def set_data(self, x: np.ndarray, y: np.ndarray) -> None:
        x, y = _finite(np.asarray(x, float), np.asarray(y, float))
        self._x, self._y = x, y
        self.curve.setData(x, self._shown(y), skipFiniteCheck=True)
        if self.hover.isVisible() and len(x) == 0:
            self._hide_hover()
        self._fit()

    def _fit(self) -> None:
        x, y = self._x, self._y
        xr = (0.0, nice_up(float(x[-1]) if len(x) else 10.0, _STEPS))
        if not len(y):
            yr = (-1.0, 1.0) if self.log else (0.0, 1.0)
        elif self.log:
            ly = np.log10(np.maximum(y, LOG_FLOOR))
            lo, hi = float(np.floor(ly.min())), float(np.ceil(ly.max()))
            yr = (lo, hi if hi > lo else lo + 1)
        else:
            yr = (min(0.0, float(y.min())), nice_up(float(y.max())))
        self.set_view(xr, yr)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """What the curve holds: (batches, losses), unclipped."""
        return self._x, self._y

    def _shown(self, y: np.ndarray) -> np.ndarray:
        return np.maximum(y, LOG_FLOOR) if self.log else y

    def set_log(self, on: bool) -> None:
        if on == self.log:
            return
        self.log = bool(on)
        self.plotItem.setLogMode(x=False, y=self.log)
        self.curve.setData(self._x, self._shown(self._y), skipFiniteCheck=True)
        self._hide_hover()
        self._range = None
        self._fit()

    # ------------------------------------------------------------ hover
    def _on_mouse_moved(self, pos: QPointF) -> None:
        vb = self.plotItem.vb
        if not vb.sceneBoundingRect().contains(pos) or len(self._x) == 0:
            self._hide_hover()
            return
        self.hover_at(vb.mapSceneToView(pos).x())

    def hover_at(self, x: float) -> str:
        """Show the kept point nearest to batch ``x``; return the label's text."""
        if len(self._x) == 0:
            self._hide_hover()
            return ""
        i = (
            int(np.clip(np.searchsorted(self._x, x), 1, len(self._x) - 1))
            if len(self._x) > 1
            else 0
        )
        if len(self._x) > 1 and abs(self._x[i - 1] - x) <= abs(self._x[i] - x):
            i -= 1
        bx, by = float(self._x[i]), float(self._y[i])
        self.hover_text = f"batch {int(bx):,}\nloss {by:.4g}"
        shown_y = float(np.log10(max(by, LOG_FLOOR))) if self.log else by
        self.hover.setText(self.hover_text)
        (x0, x1), _ = self.plotItem.vb.viewRange()
        self.hover.setAnchor((1, 1) if bx > (x0 + x1) / 2 else (0, 1))
        self.hover.setPos(bx, shown_y)
        self.hover.show()
        self.marker.setData([bx], [self._shown(np.array([by]))[0]])
        return self.hover_text

    def _hide_hover(self) -> None:
        self.hover.hide()
        self.marker.setData([], [])
        self.hover_text = ""


class WeightPlot(StyledPlot):
    """Each weight of the kernel against the number of updates, the true value dashed."""

    def __init__(self, style: Style) -> None:
        self.curves: list[pg.PlotDataItem] = []
        self.truths: list[pg.InfiniteLine] = []
        self.names: list[str] = []
        self.note = ""
        self.legend: pg.LegendItem | None = None  # none yet while the base class styles
        super().__init__(style, "Weights", "updates", "value")
        self.legend = self.plotItem.addLegend(offset=(-10, 10))
        self.restyle()

    def set_params(self, names: list[str], truth: np.ndarray) -> None:
        """One curve per parameter (the first few of a large kernel) and its true value."""
        for item in self.curves + self.truths:
            self.plotItem.removeItem(item)
        if self.legend is not None:
            self.legend.clear()
        shown = names[:MAX_WEIGHT_CURVES]
        self.names = shown
        self.note = (
            f"showing {len(shown)} of {len(names)} weights" if len(names) > len(shown) else ""
        )
        self.curves, self.truths = [], []
        for i, name in enumerate(shown):
            c = pg.PlotDataItem(name=name)
            c.setDownsampling(auto=True, method="peak")
            self.plotItem.addItem(c)
            self.curves.append(c)
            line = pg.InfiniteLine(pos=float(truth[i]) if i < len(truth) else 0.0, angle=0)
            self.plotItem.addItem(line, ignoreBounds=False)
            self.truths.append(line)
        self.restyle()

    def restyle(self) -> None:
        s = self.style_
        for i, (c, line) in enumerate(zip(self.curves, self.truths, strict=True)):
            col = WEIGHT_COLORS[i % len(WEIGHT_COLORS)]
            if col == "#000000" and s.theme.name == "dark":
                col = "#ffffff"
            c.setPen(pg.mkPen(col, width=s.px(2.5)))
            line.setPen(pg.mkPen(col, width=s.px(1.5), style=Qt.PenStyle.DashLine))
        if self.legend is not None:
            self.legend.setLabelTextColor(s.theme.text)
            self.legend.setLabelTextSize(f"{11 * s.scale:.1f}pt")

    def set_data(self, x: np.ndarray, W: np.ndarray) -> None:
        x = np.asarray(x, float)
        W = np.asarray(W, float)[:, : len(self.curves)]
        for i, c in enumerate(self.curves):
            xi, yi = _finite(x, W[:, i])
            c.setData(xi, yi, skipFiniteCheck=True)
        vals = [line.value() for line in self.truths]
        ok = W[np.isfinite(W)]
        lo = min([*vals, float(ok.min()) if ok.size else 0.0])
        hi = max([*vals, float(ok.max()) if ok.size else 0.0])
        xr = (0.0, nice_up(float(x[-1]) if len(x) else 10.0, _STEPS))
        self.set_view(xr, nice_bounds(lo, hi))


class SurfacePlot(QWidget):
    """The loss over (w1, w2) as a filled map with contour lines and the descent path.

    For kernels that are not two weights a sentence says why it is absent.
    """

    N = 121
    LEVELS = 12
    #: Surfaces whose traced contours are kept: the lesson's learning slides train on
    #: a handful of examples, so going back and forth between them traces nothing.
    TRACED_KEPT = 12
    MAX_DOTS = 60

    def minimumSizeHint(self) -> QSize:
        return QSize(self.style_.px(170), self.style_.px(150))

    def __init__(self, style: Style) -> None:
        super().__init__()
        self.style_ = style
        self.plot = StyledPlot(style, "Loss surface", "w₁ = K[0,0]", "w₂ = K[0,1]")
        pi = self.plot.plotItem
        pi.setAspectLocked(True)
        pi.showGrid(x=False, y=False)
        self.image = pg.ImageItem()
        # The surface is drawn once per run; cache it so a moving path repaints cheaply.
        self.image.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        pi.addItem(self.image)
        self.isocurves: list[pg.IsocurveItem] = []
        self.path = pg.PlotCurveItem()
        self.dots = pg.ScatterPlotItem()  # one per step while there are few
        self.start = pg.ScatterPlotItem()
        self.current = pg.ScatterPlotItem()
        self.true = pg.ScatterPlotItem()
        self.true_label = pg.TextItem("true K", anchor=(1.08, -0.1))
        self.start_label = pg.TextItem("start", anchor=(-0.15, -0.1))
        for item in (self.path, self.dots, self.start, self.true, self.current):
            pi.addItem(item)
        for item in (self.true_label, self.start_label):
            pi.addItem(item, ignoreBounds=True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot)
        self.stack.addWidget(self.message)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self.Z: np.ndarray | None = None
        self._traced: dict[tuple[object, ...], tuple[np.ndarray, list[pg.IsocurveItem]]] = {}
        self._drawn: tuple[np.ndarray, Ranges] | None = None  # what the image and contours show
        self.ranges: tuple[tuple[float, float], tuple[float, float]] | None = None
        self._truth = np.zeros(2)
        self._start = np.zeros(2)
        style.sig_changed.connect(self.restyle)
        self.restyle()

    @property
    def available(self) -> bool:
        return self.stack.currentIndex() == 0

    def set_unavailable(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentIndex(1)
        self.Z = None
        self._drawn = None

    def set_surface(
        self,
        Z: np.ndarray,
        ranges: tuple[tuple[float, float], tuple[float, float]],
        truth: np.ndarray,
        start: np.ndarray,
    ) -> None:
        """Show ``Z[i, j]`` (w2 = row, w1 = column) over ``ranges``, with both markers."""
        self.stack.setCurrentIndex(0)
        (a, b), (c, d) = ranges
        if not self._same_surface(Z, ranges):
            self._draw_surface(Z, ranges)
        self.Z, self.ranges = Z, ranges
        self._truth = np.asarray(truth, float)[:2]
        self._start = np.asarray(start, float)[:2]
        self.true.setData([self._truth[0]], [self._truth[1]])
        self.true_label.setPos(*self._truth)
        right = self._truth[0] > (a + b) / 2
        self.true_label.setAnchor((1.08, -0.1) if right else (-0.08, -0.1))
        self.start.setData([self._start[0]], [self._start[1]])
        self.start_label.setPos(*self._start)
        self.plot.plotItem.vb.setRange(xRange=(a, b), yRange=(c, d), padding=0)
        self.restyle()

    def _same_surface(self, Z: np.ndarray, ranges: Ranges) -> bool:
        """Whether ``Z`` over ``ranges`` is the surface already drawn.

        Most learning slides train on the chapter's one example, so their surface
        is the same: redrawing it costs its contours again (pyqtgraph traces each
        level in Python, ~14 ms a level, ~170 ms a surface), which made a slide
        change into a learning slide take 300 ms.
        """
        drawn = self._drawn
        return (
            drawn is not None
            and drawn[1] == ranges
            and drawn[0].shape == Z.shape
            and bool(np.array_equal(drawn[0], Z))
        )

    def _draw_surface(self, Z: np.ndarray, ranges: Ranges) -> None:
        self._drawn = (Z.copy(), ranges)  # a copy: the caller's array may change in place
        (a, b), (c, d) = ranges
        n2, n1 = Z.shape
        dx, dy = (b - a) / (n1 - 1), (d - c) / (n2 - 1)
        # sqrt spreads the bowl's colours evenly; contour levels are evenly spaced in it too.
        R = np.sqrt(np.maximum(Z, 0.0))
        lo, hi = float(R.min()), float(R.max())
        self.image.setImage(R, levels=(lo, hi if hi > lo else lo + 1))
        self.image.setRect(QRectF(a - dx / 2, c - dy / 2, b - a + dx, d - c + dy))
        for iso in self.isocurves:
            scene = iso.scene()
            if scene is not None:
                scene.removeItem(iso)
        key = (Z.shape, hash(Z.tobytes()), ranges)
        kept = self._traced.pop(key, None)
        traced = kept[1] if kept is not None and np.array_equal(kept[0], Z) else None
        if traced is None:  # trace the contours (the slow part) once per surface
            traced = []
            for k in range(1, self.LEVELS + 1):
                level = lo + (hi - lo) * (k / (self.LEVELS + 1))
                iso = pg.IsocurveItem(data=R, level=level)
                iso.setPos(0.5, 0.5)  # data points sit at pixel centres
                iso.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
                traced.append(iso)
        self._traced[key] = (self._drawn[0], traced)  # the most recent last
        while len(self._traced) > self.TRACED_KEPT:
            del self._traced[next(iter(self._traced))]
        for iso in traced:
            iso.setParentItem(self.image)
        self.isocurves = traced

    def set_path(self, P: np.ndarray) -> None:
        """The (w1, w2) points walked so far; the last is the current kernel."""
        P = np.asarray(P, float)
        P = P[np.isfinite(P).all(1)] if len(P) else P
        if len(P) == 0:
            self.path.setData([], [])
            self.dots.setData([], [])
            self.current.setData([], [])
            return
        self.path.setData(P[:, 0], P[:, 1], skipFiniteCheck=True)
        if len(P) <= self.MAX_DOTS:
            self.dots.setData(P[:, 0], P[:, 1])
        elif len(self.dots.data):
            self.dots.setData([], [])
        self.current.setData([P[-1, 0]], [P[-1, 1]])

    def path_data(self) -> np.ndarray:
        x, y = self.path.getData()
        if x is None:
            return np.empty((0, 2))
        return np.column_stack([x, y])

    def restyle(self) -> None:
        s, t = self.style_, self.style_.theme
        self.message.setFont(s.font(12))
        self.message.setStyleSheet(f"color: {t.muted};")
        high = "#f4a560" if t.name == "light" else "#8a4a10"
        cmap = pg.ColorMap([0.0, 1.0], [QColor(t.base), QColor(high)])
        self.image.setLookupTable(cmap.getLookupTable(nPts=256))
        for iso in self.isocurves:
            iso.setPen(pg.mkPen(t.grid_line, width=max(1, s.px(1.2))))
        pen = pg.mkPen(t.accent2, width=s.px(3))
        self.path.setPen(pen)
        self.dots.setSymbol("o")
        self.dots.setSize(s.px(7))
        self.dots.setBrush(pg.mkBrush(t.accent2))
        self.dots.setPen(None)
        self.start.setSymbol("o")
        self.start.setSize(s.px(14))
        self.start.setBrush(pg.mkBrush(t.base))
        self.start.setPen(pg.mkPen(t.text, width=s.px(2)))
        self.current.setSymbol("o")
        self.current.setSize(s.px(16))
        self.current.setBrush(pg.mkBrush(t.accent2))
        self.current.setPen(pg.mkPen(t.text, width=s.px(2)))
        self.true.setSymbol("star")
        self.true.setSize(s.px(26))
        self.true.setBrush(pg.mkBrush(t.accent))
        self.true.setPen(pg.mkPen(t.base, width=1))
        for label in (self.true_label, self.start_label):
            label.setColor(QColor(t.text))
            label.setFont(s.font(12, bold=True))
        self.true_label.setText(
            "true K [" + ", ".join(display_number(v) for v in self._truth) + "]"
        )
