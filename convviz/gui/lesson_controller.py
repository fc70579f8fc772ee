"""The window's lesson controller (wiring only).

:class:`LessonController` runs a lesson: it owns the Qt-free
:class:`~convviz.model.lessons.LessonPlayer`, puts the :class:`LessonBar`
on top of the window, turns a presenter's clicker (→/Page Down: next,
←/Page Up: back) into ``next()``/``prev()``, and on each move shows the
slide's view and starts playing or training when the slide asks. The keys
are caught application-wide while a lesson runs, so they reach the lesson
whichever view has the focus; a field being typed in keeps its arrows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QMenu,
    QMessageBox,
    QToolBar,
    QWidget,
)

from ..model import Session
from ..model.lessons import (
    LessonError,
    LessonEvent,
    LessonPlayer,
    available_lessons,
    entry_event,
    load_lesson,
    preview_run,
    preview_session,
)
from .app_events import AppEventFilter, plain_key, take_key
from .main_window import UNDERSTUDIED
from .widgets._util import blocked, settle_layouts
from .widgets.edge_view import EdgeView
from .widgets.learn_view import LearnView
from .widgets.lesson_bar import LessonBar
from .widgets.matrix_view import MatrixView
from .widgets.slide_cover import Composition, SlideCover
from .widgets.window_view import WindowView

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .stage import Stage

#: What a presenter's clicker sends, and what each key does in a lesson.
NEXT_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_PageDown)
PREV_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_PageUp)
#: How long a slide stays as it is before the next slide's hidden view is drawn ahead
#: (ms): a lecturer talks over a slide for seconds; a quick run of clicks draws nothing.
REHEARSE_AFTER_MS = 300
#: How many of the slides drawn ahead ``LessonController.rehearsed`` lists (the latest).
REHEARSALS_KEPT = 16
#: Views other than the learning view whose next slide is drawn ahead, from a
#: preview of the session its click makes. The matrix view: its first showing
#: (slide 26 at 4K) fitted its stage in three restyles and painted W's 1152
#: numbers and its notes from nothing (77-93 ms of CPU). The edge maps: slide 7's
#: first showing made six map layers and their captions (64 ms of CPU at 4K). The
#: sliding window, after another view: slide 27 laid out and drew its sum, caption
#: and padding note, and its grids, from nothing (40-55 ms of CPU at 4K, 22 after).
DRAWN_AHEAD = frozenset({"matrix", "edges", "window"})
#: Events that take a slide's picture down at once (and the window's resize): the
#: live slide is pointed at or scrolled (see :class:`SlideCover`).
_TAKE_DOWN = frozenset({QEvent.Type.MouseMove, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})


# ===================================================================== lessons
class LessonController(AppEventFilter):
    """Runs one lesson at a time over the window's session and views."""

    sig_moved = Signal()  # payload: none; the lesson moved, opened or closed (the console)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.player: LessonPlayer | None = None
        #: Shows a problem to the user: (title, text). Tests replace it.
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(
            window, title, text
        )
        self.bar = LessonBar(window.style_)
        self.toolbar = QToolBar("Lesson", window)
        self.toolbar.setObjectName("lesson_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.addWidget(self.bar)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.toolbar.hide()
        self.bar.sig_next.connect(self.next)
        self.bar.sig_prev.connect(self.prev)
        self.bar.sig_goto.connect(self.goto)
        self.bar.sig_close.connect(self.close)
        self._build_menus()
        self.filter_app_events(window)
        # The next slide drawn ahead while this one is looked at (see _rehearse).
        self._rehearsal = QTimer(self)
        self._rehearsal.setSingleShot(True)
        self._rehearsal.setInterval(REHEARSE_AFTER_MS)
        self._rehearsal.timeout.connect(self._rehearse)
        self._rehearsal_id = 0  # a click makes the steps of a rehearsal under way void
        self._rehearsal_steps = 0  # steps queued and not run yet
        #: The slides drawn ahead lately (0-based), for tests and the benchmark.
        self.rehearsed: list[int] = []
        #: While presenting, the next slide's picture, put on the screen at its click.
        self.cover = SlideCover(window)
        self.cover.down.connect(self._on_cover_down)
        self._double: tuple[Stage, LearnView] | None = None  # see _picture_learning

    def _build_menus(self) -> None:
        w = self.window
        self.menu_lessons = QMenu("&Lessons", w)
        for name in available_lessons():
            a = QAction(f"Lesson {name}", self.menu_lessons)
            a.triggered.connect(lambda _=False, n=name: self.open(n))
            self.menu_lessons.addAction(a)
        self.menu_lessons.addSeparator()
        self.act_end = QAction("&End lesson", self.menu_lessons)
        self.act_end.triggered.connect(self.close)
        self.act_end.setEnabled(False)
        self.menu_lessons.addAction(self.act_end)
        first = w.menu_file.actions()[0] if w.menu_file.actions() else None
        w.menu_file.insertMenu(first, self.menu_lessons)  # type: ignore[arg-type]
        w.menu_file.insertSeparator(first)  # type: ignore[arg-type]

        w.menu_view.addSeparator()
        self.act_bar = self.toolbar.toggleViewAction()
        self.act_bar.setText("&Lesson bar")
        w.menu_view.addAction(self.act_bar)
        self.act_hide_controls = QAction("&Hide controls", w, checkable=True)
        self.act_hide_controls.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.act_hide_controls.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.act_hide_controls.setToolTip("Only the pictures and the lesson: for projection")
        self.act_hide_controls.toggled.connect(self.set_controls_hidden)
        w.menu_view.addAction(self.act_hide_controls)
        w.addAction(self.act_hide_controls)

    # ---------------------------------------------------------- the lesson
    @property
    def active(self) -> bool:
        return self.player is not None

    def open(self, name: str) -> bool:
        """Load ``resources/lessons/<name>.toml`` and show its first slide; False on error."""
        try:
            lesson = load_lesson(name)
        except LessonError as exc:
            self.warn("The lesson cannot be opened", str(exc))
            return False
        if self.player is not None:
            self.player.changed.disconnect(self._on_event)
        # The views follow the session and its learning state themselves; this
        # controller only shows the slide's view and starts what the slide plays.
        self.player = LessonPlayer(lesson, self.window.session)
        self.player.changed.connect(self._on_event)
        self.bar.set_lesson(lesson)
        self.window.set_views_tools_visible(False)  # the class needs the grids, not the tools
        self.toolbar.show()
        self.act_end.setEnabled(True)
        self.player.start()
        return True

    def close(self) -> None:
        """End the lesson: the bar goes, the session stays as it is for free exploring."""
        if self.player is None:
            return
        self.player.changed.disconnect(self._on_event)
        self.player = None
        self._cancel_rehearsal()
        self.cover.clear()
        self.cover.take_down(paint=False)
        self.toolbar.hide()
        self.act_end.setEnabled(False)
        self.window.session.set_hidden(frozenset())
        self.sig_moved.emit()

    def next(self) -> None:
        if self.player is not None:
            index = self.player.slide_after("next")
            with self._covered(index), self._moving(index):
                self.player.next()

    def prev(self) -> None:
        if self.player is not None:
            with self._covered(None), self._moving(self.player.slide_after("prev")):
                self.player.prev()

    def goto(self, index: int) -> None:
        if self.player is not None:
            with self._covered(index), self._moving(index):
                self.player.goto(index)

    def goto_last(self) -> None:
        """The last slide (End while presenting)."""
        if self.player is not None:
            self.goto(self.player.n_slides - 1)

    def set_presenting(self, on: bool) -> None:
        """Presenting: the bar keeps only the slide's words (see :mod:`..presenting`)."""
        self.bar.set_presenting(on)

    @contextlib.contextmanager
    def _covered(self, index: int | None) -> Iterator[None]:
        """A click into slide ``index`` (its first build; None: a move back) shows the
        picture drawn ahead for it, if there is one for the window as it is now, while
        the click's own work runs and a moment after (see :class:`SlideCover`). Any move
        makes the ready picture void: it was the slide after this one."""
        cover = self.cover
        shown = (
            index is not None
            and self.player is not None
            and index != self.player.index
            and cover.show_for(self._cover_key(index))
        )
        try:
            yield
        finally:
            cover.clear()
            w = self.window
            if shown and not w.window_view.playing:
                if w.learn_view.training:
                    # The picture is the run's first frame: the next ones wait for the
                    # live view (_on_cover_down), whose paint, the whole window's, is
                    # then in the pause, not the click (15 ms of slide 13's 44 at 4K).
                    w.learn_view.driver.hold_ticks()
                cover.keep()  # the live widgets, built under it, are painted in the pause
            else:  # (an animation shows at once; an older picture goes with this click)
                cover.take_down(paint=False)

    def _on_cover_down(self) -> None:
        self.window.learn_view.driver.resume_ticks()

    def _cover_key(self, index: int) -> tuple | None:
        """What the picture of slide ``index`` depends on besides the lesson: where it
        is clicked from, the window's size, the bar's and the stage's places, the theme
        and zoom, what the views show of their controls, a blank screen. None: no
        picture (it is drawn only while presenting)."""
        w, p = self.window, self.player
        cur = w.current_stage()
        if p is None or cur is None or not w.presenting.active or not w.isVisible():
            return None
        return (
            p.index,
            p.build,
            index,
            w.size(),
            self._in_window(self.bar),
            self._in_window(cur),
            w.style_.theme.name,
            w.style_.scale,
            w.devicePixelRatioF(),
            w.shown_parts(),
            self.bar.collapsed,
            w.presenting.blanked,  # (drawn over a black screen, its frame was black)
        )

    def _in_window(self, widget: QWidget) -> QRect:
        return QRect(widget.mapTo(self.window, QPoint(0, 0)), widget.size())

    def _draw_cover(self, index: int, page: Stage, then: Callable[[], None] | None = None) -> bool:
        """Compose the picture of slide ``index`` (0-based), whose page ``page`` was just
        drawn ahead, a band a turn of the event loop (a rehearsal's steps; ``then`` runs
        after the last); False if there is none to make: not presenting, or the page is
        not at the area it will have. A slide that trains is pictured from a double of
        the learning view only (see :meth:`_picture_learning`): its first frame is the
        run's first step, where the page drawn ahead shows the run before it."""
        p, w = self.player, self.window
        cur = w.current_stage()
        key = self._cover_key(index)
        if p is None or cur is None or key is None:
            return False
        view = p.lesson.states[index].view
        double = self._double is not None and page is self._double[0]
        if (view == "learn") != double or page is cur or page.geometry() != w.area_for(view):
            return False
        ev = entry_event(p.lesson, index)
        grow = self.bar.height_change_for(view)  # (a bar of another view's height)
        bar_now, stage_now = self._in_window(self.bar), self._in_window(cur)
        bar_then = bar_now.adjusted(0, 0, 0, grow)
        stage_then = stage_now.adjusted(0, grow, 0, 0)
        page.settle_ahead()
        bar = self.bar.picture_of(ev, p.n_slides, bar_then.size()) if ev is not None else None
        if bar is None:
            return False
        made = Composition(
            w,
            [bar_now, stage_now],
            [(bar_then, bar), (stage_then, page)],
            into=self.cover.take_spare(),
        )
        if made.image is None:
            return False
        rid = self._rehearsal_id

        def band() -> None:
            if made.step():
                self._step(rid, band)
                return
            if made.image is not None:
                self.cover.set_image(made.image, key)
            if then is not None:
                then()

        self._step(rid, band)
        return True

    @contextlib.contextmanager
    def _moving(self, index: int) -> Iterator[None]:
        """A move to slide ``index``: the views stop what they run, and if that slide
        shows another view, the view on screen draws nothing it is about to hide, and
        its stage fits nothing (the new slide's lesson bar resized it: a refit and a
        restyle of a view being left)."""
        assert self.player is not None
        self._cancel_rehearsal()
        for view in self.window.views.values():
            view.pause()
        states = self.player.lesson.states
        key = self.window.current_view_key()
        with self.window.learn_view.drawing_once():
            if key is None or not 0 <= index < len(states) or states[index].view == key:
                yield
                return
            left, stage = self.window.views[key], self.window.stages[key]
            left.hold()
            try:
                with stage.leaving():
                    yield
            finally:
                left.release()
                if stage.isVisible():  # still on screen after all: fitted as it now is
                    stage.request_fit()

    def _on_event(self, ev: LessonEvent) -> None:
        assert self.player is not None
        self.bar.show_event(ev, self.player.n_slides)
        # A slide whose reveal turns convolution on keeps the flipped kernel's column
        # from its first build: the reveal fills it, nothing moves.
        revealed = ev.state.revealed
        self.window.window_view.reserve_flipped(
            revealed is not None and revealed.options.convolution
        )
        self.sig_moved.emit()
        if self.player.index + 1 < self.player.n_slides:
            self._rehearsal.start()  # (again): the next slide drawn once this one stays
        if ev.kind != "slide":
            return
        self.window.show_view(ev.state.view)
        if ev.state.playing and ev.build == 0:
            self.window.window_view.play()
        if ev.state.train and ev.build == 0:
            self.window.learn_view.train()
        self.window.learn_view.draw_start()  # (if it did not train): laid out below
        stage = self.window.current_stage()
        if stage is not None:
            stage.refit_now()  # at the slide's own scale, whatever came before it
        settle_layouts()  # laid out now, so the slide is painted once, as it will stay

    # ------------------------------------------------ the next slide ahead
    @property
    def rehearsal_pending(self) -> bool:
        """A rehearsal is due or under way (the benchmark waits for it between clicks,
        as a lecturer's talk gives the app time)."""
        return self._rehearsal.isActive() or self._rehearsal_steps > 0

    def _cancel_rehearsal(self) -> None:
        self._rehearsal.stop()
        self._rehearsal_id += 1
        self._rehearsal_steps = 0
        self._drop_double()

    def _drop_double(self) -> None:
        """The learning view's double stops (its run is a preview's; it is kept)."""
        if self._double is not None:
            self._double[1].driver.pause()

    def _picture_learning(self, index: int) -> None:
        """The picture of slide ``index``, which trains, while presenting: the learning
        view's double (:meth:`_learning_double`) is clicked into it as the real view
        will be (its first slice: one step at a pace), fitted at the area it will have
        and pictured, a step each turn of the event loop. (The real view cannot be drawn
        in that state ahead: on screen, it shows the slide before; hidden, the run it
        last followed.)"""
        p, w = self.player, self.window
        if (
            p is None
            or self._cover_key(index) is None
            or w.learn_view.combo_pace.currentData() is None
        ):
            return  # (as fast as it goes: the first slice's length depends on the machine)
        rid = self._rehearsal_id

        def make() -> None:
            if self.player is not None:
                self._learning_double(index)
                self._step(rid, fit)

        def fit() -> None:
            if self._double is not None:
                self._double[0].prepare(w.area_for("learn"), w.stages["learn"])
                self._step(rid, picture)

        def picture() -> None:
            if self._double is not None and not self._draw_cover(
                index, self._double[0], then=self._drop_double
            ):
                self._drop_double()

        self._step(rid, make)

    def _learning_double(self, index: int) -> tuple[Stage, LearnView]:
        """The learning view's double, clicked into slide ``index`` as the real view
        will be: a hidden view of its own session, on a stage that shares the real
        one's label images and fits, made once (~90 ms at 4K); each time, the slide's
        scene is played into its session and it trains as a click trains the real view
        (its first slice, drawn; then its timer stops)."""
        from .stage import Stage

        w = self.window
        assert self.player is not None
        if self._double is None:
            stage = Stage(w.style_, w, twin_of=w.stages["learn"])
            stage.hide()
            view = LearnView(Session(), stage.stage_style)
            view.ask = lambda _title, _text: True
            stage.set_content(view)
            self._double = (stage, view)
        stage, view = self._double
        w.show_parts_as_views_do(view)
        with blocked(view.combo_pace):
            view.combo_pace.setCurrentIndex(w.learn_view.combo_pace.currentIndex())
        LessonPlayer(self.player.lesson, view.session).goto(index)
        with view.drawing_once():
            view.catch_up()  # (as its showing would)
            view.train()
        view.driver.timer.stop()  # (its state stays "training", as on the screen)
        return stage, view

    def _slide_to_rehearse(self) -> int | None:
        """The next slide (after this one's builds), if it is drawn ahead: it trains in
        the learning view, or shows a view of DRAWN_AHEAD after another view, or a view
        that has an understudy (``MainWindow.understudy``) after the same view."""
        p = self.player
        if p is None or p.index + 1 >= p.n_slides:
            return None
        nxt = p.index + 1
        st = p.lesson.states[nxt]
        if st.view == "learn":
            return nxt if st.train else None  # (learning after learning: its surface)
        if st.view == p.state.view:  # into the view's hidden copy, if it has one
            return nxt if st.view in UNDERSTUDIED else None
        return nxt if st.view in DRAWN_AHEAD else None

    def _rehearse(self) -> None:
        """Draw the slide the next click shows into its hidden view, if that is the
        learning view (a preview of the run the click starts) or a view in DRAWN_AHEAD
        (a preview of the session the click makes) while another view is on screen:
        its first showing then finds its pictures drawn (slide 8 of the lesson, first
        walk at 1080p: 62 ms of CPU for the click, 26-32 after). The next slide of the
        view on screen is drawn into the view's understudy, if it has one. Steps, each its
        own turn of the event loop, so a click in between is answered at once (and
        makes the rest void); after an animation, not during one."""
        p, w = self.player, self.window
        if p is None or p.index + 1 >= p.n_slides or not w.isVisible():
            return
        self.cover.take_down()  # (the live slide is what the next one is drawn after)
        if w.window_view.playing or w.learn_view.training:
            self._rehearsal.start()  # once the animation has stopped
            return
        # The next title and caption, at the sizes their labels have (every slide).
        self.bar.draw_ahead(p.lesson.slides[p.index + 1])
        nxt = self._slide_to_rehearse()
        if nxt is None:
            return
        key = p.lesson.states[nxt].view
        stage, like, double = w.stages[key], None, None
        if w.current_view_key() == key:
            understudy = w.understudy(key)
            if understudy is None:
                # learning after learning: the view is on screen, so only the next
                # run's surface is traced ahead (~9 ms of slide 13's first showing at 4K)
                run = preview_run(p.lesson, nxt) if key == "learn" else None
                if run is not None and w.learn_view.trace_ahead(run):
                    self.rehearsed.append(nxt)
                    del self.rehearsed[:-REHEARSALS_KEPT]
                if run is not None:
                    self._picture_learning(nxt)
                return
            # the view is on screen: drawn into its hidden copy, at the scale it has
            like = stage
            stage, double = understudy
        ahead: Callable[[], bool]
        if key == "learn":
            run = preview_run(p.lesson, nxt)
            if run is None:
                return
            ahead = partial(w.learn_view.rehearse, run)
        else:  # a view in DRAWN_AHEAD: shown from a preview
            session = preview_session(p.lesson, nxt)
            if session is None:
                return
            view = double if double is not None else w.views[key]
            if isinstance(view, WindowView):  # its reveal's flipped kernel: a column kept
                revealed = p.lesson.states[nxt].revealed
                ahead = partial(
                    view.rehearse,
                    session,
                    reserve_flipped=revealed is not None and revealed.options.convolution,
                )
            else:
                assert isinstance(view, (EdgeView, MatrixView))
                ahead = partial(view.rehearse, session)
        rid = self._rehearsal_id

        def draw() -> None:
            if ahead():
                self._step(rid, paint)

        def paint() -> None:
            if key != "learn":  # fitted at the area it will have, its layouts settled
                stage.prepare(w.area_for(key), like)
            parts = stage.parts_ahead()
            if parts:
                self._step(rid, partial(paint_part, parts))

        def paint_part(parts: list[QWidget]) -> None:
            """One part a turn: the whole page at 4K took up to 150 ms in one go, and a
            click during it waited (after it, the rest is void)."""
            if not stage.paint_part_ahead(parts.pop(0)) and stage.isVisible():
                return
            if parts:
                self._step(rid, partial(paint_part, parts))
                return
            self.rehearsed.append(nxt)
            del self.rehearsed[:-REHEARSALS_KEPT]
            self._step(rid, cover)

        def cover() -> None:
            """The picture of the next slide, once its page is drawn (while presenting)."""
            if key == "learn":
                self._picture_learning(nxt)
            else:
                self._draw_cover(nxt, stage)

        self._step(rid, draw)

    def _step(self, rid: int, step: Callable[[], None]) -> None:
        """Run ``step`` at the next turn of the event loop, as a step of rehearsal ``rid``:
        counted in :attr:`rehearsal_pending` until it runs, and void if a click came
        first (which zeroed the count)."""
        self._rehearsal_steps += 1

        def run() -> None:
            if rid == self._rehearsal_id:
                self._rehearsal_steps -= 1
                step()

        QTimer.singleShot(0, self, run)

    # --------------------------------------------------------------- keys
    def app_event(self, obj: QObject, event: QEvent) -> bool:
        if self.player is None:
            return False
        if self.cover.isVisible() and (
            event.type() in _TAKE_DOWN
            or (event.type() == QEvent.Type.Resize and obj is self.window)
        ):
            self.cover.take_down(paint=False)  # the live slide, to point at or resize
        key_event = plain_key(obj, event, self.window, unless_typing=True)
        if key_event is None:
            return False
        key = key_event.key()
        if key in NEXT_KEYS:
            return take_key(key_event, self.next)
        if key in PREV_KEYS:
            return take_key(key_event, self.prev)
        return False

    # ---------------------------------------------------------- projection
    def set_controls_hidden(self, hidden: bool) -> None:
        """Hide what a class does not need to see: tabs, status bar, each view's controls."""
        w = self.window
        w.tabs.tabBar().setVisible(not hidden)
        w.statusBar().setVisible(not hidden)
        w.set_views_controls_visible(not hidden)
        if self.act_hide_controls.isChecked() != hidden:
            self.act_hide_controls.setChecked(hidden)
