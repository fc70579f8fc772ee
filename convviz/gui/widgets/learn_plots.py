"""The learning panel's three plots: the loss, each weight, and the loss surface.

Each plot owns a fixed set of pyqtgraph items created once and updated
with ``setData``, so a redraw costs the same at step 10 and at step
1,000,000 (the run hands over at most a few thousand decimated points).
Only finite numbers are ever passed to pyqtgraph.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPicture, QPixmapCache, QRegion
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsView,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...model.values import display_number
from ..style import Style
from ._util import LAYOUT_SETTLED
from .plot_marker import Marker
from .trail_curve import TrailCurve, TrailDataItem, TrailDots

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


def _x_extent(x: np.ndarray, horizon: float) -> float:
    """The step axis's end: the last step or the run's horizon, rounded up (10 if none)."""
    last = max(float(x[-1]) if len(x) else 0.0, horizon)
    return nice_up(last if last > 0 else 10.0, _STEPS)


def _finite(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.all():
        x, y = x[ok], y[ok]
    return x, y


#: The (w1, w2) extent of a loss surface: ((w1 min, w1 max), (w2 min, w2 max)).
Ranges = tuple[tuple[float, float], tuple[float, float]]

#: Kilobytes Qt may keep of items' cached pictures (its default is 10 MB). At 4K the
#: surface's map and contours alone take ~7 MB and the axes and titles of the three
#: plots as much again: with the default, each evicted the others and every repaint
#: drew them all again (17 ms a repaint of the surface instead of 5).
PIXMAP_CACHE_KB = 64 * 1024
_CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache


def _ensure_pixmap_cache() -> None:
    if QPixmapCache.cacheLimit() < PIXMAP_CACHE_KB:
        QPixmapCache.setCacheLimit(PIXMAP_CACHE_KB)


def contour_segments(R: np.ndarray, level: float) -> np.ndarray:
    """The ``level`` contour of ``R`` as line segments ``(x1, y1, x2, y2)`` in image
    pixels (sample ``R[i, j]`` at the centre of pixel column j, row i), reaching the
    image's edges as pyqtgraph's ``isocurve(..., extendToEdge=True)`` does.

    Marching squares done with whole-array operations: ~0.3 ms a level at 121×121,
    where pyqtgraph's loop over cells took ~14 ms, so a new surface's twelve
    contours no longer cost a slide change ~170 ms.
    """
    R = np.asarray(R, float)
    n2, n1 = R.shape
    d = np.pad(R, 1, mode="edge")  # the edge values repeated: contours reach the edges
    below = d < level
    b_tl, b_tr, b_br, b_bl = below[:-1, :-1], below[:-1, 1:], below[1:, 1:], below[1:, :-1]
    r, c = np.nonzero((b_tl != b_tr) | (b_tr != b_br) | (b_br != b_bl))  # the cells it crosses
    if not len(r):
        return np.empty((0, 4))
    tl, tr, br, bl = d[r, c], d[r, c + 1], d[r + 1, c + 1], d[r + 1, c]
    x, y = c.astype(float), r.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sides = (  # (crossed, x, y) on the top, right, bottom and left side of each cell
            (b_tl[r, c] != b_tr[r, c], x + (level - tl) / (tr - tl), y),
            (b_tr[r, c] != b_br[r, c], x + 1, y + (level - tr) / (br - tr)),
            (b_bl[r, c] != b_br[r, c], x + (level - bl) / (br - bl), y + 1),
            (b_tl[r, c] != b_bl[r, c], x, y + (level - tl) / (bl - tl)),
        )
    crossed = np.stack([e[0] for e in sides])
    xs = np.stack([e[1] for e in sides])
    ys = np.stack([e[2] for e in sides])
    k = np.arange(len(r))
    two = crossed.sum(0) == 2
    first = np.argmax(crossed, 0)
    last = 3 - np.argmax(crossed[::-1], 0)
    pairs = [(first[two], last[two], k[two])]
    four = ~two  # a saddle: its sides paired as pyqtgraph pairs them
    if four.any():
        m = int(four.sum())
        pairs += [(np.full(m, a), np.full(m, b), k[four]) for a, b in ((3, 0), (1, 2))]
    segs = np.concatenate(
        [np.column_stack([xs[a, i], ys[a, i], xs[b, i], ys[b, i]]) for a, b, i in pairs]
    )
    # Padded cell coordinates to image pixels: sample k is at k + 0.5, clamped to the image.
    segs -= 0.5
    segs[:, 0::2] = np.clip(segs[:, 0::2], 0.0, n1)
    segs[:, 1::2] = np.clip(segs[:, 1::2], 0.0, n2)
    return segs[(segs[:, 0] != segs[:, 2]) | (segs[:, 1] != segs[:, 3])]


def join_segments(segs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segments ``(x1, y1, x2, y2)`` chained into polylines where they share an end:
    the points in order, and for each point whether it connects to the next.

    Drawn as 2,904 separate segments, a surface's contours took ~5 ms to stroke at
    4K (pyqtgraph gives pens wider than 4 px round caps, one pair per segment);
    chained into its ~24 lines, ~1 ms.
    """
    m = len(segs)
    if m == 0:
        return np.empty((0, 2)), np.empty(0, bool)
    ends = np.round(np.asarray(segs, float).reshape(2 * m, 2), 9)  # 2i: start, 2i+1: end
    order = np.lexsort((ends[:, 1], ends[:, 0]))  # the ends at one point together
    at = ends[order]
    new_point = np.r_[True, (at[1:] != at[:-1]).any(1)]
    first = np.nonzero(new_point)[0][np.cumsum(new_point) - 1]
    # the ends at one point, paired two by two (a point is shared by two at most,
    # unless clipping to the image's edge stacked more there)
    k = np.nonzero(((np.arange(2 * m) - first) % 2 == 0)[:-1] & ~new_point[1:])[0]
    partner = np.full(2 * m, -1)
    partner[order[k]], partner[order[k + 1]] = order[k + 1], order[k]
    pts: list[np.ndarray] = []
    link: list[np.ndarray] = []
    seen = [False] * m
    partner_l = partner.tolist()
    # open lines from one of their free ends first, then what is left: closed loops
    starts = np.nonzero(partner < 0)[0].tolist() + list(range(0, 2 * m, 2))
    for e in starts:
        if seen[e >> 1]:
            continue
        chain = [e]
        seen[e >> 1] = True
        nxt = partner_l[e ^ 1]
        while nxt >= 0 and not seen[nxt >> 1]:
            seen[nxt >> 1] = True
            chain.append(nxt)
            nxt = partner_l[nxt ^ 1]
        idx = np.array(chain)
        line = np.vstack([ends[idx], ends[idx[-1] ^ 1]])
        pts.append(line)
        c = np.ones(len(line), bool)
        c[-1] = False
        link.append(c)
    return np.concatenate(pts), np.concatenate(link)


class ContourLines(pg.GraphicsObject):
    """All contour lines of one surface as one item, in the image's pixel coordinates.

    One item is one cached picture: twelve IsocurveItems were twelve full-size
    pictures to keep and to copy on every repaint of the plot.
    """

    def __init__(self, R: np.ndarray, levels: list[float]) -> None:
        super().__init__()
        self.levels = list(levels)
        self.segments = np.concatenate([contour_segments(R, v) for v in self.levels])
        pts, link = join_segments(self.segments)
        self.path = pg.arrayToQPath(pts[:, 0], pts[:, 1], connect=link)
        self._rect = QRectF(0.0, 0.0, float(R.shape[1]), float(R.shape[0]))
        self.pen = pg.mkPen(None)
        self.setCacheMode(_CACHED)

    def setPen(self, pen: object) -> None:
        self.pen = pg.mkPen(pen)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, p, *args: object) -> None:
        p.setPen(self.pen)
        p.drawPath(self.path)


_NO_UPDATES = QGraphicsView.ViewportUpdateMode.NoViewportUpdate


def _no_si_prefix(axis: pg.AxisItem) -> None:
    """Numbers as they are, never scaled by an SI prefix.

    pyqtgraph's ``enableAutoSIPrefix(False)`` still computes a prefix for the range
    shown at that moment, and keeps it: restyled while the loss plot showed 0 to
    0.008, the axis read 8, 6, 4, 2, 0 for the rest of the lesson (slide 13).
    """
    axis.autoSIPrefix = False
    axis.autoSIPrefixScale = 1.0
    axis.labelUnitPrefix = ""
    axis.picture = None


class KeptAxis(pg.AxisItem):
    """An axis that keeps the pictures of the ranges and sizes it has drawn.

    The learning slides show a few examples, each with its own ranges: going back
    and forth between them drew the same ticks and labels again (~3 ms an axis at
    4K, most of it pyqtgraph's tick layout). A picture is found again by what it
    shows: the range, the axis's size, log mode, font and pens.
    """

    KEPT = 24

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self._kept: dict[tuple[object, ...], tuple[QPicture, float]] = {}
        self.picture: QPicture | None = None
        #: The widest (left, right) or tallest (top, bottom) tick label of the picture.
        self.text_extent = 0.0

    def forget(self) -> None:
        """Drop the kept pictures (a new font or pen)."""
        self._kept.clear()
        self.picture = None
        self.update()

    def _updateLabel(self) -> None:
        # The label's HTML again only when it changed: setting it lays the text out
        # and drops the label item's cached picture, at every new range.
        html = self.labelString()
        if html != getattr(self, "_label_html", None):
            self._label_html = html
            super()._updateLabel()

    def _key(self) -> tuple[object, ...]:
        size = self.geometry().size()
        return (
            # (to 12 digits: a range worked out ahead, see prime_ahead, is pyqtgraph's
            # but for the order of its float operations)
            tuple(float(f"{v:.12g}") for v in self.range),
            round(size.width(), 3),
            round(size.height(), 3),
            self.logMode,
            self.style["tickFont"].key() if self.style["tickFont"] else None,
            self.pen().color().rgba(),
            self.pen().widthF(),
            self.textPen().color().rgba(),
        )

    def prime(self) -> None:
        """Have the picture ready before the paint.

        Laying the ticks out measures their labels and may widen the axis: done
        inside the paint, that moved the plot's items and the plot was painted twice.
        """
        if self.picture is not None:
            return
        key = self._key()
        kept = self._kept.pop(key, None)
        if kept is None:
            picture = QPicture()
            extent = 0.0
            painter = QPainter(picture)
            try:
                if self.style["tickFont"]:
                    painter.setFont(self.style["tickFont"])
                specs = self.generateDrawSpecs(painter)
                if specs is not None:
                    self.drawPicture(painter, *specs)
                    across = self.orientation in ("left", "right")
                    sizes = [r.width() if across else r.height() for r, _, _ in specs[2]]
                    extent = max(sizes, default=0.0)
            finally:
                painter.end()
            kept = (picture, extent)
        self.picture, self.text_extent = kept
        self._kept[key] = kept  # the most recent last
        while len(self._kept) > self.KEPT:
            del self._kept[next(iter(self._kept))]

    def prime_ahead(self, rng: tuple[float, float], log: bool = False) -> bool:
        """Make and keep the picture of ``rng`` (and log mode) at the axis's size now,
        showing what it shows; False if it is kept already.

        A learning slide after a learning slide: the next run's ranges are known
        while the class looks at this one (~4-8 ms of slides 12 and 13 at 4K).
        """
        kept = (self.range, self.logMode, self.picture, self.text_extent)  # type: ignore[has-type]
        self.range, self.logMode, self.picture = [float(rng[0]), float(rng[1])], log, None
        try:
            if self._key() in self._kept:
                return False
            self.prime()
            return True
        finally:
            self.range, self.logMode, self.picture, self.text_extent = kept

    def paint(self, p, opt, widget) -> None:
        self.prime()
        assert self.picture is not None
        self.picture.play(p)

    def width_needed(self) -> float:
        """The width a left axis needs for its tick labels clear of its own label.

        pyqtgraph sets its rotated label 5 px left of the axis's edge and ends the
        tick labels at the ticks: a fixed width narrower than that drew "0.008" over
        "loss" (slide 13, 1280×800).
        """
        s = self.style
        w = self.text_extent + s["tickTextOffset"][0] + max(0, s["tickLength"])
        if self.label.isVisible():
            w += self.label.boundingRect().height() - 5
        return w


class StyledPlot(pg.PlotWidget):
    """A PlotWidget whose colours, fonts and pens follow the :class:`Style`."""

    def __init__(self, style: Style, title: str, xlabel: str, ylabel: str) -> None:
        super().__init__(axisItems={"bottom": KeptAxis("bottom"), "left": KeptAxis("left")})
        self.style_ = style
        self._labels = (title, xlabel, ylabel)
        self.plotItem.hideButtons()
        self.plotItem.setMenuEnabled(False)
        # The plots set their own ranges, snapped to round numbers so that the axes
        # (costly to repaint) change a few times a decade, not at every frame.
        self.plotItem.disableAutoRange()
        self.plotItem.setMouseEnabled(x=False, y=False)
        # The view fills its background itself (the theme's base): Qt need not fill it
        # first (a quarter of a plot's repaint at 4K, at every slide and frame).
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        # Nor keep a picture of that background (pyqtgraph's default): filling what a
        # paint exposes costs less than a viewport-sized picture, made again whenever
        # the plot's range moves and copied at every paint (slide 13 at 4K: the surface
        # plot's paint took 14-19 ms of CPU with it, 6-12 without).
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        # The axes, their labels and the title change a few times a run: each is kept
        # as a picture of its pixels, so a frame repaints the curves, not the text.
        _ensure_pixmap_cache()
        self.plotItem.titleLabel.item.setCacheMode(_CACHED)
        for name in ("bottom", "left"):
            ax = self.plotItem.getAxis(name)
            ax.setCacheMode(_CACHED)
            ax.label.setCacheMode(_CACHED)
        self._range: tuple | None = None
        self.after_prime: list[Callable[[], None]] = []
        self.setMinimumSize(style.px(160), style.px(120))
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()

    def _css(self, points: float, color: str) -> dict[str, str]:
        return {"color": color, "font-size": f"{points * self.style_.scale:.1f}pt"}

    def _on_style_changed(self) -> None:
        s, t = self.style_, self.style_.theme
        self.setBackground(t.base)
        title, xlabel, ylabel = self._labels
        pi = self.plotItem
        pi.setTitle(title, color=t.text, size=f"{13 * s.scale:.1f}pt", bold=True)
        # pyqtgraph gives the title a row 30 px high: at 4K the title is ~70 px and
        # "Loss surface" showed with its top cut off. The row is as tall as the text.
        need = math.ceil(pi.titleLabel.item.boundingRect().height())
        pi.titleLabel.setMaximumHeight(need)
        pi.layout.setRowFixedHeight(0, need)
        tick_font = QFont(s.font_px(13, "label"))
        for name, label in (("bottom", xlabel), ("left", ylabel)):
            ax = self.plotItem.getAxis(name)
            ax.forget()
            ax.setPen(pg.mkPen(t.grid_line, width=1))
            ax.setTextPen(pg.mkPen(t.text))
            ax.setTickFont(tick_font)
            _no_si_prefix(ax)  # "loss (x0.001)" only confuses
            ax.setLabel(label, **self._css(12, t.muted))
        for name in ("top", "right"):
            # Hidden, but with an SI prefix each new range set their label's HTML
            # again (a text layout and an item to redraw, per axis and slide).
            _no_si_prefix(self.plotItem.getAxis(name))
        # The left axis is this wide, or as wide as its tick labels need (fit_left_axis).
        self._left_width = s.px(64)
        self.plotItem.getAxis("left").setWidth(self._left_width)
        self.restyle()

    def set_view(
        self, x: tuple[float, float], y: tuple[float, float], padding: float = 0.03
    ) -> None:
        """Show this range (view coordinates) unless it is already shown."""
        r = (x, y, padding)
        if r != self._range:
            self._range = r
            self.plotItem.vb.setRange(xRange=x, yRange=y, padding=padding)
            # Settle the new transform now, not while painting (which paints twice);
            # the axes once the slide's last range and size are known.
            self.plotItem.vb.prepareForPaint()
            self.request_prime()

    def prime_axes_ahead(
        self,
        x: tuple[float, float],
        y: tuple[float, float],
        padding: float = 0.03,
        log_y: bool = False,
    ) -> int:
        """Make the axes' pictures of a view :meth:`set_view` will be given (padded as
        pyqtgraph pads it), at the plot's size now; how many were made."""
        made = 0
        for name, (lo, hi), log in (("bottom", x, False), ("left", y, log_y)):
            ax = self.plotItem.getAxis(name)
            if isinstance(ax, KeptAxis) and ax.isVisible() and hi > lo:
                pad = (hi - lo) * padding
                made += ax.prime_ahead((lo - pad, hi + pad), log)
        return made

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self.request_prime()

    def request_prime(self) -> None:
        """Have :meth:`prime` run once the layouts have settled, before the paint
        (settle_layouts delivers it on a slide change), once however many ranges and
        sizes the change sets: settled while painting, the plot was painted twice;
        settled at each step, a learning view's first slide laid out its axes' ticks
        24 times (49 ms at 4K) for the 6 it shows."""
        if getattr(self, "plotItem", None) is None:  # pyqtgraph resizes while building
            return
        if not getattr(self, "_settle_pending", False):
            self._settle_pending = True
            QCoreApplication.postEvent(self, QEvent(LAYOUT_SETTLED))

    def event(self, e: QEvent) -> bool:
        if e.type() == LAYOUT_SETTLED:
            self._settle_pending = False
            self.prime()
            return True
        return super().event(e)

    def prime(self) -> None:
        """Settle now what pyqtgraph settles while painting: the layout, the view's
        transform, the axes' pictures (whose labels may widen an axis, so the layout
        again) and the lines' extents. Each, settled in the paint, changed the scene
        and the plot was painted a second time (4-6 ms at 4K)."""
        pi = self.plotItem
        axes = [pi.getAxis(name) for name in ("bottom", "left")]
        for _ in range(3):
            pi.layout.activate()
            pi.vb.prepareForPaint()
            before = [(a.maximumWidth(), a.maximumHeight()) for a in axes]
            for a in axes:
                if a.isVisible() and isinstance(a, KeptAxis):
                    a.prime()
            self.fit_left_axis()
            if before == [(a.maximumWidth(), a.maximumHeight()) for a in axes]:
                break
        for item in pi.vb.addedItems:
            if isinstance(item, pg.InfiniteLine) and item.isVisible():
                item.boundingRect()  # computes (and announces) its extent in view pixels
        for place in self.after_prime:
            place()  # what sits by the view's pixels (labels kept inside the plot)
        # A scene hands its changed items to its view on a queued call that paints the
        # window at once: after the slide's paint, that painted the plot again. Until
        # that call has run the view takes no updates from its scene, and is repainted
        # whole with the window.
        if self.viewportUpdateMode() != _NO_UPDATES:
            mode = self.viewportUpdateMode()
            self.setViewportUpdateMode(_NO_UPDATES)
            QTimer.singleShot(0, self, lambda: self.setViewportUpdateMode(mode))
        self.viewport().update()

    def fit_left_axis(self) -> None:
        """Widen the left axis to what its tick labels need, or back to its width.

        Decided when the plot is primed, so once per range: a run's axes keep their
        range for a press of Train, and the plot does not move while it trains.
        """
        axis = self.plotItem.getAxis("left")
        if not (isinstance(axis, KeptAxis) and axis.isVisible() and axis.picture):
            return
        width = max(self._left_width, math.ceil(axis.width_needed()))
        if width != axis.fixedWidth:
            axis.setWidth(width)  # drops the picture: primed again at the new width

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
        self.curve = TrailDataItem()
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
        self._horizon = 0.0
        self._expect: np.ndarray | None = None
        self.log = False
        self.hover_text = ""
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def restyle(self) -> None:
        s, t = self.style_, self.style_.theme
        self.curve.setPen(pg.mkPen(t.text, width=s.px(3)))
        self.curve.setSymbolSize(s.px(9))
        self.curve.setSymbolBrush(pg.mkBrush(t.text))
        self.curve.setSymbolPen(None)
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
    def set_data(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        horizon: float = 0.0,
        expect: tuple[float, float] | None = None,
    ) -> None:
        """The history to draw. ``horizon`` is the batch the run is training to and
        ``expect`` the (lowest, highest) loss it will show on the way: the axes are
        then those of the whole run from its first frame, drawn once, not again at
        batch 1, 2, 5 and 10 or at each decade the loss falls (each a repaint of the
        axes)."""
        x, y = _finite(np.asarray(x, float), np.asarray(y, float))
        self._x, self._y = x, y
        self._horizon = float(horizon)
        ok = expect is not None and bool(np.isfinite(expect).all())
        self._expect = np.asarray(expect, float) if ok else None
        # A lone loss (one step, as on "The engine's gradient") is a dot: a line
        # through one point draws nothing, and the plot looked empty.
        lone = "o" if len(x) == 1 else None
        if self.curve.opts["symbol"] != lone:
            self.curve.setSymbol(lone)
            # The dot's outline reaches past the area pyqtgraph repaints when it goes:
            # at the second step an arc of it stayed on screen (lesson sheet, 1080p).
            self.viewport().update()
        self.curve.setData(x, self._shown(y), skipFiniteCheck=True)
        if self.hover.isVisible() and len(x) == 0:
            self._hide_hover()
        self._fit()

    def _fit(self) -> None:
        self.set_view(*self._view(self._x, self._y, self._horizon, self._expect, self.log))

    @staticmethod
    def _view(
        x: np.ndarray, y: np.ndarray, horizon: float, expect: np.ndarray | None, log: bool
    ) -> tuple[tuple[float, float], tuple[float, float]]:
        xr = (0.0, _x_extent(x, horizon))
        if expect is not None:
            y = np.concatenate([y, expect])
        if not len(y):
            yr = (-1.0, 1.0) if log else (0.0, 1.0)
        elif log:
            ly = np.log10(np.maximum(y, LOG_FLOOR))
            lo, hi = float(np.floor(ly.min())), float(np.ceil(ly.max()))
            yr = (lo, hi if hi > lo else lo + 1)
        else:
            yr = (min(0.0, float(y.min())), nice_up(float(y.max())))
        return xr, yr

    def prime_ahead(self, horizon: float, expect: tuple[float, float], log: bool) -> int:
        """The axes' pictures of a press of Train to ``horizon`` whose losses stay in
        ``expect`` (see :meth:`set_data`), made now; how many were made."""
        empty = np.empty(0)
        xr, yr = self._view(empty, empty, horizon, np.asarray(expect, float), log)
        return self.prime_axes_ahead(xr, yr, log_y=log)

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


class ScaledSample(pg.ItemSample):
    """A legend's line sample at the stage's scale.

    pyqtgraph draws a fixed 20 px line: at 4K it was a stub beside its 11 pt label,
    too short to tell the weights' colours apart from the back of the room.
    """

    def __init__(self, item: object) -> None:
        self._k = 1.0
        super().__init__(item)

    def set_scale(self, k: float) -> None:
        if k != self._k:
            self.prepareGeometryChange()
            self._k = k
        self.setFixedWidth(20 * k)
        self.setFixedHeight(20 * k)
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, 20 * self._k, 20 * self._k)

    def paint(self, p, *args: object) -> None:
        p.save()
        p.scale(self._k, self._k)  # the curve's pen is cosmetic: its width stays its own
        super().paint(p, *args)
        p.restore()


class WeightPlot(StyledPlot):
    """Each weight of the kernel against the number of updates, the true value dashed."""

    def __init__(self, style: Style) -> None:
        self.curves: list[pg.PlotDataItem] = []
        self.truths: list[pg.InfiniteLine] = []
        self.names: list[str] = []
        self.note = ""
        self.legend: pg.LegendItem | None = None  # none yet while the base class styles
        super().__init__(style, "Weights", "updates", "value")
        self.legend = self.plotItem.addLegend(offset=(-10, 10), sampleType=ScaledSample)
        self.restyle()

    def set_params(self, names: list[str], truth: np.ndarray) -> None:
        """One curve per parameter (the first few of a large kernel) and its true value.

        The same parameters as now keep their items (only the true values move): a
        new run of the same kernel re-made its curves, lines and legend, ~14 ms.
        """
        shown = names[:MAX_WEIGHT_CURVES]
        values = [float(truth[i]) if i < len(truth) else 0.0 for i in range(len(shown))]
        self.note = (
            f"showing {len(shown)} of {len(names)} weights" if len(names) > len(shown) else ""
        )
        if shown == self.names and len(self.curves) == len(shown):
            for line, v in zip(self.truths, values, strict=True):
                if line.value() != v:
                    line.setValue(v)
            return
        for item in self.curves + self.truths:
            self.plotItem.removeItem(item)
        if self.legend is not None:
            self.legend.clear()
        self.names = shown
        self.curves, self.truths = [], []
        for i, name in enumerate(shown):
            c = TrailDataItem(name=name)
            c.setDownsampling(auto=True, method="peak")
            self.plotItem.addItem(c)
            self.curves.append(c)
            line = pg.InfiniteLine(pos=values[i], angle=0)
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
            for sample, label in self.legend.items:  # pyqtgraph sets them only on new labels
                label.setText(label.text, size=f"{11 * s.scale:.1f}pt", color=s.theme.text)
                if isinstance(sample, ScaledSample):
                    sample.set_scale(s.scale)
            self.legend.updateSize()

    def set_data(
        self,
        x: np.ndarray,
        W: np.ndarray,
        *,
        horizon: float = 0.0,
        expect: tuple[float, float] | None = None,
    ) -> None:
        """Each weight's history; ``horizon`` and ``expect`` (the lowest and highest
        weight ahead) as for :meth:`LossPlot.set_data`."""
        x = np.asarray(x, float)
        W = np.asarray(W, float)[:, : len(self.curves)]
        for i, c in enumerate(self.curves):
            xi, yi = _finite(x, W[:, i])
            c.setData(xi, yi, skipFiniteCheck=True)
        vals = [float(line.value()) for line in self.truths]
        self.set_view(*self._view(x, W, horizon, expect, vals))

    @staticmethod
    def _view(
        x: np.ndarray,
        W: np.ndarray,
        horizon: float,
        expect: tuple[float, float] | None,
        truths: list[float],
    ) -> tuple[tuple[float, float], tuple[float, float]]:
        ok = W[np.isfinite(W)]
        ahead = list(expect) if expect is not None and np.isfinite(expect).all() else []
        lo = min([*truths, *ahead, float(ok.min()) if ok.size else 0.0])
        hi = max([*truths, *ahead, float(ok.max()) if ok.size else 0.0])
        return (0.0, _x_extent(x, horizon)), nice_bounds(lo, hi)

    def prime_ahead(self, horizon: float, expect: tuple[float, float], truths: np.ndarray) -> int:
        """The axes' pictures of a press of Train to ``horizon`` whose weights stay in
        ``expect``, with these true values (their dashed lines), made now."""
        vals = [float(v) for v in np.asarray(truths, float).ravel()[:MAX_WEIGHT_CURVES]]
        empty = np.empty(0)
        xr, yr = self._view(empty, np.empty((0, 1)), horizon, expect, vals)
        return self.prime_axes_ahead(xr, yr)


class SurfacePlot(QWidget):
    """The loss over (w1, w2) as a filled map with contour lines and the descent path.

    For kernels that are not two weights a sentence says why it is absent.
    """

    N = 121
    LEVELS = 12
    #: Surfaces kept, each as its map with its contours: the lesson's learning slides
    #: train on a handful of examples, so going back and forth between them traces
    #: nothing and finds their cached pictures again (a new map is ~6 ms at 4K).
    TRACED_KEPT = 8
    MAX_DOTS = 60

    def minimumSizeHint(self) -> QSize:
        return QSize(self.style_.px(170), self.style_.px(150))

    def __init__(self, style: Style) -> None:
        super().__init__()
        self.style_ = style
        self.plot = StyledPlot(style, "Loss surface", "w₁ = K[0,0]", "w₂ = K[0,1]")
        self.plot.after_prime.append(self._place_labels)
        pi = self.plot.plotItem
        pi.setAspectLocked(True)
        pi.showGrid(x=False, y=False)
        # The column is narrow: at 4K its labels every 0.2 ran together
        # ("0.20.40.60.81.0"); half as many ticks across.
        pi.getAxis("bottom").setTickDensity(0.5)
        self.image = self._new_image()  # the map shown, one per surface kept
        pi.addItem(self.image)
        self.contours: ContourLines | None = None
        self.path = TrailCurve()
        self.dots = TrailDots()  # one per step while there are few
        self.start = Marker()
        self.current = Marker()
        self.true = Marker()
        self.true_label = pg.TextItem("true K", anchor=(1.08, -0.1))
        self.start_label = pg.TextItem("start", anchor=(-0.15, -0.1))
        for curve in (self.path, self.dots):
            pi.addItem(curve)
        # The markers are points of their own (see Marker): a move repaints only a
        # marker's old and new places, and no data of theirs widens the view.
        for marker in (self.start, self.true, self.current):
            marker.hide()
            pi.addItem(marker, ignoreBounds=True)
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
        self._traced: dict[tuple[object, ...], tuple[np.ndarray, pg.ImageItem, ContourLines]] = {}
        self._drawn: tuple[np.ndarray, Ranges] | None = None  # what the image and contours show
        self.ranges: tuple[tuple[float, float], tuple[float, float]] | None = None
        self._truth = np.zeros(2)
        self._start = np.zeros(2)
        self._markers: tuple[tuple[float, ...], tuple[float, ...]] | None = None
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
        """Show ``Z[i, j]`` (w2 = row, w1 = column) over ``ranges``, with both markers.

        What did not change is not touched: a slide that trains on the same example
        from the same start keeps its cached pictures (and restyling would drop them).
        """
        self.stack.setCurrentIndex(0)
        (a, b), (c, d) = ranges
        if not self._same_surface(Z, ranges):
            self._draw_surface(Z, ranges)
        self.Z, self.ranges = Z, ranges
        tx = tuple(float(v) for v in np.asarray(truth, float)[:2])
        sx = tuple(float(v) for v in np.asarray(start, float)[:2])
        if self._markers != (tx, sx):
            self._markers = (tx, sx)
            self._truth, self._start = np.array(tx), np.array(sx)
            self.true.set_point(*tx)
            self.true_label.setPos(*tx)
            self.true_label.setText(_true_texts(self._truth)[0])
            self.start.set_point(*sx)
            self.start_label.setPos(*sx)
        self.plot.set_view((a, b), (c, d), padding=0.0)
        self._place_labels()

    def _place_labels(self) -> None:
        """Put each marker's label where all of it shows (see :func:`_label_anchor`);
        "true K" without its values if they do not fit. The chapter's true kernel sits
        near the bottom of its window: "true K [1, −1]" was cut by the plot's edge on
        every learning slide at 1280×800."""
        vb = self.plot.plotItem.vb
        (x0, x1), (y0, y1) = vb.viewRange()
        W, H = vb.width(), vb.height()
        if W <= 0 or H <= 0 or x1 <= x0 or y1 <= y0:
            return
        for label, (x, y), size, texts in (
            (self.true_label, self._truth, self.true.size, _true_texts(self._truth)),
            (self.start_label, self._start, self.start.size, ("start",)),
        ):
            px, py = (x - x0) / (x1 - x0) * W, (y1 - y) / (y1 - y0) * H
            anchor = None
            for text in texts:
                if label.toPlainText() != text:
                    label.setText(text)
                anchor = _label_anchor(px, py, label.textItem.boundingRect(), W, H, size / 2)
                if anchor is not None:
                    break
            if anchor is None:  # centred beside the marker, away from the middle
                anchor = (1.1, 0.5) if px > W / 2 else (-0.1, 0.5)
            if tuple(label.anchor) != anchor:
                label.setAnchor(anchor)

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

    def trace_ahead(self, Z: np.ndarray, ranges: Ranges) -> bool:
        """Trace a surface a later slide will show (its map and contours, ~9 ms at 4K),
        without showing it; False if it is traced already or is the one shown.

        For a learning slide that follows a learning slide: the view is on screen, so
        nothing can be drawn ahead into it, but its next surface can be made while
        the class looks at this one, and :meth:`set_surface` then finds it.
        """
        key = self._surface_key(Z, ranges)
        kept = self._traced.get(key)
        if kept is not None and np.array_equal(kept[0], Z):
            return False
        self._traced.pop(key, None)
        self._traced[key] = kept = self._trace(Z.copy(), ranges, self._new_image())
        while len(self._traced) > self.TRACED_KEPT:
            del self._traced[next(iter(self._traced))]
        self._paint_ahead(kept[1])
        self._axes_ahead(ranges)
        return True

    def _axes_ahead(self, ranges: Ranges) -> int:
        """The axes' pictures of the window ``ranges`` will be shown in: a square
        window in a plot of one size, aspect-locked, so its view is the shown one's
        moved and scaled with it."""
        cur = self.ranges
        if cur is None or not self.plot.isVisible():
            return 0
        view = []
        for (a, b), (c0, c1), (v0, v1) in zip(
            ranges, cur, self.plot.plotItem.vb.viewRange(), strict=True
        ):
            if c1 <= c0:
                return 0
            k = (b - a) / (c1 - c0)
            mid = (a + b) / 2 + ((v0 + v1) / 2 - (c0 + c1) / 2) * k
            half = (v1 - v0) / 2 * k
            view.append((mid - half, mid + half))
        return self.plot.prime_axes_ahead(view[0], view[1], padding=0.0)

    def _paint_ahead(self, image: pg.ImageItem) -> None:
        """Paint a traced map and its contours once, unseen, into the cached pictures
        the plot keeps of them, as the click that shows them would (~6 ms of the first
        paint of slide 13 at 4K).

        Every surface is a square window of N×N samples shown aspect-locked in a plot of
        one size, so a map lands on the same pixels as the one shown: given that one's
        transform, it is painted at the device transform it will have, and Qt finds its
        picture again once it is in the plot (out of it and back keeps the picture).
        """
        shown = self.image
        vp = self.plot.viewport()
        if image is shown or self.contours is None or not vp.isVisible():
            return
        vb = self.plot.plotItem.vb
        final = image.transform()
        image.setTransform(shown.transform())
        vb.addItem(image, ignoreBounds=True)
        try:
            area = self.plot.mapFromScene(image.sceneBoundingRect()).boundingRect()
            area = area.intersected(vp.rect())
            if not area.isEmpty():
                dpr = vp.devicePixelRatioF()
                target = QImage(area.size() * dpr, QImage.Format.Format_ARGB32_Premultiplied)
                target.setDevicePixelRatio(dpr)
                vp.render(target, QPoint(), QRegion(area))
        finally:
            vb.removeItem(image)
            image.setTransform(final)

    @staticmethod
    def _surface_key(Z: np.ndarray, ranges: Ranges) -> tuple[object, ...]:
        return (Z.shape, hash(Z.tobytes()), ranges)

    def _trace(
        self, Z: np.ndarray, ranges: Ranges, image: pg.ImageItem
    ) -> tuple[np.ndarray, pg.ImageItem, ContourLines]:
        """``image`` showing ``Z`` over ``ranges``, with its contours as a child item."""
        (a, b), (c, d) = ranges
        n2, n1 = Z.shape
        dx, dy = (b - a) / (n1 - 1), (d - c) / (n2 - 1)
        # sqrt spreads the bowl's colours evenly; contour levels are evenly spaced in it.
        R = np.sqrt(np.maximum(Z, 0.0))
        lo, hi = float(R.min()), float(R.max())
        image.setImage(R, levels=(lo, hi if hi > lo else lo + 1))
        image.setRect(QRectF(a - dx / 2, c - dy / 2, b - a + dx, d - c + dy))
        levels = [lo + (hi - lo) * (k / (self.LEVELS + 1)) for k in range(1, self.LEVELS + 1)]
        contours = ContourLines(R, levels)
        self._style_contours(contours)
        contours.setParentItem(image)
        return (Z, image, contours)

    def _draw_surface(self, Z: np.ndarray, ranges: Ranges) -> None:
        self._drawn = (Z.copy(), ranges)  # a copy: the caller's array may change in place
        key = self._surface_key(Z, ranges)
        kept = self._traced.pop(key, None)
        if kept is None or not np.array_equal(kept[0], Z):  # draw and trace it once
            image = self.image if self.contours is None else self._new_image()
            kept = self._trace(self._drawn[0], ranges, image)
        self._traced[key] = kept  # the most recent last
        while len(self._traced) > self.TRACED_KEPT:
            del self._traced[next(iter(self._traced))]
        if kept[1] is not self.image:
            # Out of the plot and back keeps an item's cached picture (hiding did not).
            vb = self.plot.plotItem.vb
            vb.removeItem(self.image)
            vb.addItem(kept[1], ignoreBounds=True)
        _, self.image, self.contours = kept

    def _new_image(self) -> pg.ImageItem:
        image = pg.ImageItem()
        # Drawn once per surface: cached, so a moving path repaints cheaply.
        image.setCacheMode(_CACHED)
        image.setZValue(-1)  # under the path and the markers
        if hasattr(self, "image"):
            self._style_image(image)
        return image

    def _style_image(self, image: pg.ImageItem) -> None:
        t = self.style_.theme
        high = "#f4a560" if t.name == "light" else "#8a4a10"
        cmap = pg.ColorMap([0.0, 1.0], [QColor(t.base), QColor(high)])
        image.setLookupTable(cmap.getLookupTable(nPts=256))

    def _style_contours(self, contours: ContourLines) -> None:
        contours.setPen(pg.mkPen(self.style_.theme.grid_line, width=max(1, self.style_.px(1.2))))

    def set_path(self, P: np.ndarray) -> None:
        """The (w1, w2) points walked so far; the last is the current kernel."""
        P = np.asarray(P, float)
        P = P[np.isfinite(P).all(1)] if len(P) else P
        if len(P) == 0:
            self.path.setData([], [])
            self.dots.setData([], [])
            self.current.hide()
            return
        self.path.setData(P[:, 0], P[:, 1], skipFiniteCheck=True)
        if len(P) <= self.MAX_DOTS:
            self.dots.grow(P[:, 0], P[:, 1])
        elif len(self.dots.data):
            self.dots.setData([], [])
        was = self.current.point()
        self.current.set_point(P[-1, 0], P[-1, 1])
        # Where the marker was and is, whole: Qt's own repaint of a moved marker, as of
        # pyqtgraph's, left a line of its ring's edge behind once the path repainted
        # only its new segment.
        for at in (was, self.current.point()):
            if at is not None:
                self._repaint_around(at)

    def _repaint_around(self, at: tuple[float, float]) -> None:
        vb = self.plot.plotItem.vb
        scene = vb.scene()
        if scene is None:
            return
        c = vb.mapViewToScene(QPointF(*at))
        r = 0.5 * self.current.boundingRect().width() + 4.0
        scene.update(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r))

    def current_point(self) -> tuple[float, float] | None:
        """Where the current-kernel marker is, or None when it is not shown."""
        return self.current.point()

    def path_data(self) -> np.ndarray:
        x, y = self.path.getData()
        if x is None:
            return np.empty((0, 2))
        return np.column_stack([x, y])

    def restyle(self) -> None:
        s, t = self.style_, self.style_.theme
        self.message.setFont(s.font(12))
        self.message.setStyleSheet(f"color: {t.muted};")
        self._style_image(self.image)
        for _, image, contours in self._traced.values():
            if image is not self.image:
                self._style_image(image)
            self._style_contours(contours)
        pen = pg.mkPen(t.accent2, width=s.px(3))
        self.path.setPen(pen)
        self.dots.setSymbol("o")
        self.dots.setSize(s.px(7))
        self.dots.setBrush(pg.mkBrush(t.accent2))
        self.dots.setPen(None)
        self.start.set_look("o", s.px(14), t.base, pg.mkPen(t.text, width=s.px(2)))
        self.current.set_look("o", s.px(16), t.accent2, pg.mkPen(t.text, width=s.px(2)))
        self.true.set_look("star", s.px(26), t.accent, pg.mkPen(t.base, width=1))
        for label in (self.true_label, self.start_label):
            label.setColor(QColor(t.text))
            label.setFont(s.font(12, bold=True))
        self.true_label.setText(_true_texts(self._truth)[0])
        self._place_labels()


def _label_anchor(
    px: float, py: float, text: QRectF, W: float, H: float, radius: float
) -> tuple[float, float] | None:
    """Where a ``text``-sized label of a marker of ``radius`` at (px, py) in a W×H view
    (all in pixels) shows whole, as pyqtgraph's anchor (the point's place on the
    text, 0..1 across and down), or None if nowhere near the marker. Below it, to
    the side away from the middle, is tried first; then beside it; then above."""
    w, h = max(text.width(), 1.0), max(text.height(), 1.0)
    if w > W or h > H:
        return None
    sides = (1.0, -1.0) if px > W / 2 else (-1.0, 1.0)  # 1: the text left of the point
    centred = (px - min(max(px - w / 2, 0.0), W - w)) / w  # under the point, inside
    clear = (radius + 2.0) / h  # (under or over the marker: clear of it)
    tries: list[tuple[float, float]] = [(0.5 + sd * (0.5 + radius / w), -0.1) for sd in sides]
    tries.append((centred, -clear))
    tries += [(0.5 + sd * (0.5 + (radius + 2.0) / w), 0.5) for sd in sides]
    tries += [(0.5 + sd * (0.5 + radius / w), 1.1) for sd in sides]
    tries.append((centred, 1.0 + clear))
    for ax, ay in tries:
        left, top = px - ax * w, py - ay * h
        if left >= -0.5 and top >= -0.5 and left + w <= W + 0.5 and top + h <= H + 0.5:
            return (ax, ay)
    return None


def _true_texts(truth: np.ndarray) -> tuple[str, str]:
    """The true kernel's label, and the shorter one for a plot too small for it."""
    return ("true K [" + ", ".join(display_number(v) for v in truth) + "]", "true K")
