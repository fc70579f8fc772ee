"""Grids of numbers on the diverging colour scale: shown, edited, painted.

:class:`GridWidget` draws a grid custom-painted (a QTableWidget takes about
160 ms to repaint 64×64; this takes a few): cell colours as one scaled
image, digits only where a cell is large enough to read them, outlines for
the sliding window, hatched rings for the padding. :class:`GridEditor` binds
one to a :class:`~convviz.model.Session` grid and turns typing, mouse
painting and the clipboard into Session calls; :class:`GridPanel` adds the
size, preset, transpose/flip, brush and copy/paste tools around it.
"""

from __future__ import annotations

import contextlib
from typing import Literal

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QLineF,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QKeySequence,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...model import colormap, presets
from ...model.session import LIMITS, Session
from ...model.values import (
    ValueProblem,
    format_block,
    format_number,
    format_numpy,
    parse_block,
    parse_number,
)
from ..style import Style, is_picture, theme_lut, to_rgb
from ._util import blocked as _blocked
from ._util import connect_model
from .flow import FlowLayout

GridName = Literal["input", "kernel"]

#: Digits smaller than this many pixels are not drawn (cells keep their colour).
MIN_DIGIT_PX = 10
#: The largest cell, in pixels at 100 % zoom.
MAX_CELL = 120
#: Digits are this share of the cell high, and use at most this share of its width.
DIGIT_SHARE = 0.6
DIGIT_ROOM = 0.86
MINUS = "\u2212"
#: Typing one of these on a selected cell starts editing it with that character.
_START_CHARS = "0123456789-+.\u2212"
_GRID_KEYS = {
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_F2,
    Qt.Key.Key_Delete,
    Qt.Key.Key_Backspace,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
}


def cell_text(value: float, digits: int = 4) -> str:
    """A cell's digits as shown: :func:`format_number` with a long, visible minus."""
    return format_number(value, digits).replace("-", MINUS)


def _text_colors() -> dict[tuple[int, int, int], QColor]:
    """Black or white text for every colour of the scale (from ``colormap.text_color``)."""
    table = colormap.lut(256)
    return {tuple(int(x) for x in rgb): QColor(*colormap.text_color(rgb)) for rgb in table}


_TEXT_COLORS: dict[tuple[int, int, int], QColor] | None = None


def text_color_for(rgb: np.ndarray) -> QColor:
    global _TEXT_COLORS
    if _TEXT_COLORS is None:
        _TEXT_COLORS = _text_colors()
    key = (int(rgb[0]), int(rgb[1]), int(rgb[2]))
    c = _TEXT_COLORS.get(key)
    if c is None:
        c = QColor(*colormap.text_color(rgb))
        _TEXT_COLORS[key] = c
    return c


# ====================================================================== display
class GridWidget(QWidget):
    """A read-only grid of numbers on the shared colour scale.

    Coordinates are those of the unpadded grid; with :meth:`set_padding`
    the padded ring has negative rows/columns (and rows/columns past the
    end), down to ``-ph``/``-pw``. Masks given to :meth:`set_outline` may
    have the grid's shape or the padded shape.
    """

    sig_cell_hovered = Signal(int, int)  # row, col; (-1, -1) when the mouse leaves
    sig_cell_clicked = Signal(int, int)  # row, col

    def __init__(self, style: Style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.style_ = style
        self._values: np.ndarray | None = None
        self._mask: np.ndarray | None = None
        self._limit: float | None = None
        self._pad = (0, 0)
        self._outlines: dict[str, np.ndarray] = {}
        self._image: QImage | None = None
        self._rgb: np.ndarray | None = None  # padded (Hp, Wp, 3)
        self._texts: list[list[str]] | None = None
        self._font_cache: tuple[int, QFont] | None = None
        self._hover: tuple[int, int] = (-1, -1)
        self.max_cell = MAX_CELL
        self.cell_cap: float | None = None  # set by a view to give several grids one cell size
        #: Grids drawn with one cell size (the smallest of their own): the window view's
        #: input, kernel and output, so the output is never smaller than the input.
        self.cell_group: list[GridWidget] = []
        #: Smallest cell, in stage units, when the grid is small enough to show its digits.
        self.min_readable_cell = 44.0
        #: True for a picture's grid (the input): shown grey, 0 black and the largest white,
        #: whenever it has no negative value. Kernels and maps keep the diverging scale.
        self.picture_ok = False
        #: False for a thumbnail that gives context and is not read (the learning
        #: view's X and Y): colours only, and it may be small.
        self.show_digits = True
        self._text_need: tuple | None = None
        #: Room kept for numbers this long, for values that change as you watch (a
        #: kernel being learned): their cells keep one size, nothing moves.
        self.reserve_chars = 0
        #: Significant digits printed (a learned weight reads better as 0.45 than 0.4496).
        self.digits = 4
        self.empty_text = ""
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        style.sig_changed.connect(self._on_style_changed)

    # ----------------------------------------------------------- public API
    def set_values(
        self,
        values: np.ndarray | None,
        *,
        mask: np.ndarray | None = None,
        limit: float | None = None,
    ) -> None:
        """Show ``values``; ``mask`` False = blank (not computed yet).

        ``limit`` is the colour scale's half-width, shared between grids (None: own).
        """
        old_shape = None if self._values is None else self._values.shape
        old_need = self._cell_for_text()
        self._values = None if values is None else np.array(values, dtype=np.float64)
        self._mask = None if mask is None else np.asarray(mask, dtype=bool)
        self._limit = limit
        self._invalidate()
        if (
            self._values is None
            or self._values.shape != old_shape
            or self._cell_for_text() != old_need
        ):
            self._update_max_size()

    def set_limit(self, limit: float | None) -> None:
        """Change the colour scale's half-width (shared between grids)."""
        if limit != self._limit:
            self._limit = limit
            self._invalidate()

    def set_outline(self, cells: np.ndarray | None, role: str = "accent") -> None:
        """Outline the True cells of a bool mask in the theme colour ``role``; None clears."""
        if cells is None:
            if self._outlines.pop(role, None) is not None:
                self.update()
            return
        m = np.asarray(cells, dtype=bool)
        old = self._outlines.get(role)
        if old is not None and old.shape == m.shape and np.array_equal(old, m):
            return
        self._outlines[role] = m
        self.update()

    def set_padding(self, pad: tuple[int, int]) -> None:
        """Draw ``(ph, pw)`` rings of hatched padded cells (value 0) around the grid."""
        p = (max(0, int(pad[0])), max(0, int(pad[1])))
        if p != self._pad:
            self._pad = p
            self._invalidate()
            self._update_max_size()

    def padding(self) -> tuple[int, int]:
        return self._pad

    def values(self) -> np.ndarray | None:
        return self._values

    def mask(self) -> np.ndarray | None:
        return self._mask

    def limit(self) -> float:
        if self.is_picture():
            return float(np.max(self._values)) or 1.0  # type: ignore[arg-type]
        if self._limit is not None:
            return float(self._limit) or 1.0
        return colormap.symmetric_limit(self._shown_values())

    def is_picture(self) -> bool:
        """Drawn grey-scale (a picture: no negative values) rather than diverging."""
        return self.picture_ok and is_picture(self._values)

    def outline(self, role: str = "accent") -> np.ndarray | None:
        return self._outlines.get(role)

    def shape(self) -> tuple[int, int]:
        return (0, 0) if self._values is None else self._values.shape  # type: ignore[return-value]

    def padded_shape(self) -> tuple[int, int]:
        h, w = self.shape()
        if h == 0:
            return 0, 0
        return h + 2 * self._pad[0], w + 2 * self._pad[1]

    def cell_size(self) -> float:
        """The side of one cell in pixels as currently laid out."""
        return self._geometry()[0]

    def digits_shown(self) -> bool:
        return self._digit_font() is not None

    def digit_px(self) -> int:
        """The pixel size of the numbers as drawn now (0 when the cells are too small)."""
        f = self._digit_font()
        return 0 if f is None else f.pixelSize()

    def cell_rect(self, r: int, c: int) -> QRectF:
        """The rectangle of cell (r, c) in widget coordinates (padded cells: negative r/c)."""
        cell, x0, y0 = self._geometry()
        ph, pw = self._pad
        return QRectF(x0 + (c + pw) * cell, y0 + (r + ph) * cell, cell, cell)

    def cell_at(self, pos: QPoint | QPointF, *, padded: bool = False) -> tuple[int, int] | None:
        """The cell under ``pos``; padded cells only when ``padded`` is True."""
        hp, wp = self.padded_shape()
        if hp == 0:
            return None
        cell, x0, y0 = self._geometry()
        if cell <= 0:
            return None
        pc = int(np.floor((pos.x() - x0) / cell))
        pr = int(np.floor((pos.y() - y0) / cell))
        if not (0 <= pr < hp and 0 <= pc < wp):
            return None
        r, c = pr - self._pad[0], pc - self._pad[1]
        h, w = self.shape()
        if not padded and not (0 <= r < h and 0 <= c < w):
            return None
        return r, c

    # ---------------------------------------------------------------- sizes
    def _max_cell_px(self) -> float:
        return float(self.style_.px(self.max_cell))

    def _margin(self) -> int:
        return self.style_.px(6)

    def sizeHint(self) -> QSize:
        hp, wp = self.padded_shape()
        hp, wp = max(hp, 1), max(wp, 1)
        cell = self._max_cell_px()
        cap = self.style_.px(640)
        m = 2 * self._margin()
        return QSize(min(int(wp * cell), cap) + m, min(int(hp * cell), cap) + m)

    def minimumSizeHint(self) -> QSize:
        hp, wp = self.padded_shape()
        hp, wp = max(hp, 1), max(wp, 1)
        # Small grids keep readable digits; large ones (a photograph) may shrink to a
        # few pixels a cell. Proportional to the scale, so a stage can fit it.
        s = self.style_.scale
        if not self.show_digits:
            cell = 10.0 * s
        elif max(hp, wp) <= 16:
            cell = max(min(self.min_readable_cell, self.max_cell) * s, self._cell_for_text())
        else:
            cell = max(2.0 * s, 300.0 * s / max(hp, wp))
        m = 2 * self._margin()
        return QSize(int(wp * cell) + m, int(hp * cell) + m)

    def _cell_for_text(self) -> float:
        """The cell side at which the longest number reaches the back row's size."""
        need = self.style_.min_text_px()
        if not need or self._values is None or not self.show_digits:
            return 0.0
        if max(self.padded_shape()) > 16:  # a photograph: colours, not numbers
            return 0.0
        key = (need, self._texts is not None, id(self._values))
        if self._text_need is not None and self._text_need[0] == key:
            return self._text_need[1]
        if self._texts is None:
            self._texts = [[cell_text(x, self.digits) for x in row] for row in self._values]
        longest = max((len(t) for row in self._texts for t in row), default=1)
        longest = max(longest, self.reserve_chars)
        cell = float(np.ceil(max(need / DIGIT_SHARE, need * 0.7 * longest / DIGIT_ROOM)) + 2)
        self._text_need = ((need, True, id(self._values)), cell)
        return cell

    def natural_cell(self) -> float:
        """The cell size this widget would use on its own (no :attr:`cell_cap`)."""
        hp, wp = self.padded_shape()
        if hp == 0:
            return 0.0
        m = self._margin()
        room = min((self.width() - 2 * m) / wp, (self.height() - 2 * m) / hp)
        # The back row's floor beats any cap on the cell (a view's shared size).
        cell = min(max(self._max_cell_px(), self._cell_for_text()), room)
        return max(2.0, float(np.floor(cell)))

    def set_cell_cap(self, cap: float | None) -> None:
        if cap != self.cell_cap:
            self.cell_cap = cap
            self._font_cache = None
            self.update()
            if isinstance(self, GridEditor):
                self._place_editor()

    def _geometry(self) -> tuple[float, float, float]:
        hp, wp = self.padded_shape()
        if hp == 0:
            return 0.0, 0.0, 0.0
        cell = self.natural_cell()
        if self.cell_cap is not None:
            cell = max(2.0, min(cell, float(self.cell_cap)))
        if self.cell_group:  # one size for the group, read now: never stale after a resize
            shared = [
                g.natural_cell() for g in self.cell_group if g.isVisible() and g._values is not None
            ]
            if shared:
                cell = max(2.0, min(cell, min(shared)))
        x0 = np.floor((self.width() - cell * wp) / 2)
        y0 = np.floor((self.height() - cell * hp) / 2)
        return cell, float(x0), float(y0)

    # ------------------------------------------------------------ painting
    def _shown_values(self) -> np.ndarray | None:
        if self._values is None:
            return None
        if self._mask is not None and self._mask.shape == self._values.shape:
            return np.where(self._mask, self._values, 0.0)
        return self._values

    def _invalidate(self) -> None:
        self._image = None
        self._rgb = None
        self._texts = None
        self._font_cache = None
        self.update()

    def _on_style_changed(self) -> None:
        self._invalidate()
        self._update_max_size()

    def _update_max_size(self) -> None:
        """No taller or wider than the largest cells need, so tools sit right below."""
        hp, wp = self.padded_shape()
        hp, wp = max(hp, 1), max(wp, 1)
        cell = max(self._max_cell_px(), self._cell_for_text())
        m = 2 * self._margin()
        self.setMaximumHeight(min(int(hp * cell) + m + 1, 16777215))
        self.updateGeometry()

    def _build_image(self) -> None:
        v = self._values
        assert v is not None
        h, w = v.shape
        ph, pw = self._pad
        t = self.style_.theme
        rgb = np.empty((h + 2 * ph, w + 2 * pw, 3), np.uint8)
        rgb[...] = QColor(t.padded).getRgb()[:3]
        inner = to_rgb(v, self.limit(), t, picture=self.is_picture())
        if self._mask is not None and self._mask.shape == v.shape:
            inner[~self._mask] = QColor(t.blank).getRgb()[:3]
        rgb[ph : ph + h, pw : pw + w] = inner
        self._rgb = rgb
        hp, wp = rgb.shape[:2]
        buf = np.ascontiguousarray(rgb)
        self._image = QImage(buf.data, wp, hp, 3 * wp, QImage.Format.Format_RGB888).copy()

    def _digit_font(self) -> QFont | None:
        """The font for the digits at this cell size, or None when too small to read."""
        if self._values is None or not self.show_digits:
            return None
        cell = self._geometry()[0]
        key = int(cell)
        if self._font_cache is not None and self._font_cache[0] == key:
            return self._font_cache[1]
        if self._texts is None:
            self._texts = [[cell_text(x, self.digits) for x in row] for row in self._values]
        longest = max((s for row in self._texts for s in row), key=len, default="0")
        if self._pad != (0, 0) and len(longest) < 1:
            longest = "0"
        f = self.style_.font(bold=True)
        px = int(cell * DIGIT_SHARE)
        if px < MIN_DIGIT_PX:
            self._font_cache = (key, None)  # type: ignore[assignment]
            return None
        f.setPixelSize(px)
        width = QFontMetrics(f).horizontalAdvance(longest)
        room = cell * DIGIT_ROOM
        if width > room:
            px = int(px * room / width)
            if px < MIN_DIGIT_PX:
                self._font_cache = (key, None)  # type: ignore[assignment]
                return None
            f.setPixelSize(px)
        self._font_cache = (key, f)
        return f

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        t = self.style_.theme
        if self._values is None:
            if self.empty_text:
                p.setPen(self.style_.color("muted"))
                p.setFont(self.style_.font())
                p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            p.end()
            return
        if self._image is None:
            self._build_image()
        cell, x0, y0 = self._geometry()
        hp, wp = self.padded_shape()
        h, w = self.shape()
        ph, pw = self._pad
        full = QRectF(x0, y0, cell * wp, cell * hp)
        p.drawImage(full, self._image)
        inner = QRectF(x0 + pw * cell, y0 + ph * cell, w * cell, h * cell)
        if ph or pw:  # hatch the padded ring
            hatch = QBrush(self.style_.color("grid_line"), Qt.BrushStyle.BDiagPattern)
            for band in (
                QRectF(full.left(), full.top(), full.width(), ph * cell),
                QRectF(full.left(), inner.bottom(), full.width(), ph * cell),
                QRectF(full.left(), inner.top(), pw * cell, inner.height()),
                QRectF(inner.right(), inner.top(), pw * cell, inner.height()),
            ):
                if band.width() > 0 and band.height() > 0:
                    p.fillRect(band, hatch)
        if cell >= 5:
            p.setPen(QPen(QColor(t.grid_line), 1))
            left, right, top, bottom = full.left(), full.right(), full.top(), full.bottom()
            lines = [QLineF(left, y0 + i * cell, right, y0 + i * cell) for i in range(hp + 1)]
            lines += [QLineF(x0 + j * cell, top, x0 + j * cell, bottom) for j in range(wp + 1)]
            p.drawLines(lines)
        self._paint_digits(p, cell, x0, y0)
        if ph or pw:
            p.setPen(QPen(QColor(t.text), max(2, self.style_.px(2))))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(inner)
        self._paint_outlines(p, cell, x0, y0)
        self._paint_extra(p, cell, x0, y0)
        p.end()

    def _paint_digits(self, p: QPainter, cell: float, x0: float, y0: float) -> None:
        f = self._digit_font()
        if f is None or self._texts is None or self._rgb is None:
            return
        p.setFont(f)
        h, w = self.shape()
        ph, pw = self._pad
        mask = self._mask if self._mask is not None and self._mask.shape == (h, w) else None
        rgb = self._rgb
        for r in range(h):
            y = y0 + (r + ph) * cell
            row = self._texts[r]
            for c in range(w):
                if mask is not None and not mask[r, c]:
                    continue
                p.setPen(text_color_for(rgb[r + ph, c + pw]))  # black or white, by contrast
                rect = QRectF(x0 + (c + pw) * cell, y, cell, cell)
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, row[c])
        if ph or pw:  # the padding's zeros, quieter
            hp, wp = self.padded_shape()
            p.setPen(self.style_.color("text"))
            for pr in range(hp):
                for pc in range(wp):
                    if ph <= pr < ph + h and pw <= pc < pw + w:
                        continue
                    p.drawText(
                        QRectF(x0 + pc * cell, y0 + pr * cell, cell, cell),
                        Qt.AlignmentFlag.AlignCenter,
                        "0",
                    )

    def _outline_lines(self, m: np.ndarray, cell: float, x0: float, y0: float) -> list[QLineF]:
        h, w = self.shape()
        ph, pw = self._pad
        if m.shape == (h, w) and (ph or pw):
            full = np.zeros(self.padded_shape(), bool)
            full[ph : ph + h, pw : pw + w] = m
            m = full
        pm = np.pad(m, 1)
        lines: list[QLineF] = []
        inner = pm[1:-1, 1:-1]
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            nb = pm[1 + dr : pm.shape[0] - 1 + dr, 1 + dc : pm.shape[1] - 1 + dc]
            for r, c in np.argwhere(inner & ~nb):
                x, y = x0 + c * cell, y0 + r * cell
                if dr == -1:
                    lines.append(QLineF(x, y, x + cell, y))
                elif dr == 1:
                    lines.append(QLineF(x, y + cell, x + cell, y + cell))
                elif dc == -1:
                    lines.append(QLineF(x, y, x, y + cell))
                else:
                    lines.append(QLineF(x + cell, y, x + cell, y + cell))
        return lines

    def _paint_outlines(self, p: QPainter, cell: float, x0: float, y0: float) -> None:
        if not self._outlines:
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        width = max(2.0, min(float(self.style_.px(5)), cell / 4))
        for role in sorted(self._outlines, key=lambda r: r != "accent2"):
            m = self._outlines[role]
            if not m.any():
                continue
            color = self.style_.color(role) if hasattr(self.style_.theme, role) else QColor(role)
            lines = self._outline_lines(m, cell, x0, y0)
            halo = QPen(self.style_.color("base"), width + 4)
            halo.setCapStyle(Qt.PenCapStyle.SquareCap)
            p.setPen(halo)
            p.drawLines(lines)
            pen = QPen(color, width)
            pen.setCapStyle(Qt.PenCapStyle.SquareCap)
            p.setPen(pen)
            p.drawLines(lines)

    def _paint_extra(self, p: QPainter, cell: float, x0: float, y0: float) -> None:
        """Hook for subclasses (the editor's selection)."""

    # --------------------------------------------------------------- mouse
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        hover = cell if cell is not None else (-1, -1)
        if hover != self._hover:
            self._hover = hover
            self.sig_cell_hovered.emit(*hover)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._hover != (-1, -1):
            self._hover = (-1, -1)
            self.sig_cell_hovered.emit(-1, -1)
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            self.sig_cell_clicked.emit(*cell)
        super().mousePressEvent(event)


# ======================================================================= editor
class GridEditor(GridWidget):
    """A :class:`GridWidget` bound to one Session grid, editing it.

    Type to edit (double-click, Enter or F2 opens the cell; a digit or '-'
    starts with that character), arrows/Tab move, Delete clears to 0,
    Ctrl+C/Ctrl+V copy and paste, and in brush mode a mouse drag paints the
    brush value (one undo step per drag). Keys it has no use for (Space,
    PageUp/PageDown, Home/End, and arrows while nothing is selected) go on
    to the parent, which steps the animation.
    """

    sig_message = Signal(str)  # payload: a problem to show the user; "" clears it

    def __init__(
        self, session: Session, name: GridName, style: Style, parent: QWidget | None = None
    ) -> None:
        super().__init__(style, parent)
        if name not in LIMITS:
            raise ValueError(f"name must be 'input' or 'kernel', not {name!r}")
        self.session = session
        self.name: GridName = name
        self._sel: tuple[int, int] | None = None
        self._anchor: tuple[int, int] | None = None
        self._editor: QLineEdit | None = None
        self._edit_cell: tuple[int, int] | None = None
        self._edit_typed = False
        self._brush = False
        self.brush_value = 1.0
        self._gesture: contextlib.ExitStack | None = None
        self._last_paint: tuple[int, int] | None = None
        self._dragging = False
        self._shared_limit: float | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("")
        connect_model(session.changed, self._on_session_changed)
        self._refresh()

    # --------------------------------------------------------------- model
    def _refresh(self) -> None:
        a = self.session.grid(self.name)
        self.set_values(a, limit=self._shared_limit)
        if self._sel is not None:
            self._sel = (min(self._sel[0], a.shape[0] - 1), min(self._sel[1], a.shape[1] - 1))
        if self._anchor is not None:
            self._anchor = (
                min(self._anchor[0], a.shape[0] - 1),
                min(self._anchor[1], a.shape[1] - 1),
            )
        if self._editor is not None and self._edit_cell is not None:
            r, c = self._edit_cell
            if r >= a.shape[0] or c >= a.shape[1]:
                self._close_editor()
            else:
                self._place_editor()

    def _on_session_changed(self, parts: frozenset) -> None:
        if self.name in parts or "undo" in parts:
            self._refresh()

    def set_shared_limit(self, limit: float | None) -> None:
        """The colour scale's half-width shared with the other grids (None: own)."""
        self._shared_limit = limit
        self.set_limit(limit)

    # ----------------------------------------------------------- selection
    @property
    def selected(self) -> tuple[int, int] | None:
        return self._sel

    def selection(self) -> tuple[int, int, int, int] | None:
        """(top, left, bottom, right) inclusive, or None."""
        if self._sel is None:
            return None
        a = self._anchor or self._sel
        return (
            min(a[0], self._sel[0]),
            min(a[1], self._sel[1]),
            max(a[0], self._sel[0]),
            max(a[1], self._sel[1]),
        )

    def select(self, r: int, c: int, *, extend: bool = False) -> None:
        h, w = self.shape()
        r, c = max(0, min(r, h - 1)), max(0, min(c, w - 1))
        self._sel = (r, c)
        if not extend:
            self._anchor = (r, c)
        self.update()

    def clear_selection(self) -> None:
        self._sel = self._anchor = None
        self.update()

    def _move(self, dr: int, dc: int, *, extend: bool = False, wrap: bool = False) -> None:
        if self._sel is None:
            self.select(0, 0)
            return
        h, w = self.shape()
        r, c = self._sel[0] + dr, self._sel[1] + dc
        if wrap:
            if c >= w:
                r, c = (r + 1) % h, 0
            elif c < 0:
                r, c = (r - 1) % h, w - 1
        self.select(r, c, extend=extend)

    def _paint_extra(self, p: QPainter, cell: float, x0: float, y0: float) -> None:
        sel = self.selection()
        if sel is None:
            return
        t, left, b, right = sel
        tl = self.cell_rect(t, left)
        br = self.cell_rect(b, right)
        rect = QRectF(tl.topLeft(), br.bottomRight())
        focused = self.hasFocus() or self._editor is not None
        width = max(2.0, min(float(self.style_.px(4)), cell / 5))
        inset = width / 2 + 1
        rect = rect.adjusted(inset, inset, -inset, -inset)
        if t != b or left != right:
            tint = self.style_.color("accent2")
            tint.setAlpha(50)
            p.fillRect(rect, tint)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(self.style_.color("base"), width + 2))
        p.drawRect(rect)
        pen = QPen(self.style_.color("accent2" if focused else "muted"), width)
        if not focused:
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawRect(rect)

    def focusInEvent(self, event) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)

    # ------------------------------------------------------------- editing
    @property
    def editing(self) -> bool:
        return self._editor is not None

    @property
    def line_edit(self) -> QLineEdit | None:
        return self._editor

    def edit(self, r: int, c: int, initial: str | None = None) -> QLineEdit:
        """Open the in-place editor on (r, c), with ``initial`` text if typing started it."""
        if self._editor is not None:
            self._close_editor()
        self.select(r, c)
        ed = QLineEdit(self)
        ed.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ed.setFrame(False)
        ed.installEventFilter(self)
        self._editor = ed
        self._edit_cell = (r, c)
        self._edit_typed = initial is not None
        if initial is not None:
            ed.setText(initial)
            ed.setCursorPosition(len(initial))
        else:
            ed.setText(format_number(float(self.session.grid(self.name)[r, c]), digits=12))
            ed.selectAll()
        self._style_editor()
        self._place_editor()
        ed.show()
        ed.setFocus(Qt.FocusReason.OtherFocusReason)
        return ed

    def _style_editor(self) -> None:
        if self._editor is None:
            return
        t = self.style_.theme
        self._editor.setStyleSheet(
            f"QLineEdit {{ background: {t.base}; color: {t.text}; "
            f"border: {self.style_.px(3)}px solid {t.accent2}; }}"
        )

    def _place_editor(self) -> None:
        if self._editor is None or self._edit_cell is None:
            return
        rect = self.cell_rect(*self._edit_cell)
        min_w = self.style_.px(110)
        w = max(rect.width(), min_w)
        h = max(rect.height(), self.style_.px(40))
        x = rect.center().x() - w / 2
        y = rect.center().y() - h / 2
        x = max(0.0, min(x, self.width() - w))
        y = max(0.0, min(y, self.height() - h))
        self._editor.setGeometry(QRect(int(x), int(y), int(w), int(h)))
        f = self.style_.font(bold=True)
        f.setPixelSize(max(MIN_DIGIT_PX + 4, int(min(h, self.style_.px(60)) * 0.5)))
        self._editor.setFont(f)

    def commit(self) -> bool:
        """Write the open editor's text to the model; on a problem keep it open and say why."""
        if self._editor is None or self._edit_cell is None:
            return True
        r, c = self._edit_cell
        text = self._editor.text()
        try:
            self.session.set_cell(self.name, r, c, text)
        except ValueProblem as exc:
            self._problem(str(exc), (r, c))
            self._editor.selectAll()
            return False
        self.sig_message.emit("")
        self._close_editor()
        return True

    def cancel(self) -> None:
        """Close the editor, leaving the cell as it was."""
        self._close_editor()
        self.sig_message.emit("")

    def _close_editor(self) -> None:
        ed, self._editor, self._edit_cell = self._editor, None, None
        if ed is not None:
            ed.removeEventFilter(self)
            had_focus = ed.hasFocus()
            ed.hide()
            ed.deleteLater()
            if had_focus:
                self.setFocus(Qt.FocusReason.OtherFocusReason)
        QToolTip.hideText()
        self.update()

    def _problem(self, message: str, cell: tuple[int, int] | None = None) -> None:
        self.sig_message.emit(message)
        if cell is not None and self.isVisible():
            rect = self.cell_rect(*cell)
            pos = self.mapToGlobal(QPoint(int(rect.left()), int(rect.bottom())))
            QToolTip.showText(pos, message, self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is not self._editor:
            return False
        et = event.type()
        if et == QEvent.Type.ShortcutOverride:
            # While a cell is being edited every plain key belongs to it (not to stepping).
            ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
            if not event.modifiers() & ctrl:  # type: ignore[attr-defined]
                event.accept()
                return True
            return False
        if et == QEvent.Type.KeyPress:
            if self._editor_key(event):  # type: ignore[arg-type]
                return True
            # Everything else is the line edit's, and goes no further (no stepping).
            self._editor.event(event)
            event.accept()
            return True
        if et == QEvent.Type.FocusOut and self._editor is not None:
            reason = event.reason()  # type: ignore[attr-defined]
            if reason not in (
                Qt.FocusReason.PopupFocusReason,
                Qt.FocusReason.ActiveWindowFocusReason,
            ):
                # Clicking elsewhere keeps a good value; a bad one stays open, text intact.
                self.commit()
        return False

    def _editor_key(self, e: QKeyEvent) -> bool:
        k = e.key()
        mods = e.modifiers()
        if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.commit():
                self._move(-1 if mods & Qt.KeyboardModifier.ShiftModifier else 1, 0)
            return True
        if k == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if k in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            back = k == Qt.Key.Key_Backtab or bool(mods & Qt.KeyboardModifier.ShiftModifier)
            if self.commit():
                self._move(0, -1 if back else 1, wrap=True)
            return True
        moves = {Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        if self._edit_typed:  # typing started it: left/right leave the cell, as in a spreadsheet
            moves.update({Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1)})
        if k in moves:
            if self.commit():
                self._move(*moves[k])
            return True
        return False

    # --------------------------------------------------------------- keys
    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride and self._editor is None:
            # Keys the grid uses itself win over the view's stepping shortcuts.
            ke: QKeyEvent = e  # type: ignore[assignment]
            if ke.matches(QKeySequence.StandardKey.Copy) or ke.matches(
                QKeySequence.StandardKey.Paste
            ):
                e.accept()
                return True
            if self._sel is not None and self._wants_key(ke):
                e.accept()
                return True
        if e.type() == QEvent.Type.KeyPress and self._editor is None and self._sel is not None:
            ke = e  # type: ignore[assignment]
            if ke.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                back = ke.key() == Qt.Key.Key_Backtab
                self._move(0, -1 if back else 1, wrap=True)
                return True
        return super().event(e)

    def _wants_key(self, e: QKeyEvent) -> bool:
        """True for the keys a selected grid handles (arrows, Enter, digits...)."""
        if e.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False
        text = e.text()
        return e.key() in _GRID_KEYS or bool(text and text in _START_CHARS)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if self._editor is not None:
            e.accept()  # keys belong to the open editor
            return
        if e.matches(QKeySequence.StandardKey.Copy):
            self.copy()
            return
        if e.matches(QKeySequence.StandardKey.Paste):
            self.paste_clipboard()
            return
        k = e.key()
        mods = e.modifiers()
        text = e.text()
        if self._sel is None:
            if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) or (
                text and text in _START_CHARS
            ):
                self.select(0, 0)
            else:
                e.ignore()  # arrows etc. belong to the parent view until a cell is chosen
                return
        assert self._sel is not None
        if (
            text
            and text in _START_CHARS
            and not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        ):
            self.edit(*self._sel, initial=text)
            return
        if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.edit(*self._sel)
            return
        extend = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        arrows = {
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
        }
        if k in arrows and not mods & Qt.KeyboardModifier.ControlModifier:
            self._move(*arrows[k], extend=extend)
            return
        if k in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear_cells()
            return
        if k == Qt.Key.Key_Escape:
            self.clear_selection()
            self.sig_message.emit("")
            e.ignore()
            return
        e.ignore()

    def clear_cells(self) -> None:
        """Set the selected cells to 0 (one undo step)."""
        sel = self.selection()
        if sel is None:
            return
        t, left, b, right = sel
        cells = [(r, c) for r in range(t, b + 1) for c in range(left, right + 1)]
        with self.session.gesture():
            self.session.paint(self.name, cells, 0.0)

    # ----------------------------------------------------------- clipboard
    def copy(self) -> str:
        """Copy the selection (several cells) or the whole grid as tab-separated rows."""
        text = format_block(self._copy_block())
        QApplication.clipboard().setText(text)
        return text

    def copy_numpy(self) -> str:
        """Copy the same block as ``[[1, -1]]``-style text for Python."""
        text = format_numpy(self._copy_block())
        QApplication.clipboard().setText(text)
        return text

    def _copy_block(self) -> np.ndarray:
        a = np.asarray(self.session.grid(self.name))
        sel = self.selection()
        if sel is not None and (sel[0] != sel[2] or sel[1] != sel[3]):
            t, left, b, right = sel
            return a[t : b + 1, left : right + 1]
        return a

    def paste_clipboard(self) -> bool:
        """Paste the clipboard's block at the selected cell (top-left if none)."""
        return self.paste_text(QApplication.clipboard().text())

    def paste_text(self, text: str) -> bool:
        sel = self.selection()
        r, c = (sel[0], sel[1]) if sel is not None else (0, 0)  # the selection's top-left
        try:
            block = parse_block(text)
            with self.session.gesture():
                rows, cols = self.session.paste(self.name, r, c, block)
        except ValueProblem as exc:
            self._problem(f"Nothing was pasted. {exc}", (r, c))
            return False
        self.select(r, c)
        self.select(r + rows - 1, c + cols - 1, extend=True)
        self.sig_message.emit("")
        return True

    # --------------------------------------------------------------- brush
    @property
    def brush(self) -> bool:
        return self._brush

    def set_brush(self, on: bool, value: float | None = None) -> None:
        self._brush = bool(on)
        if value is not None:
            self.brush_value = float(value)
        self.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)

    def _paint_to(self, cell: tuple[int, int]) -> None:
        """Paint the cells on the line from the last painted cell to ``cell``."""
        start = self._last_paint or cell
        n = max(abs(cell[0] - start[0]), abs(cell[1] - start[1]))
        cells = {
            (
                round(start[0] + (cell[0] - start[0]) * i / max(n, 1)),
                round(start[1] + (cell[1] - start[1]) * i / max(n, 1)),
            )
            for i in range(n + 1)
        }
        self._last_paint = cell
        try:
            self.session.paint(self.name, sorted(cells), self.brush_value)
        except ValueProblem as exc:
            self._problem(str(exc))

    def _end_gesture(self) -> None:
        if self._gesture is not None:
            g, self._gesture = self._gesture, None
            g.close()
        self._last_paint = None

    # --------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._editor is not None and not self.commit():
            return
        cell = self.cell_at(event.position())
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if cell is None:
            self.clear_selection()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.sig_cell_clicked.emit(*cell)
            if self._brush:
                self._end_gesture()
                self._gesture = contextlib.ExitStack()
                self._gesture.enter_context(self.session.gesture())
                self._paint_to(cell)
            else:
                extend = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.select(*cell, extend=extend)
                self._dragging = True
                self.sig_message.emit("")

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if not event.buttons() & Qt.MouseButton.LeftButton:
            return
        cell = self.cell_at(event.position())
        if cell is None:
            return
        if self._gesture is not None:
            if cell != self._last_paint:
                self._paint_to(cell)
        elif self._dragging and cell != self._sel:
            self.select(*cell, extend=True)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._end_gesture()
        self._dragging = False
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if cell is not None and not self._brush:
            self.edit(*cell)

    def hideEvent(self, event) -> None:
        self._end_gesture()
        super().hideEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_editor()

    def _on_style_changed(self) -> None:
        super()._on_style_changed()
        self._style_editor()
        self._place_editor()


# ===================================================================== colour bar
class ColorBar(QWidget):
    """The diverging scale from −limit to +limit, with its ends and 0 labelled."""

    def __init__(self, style: Style, caption: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.style_ = style
        self.caption = caption
        self._limit = 1.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        style.sig_changed.connect(self._on_style_changed)

    def set_limit(self, limit: float) -> None:
        if limit != self._limit:
            self._limit = float(limit)
            self.update()

    def limit(self) -> float:
        return self._limit

    def labels(self) -> tuple[str, str, str]:
        return cell_text(-self._limit), "0", cell_text(self._limit)

    def _font(self) -> QFont:
        return self.style_.font(14)

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self._font())
        return QSize(self.style_.px(230), self.style_.px(12) + 2 * fm.height() + self.style_.px(4))

    def minimumSizeHint(self) -> QSize:
        s = self.sizeHint()
        return QSize(self.style_.px(140), s.height())

    def _on_style_changed(self) -> None:
        self.updateGeometry()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        f = self._font()
        p.setFont(f)
        fm = QFontMetrics(f)
        bar_h = self.style_.px(12)
        y = fm.height() if self.caption else 0
        if self.caption:
            p.setPen(self.style_.color("muted"))
            top = QRect(0, 0, self.width(), fm.height())
            p.drawText(top, Qt.AlignmentFlag.AlignLeft, self.caption)
        lo, mid, hi = self.labels()
        lw = max(fm.horizontalAdvance(lo), fm.horizontalAdvance(hi)) // 2 + 2
        bar = QRectF(lw, y + 1, max(10, self.width() - 2 * lw), bar_h)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        table = theme_lut(self.style_.theme, 9)
        for i, rgb in enumerate(table):
            grad.setColorAt(i / 8, QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])))
        p.fillRect(bar, QBrush(grad))
        p.setPen(QPen(self.style_.color("grid_line"), 1))
        p.drawRect(bar)
        p.setPen(self.style_.color("text"))
        ty = int(bar.bottom()) + 2
        for x, s in ((bar.left(), lo), (bar.center().x(), mid), (bar.right(), hi)):
            tw = fm.horizontalAdvance(s)
            box = QRect(int(x - tw / 2), ty, tw + 2, fm.height())
            p.drawText(box, Qt.AlignmentFlag.AlignLeft, s)
        p.end()


# ======================================================================== panel
class _ToolButton(QToolButton):
    """A tool button that mouse clicks do not focus, so keys keep stepping the view."""

    def __init__(self, text: str, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(text)
        self.setToolTip(tip)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)


class _SizeSpin(QSpinBox):
    """Rows or columns; applied on Enter, focus loss or the arrows (not per keystroke)."""

    def __init__(self, lo: int, hi: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(lo, hi)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)

    def event(self, e: QEvent) -> bool:
        # Undo/redo belong to the session, not to the spin box's text.
        if e.type() == QEvent.Type.ShortcutOverride and (
            e.matches(QKeySequence.StandardKey.Undo)  # type: ignore[attr-defined]
            or e.matches(QKeySequence.StandardKey.Redo)  # type: ignore[attr-defined]
        ):
            e.ignore()
            return False
        return super().event(e)


class GridPanel(QWidget):
    """A titled grid editor with its tools: size, preset, transpose, flip, brush, clipboard."""

    def __init__(
        self,
        session: Session,
        name: GridName,
        style: Style,
        title: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.name: GridName = name
        self.style_ = style
        self._title_base = title or ("Input" if name == "input" else "Kernel")
        self._presets = presets.INPUTS if name == "input" else presets.KERNELS

        self.title = QLabel()
        self.editor = GridEditor(session, name, style, self)
        self.rows = _SizeSpin(1, LIMITS[name])
        self.cols = _SizeSpin(1, LIMITS[name])
        self.rows.setToolTip(f"Rows (1..{LIMITS[name]})")
        self.cols.setToolTip(f"Columns (1..{LIMITS[name]})")
        self.times = QLabel("×")
        self.preset = QComboBox()
        self.preset.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.preset.addItem("Custom")
        self.preset.addItems(list(self._presets))
        self.preset.setToolTip(f"Load one of the chapter's {name}s")
        # Narrow enough for a 2×2 kernel at 200 % zoom; the list shows the full names.
        self.preset.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.preset.setMinimumContentsLength(14)

        self.btn_transpose = _ToolButton("Transpose", "Swap rows and columns")
        self.btn_flip = _ToolButton(
            "Flip 180°", "Turn the grid half a turn (flip both axes), as convolution does"
        )
        self.btn_brush = _ToolButton(
            "Brush", "Paint: click or drag over cells to set them to the brush value"
        )
        self.btn_brush.setCheckable(True)
        self.brush_value = QLineEdit("1")
        self.brush_value.setToolTip("The value the brush paints")
        self.btn_copy = _ToolButton(
            "Copy", "Copy the grid (or the selected cells) as rows of numbers"
        )
        self.copy_menu = QMenu(self.btn_copy)
        self.act_copy_tsv = self.copy_menu.addAction("Copy for a spreadsheet")
        self.act_copy_numpy = self.copy_menu.addAction("Copy as NumPy")
        self.btn_copy.setMenu(self.copy_menu)
        self.btn_copy.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.btn_paste = _ToolButton(
            "Paste", "Paste a block of numbers at the selected cell (spreadsheet rows or [[1, -1]])"
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message.hide()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self._lay = lay
        lay.addStretch(1)
        lay.addWidget(self.title, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.editor, 100)
        size_box = QWidget()
        size_row = QHBoxLayout(size_box)
        size_row.setContentsMargins(0, 0, 0, 0)
        size_row.setSpacing(2)
        size_row.addWidget(self.rows)
        size_row.addWidget(self.times)
        size_row.addWidget(self.cols)
        tools = QWidget()
        self.tools = FlowLayout(tools)
        for w in (
            size_box,
            self.preset,
            self.btn_transpose,
            self.btn_flip,
            self.btn_brush,
            self.brush_value,
            self.btn_copy,
            self.btn_paste,
        ):
            self.tools.addWidget(w)
        lay.addWidget(tools)
        self.tools_box = tools
        lay.addWidget(self.message)
        lay.addStretch(1)

        self.rows.valueChanged.connect(self._on_rows_changed)
        self.cols.valueChanged.connect(self._on_cols_changed)
        self.preset.activated.connect(self._on_preset_changed)
        self.btn_transpose.clicked.connect(lambda: session.transpose(name))
        self.btn_flip.clicked.connect(lambda: session.flip(name))
        self.btn_brush.toggled.connect(self._on_brush_changed)
        self.brush_value.editingFinished.connect(self._on_brush_changed)
        self.btn_copy.clicked.connect(self.editor.copy)
        self.act_copy_tsv.triggered.connect(self.editor.copy)
        self.act_copy_numpy.triggered.connect(self.editor.copy_numpy)
        self.btn_paste.clicked.connect(self.editor.paste_clipboard)
        self.editor.sig_message.connect(self.show_message)
        connect_model(session.changed, self._on_session_changed)
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()
        self._on_session_changed(frozenset({name}))

    # ------------------------------------------------------------ handlers
    def set_tools_visible(self, on: bool) -> None:
        """Show or hide the editing tools (size, presets, buttons) below the grid."""
        self.tools_box.setVisible(on)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_session_changed(self, parts: frozenset) -> None:
        if self.name not in parts and "undo" not in parts:
            return
        a = self.session.grid(self.name)
        h, w = a.shape
        what = "Input" if self.name == "input" else "Kernel"
        base = self._title_base
        self.title.setText(f"{base}  ({h}×{w})" if base else f"{what} ({h}×{w})")
        with _blocked(self.rows, self.cols, self.preset):
            self.rows.setValue(h)
            self.cols.setValue(w)
            self.preset.setCurrentIndex(self._matching_preset(a))

    def _matching_preset(self, a: np.ndarray) -> int:
        for i, (label, make) in enumerate(self._presets.items(), start=1):
            if label.startswith("Random"):
                continue
            p = make()
            if p.shape == a.shape and np.array_equal(p, a):
                return i
        return 0

    def _resize(self, rows: int, cols: int) -> None:
        try:
            self.session.resize(self.name, rows, cols)
        except ValueProblem as exc:
            self.show_message(str(exc))
            self._on_session_changed(frozenset({self.name}))

    def _on_rows_changed(self, rows: int) -> None:
        self._resize(rows, self.session.grid(self.name).shape[1])

    def _on_cols_changed(self, cols: int) -> None:
        self._resize(self.session.grid(self.name).shape[0], cols)

    def _on_preset_changed(self, index: int) -> None:
        if index <= 0:
            return
        label = self.preset.itemText(index)
        try:
            self.session.load_preset(self.name, label)
        except (KeyError, ValueProblem) as exc:
            self.show_message(str(exc))
            return
        self.show_message("")
        # A random preset will not match itself later: show its name until the next edit.
        with _blocked(self.preset):
            self.preset.setCurrentIndex(index)

    def _on_brush_changed(self, *_: object) -> None:
        on = self.btn_brush.isChecked()
        try:
            value = parse_number(self.brush_value.text())
        except ValueProblem as exc:
            self.show_message(f"Brush value: {exc}")
            self.editor.set_brush(False)
            with _blocked(self.btn_brush):
                self.btn_brush.setChecked(False)
            return
        self.show_message("")
        self.editor.set_brush(on, value)

    def _on_style_changed(self) -> None:
        s = self.style_
        self.title.setFont(s.font(17, bold=True))
        # Tools grow at half the zoom's rate: on a projector the grid matters more.
        small = s.font(11.5 * (0.5 + 0.5 / s.scale))
        self.times.setFont(small)
        for w in (
            self.rows,
            self.cols,
            self.preset,
            self.btn_transpose,
            self.btn_flip,
            self.btn_brush,
            self.brush_value,
            self.btn_copy,
            self.btn_paste,
        ):
            w.setFont(small)
        self.brush_value.setFixedWidth(s.px(64))
        self.message.setFont(s.font(12))
        self.message.setStyleSheet(f"color: {s.theme.error};")
        self.tools.set_spacing(s.px(6))
        self._lay.setSpacing(s.px(6))
