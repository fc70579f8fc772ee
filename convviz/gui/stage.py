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

from PySide6.QtCore import QEvent, QSize, QTimer
from PySide6.QtWidgets import QWidget

from .style import StageStyle, Style

#: The height, in stage units, of the reference slide at zoom 100.
REF_HEIGHT = 760.0


class Stage(QWidget):
    """Holds one view and scales it to fill this widget (see the module note)."""

    def __init__(self, window_style: Style, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_style = window_style
        self.stage_style = StageStyle(window_style)
        self._content: QWidget | None = None
        self._fitting = False
        self._last_need = QSize()
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

    def eventFilter(self, obj, event) -> bool:
        # The content asks for a new layout (another grid shape, a text appeared):
        # fit again if what it needs changed since the last fit.
        if obj is self._content and event.type() == QEvent.Type.LayoutRequest and not self._fitting:
            need = obj.minimumSizeHint()
            if need != self._last_need:
                self._again.start()
        return False

    def _refit(self) -> None:
        """Scale to the target (height × zoom), or less until the content's minimum fits.

        Sizes are near-linear in the scale, so one step from the current scale
        usually lands; each applied scale restyles the content once.
        """
        w = self._content
        if w is None or self._fitting or self.width() < 10 or self.height() < 10:
            return
        self._fitting = True
        try:
            st = self.stage_style
            target = self.height() / REF_HEIGHT * self.window_style.scale
            for _ in range(5):
                lay = w.layout()
                if lay is not None:
                    lay.activate()
                need = w.minimumSizeHint()
                if need.width() <= 0 or need.height() <= 0:
                    break
                f = min(self.width() / need.width(), self.height() / need.height())
                new = min(target, st.scale * f * 0.985) if f < 1.0 else min(target, st.scale * f)
                if abs(new - st.scale) <= 0.01 * st.scale and f >= 1.0:
                    break
                if not st.set_scale(new):
                    break
            lay = w.layout()
            if lay is not None:
                lay.activate()
            self._last_need = w.minimumSizeHint()
            w.setGeometry(self.rect())
        finally:
            self._fitting = False
