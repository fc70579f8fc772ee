"""One change, one event, one redraw: set_scene and every click of the lesson, in the window.

Each model (the session, its edge maps, its learning state) announces a
click once, and no view redraws twice for it. The redraws are counted by
wrapping each view's redraw methods on the instance (the views call them
through ``self``), so a second event, or a view told twice, shows up as a
count of 2.
"""

from __future__ import annotations

from collections import Counter
from types import MethodType

import pytest

from convviz.gui.view import View
from convviz.model.session import Options

#: Each view's redraw methods: what a model change costs it.
REDRAWS = {
    "window": ("_refresh_all", "_refresh_step"),
    "edges": ("refresh",),
    "learn": ("_on_new_run", "_show_settings"),
    "matrix": ("refresh",),
}


class Spy:
    """Counts the models' events and the views' redraws since the last :meth:`take`."""

    def __init__(self, window, monkeypatch) -> None:
        self.counts: Counter[str] = Counter()
        s = window.session
        for name, event in (
            ("session", s.changed),
            ("edges", s.edges.changed),
            ("learning", s.learning.changed),
        ):
            event.connect(lambda *_, n=name: self.counts.update([f"event {n}"]))
        for key, methods in REDRAWS.items():
            view = window.views[key]
            for m in methods:
                spy = self._counted(f"{key}.{m}", getattr(view, m))
                monkeypatch.setattr(view, m, MethodType(spy, view))  # bound, as views connect it

    def _counted(self, name, fn):
        def spy(_view, *args, **kwargs):
            self.counts.update([name])
            return fn(*args, **kwargs)

        return spy

    def take(self) -> Counter[str]:
        out, self.counts = self.counts, Counter()
        return out


def test_every_view_is_a_view(window):
    assert set(window.views) == set(REDRAWS)
    for key, view in window.views.items():
        assert isinstance(view, View), key


def test_set_scene_is_one_event_and_one_redraw_per_view(qtbot, window, monkeypatch):
    window.show_view("window")
    spy = Spy(window, monkeypatch)
    window.session.set_scene([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], [[1.0, -1.0]], Options(bias=1.0))
    counts = spy.take()
    assert counts["event session"] == 1
    assert counts["window._refresh_all"] == 1  # the whole view, once: never half-applied
    assert max(counts.values()) == 1, counts
    assert window.window_view.output.values().tolist() == [[0.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize("lesson", ["6.2"])
def test_each_lesson_click_is_one_event_per_model_and_one_redraw_per_view(
    qtbot, window, monkeypatch, lesson
):
    assert window.open_lesson(lesson)
    player = window.lessons.player
    spy = Spy(window, monkeypatch)
    clicks = slides_with_learning = 0
    seen: Counter[str] = Counter()
    while not player.at_end:
        before = player.counter()
        window.lessons.next()
        clicks += 1
        counts = spy.take()
        seen.update(counts.keys())
        assert max(counts.values(), default=0) <= 1, (before, "→", player.counter(), counts)
        if player.build == 0 and player.state.learning is not None:
            slides_with_learning += 1
    while not player.at_start:  # and back, a build or a slide at a time
        before = player.counter()
        window.lessons.prev()
        counts = spy.take()
        seen.update(counts.keys())
        assert max(counts.values(), default=0) <= 1, (before, "←", player.counter(), counts)
    # The walk did exercise every model and every view (a positive control for "≤ 1").
    assert clicks > 20 and slides_with_learning > 0
    for name in ("event session", "event edges", "event learning"):
        assert seen[name], name
    for key, methods in REDRAWS.items():
        assert any(seen[f"{key}.{m}"] for m in methods), key
