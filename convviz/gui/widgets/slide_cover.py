"""The next slide's picture, drawn ahead and put on the screen at the click.

A presentation program shows its next slide from a picture it made while the
class looked at the current one. While presenting, the lesson does the same:
once the next slide is drawn ahead into a hidden page
(``LessonController._rehearse``), :class:`Composition` makes one image of the
window as that slide will look: the chrome that stays as it is, the lesson
bar (a hidden copy showing the next title and caption) and the page. The
click to that slide puts the image on the screen first, in one copy; the
live widgets are then built and painted under it, and take over with the
same pixels. Beside two busy processes a 4K slide change took 60-120 ms
from the click to its first paint; the picture is there in a few.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPainter, QRegion
from PySide6.QtWidgets import QApplication, QWidget

#: A page is pictured in this many bands, one a turn of the event loop: a 4K learning
#: page took 50-60 ms in one go, which a click in the pause waited for.
BANDS = 4


class Composition:
    """``window`` as it will look, composed a band at a time (see :meth:`step`): each
    part (an image, or a hidden widget rendered) at its rect in window coordinates, and
    the rest as the window draws it now outside the rects ``now`` (where the parts are
    now: a thin frame of chrome at most).

    Parts that move (a taller lesson bar pushes the stage down) leave that frame to be
    redrawn elsewhere: it is, if it is one colour (else :attr:`image` is None: no
    picture).
    """

    def __init__(
        self,
        window: QWidget,
        now: list[QRect],
        parts: list[tuple[QRect, QImage | QWidget]],
        bands: int = BANDS,
        into: QImage | None = None,
    ) -> None:
        """``into``: an image of the window's size to draw over (one no longer shown):
        a new 4K image cost 4 ms of first writes (the parts and the rest cover it all)."""
        dpr = window.devicePixelRatioF()
        size = window.size() * dpr
        image = into
        if image is None or image.size() != size or image.devicePixelRatio() != dpr:
            image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(dpr)
        rest = QRegion(window.rect())
        for rect in now:
            rest -= QRegion(rect)
        window.render(image, QPoint(), rest)  # (the chrome that stays)
        self.image: QImage | None = image
        self._todo: list[tuple[QWidget, QPoint, QRegion]] = []
        if {_rect(r) for r in now} != {_rect(r) for r, _p in parts}:
            color = _one_color(image, now, dpr)
            if color is None:
                self.image = None
                return
            image.fill(color)
        painter = QPainter(image)
        for rect, part in parts:
            if isinstance(part, QImage):
                painter.drawImage(rect.topLeft(), part)
        painter.end()
        for rect, part in parts:
            if isinstance(part, QWidget):
                h = rect.height()
                cuts = sorted({round(h * k / bands) for k in range(bands + 1)})
                for y0, y1 in itertools.pairwise(cuts):
                    band = QRect(0, y0, rect.width(), y1 - y0)
                    self._todo.append((part, rect.topLeft() + band.topLeft(), QRegion(band)))

    @property
    def done(self) -> bool:
        return self.image is None or not self._todo

    def step(self) -> bool:
        """Render the next band; True while there are more."""
        if self.image is not None and self._todo:
            part, at, band = self._todo.pop(0)
            part.render(self.image, at, band)
        return not self.done


def _rect(r: QRect) -> tuple[int, int, int, int]:
    return r.x(), r.y(), r.width(), r.height()


def _one_color(image: QImage, holes: list[QRect], dpr: float) -> int | None:
    """The one ARGB value of ``image`` outside ``holes``, or None if there are more."""
    a = np.frombuffer(image.constBits(), np.uint32, image.height() * image.bytesPerLine() // 4)
    a = a.reshape(image.height(), image.bytesPerLine() // 4)[:, : image.width()]
    mask = np.ones(a.shape, bool)
    for r in holes:
        y0, x0 = max(0, round(r.top() * dpr)), max(0, round(r.left() * dpr))
        mask[y0 : y0 + round(r.height() * dpr), x0 : x0 + round(r.width() * dpr)] = False
    seen = np.unique(a[mask])
    return int(seen[0]) if len(seen) == 1 else None


#: How long a picture stays up after its click's work (ms): the live widgets, built
#: under it, are painted when it goes, in the pause after the click, not in the click.
KEEP_MS = 120


class SlideCover(QWidget):
    """One picture over the whole window, shown at one click (see the module note).

    Transparent for the mouse and never focused. It stays up :data:`KEEP_MS` after
    its click's work, or until the mouse moves or another click comes; then the live
    widgets, built under it with the same pixels, are painted (``takeovers``), and
    :attr:`down` is emitted (an animation held under the picture goes on).
    """

    down = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()
        self._image: QImage | None = None  # the picture ready for its click
        self._key: object = None
        self._showing: QImage | None = None  # the picture on the screen
        self._spare: QImage | None = None  # a picture no longer used, to draw over
        self._frozen: list[QWidget] = []  # the window's parts kept from painting (_freeze)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(KEEP_MS)
        self._timer.timeout.connect(self.take_down)
        self.shown = 0  # clicks that showed a picture (tests, the benchmark)
        self.shown_at: float | None = None  # perf_counter when the last one was on screen
        #: CPU ms of each live paint that took over from a picture (the benchmark).
        self.takeovers: list[float] = []

    @property
    def image(self) -> QImage | None:
        """The picture ready for the next click, if any."""
        return self._image

    def set_image(self, image: QImage, key: object) -> None:
        """Keep ``image`` for the click whose situation is ``key``."""
        self._image, self._key = image, key

    def clear(self) -> None:
        """The ready picture is void (the one on the screen, if any, stays)."""
        if self._image is not None and self._image is not self._showing:
            self._spare = self._image
        self._image, self._key = None, None

    def take_spare(self) -> QImage | None:
        """A picture no longer shown or waiting, to compose the next one over."""
        spare, self._spare = self._spare, None
        return spare

    def show_for(self, key: object) -> bool:
        """Put the ready picture on the screen now if it was made for ``key``."""
        window = self.parentWidget()
        if self._image is None or key != self._key or window is None:
            return False
        self._timer.stop()
        self._showing = self._image
        self.setGeometry(window.rect())
        self.raise_()
        self.show()
        # show() posts the widget an update for later, which painted the whole picture
        # once more after the click (3.5 ms at 4K): taken now, it is this paint's.
        QApplication.sendPostedEvents(self, QEvent.Type.UpdateLater.value)
        self.repaint()  # on the screen now, before the click's work
        self._freeze(window)
        self.shown += 1
        self.shown_at = time.perf_counter()
        return True

    def keep(self) -> None:
        """The click's work is done: the picture goes in :data:`KEEP_MS`."""
        if self.isVisible():
            self._timer.start()

    def take_down(self, *, paint: bool = True) -> None:
        """The live widgets take over: painted now (``paint``), or at the next turn of
        the event loop (a click or a mouse move that comes first)."""
        self._timer.stop()
        if not self.isVisible():
            return
        self._thaw()
        self.hide()
        self._spare, self._showing = self._showing, None
        window = self.parentWidget()
        if paint and window is not None:
            t0 = time.thread_time()
            window.repaint()
            self.takeovers.append(1000 * (time.thread_time() - t0))
            del self.takeovers[:-256]
        self.down.emit()

    def _freeze(self, window: QWidget) -> None:
        """The widgets under the picture stop asking for paints while it is up: each
        change the click made under it repainted the picture there (the stage's area,
        3 ms a click at 4K). The backing store keeps the picture's pixels meanwhile;
        :meth:`_thaw` asks for all of the window again."""
        if self._frozen:
            return
        for child in window.findChildren(
            QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
        ):
            if child is not self and not child.isWindow() and child.updatesEnabled():
                child.setUpdatesEnabled(False)
                self._frozen.append(child)

    def _thaw(self) -> None:
        frozen, self._frozen = self._frozen, []
        for child in frozen:
            child.setUpdatesEnabled(True)  # (and each is updated whole)

    def paintEvent(self, event) -> None:
        image = self._showing
        if image is None:
            return
        painter = QPainter(self)
        rect = event.rect()
        dpr = image.devicePixelRatio()
        source = QRect(
            round(rect.x() * dpr),
            round(rect.y() * dpr),
            round(rect.width() * dpr),
            round(rect.height() * dpr),
        )
        painter.drawImage(rect, image, source)
        painter.end()
