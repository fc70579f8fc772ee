"""The arithmetic of one window step in large type, each product tied to its cells.

``0×0 + 1×1 + 3×2 + 4×3 = 19`` as in the chapter's Fig. 6.2.1: input value
× kernel value in row-major window order. A sum too long for one line folds
at a term boundary into aligned columns (a 3×3 kernel: three products a
line), or, past :data:`MAX_LINES`, the whole sum scales down; it never wraps
mid-expression. The fold is fixed per slide from the widest number the
grids can produce (:meth:`ArithmeticView.set_extent`), so stepping changes
the numbers and never the layout. Every product is a link, so
hovering it reports the term (the view then highlights its input cell and
kernel cell), and the view can highlight a term when a cell is hovered. The
numbers all come from the engine's :class:`~convviz.engine.WindowStep`; this
module only formats them.
"""

from __future__ import annotations

import contextlib
import html
import math
from collections.abc import Iterator

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QFontMetrics,
    QFontMetricsF,
    QImage,
    QPainter,
    QTextDocument,
)
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from ...engine import WindowStep
from ...model.values import bias_text, display_number, factor_text, step_text, term_text
from ..style import Style
from . import text_sprites
from ._util import set_style_sheet

#: Products beyond this many are summarised on screen (a 15×15 kernel has 225).
MAX_SHOWN_TERMS = 49
PADDING_NOTE = "Grey, slanted products lie on the padding: its value is 0."
#: A sum folds onto at most this many lines before its type shrinks.
MAX_LINES = 3


def extent_for(session) -> tuple[str, str, str, int, bool, bool]:
    """What to plan a slide's sum for, from a Session: (caption, widest product,
    widest total, products, bias line?, padding note?). Per slide, not per step."""

    def widest(texts) -> str:
        return max(texts, key=len, default="0")

    xs = [factor_text(v) for v in np.unique(session.input)]
    if any(session.options.padding):
        xs.append("0")
    ks = [factor_text(v) for v in np.unique(session.kernel)]
    # The widest sum any window can give, bounded with numpy alone (no engine call:
    # the view plans its layout while the engine may still be warming up).
    x = np.asarray(session.input, dtype=np.float64)
    k = np.asarray(session.kernel, dtype=np.float64)
    bias = session.options.bias
    bound = float(np.abs(x).max(initial=0.0) * np.abs(k).sum()) if x.size else 0.0
    signed = bool((x < 0).any() or (k < 0).any())
    fractional = not (np.all(np.mod(x, 1) == 0) and np.all(np.mod(k, 1) == 0))
    big = display_number(-bound if signed else bound)
    totals = [big + (".000" if fractional and "." not in big else "")]
    oh, ow = session.output_shape or (1, 1)
    return (
        f"Y[{oh - 1}, {ow - 1}] =",
        f"{widest(xs)}×{widest(ks)}",
        widest(totals),
        int(session.kernel.size),
        bias != 0,
        any(session.options.padding),
    )


#: What a piece of the painted sum is drawn as: plain, a padding product, the total.
_PLAIN, _PAD, _BOLD, _MUTED = range(4)
#: Between two products, as the chapter writes it.
SEP = " + "


_METRICS: dict[str, tuple[float, float, float]] = {}
#: The last few messages as drawn (see SumText._message_image), oldest first.
_MESSAGES: dict[tuple, QImage] = {}


def _doc_metrics(font: QFont) -> tuple[float, float, float]:
    """(row pitch, a table's height beyond its rows, one line's height) of rich text in
    ``font``: the sum is placed where the rich-text label put it (~1 ms once a font)."""
    key = font.key()
    m = _METRICS.get(key)
    if m is None:
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(font)
        doc.setHtml(
            '<table cellspacing="0" cellpadding="0"><tr><td>0</td></tr><tr><td>0</td></tr></table>'
        )
        table = doc.rootFrame().childFrames()[0]
        cells = [table.cellAt(r, 0).firstCursorPosition().block() for r in (0, 1)]  # type: ignore[attr-defined]
        lay = doc.documentLayout()
        pitch = lay.blockBoundingRect(cells[1]).top() - lay.blockBoundingRect(cells[0]).top()
        extra = doc.size().height() - 2 * pitch
        doc.setHtml('<span style="white-space:pre">0</span>')
        m = _METRICS[key] = (pitch, extra, doc.size().height())
    return m


class SumText(QWidget):
    """The sum, painted: products one line or folded into right-aligned columns, each
    product a hover target (:attr:`sig_term_hovered`).

    A rich-text QLabel (an HTML table) did this before; its size hint laid the table
    out again on every new text or font, 20-35 ms at 4K, several times a slide change
    (the stage measures the slide at more than one scale). Here the layout is font
    metrics, fixed when the sum is set, and big type is copied from
    :mod:`.text_sprites`.
    """

    sig_term_hovered = Signal(int)  # payload: term index, -1 when none is under the mouse

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._key: tuple | None = None
        # (x, row, text, kind, term index or -1, advance)
        self._items: list[tuple[float, int, str, int, int, float]] = []
        self._fonts: dict[int, QFont] = {}
        self._colors: dict[int, QColor] = {}
        self._highlight_color = QColor()
        self._size = QSize(0, 0)
        self._pitch = 0.0
        self._message = ""
        self._message_font = QFont()
        self._highlight = -1
        self._hover = -1

    # ------------------------------------------------------------- content
    def set_sum(
        self,
        font: QFont,
        terms: list[tuple[str, bool]],
        per: int,
        tail: str,
        total: str,
        colors: tuple[str, str, QColor],
        highlight: int,
    ) -> None:
        """Show ``terms`` (text, on the padding?) ``per`` a line, then ``tail`` (muted,
        e.g. "… (3 more)") and ``= total``; ``colors``: text, muted, highlight."""
        key = ("sum", font.key(), tuple(terms), per, tail, total, colors[:2], colors[2].rgba())
        self._set_highlight_only(highlight)
        if key == self._key:
            return
        self._key = key
        self._message = ""
        text, muted, hl = colors
        italic = QFont(font)
        italic.setItalic(True)
        bold = QFont(font)
        bold.setBold(True)
        self._fonts = {_PLAIN: font, _PAD: italic, _BOLD: bold, _MUTED: font}
        self._colors = {_PLAIN: QColor(text), _PAD: QColor(muted), _BOLD: QColor(text)}
        self._colors[_MUTED] = QColor(muted)
        self._highlight_color = hl
        fms = {k: QFontMetricsF(f) for k, f in self._fonts.items()}

        def adv(t: str, kind: int) -> float:
            return fms[kind].horizontalAdvance(t)

        sep_w = adv(SEP, _PLAIN)
        kinds = [_PAD if pad else _PLAIN for _t, pad in terms]
        widths = [adv(t, k) for (t, _p), k in zip(terms, kinds, strict=True)]
        per = max(1, per)
        rows = max(1, -(-len(terms) // per))
        items: list[tuple[float, int, str, int, int, float]] = []
        if rows == 1:  # one line: each piece follows the last
            x = 0.0
            for i, ((t, _p), k, w) in enumerate(zip(terms, kinds, widths, strict=True)):
                if i:
                    items.append((x, 0, SEP, _PLAIN, -1, sep_w))
                    x += sep_w
                items.append((x, 0, t, k, i, w))
                x += w
            end_x = x
        else:  # folded: right-aligned columns, "+ " leading every line but the first
            # Whole pixels a column, as the rich-text table laid them out.
            cols = [math.ceil(max(widths[j::per], default=0.0)) for j in range(per)]
            sep_w = math.ceil(sep_w)
            starts = [sep_w + j * sep_w + sum(cols[:j]) for j in range(per)]
            end_x = 0.0
            for i, ((t, _p), k, w) in enumerate(zip(terms, kinds, widths, strict=True)):
                r, j = divmod(i, per)
                if j == 0 and r:
                    items.append((0.0, r, SEP, _PLAIN, -1, sep_w))
                elif j:
                    items.append((starts[j] - sep_w, r, SEP, _PLAIN, -1, sep_w))
                items.append((starts[j] + cols[j] - w, r, t, k, i, w))
                end_x = starts[j] + cols[j]
        last = rows - 1
        x = end_x
        right = max((it[0] + it[5] for it in items), default=0.0)
        for t, k in ((tail, _MUTED), (" = ", _PLAIN), (total, _BOLD)):
            if t:
                w = adv(t, k)
                items.append((x, last, t, k, -1, w))
                x += w
        right = max(right, x)
        self._items = items
        pitch, extra, line = _doc_metrics(font)
        self._pitch = pitch
        h = rows * pitch + extra if rows > 1 else line
        self._size = QSize(math.ceil(right), math.ceil(h))
        self.setFont(font)
        self.updateGeometry()
        self.update()

    def set_message(self, message: str, font: QFont, color: str) -> None:
        """A word-wrapped note instead of a sum (no step yet, no output).

        Its type stops at the size Qt caches glyphs for (63 px, 2.9 % of a 4K
        screen): at 95 px "Press → (or Space to play) …" was filled from outlines,
        12 ms of each window slide's first showing at 4K. It is the muted line the
        sum replaces, not what the class reads from the slide.
        """
        font = text_sprites.within_glyph_cache(font)
        key = ("message", message, font.key(), color)
        self._set_highlight_only(-1)
        if key == self._key:
            return
        self._key = key
        self._items = []
        self._size = QSize(0, 0)
        self._message = message
        self._message_font = font
        self._colors = {_MUTED: QColor(color)}
        self.setFont(font)
        self.updateGeometry()
        self.update()

    def _set_highlight_only(self, term: int) -> None:
        if term != self._highlight:
            self._highlight = term
            self.update()

    def message(self) -> str:
        return self._message

    # ------------------------------------------------------------- sizing
    def hasHeightForWidth(self) -> bool:
        return bool(self._message)

    def heightForWidth(self, width: int) -> int:
        if not self._message:
            return self._size.height()
        fm = QFontMetrics(self._message_font)
        flags = int(Qt.TextFlag.TextWordWrap.value)
        return fm.boundingRect(0, 0, max(1, width), 100_000, flags, self._message).height()

    def sizeHint(self) -> QSize:
        if self._message:
            w = max(1, self.width())
            return QSize(w, self.heightForWidth(w))
        return QSize(self._size)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.sizeHint().height())

    # ------------------------------------------------------------- painting
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        if self._message:
            p.drawImage(0, 0, self._message_image())
            p.end()
            return
        clip = QRectF(event.rect())
        for x, row, text, kind, term, w in self._items:
            font = self._fonts[kind]
            box = QRectF(x, row * self._pitch, w, QFontMetricsF(font).height())
            if not box.intersects(clip):
                continue
            if term >= 0 and term == self._highlight:
                p.fillRect(box, self._highlight_color)
            text_sprites.draw_text(p, box, text, font, self._colors[kind])
        p.end()

    def _message_image(self) -> QImage:
        """The message drawn once for its text, font, colour and width: at 4K its type is
        filled from outlines (15 ms a paint), and every slide change repaints it."""
        dpr = self.devicePixelRatioF()
        w, h = max(1, self.width()), max(1, self.height())
        color = self._colors[_MUTED]
        key = (self._message, self._message_font.key(), color.rgba(), w, h, dpr)
        img = _MESSAGES.get(key)
        if img is None:
            img = QImage(int(w * dpr), int(h * dpr), QImage.Format.Format_ARGB32_Premultiplied)
            img.setDevicePixelRatio(dpr)
            img.fill(Qt.GlobalColor.transparent)
            q = QPainter(img)
            q.setFont(self._message_font)
            q.setPen(color)
            flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
            q.drawText(
                QRectF(0, 0, w, h), int(flags.value | Qt.TextFlag.TextWordWrap.value), self._message
            )
            q.end()
            _MESSAGES[key] = img
            while len(_MESSAGES) > 8:
                _MESSAGES.pop(next(iter(_MESSAGES)))
        return img

    # ------------------------------------------------------------- hovering
    def term_at(self, pos: QPointF) -> int:
        """The product under ``pos`` (widget coordinates), or -1."""
        for x, row, _t, _k, term, w in self._items:
            top = row * self._pitch
            if term >= 0 and x <= pos.x() < x + w and top <= pos.y() < top + self._pitch:
                return term
        return -1

    def mouseMoveEvent(self, event) -> None:
        self._hovered(self.term_at(event.position()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self._hovered(-1)
        super().leaveEvent(event)

    def _hovered(self, term: int) -> None:
        if term == self._hover:
            return
        self._hover = term
        if term >= 0:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()
        self.sig_term_hovered.emit(term)


class ArithmeticView(QWidget):
    """One step's products, sum and bias, in type readable from the back of the room."""

    sig_term_hovered = Signal(int)  # payload: term index (row-major over the kernel), -1: none

    def __init__(self, style: Style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.style_ = style
        self._step: WindowStep | None = None
        self._message = ""
        self._caption = ""
        self._highlight = -1
        self._hide_result = False
        self._last_need = -1
        # What the layout is planned for: the widest product and total, how many products.
        self._extent: tuple[str, str, int, bool] = ("0×0", "0", 4, False)
        self._plan: tuple[int, float, int] | None = None  # (width, points, per_line)
        self._caption_template = "Y[0, 0] ="
        self._padding_note = False
        self._lines: list[str] = []  # the sum as folded on screen (see lines())
        self._stale = False  # hidden (another view's stage): rendered when shown
        self._batching = 0  # inside batched(): renders wait for its end
        self._batched_render = False
        self.caption = QLabel()  # "Y[0, 1] =": which output cell, before the sum
        self.sum_label = SumText()  # the products and total, painted (see SumText)
        self.bias_label = QLabel()
        self.note = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for lab in (self.bias_label,):
            lab.setTextFormat(Qt.TextFormat.RichText)
            lab.setWordWrap(False)  # folded by us, at term boundaries only
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
            lab.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            lab.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.note.setWordWrap(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.sum_label.sig_term_hovered.connect(self.sig_term_hovered)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        # (the caption keeps its own gap: a message alone starts where a sum would, not
        # 6 px further on a view that has shown no sum yet)
        grid.setHorizontalSpacing(0)
        grid.addWidget(self.caption, 0, 0)
        grid.addWidget(self.sum_label, 0, 1)
        grid.addWidget(self.bias_label, 1, 1)
        grid.addWidget(self.note, 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(3, 1)
        self._grid = grid
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()

    # ------------------------------------------------------------- planning
    def set_extent(
        self,
        widest_term: str,
        widest_total: str,
        n_terms: int,
        has_bias: bool = False,
        has_padding: bool = False,
    ) -> None:
        """Plan the fold for a slide: the widest product and total any step can show,
        and whether a bias line and a padding note may appear (their room is kept)."""
        self._padding_note = bool(has_padding)
        extent = (widest_term, widest_total, int(n_terms), bool(has_bias))
        if extent != self._extent:
            self._extent = extent
            self._plan = None
            self._render()

    def _base_points(self, n_terms: int) -> float:
        if n_terms <= 4:
            return 34.0
        if n_terms <= 9:
            return 30.0
        if n_terms <= 16:
            return 26.0
        return 22.0

    def _caption_width(self, f: QFont) -> int:
        return QFontMetrics(f).horizontalAdvance(self._caption_template) + self.style_.px(12)

    def set_caption_template(self, text: str) -> None:
        """The widest caption a slide will show, e.g. ``Y[1, 1] =`` for a 2×2 output."""
        if text != self._caption_template:
            self._caption_template = text
            self._plan = None
            self._render()

    def plan(self, width: int | None = None) -> tuple[float, int, int]:
        """(points, products per line, lines) for this width; fixed for a slide.

        One line if the type need shrink at most a fifth for it; else folded
        into balanced lines (a 3×3 kernel: 3 + 3 + 3, never 4 + 4 + 1); past
        :data:`MAX_LINES`, the whole sum shrinks.
        """
        width = max(50, self.width() if width is None else width)
        term, total, n, _ = self._extent
        n = max(1, min(n, MAX_SHOWN_TERMS))
        if self._plan is not None and self._plan[0] == width:
            _, pts, per = self._plan
            return pts, per, max(1, -(-n // per))
        base = self._base_points(n)

        def fits(pts: float, lines: int) -> int | None:
            f = self.style_.font_px(pts)
            fm = QFontMetrics(f)
            room = width - self._caption_width(f) - fm.horizontalAdvance("+ ")
            slot = fm.horizontalAdvance(term) + fm.horizontalAdvance(" + ")
            more = " … (999 more)" if self._extent[2] > MAX_SHOWN_TERMS else ""
            end = fm.horizontalAdvance(" = " + total + more)
            per = -(-n // lines)
            return per if per * slot + end <= room else None

        for lines in range(1, MAX_LINES + 1):
            for shrink in (1.0, 0.9, 0.8):
                per = fits(base * shrink, lines)
                if per is not None:
                    self._plan = (width, base * shrink, per)
                    return base * shrink, per, -(-n // per)
        pts = base * 0.8
        while pts > 10:
            pts *= 0.9
            per = fits(pts, MAX_LINES)
            if per is not None:
                break
        per = per or max(1, -(-n // MAX_LINES))
        self._plan = (width, pts, per)
        return pts, per, -(-n // per)

    def plan_for(self, session) -> None:
        """Plan the fold for the session's slide (see :func:`extent_for`)."""
        caption, term, total, n, bias, padding = extent_for(session)
        self.set_caption_template(caption)
        self.set_extent(term, total, n, bias, padding)

    # ------------------------------------------------------------- sizing
    # The labels do not wrap; this widget states the height its plan needs, which
    # depends on the width and the slide (never on the step), so nothing moves.
    def hasHeightForWidth(self) -> bool:
        return False

    def _needed_height(self, width: int) -> int:
        pts, _per, lines = self.plan(width)
        line = QFontMetrics(self.style_.font_px(pts)).lineSpacing()
        h = lines * line
        if self._extent[3]:
            h += self._grid.verticalSpacing() + line
        if self._padding_note:
            self.note.setText(PADDING_NOTE)
            h += self._grid.verticalSpacing() + self.note.heightForWidth(width)
        return max(h, self._message_height(width))

    def _message_height(self, width: int) -> int:
        if not self._message:
            return 0
        fm = QFontMetrics(self.style_.font(20))
        r = fm.boundingRect(0, 0, max(50, width), 10_000, Qt.TextFlag.TextWordWrap, self._message)
        return r.height()

    def minimumSizeHint(self) -> QSize:
        return QSize(self.style_.px(200), self._needed_height(max(self.width(), 200)))

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._plan is not None and self._plan[0] != max(50, self.width()):
            self._plan = None
            self._render()
        self._maybe_relayout()

    def _maybe_relayout(self) -> None:
        """Ask for a new layout only when the height needed changes (not every step)."""
        need = self._needed_height(max(self.width(), 200))
        if need != self._last_need:
            self._last_need = need
            self.updateGeometry()

    # ------------------------------------------------------------- reading
    @property
    def sum_text(self) -> str:
        """The plain text of the sum line, e.g. ``0×0 + 1×1 + 3×2 + 4×3 = 19``."""
        return step_text(self._step, bias=False) if self._step is not None else ""

    @property
    def bias_text(self) -> str:
        return bias_text(self._step) if self._step is not None else ""

    @property
    def message(self) -> str:
        return self._message

    def plain_text(self) -> str:
        """Everything shown, as plain text (for tests and the clipboard)."""
        if self._step is None:
            return self._message
        lines = [self.sum_text, self.bias_text]
        if self._hide_result:
            lines = [t.rsplit(" = ", 1)[0] + " = ?" for t in lines if t]
        return "\n".join(t for t in lines if t)

    def lines(self) -> list[str]:
        """The sum as folded on screen, one plain string a line (the fold is at ``+``)."""
        self._flush()
        return list(self._lines)

    def font_px(self) -> int:
        """The sum's type size in pixels (tests check it reads from the back row)."""
        self._flush()
        return QFontInfo(self.sum_label.font()).pixelSize()

    # ------------------------------------------------------------- showing
    def show_step(
        self,
        step: WindowStep | None,
        *,
        caption: str = "",
        message: str = "",
        hide_result: bool = False,
    ) -> None:
        """Show ``step``'s arithmetic, or ``message`` when there is no step.

        ``hide_result`` shows ``= ?`` for the sum and result, for a lesson
        that asks the class to predict them first.
        """
        self._step = step
        self._hide_result = hide_result
        self._message = message
        self._caption = caption
        self._render()

    def highlight(self, term: int) -> None:
        """Mark one product (-1: none), as when its cells are hovered."""
        if term != self._highlight:
            self._highlight = term
            self._render()

    @property
    def highlighted(self) -> int:
        return self._highlight

    def _on_style_changed(self) -> None:
        s = self.style_
        self.note.setFont(s.font(16))
        muted = s.theme.muted
        set_style_sheet(self.caption, f"color: {muted};")
        set_style_sheet(self.note, f"color: {muted};")
        self._plan = None
        self._render()

    def showEvent(self, event) -> None:
        self._flush()
        super().showEvent(event)

    def _flush(self) -> None:
        if self._stale:
            self._render()

    def flush(self) -> bool:
        """Draw now what waits for a showing (see :meth:`_render`); True if anything did."""
        if not self._stale:
            return False
        self.render_now()
        return True

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        """Render once, at the end, for all the changes made inside: a slide change
        sets the caption template, the extent and the step, and each rendered the sum
        (0.8 ms at 4K) in turn."""
        self._batching += 1
        try:
            yield
        finally:
            self._batching -= 1
            if not self._batching and self._batched_render:
                self._batched_render = False
                self._render()

    def _render(self) -> None:
        """Show the current step (or message) now, or when shown if hidden: the matrix
        view follows every slide's session while the window view is on screen."""
        if self._batching:
            self._batched_render = True
            return
        if not self.isVisible() and self.isHidden() is False and self.window().isVisible():
            self._stale = True
            return
        self.render_now()

    def render_now(self) -> None:
        """Show the current step (or message) now, hidden or not: a view drawn ahead
        paints it (else the click laid out and drew the sum, its caption and the
        padding note anew: 12 ms of slide 27 at 4K)."""
        self._stale = False
        s = self.style_
        t = s.theme
        step = self._step
        pts, per, _nlines = self.plan()
        font = s.font_px(pts)
        self.caption.setText(self._caption)
        if self.caption.font() != font:
            self.caption.setFont(font)  # same size and line as the sum it starts
        self.caption.setVisible(step is not None)
        self.caption.setMinimumWidth(self._caption_width(font))
        self.caption.setContentsMargins(0, 0, s.px(12), 0)  # a gap before the sum
        # The label could keep its width from the slide before (at its larger type: 257
        # px for 235 at 1280×800, slide 37 after 36), so a slide's layout depended on
        # the one shown before it: a stale size hint is made anew (setIndent drops it).
        m = self.caption.contentsMargins()
        wide = QFontMetrics(font).horizontalAdvance(self._caption) + m.left() + m.right()
        if self.caption.sizeHint().width() > wide + 2:
            self.caption.setIndent(-1)
        if step is None:
            self._lines = []
            self.sum_label.set_message(self._message, s.font(20), t.muted)
            self.bias_label.hide()
            self.note.hide()
            self._maybe_relayout()
            return
        x = step.values.ravel()
        k = step.kernel.ravel()
        pad = step.padded.ravel()
        n = len(x)
        hl = QColor(t.accent2)
        hl.setAlphaF(0.35)
        shown = n if n <= MAX_SHOWN_TERMS else MAX_SHOWN_TERMS - 1
        terms = [(term_text(x[i], k[i]), bool(pad[i])) for i in range(shown)]
        plain = [text for text, _p in terms]
        total = "?" if self._hide_result else display_number(step.total)
        more = f"\u00a0… ({n - shown} more)" if shown < n else ""
        self._lines = []
        for r0 in range(0, shown, per):
            text = " + ".join(plain[r0 : r0 + per])
            if r0:
                text = "+ " + text
            if r0 + per >= shown:
                text += f" = {total}"
            self._lines.append(text)
        self.sum_label.set_sum(
            font, terms, per, more, total, (t.text, t.muted, hl), self._highlight
        )
        if step.bias != 0:
            if self.bias_label.font() != font:
                self.bias_label.setFont(font)
            b, result = (
                html.escape(factor_text(step.bias)),
                html.escape(display_number(step.result)),
            )
            if self._hide_result:
                result = "?"
            self.bias_label.setText(
                f"{html.escape(total)} + {b} = <b>{result}</b>"
                f'&nbsp;&nbsp;<span style="color:{t.muted}">(sum + bias b)</span>'
            )
            self.bias_label.show()
        else:
            self.bias_label.hide()
        if not self.sum_label.toolTip():
            self.sum_label.setToolTip("Point at a product to see its two cells")
        if np.any(pad):
            self.note.setText(PADDING_NOTE)
        self.note.setVisible(bool(np.any(pad)))
        self._maybe_relayout()
