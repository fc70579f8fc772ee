"""The 6.2 lesson through the real window, driven by the keys a presenter's clicker sends."""

from __future__ import annotations

import itertools

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from convviz.gui.widgets.learn_plots import ContourLines, KeptAxis
from convviz.gui.widgets.lesson_bar import PREDICT, keep_formulas
from convviz.model import Session
from convviz.model.learning import mxnet_edition
from convviz.model.lessons import LessonPlayer, load_lesson, preview_run, preview_session


@pytest.fixture
def window(make_window):
    return make_window(1600, 1000)


def model_state(s: Session):
    return (
        s.input.tobytes(),
        s.input.shape,
        s.kernel.tobytes(),
        s.kernel.shape,
        s.options,
        s.step,
        s.hidden,
        s.edges.name,
        s.edges.show_kt,
        s.learning.settings,
    )


def test_walk_the_whole_lesson_with_the_right_key(qtbot, window):
    assert window.open_lesson("6.2")
    lc = window.lessons
    bar = lc.bar
    assert lc.toolbar.isVisible() and bar.title.text() == "Cross-correlation"
    lesson = load_lesson("6.2")
    reference = LessonPlayer(lesson, Session())  # the model alone, for comparison
    views_seen = set()
    clicks = 0
    while True:
        p = lc.player
        reference.goto(p.index, build=p.build)
        assert model_state(window.session) == model_state(reference.session), p.counter()
        view = p.state.view
        assert window.current_view() is window.views[view], p.counter()
        views_seen.add(view)
        assert bar.counter.text() == f"{p.index + 1} / {len(lesson)}"
        assert bar.title.text() == p.slide.title
        assert bar.caption.text() == keep_formulas(p.slide.caption)
        if p.hidden:
            assert bar.answer_text() == PREDICT
        elif p.slide.hide:
            assert bar.answer_text() == p.slide.answer
        if p.at_end:
            break
        qtbot.keyClick(window, Qt.Key.Key_Right)
        clicks += 1
    assert views_seen == {"window", "edges", "learn", "matrix"}
    assert clicks == len(lesson) - 1 + sum(s.builds for s in lesson.slides)
    assert not bar.btn_next.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Right)  # at the end: nothing happens
    assert lc.player.at_end
    assert not window.session.modified  # a lesson is not an edit to save


def test_621_four_clicks_step_the_window(qtbot, window):
    window.open_lesson("6.2")
    s = window.session
    results = []
    for _ in range(4):
        qtbot.keyClick(window, Qt.Key.Key_PageDown)  # what most clickers send
        results.append(s.current.result)
    assert results == [19, 25, 37, 43]
    assert window.views["window"].step_label.text() == "Step 4 of 4"
    assert window.lessons.bar.progress.text() == "● ● ● ●"
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.lessons.player.index == 1
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert window.lessons.player.index == 0 and s.step == 3
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert s.step == 2


def test_predict_then_reveal_in_the_views(qtbot, window):
    window.open_lesson("6.2")
    lc = window.lessons
    i = next(k for k, sl in enumerate(lc.player.lesson.slides) if sl.title == "A layer adds a bias")
    lc.goto(i)
    wv = window.views["window"]
    assert window.session.hidden == {"result"}
    assert wv.arith.plain_text().startswith("Press →")  # no products, no "+ 1" yet
    assert not wv.output.mask().any()  # the cell to predict is blank
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.session.hidden == frozenset()
    assert wv.arith.plain_text().endswith("= 20")
    assert lc.bar.answer_text().startswith("19 + 1 = 20")


def test_edges_and_learning_slides(qtbot, window):
    window.open_lesson("6.2")
    lc = window.lessons
    titles = [sl.title for sl in lc.player.lesson.slides]
    lc.goto(titles.index("Transpose the kernel"))
    ev = window.views["edges"]
    assert window.current_view() is ev and window.session.edges.show_kt
    assert window.session.hidden == {"edge-map-t"}
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.session.hidden == frozenset()
    lc.goto(titles.index("Learning the kernel"))
    lv = window.views["learn"]
    assert window.current_view() is lv
    assert lv.run is window.session.learning.run and lv.training
    assert lv.run.settings.loss == "squared"
    assert lv.combo_init.currentData() == "book"  # the form shows the slide's start
    qtbot.waitUntil(lambda: not lv.training, timeout=10000)
    assert lv.log.toPlainText().splitlines() == [  # the MXNet edition's table, as printed
        "batch 2, loss 4.949",
        "batch 4, loss 0.831",
        "batch 6, loss 0.140",
        "batch 8, loss 0.024",
        "batch 10, loss 0.004",
    ]
    qtbot.keyClick(window, Qt.Key.Key_Right)  # the DJL edition: a fresh run, training
    assert lv.run is window.session.learning.run and lv.run.settings.loss == "l2"
    assert lv.run.steps <= 2 and lv.training
    qtbot.waitUntil(lambda: not lv.training, timeout=10000)
    assert lv.log.toPlainText().splitlines()[0] == "batch 2 loss: 0.12571691"  # DJL's format
    qtbot.keyClick(window, Qt.Key.Key_Right)  # "A valley": DJL again, a fresh run
    assert lv.run is window.session.learning.run and lv.run.steps <= 2 and lv.training
    lc.goto(titles.index("Convolution flips the kernel"))  # leaving: training stops
    assert not lv.training


def test_a_learning_slide_draws_its_run_once_per_click(qtbot, window):
    """A slide that trains draws its run's first step with the click: the run's start,
    drawn before it in the same click and never painted, is not drawn. What is drawn
    is the run as it stands, on every learning slide of the walk."""
    window.open_lesson("6.2")
    lc, lv = window.lessons, window.learn_view
    states = lc.player.lesson.states
    learning = [i for i, st in enumerate(states) if st.view == "learn"]
    assert len(learning) >= 5 and any(states[i].train for i in learning)
    for i in range(max(learning) + 1):
        before = lv.frames
        lc.goto(i)
        lv.pause()  # the frames after the first are the timer's
        if i not in learning:
            continue
        assert lv.frames - before == 1, (i, lc.player.lesson.slides[i].title)
        run = lv.run
        assert run is not None and run.steps == (1 if states[i].train else 0)
        np.testing.assert_array_equal(lv.grid_K.values(), run.kernel)
        x, _ = lv.loss_plot.data()
        assert len(x) == run.steps


def test_the_lesson_keys_win_over_the_views_but_not_over_typing(qtbot, window):
    wv = window.views["window"]
    s = window.session
    wv.setFocus()
    qtbot.keyClick(wv, Qt.Key.Key_Right)  # no lesson: the view steps its animation
    assert s.step == 0
    window.open_lesson("6.2")
    qtbot.keyClick(wv, Qt.Key.Key_Right)  # the same key inside a lesson: the slide's build
    assert window.lessons.player.build == 1 and s.step == 0
    wv.options_form.bias.setFocus()
    qtbot.keyClick(
        wv.options_form.bias, Qt.Key.Key_Right
    )  # moving the cursor in a field stays there
    assert window.lessons.player.build == 1
    window.lessons.close()
    assert not window.lessons.toolbar.isVisible() and s.hidden == frozenset()
    wv.setFocus()
    qtbot.keyClick(wv, Qt.Key.Key_Left)
    assert s.step == -1  # the view has its keys back


def test_user_edits_in_a_lesson_then_continue(qtbot, window):
    window.open_lesson("6.2")
    s = window.session
    qtbot.keyClick(window, Qt.Key.Key_Right)
    s.set_cell("input", 0, 0, 5)
    assert s.modified
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert s.step == 1 and window.lessons.player.build == 2
    assert s.modified


def test_slide_list_bar_buttons_and_collapse(qtbot, window):
    window.open_lesson("6.2")
    bar = window.lessons.bar
    assert bar.slides.count() == len(window.lessons.player.lesson)
    bar.slides.activated.emit(3)
    assert window.lessons.player.index == 3
    qtbot.mouseClick(bar.btn_next, Qt.MouseButton.LeftButton)
    assert window.lessons.player.build == 1  # slide 4 hides the output: the click reveals
    qtbot.mouseClick(bar.btn_prev, Qt.MouseButton.LeftButton)
    assert window.lessons.player.build == 0
    qtbot.mouseClick(bar.btn_collapse, Qt.MouseButton.LeftButton)
    assert bar.collapsed and not bar.caption.isVisible()
    qtbot.mouseClick(bar.btn_collapse, Qt.MouseButton.LeftButton)
    assert bar.caption.isVisible()
    qtbot.mouseClick(bar.btn_close, Qt.MouseButton.LeftButton)
    assert window.lessons.player is None


def test_hide_controls(qtbot, window):
    act = window.lessons.act_hide_controls
    act.trigger()
    assert not window.tabs.tabBar().isVisible() and not window.statusBar().isVisible()
    act.trigger()
    assert window.tabs.tabBar().isVisible() and window.statusBar().isVisible()


def test_missing_and_malformed_lessons_say_why(qtbot, window, tmp_path):
    said = []
    window.lessons.warn = lambda title, text: said.append(text)
    before = (window.session.input.tobytes(), window.session.step)
    assert not window.open_lesson("9.9")
    assert "There is no lesson '9.9'" in said[-1] and "6.2" in said[-1]
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n[[slide]]\ntitle = "a"\ncaption = "b"\nview = "edge"\n')
    assert not window.open_lesson(str(bad))
    assert said[-1] == (
        "bad.toml, slide 1: view: unknown view 'edge'; choose from window, edges, learn, matrix."
    )
    assert window.lessons.player is None and not window.lessons.toolbar.isVisible()
    assert (window.session.input.tobytes(), window.session.step) == before


def test_lesson_from_the_command_line_menu(qtbot, window):
    act = next(a for a in window.lessons.menu_lessons.actions() if a.text() == "Lesson 6.2")
    act.trigger()
    assert window.lessons.active and window.lessons.act_end.isEnabled()
    window.lessons.act_end.trigger()
    assert not window.lessons.active


@pytest.mark.parametrize("presenting", [False, True])
def test_try_0034_diverges_with_its_message_and_nothing_moves(qtbot, make_window, presenting):
    """At "Try 0.034"'s divergence a message row appeared above the plots and shrank
    them mid-slide (the next slide grew them back). The message takes the
    explanation's two-line slot, in type that fits it, and nothing moves."""
    window = make_window(1280, 800)
    window.enter_fullscreen = lambda: None  # the window is the 1280×800 projector
    window.style_.set_zoom(150)
    assert window.open_lesson("6.2")
    if presenting:
        window.presenting.start()
    lc, lv = window.lessons, window.learn_view
    lc.goto([s.title for s in lc.player.lesson.slides].index("Try 0.034"))
    QApplication.processEvents()
    grids = (lv.grid_K, lv.grid_true, lv.grid_grad)
    parts = (lv.loss_plot, lv.weight_plot, lv.surface, lv.status, *grids)

    def places():
        # the kernels' cells too: the gradient reaches −2.66e+04
        return [(p.mapTo(window, p.rect().topLeft()), p.size()) for p in parts] + [
            g.cell_size() for g in grids
        ]

    before = places()
    assert lv.explain.isVisible() != presenting and not lv.message.isVisible()
    qtbot.waitUntil(lambda: lv.state == "diverged", timeout=20_000)
    QApplication.processEvents()
    assert lv.message.isVisible() and lv.btn_use_lr.isVisible()
    assert not lv.explain.isVisible() and "too large" in lv.message.text()
    assert abs(lv.run.grad).max() > 1e4  # a number longer than the cells were made for
    assert places() == before
    for g in grids:  # written shorter, still read from the back row
        assert max(len(t) for row in g._texts for t in row) <= g.reserve_chars
        assert g._digit_font().pixelSize() >= 0.022 * 800
    message = lv.message
    assert message.heightForWidth(message.width()) <= lv.note.height()
    assert message.x() + message.width() <= lv.btn_use_lr.x()
    lc.next()  # the next slide's run: no message, the same plots
    QApplication.processEvents()
    assert not lv.message.isVisible() and lv.explain.isVisible() != presenting
    assert places() == before


@pytest.mark.parametrize("presenting", [False, True])
def test_the_lesson_bar_keeps_one_height_through_a_slide(qtbot, make_window, presenting):
    """Stable geometry: a build or a reveal changes the bar's words, never its height
    (else the stage under it is resized and refitted mid-slide: the grids jump)."""
    window = make_window(1920, 1080)
    assert window.open_lesson("6.2")
    if presenting:
        window.presenting.start()
    lc, app = window.lessons, QApplication.instance()

    def settle() -> None:
        for _ in range(6):
            app.processEvents()

    heights: dict[int, set[int]] = {}
    answers = set()
    while True:
        settle()
        p = lc.player
        heights.setdefault(p.index, set()).add(lc.bar.height())
        answers.add(lc.bar.answer_text())
        if p.at_end:
            break
        lc.next()
    assert PREDICT in answers and len(answers) > 2  # prompts and reveals were walked
    moved = {i: h for i, h in heights.items() if len(h) > 1}
    assert not moved, moved


def test_a_slide_change_restyles_the_answer_only_when_its_role_changes(qtbot, window):
    """The bar sets only what changed: the answer's style sheet (a re-polish and a
    relayout each time) is applied when prompt turns to answer or back, not per click."""
    from PySide6.QtCore import QEvent, QObject

    class Count(QObject):
        n = 0

        def eventFilter(self, obj, event) -> bool:
            if event.type() == QEvent.Type.StyleChange:
                self.n += 1
            return False

    assert window.open_lesson("6.2")
    lc = window.lessons
    count = Count()
    lc.bar.answer.installEventFilter(count)
    looks, clicks = [lc.bar.answer.styleSheet()], 0
    while not lc.player.at_end:
        lc.next()
        clicks += 1
        looks.append(lc.bar.answer.styleSheet())
    lc.bar.answer.removeEventFilter(count)
    changes = sum(a != b for a, b in itertools.pairwise(looks))
    assert 0 < changes < clicks and count.n <= changes, (count.n, changes, clicks)


def test_a_lesson_opened_before_the_window_shows_keeps_the_bar_to_its_text(qtbot, settings):
    """The app opens the lesson (--lesson) before its window is shown and laid out: the
    bar measured its captions then, at a width of ~100 px, wrapped them word by word,
    reserved 1200 px for them and grew the full-screen window to 1458 px at 1280×800."""
    from convviz.gui.main_window import MainWindow

    w = MainWindow(settings=settings, zoom=150)
    qtbot.addWidget(w)
    w.enter_fullscreen = lambda: None
    assert w.open_lesson("6.2")
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    bar = w.lessons.bar
    qtbot.waitUntil(lambda: bar.width() > 1000)
    for _ in range(10):
        QApplication.processEvents()
    assert w.height() <= 800
    # title, a caption line or two and the answer line: not a column of single words
    assert bar.height() < 0.3 * 800, bar.height()
    assert bar.caption.height() >= bar.caption.heightForWidth(bar.caption.width())
    w.lessons.close()


def test_a_view_draws_nothing_for_a_slide_of_another_view(qtbot, window, monkeypatch):
    """A click that leaves a view for another view's slide sets the session up before
    the views switch: the view it leaves must not redraw for it (the window view's
    grids and sum, 4.7 ms of a 4K change; the learning view's run and message, which
    resized its plots), yet each view shows the session as it is when it comes back,
    and still follows a click that keeps it on screen."""
    assert window.open_lesson("6.2")
    lc, s = window.lessons, window.session
    wv, lv = window.window_view, window.learn_view
    drawing = {  # what each view runs to draw a model change
        "window": (wv, ("_refresh_all", "_refresh_step")),
        "learn": (lv, ("_new_run", "_show_settings", "_check_data")),
        "edges": (window.edge_view, ("refresh",)),
        "matrix": (window.matrix_view, ("refresh",)),
    }
    drawn: list[str] = []
    for key, (view, names) in drawing.items():
        for name in names:
            real = getattr(view, name)

            def spy(*a, real=real, label=f"{key}.{name}", **k):
                drawn.append(label)
                return real(*a, **k)

            monkeypatch.setattr(view, name, spy)
    left: dict[str, int] = {}
    followed = 0
    while not lc.player.at_end:
        was = lc.player.state.view
        where = (lc.player.index, lc.player.build)
        plots = lv.loss_plot.size()
        drawn.clear()
        lc.next()
        qtbot.wait(1)  # queued checks (the learning view's _check_data) run
        here = lc.player.state.view
        mine = [d for d in drawn if d.startswith(was + ".")]
        if here != was:
            left[was] = left.get(was, 0) + 1
            assert mine == [], lc.player.counter()
            if was == "learn":
                assert lv.loss_plot.size() == plots, lc.player.counter()
        elif (lc.player.index, lc.player.build) != where and was == "window":
            followed += bool(mine)
        if here == "window":
            assert np.array_equal(wv.input_panel.editor.values(), s.input), lc.player.counter()
            assert np.array_equal(wv.kernel_panel.editor.values(), s.kernel), lc.player.counter()
    assert set(left) == set(drawing) and followed >= 10, (left, followed)


def test_the_bar_paints_a_slide_shown_again_from_its_image(qtbot, window):
    """The bar's big title is filled from glyph outlines at 4K on every paint: a slide
    the lecturer comes back to copies the image its labels were painted into, and
    looks the same."""
    assert window.open_lesson("6.2")
    lc, bar = window.lessons, window.lessons.bar
    first = bar.title.grab().toImage()
    lc.goto(1)
    bar.title.grab()
    misses, hits = bar.paint_cache.misses, bar.paint_cache.hits
    lc.goto(0)
    again = bar.title.grab().toImage()
    assert bar.paint_cache.hits > hits and bar.paint_cache.misses == misses  # copied
    assert again == first


# ------------------------------------------------ the next slide drawn ahead
def _learning_entry(lesson, one_step: bool = True) -> int:
    """A slide that switches to the learning view and trains (one step: both windows
    of a comparison then show the same step, whatever the training budget)."""
    states = lesson.states
    return next(
        i
        for i, st in enumerate(states)
        if i > 0
        and st.train
        and st.view == "learn"
        and states[i - 1].view != "learn"
        and (not one_step or st.learning.get("steps") == 1)
    )


def _count_calls(monkeypatch, obj, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(obj, name)

    def spy(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(obj, name, spy)
    return calls


def test_a_learning_slide_drawn_ahead_shows_what_it_shows_without(qtbot, make_window, monkeypatch):
    """While a slide of another view stays on screen, the lesson draws the next slide's
    learning run into the hidden learning view; the click then finds its surface drawn,
    and shows exactly what the same click shows when nothing was drawn ahead."""
    i = _learning_entry(load_lesson("6.2"))
    traced = []
    for ahead in (False, True):
        w = make_window(1280, 800)
        assert w.open_lesson("6.2")
        lc, lv = w.lessons, w.learn_view

        def enter(lc=lc, lv=lv, w=w):
            lc.goto(i)
            qtbot.waitUntil(lambda: not lv.training and lv.run is not None)
            assert lv.run is w.session.learning.run and lv.run.steps == 1
            return w.stages["learn"].grab().toImage()

        lc.goto(i - 1)
        if ahead:
            qtbot.waitUntil(lambda lc=lc: i in lc.rehearsed)  # its idle timer, as in class
            assert not lv.isVisible() and lv.run is None
        else:
            lc._cancel_rehearsal()
        draws = _count_calls(monkeypatch, lv.surface, "_draw_surface")
        shot = enter()
        traced.append(len(draws))
        if ahead:  # the same click again, nothing drawn ahead: the same pixels
            lc.goto(i - 1)
            lc._cancel_rehearsal()
            assert enter() == shot
        lc.close()
        w.close()
    assert traced == [1, 0]  # drawn on the click without, found again with


def _curves_drawn_whole(view) -> None:
    """A run's curves keep a picture onto which each frame strokes its new segments, so
    their round joins' edges depend on how the steps fell into frames, which depends
    on the machine's pace: they are compared as a first paint draws them, whole."""
    from convviz.gui.widgets.trail_curve import TrailCurve

    for plot in (view.loss_plot, view.weight_plot, view.surface.plot):
        for item in plot.scene().items():
            if isinstance(item, TrailCurve):
                item._layer_valid = False


def test_a_learning_slide_after_a_learning_slide_finds_its_surface_traced(
    qtbot, make_window, monkeypatch
):
    """The learning view is on screen, so nothing is drawn into it ahead; the next
    slide's loss surface is traced, and the extent of its press of Train taken, while
    the class looks at this one (after its training), and the click shows exactly
    what it shows without."""
    from convviz.model import learning

    lesson = load_lesson("6.2")
    states = lesson.states
    i = next(
        k
        for k, st in enumerate(states)
        if k > 0
        and st.train
        and st.view == states[k - 1].view == "learn"
        and preview_run(lesson, k).two_weights
        and not np.array_equal(preview_run(lesson, k).data.X, preview_run(lesson, k - 1).data.X)
    )
    traced, extents, shots, maps_painted, axes_made = [], [], [], [], []
    painted: list[object] = []  # the maps' and contours' pictures drawn (not found kept)
    made: list[object] = []  # axes' pictures made (not found kept)
    prime = KeptAxis.prime

    def counting_prime(axis):
        if axis.picture is None and axis._key() not in axis._kept:
            made.append(axis)
        prime(axis)

    monkeypatch.setattr(KeptAxis, "prime", counting_prime)
    for cls in (pg.ImageItem, ContourLines):
        paint = cls.paint
        monkeypatch.setattr(
            cls, "paint", lambda self, *a, paint=paint: painted.append(self) or paint(self, *a)
        )
    extent = learning.LearningRun._extent
    taken: list[int] = []
    monkeypatch.setattr(learning.LearningRun, "_extent", lambda *a: taken.append(1) or extent(*a))
    for ahead in (False, True):
        w = make_window(1280, 800)
        assert w.open_lesson("6.2")
        lc, lv = w.lessons, w.learn_view
        if not ahead:  # (cancelled after the training, it could have run already)
            monkeypatch.setattr(lc, "_slide_to_rehearse", lambda: None)
        lc.goto(i - 1)
        learning._extents.clear()  # (kept by the run's start, across windows)
        qtbot.waitUntil(lambda lv=lv: not lv.training and lv.run is not None)
        if ahead:
            qtbot.waitUntil(lambda lc=lc: i in lc.rehearsed)  # its idle timer, as in class
        else:
            assert i not in lc.rehearsed
        calls = _count_calls(monkeypatch, lv.surface, "_trace")
        taken.clear()
        painted.clear()
        made.clear()
        lc.goto(i)
        qtbot.waitUntil(lambda lv=lv, w=w: not lv.training and lv.run is w.session.learning.run)
        traced.append(len(calls))
        extents.append(len(taken))
        maps_painted.append(len(painted))
        axes_made.append(len(made))
        _curves_drawn_whole(lv)
        shots.append(w.stages["learn"].grab().toImage())
        lc.close()
        w.close()
    assert traced == [1, 0]  # traced on the click without, found again with
    assert extents == [1, 0]
    assert maps_painted == [2, 0]  # and painted ahead, unseen
    assert axes_made[1] < axes_made[0]  # and the plots' axes drawn for it (see
    # test_axes_drawn_ahead_are_the_axes_drawn_on_the_spot for one the click widens)
    assert shots[0] == shots[1]


@pytest.mark.parametrize("view", ["matrix", "edges", "window"])
def test_a_slide_drawn_ahead_is_fitted_as_its_click_fits_it(qtbot, make_window, view):
    """While a slide of another view stays on screen, the lesson shows the next slide's
    session in its hidden view (the matrix view, the edge maps) and fits and paints
    its stage: the click then finds that fit (no restyle) and shows exactly what it
    shows without."""
    states = load_lesson("6.2").states
    i = next(k for k, st in enumerate(states) if k > 0 and st.view == view
             and states[k - 1].view not in (view, "learn"))  # fmt: skip
    shots, scales = [], []
    for ahead in (False, True):
        w = make_window(1280, 800)
        assert w.open_lesson("6.2")
        lc, stage = w.lessons, w.stages[view]
        # no status bar: its height follows the engine's warm-up message (its "→" is
        # from a taller font), which comes at its own time
        lc.set_controls_hidden(True)
        lc.goto(i - 1)
        arith = getattr(w.views[view], "arith", None)  # the sum (window, matrix)
        if ahead:
            qtbot.waitUntil(lambda lc=lc: i in lc.rehearsed)  # its idle timer, as in class
            prepared = stage.stage_style.scale
            sum_ahead = arith.caption.font().pointSizeF() if arith is not None else None
        else:
            lc._cancel_rehearsal()
        remembered = stage.fits_remembered
        lc.goto(i)
        qtbot.waitUntil(lambda w=w: w.current_view_key() == view)

        def settled(stage=stage) -> bool:  # (without: a second layout pass comes later)
            before = (stage.geometry(), stage.stage_style.scale)
            QApplication.processEvents()
            after = (stage.geometry(), stage.stage_style.scale)
            return before == after and not stage._again.isActive()

        qtbot.waitUntil(settled)
        shots.append(stage.grab().toImage())
        scales.append(stage.stage_style.scale)
        if ahead:  # fitted ahead as the click fits it: the click finds the fit made
            assert stage.stage_style.scale == prepared
            assert stage.fits_remembered > remembered
            if arith is not None:  # and its sum drawn at that scale, though hidden
                assert arith.caption.font().pointSizeF() == sum_ahead
        lc.close()
        w.close()
    assert scales[0] == scales[1]
    assert shots[0] == shots[1]


@pytest.mark.parametrize("view", ["edges", "window"])
def test_a_slide_after_one_of_its_view_is_drawn_into_the_views_understudy(qtbot, make_window, view):
    """The view is on screen, so the next slide of the same view is drawn into its hidden
    copy (MainWindow.understudy): the click then finds the fit remembered and the images
    of its labels and maps made (fewer made than without), and shows exactly what it
    shows without. The copy is never shown, and the view shows the session."""
    from convviz.gui.widgets import heatmap

    lesson = load_lesson("6.2")
    states = lesson.states

    def differs(k: int) -> bool:  # the grids' shapes (the window), the picture (edges)
        a, b = preview_session(lesson, k), preview_session(lesson, k - 1)
        if view == "window":
            return a.input.shape != b.input.shape
        return a.edges.picture.shape != b.edges.picture.shape

    i = next(k for k, st in enumerate(states) if k > 0 and st.view == view
             and states[k - 1].view == view and not states[k - 1].playing
             and differs(k))  # fmt: skip
    shots, misses = [], []

    def look(v) -> tuple:  # the window view's cells, digits and sum, as drawn
        grids = [g for g in v._grids() if g.isVisibleTo(v) and g.values() is not None]
        fonts = [g._digit_font() for g in grids]
        return (
            [round(g._geometry()[0], 3) for g in grids],
            [f.pixelSize() if f is not None else None for f in fonts],
            v.arith.caption.font().pointSizeF(),
        )

    for ahead in (False, True):
        heatmap.clear_layers()  # (kept across windows)
        w = make_window(1280, 800)
        assert w.open_lesson("6.2")
        lc, stage = w.lessons, w.stages[view]
        lc.set_controls_hidden(True)  # (see test_a_slide_drawn_ahead_is_fitted_as_...)
        lc.goto(i - 1)
        if ahead:
            qtbot.waitUntil(lambda lc=lc: i in lc.rehearsed)  # its idle timer, as in class
        else:
            lc._cancel_rehearsal()
        made = w._understudies.get(view)
        assert (made is not None) == ahead
        remembered, missed = stage.fits_remembered, stage.label_cache.misses
        layers = len(heatmap._layers)
        drawn_ahead = look(made[1]) if made is not None and view == "window" else None
        lc.goto(i)

        def settled(stage=stage) -> bool:
            before = (stage.geometry(), stage.stage_style.scale)
            QApplication.processEvents()
            after = (stage.geometry(), stage.stage_style.scale)
            return before == after and not stage._again.isActive()

        qtbot.waitUntil(settled)
        misses.append(stage.label_cache.misses - missed + len(heatmap._layers) - layers)
        shots.append(stage.grab().toImage())
        if ahead:
            assert made is not None
            double_stage, double = made
            assert stage.fits_remembered > remembered
            assert not double_stage.isVisible() and double is not w.current_view()
            assert w.current_view() is w.views[view]
            s = w.session
            if view == "window":
                real = w.window_view
                np.testing.assert_array_equal(real.input_panel.editor.values(), s.input)
                assert double.session is not s  # only previews
                # drawn as the click draws it: its grids share one cell size and its
                # sum is at the scale fitted, though hidden (else the click drew the
                # digits and the sum anew: slide 29 at 4K)
                assert look(real) == drawn_ahead
            else:
                np.testing.assert_array_equal(w.edge_view.panels["X"].values(), s.edges.picture)
                assert double.session is not s

            # its controls hidden as the view's are (its labels then look alike)
            def shown(v):
                return sorted(type(b).__name__ for b in v.findChildren(QAbstractButton)
                              if b.isVisibleTo(v))  # fmt: skip

            assert shown(double) == shown(w.views[view])
        lc.close()
        w.close()
    assert misses[0] > 0  # (the check below checks something)
    # All found made: the copy drew as the click draws (its grids sharing one cell
    # size and its sum at the scale fitted, though hidden; its labels keyed alike)
    assert misses[1] == 0
    assert shots[0] == shots[1]


def test_the_next_title_and_caption_are_drawn_while_the_class_reads_this_slide(qtbot, window):
    """After each click the lesson bar draws the next slide's title and caption at the
    sizes its labels have, in the app's idle time: a click whose title and caption keep
    their labels' sizes finds both drawn (at 4K, ~1-2 ms of every change)."""
    from convviz.gui.widgets.lesson_bar import keep_formulas

    slides = load_lesson("6.2").slides
    assert window.open_lesson("6.2")
    lc, bar = window.lessons, window.lessons.bar
    cache = bar.paint_cache
    found = {"title": 0, "caption": 0}
    for i in range(1, 14):
        qtbot.waitUntil(lambda: not lc.rehearsal_pending)
        nxt = {"title": slides[i].title, "caption": keep_formulas(slides[i].caption)}
        ahead = {name: cache._key(getattr(bar, name), text) for name, text in nxt.items()}
        made = {name: key in cache._images for name, key in ahead.items()}
        lc.goto(i)
        QApplication.processEvents()
        for name in nxt:
            if cache._key(getattr(bar, name)) == ahead[name]:  # its label kept its size
                assert made[name], (i, name)
                found[name] += 1
    assert found["title"] > 0 and found["caption"] > 0  # (the checks above ran)


def test_a_click_during_a_rehearsal_makes_the_rest_void(qtbot, window, monkeypatch):
    i = _learning_entry(load_lesson("6.2"), one_step=False)
    assert window.open_lesson("6.2")
    lc = window.lessons
    lc.goto_last()
    assert not lc.rehearsal_pending  # the last slide has none to draw ahead
    lc.goto(i - 1)
    assert lc.rehearsal_pending
    lc._rehearsal.stop()
    lc._rehearse()  # due now: its first step waits for the event loop
    assert lc.rehearsal_pending
    rehearsed = _count_calls(monkeypatch, window.learn_view, "rehearse")
    lc.goto(i)  # the click comes first
    QApplication.processEvents()
    assert rehearsed == [] and lc.rehearsed == []
    qtbot.waitUntil(lambda: window.learn_view.run is window.session.learning.run)


def test_a_view_drawn_ahead_shows_the_models_run_when_shown_by_its_tab(qtbot, window):
    """Drawn ahead, then shown by its tab instead of the next slide: the learning view
    shows the run the learning state has (trained on an earlier slide), not the preview."""
    lesson = load_lesson("6.2")
    trained = next(k for k, st in enumerate(lesson.states) if st.train and st.view == "learn"
                   and lesson.states[k + 1].view != "learn")  # fmt: skip
    assert lesson.states[trained + 1].view != "learn"
    assert window.open_lesson("6.2")
    lc, lv = window.lessons, window.learn_view
    lc.goto(trained)
    qtbot.waitUntil(lambda: not lv.training and lv.run is not None and lv.run.steps > 1)
    lc.goto(trained + 1)  # another view's slide; the model keeps a trained run
    lc._cancel_rehearsal()
    learning = window.session.learning
    learning.set_settings(mxnet_edition())
    run = learning.new_run(window.session)
    run.advance(5)
    preview = preview_run(lesson, _learning_entry(lesson))
    assert preview is not None and preview is not run
    assert lv.rehearse(preview) and window.stages["learn"].paint_ahead()
    assert lv.run is None and run.changed  # the view let go of the preview
    lc.close()
    window.show_view("learn")
    assert lv.run is run
    x, y = run.loss_history()
    assert np.array_equal(lv.loss_plot._y, y) and np.array_equal(lv.loss_plot._x, x)
    assert lv.grid_true.values() is not None
    assert np.array_equal(lv.grid_true.values(), run.data.K_true)


def _before_a_slide_drawn_ahead(qtbot, window, view: str, grid: str) -> Session:
    """Open the lesson on the slide before the first slide of ``view`` that follows
    another view (not learning) and has a ``grid`` of another shape, and wait until that
    slide is drawn ahead (its idle timer, as in class); then close the lesson. The
    preview that was drawn."""
    lesson = load_lesson("6.2")
    states = lesson.states
    k = next(k for k in range(1, len(states)) if states[k].view == view
             and states[k - 1].view not in (view, "learn")
             and preview_session(lesson, k).grid(grid).shape
             != preview_session(lesson, k - 1).grid(grid).shape)  # fmt: skip
    assert window.open_lesson("6.2")
    lc = window.lessons
    lc.goto(k - 1)
    qtbot.waitUntil(lambda: k in lc.rehearsed)
    return preview_session(lesson, k)


def test_a_window_slide_drawn_ahead_then_shown_by_its_tab_shows_the_session(qtbot, window):
    """The window view drawn ahead from a preview of the next slide, then shown by its
    tab instead: its grids, titles and sum are the session's, not the preview's."""
    view = window.window_view
    nxt = _before_a_slide_drawn_ahead(qtbot, window, "window", "input")
    assert view.input_panel.editor.values().shape == nxt.input.shape  # the preview drawn
    window.lessons.close()
    window.show_view("window")
    s = window.session
    for panel, grid in ((view.input_panel, s.input), (view.kernel_panel, s.kernel)):
        np.testing.assert_array_equal(panel.editor.values(), grid)
        h, w = grid.shape
        assert panel.title.text().endswith(f"({h}×{w})")
    assert view.output.values() is None or view.output.values().shape == s.output_shape
    step = "—" if s.steps is None else f"Step {0 if s.current is None else s.step + 1}"
    assert view.step_label.text() == (step if s.steps is None else f"{step} of {s.n_steps}")


def test_the_edge_maps_drawn_ahead_then_shown_by_their_tab_show_the_sessions_kernel(qtbot, window):
    """The edge maps drawn ahead from a preview whose kernel is not the session's, then
    shown by their tab instead: the kernel panel shows the session's kernel again."""
    panel = window.edge_view.kernel_panel
    nxt = _before_a_slide_drawn_ahead(qtbot, window, "edges", "kernel")
    np.testing.assert_array_equal(panel.editor.values(), nxt.kernel)  # the preview drawn
    window.lessons.close()
    window.show_view("edges")
    K = window.session.kernel
    assert K.shape != nxt.kernel.shape
    np.testing.assert_array_equal(panel.editor.values(), K)
    h, w = K.shape
    assert panel.title.text().endswith(f"({h}×{w})")


def test_a_diverging_run_does_not_fit_its_page_again_at_every_frame(qtbot, make_window):
    """The status line is the learning page's widest line and is rewritten at every
    frame: late in "Try 0.034" its numbers' signs flip each step, and the page asked
    the stage for 5 % more width, then less, and was fitted again at every frame
    (4K). Its width now follows the widest text of the run; a new run lets go of it."""
    window = make_window(3840, 2160)
    window.enter_fullscreen = lambda: None  # the window is the 4K projector
    assert window.open_lesson("6.2")
    window.presenting.start()
    lc, lv = window.lessons, window.learn_view
    lc.goto([s.title for s in lc.player.lesson.slides].index("Try 0.034"))
    QApplication.processEvents()
    stage = window.stages["learn"]
    driver = lv.driver
    driver.timer.stop()  # the frames are made here, one at a time
    lv.run.advance(250 - lv.run.steps)
    driver.on_draw()
    QApplication.processEvents()
    fits, widths, texts = [], set(), set()
    refit = stage._refit
    stage._refit = lambda: (fits.append(lv.run.steps), refit())
    try:
        for _n in range(12):
            lv.run.advance(1)
            driver.on_draw()
            QApplication.processEvents()
            texts.add(lv.status.text())
            widths.add(_plain_width(lv.status, lv.status.text()))
    finally:
        del stage._refit
    assert len(texts) == 12 and max(widths) > 1.04 * min(widths)  # the case is exercised
    assert len(fits) <= 1  # (once, as its numbers first grow)
    assert lv.status.minimumSizeHint().width() >= max(_plain_width(lv.status, t) for t in texts)
    lv.reset()  # a new run: the line's width is its text's again
    QApplication.processEvents()
    assert lv.status.minimumSizeHint().width() == _plain_width(lv.status, lv.status.text())


def _plain_width(label, text: str) -> int:
    """The width a plain QLabel in ``label``'s font asks for ``text``."""
    plain = QLabel(text)
    plain.setFont(label.font())
    return plain.minimumSizeHint().width()
