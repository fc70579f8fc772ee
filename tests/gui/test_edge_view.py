"""The edge-map view: maps and captions, Kᵀ, live kernel edits, pictures, hover and click."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent

from convviz.engine import corr2d
from convviz.gui.style import Style
from convviz.gui.widgets.edge_view import HIDDEN, HINT, VANISHES, EdgeView, dropped_path
from convviz.gui.workers import run_in_thread, running_tasks
from convviz.model.edges import CHAPTER

CHAPTER_Y = np.array([[0, 1, 0, 0, 0, -1, 0]] * 6, dtype=np.float32)


@pytest.fixture
def view(qtbot, session):
    v = EdgeView(session, Style())
    qtbot.addWidget(v)
    v.resize(1400, 900)
    yield v
    qtbot.waitUntil(lambda: not v.loading and running_tasks() == 0, timeout=5000)


def _show(qtbot, view):
    view.show()
    qtbot.waitExposed(view)


def _painted(view, panel) -> int:
    """Paint the maps now; how many numbers the panel printed."""
    view.repaint_maps()
    return panel.drawn


def _chapter(qtbot, view):
    _show(qtbot, view)
    view.btn_chapter.click()


def test_nothing_is_computed_until_shown(qtbot, view, session):
    assert view.refresh_count == 0 and session.edges._maps == {}
    session.set_grid("kernel", [[1, -1]])
    assert view.refresh_count == 0 and session.edges._maps == {}
    _show(qtbot, view)
    assert view.refresh_count == 1
    np.testing.assert_array_equal(view.map_panel("XK").values(), CHAPTER_Y)


def test_the_tab_opens_on_the_chapter_example(qtbot, view, session):
    """Not Fig. 6.2.1's 2×2 kernel (maps of the band that mean nothing): [1, −1]."""
    _show(qtbot, view)
    np.testing.assert_array_equal(session.kernel, [[1, -1]])
    assert not session.modified and session.edges.name == CHAPTER
    np.testing.assert_array_equal(view.map_panel("XK").values(), CHAPTER_Y)
    session.undo()  # one step back to the launch kernel, and it stays (no second look)
    view.hide()
    view.show()
    np.testing.assert_array_equal(session.kernel, [[0, 1], [2, 3]])


def test_a_kernel_the_user_chose_is_kept(qtbot, view, session):
    session.set_grid("kernel", [[1, 0], [0, -1]])
    _show(qtbot, view)
    np.testing.assert_array_equal(session.kernel, [[1, 0], [0, -1]])


def test_chapter_maps_captions_and_vanishing(qtbot, view, session):
    _chapter(qtbot, view)
    np.testing.assert_array_equal(session.kernel, [[1, -1]])
    assert view.map_panel("X").caption_text() == "X — 6×8"
    assert view.map_panel("Xt").caption_text() == "Xᵀ — 8×6"
    xk, xtk = view.map_panel("XK"), view.map_panel("XtK")
    assert xk.caption_text() == "corr2d(X, K) — 6×7"
    assert xtk.caption_text() == "corr2d(Xᵀ, K) — 8×5"
    np.testing.assert_array_equal(xk.values(), CHAPTER_Y)
    assert xk.values().dtype == np.float32
    assert xtk.overlay_text() == VANISHES and xtk.badge.isVisible()
    assert not xtk.overlay.isVisible()  # beside the caption: it covers no number
    assert xk.overlay_text() == "" and not xk.badge.isVisible()
    # One shared symmetric scale, everywhere.
    for key in ("XK", "XtK"):  # signed maps: the diverging scale
        assert view.map_panel(key).levels() == pytest.approx([-1, 1])
    for key in ("X", "Xt"):  # the pictures: grey, 0 black and 1 white, as the caption says
        assert view.map_panel(key).is_picture()
        assert view.map_panel(key).levels() == pytest.approx([0, 1])
    assert view.colorbar.limit() == 1.0
    # Small maps print their numbers in the cells.
    qtbot.waitUntil(lambda: _painted(view, xk) == 42, timeout=2000)
    assert not view.map_panel("XKt").isVisible()
    assert view.picture_combo.currentText() == CHAPTER


def test_show_kt(qtbot, view, session):
    _chapter(qtbot, view)
    view.show_kt.setChecked(True)
    assert session.edges.show_kt
    for key in ("XKt", "XtKt"):
        assert view.map_panel(key).isVisible()
    assert view.kt_grid.isVisible()
    np.testing.assert_array_equal(view.kt_grid.values(), [[1], [-1]])
    xtkt = view.map_panel("XtKt")
    assert xtkt.caption_text() == "corr2d(Xᵀ, Kᵀ) — 7×6"
    assert xtkt.overlay_text() == ""
    assert list(xtkt.values()[:, 0]) == [0, 1, 0, 0, 0, -1, 0]
    assert view.map_panel("XKt").overlay_text() == VANISHES
    view.show_kt.setChecked(False)
    assert not view.map_panel("XtKt").isVisible() and not view.kt_grid.isVisible()


def test_kernel_edit_updates_every_map(qtbot, view, session):
    _chapter(qtbot, view)
    view.show_kt.setChecked(True)
    session.set_grid("kernel", [[1, 0], [0, -1]])  # a diagonal-difference kernel
    X = session.edges.picture
    K = np.array([[1, 0], [0, -1]], np.float32)
    np.testing.assert_array_equal(view.map_panel("XK").values(), corr2d(X, K))
    np.testing.assert_array_equal(view.map_panel("XtK").values(), corr2d(X.T, K))
    np.testing.assert_array_equal(view.map_panel("XKt").values(), corr2d(X, K.T))
    assert view.map_panel("XtK").overlay_text() == ""  # it sees the transposed edges now
    assert view.map_panel("XK").caption_text() == "corr2d(X, K) — 5×7"
    session.set_cell("kernel", 0, 0, 3)
    assert view.map_panel("XK").levels() == pytest.approx([-3, 3])
    assert view.colorbar.limit() == 3.0
    session.undo()
    assert view.map_panel("XK").levels() == pytest.approx([-1, 1])


def test_kernel_edited_in_the_view_panel(qtbot, view, session):
    _chapter(qtbot, view)
    editor = view.kernel_panel.editor
    editor.select(0, 1)
    editor.edit(0, 1, "1")
    assert editor.commit()
    np.testing.assert_array_equal(session.kernel, [[1, 1]])
    assert view.map_panel("XtK").overlay_text() == ""


def test_no_computing_while_hidden(qtbot, view, session):
    _chapter(qtbot, view)
    n = view.refresh_count
    view.hide()
    session.set_grid("kernel", [[2, -2]])
    assert view.refresh_count == n
    view.show()
    assert view.refresh_count == n + 1
    np.testing.assert_array_equal(view.map_panel("XK").values(), 2 * CHAPTER_Y)


def test_kernel_too_large_says_so(qtbot, view, session):
    _show(qtbot, view)
    session.set_grid("kernel", np.ones((7, 2)))
    xk = view.map_panel("XK")
    assert "larger than the input" in xk.overlay_text()
    assert xk.values() is None
    assert view.map_panel("XtK").values().shape == (2, 5)


def test_load_a_sample_through_the_worker(qtbot, view, session):
    _show(qtbot, view)
    i = view.picture_combo.findText("Sample: coin")
    view.picture_combo.setCurrentIndex(i)
    view.picture_combo.activated.emit(i)
    assert view.loading
    qtbot.waitUntil(lambda: not view.loading, timeout=5000)
    assert session.edges.name == "Sample: coin"
    assert view.map_panel("X").values().shape == (256, 256)
    assert view.map_panel("XK").values().shape == (256, 255)  # the first look's [1, −1]
    assert view.message_text() == ""
    assert "coin.png: PNG 256×256" in view.picture_info.text()
    # Large maps show no numbers until zoomed in.
    xk = view.map_panel("XK")
    assert _painted(view, xk) == 0  # painted now, then the positive control: zoomed in
    xk.set_range(QRectF(10, 10, 4, 4))
    qtbot.waitUntil(lambda: 0 < _painted(view, xk) <= 64, timeout=2000)
    # Back to a built-in grid, synchronously.
    view.picture_combo.activated.emit(view.picture_combo.findText("Disc (9×9)"))
    assert session.edges.name == "Disc (9×9)"
    assert view.map_panel("X").caption_text() == "X — 9×9"


def test_broken_file_keeps_the_picture(qtbot, view, session, tmp_path):
    _chapter(qtbot, view)
    bad = tmp_path / "photo.png"
    bad.write_bytes(os.urandom(3000))
    view.load_path(bad)
    qtbot.waitUntil(lambda: not view.loading, timeout=5000)
    msg = view.message_text()
    assert "“photo.png” is not an image convviz can read (PNG, JPEG or BMP)." in msg
    assert "stays" in msg and view.message.isVisible()
    assert session.edges.name == CHAPTER
    np.testing.assert_array_equal(view.map_panel("XK").values(), CHAPTER_Y)
    # Empty, text and truncated files too.
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not a picture")
    good = tmp_path / "good.png"
    Image.fromarray(np.zeros((50, 50), np.uint8)).save(good)
    (tmp_path / "cut.png").write_bytes(good.read_bytes()[:60])
    for name, words in (
        ("empty.png", "is empty"),
        ("notes.txt", "is not an image"),
        ("cut.png", "damaged or incomplete"),
    ):
        view.load_path(tmp_path / name)
        qtbot.waitUntil(lambda: not view.loading, timeout=5000)
        assert words in view.message_text()
        assert session.edges.name == CHAPTER
    view.load_path(good)
    qtbot.waitUntil(lambda: not view.loading, timeout=5000)
    assert view.message_text() == "" and session.edges.name == "good.png"
    assert view.picture_combo.currentText() == "File: good.png"


def test_oversized_picture_is_scaled_and_reloaded_on_a_new_limit(qtbot, view, session, tmp_path):
    _show(qtbot, view)
    p = tmp_path / "wide.png"
    rgb = (np.random.default_rng(0).random((300, 500, 3)) * 255).astype(np.uint8)
    Image.fromarray(rgb).save(p)
    view.max_side.setValue(100)
    assert session.edges.max_side == 100
    view.open_image(str(p))
    qtbot.waitUntil(lambda: not view.loading, timeout=5000)
    assert session.edges.picture.shape == (60, 100)
    assert "scaled down to 60×100 (max side 100)" in view.picture_info.text()
    assert "colour → grey" in view.picture_info.text()
    view.max_side.setValue(200)  # the file is read again at the new limit
    qtbot.waitUntil(lambda: session.edges.picture.shape == (120, 200), timeout=5000)
    assert view.map_panel("X").caption_text() == "X — 120×200"


def _hover(qtbot, view, key, r, c, expected):
    """Move the mouse onto cell (r, c) until the view reports it (the first move only enters)."""
    panel = view.map_panel(key)
    moves = []

    def arrived() -> bool:
        moves.append(1)
        pos = panel.viewport_pos(r, c) + QPoint(len(moves) % 2, 0)
        qtbot.mouseMove(panel.view.viewport(), pos)
        return view.hover_text() == expected

    qtbot.waitUntil(arrived, timeout=2000)


def test_hover_reads_a_value(qtbot, view):
    _chapter(qtbot, view)
    xk = view.map_panel("XK")
    _hover(qtbot, view, "XK", 3, 1, "corr2d(X, K) row 3, col 1: 1")
    _hover(qtbot, view, "XK", 0, 5, "corr2d(X, K) row 0, col 5: −1")
    xk._on_mouse_moved(QPointF(-50, -50))  # off the map
    assert view.hover_text() == HINT
    xt = view.map_panel("Xt")
    xt._set_hover((1, 4))
    assert view.hover_text() == "Xᵀ row 1, col 4: 1"


def test_click_shows_the_window_and_arithmetic(qtbot, view, session):
    _chapter(qtbot, view)
    xk = view.map_panel("XK")
    qtbot.mouseClick(xk.view.viewport(), Qt.MouseButton.LeftButton, pos=xk.viewport_pos(3, 1))
    qtbot.waitUntil(lambda: view.selected() == ("XK", 3, 1), timeout=2000)
    assert view.detail.isVisible()
    assert view.detail_text() == "1×1 + 0×(−1) = 1"
    assert view.map_panel("X").window_rect() == QRectF(1, 3, 2, 1)
    assert xk.marked_cell() == (3, 1)
    np.testing.assert_array_equal(view.detail_window.values(), [[1, 0]])
    np.testing.assert_array_equal(view.detail_kernel.values(), [[1, -1]])
    # A kernel edit recomputes the shown arithmetic.
    session.set_cell("kernel", 0, 1, -2)
    assert view.detail_text() == "1×1 + 0×(−2) = 1"
    # Xᵀ with Kᵀ: the window is outlined on Xᵀ.
    session.set_cell("kernel", 0, 1, -1)
    view.show_kt.setChecked(True)
    view.select("XtKt", 5, 2)
    assert view.detail_text() == "0×1 + 1×(−1) = −1"
    assert view.map_panel("Xt").window_rect() == QRectF(2, 5, 1, 2)
    assert view.map_panel("X").window_rect() is None
    # The selection goes when its map does.
    view.show_kt.setChecked(False)
    assert view.selected() is None and view.detail_text() == ""


def test_lesson_can_hide_the_maps(qtbot, view, session):
    _chapter(qtbot, view)
    session.set_hidden({"edge-map"})
    assert view.map_panel("XK").overlay_text() == HIDDEN
    assert view.map_panel("XK").values() is None
    view.select("XK", 0, 0)
    assert view.selected() is None
    session.set_hidden(set())
    np.testing.assert_array_equal(view.map_panel("XK").values(), CHAPTER_Y)


def test_drop_a_file(qtbot, view, session, tmp_path):
    _show(qtbot, view)
    p = tmp_path / "dropped.png"
    Image.fromarray(np.full((20, 30), 128, np.uint8)).save(p)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p))])
    assert dropped_path(mime) == str(p)
    ev = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.dropEvent(ev)
    qtbot.waitUntil(lambda: not view.loading, timeout=5000)
    assert session.edges.name == "dropped.png"
    assert session.edges.picture.shape == (20, 30)
    assert dropped_path(QMimeData()) is None


def test_worker_reports_on_the_gui_thread(qtbot):
    from PySide6.QtCore import QThread

    seen = []
    task = run_in_thread(lambda x: (x * 2, QThread.currentThread()), 21)
    task.sig_done.connect(lambda r: seen.append((r, QThread.currentThread())))
    qtbot.waitUntil(lambda: len(seen) > 0, timeout=5000)
    (value, worker_thread), gui_thread = seen[0]
    assert value == 42 and worker_thread is not gui_thread
    assert gui_thread is QThread.currentThread()

    failed = []
    task = run_in_thread(lambda: 1 / 0)
    task.sig_failed.connect(failed.append)
    qtbot.waitUntil(lambda: len(failed) > 0, timeout=5000)
    assert isinstance(failed[0], ZeroDivisionError)

    dropped = []
    task = run_in_thread(lambda: 1)
    task.sig_done.connect(dropped.append)
    task.cancel()
    qtbot.waitUntil(lambda: not task.running, timeout=5000)
    assert dropped == [] and task.result == 1


def test_main_window_registers_the_view(qtbot, settings, tmp_path):
    from convviz.gui.main_window import MainWindow

    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    assert isinstance(win.views["edges"], EdgeView)
    assert win.act_open_image.shortcut().toString() == "Ctrl+O"
    assert win.acceptDrops()
    p = tmp_path / "menu.png"
    Image.fromarray(np.zeros((12, 9), np.uint8)).save(p)
    win.show()
    win.open_image(str(p))
    view = win.views["edges"]
    assert win.current_view() is view
    qtbot.waitUntil(lambda: not view.loading, timeout=5000)
    assert win.session.edges.name == "menu.png"


def test_cancel_reading_a_picture_keeps_the_one_shown(qtbot, view, session, tmp_path, monkeypatch):
    """Reading runs on a worker; Cancel drops it, and the picture and maps stay as they were."""
    import threading

    from convviz.gui.widgets import edge_view as ev

    _chapter(qtbot, view)
    started, release = threading.Event(), threading.Event()
    real_load = ev.load_image

    def slow_load(*args, **kwargs):
        started.set()
        release.wait(60)  # held until the test has cancelled
        return real_load(*args, **kwargs)

    monkeypatch.setattr(ev, "load_image", slow_load)
    good = tmp_path / "later.png"
    Image.fromarray(np.full((40, 40), 200, np.uint8)).save(good)
    task = view.load_path(good)
    assert view.loading and view.btn_cancel_load.isVisibleTo(view)
    qtbot.waitUntil(started.is_set, timeout=10_000)
    qtbot.mouseClick(view.btn_cancel_load, Qt.MouseButton.LeftButton)
    assert not view.loading and not view.btn_cancel_load.isVisibleTo(view)
    assert "Cancelled reading later.png" in view.message_text()
    release.set()
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)  # the read ended, unheard
    assert session.edges.name == CHAPTER
    np.testing.assert_array_equal(view.map_panel("XK").values(), CHAPTER_Y)


# ----------------------------------------------------------------- the map canvas
def _map(qtbot, values, *, limit=1.0, size=(400, 300)):
    from convviz.gui.widgets.heatmap import HeatMap, clear_layers

    clear_layers()
    m = HeatMap(Style(), "XK")
    qtbot.addWidget(m)
    m.resize(*size)
    m.set_values(np.asarray(values, np.float32), limit=limit, caption="m")
    m.show()
    qtbot.waitExposed(m)
    return m


def test_a_map_paints_each_cell_in_its_colour_on_the_table(qtbot):
    """pyqtgraph's indexing, kept: floor((v − lo)·256/(hi − lo)), clipped to 0..255."""
    from convviz.gui.style import theme_lut

    vals = np.array([[-1, -0.5, 0], [0.25, 0.75, 1]], np.float32)
    m = _map(qtbot, vals, limit=1.0)
    lut = theme_lut(m.style_.theme)
    img = m.view.grab().toImage()
    for (r, c), v in np.ndenumerate(vals):
        idx = min(255, int(np.floor((v + 1) * 128)))
        # a corner of the cell, away from its number
        p = m.viewport_pos(r, c) - QPoint(int(m.cell_px() * 0.4), int(m.cell_px() * 0.4))
        px = img.pixelColor(p)
        assert (px.red(), px.green(), px.blue()) == tuple(int(x) for x in lut[idx]), (r, c)
    assert m.drawn == 6  # big cells: every number printed


def test_the_map_fits_centred_with_square_cells(qtbot):
    m = _map(qtbot, np.zeros((2, 4)), size=(500, 300))
    w, h = m.view.width(), m.view.height()
    ppc = m.cell_px()
    assert ppc == pytest.approx(min(w / (4 * 1.02), h / (2 * 1.02)))
    centre = (m.viewport_pos(0, 0) + m.viewport_pos(1, 3)) / 2
    assert abs(centre.x() - w / 2) <= 1 and abs(centre.y() - h / 2) <= 1


def test_wheel_zooms_at_the_mouse_drag_pans_and_double_click_fits(qtbot):
    from PySide6.QtCore import QPoint as P
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    a = _map(qtbot, np.arange(64).reshape(8, 8), limit=64)
    b = _map(qtbot, np.arange(64).reshape(8, 8), limit=64)
    a.link(b)
    fitted = a.cell_px()
    at = a.viewport_pos(2, 5)
    ev = QWheelEvent(
        QPointF(at),
        QPointF(a.view.mapToGlobal(at)),
        P(0, 0),
        P(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(a.view, ev)
    assert a.cell_px() == pytest.approx(fitted / 1.02**-15)  # zoomed in ...
    assert a.cell_at(QPointF(at)) == (2, 5)  # ... about the cell under the mouse
    assert b.cell_px() == pytest.approx(a.cell_px())  # the linked map follows
    # A drag pans (and is no click); the follower keeps the same spot.
    clicked = []
    a.sig_cell_clicked.connect(lambda r, c: clicked.append((r, c)))
    start = a.viewport_pos(4, 4)
    qtbot.mousePress(a.view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(a.view, start + P(40, 0))
    qtbot.mouseMove(a.view, start + P(80, 0))
    qtbot.mouseRelease(a.view, Qt.MouseButton.LeftButton, pos=start + P(80, 0))
    assert clicked == []
    assert a.cell_at(QPointF(start + P(80, 0))) == (4, 4)
    assert b.view_rect().center().x() == pytest.approx(a.view_rect().center().x())
    # A click without moving picks the cell; a double click fits both maps again.
    qtbot.mouseClick(a.view, Qt.MouseButton.LeftButton, pos=a.viewport_pos(1, 1))
    assert clicked == [(1, 1)]
    qtbot.mouseDClick(a.view, Qt.MouseButton.LeftButton, pos=a.viewport_pos(1, 1))
    assert a.cell_px() == pytest.approx(fitted) and b.cell_px() == pytest.approx(fitted)


def test_outlines_and_the_hover_repaint_without_drawing_the_map_again(qtbot):
    """The map and its numbers are one layer, made again only when they change."""
    m = _map(qtbot, np.eye(4), limit=1.0)
    m.view.grab()  # painted now
    layer = m._layer
    assert layer is not None
    m.set_window((0, 1), (0, 1))
    m.set_marked((1, 1))
    m._set_hover((2, 2))
    m.view.grab()  # painted now
    assert m._layer is layer  # outlines are drawn on top of the kept layer
    img = m.view.grab().toImage()
    edge = m.viewport_pos(0, 0) - QPoint(int(m.cell_px() / 2), 0)  # the window's left side
    accent = QColor(m.style_.theme.accent)
    near = [img.pixelColor(edge + QPoint(dx, 0)) for dx in range(-3, 4)]
    assert any(c == accent for c in near)
    m.set_values(np.eye(4, dtype=np.float32), limit=1.0, caption="m")  # equal data: kept
    m.view.grab()  # painted now
    assert m._layer is layer
    m.set_values(2 * np.eye(4, dtype=np.float32), limit=2.0, caption="m")  # new data: redrawn
    m.view.grab()  # painted now
    assert m._layer is not layer
    drawn = m.drawn
    # The first map again (a slide shown again): its layer comes back from the cache,
    # with what it says it drew; on another theme it is drawn anew.
    m.set_values(np.eye(4, dtype=np.float32), limit=1.0, caption="m")
    m.view.grab()
    assert m._layer is layer and m.drawn == drawn == 16
    m.style_.set_theme("dark")
    try:
        m.view.grab()
        assert m._layer is not layer
    finally:
        m.style_.set_theme("light")  # the application's palette, as other tests expect


def test_the_message_box_fits_its_text_whatever_the_sizes_before(qtbot):
    """The box of "Predict it first" is sized for the map it is on now, not for a
    narrower layout the map had a moment before (it kept that height)."""
    from convviz.gui.widgets.heatmap import HeatMap

    def box(sizes):
        m = HeatMap(Style(), "XKt")
        qtbot.addWidget(m)
        m.resize(*sizes[0])
        m.show()
        qtbot.waitExposed(m)
        m.set_message("corr2d(X, Kᵀ) — 5×8", HIDDEN)
        for s in sizes[1:]:
            m.resize(*s)
            qtbot.waitUntil(lambda s=s: m.size().toTuple() == s)
        return m.overlay.geometry()

    fresh = box([(700, 600)])
    after_narrow = box([(150, 600), (700, 600)])
    assert after_narrow.size() == fresh.size()
    assert fresh.height() < 600 and fresh.width() <= 700


def test_a_caption_wider_than_its_map_is_set_smaller_not_cut(qtbot):
    """At 4K zoom 150 "corr2d(Xᵀ, K)" had 452 px for 576 px of text and showed as
    "orr2d(Xᵀ, K": a caption that does not fit its map's column is set in smaller type
    (its line keeps its height); one that fits keeps the full size."""
    from PySide6.QtGui import QFontMetricsF

    from convviz.gui.widgets.heatmap import HeatMap

    m = HeatMap(Style())
    qtbot.addWidget(m)
    m.resize(900, 400)
    m.show()
    qtbot.waitExposed(m)
    values = np.zeros((6, 7))
    m.set_values(values, limit=1.0, caption="corr2d(X, K) — 6×7")
    full = m.caption.font().pointSizeF()
    height = m.caption.height()

    def text_width() -> float:
        return QFontMetricsF(m.caption.font()).horizontalAdvance(m.caption.text())

    assert text_width() < m.caption.width()
    narrow = int(text_width() * 0.7)
    m.resize(narrow, 400)
    qtbot.waitUntil(lambda: m.caption.width() <= narrow)
    assert m.caption.font().pointSizeF() < full
    assert text_width() <= m.caption.width()
    assert m.caption.height() == height  # the maps below do not move
    m.resize(900, 400)
    qtbot.waitUntil(lambda: m.caption.font().pointSizeF() == full)


def test_a_pictures_map_shown_again_is_not_drawn_again(qtbot):
    """A lesson picture's map (256², as the house) comes back from the layer cache when
    its slide is shown again, though the picture was read again (new arrays, same
    values): drawing its six layers took 20-27 ms of a 4K slide change. Equal values
    only: one changed cell is a new layer."""
    rng = np.random.default_rng(3)
    house = rng.standard_normal((256, 256)).astype(np.float32)
    m = _map(qtbot, house, limit=4.0, size=(700, 700))
    m.view.grab()
    layer = m._layer
    m.set_values(rng.standard_normal((256, 256)).astype(np.float32), limit=4.0, caption="m")
    m.view.grab()
    assert m._layer is not layer
    m.set_values(house.copy(), limit=4.0, caption="m")  # the slide again, read again
    m.view.grab()
    assert m._layer is layer
    edited = house.copy()
    edited[100, 200] += 1.0
    m.set_values(edited, limit=4.0, caption="m")
    m.view.grab()
    assert m._layer is not layer


def test_a_caption_too_long_for_its_map_drops_its_shape_not_its_ends(qtbot):
    """Even at 0.6x type, a photograph's "corr2d(Xᵀ, Kᵀ) — 255×256" outgrew its map's
    column at zoom 200 on 1280×800: the line keeps the map's name whole."""
    from PySide6.QtGui import QFontMetricsF

    m = _map(qtbot, np.zeros((4, 4)), size=(700, 500))
    m.set_values(np.zeros((4, 4), np.float32), limit=1.0, caption="corr2d(Xᵀ, Kᵀ) — 255×256")
    assert m.caption.text() == "corr2d(Xᵀ, Kᵀ) — 255×256"
    m.resize(110, 500)
    text = m.caption.text()
    assert text == "corr2d(Xᵀ, Kᵀ)" and m.caption_text() == "corr2d(Xᵀ, Kᵀ) — 255×256"
    assert QFontMetricsF(m.caption.font()).horizontalAdvance(text) <= m.caption.width()
    m.resize(700, 500)
    assert m.caption.text() == "corr2d(Xᵀ, Kᵀ) — 255×256"
