"""A one-line label whose width follows the widest text it has shown, not the last.

The learning view's status line is rewritten at every frame of a run, and it is
the widest line of its page: its width is the page's minimum, so a frame that
wrote "K = [−298.3, −300.3]" after "K = [288.8, 286.8]" asked the stage for a page
5 % wider, and the next one for a narrower one, and the stage fitted the page
again at every frame of a diverging run (0.5-0.8 ms of a 4K frame). Keeping the
widest width of the run, the page asks once, when the numbers grow.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel


class SteadyWidthLabel(QLabel):
    """A QLabel that asks for the width of its widest text since :meth:`release`."""

    def __init__(self) -> None:
        super().__init__()
        self._widest = 0

    def release(self) -> None:
        """Ask for the width of the text shown now (a new run, a new style)."""
        self._widest = 0
        self.updateGeometry()

    def _steady(self, size: QSize) -> QSize:
        self._widest = max(self._widest, size.width())
        return QSize(self._widest, size.height())

    def sizeHint(self) -> QSize:
        return self._steady(super().sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._steady(super().minimumSizeHint())
