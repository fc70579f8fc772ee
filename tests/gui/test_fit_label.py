"""Captions in columns the layout sizes: smaller type, never a lost end."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF

from convviz.gui.widgets.fit_label import FLOOR, FitLabel, fitting_font


def _font(px: int) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    return f


def test_the_largest_type_that_fits_every_line(qapp):
    base = _font(40)
    text = "Output shape\nrows: ⌊(2 + 2·1 − 1·(2−1) − 1) / 1⌋ + 1 = 3"
    wide = max(QFontMetricsF(base).horizontalAdvance(s) for s in text.split("\n"))
    font, fits = fitting_font(base, text, wide * 0.8)
    assert fits and font.pixelSize() < 40
    assert max(QFontMetricsF(font).horizontalAdvance(s) for s in text.split("\n")) <= wide * 0.8
    bigger = QFont(base)
    bigger.setPixelSize(font.pixelSize() + 1)  # one step up would not have fitted
    assert max(QFontMetricsF(bigger).horizontalAdvance(s) for s in text.split("\n")) > wide * 0.8
    assert fitting_font(base, text, wide + 1) == (base, True)  # fits: untouched
    floor, fits = fitting_font(base, text, wide * FLOOR * 0.5)
    assert not fits and floor.pixelSize() == int(40 * FLOOR)


def test_a_caption_narrower_than_its_text_shrinks_and_keeps_its_height(qtbot):
    lab = FitLabel("Y = X ⋆ [1, −1], the target")
    qtbot.addWidget(lab)
    lab.set_base_font(_font(30))
    lab.resize(2000, 10)
    lab.show()
    qtbot.waitExposed(lab)
    height = lab.height()
    assert height == QFontMetrics(_font(30)).height()
    assert lab.font().pixelSize() == 30
    lab.resize(250, height)
    assert lab.font().pixelSize() < 30
    assert QFontMetricsF(lab.font()).horizontalAdvance(lab.text()) <= lab.contentsRect().width()
    assert lab.height() == height  # nothing below it moves
    lab.resize(2000, height)
    assert lab.font().pixelSize() == 30  # room again: full size


def test_a_fit_remembered_is_the_fit_for_that_room(qapp):
    """Fits are remembered by font, text and room: asked again they agree with the first
    answer, and another room is measured, not taken from the memory."""
    base, text = _font(40), "true K, which made Y"
    wide = QFontMetricsF(base).horizontalAdvance(text)
    first = fitting_font(base, text, wide * 0.8)
    again = fitting_font(base, text, wide * 0.8)
    assert again[1] == first[1] and again[0].pixelSize() == first[0].pixelSize()
    roomier = fitting_font(base, text, wide * 0.95)
    assert roomier[0].pixelSize() > first[0].pixelSize()
    assert fitting_font(base, text, wide + 1)[0].pixelSize() == 40
