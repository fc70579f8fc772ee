"""Heat maps for pictures and edge maps of any size, on the shared colour scale.

A :class:`HeatMap` is a caption over a :class:`MapCanvas`, a plain QWidget
that paints the map itself: wheel zooms, drag pans, double-click fits, and
the aspect is locked (square cells). It used to be a pyqtgraph
GraphicsView/ViewBox/ImageItem; for a handful of maps that cost a graphics
scene per map, queued layout calls (a second paint on every slide change)
and a smooth-scaled image draw at 4K, ~18 ms a change for the six maps of
"All four at once". The canvas instead keeps one rendered layer (the map's
colours and its numbers, at the size it is shown) and paints that with the
outlines on top; the layer is made again only when the map, its scale, its
view or the theme changes.

Values go through the 256-entry colour table of
:func:`convviz.model.colormap.lut` (pyqtgraph's indexing: ``floor((v - lo) ·
256 / (hi - lo))``, clipped). Numbers are painted into the cells whenever a
cell is large enough on screen to read them: always for the chapter's small
grids, and for a photograph once zoomed in; big digits come from
:mod:`.text_sprites`. A map can carry a big overlay message (an error,
"predict it first"), a short verdict beside its caption ("all zeros") and
outlines for the sliding window and the chosen cell.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QRegion,
    QWheelEvent,
    qRgb,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...model import colormap
from ...model.values import display_number
from ..style import Style, grey_lut, is_picture, theme_lut
from ._util import restyle, text_color_for
from .fit_label import fitting_font
from .text_sprites import draw_text

#: Numbers are drawn only when a cell is at least this many pixels (at 100 % zoom).
MIN_CELL_PX = 14
#: ... and never in more cells than this at once (a full-screen zoom shows far fewer).
MAX_NUMBERS = 5000
#: Room around a fitted map, as a share of its size on each side (pyqtgraph's 0.01).
FIT_PADDING = 0.01
#: A press that moves further than this (pixels) pans; a shorter one is a click.
DRAG_PX = 4

#: Rendered map layers kept, all maps together, in pixels (~96 MB of RGB32): a slide
#: shown again (the lecturer goes back, a map comes back unchanged) is a copy. The
#: lesson's four edge-map slides take ~19 M at 4K; a smaller budget, cycled through
#: in order, would evict each layer just before it is needed again.
MAX_LAYER_PIXELS = 24_000_000

_LUT: np.ndarray | None = None
_GREY: np.ndarray | None = None
#: (map's content, scale, view, size, theme, type) -> (layer, numbers drawn, their px)
_layers: OrderedDict[tuple, tuple[QImage, int, int]] = OrderedDict()
_layer_pixels = 0


def clear_layers() -> None:
    """Forget every rendered map layer (tests)."""
    global _layer_pixels
    _layers.clear()
    _layer_pixels = 0


def _keep_layer(key: tuple, entry: tuple[QImage, int, int]) -> None:
    global _layer_pixels
    _layers[key] = entry
    _layer_pixels += entry[0].width() * entry[0].height()
    while _layer_pixels > MAX_LAYER_PIXELS and len(_layers) > 1:
        _, (old, _d, _p) = _layers.popitem(last=False)
        _layer_pixels -= old.width() * old.height()


#: Maps up to this many cells (512²) are keyed on their bytes, so a map shown again
#: finds its layer: the lesson's 256² house picture was keyed afresh on every visit and
#: its six layers drawn again, 20-27 ms of the slide change at 4K, where hashing them
#: takes ~1 ms (SHA-256, which this CPU computes in hardware: 0.34 ms for 512 KB against
#: blake2b's 0.68). A larger map (a photograph's) gets a key of its own: its hash, 3 ms
#: a float32 megapixel, would be paid on every edit of the kernel.
MAX_DIGEST_CELLS = 512 * 512
_tokens = itertools.count()


def digest(values: np.ndarray) -> tuple:
    """What a map's picture depends on in its values: shape, type and every byte (a
    fresh token for a large map: see :data:`MAX_DIGEST_CELLS`)."""
    if values.size > MAX_DIGEST_CELLS:
        return (values.shape, values.dtype.str, next(_tokens))
    v = np.ascontiguousarray(values)  # a transposed map is a view: bytes in row order
    h = hashlib.sha256(v.tobytes()).digest()  # (a copy: 0.02 ms at 256²)
    return (v.shape, v.dtype.str, h)


def shared_lut() -> np.ndarray:
    """The diverging scale as a 256-entry table, made once."""
    global _LUT
    if _LUT is None:
        _LUT = colormap.lut(256)
    return _LUT


def _grey() -> np.ndarray:
    global _GREY
    if _GREY is None:
        _GREY = grey_lut(256)
    return _GREY


def lut_index(values: np.ndarray, limit: float) -> np.ndarray:
    """Where each value falls in the 256-entry table for the scale [-limit, limit]."""
    t = np.clip(np.asarray(values, dtype=np.float64) / (limit or 1.0), -1.0, 1.0)
    return np.rint((t + 1.0) * 127.5).astype(np.intp)


def colour_table(lut: np.ndarray) -> list[int]:
    """The 256-entry table as QImage colours (opaque RGB)."""
    return [qRgb(int(r), int(g), int(b)) for r, g, b in np.asarray(lut)[:, :3]]


def colour_image(values: np.ndarray, levels: tuple[float, float], table: list[int]) -> QImage:
    """The map as a w×h RGB32 image coloured by ``table``, one pixel a cell.

    Indexed in place on one float32 buffer (a 1024² map in ~2 ms, six times
    faster than clip-then-gather); NaN goes to the table's first entry. Returned
    as RGB32, not the 8-bit indexed image: drawn scaled onto a 4K map layer, an
    indexed one took 1.4-2.4 ms (a 6×8 map as much as a 1024² one), RGB32
    0.3 ms; converting costs 0.02 ms (6×8) to 0.45 ms (1024²), once per map.
    """
    lo, hi = levels
    buf = np.subtract(values, np.float32(lo), dtype=np.float32)
    buf *= np.float32(256.0 / ((hi - lo) or 1.0))
    np.fmax(buf, 0, out=buf)  # fmax/fmin, not clip: they turn NaN into the bound
    np.fmin(buf, 255, out=buf)
    idx = np.ascontiguousarray(buf.astype(np.uint8))
    h, w = idx.shape
    img = QImage(idx.data, w, h, w, QImage.Format.Format_Indexed8)
    img.setColorTable(table)
    # a new image that owns its pixels (the numpy buffer may go)
    return img.convertToFormat(QImage.Format.Format_RGB32)


# ===================================================================== canvas
class MapCanvas(QWidget):
    """Where a :class:`HeatMap` paints its map: a plain widget, custom-painted."""

    def __init__(self, owner: HeatMap) -> None:
        super().__init__(owner)
        self._owner = owner
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._press: QPointF | None = None
        self._dragging = False

    def viewport(self) -> QWidget:
        """The widget the mouse and the paint events go to (itself; as a QGraphicsView's)."""
        return self

    def paintEvent(self, event: QPaintEvent) -> None:
        self._owner._paint(self, event)

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self._press = ev.position()
            self._dragging = False
        ev.accept()

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        pos = ev.position()
        if self._press is not None and ev.buttons() & Qt.MouseButton.LeftButton:
            d = pos - self._press
            if self._dragging or abs(d.x()) + abs(d.y()) > DRAG_PX:
                self._dragging = True
                self._press = pos
                self._owner._pan(d.x(), d.y())
        self._owner._on_mouse_moved(pos)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        if ev.button() == Qt.MouseButton.LeftButton and self._press is not None:
            if not self._dragging:
                self._owner._on_clicked(ev.position())
            self._press = None
            self._dragging = False

    def mouseDoubleClickEvent(self, ev: QMouseEvent) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self._owner.fit_all()

    def wheelEvent(self, ev: QWheelEvent) -> None:
        delta = ev.angleDelta().y()
        if delta:
            self._owner._zoom(1.02 ** (-delta / 8), ev.position())
        ev.accept()

    def leaveEvent(self, event) -> None:
        self._owner._set_hover((-1, -1))
        super().leaveEvent(event)


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
        self._picture = False
        self._lut: np.ndarray = shared_lut()
        self._text_colours: list[QColor] = [text_color_for(rgb) for rgb in self._lut]
        self._table: list[int] = colour_table(self._lut)
        self._reserve: np.ndarray | None = None
        self._longest: tuple[np.ndarray | None, int] = (None, 1)
        self._caption = ""
        self._range: QRectF | None = None  # the cells asked to be in view (aspect locked)
        self._window: QRectF | None = None  # outlined window, in cells
        self._mark: QRectF | None = None  # outlined cell
        self._qimage: QImage | None = None  # one pixel a cell, made when the map changes
        self._qimage_key: tuple | None = None
        self._layer: QImage | None = None  # the map and its numbers as last painted
        self._layer_key: tuple | None = None
        self._digest: tuple = ()
        self._lut_name = ""
        self._number_font = QFont(style.font(12))
        self._pens: tuple = ()
        self._bg = QColor("white")
        self._overlay_sheet = ""
        self.drawn = 0  # cells numbered in the last paint (for tests)
        self.drawn_px = 0  # their type size in pixels (for tests)
        self.paint_count = 0  # paints of the map (tests: one a change)

        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._caption_font = QFont()  # the caption's type size when it fits (see _fit_caption)
        self._line = ""  # the caption line in full; _fit_caption shows it, or its short form
        self.view = MapCanvas(self)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.view.setMinimumSize(QSize(20, 20))

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

    def levels(self) -> tuple[float, float]:
        """The values at the two ends of the colour table: (0, limit) for a picture."""
        return self._levels()

    def caption_text(self) -> str:
        return self._caption

    def overlay_text(self) -> str:
        """The message on the map: over an empty panel, or beside the caption of a map."""
        if not self.overlay.isHidden():
            return self.overlay.text()
        return self.badge.text() if not self.badge.isHidden() else ""

    def window_rect(self) -> QRectF | None:
        """The outlined window, in cells (x = column, y = row), or None."""
        return QRectF(self._window) if self._window is not None else None

    def marked_cell(self) -> tuple[int, int] | None:
        r = self._mark
        return None if r is None else (int(r.top()), int(r.left()))

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
            longest = self._longest_text(v)
            cell = (max(30.0 * s, need / 0.6, need * 0.7 * longest / 0.92) + 1) * 1.04
            return QSize(int(shp[1] * cell) + 4, int(shp[0] * cell) + 4 + cap)
        return QSize(int(90 * s), int(90 * s) + cap)

    def _longest_text(self, v: np.ndarray) -> int:
        """The most characters a number of ``v`` prints with (kept while ``v`` is shown:
        the stage asks for the minimum size many times a slide change)."""
        if self._longest[0] is not v:
            self._longest = (v, max((len(display_number(x, 3)) for x in np.ravel(v)), default=1))
        return self._longest[1]

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
        prev = self._values
        if (
            prev is not None
            and values.shape == prev.shape
            and values.dtype == prev.dtype
            and np.array_equal(values, prev)
        ):
            values = prev  # the same map again: its painted layer still holds
        else:
            self._qimage = None
            self._digest = digest(values)
        self._values = values
        self._limit = float(limit) or 1.0
        self._apply_lut()
        self._caption = caption
        # With a verdict beside it the caption drops its shape, so both fit the line.
        self._line = caption.split(" — ")[0] if overlay else caption
        self._set_overlay("")
        if self.badge.text() != overlay:
            self.badge.setText(overlay)
        self.badge.setVisible(bool(overlay))
        self._fit_caption()
        if old != self.shape():
            self.clear_marks()
            self.fit()
            self.updateGeometry()
        self.view.update()

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
        self._qimage = None
        self._line = caption
        self._fit_caption()
        self.clear_marks()
        self.badge.hide()
        self._set_overlay(message)
        self.view.update()

    def set_limit(self, limit: float) -> None:
        limit = float(limit) or 1.0
        if limit != self._limit and self._values is not None:
            self._limit = limit
            self._qimage = None
            self.view.update()

    def is_picture(self) -> bool:
        return self.picture_ok and is_picture(self._values)

    def _levels(self) -> tuple[float, float]:
        if self._picture:
            return (0.0, self._limit)
        return (-self._limit, self._limit)

    def _apply_lut(self) -> None:
        pic = self.is_picture()
        lut = _grey() if pic else theme_lut(self.style_.theme)
        self._picture = pic
        self._lut_name = "grey" if pic else self.style_.theme.name
        if lut is not self._lut:
            self._lut = lut
            self._text_colours = [text_color_for(rgb) for rgb in lut]
            self._table = colour_table(lut)
            self._qimage = None

    def number_px(self) -> int:
        """The size of the numbers as last drawn (0: none drawn)."""
        return self.drawn_px if self.drawn else 0

    def set_window(self, rows: tuple[int, int] | None, cols: tuple[int, int] | None = None) -> None:
        """Outline rows ``rows[0]..rows[1]`` × columns ``cols[0]..cols[1]`` (inclusive)."""
        rect = self._cells(rows, cols)
        if rect != self._window:
            self._window = rect
            self.view.update()

    def set_marked(self, cell: tuple[int, int] | None) -> None:
        """Outline one cell (the one whose arithmetic is shown), or none."""
        rect = None if cell is None else self._cells((cell[0],) * 2, (cell[1],) * 2)
        if rect != self._mark:
            self._mark = rect
            self.view.update()

    def clear_marks(self) -> None:
        self.set_window(None)
        self.set_marked(None)

    @staticmethod
    def _cells(rows, cols) -> QRectF | None:
        if rows is None or cols is None:
            return None
        return QRectF(cols[0], rows[0], cols[1] - cols[0] + 1, rows[1] - rows[0] + 1)

    # ------------------------------------------------------------ the view
    def fit(self) -> None:
        """Show the whole map as large as the panel allows."""
        s = self.shape()
        if s is not None:
            self.set_range(QRectF(0, 0, s[1], s[0]), padding=FIT_PADDING)

    def set_range(self, rect: QRectF, padding: float = 0.0) -> None:
        """Show the cells of ``rect`` (x = column, y = row) as large as they fit,
        centred, cells square; ``padding`` widens it by that share on each side."""
        r = QRectF(rect)
        if padding:
            dx, dy = r.width() * padding, r.height() * padding
            r.adjust(-dx, -dy, dx, dy)
        if r.width() <= 0 or r.height() <= 0:
            return
        if r != self._range:
            self._range = r
            self.view.update()

    def _geometry(self) -> tuple[float, float, float]:
        """The view as (x0, y0, pixels per cell): cell (x0, y0) at the widget's corner."""
        w, h = self.view.width(), self.view.height()
        r = self._range
        if r is None or w <= 0 or h <= 0:
            return 0.0, 0.0, 1.0
        ppc = min(w / r.width(), h / r.height())
        c = r.center()
        return c.x() - w / (2 * ppc), c.y() - h / (2 * ppc), ppc

    def view_rect(self) -> QRectF:
        """The cells in view, corner to corner (wider or taller than asked: aspect locked)."""
        x0, y0, ppc = self._geometry()
        return QRectF(x0, y0, self.view.width() / ppc, self.view.height() / ppc)

    def link(self, other: HeatMap) -> None:
        """Zoom and pan together with ``other``: same spot, same cell size on screen."""
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
        vr = source.view_rect()
        sw = source.view.width()
        if sw <= 0 or self.view.width() <= 0:
            return
        upp = vr.width() / sw
        cx, cy = vr.center().x(), vr.center().y()
        hw, hh = upp * self.view.width() / 2, upp * self.view.height() / 2
        self.set_range(QRectF(cx - hw, cy - hh, 2 * hw, 2 * hh))

    def _moved_by_hand(self) -> None:
        for f in self._followers:
            f.follow(self)

    def _pan(self, dx: float, dy: float) -> None:
        vr = self.view_rect()
        _x0, _y0, ppc = self._geometry()
        self.set_range(vr.translated(-dx / ppc, -dy / ppc))
        self._moved_by_hand()

    def _zoom(self, factor: float, at: QPointF) -> None:
        """Scale the view by ``factor`` (< 1 zooms in) about the point ``at`` (pixels)."""
        x0, y0, ppc = self._geometry()
        px, py = x0 + at.x() / ppc, y0 + at.y() / ppc
        vr = self.view_rect()
        self.set_range(
            QRectF(
                px + (vr.left() - px) * factor,
                py + (vr.top() - py) * factor,
                vr.width() * factor,
                vr.height() * factor,
            )
        )
        self._moved_by_hand()

    # ------------------------------------------------------- for the mouse
    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        """The cell under ``pos`` (the canvas's pixels), or None."""
        if self._values is None or not QRectF(self.view.rect()).contains(pos):
            return None
        x0, y0, ppc = self._geometry()
        r, c = math.floor(y0 + pos.y() / ppc), math.floor(x0 + pos.x() / ppc)
        h, w = self._values.shape
        if 0 <= r < h and 0 <= c < w:
            return r, c
        return None

    def viewport_pos(self, r: int, c: int) -> QPoint:
        """Where the centre of cell (r, c) is on the canvas (for tests and tours)."""
        x0, y0, ppc = self._geometry()
        return QPoint(int((c + 0.5 - x0) * ppc), int((r + 0.5 - y0) * ppc))

    def cell_px(self) -> float:
        """The side of one cell on screen, in pixels."""
        return self._geometry()[2]

    def _on_mouse_moved(self, pos: QPointF) -> None:
        cell = self.cell_at(pos)
        self._set_hover(cell if cell is not None else (-1, -1))

    def _on_clicked(self, pos: QPointF) -> None:
        cell = self.cell_at(pos)
        if cell is not None:
            self.sig_cell_clicked.emit(*cell)

    def _set_hover(self, cell: tuple[int, int]) -> None:
        if cell == self._hover:
            return
        self._hover = cell
        self.view.update()
        self.sig_cell_hovered.emit(*cell)

    # ------------------------------------------------------------ painting
    def _paint(self, canvas: QWidget, event: QPaintEvent) -> None:
        self.paint_count += 1
        p = QPainter(canvas)
        x0, y0, ppc = self._geometry()
        v = self._values
        if v is None:
            p.fillRect(canvas.rect(), self._bg)
            self.drawn = self.drawn_px = 0
        else:
            p.drawImage(0, 0, self._map_layer(canvas, x0, y0, ppc))
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)  # as pyqtgraph's were
            pens_w, pens_m, hover_pen = self._pens
            if self._hover[0] >= 0:
                r, c = self._hover
                p.setPen(hover_pen)
                p.drawRect(self._to_px(QRectF(c, r, 1, 1), x0, y0, ppc))
            for rect, pens in ((self._window, pens_w), (self._mark, pens_m)):
                if rect is not None:
                    box = self._to_px(rect, x0, y0, ppc)
                    for pen in pens:
                        p.setPen(pen)
                        p.drawRect(box)
        p.end()

    @staticmethod
    def _to_px(rect: QRectF, x0: float, y0: float, ppc: float) -> QRectF:
        return QRectF(
            (rect.left() - x0) * ppc,
            (rect.top() - y0) * ppc,
            rect.width() * ppc,
            rect.height() * ppc,
        )

    def _map_layer(self, canvas: QWidget, x0: float, y0: float, ppc: float) -> QImage:
        """The background, the map and its numbers at the canvas's size: made again only
        when one of them changed (a repaint for an outline or the hover is a copy)."""
        dpr = canvas.devicePixelRatioF()
        key = (
            self._digest,
            self._limit,
            self._lut_name,
            round(x0, 6),
            round(y0, 6),
            round(ppc, 6),
            canvas.width(),
            canvas.height(),
            dpr,
            self._bg.rgba(),
            self._number_font.key(),
            self.style_.px(60),  # the numbers' largest size
        )
        if self._layer is not None and key == self._layer_key:
            return self._layer
        hit = _layers.get(key)
        if hit is not None:  # this map was painted so before (a slide shown again)
            _layers.move_to_end(key)
            self._layer, self.drawn, self.drawn_px = hit
            self._layer_key = key
            return self._layer
        v = self._values
        assert v is not None
        qkey = (self._levels(), self._lut_name)
        if self._qimage is None or self._qimage_key != qkey:
            self._qimage = colour_image(v, self._levels(), self._table)
            self._qimage_key = qkey
        w, h = canvas.width(), canvas.height()
        img = QImage(max(1, int(w * dpr)), max(1, int(h * dpr)), QImage.Format.Format_RGB32)
        img.setDevicePixelRatio(dpr)
        p = QPainter(img)
        rows, cols = v.shape
        target = self._to_px(QRectF(0, 0, cols, rows), x0, y0, ppc)
        # The background only around the map (the map covers the rest): a 4K layer
        # is over a megapixel.
        inner = QRect(
            math.ceil(target.left()),
            math.ceil(target.top()),
            max(0, math.floor(target.right()) - math.ceil(target.left())),
            max(0, math.floor(target.bottom()) - math.ceil(target.top())),
        )
        p.setClipRegion(QRegion(0, 0, w, h) - QRegion(inner))
        p.fillRect(0, 0, w, h, self._bg)
        p.setClipping(False)
        p.drawImage(target, self._qimage)  # nearest neighbour: cells stay sharp squares
        self._paint_numbers(p, x0, y0, ppc)
        p.end()
        self._layer, self._layer_key = img, key
        _keep_layer(key, (img, self.drawn, self.drawn_px))
        return img

    def _paint_numbers(self, p: QPainter, x0: float, y0: float, ppc: float) -> None:
        """The values printed in their cells, sized to the cells as they are on screen."""
        self.drawn = 0
        self.drawn_px = 0
        v = self._values
        assert v is not None
        if ppc < MIN_CELL_PX:
            return
        h, w = v.shape
        vw, vh = self.view.width() / ppc, self.view.height() / ppc
        r0, r1 = max(0, math.floor(y0)), min(h, math.ceil(y0 + vh))
        c0, c1 = max(0, math.floor(x0)), min(w, math.ceil(x0 + vw))
        if r1 <= r0 or c1 <= c0 or (r1 - r0) * (c1 - c0) > MAX_NUMBERS:
            return
        block = np.asarray(v[r0:r1, c0:c1], dtype=np.float64)
        texts = [[display_number(x, 3) for x in row] for row in block.tolist()]
        longest = max(len(t) for row in texts for t in row)
        px = min(ppc * 0.6, ppc * 0.92 / (0.62 * max(longest, 1)), self.style_.px(60))
        if px < 7:
            return
        if self._picture:
            idx = np.rint(np.clip(block / self._limit, 0, 1) * 255).astype(np.intp)
        else:
            idx = lut_index(block, self._limit)
        colours = self._text_colours
        font = QFont(self._number_font)
        font.setPixelSize(int(px))
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for i, row in enumerate(texts):
            top = (r0 + i - y0) * ppc
            for j, t in enumerate(row):
                rect = QRectF((c0 + j - x0) * ppc, top, ppc, ppc)
                draw_text(p, rect, t, font, colours[idx[i, j]])
        self.drawn = len(texts) * len(texts[0])
        self.drawn_px = QFontInfo(font).pixelSize()

    # ----------------------------------------------------------- internals
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
        self.overlay.setMinimumHeight(0)  # measured free of the height fixed last time
        self.overlay.setMaximumHeight(16_777_215)
        h = max(self.overlay.heightForWidth(w), self.overlay.minimumSizeHint().height())
        self.overlay.setFixedHeight(min(vh, h))
        self.overlay.move((vw - w) // 2, max(0, (vh - self.overlay.height()) // 2))
        self.overlay.raise_()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_caption()
        self._place_overlay()

    def _fit_caption(self) -> None:
        """Set the caption in smaller type when it is wider than its map's column.

        At 4K, zoom 150, "corr2d(Xᵀ, K)" had 452 px for 576 px of text and showed as
        "orr2d(Xᵀ, K": the column is as wide as its map, and the caption must not widen
        it (the stage would shrink every map for one line). Its line keeps the height
        of the full-size type (see _on_style_changed).
        """
        base = self._caption_font
        room = self.contentsRect().width() - 2
        if self.badge.isVisibleTo(self):
            room -= self.badge.sizeHint().width() + self.style_.px(8)  # and the spacing
        # Even 0.6x type too wide (a photograph's "corr2d(Xᵀ, Kᵀ) — 255×256" at zoom
        # 200 on 1280×800: 303 px of text for 241): the line drops its shape, as it
        # does beside a verdict, rather than lose its ends.
        full = self._line
        short = full.split(" — ")[0]
        for text in (full, short) if short != full else (full,):
            font, fits = fitting_font(base, text, room)
            if fits:
                break
        if self.caption.text() != text:
            self.caption.setText(text)
        restyle(self.caption, font)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._place_overlay()

    def _on_style_changed(self) -> None:
        s = self.style_
        t = s.theme
        self._caption_font = s.font(16, bold=True)
        restyle(self.caption, None, f"color: {t.text};")
        # One height for the caption line whatever its type size: a smaller caption
        # moves nothing, and setting it asks for no new layout after the first paint.
        self.caption.setFixedHeight(QFontMetrics(self._caption_font).height())
        self._fit_caption()
        restyle(self.badge, s.font(16, bold=True), f"color: {t.answer};")
        # Around the map: the theme's "blank", so a picture's white (or a dark theme's
        # zero) cells stand out from the page.
        self._bg = QColor(t.blank)
        self._number_font = QFont(s.font(12))
        self._apply_lut()
        bg = QColor(t.window)
        self._overlay_sheet = (
            f"color: {t.text}; background-color: rgba({bg.red()},{bg.green()},{bg.blue()},215);"
            f" border: {s.px(2)}px solid {t.text}; border-radius: {s.px(6)}px;"
            f" padding: {s.px(6)}px;"
        )
        # The overlay's font and sheet are set at every restyle, as they always were:
        # its size hints carry state from earlier styles (a box of another height
        # otherwise), and it is one label a map.
        self.overlay.setFont(s.font(24, bold=True))
        self.overlay.setStyleSheet(self._overlay_sheet)
        accent, halo = QColor(t.accent), QColor(t.window)
        pens = []
        for width in (4, 3):
            outer = QPen(halo, s.px(width + 3))
            outer.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            inner = QPen(accent, s.px(width))
            inner.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            pens.append((outer, inner))
        self._pens = (pens[0], pens[1], QPen(QColor(t.accent2), s.px(2)))
        self.view.update()
        self._place_overlay()
