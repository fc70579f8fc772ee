"""The arithmetic of one window step in large type, each product tied to its cells.

``0×0 + 1×1 + 3×2 + 4×3 = 19`` as in the chapter's Fig. 6.2.1: input value
× kernel value in row-major window order. Every product is a link, so
hovering it reports the term (the view then highlights its input cell and
kernel cell), and the view can highlight a term when a cell is hovered. The
numbers all come from the engine's :class:`~convviz.engine.WindowStep`; this
module only formats them.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from ...engine import WindowStep
from ...model.values import format_number
from ..style import Style

MINUS = "\u2212"
#: Products beyond this many are summarised on screen (a 15×15 kernel has 225).
MAX_SHOWN_TERMS = 49


def num(value: float) -> str:
    """A number as shown in the arithmetic: no ``.0``, a long minus."""
    return format_number(value).replace("-", MINUS)


def factor(value: float) -> str:
    """A factor of a product: negative numbers in parentheses, ``(−1)``."""
    s = num(value)
    return f"({s})" if s.startswith(MINUS) else s


def term_text(x: float, k: float) -> str:
    return f"{factor(x)}×{factor(k)}"


def sum_text(step: WindowStep) -> str:
    """``0×0 + 1×1 + 3×2 + 4×3 = 19``: the products in row-major order and their sum."""
    terms = [term_text(x, k) for x, k in zip(step.values.ravel(), step.kernel.ravel(), strict=True)]
    return " + ".join(terms) + f" = {num(step.total)}"


def bias_text(step: WindowStep) -> str:
    """``19 + 0.5 = 19.5``: the second step, adding the bias (empty when there is none)."""
    if step.bias == 0:
        return ""
    return f"{num(step.total)} + {factor(step.bias)} = {num(step.result)}"


class ArithmeticView(QWidget):
    """One step's products, sum and bias, in type readable from the back of the room."""

    sig_term_hovered = Signal(int)  # payload: term index (row-major over the kernel), -1: none

    def __init__(self, style: Style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.style_ = style
        self._step: WindowStep | None = None
        self._message = ""
        self._highlight = -1
        self._hide_result = False
        self._last_need = -1
        self.caption = QLabel()  # "Y[0, 1] =": which output cell, before the sum
        self.sum_label = QLabel()
        self.bias_label = QLabel()
        self.note = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for lab in (self.sum_label, self.bias_label):
            lab.setTextFormat(Qt.TextFormat.RichText)
            lab.setWordWrap(True)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
            lab.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
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
        self._grid = grid
        style.sig_changed.connect(self._on_style_changed)
        self._on_style_changed()

    # ------------------------------------------------------------- sizing
    # The labels wrap, but a height-for-width child lets a crowded window squeeze
    # the sum below one line; this widget states the height it needs instead.
    def hasHeightForWidth(self) -> bool:
        return False

    def _needed_height(self, width: int) -> int:
        lay = self._grid
        spacing = lay.verticalSpacing()
        cap = self.caption.sizeHint().width() if self.caption.isVisible() else 0
        text_w = max(50, width - cap - lay.horizontalSpacing())
        h = 0
        rows = 0
        for lab, w in ((self.sum_label, text_w), (self.bias_label, text_w), (self.note, width)):
            if lab.isVisibleTo(self):
                h += max(lab.heightForWidth(w), lab.minimumHeight())
                rows += 1
        return h + max(0, rows - 1) * spacing

    def minimumSizeHint(self) -> QSize:
        return QSize(self.style_.px(200), self._needed_height(max(self.width(), 200)))

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
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
        return sum_text(self._step) if self._step is not None else ""

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
        self.note.setFont(s.font(12))
        muted = s.theme.muted
        self.caption.setStyleSheet(f"color: {muted};")
        self.note.setStyleSheet(f"color: {muted};")
        self._render()

    def _term_font_points(self, n_terms: int) -> float:
        if n_terms <= 4:
            return 34.0
        if n_terms <= 9:
            return 30.0
        if n_terms <= 16:
            return 22.0
        if n_terms <= 25:
            return 18.0
        return 14.0

    def _render(self) -> None:
        s = self.style_
        t = s.theme
        step = self._step
        self.caption.setText(getattr(self, "_caption", ""))
        self.caption.setVisible(step is not None)
        if step is None:
            self.sum_label.setFont(s.font(20))
            self.sum_label.setMinimumHeight(QFontMetrics(self.sum_label.font()).height())
            self.sum_label.setText(
                f'<span style="color:{t.muted}">{html.escape(self._message)}</span>'
            )
            self.bias_label.hide()
            self.note.hide()
            self._maybe_relayout()
            return
        x = step.values.ravel()
        k = step.kernel.ravel()
        pad = step.padded.ravel()
        n = len(x)
        pts = self._term_font_points(n)
        self.sum_label.setFont(s.font(pts))
        # At least one whole line: the grids above shrink first, never the sum.
        line = QFontMetrics(self.sum_label.font()).height()
        self.sum_label.setMinimumHeight(line)
        self.bias_label.setMinimumHeight(line)
        self.caption.setFont(s.font(pts * 0.7))
        self._grid.setHorizontalSpacing(s.px(12))
        hl = QColor(t.accent2)
        hl_css = f"rgba({hl.red()},{hl.green()},{hl.blue()},0.35)"
        parts = []
        shown = n if n <= MAX_SHOWN_TERMS else MAX_SHOWN_TERMS - 1
        for i in range(shown):
            style = f"color:{t.muted}; font-style:italic;" if pad[i] else f"color:{t.text};"
            if i == self._highlight:
                style += f" background-color:{hl_css};"
            text = html.escape(term_text(x[i], k[i]))
            parts.append(
                f'<a href="t{i}" style="text-decoration:none; {style}">'
                f'<span style="{style}">{text}</span></a>'
            )
        if shown < n:
            parts.append(f'<span style="color:{t.muted}">… ({n - shown} more products)</span>')
        total = "?" if self._hide_result else html.escape(num(step.total))
        line = " + ".join(parts) + f" = <b>{total}</b>"
        self.sum_label.setText(line)
        if step.bias != 0:
            self.bias_label.setFont(s.font(self._term_font_points(n), bold=False))
            b, result = html.escape(factor(step.bias)), html.escape(num(step.result))
            if self._hide_result:
                result = "?"
            self.bias_label.setText(
                f"{total} + {b} = <b>{result}</b>"
                f'&nbsp;&nbsp;<span style="color:{t.muted}">(sum + bias b)</span>'
            )
            self.bias_label.show()
        else:
            self.bias_label.hide()
        self.sum_label.setToolTip("Point at a product to see its two cells")
        if np.any(pad):
            self.note.setText("Grey, slanted products lie on the padding: its value is 0.")
        self.note.setVisible(bool(np.any(pad)))
        self._maybe_relayout()
