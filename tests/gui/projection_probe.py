"""What a test can read off a window about projection: sizes drawn, positions, chrome.

Shared by ``test_projection.py`` (the walk through the lesson) and the UI
benchmark. Sizes are in device pixels as drawn, for the view on screen.
:func:`lesson_window` puts the 6.2 lesson on a simulated full screen.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QLabel, QMenuBar, QStatusBar, QTabBar, QToolButton, QWidget

from convviz.gui.widgets.arithmetic import ArithmeticView
from convviz.gui.widgets.grid_editor import GridWidget
from convviz.gui.widgets.heatmap import HeatMap

#: Grids up to this many cells a side must print their numbers (a photograph need not).
SMALL_GRID = 16


def lesson_window(qtbot, settings, size: tuple[int, int], zoom: int = 150):
    """The main window at ``size`` (the offscreen screen: the window is sized to it, not
    made full screen), at ``zoom``, on the 6.2 lesson's first slide."""
    from convviz.gui.main_window import MainWindow

    w = MainWindow(settings=settings, zoom=zoom)
    qtbot.addWidget(w)
    w.enter_fullscreen = lambda: None
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.files.ask_unsaved = lambda answer: answer("discard")
    assert w.open_lesson("6.2")
    return w


def shown(w: QWidget) -> bool:
    return w.isVisible() and w.width() > 0 and w.height() > 0


def text_px(w: QWidget) -> int:
    return QFontInfo(w.font()).pixelSize()


def readable_items(window) -> list[tuple[str, float, str]]:
    """(what, pixel size, kind) for everything the audience must read on the current view.

    kind is "body" (grid values, arithmetic, title, caption, answer: ≥ 2.2 %
    of the screen height) or "label" (plot ticks and axis labels: ≥ 1.6 %).
    """
    out: list[tuple[str, float, str]] = []
    bar = window.lessons.bar
    if window.lessons.active and shown(bar):
        for name in ("title", "caption", "answer"):
            lab: QLabel = getattr(bar, name)
            if shown(lab) and lab.text():
                out.append((f"lesson {name}", text_px(lab), "body"))
    stage = window.current_stage()
    if stage is None:
        return out
    for g in stage.findChildren(GridWidget):
        if not shown(g) or g.values() is None or not g.show_digits:
            continue  # a thumbnail (colours only) is context, not read
        if max(g.padded_shape()) <= SMALL_GRID:
            mask = g.mask()
            if mask is not None and not mask.any():
                continue  # nothing revealed yet: no numbers to read
            name = f"grid {g.shape()} cell {g.cell_size():.0f}"
            out.append((name, g.digit_px(), "body"))
    for a in stage.findChildren(ArithmeticView):
        if shown(a) and a.lines():
            out.append(("arithmetic", a.font_px(), "body"))
    for h in stage.findChildren(HeatMap):
        shp = h.shape()
        if shown(h) and shp is not None and max(shp) <= SMALL_GRID:
            h.view.viewport().repaint()
            out.append((f"map {h.key}", h.number_px(), "body"))
    for p in stage.findChildren(pg.PlotWidget):
        if not shown(p):
            continue
        for name in ("left", "bottom"):
            ax = p.getPlotItem().getAxis(name)
            if ax.isVisible() and ax.style.get("showValues", True):
                f = ax.style.get("tickFont")
                px = QFontInfo(f).pixelSize() if f is not None else QFontInfo(p.font()).pixelSize()
                out.append((f"plot ticks {name}", px, "label"))
    return out


def geometry_snapshot(window) -> dict[str, tuple]:
    """Where each grid, map and arithmetic sits on the window, and its cell size."""
    snap: dict[str, tuple] = {}
    stage = window.current_stage()
    if stage is None:
        return snap
    snap["stage"] = (
        QRect(stage.mapTo(window, QPoint(0, 0)), stage.size()).getRect(),
        round(stage.scale(), 4),
    )
    for i, w in enumerate(stage.findChildren(QWidget)):
        if not shown(w) or not isinstance(w, (GridWidget, HeatMap, ArithmeticView)):
            continue
        r = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
        extra = round(w.cell_size(), 1) if isinstance(w, GridWidget) else None
        snap[f"{type(w).__name__}#{i}"] = (r.getRect(), extra)
    return snap


def chrome_on_screen(window) -> list[str]:
    """Menus, tabs, buttons and status bars a presenting screen must not show."""
    seen = []
    for cls in (QMenuBar, QTabBar, QStatusBar, QToolButton):
        for w in window.findChildren(cls):
            if shown(w) and w.window() is window:
                seen.append(
                    f"{cls.__name__} {w.objectName() or w.text() if hasattr(w, 'text') else ''}"
                )
    from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox

    for cls in (QAbstractButton, QComboBox, QAbstractSpinBox, QAbstractSlider):
        for w in window.findChildren(cls):
            if shown(w) and w.window() is window and not isinstance(w, QToolButton):
                seen.append(f"{cls.__name__} {getattr(w, 'text', lambda: '')()}")
    return seen


def cut_labels(root: QWidget) -> list[str]:
    """Visible plain-text labels under ``root`` that do not show all their text: a line
    wider than the label, or wrapped lines taller than it."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QLabel

    out = []
    for lab in root.findChildren(QLabel):
        text = lab.text()
        if not lab.isVisible() or not text or "<" in text or not lab.pixmap().isNull():
            continue
        r = lab.contentsRect()
        if lab.wordWrap():
            need = lab.heightForWidth(lab.width())
            if need > lab.height() + 1:
                out.append(f"{text[:40]!r} wraps to {need} px, has {lab.height()}")
            continue
        fm = QFontMetrics(lab.font())
        need = max(fm.horizontalAdvance(line) for line in text.split("\n"))
        if need > r.width() + 1:
            out.append(f"{text[:40]!r} needs {need} px, has {r.width()}")
    return out


def cut_plot_texts(root: QWidget) -> list[str]:
    """Text items in a plot (the surface's "true K [1, −1]") that run past their plot's
    view box: the plot clips them."""
    out = []
    for p in root.findChildren(pg.PlotWidget):
        if not shown(p):
            continue
        p.viewport().repaint()  # (a text item places itself when painted)
        vb = p.getPlotItem().getViewBox()
        box = vb.sceneBoundingRect().adjusted(-1, -1, 1, 1)
        for item in vb.childGroup.childItems():
            if isinstance(item, pg.TextItem) and item.isVisible() and item.toPlainText():
                r = item.sceneBoundingRect()
                if not box.contains(r):
                    out.append(f"{item.toPlainText()!r} at {r.getRect()} outside {box.getRect()}")
    return out
