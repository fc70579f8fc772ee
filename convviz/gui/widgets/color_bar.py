"""The colour scale's legend: −limit .. 0 .. +limit on the theme's diverging scale."""

from __future__ import annotations

from PySide6.QtCore import (
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QLinearGradient,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QSizePolicy,
    QWidget,
)

from ..style import Style, theme_lut
from .grid_widget import cell_text


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

    def _caption_width(self, fm: QFontMetrics) -> int:
        return fm.horizontalAdvance(self.caption) + 2 if self.caption else 0

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self._font())
        h = self.style_.px(12) + 2 * fm.height() + self.style_.px(4)
        return QSize(max(self.style_.px(230), self._caption_width(fm)), h)

    def minimumSizeHint(self) -> QSize:
        # Never narrower than its caption: a clipped "input and k" tells no one anything.
        fm = QFontMetrics(self._font())
        return QSize(max(self.style_.px(140), self._caption_width(fm)), self.sizeHint().height())

    def caption_rect(self) -> QRect:
        """Where the caption is drawn (tests check it lies inside the widget)."""
        if not self.caption:
            return QRect()
        fm = QFontMetrics(self._font())
        return fm.boundingRect(self._shown_caption(fm)).translated(0, fm.ascent())

    def shown_caption(self) -> str:
        """The caption as drawn at this width (elided only when squeezed)."""
        return self._shown_caption(QFontMetrics(self._font()))

    def _shown_caption(self, fm: QFontMetrics) -> str:
        """The caption, elided at its end only if a layout squeezed the bar below its
        minimum (then "…" says so, rather than a word cut off mid-letter)."""
        return fm.elidedText(self.caption, Qt.TextElideMode.ElideRight, self.width())

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
            p.drawText(0, fm.ascent(), self._shown_caption(fm))
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
