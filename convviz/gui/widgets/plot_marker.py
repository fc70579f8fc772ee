"""One point of a plot drawn as a marker: the start, the true and the current kernel.

pyqtgraph's ScatterPlotItem draws any number of points and works out, in Python,
where each one lands at every paint (~0.25 ms a paint at 4K). The learning view's
markers are one point each, and the current kernel's moves at every frame of a
run, so its paint and its bounds were a tenth of a frame. A :class:`Marker` is that
one point: its picture is rendered once per look (pyqtgraph's own symbols, so it
looks as a ScatterPlotItem's did), it is placed in data coordinates and drawn in
pixels, and Qt repaints its old and new places exactly when it moves.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import renderSymbol
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget


class Marker(QGraphicsItem):
    """A symbol of a fixed size in pixels at one point of a view box's data."""

    def __init__(self) -> None:
        super().__init__()
        # Placed by its position in the parent's (data) coordinates, drawn in pixels.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.symbol = "o"
        self.size = 10.0
        self.pen = QPen(pg.mkPen(None))
        self.brush = QBrush(pg.mkBrush(None))
        self._pictures: dict[float, QImage] = {}  # by device pixel ratio
        self._rect = QRectF()
        self._measure()

    def set_look(self, symbol: str, size: float, brush: object, pen: object) -> None:
        """The symbol (a pyqtgraph symbol name), its size in pixels, fill and outline."""
        pen_, brush_ = QPen(pg.mkPen(pen)), QBrush(pg.mkBrush(brush))
        if (symbol, float(size), pen_, brush_) == (self.symbol, self.size, self.pen, self.brush):
            return
        self.prepareGeometryChange()
        self.symbol, self.size, self.pen, self.brush = symbol, float(size), pen_, brush_
        self._pictures.clear()
        self._measure()
        self.update()

    def set_point(self, x: float | None, y: float | None = None) -> None:
        """Show the marker at (x, y) of the data; None hides it."""
        if x is None or y is None:
            self.hide()
            return
        self.setPos(float(x), float(y))
        self.show()

    def point(self) -> tuple[float, float] | None:
        """Where the marker is, or None when it is hidden."""
        if not self.isVisible():
            return None
        return (self.pos().x(), self.pos().y())

    def _measure(self) -> None:
        # As pyqtgraph renders it: the symbol's size plus its pen, and a pixel of
        # antialiasing on each side.
        half = 0.5 * (self.size + max(math.ceil(self.pen.widthF()), 1)) + 1.0
        self._rect = QRectF(-half, -half, 2 * half, 2 * half)

    def boundingRect(self) -> QRectF:
        return self._rect

    def _picture(self, dpr: float) -> QImage:
        picture = self._pictures.get(dpr)
        if picture is None:
            picture = renderSymbol(self.symbol, self.size, self.pen, self.brush, dpr=dpr)
            self._pictures[dpr] = picture
        return picture

    def paint(
        self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        dpr = widget.devicePixelRatioF() if widget is not None else 1.0
        picture = self._picture(dpr)
        w, h = picture.width() / dpr, picture.height() / dpr
        p.drawImage(QPointF(-0.5 * w, -0.5 * h), picture)
