"""The paint paths made fast for 4K projection still draw what they drew.

Grids repaint only the cells a repaint touches, big digits are copied from
images rendered once, a window's outline is four lines, the stage fits a new
slide before it is painted (once), colour-bar captions are never cut, and the
matrix view's grids take the height they are given.
"""

from __future__ import annotations

import numpy as np
import pytest
from projection_probe import lesson_window
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QRegion
from PySide6.QtWidgets import QApplication, QWidget

from convviz.gui.style import Style
from convviz.gui.widgets import text_sprites
from convviz.gui.widgets.color_bar import ColorBar
from convviz.gui.widgets.grid_widget import GridWidget
from convviz.gui.widgets.matrix_view import MatrixView
from convviz.model import Session


def _render(w: QWidget, region: QRegion | None = None, fill: str = "#ff00ff") -> QImage:
    img = QImage(w.size(), QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor(fill))
    p = QPainter(img)
    # render() puts the region's top-left corner at the offset given: keep it in place.
    at = region.boundingRect().topLeft() if region is not None else QPoint()
    w.render(p, at, region or QRegion(), QWidget.RenderFlag.DrawWindowBackground)
    p.end()
    return img


def _pixels(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_ARGB32)
    a = np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes())
    return a.reshape(img.height(), img.bytesPerLine() // 4, 4)[:, : img.width()].copy()


@pytest.fixture
def grid(qtbot):
    g = GridWidget(Style(zoom=400))
    qtbot.addWidget(g)
    g.resize(2400, 1900)
    g.set_values(np.arange(48.0).reshape(6, 8) - 20)
    g.set_padding((1, 1))
    g.show()
    qtbot.waitExposed(g)
    return g


def test_a_partial_repaint_draws_the_same_pixels_as_a_full_one(grid):
    window = np.zeros((6, 8), bool)
    window[2:4, 3:6] = True
    grid.set_outline(window)
    assert grid.digit_px() > text_sprites.DIRECT_PX  # the copied-image path is exercised
    full = _pixels(_render(grid))
    c = grid.cell_rect(2, 3)
    # A region cutting through cells (as an outline's update does), plus the padding ring.
    for rect in (
        QRect(int(c.x() + c.width() / 3), int(c.y() + 5), int(2.5 * c.width()), int(c.height())),
        grid.cell_rect(-1, -1).toAlignedRect(),
    ):
        part = _pixels(_render(grid, QRegion(rect)))
        r = rect.intersected(grid.rect())
        np.testing.assert_array_equal(
            part[r.top() : r.bottom() + 1, r.left() : r.right() + 1],
            full[r.top() : r.bottom() + 1, r.left() : r.right() + 1],
        )
        # ... and nothing outside the region was painted.
        outside = part.copy()
        outside[r.top() : r.bottom() + 1, r.left() : r.right() + 1] = (255, 0, 255, 255)
        assert (outside == (255, 0, 255, 255)).all()


def test_a_grid_painted_ahead_is_copied_when_shown_and_draws_only_what_its_mask_changed(
    qtbot, monkeypatch
):
    """A grid painted while hidden (its slide drawn ahead) keeps its cells as painted:
    shown with those values (after its view showed its own session again), it copies
    them; a revealed cell is drawn alone. A grid on screen that was not drawn ahead
    paints directly and keeps nothing. Whatever the path, the pixels are those of a
    grid drawn afresh."""
    style = Style(zoom=400)
    drawn: list[QRect] = []
    paint_layer = GridWidget._paint_layer

    def spy(self, p, rect, *args):
        drawn.append(QRect(rect))
        return paint_layer(self, p, rect, *args)

    monkeypatch.setattr(GridWidget, "_paint_layer", spy)

    def grid(values, mask=None, shown=True) -> GridWidget:
        g = GridWidget(style)
        qtbot.addWidget(g)
        g.resize(2400, 1900)
        g.set_values(values, mask=mask)
        if shown:
            g.show()
            qtbot.waitExposed(g)
        return g

    def fresh(values, mask) -> np.ndarray:
        f = grid(values, mask)
        pixels = _pixels(_render(f))
        assert not f._bases  # on screen, not drawn ahead: painted directly
        return pixels

    A = np.arange(48.0).reshape(6, 8) - 20
    B = A[::-1].copy()
    hidden = np.ones((6, 8), bool)
    hidden[3:, :] = False
    g = grid(A, hidden, shown=False)
    _render(g)  # drawn ahead, as Stage.paint_ahead renders a hidden page
    assert g._bases
    g.set_values(B)  # the view shows its own session again ...
    g.set_values(A, mask=hidden)  # ... then the click shows the slide's
    g.show()
    qtbot.waitExposed(g)
    expected = fresh(A, hidden)
    drawn.clear()
    np.testing.assert_array_equal(_pixels(_render(g)), expected)
    assert drawn == []  # copied

    revealed = hidden.copy()
    revealed[3, 2] = True  # a step reveals one output cell
    g.set_values(A, mask=revealed)
    expected = fresh(A, revealed)
    drawn.clear()
    shown = _pixels(_render(g))
    assert len(drawn) == 1 and drawn[0].contains(g.cell_rect(3, 2).toAlignedRect())
    assert drawn[0].width() * drawn[0].height() < 4 * g.cell_size() ** 2  # that cell alone
    np.testing.assert_array_equal(shown, expected)

    style.set_theme("dark")  # a theme drops what was painted in the old one
    np.testing.assert_array_equal(_pixels(_render(g)), fresh(A, revealed))
    assert not np.array_equal(_pixels(_render(g)), shown)


def test_a_live_grid_keeps_no_base_and_shows_what_a_kept_one_does(qtbot):
    """A grid whose values change at every frame (a kernel being learned) paints
    directly, even when drawn ahead: the same pixels, and no copy kept to be thrown
    away at the next frame."""
    style = Style(zoom=400)
    kept, live = GridWidget(style), GridWidget(style)
    live.live = True
    for g in (kept, live):
        qtbot.addWidget(g)
        g.resize(1600, 900)
        g.set_values(np.array([[0.25, -0.5]]))
    np.testing.assert_array_equal(_pixels(_render(live)), _pixels(_render(kept)))  # hidden
    assert kept._bases and not live._bases
    for g in (kept, live):
        g.show()
        qtbot.waitExposed(g)
    for K in ([[0.5, -1.25]], [[0.75, -1.0]]):
        for g in (kept, live):
            g.set_values(np.array(K))
        np.testing.assert_array_equal(_pixels(_render(live)), _pixels(_render(kept)))
    assert not live._bases


@pytest.mark.parametrize("text", ["−27", "−0.045", "0×1 + 3×2", "= 19", "Y[0, 0]"])
def test_big_digits_are_copied_where_drawText_would_put_them(qtbot, text):
    """A number or a sum is copied a character at a time (other text whole), and lands
    where drawText puts it: the same ink, within a pixel."""
    text_sprites.clear()
    font = QFont(QApplication.font())
    font.setBold(True)
    font.setPixelSize(180)
    ink = []
    for cached in (False, True):
        img = QImage(1900, 400, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(QColor("white"))
        p = QPainter(img)
        rect = QRectF(50, 40, 1800, 300)
        if cached:
            text_sprites.draw_text(p, rect, text, font, QColor("black"))
            text_sprites.draw_text(p, rect, text, font, QColor("black"))  # from the cache
        else:
            p.setFont(font)
            p.setPen(QColor("black"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        p.end()
        dark = _pixels(img)[..., 0] < 128
        ys, xs = np.nonzero(dark)
        ink.append((dark, xs.min(), xs.max(), ys.min(), ys.max()))
    composed = text_sprites.COMPOSED.issuperset(text)
    assert text_sprites.cached_count() == (len(set(text) - {" "}) if composed else 1)
    (d0, *box0), (d1, *box1) = ink
    assert d0.sum() > 5000 and abs(int(d1.sum()) - int(d0.sum())) <= 0.03 * d0.sum()
    assert np.abs(np.subtract(box0, box1)).max() <= 1
    # ... and each character in its place, not only the whole: nearly all ink is shared.
    assert (d0 & d1).sum() >= 0.9 * d0.sum()


def test_sprite_cache_stays_bounded(monkeypatch):
    text_sprites.clear()
    monkeypatch.setattr(text_sprites, "MAX_PIXELS", 200_000)
    font = QFont(QApplication.font())
    font.setPixelSize(120)
    img = QImage(300, 300, QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    for i in range(200):
        text_sprites.draw_text(p, QRectF(0, 0, 300, 300), str(i), font, QColor("black"))
    p.end()
    assert 0 < text_sprites._pixels <= 200_000 + 300 * 300
    assert text_sprites.cached_count() < 200


def test_a_window_outline_is_its_four_sides_and_a_dilated_one_every_cell(grid):
    cell, x0, y0 = grid._geometry()
    m = np.zeros((6, 8), bool)
    m[1:3, 2:5] = True
    lines = grid._outline_lines(m, cell, x0, y0)
    assert len(lines) == 4
    xs = sorted({ln.x1() for ln in lines} | {ln.x2() for ln in lines})
    ys = sorted({ln.y1() for ln in lines} | {ln.y2() for ln in lines})
    tl, br = grid.cell_rect(1, 2), grid.cell_rect(2, 4)
    assert xs == [tl.left(), br.right()] and ys == [tl.top(), br.bottom()]
    d = np.zeros((6, 8), bool)
    d[1:4:2, 2:5:2] = True  # dilation 2: four separate cells
    assert len(grid._outline_lines(d, cell, x0, y0)) == 16


def test_the_cell_size_follows_size_padding_and_shape(grid, qtbot):
    before = grid.cell_size()
    grid.resize(700, 550)
    assert grid.cell_size() < before
    smaller = grid.cell_size()
    grid.set_padding((3, 3))
    padded = grid.cell_size()
    assert padded < smaller
    grid.set_values(np.ones((2, 2)))
    assert grid.cell_size() > padded


@pytest.mark.parametrize("zoom", [100, 150, 200, 300])
def test_a_colour_bar_at_its_minimum_shows_its_whole_caption(qtbot, zoom):
    bar = ColorBar(Style(zoom=zoom), "Colour scale: input and kernel")
    qtbot.addWidget(bar)
    bar.resize(bar.minimumSizeHint())
    bar.show()
    assert bar.shown_caption() == bar.caption
    assert bar.rect().contains(bar.caption_rect())
    bar.resize(bar.minimumSizeHint().width() // 2, bar.height())  # squeezed: elided, not cut
    assert bar.shown_caption().endswith("…")
    assert bar.caption_rect().right() <= bar.width()


def test_the_matrix_grids_take_the_height_they_are_given(qtbot):
    v = MatrixView(Session(), Style())
    qtbot.addWidget(v)
    v.resize(1600, 600)
    v.show()
    qtbot.waitExposed(v)
    heights = []
    for h in (600, 1000, 700):  # taller, then shorter again: no ratchet either way
        v.resize(1600, h)
        qtbot.waitUntil(lambda h=h: v.height() == h)
        qtbot.wait(20)
        used, room = v.grids_height(), v.room_for_grids()[1]
        assert v.grids_width_bound() or used >= 0.85 * room, (h, used, room)
        heights.append(used)
    assert heights[1] > heights[0] and heights[2] < heights[1]


class _PaintCounter(QObject):
    def __init__(self, target: QWidget) -> None:
        super().__init__()
        self.target, self.n, self.partial = target, 0, 0

    def eventFilter(self, obj, event) -> bool:
        """Counts repaints of most of the view (a label updated later is no relayout),
        and smaller ones apart."""
        if obj is self.target and event.type() == QEvent.Type.Paint:
            r = event.region().boundingRect()
            if r.width() * r.height() >= 0.5 * obj.width() * obj.height():
                self.n += 1
            else:
                self.partial += 1
        return False


#: Every slide change paints the view once: the new page's show requests (Qt's
#: UpdateLater events) are delivered before the paint (they repainted the whole page a
#: turn later: 13, 20, 23), and the plots settle their layout, axes and changed items
#: before it (pyqtgraph did that while painting, then painted again: 7, 10, 22). The
#: frames of a run a slide starts are its animation, not the change: the test stops
#: them (they repainted slides 10-12 while the change settled, on a slow turn).
KNOWN_DOUBLE_PAINTS: set[int] = set()


def _lesson_window_4k(qtbot, settings):
    """The main window at 3840×2160, zoom 150, on the 6.2 lesson's first slide."""
    return lesson_window(qtbot, settings, (3840, 2160))


@pytest.mark.parametrize("ahead", [False, True])
def test_a_slide_change_paints_the_stage_once(qtbot, settings, monkeypatch, ahead):
    """Every slide of the lesson (Fig. 6.2.1 first, what bench_ui.py times): a change of
    slide, with or without a change of the stage's scale, is fitted and its cells shared
    before the repaint, not after (a second whole-stage paint at 4K). Without drawing
    ahead, and with the next slide drawn ahead before each click (the lesson's idle
    timer, which fired in this test's settling on a loaded machine, is the test's own)."""

    w = _lesson_window_4k(qtbot, settings)
    app = QApplication.instance()
    lc = w.lessons

    def settle() -> None:
        for _ in range(8):
            app.processEvents()

    def draw_ahead() -> None:  # between two clicks, as in class
        if ahead and lc._slide_to_rehearse() is not None:
            for view in w.views.values():
                view.pause()  # (an animation puts drawing ahead off until it ends)
            lc._rehearsal.stop()
            lc._rehearse()
            qtbot.waitUntil(lambda: not lc.rehearsal_pending)

    lc._rehearsal.timeout.disconnect()  # no drawing ahead but the test's
    settle()
    n = lc.player.n_slides
    assert n > 30  # the whole lesson is walked
    rescaled, doubled, once = 0, set(), set()
    for i in range(n - 1):
        lc.goto(i)
        settle()
        draw_ahead()
        scale = w.current_stage().scale()
        counters = [_PaintCounter(v) for v in w.views.values()]
        for c in counters:
            c.target.installEventFilter(c)
        lc.goto(i + 1)
        w.learn_view.driver.timer.stop()  # the run's next frames: animation (see above)
        settle()
        for c in counters:
            c.target.removeEventFilter(c)
        shown = next(c for c in counters if c.target is w.current_view())
        n_painted = shown.n
        # A slide that moves nothing (same view, same scale, only one grid's values
        # new) repaints just what changed: painted, though not whole.
        same_place = abs(w.current_stage().scale() - scale) < 1e-9 and shown.partial >= 1
        assert n_painted >= 1 or same_place, f"slide {i + 1} was not painted"
        (doubled if n_painted > 1 else once).add(i + 1)
        if w.current_view_key() == "window" and i + 1 < 5:
            assert n_painted == 1, f"slide {i + 1} painted whole {n_painted} times"
        rescaled += abs(w.current_stage().scale() - scale) > 1e-3
    assert rescaled, "no slide change rescaled the stage: the test checks too little"
    assert doubled <= KNOWN_DOUBLE_PAINTS, f"painted twice: {sorted(doubled)}"
    assert not ahead or len(lc.rehearsed) >= 10  # (the slides after another view's)
    lc.close()


def _grab_label(lab) -> np.ndarray:
    """What the label shows on screen (its paint event, through any event filter)."""
    return _pixels(lab.grab().toImage())


def test_a_cached_label_shows_what_the_label_would_and_follows_its_text(qtbot):
    from PySide6.QtWidgets import QLabel

    from convviz.gui.widgets.label_cache import LabelPaintCache

    plain = QLabel()
    cached = QLabel()
    cache = LabelPaintCache()
    for lab in (plain, cached):
        qtbot.addWidget(lab)
        f = lab.font()
        f.setPixelSize(120)
        lab.setFont(f)
        lab.resize(900, 200)
        lab.setStyleSheet("color: #ca580c;")
        lab.show()
    cache.watch(cached)
    for text in ("Y[0, 0] = 19", "Y[0, 1] = 25", "Y[0, 0] = 19"):
        for lab in (plain, cached):
            lab.setText(text)
        a, b = _grab_label(plain), _grab_label(cached)
        assert (a != a[0, 0]).any()  # something was drawn
        np.testing.assert_allclose(a, b, atol=8)  # same text, same place, same colour
    assert cache.misses == 2 and cache.hits >= 1  # the first text again: copied
    other = QLabel(plain.text())  # another label with the same look (a second "?")
    qtbot.addWidget(other)
    other.setFont(cached.font())
    other.resize(900, 200)
    other.setStyleSheet("color: #ca580c;")
    other.show()
    cache.watch(other)
    np.testing.assert_allclose(_grab_label(plain), _grab_label(other), atol=8)
    assert cache.misses == 2  # copied from the first label's image
    cached.setStyleSheet("color: #2166ac;")  # a new colour is a new look, not a stale copy
    plain.setStyleSheet("color: #2166ac;")
    np.testing.assert_allclose(_grab_label(plain), _grab_label(cached), atol=8)


def test_a_grid_too_fine_for_digits_formats_no_numbers(qtbot):
    """A 64×64 picture at 12 px a cell prints nothing: its 4096 numbers are not
    formatted on every edit (that was 25 ms of the 64×64 edit's repaint)."""
    g = GridWidget(Style())
    qtbot.addWidget(g)
    g.resize(800, 800)
    g.set_values(np.random.default_rng(0).normal(size=(64, 64)))
    g.show()
    qtbot.waitExposed(g)
    g.repaint()
    assert not g.digits_shown() and g._texts is None


@pytest.mark.parametrize(
    "align",
    [Qt.AlignmentFlag.AlignCenter, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom],
)
def test_a_cached_wrapped_label_keeps_every_line_in_place(qtbot, align):
    from PySide6.QtWidgets import QLabel

    from convviz.gui.widgets.label_cache import LabelPaintCache

    labels = [QLabel(), QLabel()]
    cache = LabelPaintCache()
    for lab in labels:
        qtbot.addWidget(lab)
        f = lab.font()
        f.setPixelSize(90)
        f.setItalic(True)  # overhangs past the advance
        lab.setFont(f)
        lab.setWordWrap(True)
        lab.setAlignment(align)
        lab.setContentsMargins(7, 3, 11, 5)
        lab.resize(700, 700)
        lab.setText("Output shape rows: 6 − 1 + 1 = 6 columns: 8 − 7 + 1 = 2")
        lab.show()
    cache.watch(labels[1])
    a, b = (_grab_label(lab) for lab in labels)
    assert cache.misses == 1
    np.testing.assert_allclose(a, b, atol=8)


def test_a_label_drawn_ahead_shows_its_next_text_as_drawn_on_the_spot(qtbot):
    """render_ahead makes the image a label will need for a text it does not show yet
    (the next slide's title and caption): the label then shows that text without
    drawing it, with the pixels a label drawing it itself has; the label on screen is
    untouched meanwhile."""
    from PySide6.QtWidgets import QLabel

    from convviz.gui.widgets.label_cache import LabelPaintCache

    cache = LabelPaintCache()
    labels = [QLabel("The edge map"), QLabel("Transpose the kernel")]
    for lab in labels:
        qtbot.addWidget(lab)
        f = lab.font()
        f.setPixelSize(90)
        lab.setFont(f)
        lab.setWordWrap(True)
        lab.setStyleSheet("color: #ca580c;")
        lab.resize(1400, 260)
        lab.show()
    cached, plain = labels
    cache.watch(cached)
    before = _grab_label(cached)
    assert cache.misses == 1
    assert cache.render_ahead(cached, plain.text())
    assert not cache.render_ahead(cached, plain.text())  # made once
    np.testing.assert_array_equal(_grab_label(cached), before)
    cached.setText(plain.text())
    shown = _grab_label(cached)
    assert cache.misses == 1  # found made
    np.testing.assert_allclose(shown, _grab_label(plain), atol=8)
    assert (shown != shown[0, 0]).any()


def test_labels_that_differ_only_in_an_unused_link_colour_share_one_image(qtbot):
    """A view's hidden copy (drawn ahead) has the theme's link colour in its palette and
    the view Qt's: their labels, with no link, look alike and share one image."""
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QLabel

    from convviz.gui.widgets.label_cache import LabelPaintCache

    cache = LabelPaintCache()

    def label(text: str, link: str) -> QLabel:
        lab = QLabel(text)
        qtbot.addWidget(lab)
        f = lab.font()
        f.setPixelSize(90)
        lab.setFont(f)
        pal = lab.palette()
        pal.setColor(QPalette.ColorRole.Link, QColor(link))
        lab.setPalette(pal)
        lab.resize(900, 200)
        lab.show()
        cache.watch(lab)
        return lab

    plain = [label("Y[8, 8] =", link) for link in ("#009e73", "#0000ff")]
    for lab in plain:
        _grab_label(lab)
    assert (cache.misses, cache.hits) == (1, 1)
    plain[1].setStyleSheet("color: #2166ac;")  # a colour it shows is a new look
    _grab_label(plain[1])
    assert cache.misses == 2


def test_a_cached_rich_sum_is_copied_from_an_image_no_wider_than_its_text(qtbot):
    """The arithmetic's sums are rich text, left and top aligned, in a label far wider
    than the text: the cached image covers the text's extent, not the whole label,
    and shows the same pixels as the label painted directly."""
    from PySide6.QtWidgets import QLabel

    from convviz.gui.widgets import label_cache
    from convviz.gui.widgets.label_cache import LabelPaintCache

    labels = [QLabel(), QLabel()]
    cache = LabelPaintCache()
    text = (
        '<table cellspacing="0" cellpadding="0"><tr><td></td><td>'
        '<span style="color:#ca580c; font-style:italic;">0×1</span></td>'
        "<td>&nbsp;+&nbsp;</td><td>3×−2</td></tr><tr><td>&nbsp;+&nbsp;</td>"
        "<td>4×5</td><td>&nbsp;+&nbsp;</td><td>1×1 = <b>15</b></td></tr></table>"
    )
    for lab in labels:
        qtbot.addWidget(lab)
        f = lab.font()
        f.setPixelSize(80)
        lab.setFont(f)
        lab.setTextFormat(Qt.TextFormat.RichText)
        lab.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lab.resize(3000, 400)
        lab.setText(text)
        lab.show()
    cache.watch(labels[1])
    a, b = (_grab_label(lab) for lab in labels)
    assert cache.misses == 1
    np.testing.assert_allclose(a, b, atol=8)

    def mine() -> list:
        return [img for key, (_at, img) in label_cache._POOL.items() if key[0] == id(cache)]

    (img,) = mine()
    assert 0 < img.width() * img.height() < 3000 * 400 // 2  # the text, not the label
    before = label_cache.pool_pixels()
    cache.clear()
    assert not mine() and label_cache.pool_pixels() == before - img.width() * img.height()


def test_every_cached_stage_label_shows_what_a_fresh_render_would(qtbot, settings):
    """The lesson's first eight slides at 4K (the edge slides' "corr2d(X, Kᵀ)" captions
    were drawn 13 px too high and cut: the cache's reused twin label had kept state from
    the label it drew before). Every label image the caches hold for a label on screen
    equals a render of that label by a cache that never drew anything else."""
    from PySide6.QtWidgets import QLabel

    from convviz.gui.widgets import label_cache

    w = _lesson_window_4k(qtbot, settings)
    w.presenting.start()
    app = QApplication.instance()
    caches = w.findChildren(label_cache.LabelPaintCache)
    checked = 0
    for i in range(8):
        w.lessons.goto(i)
        for _ in range(8):
            app.processEvents()
        for lab in w.current_view().findChildren(QLabel):
            if not lab.isVisible():
                continue
            for c in caches:
                key = c._key(lab)
                held = label_cache._POOL.get(key) if key is not None else None
                if held is None:
                    continue
                at, img = held
                fresh_at, fresh = label_cache.LabelPaintCache()._render(lab)
                assert at == fresh_at, lab.text()
                a, b = _pixels(img).astype(int), _pixels(fresh).astype(int)
                assert a.shape == b.shape, lab.text()
                # antialiasing may differ here and there (a glyph from a fallback font,
                # a rounded frame's edge: up to 0.6 % of the pixels seen); text moved or
                # cut differs in a third of them (the Kᵀ caption: 30.75 %)
                off = (np.abs(a - b) > 8).any(axis=-1).mean()
                assert off < 0.03, f"slide {i + 1}: {lab.text()!r}: {off:.2%} of pixels differ"
                checked += 1
    assert checked > 20  # the stages' titles, captions and sums were looked at
    w.lessons.close()


def test_within_glyph_cache_sets_only_big_type_below_the_limit(qtbot):
    from PySide6.QtGui import QFont, QFontInfo

    from convviz.gui.widgets import text_sprites

    small, big = QFont(), QFont()
    small.setPixelSize(40)
    big.setPixelSize(71)
    assert text_sprites.within_glyph_cache(small) is small
    capped = text_sprites.within_glyph_cache(big)
    assert QFontInfo(capped).pixelSize() == text_sprites.DIRECT_PX - 1
    assert big.pixelSize() == 71 and capped.family() == big.family()


@pytest.mark.parametrize("points", [8.0, 40.0, 46.0, 49.0, 52.0, 54.0, 70.0])
def test_style_type_just_over_the_glyph_cache_snaps_under_it(qtbot, points):
    """A style's type from 64 to SNAP_PX px is set at 63, drawn from Qt's glyph cache;
    smaller and larger type keeps its size."""
    from PySide6.QtGui import QFont, QFontInfo
    from PySide6.QtWidgets import QApplication

    from convviz.gui.style import GLYPH_CACHE_PX, SNAP_PX, Style

    natural = QFont(QApplication.font())
    natural.setPointSizeF(points)
    want = QFontInfo(natural).pixelSize()
    got = QFontInfo(Style().font(points / Style().scale)).pixelSize()
    if GLYPH_CACHE_PX <= want <= SNAP_PX:
        assert got == GLYPH_CACHE_PX - 1
    else:
        assert got == want
