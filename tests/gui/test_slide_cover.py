"""The next slide's picture, drawn ahead while presenting and shown at its click."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QApplication, QWidget

from convviz.gui.presenting import NEXT_KEYS


@pytest.fixture
def presenting(make_window, settings):
    def make(width: int = 1280, height: int = 800, zoom: int = 100):
        settings.setValue("zoom", zoom)
        w = make_window(width, height)
        w.enter_fullscreen = lambda: None  # offscreen: keep the test's size
        w.presenting.start()
        return w

    return make


def _pixels(image: QImage) -> np.ndarray:
    img = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    a = np.frombuffer(img.constBits(), np.uint8, img.height() * img.bytesPerLine())
    return a.reshape(img.height(), img.bytesPerLine())[:, : img.width() * 4].copy()


def _settle() -> None:
    for _ in range(6):
        QApplication.processEvents()


def _drawn_ahead(qtbot, w) -> None:
    """The pause a lecturer talks for: until the next slide is drawn ahead."""
    if w.learn_view.training:
        w.learn_view.pause()  # (the next slide is drawn once the run stops)
    qtbot.waitUntil(lambda: not w.lessons.rehearsal_pending, timeout=20_000)


@pytest.mark.parametrize(
    "slide",
    [
        2,  # the sliding window after the sliding window
        6,  # the edge maps after the sliding window: the bar is a line shorter
        7,  # the edge maps after the edge maps
        8,  # a run trained after the edge maps (its first step, in a double of the view)
        9,  # a run trained after a run
        23,  # a one-step run: done at its first frame
        14,  # the sliding window after the learning view
        24,  # the matrix view after the learning view
        25,  # the sliding window after the matrix view
        37,  # the sum's caption narrower than on the slide before
    ],
)
def test_the_click_shows_the_slide_drawn_ahead_before_it_builds_it(
    qtbot, presenting, monkeypatch, slide
):
    w = presenting()
    lc = w.lessons
    lc.goto(slide - 2)
    _settle()
    _drawn_ahead(qtbot, w)
    picture = lc.cover.image
    assert picture is not None, "the next slide's picture was not made"
    picture = QImage(picture)
    covered: list[bool] = []
    show_view = w.show_view

    def showing(key: str) -> None:
        covered.append(lc.cover.isVisible())
        show_view(key)

    monkeypatch.setattr(w, "show_view", showing)
    shown = lc.cover.shown
    lc.goto(slide - 1)
    assert lc.cover.shown == shown + 1 and covered == [True]  # on screen before the work
    assert lc.cover.image is None  # used once
    driver = w.learn_view.driver
    training = w.learn_view.training
    # A run's next frames wait for the live view: the picture is its first one.
    assert not driver.timer.isActive()
    assert lc.cover.isVisible()  # up a moment more
    took = len(lc.cover.takeovers)
    qtbot.waitUntil(lambda: not lc.cover.isVisible())  # the live widgets take over
    assert len(lc.cover.takeovers) == took + 1
    if training:  # the run goes on from its first frame, as the picture shows it
        assert driver.timer.isActive()
        driver.timer.stop()
        _settle()
    # (a learning view's plots may differ by a shade at a line's or a title's edge, in a
    # few of the million pixels: drawn by another view, of one run from another session)
    allowed = 0.0005 if lc.player.state.view == "learn" else 0.0
    live, drawn = _pixels(w.grab().toImage()), _pixels(picture)
    assert live.shape == drawn.shape
    differ = np.any((live != drawn).reshape(live.shape[0], -1, 4), axis=2)
    assert differ.mean() <= allowed, f"{int(differ.sum())} pixels differ from the live slide"


def test_a_clicker_key_shows_the_picture_too(qtbot, presenting):
    w = presenting()
    lc = w.lessons
    lc.goto(1)  # "The output is smaller": no builds, the next key moves on
    _drawn_ahead(qtbot, w)
    assert lc.cover.image is not None
    qtbot.keyClick(w.focusWidget() or w, NEXT_KEYS[0])
    assert lc.player.index == 2 and lc.cover.shown == 1


def test_no_picture_is_shown_for_a_build_a_move_back_or_a_changed_window(qtbot, presenting):
    w = presenting()
    lc = w.lessons
    lc.goto(0)  # four builds before the next slide
    _drawn_ahead(qtbot, w)
    assert lc.cover.image is not None
    lc.next()  # a build: the same slide, its picture void
    assert lc.player.index == 0 and lc.cover.shown == 0 and lc.cover.image is None
    lc.goto(2)
    _drawn_ahead(qtbot, w)
    lc.prev()  # back, not the slide drawn ahead
    assert lc.cover.shown == 0 and lc.cover.image is None
    lc.goto(1)
    _drawn_ahead(qtbot, w)
    assert lc.cover.image is not None
    w.style_.set_theme("dark")  # drawn in the light theme
    _settle()
    lc.goto(2)
    assert lc.cover.shown == 0


def test_no_picture_as_fast_as_it_goes_or_not_presenting(qtbot, presenting):
    w = presenting()
    lc = w.lessons
    combo = w.learn_view.combo_pace
    combo.setCurrentIndex(combo.findText("fastest"))  # a first slice as long as it takes
    lc.goto(6)  # the next slide trains
    _drawn_ahead(qtbot, w)
    assert lc.rehearsed[-1] == 7 and lc.cover.image is None
    w.presenting.stop()
    lc.goto(0)
    _drawn_ahead(qtbot, w)
    assert lc.rehearsed[-1] == 1 and lc.cover.image is None


def test_a_slide_is_shown_at_the_scale_it_was_drawn_ahead_at(qtbot, presenting):
    """ "Transpose X" after "A diagonal edge" at 1080p, zoom 150: a content that changed
    by less than a refit waits for kept the slide before's scale (1.746), where the
    slide drawn ahead had its own (1.763)."""
    w = presenting(1920, 1080, zoom=150)
    lc = w.lessons
    for i in range(1, 16):  # the lesson walked, as a lecture does (the fits it remembers)
        lc.goto(i)
        _settle()
        _drawn_ahead(qtbot, w)
    stage, _view = w.understudy("window")
    drawn = stage.scale()
    picture = QImage(lc.cover.image)
    lc.goto(16)
    qtbot.waitUntil(lambda: not lc.cover.isVisible())
    assert w.current_stage().scale() == drawn
    assert np.array_equal(_pixels(w.grab().toImage()), _pixels(picture))


def test_the_sums_caption_is_as_wide_as_its_text_after_a_wider_one(qtbot, presenting):
    w = presenting(zoom=150)
    lc = w.lessons
    for i in range(27, 37):  # the last slides, as a lecture walks them
        lc.goto(i)
        _settle()
        _drawn_ahead(qtbot, w)
    caption = w.window_view.arith.caption  # "Y[1, 1] =", after "Y[3, 3] =" in larger type
    m = caption.contentsMargins()
    text = QFontMetrics(caption.font()).horizontalAdvance(caption.text()) + m.left() + m.right()
    assert caption.text() and caption.width() <= max(text, caption.minimumWidth()) + 2


def test_the_bar_drawn_ahead_is_the_bar_shown(qtbot, presenting):
    from convviz.model.lessons import entry_event

    w = presenting()
    lc = w.lessons
    bar = lc.bar
    _settle()
    picture = bar.picture_of(entry_event(lc.player.lesson, 1), lc.player.n_slides, bar.size())
    assert bar.title.text() != lc.player.lesson.slides[1].title  # the bar on screen is untouched
    lc.goto(1)
    _settle()
    assert np.array_equal(_pixels(bar.grab().toImage()), _pixels(picture))


def test_the_mouse_or_the_next_click_takes_the_picture_down_at_once(qtbot, presenting):
    w = presenting()
    lc = w.lessons
    lc.goto(1)
    _drawn_ahead(qtbot, w)
    lc.goto(2)
    assert lc.cover.isVisible()
    stage = w.current_stage()
    for at in (stage.rect().center(), stage.rect().center() + QPoint(7, 5)):
        qtbot.mouseMove(stage, at)  # (two places: the pointer may be at one already)
    QApplication.processEvents()
    assert not lc.cover.isVisible()  # the live slide, to point at
    _drawn_ahead(qtbot, w)
    lc.goto(3)
    assert lc.cover.isVisible()
    lc.prev()  # no picture for a move back: the old one goes with the click
    assert not lc.cover.isVisible() and lc.player.index == 2
    lc.goto(3)
    w.presenting.stop()
    assert not lc.cover.isVisible()


def test_a_run_held_under_its_picture_goes_on_when_the_mouse_takes_it_down(qtbot, presenting):
    w = presenting()
    lc = w.lessons
    lc.goto(7)  # "Learning the kernel": the next click trains
    _drawn_ahead(qtbot, w)
    lc.goto(8)
    driver = w.learn_view.driver
    assert lc.cover.isVisible() and w.learn_view.training and not driver.timer.isActive()
    slices = driver.slices
    stage = w.current_stage()
    for at in (stage.rect().center(), stage.rect().center() + QPoint(7, 5)):
        qtbot.mouseMove(stage, at)
    QApplication.processEvents()
    assert not lc.cover.isVisible() and driver.timer.isActive()
    qtbot.waitUntil(lambda: driver.slices > slices)  # the run animates again
    w.learn_view.pause()


def test_the_picture_is_painted_once_and_what_is_under_it_waits_to_be_painted(qtbot, presenting):
    w = presenting()
    lc = w.lessons
    lc.goto(1)
    _drawn_ahead(qtbot, w)
    paints: list[QRect] = []

    class Spy(QObject):
        def eventFilter(self, obj, event) -> bool:
            if obj is lc.cover and event.type() == QEvent.Type.Paint:
                paints.append(event.rect())
            return False

    spy = Spy()
    lc.cover.installEventFilter(spy)
    parts = [c for c in w.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)]
    lc.goto(2)
    _settle()  # the click's own layouts and repaints
    assert lc.cover.isVisible()
    assert paints == [w.rect()]  # once, at the click: not again for what changed under it
    under = [c for c in parts if c is not lc.cover and not c.isWindow()]
    assert under and not any(c.updatesEnabled() for c in under)
    qtbot.waitUntil(lambda: not lc.cover.isVisible())
    assert all(c.updatesEnabled() for c in under)  # and all of it painted as it goes
    lc.cover.removeEventFilter(spy)


def test_the_picture_is_transparent_to_the_mouse_and_never_takes_the_focus(presenting):
    w = presenting()
    cover = w.lessons.cover
    assert cover.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert cover.focusPolicy() == Qt.FocusPolicy.NoFocus and cover.isHidden()


def test_a_picture_composed_in_bands_is_the_picture_composed_at_once(qtbot, presenting):
    from convviz.gui.widgets.slide_cover import Composition

    w = presenting()
    w.lessons.goto(3)  # "Finding edges": grids, a sum, a caption across the bands
    _settle()
    stage = w.current_stage()
    rect = w.lessons._in_window(stage)
    pictures = []
    for bands in (1, 3, 7):
        made = Composition(w, [rect], [(rect, stage)], bands=bands)
        steps = 0
        while made.step():
            steps += 1
        assert steps == bands - 1 and made.image is not None
        pictures.append(_pixels(made.image))
    assert np.array_equal(pictures[0], pictures[1]) and np.array_equal(pictures[0], pictures[2])
