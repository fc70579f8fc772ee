"""A grid of numbers, custom-painted: the one widget every view draws grids with.

A QTableWidget takes about 160 ms to repaint 64×64; this takes a few: cell
colours as one scaled image (the theme's diverging scale, or grey for a
picture), digits only where a cell is large enough to read them, outlines
for the sliding window, hatched rings for the padding. Editing lives in
:mod:`.grid_editor`, the tools around it in :mod:`.grid_panel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QLineF,
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
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QSizePolicy,
    QWidget,
)

from ...model import colormap
from ...model.values import MINUS, display_number, fit_number
from ..style import Style, is_picture, to_rgb
from ._util import text_color_for
from .text_sprites import draw_text

GridName = Literal["input", "kernel"]
#: The theme colours an outline may take (a role, never a colour: it follows the theme).
OutlineRole = Literal["accent", "accent2"]

#: Digits smaller than this many pixels are not drawn (cells keep their colour).
MIN_DIGIT_PX = 10
#: The largest cell, in pixels at 100 % zoom.
MAX_CELL = 120
#: Digits are this share of the cell high, and use at most this share of its width.
DIGIT_SHARE = 0.6
DIGIT_ROOM = 0.86
#: Typing one of these on a selected cell starts editing it with that character.
_START_CHARS = "0123456789-+." + MINUS
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


#: A cell's digits as shown (a long, visible minus): the model's one number format.
cell_text = display_number

#: The widest text :attr:`GridWidget.reserve_chars` keeps room for: a minus, then digits
#: (−26612 is wider than −0.045).
RESERVE_SAMPLE = f"{MINUS}{'8' * 12}"


@dataclass
class _Base:
    """A grid's base layer: its image, where it goes, and the mask it was painted with."""

    image: QImage
    rect: QRect
    mask: np.ndarray | None


def _same_mask(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and bool(np.array_equal(a, b))


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
        self._outlines: dict[OutlineRole, np.ndarray] = {}
        self._image: QImage | None = None
        self._rgb: np.ndarray | None = None  # padded (Hp, Wp, 3)
        self._texts: list[list[str]] | None = None
        self._font_cache: tuple[tuple[int, str | int], QFont | None] | None = None
        self._hover: tuple[int, int] = (-1, -1)
        self.max_cell = MAX_CELL
        self.cell_cap: float | None = None  # set by a view to give several grids one cell size
        #: Grids drawn with one cell size (the smallest of their own): the window view's
        #: input, kernel and output, so the output is never smaller than the input.
        self.cell_group: list[GridWidget] = []
        #: The widget holding the group (a view): a member shows if it shows within it,
        #: so a view drawn ahead while hidden shares its cells as it will on screen.
        self.cell_root: QWidget | None = None
        #: Smallest cell, in stage units, when the grid is small enough to show its digits.
        self.min_readable_cell = 44.0
        #: True for a picture's grid (the input): shown grey, 0 black and the largest white,
        #: whenever it has no negative value. Kernels and maps keep the diverging scale.
        self.picture_ok = False
        #: False for a thumbnail that gives context and is not read (the learning
        #: view's X and Y): colours only, and it may be small.
        self.show_digits = True
        self._text_need: tuple | None = None
        #: Bumped whenever the values, padding or style change what the cells need;
        #: with the widget's size it keys the cached natural cell (a step reads it
        #: dozens of times: outlines, the shared cell size, the paint).
        self._rev = 0
        self._natural: tuple[tuple, float] | None = None
        self._span = (0, 0, 0, 0)  # padded rows/columns being repainted (r0, r1, c0, c1)
        #: The cells, digits, lines and padding as painted ahead (hidden), at the
        #: widget's pixels, by what they show: when shown, a repaint copies the base
        #: (outlines and the editor's marks go on top), so a slide drawn ahead shows
        #: without drawing its digits again (a 24×48 grid of digits took 15-21 ms at
        #: 4K). Two are kept: the view drawn ahead shows its own session again until
        #: the click, then the slide's.
        self._bases: dict[tuple, _Base] = {}
        self._style_rev = 0
        #: Values new at every frame (a kernel being learned, its gradient): painted
        #: directly, no base kept (making one was a copy more per frame, 1.4 ms at 4K).
        self.live = False
        #: Room kept for numbers this long, for values that change as you watch (a
        #: kernel being learned): their cells keep one size, nothing moves. Longer
        #: numbers are written in as many characters (:func:`fit_number`): a diverging
        #: gradient's −2.66e+04 grew the cells mid-slide.
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
        old_values, old_mask, old_limit = self._values, self._mask, self._limit
        self._values = None if values is None else np.array(values, dtype=np.float64)
        self._mask = None if mask is None else np.asarray(mask, dtype=bool)
        self._limit = limit
        changed = self._changed_cells(old_values, old_mask, old_limit)
        look = self._new_look(old_values, old_mask) if changed is None and self.live else None
        if look is not None and look[0] == self._texts and np.array_equal(look[1], self._rgb):
            return  # (a kernel that has settled: new values, the same numbers and colours)
        self._invalidate(changed)
        if look is not None:  # (made to compare: kept for the paint)
            self._texts = look[0]
            self._build_image(look[1])
        if (
            self._values is None
            or self._values.shape != old_shape
            or self._cell_for_text() != old_need
        ):
            self._update_max_size()

    def _new_look(
        self, old_values: np.ndarray | None, old_mask: np.ndarray | None
    ) -> tuple[list[list[str]], np.ndarray] | None:
        """The numbers as printed and the colours of the new values, when they can be
        compared with what was drawn (same shape and mask, drawn already, small);
        else None. A kernel that has settled changes in digits no one sees at every
        frame of a run, and its grid was repainted each time (~0.3 ms at 4K)."""
        v, m = self._values, self._mask
        if (
            v is None
            or old_values is None
            or old_values.shape != v.shape
            or v.size > 256
            or self._texts is None
            or self._rgb is None
            or (m is None) != (old_mask is None)
            or (m is not None and old_mask is not None and not np.array_equal(m, old_mask))
        ):
            return None
        return self._make_texts(v), self._colours()

    def _changed_cells(self, old_values, old_mask, old_limit) -> np.ndarray | None:
        """The cells a new mask reveals or hides, when nothing else changed (a step);
        None when everything must be redrawn."""
        v, m = self._values, self._mask
        if (
            v is None
            or old_values is None
            or old_values.shape != v.shape
            or old_limit != self._limit
            or m is None
            or old_mask is None
            or old_mask.shape != m.shape
            or not np.array_equal(old_values, v)
        ):
            return None
        return old_mask != m

    def _mask_rect(self, m: np.ndarray, grow: float = 0.0) -> QRect:
        """The widget rectangle around a mask's True cells (grid or padded shape)."""
        rows = np.flatnonzero(m.any(1))
        if rows.size == 0:
            return QRect()
        cols = np.flatnonzero(m.any(0))
        r0, r1, c0, c1 = int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])
        if m.shape == self.shape():
            ph, pw = self._pad
            r0, r1, c0, c1 = r0 + ph, r1 + ph, c0 + pw, c1 + pw
        cell, x0, y0 = self._geometry()
        rect = QRectF(x0 + c0 * cell, y0 + r0 * cell, (c1 - c0 + 1) * cell, (r1 - r0 + 1) * cell)
        return rect.adjusted(-grow, -grow, grow, grow).toAlignedRect()

    def _outline_margin(self) -> float:
        return max(2.0, float(self.style_.px(5))) + 6

    def set_limit(self, limit: float | None) -> None:
        """Change the colour scale's half-width (shared between grids)."""
        if limit != self._limit:
            self._limit = limit
            # Only the colours: the true kernel's scale follows the learned one's at
            # every frame, and its numbers, sizes and fonts stay as they are. Once a
            # diverging run's scale is hundreds, its ±1 keep their colours from frame
            # to frame: then nothing is repainted.
            drawn = self._rgb
            self._image = None
            self._rgb = None
            if drawn is not None and self._values is not None:
                self._build_image()
                if np.array_equal(drawn, self._rgb):
                    return
            self.update()

    def set_outline(self, cells: np.ndarray | None, role: OutlineRole = "accent") -> None:
        """Outline the True cells of a bool mask in the theme colour ``role``; None clears.

        ``role`` names a colour of the theme (``"accent"``, ``"accent2"``), never a
        colour itself: the outline follows the theme when it changes.
        """
        if cells is None:
            if self._outlines.pop(role, None) is not None:
                self.update()
            return
        m = np.asarray(cells, dtype=bool)
        old = self._outlines.get(role)
        if old is not None and old.shape == m.shape and np.array_equal(old, m):
            return
        self._outlines[role] = m
        # Only where the outline was and is: a step at 4K repaints two windows, not the grid.
        grow = self._outline_margin()
        region = self._mask_rect(m, grow)
        if old is not None:
            region = region.united(self._mask_rect(old, grow))
        self.update(region if not region.isEmpty() else self.rect())

    def set_padding(self, pad: tuple[int, int]) -> None:
        """Draw ``(ph, pw)`` rings of hatched padded cells (value 0) around the grid."""
        p = (max(0, int(pad[0])), max(0, int(pad[1])))
        if p != self._pad:
            self._pad = p
            self._invalidate()  # bumps _rev: the padded shape changed
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

    def _make_texts(self, values: np.ndarray) -> list[list[str]]:
        d, n = self.digits, self.reserve_chars
        if n:
            return [[fit_number(x, d, n) for x in row] for row in values]
        return [[cell_text(x, d) for x in row] for row in values]

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
            self._texts = self._make_texts(self._values)
        longest = max((len(t) for row in self._texts for t in row), default=1)
        longest = max(longest, self.reserve_chars)
        cell = float(np.ceil(max(need / DIGIT_SHARE, need * 0.7 * longest / DIGIT_ROOM)) + 2)
        if self.reserve_chars:  # the widest number it keeps room for, measured
            f = self.style_.font(bold=True)
            f.setPixelSize(int(np.ceil(need)))
            sample = QFontMetrics(f).horizontalAdvance(RESERVE_SAMPLE[: self.reserve_chars])
            cell = max(cell, float(np.ceil(sample / DIGIT_ROOM)) + 2)
        self._text_need = ((need, True, id(self._values)), cell)
        return cell

    def natural_cell(self) -> float:
        """The cell size this widget would use on its own (no :attr:`cell_cap`)."""
        key = (
            self.width(),
            self.height(),
            self._rev,
            self.max_cell,
            self.reserve_chars,
            self.show_digits,
            self.min_readable_cell,
            self.digits,
        )
        if self._natural is not None and self._natural[0] == key:
            return self._natural[1]
        hp, wp = self.padded_shape()
        if hp == 0:
            return 0.0
        m = self._margin()
        room = min((key[0] - 2 * m) / wp, (key[1] - 2 * m) / hp)
        # The back row's floor beats any cap on the cell (a view's shared size).
        cell = min(max(self._max_cell_px(), self._cell_for_text()), room)
        cell = max(2.0, float(np.floor(cell)))
        self._natural = (key, cell)
        return cell

    def set_cell_cap(self, cap: float | None) -> None:
        if cap != self.cell_cap:
            self.cell_cap = cap
            self._font_cache = None
            self.update()
            self._cell_cap_changed()

    def _geometry(self) -> tuple[float, float, float]:
        hp, wp = self.padded_shape()
        if hp == 0:
            return 0.0, 0.0, 0.0
        cell = self.natural_cell()
        if self.cell_cap is not None:
            cell = max(2.0, min(cell, float(self.cell_cap)))
        if self.cell_group:  # one size for the group, read now: never stale after a resize
            root = self.cell_root
            shared = [
                g.natural_cell()
                for g in self.cell_group
                if (g.isVisibleTo(root) if root is not None else g.isVisible())
                and g._values is not None
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

    def _invalidate(self, changed: np.ndarray | None = None) -> None:
        """Drop what was drawn from the values; ``changed``: only these cells' mask
        changed (same numbers), so only they are repainted."""
        self._image = None
        self._rgb = None
        if changed is not None:
            if changed.any():
                self.update(self._mask_rect(changed, 2))
            return
        self._texts = None  # (the digits' font is keyed by what it was fitted to)
        self._rev += 1
        self.update()

    def _on_style_changed(self) -> None:
        self._style_rev += 1
        self._bases.clear()
        self._font_cache = None
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

    def _colours(self) -> np.ndarray:
        """The padded grid's colours, (Hp, Wp, 3)."""
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
        return rgb

    def _build_image(self, rgb: np.ndarray | None = None) -> None:
        self._rgb = rgb = self._colours() if rgb is None else rgb
        hp, wp = rgb.shape[:2]
        buf = np.ascontiguousarray(rgb)
        self._image = QImage(buf.data, wp, hp, 3 * wp, QImage.Format.Format_RGB888).copy()

    def _digit_font(self) -> QFont | None:
        """The font for the digits at this cell size, or None when too small to read.

        A grid keeping room for numbers (:attr:`reserve_chars`) sizes its digits for
        the widest of them, not for the numbers it shows: fitted to each frame's,
        a kernel being learned changed its digits' size at every frame (76, 97, 92
        px at 4K), and each new size rendered its digits anew.
        """
        if self._values is None or not self.show_digits:
            return None
        cell = self._geometry()[0]
        px = int(cell * DIGIT_SHARE)
        if px < MIN_DIGIT_PX:  # before formatting every number (a 64×64 grid: 4096 of them)
            return None
        n = self.reserve_chars
        # Keyed by what it is fitted to: the widest number kept room for, or (without
        # room kept) the values, whose longest text is then not looked for again.
        key: tuple[int, str | int] = (int(cell), self._rev)
        if n or self._font_cache is None or self._font_cache[0] != key:
            if self._texts is None:
                self._texts = self._make_texts(self._values)
            longest = max((s for row in self._texts for s in row), key=len, default="0")
            if self._pad != (0, 0) and len(longest) < 1:
                longest = "0"
            sample = RESERVE_SAMPLE[:n] if n and len(longest) <= n else longest
            if n:
                key = (int(cell), sample)
        if self._font_cache is not None and self._font_cache[0] == key:
            return self._font_cache[1]
        f = self.style_.font(bold=True)
        f.setPixelSize(px)
        width = QFontMetrics(f).horizontalAdvance(sample)
        room = cell * DIGIT_ROOM
        if width > room:
            px = int(px * room / width)
            if px < MIN_DIGIT_PX:
                self._font_cache = (key, None)
                return None
            f.setPixelSize(px)
        self._font_cache = (key, f)
        return f

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        if self._values is None:
            if self.empty_text:
                p.setPen(self.style_.color("muted"))
                p.setFont(self.style_.font())
                p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            p.end()
            return
        cell, x0, y0 = self._geometry()
        # A base is made only when painted ahead (hidden, see Stage.paint_ahead) and
        # used while it fits: made at every visible paint, its new image (pages
        # faulted in, filled, copied) cost more than the paint it saved (slides 1-3
        # back and forth at 4K: 10 -> 18 ms). On screen without one, nothing is keyed.
        hidden = not self.isVisible()
        key = None
        if not self.live and (hidden or self._bases):
            key = self._base_key(cell, x0, y0)
        if key is not None and (hidden or key in self._bases):
            self._paint_base(p, event.rect(), key, cell, x0, y0)
        else:
            self._bases.clear()  # what was drawn ahead is no longer what is shown
            if self._image is None:
                self._build_image()
            self._paint_layer(p, event.rect(), cell, x0, y0)
        self._paint_outlines(p, cell, x0, y0)
        self._paint_extra(p, cell, x0, y0)
        p.end()

    def _base_key(self, cell: float, x0: float, y0: float) -> tuple:
        """What a base layer shows, but for the mask (see :meth:`_paint_base`)."""
        v = self._values
        assert v is not None
        key = (v.shape, hash(v.tobytes()), self.limit(), self._pad, self._style_rev)
        key += (self.width(), self.height(), cell, x0, y0, self.devicePixelRatioF())
        return (*key, self.show_digits, self.digits, self.reserve_chars, self.picture_ok)

    def _paint_base(
        self, p: QPainter, exposed: QRect, key: tuple, cell: float, x0: float, y0: float
    ) -> None:
        """Copy the exposed part of the base layer, painting into it first the cells
        whose mask changed since it was painted (a revealed output cell)."""
        v = self._values
        assert v is not None
        hp, wp = self.padded_shape()
        dpr = self.devicePixelRatioF()
        mask = self._mask if self._mask is not None and self._mask.shape == v.shape else None
        base = self._bases.pop(key, None)
        if base is None:
            full = QRectF(x0, y0, cell * wp, cell * hp)
            grow = max(2, self.style_.px(2))  # the padding's frame and the last grid line
            rect = full.adjusted(-grow, -grow, grow + 1, grow + 1).toAlignedRect()
            rect = rect.intersected(self.rect())
            if rect.isEmpty():
                return
            image = QImage(rect.size() * dpr, QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(dpr)
            base = _Base(image, rect, None)
            dirty = rect
        elif _same_mask(base.mask, mask):
            dirty = QRect()
        elif base.mask is None or mask is None:
            dirty = base.rect
        else:
            dirty = self._mask_rect(base.mask != mask, 2).intersected(base.rect)
        self._bases[key] = base  # the most recent last
        while len(self._bases) > 2:
            del self._bases[next(iter(self._bases))]
        origin = base.rect.topLeft()
        if not dirty.isEmpty():
            if self._image is None:
                self._build_image()
            bp = QPainter(base.image)
            bp.translate(-origin)
            bp.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            bp.fillRect(dirty, Qt.GlobalColor.transparent)
            bp.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
            bp.setClipRect(dirty)
            self._paint_layer(bp, dirty, cell, x0, y0)
            bp.end()
            base.mask = None if mask is None else mask.copy()
        target = exposed.intersected(base.rect)
        if not target.isEmpty():
            src = QRectF(target.translated(-origin))
            src = QRectF(src.topLeft() * dpr, src.size() * dpr)
            p.drawImage(QRectF(target), base.image, src)

    def _paint_layer(self, p: QPainter, rect: QRect, cell: float, x0: float, y0: float) -> None:
        """The cells in ``rect``: colours, padding hatch, grid lines, digits, frame."""
        t = self.style_.theme
        hp, wp = self.padded_shape()
        h, w = self.shape()
        ph, pw = self._pad
        full = QRectF(x0, y0, cell * wp, cell * hp)
        # Only the cells the repaint touches (a revealed cell, not the grid).
        self._span = self._exposed(rect, cell, x0, y0, hp, wp)
        self._paint_cells(p, full, cell, hp, wp)
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

    @staticmethod
    def _exposed(
        rect: QRect, cell: float, x0: float, y0: float, hp: int, wp: int
    ) -> tuple[int, int, int, int]:
        """Padded rows and columns ``(r0, r1, c0, c1)`` that ``rect`` touches."""
        if cell <= 0:
            return 0, hp, 0, wp
        r0 = max(0, int((rect.top() - y0) // cell))
        r1 = min(hp, int((rect.bottom() + 1 - y0) // cell) + 1)
        c0 = max(0, int((rect.left() - x0) // cell))
        c1 = min(wp, int((rect.right() + 1 - x0) // cell) + 1)
        return r0, max(r0, r1), c0, max(c0, c1)

    def _paint_cells(self, p: QPainter, full: QRectF, cell: float, hp: int, wp: int) -> None:
        """The cell colours. Few large cells (a projector): one rectangle each, which
        is ~40× faster at 4K than scaling a 3×3 RGB888 image up (7 ms a grid). Many
        cells: the image, converted once to the raster engine's own format."""
        rgb = self._rgb
        if rgb is not None and hp * wp <= 1024:
            x0, y0 = full.left(), full.top()
            r0, r1, c0, c1 = self._span
            for r in range(r0, r1):
                y = y0 + r * cell
                for c in range(c0, c1):
                    q = rgb[r, c]
                    p.fillRect(
                        QRectF(x0 + c * cell, y, cell, cell),
                        QColor(int(q[0]), int(q[1]), int(q[2])),
                    )
            return
        if self._image.format() != QImage.Format.Format_RGB32:
            self._image = self._image.convertToFormat(QImage.Format.Format_RGB32)
        p.drawImage(full, self._image)

    def _paint_digits(self, p: QPainter, cell: float, x0: float, y0: float) -> None:
        f = self._digit_font()
        if f is None or self._texts is None or self._rgb is None:
            return
        h, w = self.shape()
        ph, pw = self._pad
        mask = self._mask if self._mask is not None and self._mask.shape == (h, w) else None
        rgb = self._rgb
        r0, r1, c0, c1 = self._span  # padded coordinates
        # Projected digits are big: drawn once per (text, size, colour), then copied.
        for r in range(max(0, r0 - ph), min(h, r1 - ph)):
            y = y0 + (r + ph) * cell
            row = self._texts[r]
            for c in range(max(0, c0 - pw), min(w, c1 - pw)):
                if mask is not None and not mask[r, c]:
                    continue
                color = text_color_for(rgb[r + ph, c + pw])  # black or white, by contrast
                rect = QRectF(x0 + (c + pw) * cell, y, cell, cell)
                draw_text(p, rect, row[c], f, color)
        if ph or pw:  # the padding's zeros, quieter
            color = self.style_.color("text")
            for pr in range(r0, r1):
                for pc in range(c0, c1):
                    if ph <= pr < ph + h and pw <= pc < pw + w:
                        continue
                    rect = QRectF(x0 + pc * cell, y0 + pr * cell, cell, cell)
                    draw_text(p, rect, "0", f, color)

    def _outline_lines(self, m: np.ndarray, cell: float, x0: float, y0: float) -> list[QLineF]:
        h, w = self.shape()
        ph, pw = self._pad
        if m.shape == (h, w) and (ph or pw):
            full = np.zeros(self.padded_shape(), bool)
            full[ph : ph + h, pw : pw + w] = m
            m = full
        rows = np.flatnonzero(m.any(1))
        cols = np.flatnonzero(m.any(0))
        solid = (
            rows.size
            and m.sum() == rows.size * cols.size
            and rows[-1] - rows[0] + 1 == rows.size
            and cols[-1] - cols[0] + 1 == cols.size
        )
        if solid:  # a solid rectangle (every window without dilation): its four sides
            left, top = x0 + cols[0] * cell, y0 + rows[0] * cell
            right, bottom = x0 + (cols[-1] + 1) * cell, y0 + (rows[-1] + 1) * cell
            return [
                QLineF(left, top, right, top),
                QLineF(left, bottom, right, bottom),
                QLineF(left, top, left, bottom),
                QLineF(right, top, right, bottom),
            ]
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
            color = self.style_.color(role)
            lines = self._outline_lines(m, cell, x0, y0)
            halo = QPen(self.style_.color("base"), width + 4)
            halo.setCapStyle(Qt.PenCapStyle.SquareCap)
            p.setPen(halo)
            p.drawLines(lines)
            pen = QPen(color, width)
            pen.setCapStyle(Qt.PenCapStyle.SquareCap)
            p.setPen(pen)
            p.drawLines(lines)

    def _cell_cap_changed(self) -> None:
        """Hook for subclasses (the editor moves its cell editor)."""

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
