"""Big text drawn once and then copied: the numbers of a projected grid.

Qt's raster engine caches glyphs only up to 64 px; larger ones are filled
from their outlines on every paint (``QPaintEngineEx::shouldDrawCachedGlyphs``;
raising ``QT_MAX_CACHED_GLYPH_SIZE`` is no way out: FreeType then draws
nothing at all above 64 px). A 4K stage's digits are 100-300 px, so a grid
spent most of its paint re-filling the same few outlines. :func:`draw_text`
renders each (text, font, colour) once into an image and blits it after; a
grid shows few distinct numbers, so nearly every draw is a copy. Numbers and
sums are composed from one image per character: a new number (a kernel being
learned, an output revealed, a slide's sum at a new size) renders nothing new
once its digits have been drawn at that size.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetricsF, QImage, QPainter

from ..style import GLYPH_CACHE_PX

#: Up to this pixel size Qt caches the glyphs itself: drawing directly is as fast.
DIRECT_PX = GLYPH_CACHE_PX
#: At most this many pixels of rendered text are kept (about 64 MB of ARGB).
MAX_PIXELS = 16_000_000

#: Texts made only of these are drawn a character at a time, each from its image.
COMPOSED = frozenset("0123456789.,−-+×=?() ")
#: Where each character of a composed text goes, by (text, font): kept for this many.
LAYOUTS_KEPT = 4096

_cache: OrderedDict[tuple, tuple[QImage, QPointF]] = OrderedDict()
_pixels = 0
_layouts: OrderedDict[tuple[str, str], tuple[tuple[str, float], ...]] = OrderedDict()


def clear() -> None:
    """Forget every rendered text (tests; a theme change needs no call: colour is a key)."""
    global _pixels
    _cache.clear()
    _layouts.clear()
    _pixels = 0


def cached_count() -> int:
    return len(_cache)


def _render(text: str, font: QFont, color: QColor, dpr: float) -> tuple[QImage, QPointF]:
    """The text on a transparent image, and where the image's corner sits relative to
    the centre of the box ``drawText(box, AlignCenter, text)`` would centre it in."""
    fm = QFontMetricsF(font)
    box = fm.boundingRect(text).adjusted(-2, -2, 2, 2)  # antialiased edges
    w, h = max(1, int(box.width() * dpr + 1)), max(1, int(box.height() * dpr + 1))
    img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(dpr)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.setFont(font)
    p.setPen(color)
    p.drawText(QPointF(-box.left(), -box.top()), text)
    p.end()
    # drawText(rect, AlignCenter) centres the advance and the line box (ascent+descent).
    dx = -fm.horizontalAdvance(text) / 2 + box.left()
    dy = -fm.height() / 2 + fm.ascent() + box.top()
    return img, QPointF(dx, dy)


def _pixel_size(font: QFont) -> int:
    px = font.pixelSize()
    return px if px > 0 else QFontInfo(font).pixelSize()


def within_glyph_cache(font: QFont) -> QFont:
    """``font``, or a copy of it set just below the size Qt caches glyphs for.

    For text that changes at every frame (the learning view's status while it
    trains), which no picture of it can serve twice: at 71 px (4K, zoom 150) each
    new line was filled from outlines, 2.9 ms a paint; at 63 px, 0.24 ms
    (``QLabel.render``, 40 lines). Such a line stops growing with the zoom there:
    63 px is still 2.9 % of a 4K screen's height.
    """
    if _pixel_size(font) < DIRECT_PX:
        return font
    capped = QFont(font)
    capped.setPixelSize(DIRECT_PX - 1)
    return capped


def draw_text(p: QPainter, rect: QRectF, text: str, font: QFont, color: QColor) -> None:
    """``p.drawText(rect, AlignCenter, text)`` in ``font`` and ``color``, from the cache
    when the text is big enough for Qt to draw it from outlines."""
    if not text:
        return
    if _pixel_size(font) <= DIRECT_PX:
        p.setFont(font)
        p.setPen(color)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        return
    dev = p.device()
    dpr = dev.devicePixelRatioF() if dev is not None else 1.0
    centre = rect.center()
    if len(text) > 1 and COMPOSED.issuperset(text):
        # Each character where drawText puts it: the centre of its own advance, after
        # the advance of what comes before it (kerning with its left neighbour included).
        for ch, dx in _layout(text, font):
            img, offset = _sprite(ch, font, color, dpr)
            p.drawImage(QPointF(centre.x() + dx, centre.y()) + offset, img)
        return
    img, offset = _sprite(text, font, color, dpr)
    p.drawImage(centre + offset, img)


def _layout(text: str, font: QFont) -> tuple[tuple[str, float], ...]:
    """Each drawn character of ``text`` and the x of its centre from the text's centre."""
    key = (text, font.key())
    hit = _layouts.get(key)
    if hit is not None:
        _layouts.move_to_end(key)
        return hit
    fm = QFontMetricsF(font)
    left = -fm.horizontalAdvance(text) / 2
    out = []
    for i, ch in enumerate(text):
        if ch != " ":
            adv = fm.horizontalAdvance(ch)
            out.append((ch, left + fm.horizontalAdvance(text[: i + 1]) - adv / 2))
    _layouts[key] = hit = tuple(out)
    while len(_layouts) > LAYOUTS_KEPT:
        _layouts.popitem(last=False)
    return hit


def _sprite(text: str, font: QFont, color: QColor, dpr: float) -> tuple[QImage, QPointF]:
    global _pixels
    key = (text, font.key(), color.rgba(), dpr)
    hit = _cache.get(key)
    if hit is None:
        hit = _render(text, font, color, dpr)
        _cache[key] = hit
        _pixels += hit[0].width() * hit[0].height()
        while _pixels > MAX_PIXELS and len(_cache) > 1:
            _, (old, _o) = _cache.popitem(last=False)
            _pixels -= old.width() * old.height()
    else:
        _cache.move_to_end(key)
    return hit
