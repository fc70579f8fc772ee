"""Walking a lesson over a Session: slide by slide, click by click.

:class:`LessonPlayer` applies each slide's :class:`~.scenes.SceneState` to a
:class:`~convviz.model.Session` through its public methods, as one change:
the session, its edge maps and its learning state each emit one event per
click (the session and edge maps first, in one batch, then the learning
settings), and the player announces the move on :attr:`LessonPlayer.changed`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..events import Event
from ..learning import LearningRun, data_for
from ..session import Session
from ..values import ValueProblem
from .scenes import STEPPING_VIEWS, Lesson, SceneState, learning_settings
from .schema import Slide


# ---------------------------------------------------------------- player
@dataclass(frozen=True)
class LessonEvent:
    """What the player just did; the GUI renders from it.

    ``kind`` is ``"slide"`` (a slide was (re)entered: show ``state.view``,
    start playing or training if asked), ``"reveal"`` (the hidden thing is
    shown) or ``"build"`` (the animation stepped one cell).
    """

    kind: str
    index: int  # 0-based slide index
    build: int  # clicks used on this slide so far
    slide: Slide
    state: SceneState
    hidden: str | None  # what is hidden now


#: Hooks that push a slide's edge and learning settings into the session's
#: attached states; replaceable so the GUI or tests can adapt them.
EdgeApplier = Callable[[Session, dict[str, Any]], None]
LearningApplier = Callable[[Session, dict[str, Any], bool], None]  # bool: start a run


class LessonPlayer:
    """Walks a :class:`Lesson` slide by slide and click by click over a Session.

    ``next()`` plays the current slide's builds first (reveal, then one
    animation step per click) and then moves to the next slide; ``prev()``
    takes back one build, or returns to the previous slide fully built;
    ``goto(i)`` enters slide ``i``. Each returns the :class:`LessonEvent` it
    also emits on :attr:`changed`, or None when there is nowhere to go.

    The user may edit anything between clicks: a build continues from what
    is on screen (the next click steps whatever window is there), and the
    lesson's own changes never mark the session as modified.
    """

    def __init__(
        self,
        lesson: Lesson,
        session: Session,
        *,
        apply_edges: EdgeApplier | None = None,
        apply_learning: LearningApplier | None = None,
    ) -> None:
        self.lesson = lesson
        self.session = session
        self.changed = Event()  # payload: LessonEvent
        self.apply_edges = apply_edges or apply_edge_settings
        self.apply_learning = apply_learning or apply_learning_settings
        self._index = -1
        self._build = 0
        self._hidden: str | None = None

    # ------------------------------------------------------------ reading
    @property
    def index(self) -> int:
        return self._index

    @property
    def build(self) -> int:
        return self._build

    @property
    def started(self) -> bool:
        return self._index >= 0

    @property
    def slide(self) -> Slide:
        return self.lesson.slides[max(self._index, 0)]

    @property
    def state(self) -> SceneState:
        return self.lesson.states[max(self._index, 0)]

    @property
    def n_slides(self) -> int:
        return len(self.lesson.slides)

    @property
    def hidden(self) -> str | None:
        return self._hidden

    @property
    def builds_left(self) -> int:
        return max(0, self.state.builds - self._build) if self.started else 0

    @property
    def at_end(self) -> bool:
        return self._index == self.n_slides - 1 and self.builds_left == 0

    @property
    def at_start(self) -> bool:
        return self._index <= 0 and self._build == 0

    def slide_after(self, move: str) -> int:
        """The slide (0-based) that ``"next"`` or ``"prev"`` would show: this one for
        a build, and this one at either end. Lets a view know before the move that
        it is about to be left (see ``WindowView.hold``)."""
        if move not in ("next", "prev"):
            raise ValueError(f"move must be 'next' or 'prev', not {move!r}")
        if not self.started:
            return 0
        if move == "next":
            more = self._build < self.state.builds or self._index + 1 >= self.n_slides
        else:
            more = self._build > 0 or self._index == 0
        if more:
            return self._index
        return self._index + (1 if move == "next" else -1)

    def counter(self) -> str:
        return f"{max(self._index, 0) + 1} / {self.n_slides}"

    # ------------------------------------------------------------- moving
    def start(self) -> LessonEvent:
        return self.goto(0)

    def next(self) -> LessonEvent | None:
        """One click forward: the next build of this slide, else the next slide."""
        if not self.started:
            return self.goto(0)
        if self._build < self.state.builds:
            return self._do_build()
        if self._index + 1 < self.n_slides:
            return self.goto(self._index + 1)
        return None

    def prev(self) -> LessonEvent | None:
        """One click back: undo a build, else the previous slide as it ended."""
        if not self.started:
            return None
        if self._build > 0:
            return self.goto(self._index, build=self._build - 1)
        if self._index > 0:
            i = self._index - 1
            return self.goto(i, build=self.lesson.states[i].builds)
        return None

    def goto(self, index: int, *, build: int = 0) -> LessonEvent:
        """Enter slide ``index`` (0-based) with ``build`` of its clicks already played."""
        index = int(index)
        if not 0 <= index < self.n_slides:
            raise IndexError(f"slide {index + 1} is outside 1..{self.n_slides}")
        st = self.lesson.states[index]
        build = max(0, min(int(build), st.builds))
        self._index, self._build = index, 0
        with self._one_change():
            self._apply_scene(st)
            for _ in range(build):
                self._build_effect()
        if st.learning is not None:
            # After the session has announced its new grids: a learning view that
            # takes up these settings then sees the grids its run is made from.
            with self.session.learning.changed.batch():
                self.apply_learning(self.session, st.learning, st.train)
        return self._emit("slide")

    # ----------------------------------------------------------- internals
    def _do_build(self) -> LessonEvent:
        with self._one_change():
            kind = self._build_effect()
        return self._emit(kind)

    def _build_effect(self) -> str:
        """Apply one click's effect to the session; return "reveal" or "build"."""
        self._build += 1
        st = self.state
        if self._hidden is not None:
            what, self._hidden = self._hidden, None
            self.session.set_hidden(frozenset())
            r = st.revealed
            if r is not None:
                s = self.session
                s.set_scene(r.input, r.kernel, r.options)
                s.set_step(r.reveal_step(s.n_steps))
            elif what == "output":
                self.session.to_end()
            return "reveal"
        if st.view in STEPPING_VIEWS:
            self.session.step_forward()
        return "build"

    def _apply_scene(self, st: SceneState) -> None:
        s = self.session
        s.set_scene(st.input, st.kernel, st.options)
        s.set_step(st.start_step(s.n_steps))
        if st.edges is not None:
            self.apply_edges(s, dict(st.edges))
        self._hidden = st.hide
        s.set_hidden(frozenset({st.hide}) if st.hide else frozenset())

    @contextlib.contextmanager
    def _one_change(self) -> Iterator[None]:
        """One click is one change: each model emits once, at the end.

        The lesson's own changes are not the user's: ``modified`` is back to
        what it was before the listeners hear of them.
        """
        s = self.session
        was = s.modified
        with s.batch():
            try:
                yield
            finally:
                s.modified = was

    def _emit(self, kind: str) -> LessonEvent:
        ev = LessonEvent(kind, self._index, self._build, self.slide, self.state, self._hidden)
        self.changed.emit(ev)
        return ev


def preview_run(lesson: Lesson, index: int) -> LearningRun | None:
    """The fresh run slide ``index`` (0-based) starts and trains, made on a session of
    its own; None if that slide trains nothing (it keeps the run it finds, which
    depends on the slides before) or its data cannot be learned from.

    For drawing a slide before the click that shows it: the learning view, hidden
    while the class looks at the slide before, draws this run, and the click then
    finds its pictures drawn (slide 8's first showing: 62 ms of CPU at 1080p, 26-32
    after a rehearsal). Every slide's scene is fixed by the lesson, so the run equals
    the one the click makes; nothing of the caller's session is touched (~1-6 ms).
    """
    if not 0 <= index < len(lesson.states):
        return None
    st = lesson.states[index]
    if st.learning is None or not st.train:
        return None
    session = preview_session(lesson, index)
    return None if session is None else session.learning.run


def entry_event(lesson: Lesson, index: int) -> LessonEvent | None:
    """The event the click into slide ``index`` (0-based, its first build) emits; None if
    there is no such slide. For drawing the lesson bar of the next slide ahead: a
    slide's entry is fixed by the lesson, whatever the session holds."""
    if not 0 <= index < len(lesson.states):
        return None
    st = lesson.states[index]
    return LessonEvent("slide", index, 0, lesson.slides[index], st, st.hide)


def preview_session(lesson: Lesson, index: int) -> Session | None:
    """A session of its own in the state the click to slide ``index`` (0-based) leaves
    the app's session in: grids, options, step and what is hidden; None if there is
    no such slide.

    For drawing a slide of another view before the click that shows it (the matrix
    view's first showing of slide 26 at 4K: 77-93 ms of CPU). Every slide's scene is
    fixed by the lesson, so nothing of the caller's session is needed or touched.
    """
    if not 0 <= index < len(lesson.states):
        return None
    session = Session()
    LessonPlayer(lesson, session).goto(index)
    return session


# --------------------------------------------- the attached views' states
def apply_edge_settings(session: Session, settings: Mapping[str, Any]) -> None:
    """Set the edge view's picture (by name), scale-down limit and show-Kᵀ switch."""
    edges = session.edges
    edges.looked = True  # the lesson chose the kernel: no first-look default
    if "max_side" in settings:
        edges.set_max_side(settings["max_side"])
    if "picture" in settings and settings["picture"] != edges.name:
        edges.load_preset(settings["picture"])
    if "show_kt" in settings:
        edges.set_show_kt(settings["show_kt"])


def apply_learning_settings(
    session: Session, settings: Mapping[str, Any], fresh_run: bool = False
) -> None:
    """Put an edition's settings (with the slide's changes) on ``session.learning``.

    ``fresh_run`` also starts a new run from them (a slide that trains): the
    loss plot starts over, and the GUI's learning view advances it live.
    Otherwise the run stays if the new settings and the session's grids keep
    it (it may have trained), and a new one is made if not, or if there is none
    to show (cheap: no compiled code).
    """
    learning = session.learning
    learning.set_settings(learning_settings(settings))
    run = learning.run
    # A run to show is made here, in the slide's one learning event, not later by
    # the view that shows it (which would be a second event for the same click).
    try:
        if (
            fresh_run
            or run is None
            or run.settings.restart_needed(learning.settings)
            or not run.data.same_as(data_for(learning.settings, session))  # new grids
        ):
            learning.new_run(session)
    except ValueProblem:  # data the settings cannot learn from: the view says why
        learning.discard()
