"""Heat maps for pictures and edge maps of any size, on the shared colour scale.

A :class:`HeatMap` is a caption over a pyqtgraph :class:`~pyqtgraph.ImageItem`
in a locked-aspect :class:`~pyqtgraph.ViewBox` (wheel zooms, drag pans,
double-click fits). The image goes through pyqtgraph's indexed fast path
(float → 8-bit index → the colour table of :func:`convviz.model.colormap.lut`),
which takes under a millisecond for a 1024×1024 map. Numbers are painted
into the cells whenever a cell is large enough on screen to read them: always
for the chapter's small grids, and for a photograph once zoomed in. A map
can carry a big overlay message ("vanishes: all zeros", an error) and
outlines for the sliding window and the chosen cell.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QGraphicsScene,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...model import colormap
from ...model.values import display_number
from ..style import Style, grey_lut, is_picture, theme_lut
from ._util import text_color_for

#: Numbers are drawn only when a cell is at least this many pixels (at 100 % zoom).
MIN_CELL_PX = 14
#: ... and never in more cells than this at once (a full-screen zoom shows far fewer).
MAX_NUMBERS = 5000

_LUT: np.ndarray | None = None


def shared_lut() -> np.ndarray:
    """The diverging scale as a 256-entry table, made once."""
    global _LUT
    if _LUT is None:
        _LUT = colormap.lut(256)
    return _LUT


def lut_index(values: np.ndarray, limit: float) -> np.ndarray:
    """Where each value falls in the 256-entry table for the scale [-limit, limit]."""
    t = np.clip(np.asarray(values, dtype=np.float64) / (limit or 1.0), -1.0, 1.0)
    return np.rint((t + 1.0) * 127.5).astype(np.intp)


# ===================================================================== numbers
class NumbersItem(pg.GraphicsObject):
    """The values printed in their cells, sized to the cells as they are on screen."""

    def __init__(self, view_box: pg.ViewBox, style: Style) -> None:
        super().__init__()
        self._vb = view_box
        self._style = style
        self._values: np.ndarray | None = None
        self._limit = 1.0
        self._font = QFont(style.font(12))
        self.drawn = 0  # cells numbered in the last paint (for tests)
        self.drawn_px = 0  # their type size in pixels (for tests)
        self.lut: np.ndarray = shared_lut()
        self._text_colours = [text_color_for(rgb) for rgb in self.lut]
        self.picture = False  # grey 0..limit instead of the diverging −limit..limit

    def set_lut(self, lut: np.ndarray) -> None:
        """The colour table the cells are drawn with: the digits' colours follow it."""
        if lut is not self.lut:
            self.lut = lut
            self._text_colours = [text_color_for(rgb) for rgb in lut]

    def set_values(self, values: np.ndarray | None, limit: float) -> None:
        shape_changed = (values is None) != (self._values is None) or (
            values is not None and self._values is not None and values.shape != self._values.shape
        )
        if shape_changed:
            self.prepareGeometryChange()
        self._values = values
        self._limit = float(limit) or 1.0
        self.update()

    def boundingRect(self) -> QRectF:
        if self._values is None:
            return QRectF()
        h, w = self._values.shape
        return QRectF(0, 0, w, h)

    def numbers_fit(self, cell_px: float) -> bool:
        return cell_px >= MIN_CELL_PX

    def paint(self, p: QPainter, *args) -> None:
        self.drawn = 0
        self.drawn_px = 0
        v = self._values
        if v is None:
            return
        tr = p.transform()
        cell = min(abs(tr.m11()), abs(tr.m22()))
        if not self.numbers_fit(cell):
            return
        h, w = v.shape
        vr = self._vb.viewRect()
        r0, r1 = max(0, math.floor(vr.top())), min(h, math.ceil(vr.bottom()))
        c0, c1 = max(0, math.floor(vr.left())), min(w, math.ceil(vr.right()))
        if r1 <= r0 or c1 <= c0 or (r1 - r0) * (c1 - c0) > MAX_NUMBERS:
            return
        block = np.asarray(v[r0:r1, c0:c1], dtype=np.float64)
        texts = [[display_number(x, 3) for x in row] for row in block.tolist()]
        longest = max(len(t) for row in texts for t in row)
        px = min(cell * 0.6, cell * 0.92 / (0.62 * max(longest, 1)), self._style.px(60))
        if px < 7:
            return
        if self.picture:
            idx = np.rint(np.clip(block / self._limit, 0, 1) * 255).astype(np.intp)
        else:
            idx = lut_index(block, self._limit)
        colours = self._text_colours
        font = QFont(self._font)
        font.setPixelSize(int(px))
        p.save()
        p.resetTransform()
        p.setFont(font)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        pen = QPen()
        for i, row in enumerate(texts):
            for j, t in enumerate(row):
                rect = tr.mapRect(QRectF(c0 + j, r0 + i, 1, 1))
                pen.setColor(colours[idx[i, j]])
                p.setPen(pen)
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, t)
        p.restore()
        self.drawn = len(texts) * len(texts[0])
        self.drawn_px = QFontInfo(font).pixelSize()


# ==================================================================== heat map
class HeatMap(QWidget):
    """A captioned, zoomable map on the shared colour scale, numbers in big cells."""

    sig_cell_hovered = Signal(int, int)  # row, col; (-1, -1) when the mouse leaves the map
    sig_cell_clicked = Signal(int, int)  # row, col of a left click on a cell

    def __init__(self, style: Style, key: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.style_ = style
        self.key = key
        self._values: np.ndarray | None = None
        self._limit = 1.0
        self._hover: tuple[int, int] = (-1, -1)
        self._followers: list[HeatMap] = []
        #: A picture's panel (X, Xᵀ): grey-scale, 0 black and the largest white, when
        #: it has no negative value; maps keep the diverging scale.
        self.picture_ok = False
        self._reserve: np.ndarray | None = None
        self._caption = ""

        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.view = pg.GraphicsView()
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.view.setMinimumSize(QSize(20, 20))
        self.vb = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False, defaultPadding=0.01)
        self.view.setCentralItem(self.vb)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(shared_lut())
        self.vb.addItem(self.image)
        self.numbers = NumbersItem(self.vb, style)
        self.numbers.setZValue(5)
        self.vb.addItem(self.numbers)
        self._window_items = self._rect_items(2)
        self._mark_items = self._rect_items(2)
        self._hover_item = QGraphicsRectItem()
        self._hover_item.setZValue(8)
        self._hover_item.hide()
        self.vb.addItem(self._hover_item, ignoreBounds=True)

        self.overlay = QLabel(self.view)
        self.overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.overlay.setWordWrap(True)
        self.overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.overlay.hide()

        # A short verdict on a map ("vanishes: all zeros") rides on the caption line,
        # so it never covers the numbers it describes.
        self.badge = QLabel()
        self.badge.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.badge.hide()
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.caption, 1)
        head.addWidget(self.badge)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(style.px(2))
        lay.addLayout(head)
        lay.addWidget(self.view, 1)

        self.vb.sigRangeChangedManually.connect(self._on_range_changed_manually)
        scene = self.view.scene()
        # A handful of items whose bounds change with every new map: no spatial
        # index, so a map is painted at once, not after the index catches up.
        scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)
        self.view.viewport().installEventFilter(self)
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()

    # ------------------------------------------------------------ reading
    def values(self) -> np.ndarray | None:
        return self._values

    def shape(self) -> tuple[int, int] | None:
        return None if self._values is None else tuple(self._values.shape)  # type: ignore[return-value]

    @property
    def limit(self) -> float:
        return self._limit

    def caption_text(self) -> str:
        return self._caption

    def overlay_text(self) -> str:
        """The message on the map: over an empty panel, or beside the caption of a map."""
        if not self.overlay.isHidden():
            return self.overlay.text()
        return self.badge.text() if not self.badge.isHidden() else ""

    def window_rect(self) -> QRectF | None:
        """The outlined window, in cells (x = column, y = row), or None."""
        it = self._window_items[0]
        return it.rect() if it.isVisible() else None

    def marked_cell(self) -> tuple[int, int] | None:
        it = self._mark_items[0]
        if not it.isVisible():
            return None
        r = it.rect()
        return int(r.top()), int(r.left())

    # ------------------------------------------------------------ showing
    def minimumSizeHint(self) -> QSize:
        """Small maps keep readable numbers (proportional to the stage's scale), large
        ones (a photograph) may shrink; a stage fits the view to these."""
        s = self.style_.scale
        cap = self.caption.sizeHint().height() + self.style_.px(2)
        v = self._values if self._values is not None else self._reserve
        if v is not None and max(v.shape) <= 16:
            shp = v.shape
            need = self.style_.min_text_px()
            longest = max((len(display_number(x, 3)) for x in np.ravel(v)), default=1)
            cell = (max(30.0 * s, need / 0.6, need * 0.7 * longest / 0.92) + 1) * 1.04
            return QSize(int(shp[1] * cell) + 4, int(shp[0] * cell) + 4 + cap)
        return QSize(int(90 * s), int(90 * s) + cap)

    def set_values(
        self,
        values: np.ndarray,
        *,
        limit: float,
        caption: str,
        overlay: str = "",
    ) -> None:
        """Show ``values`` on the scale [-limit, limit]; ``overlay`` is a big message on top."""
        old = self.shape()
        self._values = values
        self._limit = float(limit) or 1.0
        self._apply_lut()
        self.image.setImage(values, levels=self._levels(), autoLevels=False)
        self.image.show()
        self.numbers.set_values(values, self._limit)
        self._caption = caption
        # With a verdict beside it the caption drops its shape, so both fit the line.
        self.caption.setText(caption.split(" — ")[0] if overlay else caption)
        self._set_overlay("")
        self.badge.setText(overlay)
        self.badge.setVisible(bool(overlay))
        if old != self.shape():
            self.clear_marks()
            self.fit()
            self.updateGeometry()

    def set_message(self, caption: str, message: str, reserve: np.ndarray | None = None) -> None:
        """No map, only a caption and a big message (an error, or "predict it first").

        ``reserve``: the values the map will show once revealed; the panel keeps
        the room they need, so the reveal changes nothing around it.
        """
        self._reserve = reserve
        self._caption = caption
        if reserve is not None:
            self.updateGeometry()
        self._values = None
        self.image.clear()
        self.image.hide()
        self.numbers.set_values(None, 1.0)
        self.caption.setText(caption)
        self.clear_marks()
        self.badge.hide()
        self._set_overlay(message)

    def set_limit(self, limit: float) -> None:
        limit = float(limit) or 1.0
        if limit != self._limit and self._values is not None:
            self._limit = limit
            self.image.setLevels(self._levels())
            self.numbers.set_values(self._values, limit)

    def is_picture(self) -> bool:
        return self.picture_ok and is_picture(self._values)

    def _levels(self) -> tuple[float, float]:
        if self.is_picture():
            return (0.0, self._limit)
        return (-self._limit, self._limit)

    def _apply_lut(self) -> None:
        pic = self.is_picture()
        lut = grey_lut(256) if pic else theme_lut(self.style_.theme)
        self.numbers.picture = pic
        self.numbers.set_lut(lut)
        self.image.setLookupTable(lut)

    def number_px(self) -> int:
        """The size of the numbers as last drawn (0: none drawn)."""
        return self.numbers.drawn_px if self.numbers.drawn else 0

    def set_window(self, rows: tuple[int, int] | None, cols: tuple[int, int] | None = None) -> None:
        """Outline rows ``rows[0]..rows[1]`` × columns ``cols[0]..cols[1]`` (inclusive)."""
        self._place(self._window_items, rows, cols)

    def set_marked(self, cell: tuple[int, int] | None) -> None:
        """Outline one cell (the one whose arithmetic is shown), or none."""
        if cell is None:
            self._place(self._mark_items, None, None)
        else:
            r, c = cell
            self._place(self._mark_items, (r, r), (c, c))

    def clear_marks(self) -> None:
        self.set_window(None)
        self.set_marked(None)

    def fit(self) -> None:
        """Show the whole map as large as the panel allows."""
        s = self.shape()
        if s is not None:
            self.vb.setRange(QRectF(0, 0, s[1], s[0]), padding=0.01)

    def link(self, other: HeatMap) -> None:
        """Zoom and pan together with ``other``: same spot, same cell size on screen.

        Not pyqtgraph's axis links, which for side-by-side views with locked
        aspect copy one view's range into a panel of another size and cut
        the map off.
        """
        if other is not self and other not in self._followers:
            self._followers.append(other)
            other._followers.append(self)

    def fit_all(self) -> None:
        """Fit this map and every map linked to it."""
        self.fit()
        for f in self._followers:
            f.fit()

    def follow(self, source: HeatMap) -> None:
        """Centre on the spot ``source`` shows, at its scale (units per pixel)."""
        vr = source.vb.viewRect()
        sw = source.vb.width()
        if sw <= 0 or self.vb.width() <= 0:
            return
        upp = vr.width() / sw
        cx, cy = vr.center().x(), vr.center().y()
        hw, hh = upp * self.vb.width() / 2, upp * self.vb.height() / 2
        self.vb.setRange(QRectF(cx - hw, cy - hh, 2 * hw, 2 * hh), padding=0)

    def _on_range_changed_manually(self, *_: object) -> None:
        for f in self._followers:
            f.follow(self)

    # ------------------------------------------------------- for the mouse
    def cell_at_scene(self, pos: QPointF) -> tuple[int, int] | None:
        if self._values is None or not self.vb.sceneBoundingRect().contains(pos):
            return None
        p = self.vb.mapSceneToView(pos)
        r, c = math.floor(p.y()), math.floor(p.x())
        h, w = self._values.shape
        if 0 <= r < h and 0 <= c < w:
            return r, c
        return None

    def viewport_pos(self, r: int, c: int) -> QPoint:
        """Where the centre of cell (r, c) is on the view's viewport (for tests and tours)."""
        scene = self.vb.mapViewToScene(QPointF(c + 0.5, r + 0.5))
        return self.view.mapFromScene(scene)

    def cell_px(self) -> float:
        """The side of one cell on screen, in pixels."""
        a = self.vb.mapViewToScene(QPointF(0, 0))
        b = self.vb.mapViewToScene(QPointF(1, 0))
        return abs(b.x() - a.x())

    def _on_mouse_moved(self, pos: QPointF) -> None:
        cell = self.cell_at_scene(pos)
        self._set_hover(cell if cell is not None else (-1, -1))

    def _on_mouse_clicked(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        if ev.double():
            self.fit_all()
            return
        cell = self.cell_at_scene(ev.scenePos())
        if cell is not None:
            self.sig_cell_clicked.emit(*cell)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == event.Type.Leave:
            self._set_hover((-1, -1))
        return False

    def _set_hover(self, cell: tuple[int, int]) -> None:
        if cell == self._hover:
            return
        self._hover = cell
        if cell[0] < 0:
            self._hover_item.hide()
        else:
            self._hover_item.setRect(QRectF(cell[1], cell[0], 1, 1))
            self._hover_item.show()
        self.sig_cell_hovered.emit(*cell)

    # ----------------------------------------------------------- internals
    def _rect_items(self, n: int) -> list[QGraphicsRectItem]:
        items = []
        for k in range(n):
            it = QGraphicsRectItem()
            it.setZValue(10 + k)
            it.hide()
            self.vb.addItem(it, ignoreBounds=True)
            items.append(it)
        return items

    def _place(self, items, rows, cols) -> None:
        if rows is None or cols is None:
            for it in items:
                it.hide()
            return
        rect = QRectF(cols[0], rows[0], cols[1] - cols[0] + 1, rows[1] - rows[0] + 1)
        for it in items:
            it.setRect(rect)
            it.show()

    def _set_overlay(self, text: str) -> None:
        self.overlay.setText(text)
        self.overlay.setVisible(bool(text))
        self._place_overlay()

    def _place_overlay(self) -> None:
        """Centre the message on the map; a short one shrinks to stay on one line."""
        if self.overlay.isHidden():
            return
        vw, vh = self.view.width(), self.view.height()
        room = max(40, int(vw * 0.94))
        base = self.style_.font(24, bold=True)
        font = QFont(base)
        fm = QFontMetrics(font)
        pad = 2 * self.style_.px(10)
        text = self.overlay.text()
        if "\n" not in text and len(text) <= 40:
            size = base.pointSizeF()
            while fm.horizontalAdvance(text) + pad > room and size > base.pointSizeF() * 0.5:
                size *= 0.92
                font.setPointSizeF(size)
                fm = QFontMetrics(font)
        self.overlay.setFont(font)
        natural = max(fm.horizontalAdvance(line) for line in text.split("\n")) + pad
        w = max(40, min(room, natural))
        self.overlay.setFixedWidth(w)
        h = max(self.overlay.heightForWidth(w), self.overlay.minimumSizeHint().height())
        self.overlay.setFixedHeight(min(vh, h))
        self.overlay.move((vw - w) // 2, max(0, (vh - self.overlay.height()) // 2))
        self.overlay.raise_()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_overlay()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._place_overlay()

    def _on_style_changed(self) -> None:
        s = self.style_
        t = s.theme
        self.caption.setFont(s.font(16, bold=True))
        self.caption.setStyleSheet(f"color: {t.text};")
        self.badge.setFont(s.font(16, bold=True))
        self.badge.setStyleSheet(f"color: {t.answer};")
        # Around the map: the theme's "blank", so a picture's white (or a dark theme's
        # zero) cells stand out from the page.
        self.view.setBackground(QColor(t.blank))
        self._apply_lut()
        if self._values is not None:
            self.image.setLevels(self._levels())
        self.overlay.setFont(s.font(24, bold=True))
        bg = QColor(t.window)
        self.overlay.setStyleSheet(
            f"color: {t.text}; background-color: rgba({bg.red()},{bg.green()},{bg.blue()},215);"
            f" border: {s.px(2)}px solid {t.text}; border-radius: {s.px(6)}px;"
            f" padding: {s.px(6)}px;"
        )
        accent, halo = QColor(t.accent), QColor(t.window)
        for items, width in ((self._window_items, 4), (self._mark_items, 3)):
            outer = QPen(halo, s.px(width + 3))
            outer.setCosmetic(True)
            outer.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            inner = QPen(accent, s.px(width))
            inner.setCosmetic(True)
            inner.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            items[0].setPen(outer)
            items[1].setPen(inner)
            items[1].setZValue(items[0].zValue() + 0.5)
        hover = QPen(QColor(t.accent2), s.px(2))
        hover.setCosmetic(True)
        self._hover_item.setPen(hover)
        self.numbers.update()
        self._place_overlay()
