"""Classroom lessons: the chapter as a click-through demonstration.

A lesson is data, a TOML file in ``resources/lessons/``: a title and a list
of ``[[slide]]`` tables. Each slide has a short title and caption (shown in
large type) and sets part of the app's state::

    [[slide]]
    section = "6.2.1"                  # optional, shown before the title
    title = "Slide the window"
    caption = "Multiply what lines up, then add."
    answer = "..."                     # shown with the reveal (needs hide)
    view = "window"                    # window | edges | learn | matrix
    input = "Fig. 6.2.1 (3×3, 0..8)"   # a preset name, a literal [[0, 1], [2, 3]],
    kernel = [[0, 1], [2, 3]]          #   or {preset = "...", transpose = true}
    options = {bias = 1, padding = 0, stride = 1, dilation = 1, convolution = false}
    step = "start"                     # a cell number from 0, "start" or "end" (default)
    playing = false                    # start the animation playing
    learning = {edition = "mxnet", train = true}   # or djl, plus settings fields
    edges = {picture = "Disc (9×9)", show_kt = false, max_side = 256}
    builds = 4                         # clicks this slide absorbs before moving on
    hide = "result"                    # predict, then reveal with the next click
    reveal = {kernel = [[-1, 1]], options = {convolution = true}, step = 0}
                                       # what the reveal click changes (needs hide)
    notes = "..."                      # for the presenter only

(``python -m convviz.model.lessons`` prints every field with its help.)

``view``, ``input``, ``kernel``, ``edges`` and ``learning`` carry over to the
following slides until one changes them; ``options``, ``step``, ``playing``,
``train``, ``builds`` and ``hide`` belong to their slide only (options not
named take their defaults). A slide's ``reveal`` sets input, kernel, options
and step on the reveal click (so the products, a flipped kernel or the
answer's grids appear only then); the next slide carries over the revealed
grids. So every slide's state is fixed by the file, whichever way the
presenter reached it.

Each click first reveals what ``hide`` hid, then steps the animation by one
cell, until the slide's ``builds`` are used up; the next click moves on.
``hide`` names go to :attr:`Session.hidden` for the views to respect, and
where the state itself can hold the answer back, it does:

- ``"result"``: the current step's result (its output cell and the "= ...");
- ``"output"``: the whole output; the window stays at the start, the
  reveal jumps to the end;
- ``"edge-map"``: the edge maps with K (on X and on Xᵀ);
- ``"edge-map-t"``: the edge maps with the transposed kernel Kᵀ;
- ``"answer"``: only the answer text waits (the screen is the question;
  a ``reveal`` may then change it).
:class:`LessonPlayer` applies all of it to a :class:`~convviz.model.Session`
through its public methods and announces every move on
:attr:`LessonPlayer.changed`, so the GUI only renders.

The package: :mod:`.schema` declares every field once (type, choices,
default, help) and reads a slide against it; :mod:`.loader` reads a file
within its limits; :mod:`.scenes` fills in what carries over and checks the
whole scene; :mod:`.player` walks the slides over a Session.
"""

from __future__ import annotations

from .loader import (
    MAX_LESSON_BYTES,
    MAX_LESSON_DEPTH,
    MAX_LESSON_INT,
    MAX_TOML_DIGITS,
    available_lessons,
    lesson_path,
    lessons_dir,
    load_lesson,
    parse_lesson,
    toml_depth,
)
from .player import (
    EdgeApplier,
    LearningApplier,
    LessonEvent,
    LessonPlayer,
    apply_edge_settings,
    apply_learning_settings,
    entry_event,
    preview_run,
    preview_session,
)
from .scenes import STEPPING_VIEWS, Lesson, Revealed, SceneState, learning_settings
from .schema import (
    ADVANCE,
    EDITIONS,
    HIDE,
    PREDICT,
    SLIDE,
    SLIDE_FIELDS,
    TOP_FIELDS,
    VIEWS,
    Field,
    GridSpec,
    LessonError,
    Slide,
    find_preset,
    help_text,
)

__all__ = [
    "ADVANCE",
    "EDITIONS",
    "HIDE",
    "MAX_LESSON_BYTES",
    "MAX_LESSON_DEPTH",
    "MAX_LESSON_INT",
    "MAX_TOML_DIGITS",
    "PREDICT",
    "SLIDE",
    "SLIDE_FIELDS",
    "STEPPING_VIEWS",
    "TOP_FIELDS",
    "VIEWS",
    "EdgeApplier",
    "Field",
    "GridSpec",
    "LearningApplier",
    "Lesson",
    "LessonError",
    "LessonEvent",
    "LessonPlayer",
    "Revealed",
    "SceneState",
    "Slide",
    "apply_edge_settings",
    "apply_learning_settings",
    "available_lessons",
    "entry_event",
    "find_preset",
    "help_text",
    "learning_settings",
    "lesson_path",
    "lessons_dir",
    "load_lesson",
    "parse_lesson",
    "preview_run",
    "preview_session",
    "toml_depth",
]
