"""Curves that grow by appended points, painted from a kept picture of their pixels.

A run's loss, weights and descent path gain a point a frame. pyqtgraph strokes a
whole curve at every paint, and a wide antialiased pen over hundreds of segments
is costly: once "Try 0.034" diverged, its path zigzagged across the loss surface
and its weights swung across their plot, and a frame at 4K took ~130 ms of the
GUI thread (the surface's path alone 83 ms). Here a frame strokes only the
segments added since the last one, onto the kept picture, and copies that.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QImage, QPainter, QPen, QTransform
from PySide6.QtWidgets import QWidget

_SOLID = Qt.PenStyle.SolidLine
_CONNECTED = ("all", "auto", "finite")


class TrailCurve(pg.PlotCurveItem):
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
        o = self.opts
        pen = o["pen"]
        return (
            widget is not None
            and self._exportOpts is False
            and o["fillLevel"] is None
            and o["shadowPen"] is None
            and not o["stepMode"]
            and isinstance(o["connect"], str)
            and o["connect"] in _CONNECTED
            and o["compositionMode"] is None
            and pen is not None
            and pen.style() == _SOLID
            and self.getViewBox() is not None
        )

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
