"""Lessons: the shipped 6.2 walk-through and the errors a lesson author sees."""

from __future__ import annotations

import numpy as np
import pytest
from session_state import scene

from convviz.model import Session, presets
from convviz.model.learning import djl_edition, mxnet_edition
from convviz.model.lessons import (
    VIEWS,
    LessonError,
    LessonEvent,
    LessonPlayer,
    available_lessons,
    entry_event,
    find_preset,
    load_lesson,
    parse_lesson,
    preview_run,
    preview_session,
)


@pytest.fixture
def player(lesson):
    p = LessonPlayer(lesson, Session())
    p.start()
    return p


def slide_index(lesson, title: str) -> int:
    return next(i for i, s in enumerate(lesson.slides) if s.title == title)


# --------------------------------------------------------------- the lesson
def test_shipped_lesson_loads(lesson):
    assert "6.2" in available_lessons()
    assert lesson.title.startswith("6.2")
    assert len(lesson) >= 15
    assert {s.view for s in lesson.slides if s.view} == set(VIEWS)
    sections = {s.section for s in lesson.slides}
    for sec in ("6.2.1", "6.2.2", "6.2.3", "6.2.4", "6.2.5", "Exercise 1", "Exercise 3"):
        assert sec in sections
    for s in lesson.slides:
        assert len(s.caption) <= 220, f"slide {s.number}'s caption is too long to read"
        assert len(s.title) <= 40
        # The heading shares one line with the bar's buttons: longer ones widen the window.
        assert len(s.heading) <= 35, f"slide {s.number}'s heading is too long for the bar"


def test_621_steps_cell_by_cell(player):
    s = player.session
    assert player.index == 0 and s.step == -1 and player.state.view == "window"
    results = []
    for _ in range(4):
        ev = player.next()
        assert ev.kind == "build" and ev.index == 0
        results.append(s.current.result)
    assert results == [19, 25, 37, 43]
    assert s.step == 3 and s.current.result == 43
    ev = player.next()
    assert ev.kind == "slide" and ev.index == 1 and ev.build == 0


def test_622_bias_predict_then_reveal(lesson, player):
    s = player.session
    ev = player.goto(slide_index(lesson, "A layer adds a bias"))
    assert s.options.bias == 1 and s.step == -1 and s.current is None  # no products yet
    assert s.hidden == {"result"} and ev.hidden == "result"
    ev = player.next()
    assert ev.kind == "reveal" and s.hidden == frozenset() and s.current.result == 20
    assert [player.next() and s.current.result for _ in range(3)] == [26, 38, 44]
    player.next()  # on to 6.2.3: options return to their defaults
    assert s.options.bias == 0


def test_623_edge_image_and_vanishing_transpose(lesson, player):
    s = player.session
    player.goto(slide_index(lesson, "Finding edges"))
    np.testing.assert_array_equal(s.input, presets.edge_image())
    np.testing.assert_array_equal(s.kernel, [[1, -1]])
    assert s.input.shape == (6, 8) and s.step == -1 and s.hidden == {"output"}
    assert player.next().kind == "reveal"
    assert s.at_end and s.hidden == frozenset()
    np.testing.assert_array_equal(s.output[:, 1], 1)
    np.testing.assert_array_equal(s.output[:, 5], -1)
    player.next()
    assert s.input.shape == (8, 6) and s.hidden == {"output"}
    player.next()
    assert s.output.shape == (8, 5) and not s.output.any()


def test_edge_slides_set_the_picture_and_reveal_kt(lesson, player):
    s = player.session
    player.goto(slide_index(lesson, "The edge map"))
    assert player.state.view == "edges" and s.edges.name.startswith("Chapter 6.2.3")
    np.testing.assert_array_equal(s.edges.picture, presets.edge_image())
    assert not s.edges.show_kt
    assert s.edges.map("XtK").vanishes  # the transposed picture's map
    player.next()
    assert s.hidden == {"edge-map-t"} and s.edges.show_kt  # the view shows "?" until the click
    ev = player.next()
    assert ev.kind == "reveal" and s.edges.show_kt and s.hidden == frozenset()
    assert s.edges.map("XKt").vanishes and not s.edges.map("XtKt").vanishes
    player.goto(slide_index(lesson, "A drawn picture"))
    assert s.edges.name == "Sample: house front" and s.edges.picture.size > 1000


def test_edge_hook_is_replaceable(lesson):
    calls = []
    p = LessonPlayer(lesson, Session(), apply_edges=lambda _s, d: calls.append(dict(d)))
    p.goto(slide_index(lesson, "Transpose the kernel"))
    assert calls == [{"picture": "Chapter 6.2.3: 6×8, dark band", "show_kt": True}]
    assert p.next().kind == "reveal" and len(calls) == 1
    assert p.session.edges.name.startswith("Chapter") and not p.session.edges.show_kt


def test_624_learning_both_editions(lesson, player):
    s = player.session
    player.goto(slide_index(lesson, "Learning the kernel"))
    assert player.state.view == "learn" and player.state.train
    assert s.learning.settings == mxnet_edition(init="book")
    assert s.learning.run is not None and s.learning.run.steps == 0
    player.next()
    assert s.learning.settings == djl_edition(init="book")
    assert s.learning.run.settings == djl_edition(init="book")


def test_625_convolution_flips(lesson, player):
    s = player.session
    player.goto(slide_index(lesson, "Convolution flips the kernel"))
    # The flip is part of the answer: correlation and no window until the reveal.
    assert not s.options.convolution and s.current is None and s.hidden == {"result"}
    player.next()
    assert s.options.convolution and s.current.result == 5  # 0×3 + 1×2 + 3×1 + 4×0


def test_exercises(lesson, player):
    s = player.session
    player.goto(slide_index(lesson, "Transpose X"))
    np.testing.assert_array_equal(s.input, presets.diagonal().T)
    player.goto(slide_index(lesson, "Transpose K"))
    np.testing.assert_array_equal(s.kernel, [[1], [-1]])
    player.goto(slide_index(lesson, "As a matrix product"))
    assert player.state.view == "matrix" and player.state.builds == 4 and s.step == -1
    player.goto(slide_index(lesson, "Third derivative"))
    np.testing.assert_array_equal(s.kernel, [[1, -3, 3, -1]])
    player.next()
    np.testing.assert_array_equal(s.output, [[0] * 4, [0] * 4, [0] * 4, [-6] * 4])


def test_whole_walk_and_goto_agree(lesson):
    """Every slide's state is the same whether walked to or jumped to."""
    walked = LessonPlayer(lesson, Session())
    jumped = LessonPlayer(lesson, Session())
    walked.start()
    clicks = 0
    while True:
        jumped.goto(walked.index, build=walked.build)
        assert scene(walked.session) == scene(jumped.session), walked.counter()
        if walked.next() is None:
            break
        clicks += 1
    assert walked.at_end and walked.index == len(lesson) - 1
    assert clicks == len(lesson) - 1 + sum(s.builds for s in lesson.slides)
    assert not walked.session.modified  # the lesson's own changes are not the user's


def test_slide_after_names_where_each_click_lands(lesson):
    """Asked before a click, ``slide_after`` names the slide the click shows."""
    p = LessonPlayer(lesson, Session())
    assert p.slide_after("next") == 0  # not started: the first click starts it
    p.start()
    for move in ["next"] * (len(lesson) + sum(s.builds for s in lesson.slides)) + ["prev"] * 9:
        expected = p.slide_after(move)
        getattr(p, move)()
        assert p.index == expected, (move, p.counter())
    with pytest.raises(ValueError, match="'next' or 'prev'"):
        p.slide_after("home")


def test_prev_takes_back_builds_then_slides(player):
    s = player.session
    for _ in range(3):
        player.next()
    assert s.step == 2
    assert player.prev().build == 2 and s.step == 1
    player.goto(1)
    ev = player.prev()  # back to slide 1, fully built
    assert ev.index == 0 and ev.build == 4 and s.step == 3
    player.goto(0)
    assert player.prev() is None and player.at_start


def test_user_edits_do_not_break_the_player(player):
    s = player.session
    player.next()
    s.set_cell("input", 0, 0, 10)  # the class asks "what if"
    assert s.modified
    player.next()
    assert s.step == 1 and s.current.result == 25  # continues from what is on screen
    s.set_step(3)
    player.next()  # builds still count (at the end the step stays), then the slide ends
    assert player.build == 3 and s.step == 3
    player.next()
    ev = player.next()
    assert ev.kind == "slide" and ev.index == 1
    assert s.modified  # the user's edit is still unsaved
    player.goto(0)
    assert s.input[0, 0] == 0


def test_events(lesson):
    p = LessonPlayer(lesson, Session())
    seen: list[LessonEvent] = []
    p.changed.connect(seen.append)
    p.start()
    p.next()
    p.goto(len(lesson) - 1)
    assert [e.kind for e in seen] == ["slide", "build", "slide"]
    assert seen[0].slide.number == 1 and seen[-1].index == len(lesson) - 1
    assert p.at_end and p.next() is None
    assert p.counter() == f"{len(lesson)} / {len(lesson)}"
    with pytest.raises(IndexError):
        p.goto(len(lesson))


def test_find_preset_forgives_typing():
    assert find_preset("kernel", "edge [1, -1]") == "Edge [1, −1]"
    assert find_preset("input", "fig. 6.2.1 (3x3, 0..8)") == "Fig. 6.2.1 (3×3, 0..8)"
    with pytest.raises(KeyError):
        find_preset("kernel", "Sobel z")


# ----------------------------------------------------------- author errors
HEAD = 'title = "T"\n'
OK = '[[slide]]\ntitle = "a"\ncaption = "b"\n'


def err(text: str) -> str:
    with pytest.raises(LessonError) as exc:
        parse_lesson(text, file="6.2.toml")
    return str(exc.value)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            'view = "edge"',
            "6.2.toml, slide 4: view: unknown view 'edge'; choose from window, edges, learn",
        ),
        ('captoin = "x"', "6.2.toml, slide 4: unknown field 'captoin' (did you mean 'caption'?)"),
        ("builds = -1", "6.2.toml, slide 4: builds: must be a whole number of clicks, 0 or more"),
        ("builds = 9", "slide 4: builds: 9 click(s) would step past the last output cell"),
        ('kernel = "Sobel z"', "slide 4: kernel: unknown kernel preset 'Sobel z'"),
        ('input = "Fig 6.2.2"', "slide 4: input: unknown input preset 'Fig 6.2.2'"),
        ("kernel = [[1, 2], [3]]", "slide 4: kernel: the rows have different lengths (1, 2)"),
        ('kernel = [[1, "x"]]', "slide 4: kernel: row 1, column 2 is 'x', not a number"),
        ("kernel = [[1, true]]", "slide 4: kernel: row 1, column 2 is True, not a number"),
        ("kernel = []", "slide 4: kernel: is empty"),
        ("kernel = [[1, 2, 3, 4]]", "slide 4: kernel: The kernel is 1x4"),
        ("input = [[1e9]]", "slide 4: input: input has 1000000000.0 at row 1"),
        ("step = 7", "slide 4: step: is 7, but the output has only 4 cells"),
        ('step = "middle"', "slide 4: step: must be a cell number from 0"),
        ("options = { padding = -1 }", "slide 4: options: Padding must be between 0 and 16"),
        ("options = { bias = true }", "slide 4: options.bias: must be a number"),
        ("options = { strides = 2 }", "slide 4: options: unknown option 'strides'"),
        ('hide = "kernel"', "slide 4: hide: cannot hide 'kernel'; choose from result"),
        ('hide = "output"\nbuilds = 0', "slide 4: builds: a slide that hides something"),
        ('answer = "x"', "slide 4: answer: only a slide that hides something"),
        ('hide = "edge-map"', "slide 4: hide: hides the edge-map, which only the edges view"),
        ("playing = true\nbuilds = 1", "slide 4: playing: a playing animation cannot"),
        ('view = "learn"\nbuilds = 1', "slide 4: builds: 1 click(s) would step the animation"),
        ('learning = { edition = "torch" }', "slide 4: learning.edition: unknown edition 'torch'"),
        ("learning = { rate = 1 }", "slide 4: learning: unknown setting 'rate'"),
        ("learning = { lr = -1 }", "slide 4: learning: The learning rate must be a number above"),
        ("edges = { colour = 1 }", "slide 4: edges: unknown key 'colour'"),
        ('edges = { picture = "Disk (9×9)" }', "slide 4: edges.picture: unknown picture 'Disk"),
        ("edges = { max_side = 2 }", "slide 4: edges.max_side: The largest side must be"),
        ("edges = { show_kt = 1 }", "slide 4: edges.show_kt: must be true or false"),
        ("title = 3", "slide 4: title: must be text in quotes"),
        ('title = ""', "slide 4: title: must not be empty"),
        ("playing = 1", "slide 4: playing: must be true or false"),
        ("reveal = { step = 0 }", "slide 4: reveal: only a slide that hides something"),
        ('hide = "answer"\nreveal = 3', "slide 4: reveal: must be a table such as"),
        ('hide = "answer"\nreveal = {}', "slide 4: reveal: must be a table such as"),
        ('hide = "answer"\nreveal = { view = "edges" }', "slide 4: reveal: unknown key 'view'"),
        ('hide = "answer"\nreveal = { step = 4 }', "slide 4: reveal: step is 4, but the reveal"),
        ('hide = "answer"\nreveal = { kernel = [[1, 2, 3, 4]] }', "slide 4: reveal: The kernel"),
        (
            'hide = "answer"\nreveal = { kernel = "Sobel z" }',
            "slide 4: reveal.kernel: unknown kernel",
        ),
        (
            'hide = "result"\nstep = "start"\nreveal = { step = 3 }\nbuilds = 2',
            "slide 4: builds: 1 click(s) would step past the last output cell",
        ),
    ],
)
def test_malformed_slides_name_file_slide_and_field(extra, expected):
    text = HEAD + OK * 4 + extra + "\n"
    if extra.startswith("title"):
        text = HEAD + OK * 3 + '[[slide]]\ncaption = "b"\n' + extra + "\n"
    assert expected in err(text)


def test_reveal_changes_the_scene_and_the_next_slide_inherits_it():
    lesson = parse_lesson(
        HEAD
        + '[[slide]]\ntitle = "q"\ncaption = "c"\nkernel = [[1, -1]]\n'
        + 'input = [[0, 1, 3], [2, 2, 2]]\nhide = "answer"\nstep = "start"\n'
        + "reveal = { kernel = [[-1, 1]], options = { convolution = true }, step = 1 }\n"
        + OK
    )
    p = LessonPlayer(lesson, Session())
    p.start()
    s = p.session
    assert s.hidden == {"answer"} and s.step == -1 and not s.options.convolution
    assert p.next().kind == "reveal"
    assert s.hidden == frozenset() and s.options.convolution and s.step == 1
    np.testing.assert_array_equal(s.kernel, [[-1, 1]])
    # As a convolution [-1, 1] is flipped to [1, -1]: each cell minus its right neighbour.
    np.testing.assert_array_equal(s.output, [[0 - 1, 1 - 3], [0, 0]])
    p.next()  # the next slide keeps the revealed kernel, and options return to defaults
    np.testing.assert_array_equal(s.kernel, [[-1, 1]])
    assert not s.options.convolution
    p.prev()  # back onto the revealed slide, fully built
    assert s.options.convolution and s.step == 1 and s.hidden == frozenset()


def test_missing_caption_and_structure_errors():
    assert "slide 1: caption: every slide needs a caption" in err(HEAD + '[[slide]]\ntitle="a"\n')
    assert "6.2.toml: the lesson has no slides" in err(HEAD)
    assert "needs a title" in err(OK)
    assert "unknown field 'slides'" in err(HEAD + "[[slides]]\n")
    assert "6.2.toml, slide 2: not valid TOML" in err(HEAD + OK + OK + "caption = = 3\n")


def test_bad_toml_before_any_slide():
    msg = err("title = \n")
    assert msg.startswith("6.2.toml: not valid TOML") and "line 1" in msg


def test_missing_lesson_names_the_choices():
    with pytest.raises(LessonError, match=r"There is no lesson '9.9'.*lessons: .*6\.2"):
        load_lesson("9.9")


def test_carry_over_and_literal_forms():
    lesson = parse_lesson(
        HEAD
        + '[[slide]]\ntitle="a"\ncaption="b"\ninput = [[1, 2, 3], [4, 5, 6]]\nkernel = [-1, 1]\n'
        + 'learning = {edition = "djl", lr = 0.1}\nedges = {show_kt = true}\n'
        + '[[slide]]\ntitle="c"\ncaption="d"\nview="edges"\noptions={padding=[0, 1]}\n'
        + '[[slide]]\ntitle="e"\ncaption="f"\nkernel = {preset = "Edge [1, −1]", '
        + "transpose = true}\nlearning = {steps = 20}\n"
    )
    a, b, c = lesson.states
    np.testing.assert_array_equal(b.input, [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(b.kernel, [[-1, 1]])
    assert b.view == "edges" and b.options.padding == (0, 1) and b.edges == {"show_kt": True}
    assert c.view == "edges" and c.options.padding == (0, 0)
    np.testing.assert_array_equal(c.kernel, [[1], [-1]])
    assert lesson.slides[2].kernel.source == "Edge [1, −1] (transposed)"
    assert c.learning == {"edition": "djl", "lr": 0.1, "steps": 20}
    assert a.step == "end" and a.start_step(4) == 3
    single = parse_lesson(
        HEAD + OK + "input = [1, 2, 3]\nkernel = [1]\nlearning = {train = true}\n"
    )
    np.testing.assert_array_equal(single.states[0].input, [[1, 2, 3]])
    assert single.states[0].learning == {} and single.states[0].train  # MXNet by default


def test_a_lesson_keeps_its_kernel_on_the_edge_maps(lesson):
    """The edge view's first-look default ([1, −1]) never overrides what a slide set."""
    p = LessonPlayer(lesson, Session())
    p.goto(slide_index(lesson, "The edge map"))
    s = p.session
    s.set_grid("kernel", presets.fig_621_kernel())
    s.modified = False
    assert not s.edges.first_look()
    np.testing.assert_array_equal(s.kernel, presets.fig_621_kernel())
    fresh = Session()  # outside a lesson, the untouched launch state takes [1, −1]
    assert fresh.edges.first_look() and not fresh.modified
    np.testing.assert_array_equal(fresh.kernel, [[1, -1]])
    assert not fresh.edges.first_look()  # once only


def test_the_schema_declares_every_slide_field_once():
    from convviz.model.lessons import SLIDE, SLIDE_FIELDS, Slide, help_text

    names = [f.name for f in SLIDE]
    assert len(set(names)) == len(names) and tuple(names) == SLIDE_FIELDS
    slide_attrs = set(Slide.__dataclass_fields__) - {"number", "train"}
    assert slide_attrs == set(names)  # every declared field lands on the Slide, and only they
    text = help_text()
    assert all(f"\n{n} " in f"\n{text}" for n in names) and "one of window, edges" in text


def test_preview_run_is_the_run_the_click_to_that_slide_makes(lesson):
    """A view draws the preview ahead and the click must find the same pictures: same
    data, settings and start. The caller's session is left as it is."""
    walked = LessonPlayer(lesson, Session())
    walked.start()
    learning = [i for i, st in enumerate(lesson.states) if st.train]
    assert len(learning) >= 2
    assert any(st.learning is not None and not st.train for st in lesson.states)
    for i in range(len(lesson.states)):
        before = (walked.session.input.tobytes(), walked.session.learning.run)
        preview = preview_run(lesson, i)
        assert (walked.session.input.tobytes(), walked.session.learning.run) == before
        walked.goto(i)
        real = walked.session.learning.run
        if i not in learning:
            assert preview is None, i
            continue
        assert preview is not None and real is not None and preview is not real
        assert preview.settings == real.settings, i
        for a, b in ((preview.data.X, real.data.X), (preview.data.Y, real.data.Y),
                     (preview.data.K_true, real.data.K_true), (preview.K0, real.K0)):  # fmt: skip
            assert np.array_equal(a, b), i
        assert preview.steps == real.steps == 0
    assert preview_run(lesson, len(lesson.states)) is None
    assert preview_run(lesson, -1) is None


def test_preview_session_is_the_state_the_click_to_that_slide_leaves(lesson):
    """The matrix view is drawn ahead from this preview; the click must show the same:
    grids, options, step and what is hidden. The caller's session is left as it is."""
    walked = LessonPlayer(lesson, Session())
    walked.start()
    for i in range(len(lesson.states)):
        before = walked.session.input.tobytes()
        preview = preview_session(lesson, i)
        assert walked.session.input.tobytes() == before
        walked.goto(i)
        real = walked.session
        assert preview is not None and preview is not real
        assert np.array_equal(preview.input, real.input), i
        assert np.array_equal(preview.kernel, real.kernel), i
        assert preview.options == real.options, i
        assert preview.step == real.step, i
        assert preview.hidden == real.hidden, i
    assert preview_session(lesson, len(lesson.states)) is None
    assert preview_session(lesson, -1) is None


def test_entry_event_is_what_the_click_into_that_slide_emits(lesson):
    """The lesson bar of the next slide is drawn ahead from it, whatever slide or build
    the walk is on (a move forward, a jump, after a reveal)."""
    walked = LessonPlayer(lesson, Session())
    heard: list[LessonEvent] = []
    walked.changed.connect(heard.append)
    walked.start()
    for i in range(len(lesson.states)):
        assert heard[-1] == entry_event(lesson, i), i
        assert heard[-1].kind == "slide" and heard[-1].build == 0
        while walked.builds_left:  # played to its end, then on to the next slide
            walked.next()
        walked.next()
    assert walked.goto(3) == entry_event(lesson, 3)
    assert entry_event(lesson, len(lesson.states)) is None
    assert entry_event(lesson, -1) is None
