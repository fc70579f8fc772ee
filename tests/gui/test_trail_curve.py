"""A growing curve drawn a frame at a time looks like the whole curve drawn at once,
and a frame strokes only what it added."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QApplication

from convviz.gui.widgets.trail_curve import TrailCurve, TrailDataItem, TrailDots

SIZE = (640, 420)


def _zigzag(n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """A diverging run's weight: it swings across its axis a little more each step."""
    k = np.arange(n, dtype=float)
    return k, 0.5 + 0.4 * (-1.0) ** k * (1.03**k) / (1.03 ** (n - 1))


def _pen(**kw):
    """A wide pen joining and ending its lines round, as the kept picture's pen does."""
    pen = pg.mkPen("#d55e00", width=7, **kw)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def _plot(qtbot, item) -> pg.PlotWidget:
    w = pg.PlotWidget(background="w")
    w.plotItem.disableAutoRange()
    w.plotItem.hideAxis("left")
    w.plotItem.hideAxis("bottom")
    w.setRange(xRange=(0, 120), yRange=(0, 1), padding=0)
    w.addItem(item)
    qtbot.addWidget(w)
    w.resize(*SIZE)
    w.show()
    qtbot.waitExposed(w)
    return w


def _frame(w: pg.PlotWidget) -> None:
    """What the event loop does after a frame's new data: the scene takes the change,
    the view repaints."""
    QApplication.processEvents()


def _pixels(w: pg.PlotWidget) -> np.ndarray:
    QApplication.processEvents()
    img = w.viewport().grab().toImage().convertToFormat(pg.QtGui.QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, : img.width(), :3].astype(int)


def _reference(qtbot, x, y, pen) -> np.ndarray:
    """pyqtgraph's own drawing of the whole curve."""
    ref = pg.PlotCurveItem(x, y, pen=pen, antialias=True)
    return _pixels(_plot(qtbot, ref))


def _grown(qtbot, x, y, pen) -> tuple[TrailCurve, pg.PlotWidget]:
    c = TrailCurve(pen=pen, antialias=True)
    w = _plot(qtbot, c)
    for n in range(1, len(x) + 1):
        c.setData(x[:n], y[:n])
        _frame(w)
    return c, w


def _assert_alike(a: np.ndarray, b: np.ndarray) -> None:
    """The same ink at the same places: only the antialiased rims of segments drawn
    in different frames, blended twice where they overlap, may be darker."""
    ink_a, ink_b = (255 - a).max(2), (255 - b).max(2)
    assert ((ink_a > 160) & (ink_b < 16)).sum() == 0  # nothing drawn only in one
    assert ((ink_b > 160) & (ink_a < 16)).sum() == 0
    diff = np.abs(a - b).max(2)
    assert diff.max() <= 128
    assert (diff > 48).sum() <= 0.05 * (ink_b > 16).sum()


def test_a_grown_curve_looks_like_the_whole_curve_drawn_at_once(qtbot):
    x, y = _zigzag()
    curve, w = _grown(qtbot, x, y, _pen())
    assert curve.full_draws == 1  # the first point; then only additions
    _assert_alike(_pixels(w), _reference(qtbot, x, y, _pen()))


def test_a_frame_strokes_only_the_segments_it_added(qtbot):
    x, y = _zigzag()
    curve, w = _grown(qtbot, x, y[:], _pen())
    before = curve.points_stroked
    x2, y2 = np.append(x, 120.0), np.append(y, 0.05)
    curve.setData(x2, y2)
    _frame(w)
    assert curve.full_draws == 1
    assert curve.points_stroked == before + 2  # the last drawn point and the new one
    _assert_alike(_pixels(w), _reference(qtbot, x2, y2, _pen()))


def _reference_plot(qtbot, x, y, pen, yrange=(0, 1), size=SIZE) -> np.ndarray:
    ref = _plot(qtbot, pg.PlotCurveItem(x, y, pen=pen, antialias=True))
    ref.setRange(xRange=(0, 120), yRange=yrange, padding=0)
    ref.resize(*size)
    return _pixels(ref)


@pytest.mark.parametrize("change", ["range", "pen", "size"])
def test_what_moves_the_old_pixels_draws_it_whole(qtbot, change):
    x, y = _zigzag()
    curve, w = _grown(qtbot, x, y, _pen())
    pen, yrange, size = _pen(), (0, 1), SIZE
    if change == "range":
        yrange = (-0.5, 1.5)
        w.setRange(xRange=(0, 120), yRange=yrange, padding=0)
    elif change == "pen":
        pen.setColor(pg.mkColor("#0072b2"))
        curve.setPen(pen)
    else:
        size = (SIZE[0] - 100, SIZE[1])
        w.resize(*size)
    got = _pixels(w)
    assert curve.full_draws == 2 and curve.straight_paints == 1  # the first point
    # Drawn whole, as pyqtgraph draws it: equal to antialiasing's rounding.
    assert np.abs(got - _reference_plot(qtbot, x, y, pen, yrange, size)).max() <= 2


def test_changed_data_is_painted_straight_then_kept_as_it_grows(qtbot):
    """A new run, or a history thinned: painted as pyqtgraph paints it, with no
    picture made for one frame; kept again once a paint finds it unchanged or grown."""
    x, y = _zigzag()
    curve, w = _grown(qtbot, x, y, _pen())
    for _ in range(4):  # rewritten at every frame (a long run's history)
        y = np.roll(y, 1)
        curve.setData(x, y)
        _frame(w)
    assert (curve.full_draws, curve.straight_paints) == (1, 5)  # 1: the first point
    got = _pixels(w)  # painted again, unchanged: kept
    assert curve.full_draws == 2
    assert np.abs(got - _reference_plot(qtbot, x, y, _pen())).max() <= 2
    stroked = curve.points_stroked
    for k in range(3):  # each frame then adds its segment only
        x, y = np.append(x, 120.0 + k), np.append(y, 0.5)
        curve.setData(x, y)
        _frame(w)
    assert curve.full_draws == 2 and curve.points_stroked == stroked + 6
    _assert_alike(_pixels(w), _reference(qtbot, x, y, _pen()))


def test_a_curve_it_cannot_keep_paints_as_pyqtgraph(qtbot):
    x, y = _zigzag(30)
    dashed = _pen(style=Qt.PenStyle.DashLine)
    curve = TrailCurve(x, y, pen=dashed, antialias=True)
    w = _plot(qtbot, curve)
    got = _pixels(w)
    assert curve._layer is None and curve.full_draws == 0
    assert np.array_equal(got, _reference(qtbot, x, y, dashed))


def test_a_data_item_draws_its_line_as_a_trail(qtbot):
    item = TrailDataItem(name="w")
    w = _plot(qtbot, item)
    x, y = _zigzag(40)
    for n in (10, 20, 40):
        item.setData(x[:n], y[:n], pen=_pen())
        _frame(w)
    assert isinstance(item.curve, TrailCurve) and item.curve.parentItem() is item
    assert item.curve.full_draws == 1
    np.testing.assert_array_equal(item.getData()[1], y)
    _assert_alike(_pixels(w), _reference(qtbot, x, y, _pen()))


# ------------------------------------------------------- what a frame repaints
def _screen(w: pg.PlotWidget) -> np.ndarray:
    """What the window shows: the pixels its paints left (not a fresh render, which
    would hide a part a frame forgot to repaint)."""
    QApplication.processEvents()
    img = w.screen().grabWindow(w.winId()).toImage()
    img = img.convertToFormat(pg.QtGui.QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    vp = w.viewport().geometry()
    return a[vp.top() : vp.bottom() + 1, vp.left() : vp.right() + 1, :3].astype(int)


class _Painted(QObject):
    """The regions a widget was asked to paint."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.regions: list[QRegion] = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.regions.append(QRegion(event.region()))
        return False

    def area(self) -> int:
        return sum(r.width() * r.height() for reg in self.regions for r in reg)


def test_a_frame_repaints_only_around_its_new_segment(qtbot):
    x, y = _zigzag()
    curve, w = _grown(qtbot, x[:60], y[:60], _pen())
    painted = _Painted(w.viewport())
    curve.setData(x[:61], y[:61])
    _frame(w)
    vp = w.viewport().rect()
    assert painted.regions and painted.area() < 0.1 * vp.width() * vp.height()
    end = w.plotItem.vb.mapViewToScene(pg.Point(x[60], y[60]))
    tip = w.mapFromScene(end)
    assert any(reg.contains(tip) for reg in painted.regions)  # where the new point is


def test_what_a_grown_curve_shows_is_the_whole_curve(qtbot):
    """On the screen, not only in a fresh render: no part of a new segment, its ends
    or its rim was left out of the frame's repaint."""
    x, y = _zigzag()
    _, w = _grown(qtbot, x, y, _pen())
    _assert_alike(_screen(w), _reference(qtbot, x, y, _pen()))


def test_a_segment_crossing_the_view_repaints_pieces_along_it(qtbot):
    """A diverging run's path comes from far outside the plot and crosses it."""
    c = TrailCurve(pen=_pen(), antialias=True)
    w = _plot(qtbot, c)
    x, y = np.array([10.0, 12.0, 14.0]), np.array([0.1, 0.12, 0.1])
    for n in (1, 2, 3):  # (kept once a paint finds it grown)
        c.setData(x[:n], y[:n])
        _frame(w)
    painted = _Painted(w.viewport())
    x, y = np.append(x, 500.0), np.append(y, 40.0)  # (out far above)
    c.setData(x, y)
    _frame(w)
    (region,) = painted.regions
    box = region.boundingRect()
    assert region.rectCount() > 2
    assert painted.area() < 0.5 * box.width() * box.height()  # not its whole box
    _assert_alike(_screen(w), _reference(qtbot, x, y, _pen()))


def test_dots_added_repaint_only_where_they_are(qtbot):
    dots = TrailDots(size=9, brush="#d55e00", pen=None)
    w = _plot(qtbot, dots)
    x, y = _zigzag(40)
    dots.grow(x[:20], y[:20])
    _frame(w)
    painted = _Painted(w.viewport())
    dots.grow(x[:21], y[:21])
    _frame(w)
    vp = w.viewport().rect()
    assert painted.area() < 0.02 * vp.width() * vp.height()
    assert len(dots.data) == 21
    ref = pg.ScatterPlotItem(x[:21], y[:21], size=9, brush="#d55e00", pen=None)
    assert np.abs(_screen(w) - _pixels(_plot(qtbot, ref))).max() <= 2
    dots.grow(x[5:10], y[5:10])  # not the dots shown and more: set anew
    assert np.array_equal(dots.data["x"], x[5:10])


def test_outside_a_view_box_they_paint_as_pyqtgraph(qtbot):
    """In a scene with no view box to bound them (pyqtgraph's getViewBox then gives
    the GraphicsView), a growing curve and dots take pyqtgraph's bounds and paints."""
    view = pg.GraphicsView()
    qtbot.addWidget(view)
    x, y = _zigzag(10)
    curve, dots = TrailCurve(pen=_pen()), TrailDots(size=9)
    for item in (curve, dots):
        view.scene().addItem(item)
    view.show()
    qtbot.waitExposed(view)
    for n in (5, 10):
        curve.setData(x[:n], y[:n])
        dots.grow(x[:n], y[:n])
        _frame(view)
    assert np.array_equal(dots.data["x"], x) and np.array_equal(curve.getData()[0], x)
    assert curve.full_draws == 0 and curve._layer is None  # (never kept: drawn straight)
    assert curve.boundingRect() == pg.PlotCurveItem.boundingRect(curve)
