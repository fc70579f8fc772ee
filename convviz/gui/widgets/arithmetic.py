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

import html

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from ...engine import WindowStep
from ...model.values import bias_text, display_number, factor_text, step_text, term_text
from ..style import Style

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


#: Size hints of sum labels by (text, font, margin): shared, a sum recurs across views.
_SUM_HINTS: dict[tuple, tuple[QSize, QSize]] = {}


class _SumLabel(QLabel):
    """A rich-text label that remembers its size hints per (text, font).

    A folded sum is a rich-text table whose layout takes ~14 ms at 4K; Qt
    redoes it for the size hints at every relayout after a new text or font,
    and a slide change restyles and relayouts several times while the stage
    finds its scale. The hints of the label depend only on its text
    and font (and for the message, wrapped, its maximum width), so each is laid out
    once (the paint still lays it out).
    """

    def _key(self) -> tuple:
        # A wrapped label's hints do not follow its width either (heightForWidth does):
        # Qt tries a width from the font's average character and the maximum width.
        m = self.contentsMargins()
        return (
            self.text(),
            self.font().key(),
            self.wordWrap(),
            self.maximumWidth(),
            (m.left(), m.top(), m.right(), m.bottom()),
        )

    def _both(self) -> tuple[QSize, QSize]:
        key = self._key()
        hit = _SUM_HINTS.get(key)
        if hit is None:
            hit = (super().sizeHint(), super().minimumSizeHint())
            if len(_SUM_HINTS) > 512:
                _SUM_HINTS.clear()
            _SUM_HINTS[key] = hit
        return hit

    def sizeHint(self) -> QSize:
        return self._both()[0]

    def minimumSizeHint(self) -> QSize:
        return self._both()[1]


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
        self.caption = QLabel()  # "Y[0, 1] =": which output cell, before the sum
        self.sum_label = _SumLabel()
        self.bias_label = QLabel()
        self.note = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for lab in (self.sum_label, self.bias_label):
            lab.setTextFormat(Qt.TextFormat.RichText)
            lab.setWordWrap(False)  # folded by us, at term boundaries only
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
            lab.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            lab.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.note.setWordWrap(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.sum_label.linkHovered.connect(self._on_link_hovered)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
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
        return list(self._lines)

    def font_px(self) -> int:
        """The sum's type size in pixels (tests check it reads from the back row)."""
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

    def _on_link_hovered(self, href: str) -> None:
        t = int(href[1:]) if href.startswith("t") else -1
        self.sig_term_hovered.emit(t)

    def _on_style_changed(self) -> None:
        s = self.style_
        self.note.setFont(s.font(16))
        muted = s.theme.muted
        self.caption.setStyleSheet(f"color: {muted};")
        self.note.setStyleSheet(f"color: {muted};")
        self._plan = None
        self._render()

    def _render(self) -> None:
        s = self.style_
        t = s.theme
        step = self._step
        pts, per, _nlines = self.plan()
        font = s.font_px(pts)
        self.caption.setText(self._caption)
        self.caption.setFont(font)  # same size and line as the sum it starts
        self.caption.setVisible(step is not None)
        self.caption.setMinimumWidth(self._caption_width(font))
        self.caption.setContentsMargins(0, 0, s.px(12), 0)  # a gap before the sum
        if step is None:
            self._lines = []
            self.sum_label.setFont(s.font(20))
            self.sum_label.setWordWrap(True)
            self.sum_label.setText(
                f'<span style="color:{t.muted}">{html.escape(self._message)}</span>'
            )
            self.bias_label.hide()
            self.note.hide()
            self._maybe_relayout()
            return
        self.sum_label.setWordWrap(False)
        x = step.values.ravel()
        k = step.kernel.ravel()
        pad = step.padded.ravel()
        n = len(x)
        self.sum_label.setFont(font)
        self._grid.setHorizontalSpacing(0)
        hl = QColor(t.accent2)
        hl_css = f"rgba({hl.red()},{hl.green()},{hl.blue()},0.35)"
        shown = n if n <= MAX_SHOWN_TERMS else MAX_SHOWN_TERMS - 1
        cells: list[str] = []
        plain: list[str] = []
        for i in range(shown):
            style = f"color:{t.muted}; font-style:italic;" if pad[i] else f"color:{t.text};"
            if i == self._highlight:
                style += f" background-color:{hl_css};"
            text = term_text(x[i], k[i])
            plain.append(text)
            cells.append(
                f'<a href="t{i}" style="text-decoration:none; {style}">'
                f'<span style="{style}">{html.escape(text)}</span></a>'
            )
        total = "?" if self._hide_result else display_number(step.total)
        rows: list[str] = []
        self._lines = []
        sep = f'<td style="color:{t.text}">&nbsp;+&nbsp;</td>'
        for r0 in range(0, shown, per):
            chunk = cells[r0 : r0 + per]
            tds = [sep if r0 else "<td></td>"]
            for j, c in enumerate(chunk):
                if j:
                    tds.append(sep)
                tds.append(f'<td align="right" style="white-space:pre">{c}</td>')
            text = " + ".join(plain[r0 : r0 + per])
            if r0:
                text = "+ " + text
            last = r0 + per >= shown
            if last:
                more = ""
                if shown < n:
                    more = f'<span style="color:{t.muted}">&nbsp;… ({n - shown} more)</span>'
                tds.append(
                    f'<td colspan="99" style="white-space:pre">{more} = <b>'
                    f"{html.escape(total)}</b></td>"
                )
                text += f" = {total}"
            rows.append("<tr>" + "".join(tds) + "</tr>")
            self._lines.append(text)
        if len(rows) == 1:  # one line: plain spans lay out ~3× faster than a table
            more = ""
            if shown < n:
                more = f'<span style="color:{t.muted}">&nbsp;… ({n - shown} more)</span>'
            self.sum_label.setText(
                '<span style="white-space:pre">'
                + " + ".join(cells)
                + f"{more} = <b>{html.escape(total)}</b></span>"
            )
        else:  # folded: a table, so the products line up in columns
            self.sum_label.setText(
                '<table cellspacing="0" cellpadding="0">' + "".join(rows) + "</table>"
            )
        if step.bias != 0:
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
        self.sum_label.setToolTip("Point at a product to see its two cells")
        if np.any(pad):
            self.note.setText(PADDING_NOTE)
        self.note.setVisible(bool(np.any(pad)))
        self._maybe_relayout()
