"""The next slide's picture, drawn ahead and put on the screen at the click.

A presentation program shows its next slide from a picture it made while the
class looked at the current one. While presenting, the lesson does the same:
once the next slide is drawn ahead into a hidden page
(``LessonController._rehearse``), :func:`compose` makes one image of the
window as that slide will look: the chrome that stays as it is, the lesson
bar (a hidden copy showing the next title and caption) and the page. The
click to that slide puts the image on the screen first, in one copy; the
live widgets are then built and painted under it, and take over with the
same pixels. Beside two busy processes a 4K slide change took 60-120 ms
from the click to its first paint; the picture is there in a few.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QRegion
from PySide6.QtWidgets import QWidget


def compose(
    window: QWidget,
    now: list[QRect],
    parts: list[tuple[QRect, QImage | QWidget]],
) -> QImage | None:
    """``window`` as it will look: each part (an image, or a hidden widget rendered) at
    its rect in window coordinates, and the rest as the window draws it now outside the
    rects ``now`` (where the parts are now: a thin frame of chrome at most).

    Parts that move (a taller lesson bar pushes the stage down) leave that frame to be
    redrawn elsewhere: it is, if it is one colour (None if not: no picture).
    """
    dpr = window.devicePixelRatioF()
    image = QImage(window.size() * dpr, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(0)
    rest = QRegion(window.rect())
    for rect in now:
        rest -= QRegion(rect)
    window.render(image, QPoint(), rest)  # (the chrome that stays)
    if {_rect(r) for r in now} != {_rect(r) for r, _p in parts}:
        color = _one_color(image, now, dpr)
        if color is None:
            return None
        image.fill(color)
    painter = QPainter(image)
    for rect, part in parts:
        if isinstance(part, QImage):
            painter.drawImage(rect.topLeft(), part)
    painter.end()
    for rect, part in parts:
        if isinstance(part, QWidget):
            part.render(image, rect.topLeft())
    return image


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
    widgets, built under it with the same pixels, are painted (``takeovers``).
    """

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

    @property
    def key(self) -> object:
        return self._key

    def set_image(self, image: QImage, key: object) -> None:
        """Keep ``image`` for the click whose situation is ``key``."""
        self._image, self._key = image, key

    def clear(self) -> None:
        """The ready picture is void (the one on the screen, if any, stays)."""
        self._image, self._key = None, None

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
        self.repaint()  # on the screen now, before the click's work
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
        self.hide()
        self._showing = None
        window = self.parentWidget()
        if paint and window is not None:
            t0 = time.thread_time()
            window.repaint()
            self.takeovers.append(1000 * (time.thread_time() - t0))
            del self.takeovers[:-256]

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
