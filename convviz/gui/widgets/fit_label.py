"""A one-line caption that is set in smaller type rather than lose its ends.

Some captions sit in columns whose width the layout fixes, not their text (the
learning view's columns take fixed shares of the view; a map's column is as wide
as its map): a caption wider than its column was cut ("Y = X ⋆ [1, −1], the targ"
at zoom 200). Widening the column for it would shrink what the column shows, so
the caption's type shrinks instead, in 2 % steps down to :data:`FLOOR` of its size.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF
from PySide6.QtWidgets import QLabel, QWidget

from ._util import restyle

#: The smallest type a caption is set in, as a share of its own size.
FLOOR = 0.6
#: Fits remembered: a slide change resizes each caption several times, and each fit
#: measured the text in up to twenty sizes (1.7 ms of a 4K learning slide's change).
KEPT_FITS = 512

_fits: OrderedDict[tuple[str, str, int], tuple[QFont, bool]] = OrderedDict()


def fitting_font(base: QFont, text: str, room: float) -> tuple[QFont, bool]:
    """The largest type, from ``base`` down to :data:`FLOOR` of it, in which every line
    of ``text`` fits ``room`` pixels, and whether it does (else the floor's type).

    2 % steps, so sizes seen before hit the label paint caches."""
    key = (base.key(), text, int(room))
    hit = _fits.get(key)
    if hit is not None:
        _fits.move_to_end(key)
        return QFont(hit[0]), hit[1]
    found = _fitting_font(base, text, int(room))
    _fits[key] = (QFont(found[0]), found[1])
    while len(_fits) > KEPT_FITS:
        _fits.popitem(last=False)
    return found


def _fitting_font(base: QFont, text: str, room: int) -> tuple[QFont, bool]:
    lines = text.split("\n")

    def width(font: QFont) -> float:
        fm = QFontMetricsF(font)
        return max(fm.horizontalAdvance(line) for line in lines)

    if not text or room <= 0 or width(base) <= room:
        return base, True
    font, ratio = base, 1.0
    while ratio > FLOOR:
        ratio = round(ratio - 0.02, 2)
        font = QFont(base)
        if base.pixelSize() > 0:
            font.setPixelSize(max(1, int(base.pixelSize() * ratio)))
        else:
            font.setPointSizeF(base.pointSizeF() * ratio)
        if width(font) <= room:
            return font, True
    return font, False


class FitLabel(QLabel):
    """A caption that fits its width by its type size, line by line (it never wraps);
    its lines keep the height of its full-size type, so a smaller caption moves
    nothing below it."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._base: QFont | None = None

    def set_base_font(self, font: QFont) -> None:
        """The caption's type when it fits (the view's style sets it)."""
        self._base = QFont(font)
        self._fit()

    def setText(self, text: str) -> None:
        if text != self.text():
            super().setText(text)
            self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._base is None:
            return
        fm = QFontMetrics(self._base)
        height = fm.height() + fm.lineSpacing() * self.text().count("\n")
        if self.minimumHeight() != height or self.maximumHeight() != height:
            self.setFixedHeight(height)
        font, _ = fitting_font(self._base, self.text(), self.contentsRect().width() - 2)
        restyle(self, font)
