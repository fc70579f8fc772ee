"""One change, one event: a compound change is announced once per model, with what changed."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.model import Session, presets
from convviz.model.events import Event, batched
from convviz.model.lessons import LessonPlayer, apply_learning_settings, load_lesson
from convviz.model.session import Options


class Counter:
    """Records every payload an event sends."""

    def __init__(self, event: Event) -> None:
        self.calls: list[tuple] = []
        event.connect(lambda *a: self.calls.append(a))

    def take(self) -> list[tuple]:
        out, self.calls = self.calls, []
        return out


def counters(s: Session) -> dict[str, Counter]:
    return {
        "session": Counter(s.changed),
        "edges": Counter(s.edges.changed),
        "learning": Counter(s.learning.changed),
    }


def test_batch_merges_parts_and_nests():
    ev, seen = Event(), []
    ev.connect(seen.append)
    with ev.batch():
        ev.emit(frozenset({"a"}))
        with ev.batch():
            ev.emit(frozenset({"b"}))
        assert seen == []  # the inner batch does not send: the outer one is open
    assert seen == [frozenset({"a", "b"})]
    with ev.batch():
        pass
    assert seen == [frozenset({"a", "b"})]  # nothing changed, nothing sent


def test_batch_sends_what_changed_before_an_error():
    ev, seen = Event(), []
    ev.connect(seen.append)
    with pytest.raises(RuntimeError), ev.batch():
        ev.emit(frozenset({"a"}))
        raise RuntimeError
    assert seen == [frozenset({"a"})]


def test_batch_keeps_the_latest_of_other_payloads():
    ev, seen = Event(), []
    ev.connect(lambda *a: seen.append(a))
    with ev.batch():
        ev.emit(1)
        ev.emit(2)
    assert seen == [(2,)]


def test_batched_sends_a_listeners_echo_in_one_event():
    first, second, seen = Event(), Event(), []
    first.connect(seen.append)
    second.connect(lambda parts: first.emit(frozenset({"echo"})))
    with batched(first, second):
        first.emit(frozenset({"a"}))
        second.emit(frozenset({"b"}))
    assert seen == [frozenset({"a", "echo"})]


def test_set_scene_emits_once_with_every_part():
    s = Session()
    c = counters(s)
    s.set_scene([[1.0, 2.0], [3.0, 4.0]], [[1.0, -1.0]], Options(bias=1.0))
    calls = c["session"].take()
    assert len(calls) == 1
    assert {"input", "kernel", "options"} <= calls[0][0]
    assert c["edges"].take() == [(frozenset({"maps"}),)]  # the kernel changed: maps are stale
    s.undo()  # and it is one undo step
    np.testing.assert_array_equal(s.input, presets.fig_621())
    assert s.options == Options()


def test_set_scene_that_changes_nothing_is_silent():
    s = Session()
    c = counters(s)
    s.set_scene(s.input, s.kernel, s.options)
    assert c["session"].take() == [] and not s.can_undo


#: What each model owns, to tell whether a click changed it.
OWN = {
    "session": lambda s: (
        *(s.input.tobytes(), s.input.shape, s.kernel.tobytes(), s.kernel.shape),
        *(s.options, s.step, s.hidden),
    ),
    "edges": lambda s: (s.edges.name, s.edges.show_kt, s.edges.max_side),
    "learning": lambda s: (s.learning.settings, s.learning.run),
}


def test_every_lesson_click_emits_at_most_once_per_model():
    """Walk the 6.2 lesson forward and back: each click is one event per model that changed."""
    lesson = load_lesson("6.2")
    s = Session()
    p = LessonPlayer(lesson, s)
    c = counters(s)
    moves = 0
    for step in (p.next, p.prev):
        while True:
            before = {k: own(s) for k, own in OWN.items()}
            ev = step()
            if ev is None:
                break
            moves += 1
            calls = {k: v.take() for k, v in c.items()}
            where = f"slide {ev.index + 1}, build {ev.build} ({ev.kind})"
            assert all(len(v) <= 1 for v in calls.values()), f"{where}: {calls}"
            for k, own in OWN.items():  # a model that changed says so (exactly once)
                if own(s) != before[k]:
                    assert len(calls[k]) == 1, f"{where}: {k}"
    assert moves > 2 * len(lesson)  # the walk took every build both ways


def test_entering_each_slide_emits_once_per_model():
    lesson = load_lesson("6.2")
    s = Session()
    p = LessonPlayer(lesson, s)
    c = counters(s)
    for i in range(len(lesson)):
        p.goto(i, build=lesson.states[i].builds)  # a jump plays the builds too
        calls = {k: v.take() for k, v in c.items()}
        assert all(len(v) <= 1 for v in calls.values()), f"slide {i + 1}: {calls}"


def test_a_slide_announces_its_grids_before_it_applies_its_learning(lesson):
    """The learning hook (the GUI's learning view takes up the settings there) runs
    after the session has announced the slide's grids, so it never sees stale ones."""
    order: list[str] = []

    def hook(session, spec, fresh_run):
        order.append("hook")
        apply_learning_settings(session, spec, fresh_run)

    s = Session()
    p = LessonPlayer(lesson, s, apply_learning=hook)
    s.changed.connect(lambda parts: order.append("session"))
    s.learning.changed.connect(lambda parts: order.append("learning"))
    both = 0
    for i in range(len(lesson)):
        order.clear()
        p.goto(i)
        if "hook" in order and "session" in order:
            both += 1
            assert order.index("session") < order.index("hook"), f"slide {i + 1}: {order}"
        assert order.count("session") <= 1 and order.count("learning") <= 1
    assert both  # the lesson has such slides (6.2.4)
