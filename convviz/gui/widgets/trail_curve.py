"""Curves that grow by appended points, painted from a kept picture of their pixels.

A run's loss, weights and descent path gain a point a frame. pyqtgraph strokes a
whole curve at every paint, and a wide antialiased pen over hundreds of segments
is costly: once "Try 0.034" diverged, its path zigzagged across the loss surface
and its weights swung across their plot, and a frame at 4K took ~130 ms of the
GUI thread (the surface's path alone 83 ms). Here a frame strokes only the
segments added since the last one, onto the kept picture, and copies that;
and it asks its view to repaint only where they are: pyqtgraph asks for the
curve's whole bounds, which late in that run were most of each plot (a
552×590 px region of the loss plot a frame at 4K, for a segment of 20).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPen, QTransform
from PySide6.QtWidgets import QWidget

_SOLID = Qt.PenStyle.SolidLine
#: A new segment is repainted a box per this many pixels of its length.
PIECE_PX = 96
#: More boxes than this (many points at once) are repainted as one.
MAX_BOXES = 32
_CONNECTED = ("all", "auto", "finite")


def _clip(
    x0: float, y0: float, x1: float, y1: float, r: QRectF
) -> tuple[float, float, float, float] | None:
    """The part of the segment inside ``r`` (Liang-Barsky), or None."""
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in (
        (-dx, x0 - r.left()),
        (dx, r.right() - x0),
        (-dy, y0 - r.top()),
        (dy, r.bottom() - y0),
    ):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy


class _GrowsInPlace:
    """For an item in a view box whose data grows a frame at a point: its bounds are
    the view box (what it can show: a view box clips its children), so they stay as
    it grows, and a change made in :meth:`_only` repaints only the box given.
    pyqtgraph repaints an item's whole bounds at each change of its data."""

    _narrow: list[QRectF] | None = None

    def _view_box(self) -> pg.ViewBox | None:
        """The view box the item is in; None outside one (pyqtgraph's ``getViewBox``
        then gives the GraphicsView, which has no bounds to take)."""
        vb = self.getViewBox()  # type: ignore[attr-defined]
        return vb if isinstance(vb, pg.ViewBox) else None

    def _bounded_by_view(self) -> bool:
        return True

    def boundingRect(self) -> QRectF:
        vb = self._view_box() if self._bounded_by_view() else None
        if vb is None:
            return super().boundingRect()  # type: ignore[misc]
        return self.mapRectFromItem(vb, vb.boundingRect())  # type: ignore[attr-defined]

    def prepareGeometryChange(self) -> None:
        if self._narrow is None:  # (grown: its bounds, the view box's, stay)
            super().prepareGeometryChange()  # type: ignore[misc]

    def update(self, *args: object) -> None:
        scene = self.scene()  # type: ignore[attr-defined]
        if self._narrow is not None and not args and scene is not None:
            # Through the scene: an item's updates are joined into one rect.
            for box in self._narrow:
                scene.update(self.mapRectToScene(box))  # type: ignore[attr-defined]
        else:
            super().update(*args)  # type: ignore[misc]

    @contextlib.contextmanager
    def _only(self, boxes: list[QRectF] | None) -> Iterator[None]:
        self._narrow = boxes
        try:
            yield
        finally:
            self._narrow = None

    def _boxes(
        self, xs: np.ndarray, ys: np.ndarray, pad: float, *, joined: bool
    ) -> list[QRectF] | None:
        """Boxes around the points (``joined``: the lines between them, a box per
        :data:`PIECE_PX` of each), widened by ``pad`` pixels of the view, in the item's
        coordinates; None if they cannot be known (not shown yet, not finite). A
        diverging run's path crosses the loss surface at each step: one box around
        its new segment was the whole plot."""
        if not len(xs) or not (np.isfinite(xs).all() and np.isfinite(ys).all()):
            return None
        dt = self.deviceTransform_()  # type: ignore[attr-defined]
        if dt is None or not dt.isInvertible():
            return None
        vb = self._view_box()
        if vb is None:  # (not in a view box: its bounds are pyqtgraph's, repainted whole)
            return None
        view = dt.mapRect(self.mapRectFromItem(vb, vb.boundingRect()))  # type: ignore[attr-defined]
        view = view.adjusted(-pad, -pad, pad, pad)  # what is seen of the item, in pixels
        px = dt.m11() * xs + dt.m21() * ys + dt.dx()  # (a view box's transform is affine)
        py = dt.m12() * xs + dt.m22() * ys + dt.dy()
        # In Python floats: a frame adds a segment or two to each curve, and numpy's
        # per-call overhead on arrays that small was most of this function's time.
        pxs, pys = px.tolist(), py.tolist()
        ends: list[tuple[float, float, float, float]] = []
        if joined and len(pxs) > 1:
            for k in range(len(pxs) - 1):
                seen = _clip(pxs[k], pys[k], pxs[k + 1], pys[k + 1], view)
                if seen is None:
                    continue
                x0, y0, x1, y1 = seen
                n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / PIECE_PX))
                qx = [x0 + (x1 - x0) * i / n for i in range(n + 1)]
                qy = [y0 + (y1 - y0) * i / n for i in range(n + 1)]
                ends.extend(zip(qx[:-1], qy[:-1], qx[1:], qy[1:], strict=True))
        else:
            ends = [(x, y, x, y) for x, y in zip(pxs, pys, strict=True) if view.contains(x, y)]
        if len(ends) > MAX_BOXES:  # (a long stretch at once: one box)
            a = np.array(ends)
            ends = [(a[:, ::2].min(), a[:, 1::2].min(), a[:, ::2].max(), a[:, 1::2].max())]
        inv = dt.inverted()[0]
        boxes = []
        for x0, y0, x1, y1 in ends:
            box = QRectF(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
            boxes.append(inv.mapRect(box.adjusted(-pad, -pad, pad, pad).intersected(view)))
        return boxes


class TrailCurve(_GrowsInPlace, pg.PlotCurveItem):
    """A PlotCurveItem whose paint adds to a kept picture what was appended since.

    The picture covers the curve's view box, in the viewport's pixels. While the
    data only grows, a paint strokes onto it the segments added since the last one
    and copies it; a new view transform, box or pen draws it whole again. Data that
    changed before its end (a new run; a long run's history thinned, or downsampled
    anew, at most frames) is painted straight, as pyqtgraph does, and kept again
    once it grows: a picture made for one frame only would add its filling and
    copying to the stroke. On the kept picture the pen joins and ends its lines
    round, so that a segment drawn a frame later meets the one before as one
    stroke's segments meet.

    Curves this cannot keep (fills, shadows, dashes, gaps, exports) paint as
    pyqtgraph paints them.
    """

    _layer_valid = False  # (pyqtgraph's constructor sets the data before __init__ ends)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._layer: QImage | None = None  # kept for reuse when not valid
        self._layer_valid = False
        self._layer_key: tuple[object, ...] | None = None
        self._layer_rect = QRect()
        self._drawn_x = np.empty(0)
        self._drawn_y = np.empty(0)
        #: What the paints did (what tests read): pictures drawn whole, points
        #: stroked onto a kept one, and paints of changed data drawn straight.
        self.full_draws = 0
        self.points_stroked = 0
        self.straight_paints = 0

    def _keepable(self, widget: QWidget | None) -> bool:
        return widget is not None and self._kept_kind()

    def _kept_kind(self) -> bool:
        """A curve of the kind a kept picture can draw (whatever it is painted on)."""
        o = self.opts
        pen = o["pen"]
        return (
            self._exportOpts is False
            and o["fillLevel"] is None
            and o["shadowPen"] is None
            and not o["stepMode"]
            and isinstance(o["connect"], str)
            and o["connect"] in _CONNECTED
            and o["compositionMode"] is None
            and pen is not None
            and pen.style() == _SOLID
            and self._view_box() is not None
        )

    # ------------------------------------------------ what a frame repaints
    def _bounded_by_view(self) -> bool:
        """A curve drawn from a kept picture: the picture covers the view box (the
        view's range and autorange still follow the data: ``dataBounds``)."""
        return self._kept_kind()

    def updateData(self, *args: object, **kwargs: object) -> None:
        with self._only(self._growth(*args, **kwargs)):
            super().updateData(*args, **kwargs)

    def _growth(self, *args: object, **kwargs: object) -> list[QRectF] | None:
        """Where new data differs from what is painted, if it only adds points to it
        and the kept picture will take them: boxes along the new segments (from the
        last point painted), widened by the pen, in the item's coordinates; else
        None (the whole view box is repainted)."""
        x, y = kwargs.get("x"), kwargs.get("y")
        if len(args) == 2:
            x, y = args
        old_x, old_y = self.xData, self.yData
        if (
            not self._layer_valid
            or not isinstance(x, np.ndarray)
            or not isinstance(y, np.ndarray)
            or old_x is None
            or old_y is None
            or x.ndim != 1
            or x.shape != y.shape
            or self._view_box() is None
            or not self._kept_kind()
        ):
            return None
        # Only from a curve painted as it is now, from the kept picture: else the
        # next paint draws it another way (straight, or the picture whole), and a part
        # of the curve repainted that way beside the rest painted the old way differs
        # by a shade of antialiasing (after a reset, with steps between two paints).
        n = len(self._drawn_x)
        if n == 0 or len(x) <= n or len(old_x) != n:
            return None
        if not (
            np.array_equal(x[:n], self._drawn_x)
            and np.array_equal(y[:n], self._drawn_y)
            and np.array_equal(old_x, self._drawn_x)
            and np.array_equal(old_y, self._drawn_y)
        ):
            return None
        # Half the pen, its round ends and antialiasing, with room to spare.
        pad = self.opts["pen"].widthF() + 3.0
        return self._boxes(x[n - 1 :], y[n - 1 :], pad, joined=True)

    def _area(self, p: QPainter, widget: QWidget) -> QRect:
        """The view box in the viewport's pixels (the children of a view box are
        clipped to it), within the viewport."""
        vb = self.getViewBox()
        box = p.worldTransform().mapRect(self.mapRectFromItem(vb, vb.boundingRect()))
        return box.toAlignedRect().intersected(widget.rect())

    def _pen(self) -> QPen:
        pen = QPen(self.opts["pen"])
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        return pen

    def paint(self, p: QPainter, opt: object, widget: QWidget | None) -> None:
        x, y = self.xData, self.yData
        if x is None or len(x) == 0 or not self._keepable(widget):
            self._layer_valid = False
            self._drawn_x = self._drawn_y = np.empty(0)
            super().paint(p, opt, widget)
            return
        assert widget is not None and y is not None
        aa = bool(self.opts["antialias"])
        n = len(self._drawn_x)
        grown = (
            0 < n <= len(x)
            and np.array_equal(x[:n], self._drawn_x)
            and np.array_equal(y[:n], self._drawn_y)
        )
        if not grown:
            self._layer_valid = False
            self._drawn_x, self._drawn_y = x.copy(), y.copy()
            self.straight_paints += 1
            super().paint(p, opt, widget)
            return
        area = self._area(p, widget)
        if area.isEmpty():
            return
        wt = p.worldTransform()
        pen = self.opts["pen"]
        dpr = widget.devicePixelRatioF()
        key = (
            tuple(round(v, 9) for v in (wt.m11(), wt.m12(), wt.m21(), wt.m22(), wt.dx(), wt.dy())),
            area.getRect(),
            dpr,
            pen.color().rgba(),
            pen.widthF(),
            pen.isCosmetic(),
            aa,
        )
        if not self._layer_valid or key != self._layer_key:
            self._new_layer(area, dpr)
            self._layer_key = key
            self._stroke(x, y, wt, aa)
            self.full_draws += 1
        elif len(x) > n:
            # From the last drawn point: the new segments join the old ones.
            self._stroke(x[n - 1 :], y[n - 1 :], wt, aa)
            self.points_stroked += len(x) - n + 1
        if len(x) > n:
            self._drawn_x, self._drawn_y = x.copy(), y.copy()
        assert self._layer is not None
        p.save()
        p.resetTransform()
        p.drawImage(QPointF(self._layer_rect.topLeft()), self._layer)
        p.restore()

    def _new_layer(self, area: QRect, dpr: float) -> None:
        """A clear picture of ``area``: the kept one if it has that size (a new one
        is memory the system must clear first, ~1 ms a plot at 4K)."""
        w, h = round(area.width() * dpr), round(area.height() * dpr)
        layer = self._layer
        if layer is None or layer.width() != w or layer.height() != h:
            layer = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        layer.setDevicePixelRatio(dpr)
        layer.fill(Qt.GlobalColor.transparent)
        self._layer, self._layer_rect, self._layer_valid = layer, area, True

    def _stroke(self, x: np.ndarray, y: np.ndarray, wt: QTransform, aa: bool) -> None:
        assert self._layer is not None
        if len(x) < 2:  # a line through one point draws nothing, as pyqtgraph's
            return
        q = QPainter(self._layer)
        try:
            q.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
            offset = QTransform.fromTranslate(-self._layer_rect.x(), -self._layer_rect.y())
            q.setTransform(wt * offset)
            q.setPen(self._pen())
            q.drawPath(pg.arrayToQPath(x, y, connect="all"))
        finally:
            q.end()


class TrailDataItem(pg.PlotDataItem):
    """A PlotDataItem drawing its line as a :class:`TrailCurve`."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        old: pg.PlotCurveItem = self.curve
        old.sigClicked.disconnect(self.sigClicked)
        old.setParentItem(None)
        self.curve: pg.PlotCurveItem = TrailCurve()
        self.curve.setParentItem(self)
        self.curve.sigClicked.connect(self.sigClicked)
        self.updateItems(styleUpdate=True)


class TrailDots(_GrowsInPlace, pg.ScatterPlotItem):
    """Dots at a path's points. Given points that extend the ones shown, it adds the
    new ones and repaints only where they are: the loss surface's dots of a run's
    first steps, set whole, repainted a 592×604 px region a frame at 4K."""

    def grow(self, x: np.ndarray, y: np.ndarray) -> None:
        """Dots at (x, y), added to the ones shown if these begin with them."""
        x, y = np.asarray(x, float), np.asarray(y, float)
        old = self.data
        n = len(old)
        if 0 < n < len(x) and np.array_equal(old["x"], x[:n]) and np.array_equal(old["y"], y[:n]):
            boxes = self._boxes(x[n:], y[n:], 0.5 * float(self.opts["size"]) + 3.0, joined=False)
            if boxes is not None:
                with self._only(boxes):
                    self.addPoints(x=x[n:], y=y[n:])
                return
        self.setData(x, y)

    def paint(self, p: QPainter, *args: object) -> None:
        # Late in a run it has none, and is still painted at every frame: its bounds are
        # the view box. pyqtgraph's paint maps its empty set (~0.1 ms at 4K).
        if len(self.data):
            super().paint(p, *args)
