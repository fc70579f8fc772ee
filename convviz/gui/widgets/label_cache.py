"""Labels on a stage painted from an image of what they last showed.

A projected stage's labels are big (titles, the arithmetic, the operators:
60-300 px type), and Qt fills glyphs over 64 px from their outlines on every
paint (see :mod:`.text_sprites`): at 4K one "Press → …" line took 8 ms, and
a slide change repaints every label. :class:`LabelPaintCache` watches a
label's paint events; the first time a label shows a given text at a given
size, font and colour it is rendered into an image as usual, and every later
paint of the same look (the next slide's titles, a step shown again, the
next run of the animation) copies that image. Labels showing a pixmap or
selectable text are left alone, and so are labels marked with :data:`LIVE`
(their text is new at every frame: a twin's render before each paint doubled
what the paint cost).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QImage, QPainter, QPalette, QRegion
from PySide6.QtWidgets import QLabel, QWidget

#: At most this many pixels of label images are kept, all stages' labels together
#: (~128 MB at most, reached only at 4K). The 6.2 lesson's labels take ~27 M at
#: 3840×2160: with the old 12 M a stage, the window stage alone (20 M) evicted its
#: own images before the lesson came round again, and every slide change re-rendered
#: 8-9 labels (the folded sums are 10-50 ms each at 4K).
MAX_PIXELS = 32_000_000
#: Labels smaller than this many pixels paint directly (small text is cached by Qt).
MIN_PIXELS = 20_000
#: A label with this dynamic property set to True paints directly (see above).
LIVE = "live_text"


#: What a label's twin copies from it, getter and setter, in this order (text and size
#: last: the label lays its text out with the rest already set).
_TWIN_COPIES: tuple[tuple[Callable[[QLabel], Any], Callable[[QLabel, Any], Any]], ...] = (
    (QLabel.textFormat, QLabel.setTextFormat),
    (QLabel.wordWrap, QLabel.setWordWrap),
    (QLabel.alignment, QLabel.setAlignment),
    (QLabel.margin, QLabel.setMargin),
    (QLabel.indent, QLabel.setIndent),
    (QWidget.contentsMargins, QWidget.setContentsMargins),
    (QWidget.styleSheet, QWidget.setStyleSheet),
    (QWidget.palette, QWidget.setPalette),
    (QWidget.font, QWidget.setFont),
    (QWidget.isEnabled, QWidget.setEnabled),
    (QLabel.text, QLabel.setText),
    (QWidget.size, QWidget.resize),
)


#: Every cache's images, least recently painted first: one budget for all stages, so a
#: stage that is used more (the window view's) keeps more.
_POOL: OrderedDict[tuple, tuple[QPoint, QImage]] = OrderedDict()
_pool_pixels = 0


def pool_pixels() -> int:
    """Pixels held by all caches together (tests)."""
    return _pool_pixels


class LabelPaintCache(QObject):
    """An event filter: install it on labels (see :meth:`watch`)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._images = _POOL  # shared; this cache's keys start with its id
        self._rendering: QWidget | None = None
        self._twin: QLabel | None = None
        self.hits = 0
        self.misses = 0

    def watch(self, root: QWidget) -> None:
        """Cache the paints of ``root``'s labels (and of ``root``, if a label)."""
        labels = root.findChildren(QLabel)
        if isinstance(root, QLabel):
            labels.append(root)
        for lab in labels:
            lab.installEventFilter(self)

    def clear(self) -> None:
        """Forget this cache's images (the other caches keep theirs)."""
        global _pool_pixels
        me = id(self)
        for key in [k for k in _POOL if k[0] == me]:
            _at, img = _POOL.pop(key)
            _pool_pixels -= img.width() * img.height()

    def _key(self, lab: QLabel, text: str | None = None) -> tuple | None:
        """What ``lab``'s image shows (with ``text`` instead of its own, if given)."""
        text = lab.text() if text is None else text
        if not text or lab.width() * lab.height() < MIN_PIXELS:
            return None
        if lab.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse:
            return None
        if lab.property(LIVE):
            return None
        pal = lab.palette()
        # Not the label itself: its image is its twin's, which has only what is
        # copied (see _TWIN_COPIES), so labels that look alike share one (slide 7's
        # two "? Predict it first" maps: 2.3 ms each at 4K).
        return (
            id(self),
            text,
            lab.width(),
            lab.height(),
            lab.font().key(),
            pal.color(QPalette.ColorRole.WindowText).rgba(),
            # (a link's colour only where there is one: a view's hidden copy has the
            # theme's, the view Qt's, and their labels drew alike but were kept twice)
            pal.color(QPalette.ColorRole.Link).rgba() if "<a " in text else 0,
            lab.styleSheet(),
            lab.isEnabled(),
            int(lab.alignment().value),
            lab.wordWrap(),
            int(lab.textFormat().value),
            lab.margin(),
            lab.indent(),
            lab.contentsMargins().left(),
            lab.contentsMargins().right(),
            lab.contentsMargins().top(),
            lab.contentsMargins().bottom(),
            lab.devicePixelRatioF(),
        )

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        global _pool_pixels
        if event.type() != QEvent.Type.Paint or obj is self._rendering:
            return False
        if not isinstance(obj, QLabel):
            return False
        key = self._key(obj)
        if key is None:
            return False
        hit = self._images.get(key)
        if hit is None:
            self.misses += 1
            hit = self._store(key, self._render(obj))
        else:
            self.hits += 1
            self._images.move_to_end(key)
        at, img = hit
        p = QPainter(obj)  # clipped to the region being repainted
        p.drawImage(at, img)
        p.end()
        return True

    def render_ahead(self, lab: QLabel, text: str) -> bool:
        """Make the image ``lab`` will show once its text is ``text``, at its size, font
        and colours now; False if it is made already (or not kept).

        A lesson makes the next slide's title and caption while the class reads this
        one: drawn on the click, they were ~1-2 ms of every slide change at 4K.
        """
        key = self._key(lab, text)
        if key is None or key in self._images:
            return False
        self._store(key, self._render(lab, text))
        return True

    def _store(self, key: tuple, hit: tuple[QPoint, QImage]) -> tuple[QPoint, QImage]:
        global _pool_pixels
        self._images[key] = hit
        _pool_pixels += hit[1].width() * hit[1].height()
        while _pool_pixels > MAX_PIXELS and len(self._images) > 1:
            _, (_at, old) = self._images.popitem(last=False)
            _pool_pixels -= old.width() * old.height()
        return hit

    @staticmethod
    def _ink_rect(lab: QLabel, text: str | None = None) -> QRect:
        """Where a plain-text label's text can be: an operator's label is 200×1400 px
        at 4K around one glyph, and filling and blending all of it is wasted."""
        fm = lab.fontMetrics()
        if "<" in lab.text() or lab.textFormat() == Qt.TextFormat.RichText:
            # A rich sum that neither wraps nor centres lies in its size hint from the
            # top left (the arithmetic's folded sums: a third of their label's width).
            left_top = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
            if (
                lab.wordWrap()
                or lab.alignment() != left_top
                or lab.layoutDirection() != Qt.LayoutDirection.LeftToRight
            ):
                return lab.rect()
            pad = fm.height() // 3 + 2
            hint = QRect(lab.contentsRect().topLeft(), lab.sizeHint())
            return hint.adjusted(0, 0, pad, pad).intersected(lab.rect())
        flags = int(lab.alignment().value)
        if lab.wordWrap():
            flags |= int(Qt.TextFlag.TextWordWrap.value)
        m = lab.margin()
        area = lab.contentsRect().adjusted(m, m, -m, -m)
        pad = fm.height() // 3 + 2  # overhangs, antialiasing
        ink = fm.boundingRect(area, flags, lab.text()).adjusted(-pad, -pad, pad, pad)
        return ink.intersected(lab.rect())

    def _render(self, lab: QLabel, text: str | None = None) -> tuple[QPoint, QImage]:
        """Paint a hidden twin of ``lab`` (same text, or ``text``, size, font, palette,
        style sheet, alignment) into an image: a widget cannot render itself inside its
        own paint."""
        # A new twin each time: a reused one kept state from the label it drew before,
        # and drew "corr2d(X, Kᵀ) — 5×8" 13 px too high at 4K, cut at the top.
        if self._twin is not None:
            self._twin.deleteLater()
        twin = self._twin = QLabel()
        twin.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        for get, put in _TWIN_COPIES:
            put(twin, get(lab))
        if text is not None:  # (its ink is where the twin, with that text, has it)
            twin.setText(text)
        ink = self._ink_rect(lab if text is None else twin)
        if ink.isEmpty():
            ink = lab.rect()
        dpr = lab.devicePixelRatioF()
        img = QImage(
            int(ink.width() * dpr),
            int(ink.height() * dpr),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        img.setDevicePixelRatio(dpr)
        img.fill(Qt.GlobalColor.transparent)
        # render() puts the region's corner at the offset given: the image's origin.
        twin.render(img, QPoint(), QRegion(ink), QWidget.RenderFlag(0))
        return ink.topLeft(), img
