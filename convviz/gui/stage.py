"""The stage: one view's content laid out as a slide and scaled as a whole to its area.

A slide program lays a slide out once for a reference size and scales the
whole composition to the screen. :class:`Stage` does the same for a view:
the view sizes everything (cells, fonts, gaps) from a
:class:`~convviz.gui.style.StageStyle`, and the stage sets that style's one
number, the scale, so the composition fills the area it is given and never
exceeds it: no scroll bars, nothing cut off, and the window's minimum size
never depends on what a view shows.

The scale starts from the area's height over :data:`REF_HEIGHT` times the
zoom (zoom enlarges the stage, not only the menus), and comes down until
the content's minimum size fits. Measured against a ``QGraphicsView``
fitted to a proxied widget: 71 ms against 35 ms for a full 64×64 step
repaint at 3840×2160, and proxied widgets lose crisp text and native
hit-testing, so the stage re-lays the real widgets out instead.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QImage, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFrame,
    QLabel,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from .style import StageStyle, Style
from .widgets.label_cache import LabelPaintCache

_DIRECT = Qt.FindChildOption.FindDirectChildrenOnly
#: Widgets that only hold others (painted ahead by their parts, see Stage.parts_ahead).
_CONTAINERS = (QWidget, QStackedWidget, QFrame)

#: The height, in stage units, of the reference slide at zoom 100.
REF_HEIGHT = 760.0
#: Scales are powers of this (1 % apart), so a slide's scale does not depend on history.
SCALE_STEP = 1.01


def on_grid(scale: float) -> float:
    """The largest power of :data:`SCALE_STEP` not above ``scale``."""
    k = math.floor(math.log(max(scale, 1e-6)) / math.log(SCALE_STEP) + 1e-9)
    return SCALE_STEP**k


def _wraps(item) -> bool:
    """A wrapping caption or a row of tools that flows onto more lines when narrow.

    Only these count at their height-for-width: a container's height-for-width
    is computed from its children's preferred sizes, far above its minimum.
    """
    from .widgets.flow import FlowLayout

    w = item.widget()
    if isinstance(w, QLabel):
        return w.wordWrap()
    lay = item.layout() or (w.layout() if w is not None else None)
    return isinstance(lay, FlowLayout)


def _send_pending_resizes(w: QWidget, children: list[QWidget]) -> bool:
    """Send the resize events Qt keeps for hidden widgets, outermost first (as
    showing would); True if there were any."""
    sent = False
    for child in [w, *children]:
        if child.testAttribute(Qt.WidgetAttribute.WA_PendingResizeEvent):
            child.setAttribute(Qt.WidgetAttribute.WA_PendingResizeEvent, False)
            QApplication.sendEvent(child, QResizeEvent(child.size(), QSize()))
            sent = True
    return sent


class Stage(QWidget):
    """Holds one view and scales it to fill this widget (see the module note)."""

    def __init__(
        self,
        window_style: Style,
        parent: QWidget | None = None,
        twin_of: Stage | None = None,
    ) -> None:
        """``twin_of``: a stage whose label images and remembered fits this one shares
        (a view's hidden copy, see ``MainWindow.understudy``): what it draws and fits
        ahead, that stage finds made."""
        super().__init__(parent)
        self.window_style = window_style
        self.stage_style = StageStyle(window_style)
        self._content: QWidget | None = None
        self._fitting = False
        self._leaving = False
        self._preparing = False
        self._last_need = QSize()
        self.label_cache: LabelPaintCache = (
            LabelPaintCache(self) if twin_of is None else twin_of.label_cache
        )
        # Scales fitted before, by what was measured first (see _refit): a slide shown
        # again is restyled once, straight to its scale, and not measured again.
        self._fitted: OrderedDict[tuple, float] = (
            OrderedDict() if twin_of is None else twin_of._fitted
        )
        self.fits_remembered = 0  # refits that took a remembered scale (tests)
        window_style.sig_changed.connect(self._refit)
        # A content that changes what it needs (another grid size) asks again, batched.
        self._again = QTimer(self)
        self._again.setSingleShot(True)
        self._again.setInterval(0)
        self._again.timeout.connect(self._refit)

    @property
    def content(self) -> QWidget | None:
        return self._content

    def set_content(self, widget: QWidget) -> None:
        """Put ``widget`` (built with :attr:`stage_style`) on the stage."""
        self._content = widget
        widget.setParent(self)
        widget.installEventFilter(self)
        self.label_cache.watch(widget)  # big type: painted once per look, then copied
        widget.show()
        self._refit()

    def scale(self) -> float:
        return self.stage_style.scale

    # ------------------------------------------------------------- sizing
    def sizeHint(self) -> QSize:
        return QSize(640, 400)

    def minimumSizeHint(self) -> QSize:
        # The stage takes what it is given; it never pushes the window wider.
        return QSize(100, 100)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._refit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._refit()

    def request_fit(self) -> None:
        """The content's needs changed (another grid shape): fit again soon."""
        self._last_need = QSize()
        self._again.start()

    def refit_now(self) -> None:
        """Fit now, as a first showing would: a new slide (a lesson's click). Its content
        changing by less than the jump a refit waits for kept the last slide's scale, so
        a slide's scale depended on the one before it (slide 17 at 1080p: 1.746 after
        slide 16, 1.763 drawn ahead), and the click did not show what was drawn ahead."""
        self._last_need = QSize()
        self._refit()

    def eventFilter(self, obj, event) -> bool:
        # The content asks for a new layout (another grid shape, a text appeared):
        # fit again if what it needs changed since the last fit.
        if (
            obj is self._content
            and obj is not None
            and event.type() == QEvent.Type.LayoutRequest
            and not self._fitting
        ):
            need = self._need(obj)
            last = self._last_need
            grew = need.width() > self.width() or need.height() > self.height()
            moved = (
                not last.isValid()
                or abs(need.width() - last.width()) > 0.04 * max(1, last.width())
                or abs(need.height() - last.height()) > 0.04 * max(1, last.height())
            )
            if grew or moved:  # small changes (a longer number) keep the scale: no jump
                # Now, not on a timer: layout requests are handled before the window's
                # (low-priority) repaint, so the new slide is painted once, at its scale,
                # instead of at the old scale and then again (7 ms of a 4K slide change).
                size = self.size()
                self.settle_window()
                if self.size() == size:  # else the resize has fitted it already
                    self._refit()
        return False

    @staticmethod
    def _settle(w: QWidget) -> None:
        """Recompute every nested layout now, innermost first: a restyle changes minimum
        sizes deep inside, which Qt would only pass up at the next turn of the loop.

        On a hidden page (fitted ahead, see :meth:`prepare`) Qt keeps each widget's
        resize event until the page is shown, so what a widget fits to its width (the
        arithmetic's folds) still had its old width, and the page was fitted at 3.30
        where its showing fitted it at 3.54: those events are sent here, and the
        layouts settled again with what they changed.
        """
        children = w.findChildren(QWidget)
        for _ in range(3):
            for child in reversed(children):
                lay = child.layout()
                if lay is not None and child.isVisibleTo(w):
                    lay.activate()
            lay = w.layout()
            if lay is not None:
                lay.activate()
            if w.isVisible() or not _send_pending_resizes(w, children):
                return

    def _offstage(self) -> bool:
        """A page not shown in a shown window (another view is on), or one about to be
        hidden: nothing of it is painted, so fitting it is left to its next show."""
        if self._leaving:
            return True
        if self._preparing:
            return False
        top = self.window()
        return not self.isVisible() and top is not None and top is not self and top.isVisible()

    def prepare(self, area: QRect, like: Stage | None = None) -> None:
        """Fit a page that has not been shown at the area it will have, while the app
        is idle: its first showing then finds its style at that scale and its fit
        remembered (the learning view's first restyle took 50 ms of a 220 ms change at
        4K). ``like``: the stage this one is a twin of, whose scale it takes first, as
        the fit of that stage's next slide starts from it (a remembered fit is keyed
        on the scale it was measured at)."""
        if self.isVisible() or self._content is None:
            return
        self._preparing = True
        try:
            if like is not None:
                self.stage_style.set_scale(like.scale())
            if self.geometry() != area:
                self.setGeometry(area)
            self._refit()
            self.settle_ahead()
        finally:
            self._preparing = False

    def settle_ahead(self) -> bool:
        """Draw now what a hidden page leaves for its showing (the window view's sum),
        at the scale it has, so that painting it ahead paints what shows; False if the
        page is shown. Painting a part of it ahead sends the resize events Qt kept, and
        the sum they re-plan waits again: a picture of the whole page settles it first."""
        w = self._content
        if w is None or self.isVisible():
            return False
        settle = getattr(w, "settle_ahead", None)
        if settle is not None:
            self._settle(w)  # its widths first (see _settle)
            if settle():
                self._settle(w)
                self._place(w)
        return True

    def paint_ahead(self) -> bool:
        """Paint this page, hidden, once into throwaway images; False if it is shown.

        What a paint keeps (items' cached pictures, labels' images, big text) is then
        there for its first showing (see ``LessonController._rehearse``, which paints
        the parts one turn of the event loop each: :meth:`parts_ahead`).
        """
        parts = self.parts_ahead()
        for part in parts:
            self.paint_part_ahead(part)
        return bool(parts)

    def parts_ahead(self) -> list[QWidget]:
        """The page's widgets that paint, each to be painted ahead on its own: a whole
        page at 4K took up to 150 ms in one go, which a click during it waited for.
        Containers (widgets that only hold others) are split into what they hold."""
        w = self._content
        if self.isVisible() or w is None or self.size().isEmpty():
            return []
        parts: list[QWidget] = []
        todo = [w]
        while todo:
            widget = todo.pop(0)
            kids = [
                k
                for k in widget.findChildren(QWidget, options=_DIRECT)
                if k.isVisibleTo(self) and not k.size().isEmpty()
            ]
            if (kids and type(widget) in _CONTAINERS) or widget is w:
                todo[:0] = kids
            else:
                parts.append(widget)
        return parts

    def paint_part_ahead(self, part: QWidget) -> bool:
        """Paint one of :meth:`parts_ahead` into a throwaway image; False if the page is
        shown (or the part gone) meanwhile."""
        if self.isVisible() or not part.isVisibleTo(self) or part.size().isEmpty():
            return False
        dpr = self.devicePixelRatioF()
        image = QImage(part.size() * dpr, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        QWidget.render(part, image)  # (a QGraphicsView's own render draws its scene)
        return True

    @contextmanager
    def leaving(self) -> Iterator[None]:
        """While another view takes this stage's place: no fits (the window's layout,
        settled for the new page, resizes this one too)."""
        was, self._leaving = self._leaving, True
        try:
            yield
        finally:
            self._leaving = was  # nested: a lesson click, then the view switch in it

    def settle_window(self) -> None:
        """Lay the window's toolbars (the lesson bar: a new slide's title and caption)
        and the window out now, so the stage has its final size before it is fitted
        and painted. Qt passes a toolbar's new height up one level per turn of the
        event loop: the stage was fitted, painted, resized by the taller bar, fitted
        and painted again."""
        top = self.window()
        if top is None or top is self:
            return
        for bar in top.findChildren(QToolBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.isVisible():
                self._settle(bar)
        lay = top.layout()
        if lay is not None:
            lay.activate()

    def _fit_factor(self, w: QWidget) -> float:
        """How many times over the content's minimum fits in the area (≥ 1: it fits)."""
        self._settle(w)
        return self._factor(self._need(w))

    def _factor(self, need: QSize) -> float:
        if need.width() <= 0 or need.height() <= 0:
            return 1.0
        return min(self.width() / need.width(), self.height() / need.height())

    @staticmethod
    def _signature(w: QWidget) -> tuple:
        """The minimum sizes of the content's rows, as just laid out: with the scale
        and the area, what a remembered fit is keyed on (two slides that measure the
        same row by row at one scale are the same composition)."""
        lay = w.layout()
        if lay is None:
            return ()
        out: list[tuple[int, int, int, int] | None] = []
        for i in range(lay.count()):
            item = lay.itemAt(i)
            if item is None or item.isEmpty():
                out.append(None)
                continue
            m, h = item.minimumSize(), item.sizeHint()
            out.append((m.width(), m.height(), h.width(), h.height()))
        return tuple(out)

    def _need(self, w: QWidget) -> QSize:
        """The content's minimum at this width: rows that wrap (captions, tool rows) are
        counted as they wrap at this width, not as they would at the narrowest one."""
        need = w.minimumSizeHint()
        lay = w.layout()
        if not isinstance(lay, QBoxLayout) or lay.direction() not in (
            QBoxLayout.Direction.TopToBottom,
            QBoxLayout.Direction.BottomToTop,
        ):
            return need
        m = lay.contentsMargins()
        inner = self.width() - m.left() - m.right()
        h, n = m.top() + m.bottom(), 0
        for i in range(lay.count()):
            item = lay.itemAt(i)
            if item is None or item.isEmpty():
                continue
            h_min = item.minimumSize().height()
            if item.hasHeightForWidth() and _wraps(item):
                h_min = max(h_min, item.heightForWidth(inner))
            h += h_min
            n += 1
        h += max(0, n - 1) * max(0, lay.spacing())
        return QSize(need.width(), h)

    def _refit(self) -> None:
        """Scale to the target (height × zoom), or less until the content's minimum fits.

        Sizes are near-linear in the scale, so one step from the current scale
        usually lands; each applied scale restyles the content once. Scales
        are steps of :data:`SCALE_STEP` (the largest that fits, rounded down):
        a slide comes back at the scale it had, whatever was shown before, so
        going back and forth restyles nothing and its text is painted from the
        label and digit caches instead of outlines.
        """
        w = self._content
        if w is None or self._fitting or self.width() < 10 or self.height() < 10:
            return
        if self._offstage():  # fitted when shown (showEvent): 1-5 ms saved per change
            return
        self._fitting = True
        try:
            st = self.stage_style
            top = self.window()
            if st.set_screen_height(top.height() if top is not None else self.height()):
                st.sig_changed.emit()  # floors moved: restyle before measuring
            target = self.height() / REF_HEIGHT * self.window_style.scale
            best: float | None = None  # the largest scale seen to fit
            f: float | None = None  # the fit at the current scale, once measured
            too_big: float | None = None  # the smallest scale seen not to fit
            key = self._fit_key(w, target)
            known = self._fitted.get(key)
            if known is not None:
                self._fitted.move_to_end(key)
                self.fits_remembered += 1
                if st.set_scale(known):
                    self._settle(w)  # the restyle's new minimums, passed up now
                self._place(w)
                return
            first, restyled = True, False
            for _ in range(8):
                if first:
                    f, first = self._factor(QSize(key[6], key[7])), False
                else:
                    f = self._fit_factor(w)
                cur = st.scale
                if f >= 1.0:
                    best = cur if best is None else max(best, cur)
                    cap = min(target, cur * f)
                    if too_big is not None:  # sizes are not quite linear: never retry it
                        cap = min(cap, too_big / SCALE_STEP * (1 + 1e-9))
                    new = on_grid(cap)
                    if new <= cur * (1 + 1e-6) or (too_big is not None and f < 1.03):
                        break  # no step up fits, or after a shrink too little to restyle for
                else:
                    too_big = cur if too_big is None else min(too_big, cur)
                    new = on_grid(cur * f)
                    if new >= cur:
                        new = on_grid(cur / SCALE_STEP)
                    if best is not None and new <= best:
                        new = best
                if not st.set_scale(new):
                    break
                restyled = True
                f = None  # restyled: measure again
            # Measured once more only when the last pass restyled (each pass costs a
            # settle of every layout, ~1 ms at 4K).
            if best is not None and (f if f is not None else self._fit_factor(w)) < 1.0:
                restyled = st.set_scale(best) or restyled
            self._remember(key, st.scale)
            # Also as a fit that starts where this one ends: a slide drawn ahead on a twin
            # is fitted there, and the live stage, shown at the twin's scale, measured
            # again from it, stepped a scale up to find it too big and came back (two
            # restyles, ~10 ms of a 4K slide change). From here it takes the twin's
            # answer, as the picture drawn ahead does.
            if restyled:
                self._remember(self._fit_key(w, target), st.scale)
            self._place(w)
        finally:
            self._fitting = False

    def _fit_key(self, w: QWidget, target: float) -> tuple:
        """What a fit is remembered by: the area, the scale it starts from and the
        content's minimum there (settled first), row by row."""
        st = self.stage_style
        self._settle(w)
        need = self._need(w)
        return (
            self.width(),
            self.height(),
            st.screen_height(),
            round(target, 6),
            round(st.scale, 6),
            st.theme.name,
            need.width(),
            need.height(),
            self._signature(w),
        )

    def _remember(self, key: tuple, scale: float) -> None:
        self._fitted[key] = scale
        self._fitted.move_to_end(key)
        while len(self._fitted) > 256:
            self._fitted.popitem(last=False)

    def _place(self, w: QWidget) -> None:
        """Lay the content out at the scale chosen, over the whole stage."""
        lay = w.layout()
        if lay is not None:
            lay.activate()
        self._last_need = self._need(w)
        w.setGeometry(self.rect())
