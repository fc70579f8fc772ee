"""Small helpers shared by the views: blocked signals, weak model connections, and the
one cache of text colours (black or white digits on a coloured cell)."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from ...model import colormap
from ...model.events import Event

#: Posted by a view for work that must follow its layout and precede its paint (the
#: window view's shared cell size); :func:`settle_layouts` delivers it with the layouts.
LAYOUT_SETTLED = QEvent.Type(QEvent.registerEventType())


def settle_layouts(passes: int = 4) -> None:
    """Run the pending layout requests (and :data:`LAYOUT_SETTLED` work) now, a few rounds.

    Qt delivers events posted while it delivers others on its next turn, after a
    repaint already queued: a slide change whose layouts cascade (view, stage, bar,
    window) was painted, then laid out and painted again. Called once a slide has been
    shown, this makes the one paint the final one.

    The same holds for the repaint every widget Qt shows asks for (an ``UpdateLater``
    event): on a view switch the new page's requests came after the paint, and the
    whole page was painted a second time (12 ms at 4K). Delivered here, they join
    the one paint.
    """
    for _ in range(passes):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QCoreApplication.sendPostedEvents(None, LAYOUT_SETTLED)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.UpdateLater)


def set_style_sheet(widget: QWidget, css: str) -> None:
    """``widget.setStyleSheet(css)`` unless it already has it: Qt re-polishes the widget
    (and lays it out again) even for the same sheet, and every rescale of a stage
    restyles its labels with the theme's unchanged colours."""
    if widget.styleSheet() != css:
        widget.setStyleSheet(css)


@contextlib.contextmanager
def blocked(*objects: QObject) -> Iterator[None]:
    """Block the objects' signals while the model updates them, so nothing loops."""
    old = [o.blockSignals(True) for o in objects]
    try:
        yield
    finally:
        for o, b in zip(objects, old, strict=True):
            o.blockSignals(b)


def connect_model(event: Event, method: Callable[..., Any]) -> Callable[..., Any]:
    """Connect a widget's bound method to a model :class:`Event` without keeping it alive.

    The model outlives its widgets (tests build several views on one
    session); once the widget is collected or its C++ side deleted, the
    connection removes itself instead of calling into a dead object. Returns
    the callable connected, which ``event.disconnect`` takes.
    """
    ref = weakref.WeakMethod(method)  # type: ignore[arg-type]

    def slot(*args: Any) -> None:
        m = ref()
        if m is None or not _alive(m.__self__):  # type: ignore[attr-defined]
            event.disconnect(slot)
            return
        m(*args)

    event.connect(slot)
    return slot  # for event.disconnect(slot)


def _alive(owner: object) -> bool:
    """False once a QObject's C++ side is deleted (its Python wrapper may live on)."""
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


_TEXT_COLORS: dict[tuple[int, int, int], QColor] = {}


def text_color_for(rgb: np.ndarray | tuple[int, int, int]) -> QColor:
    """Black or white digits on the colour ``rgb`` (``colormap.text_color``), made once
    per colour: every grid and map paints its numbers through this one cache."""
    key = (int(rgb[0]), int(rgb[1]), int(rgb[2]))
    c = _TEXT_COLORS.get(key)
    if c is None:
        c = _TEXT_COLORS[key] = QColor(*colormap.text_color(key))
    return c


def restyle(w: QWidget, font: QFont | None = None, sheet: str | None = None) -> None:
    """Give ``w`` this font and style sheet, touching it only for what changed.

    A stage restyles every widget at each new scale, several times a slide
    change; each setStyleSheet re-polishes the widget and each setFont
    re-resolves fonts down its children, though most values come out the same.
    """
    if font is not None and (
        not w.testAttribute(Qt.WidgetAttribute.WA_SetFont) or w.font() != font
    ):
        w.setFont(font)
    if sheet is not None and w.styleSheet() != sheet:
        w.setStyleSheet(sheet)
