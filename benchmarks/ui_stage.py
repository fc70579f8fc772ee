"""Projection timings, for ``python benchmarks/bench_ui.py``: the whole window, full screen.

What a lecturer's click costs on a 1080p and a 4K projector: one animation
step repainted and one frame of a kernel being learned, early and late in a
run (target < 16 ms, 60 frames a second), and one slide change, with the stage fitting the new slide
(target < 50 ms). Each is measured idle
and again with two busy processes beside it (started here, ended after the
measurement, bounded by :data:`BUSY_SECONDS`), as on a shared 2-core laptop.

A step is timed from the model's change to the end of the event-loop turn
that repaints what changed (``processEvents`` runs the paint); a slide
change from the click to the moment the window has settled (its queued
fitting and layout run; a slide that trains shows its first step, and the
frames after it are timed as frames, see :func:`_change`). Slides 1-4 are
walked back and forth, as a lecturer does, so their text comes from the paint caches after the first
pass; "first visit" times the first showing of slides 2-4 in a new window
with empty caches; "whole lesson" walks every slide in order (a second
pass) and gives the median and the worst change; "first walk" does the same once in
a new window, as a lecture does (views shown, runs and pictures computed for the
first time). Between two clicks of a walk the app gets the idle time a lecturer's
talk gives it (:func:`_between_clicks`, not timed): it draws the next slide ahead
when that slide shows a hidden view. Each figure is the median wall time, with the main
thread's CPU time in brackets: with busy processes beside it the difference
is time spent waiting for a core.

While presenting, a slide drawn ahead is also composed into a picture of the window,
which its click puts on the screen before it builds the live slide (``SlideCover``);
the live widgets, built under it, are painted once it goes, in the pause after the
click. "Slowest to the screen" is the longest wait of a walk from a click to its
slide on the screen: to the picture where there was one, else to the settled change
(whose one paint comes at its end). The live paints that took over from pictures are
printed too (CPU ms): the work a second click within that pause would wait for.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SCREENS = ((1920, 1080), (3840, 2160))
BUSY_SECONDS = 300  # a bound for a run that dies; each screen ends its pair itself


def _window(app, size):
    from PySide6.QtCore import QSettings

    from convviz.gui.main_window import MainWindow

    ini = str(Path(tempfile.mkdtemp()) / "convviz.ini")
    w = MainWindow(settings=QSettings(ini, QSettings.Format.IniFormat), zoom=150)
    w.enter_fullscreen = lambda: None  # offscreen: the window is the simulated screen
    w.resize(*size)
    w.show()
    w.files.ask_unsaved = lambda answer: answer("discard")
    w.open_lesson("6.2")
    w.presenting.start()
    for _ in range(20):
        app.processEvents()
    w.prepare_views()  # as the app does once full screen (app.PREPARE_VIEWS_MS)
    _settle(app)  # and what that queued runs then too, not in the first click's time
    return w


def _settle(app, n: int = 6) -> None:
    for _ in range(n):
        app.processEvents()


def _between_clicks(app, w, limit_s: float = 5.0) -> None:
    """The pause between two clicks: until the app has drawn the next slide ahead, if it
    does (``LessonController.rehearsal_pending``; a lecturer talks for seconds), and the
    live slide has taken over from its picture."""
    end = time.perf_counter() + limit_s
    lessons = w.lessons
    while (lessons.rehearsal_pending or lessons.cover.isVisible()) and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def _change(app, w, i: int) -> tuple[float, float, float]:
    """A click to slide ``i``, until it has settled: (wall, cpu, on screen). A slide that
    trains shows its run's first step with it (in its picture, the live view's frames
    held until the picture goes); the frames after that are the run's animation, each
    timed as a step (``ui_learn``), not the change: held until the change is timed,
    then the run goes on (they came in the settling turns on a slow one). "On screen":
    when the slide's picture drawn ahead was shown, if it was (see ``SlideCover``);
    else the whole change (its one paint comes at its end)."""
    driver = w.learn_view.driver
    cover = w.lessons.cover
    shown = cover.shown
    ticking = False

    def click() -> None:
        nonlocal ticking
        w.lessons.goto(i)
        ticking = driver.timer.isActive()  # (held while its picture is up: not ticking)
        driver.timer.stop()
        _settle(app)

    t0 = time.perf_counter()
    wall, cpu = _timed(click)
    if ticking:
        driver.timer.start()
    seen = cover.shown_at - t0 if cover.shown > shown and cover.shown_at is not None else wall
    return wall, cpu, seen


def _median_ms(times: list[tuple[float, float]]) -> tuple[float, float]:
    wall, cpu = zip(*times, strict=True)
    return 1000 * float(np.median(wall)), 1000 * float(np.median(cpu))


def _timed(fn) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.thread_time()
    fn()
    return time.perf_counter() - t0, time.thread_time() - c0


def _step_ms(app, w, n: int = 40) -> tuple[float, float]:
    """One step of Fig. 6.2.1's window (slide 1), repainted."""
    w.lessons.goto(0)
    _settle(app)
    s = w.session

    def step() -> None:
        if not s.step_forward():
            s.set_step(0)
        app.processEvents()

    return _median_ms([_timed(step) for _ in range(n)])


def _frame_ms(app, w, n: int = 30, from_batch: int = 0) -> tuple[float, float]:
    """One frame of a kernel being learned (slide 12, "Try 0.034", full screen): a
    step of training, drawn into the plots and repainted. ``from_batch`` 250 times
    frames late in the run (batches 251-270 of the 275 before it diverges): its path
    and weights zigzag across their plots by then, and those frames cost the most."""
    w.lessons.goto(_slide(w, "Try 0.034"))
    _settle(app)
    driver = w.learn_view.driver
    driver.timer.stop()  # the frames are made here, one at a time
    if from_batch > driver.run.steps:
        driver.run.advance(from_batch - driver.run.steps)
        driver.on_draw()
        _settle(app)

    def frame() -> None:
        driver.run.advance(1)
        driver.on_draw()
        app.processEvents()

    times = [_timed(frame) for _ in range(n)]
    w.learn_view.pause()
    return _median_ms(times)


def _slide(w, title: str) -> int:
    return next(i for i, s in enumerate(w.lessons.player.lesson.slides) if s.title == title)


def _slide_ms(app, w, n: int = 12) -> tuple[float, float]:
    """A click to the next slide (window view slides 1 -> 2 -> 3, back and forth)."""
    times = []
    for i in range(n):
        w.lessons.goto(i % 3)
        _settle(app)
        times.append(_timed(lambda i=i: (w.lessons.goto(i % 3 + 1), _settle(app))))
    return _median_ms(times)


Walk = tuple[tuple[float, float], tuple[float, float], int, float, int, int, list[float]]


def _walked(times: list[tuple[float, float, float]], takeovers: list[float]) -> Walk:
    """Median and worst change (wall, cpu) and the worst slide; the worst time to the
    screen, its slide, how many clicks showed a picture drawn ahead, and the CPU ms of
    the live paints that took over from those pictures (in the pause after a click)."""
    worst = max(range(len(times)), key=lambda k: times[k][0])
    seen = max(range(len(times)), key=lambda k: times[k][2])
    pictures = sum(1 for t in times if t[2] < t[0])
    return (
        _median_ms([t[:2] for t in times]),
        (1000 * times[worst][0], 1000 * times[worst][1]),
        worst + 2,
        1000 * times[seen][2],
        seen + 2,
        pictures,
        takeovers,
    )


def _lesson_ms(app, w) -> Walk:
    """Every slide of the lesson in order, second pass (see :func:`_walked`).

    Slides 1-4 are what the other rows time; the lesson's later slides (edge maps,
    learning, the matrix view) cost more, and a lecturer clicks through them all.
    """
    n = len(w.lessons.player.lesson.slides)
    times: list[tuple[float, float, float]] = []
    cover = w.lessons.cover
    for _ in range(2):  # the first pass fills the caches, the second is timed
        times = []
        w.lessons.goto(0)
        _settle(app)
        _between_clicks(app, w)
        took = len(cover.takeovers)
        for i in range(1, n):
            times.append(_change(app, w, i))
            _between_clicks(app, w)
    return _walked(times, cover.takeovers[took:])


def _first_visit_ms(app, size) -> tuple[float, float]:
    """Slides 2, 3 and 4 shown for the first time, in a new window, caches empty."""
    from convviz.gui.widgets import heatmap, text_sprites

    text_sprites.clear()
    heatmap.clear_layers()
    w = _window(app, size)
    times = [_timed(lambda i=i: (w.lessons.goto(i), _settle(app))) for i in (1, 2, 3)]
    w.lessons.close()
    w.close()
    return _median_ms(times)


def _first_walk_ms(app, size) -> Walk:
    """Every slide once, in a new window with empty text caches: what a lecture's one
    walk through the lesson costs (views shown for the first time, runs and pictures
    computed, nothing remembered yet). See :func:`_walked`."""
    from convviz.gui.widgets import heatmap, text_sprites

    text_sprites.clear()
    heatmap.clear_layers()  # the edge maps' layers, kept across windows, drawn anew
    w = _window(app, size)
    n = len(w.lessons.player.lesson.slides)
    times = []
    _between_clicks(app, w)
    for i in range(1, n):
        times.append(_change(app, w, i))
        _between_clicks(app, w)
    takeovers = list(w.lessons.cover.takeovers)
    w.lessons.close()
    w.close()
    return _walked(times, takeovers)


def _fig(ms: tuple[float, float], target: int) -> str:
    return f"{ms[0]:.1f} ms ({ms[1]:.1f} cpu) (< {target})"


def _busy(n: int = 2) -> list[subprocess.Popen]:
    code = f"import time\nend = time.time() + {BUSY_SECONDS}\nwhile time.time() < end: pass\n"
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(n)]


def run(app) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    from convviz.gui.app import freeze_startup_objects

    windows = {size: _window(app, size) for size in SCREENS}
    freeze_startup_objects()  # as the app does once its window is up
    for label, busy in (("idle", 0), ("2 busy processes", 2)):
        for (wd, ht), w in windows.items():
            # Started for each screen: one pair for both outlived BUSY_SECONDS, and the
            # 4K rows' last ones were timed on an idle machine.
            procs = _busy(busy) if busy else []
            try:
                step = _step_ms(app, w)
                frame = _frame_ms(app, w)
                late = _frame_ms(app, w, n=20, from_batch=250)
                slide = _slide_ms(app, w)
                first = _first_visit_ms(app, (wd, ht))
                lesson, worst, worst_slide, seen, seen_slide, pics, took = _lesson_ms(app, w)
                walk, walk_worst, walk_slide, wseen, wseen_slide, wpics, wtook = _first_walk_ms(
                    app, (wd, ht)
                )
                where = f"stage {wd}×{ht} presenting, {label}"
                rows.append((f"{where}: one step", _fig(step, 16)))
                rows.append((f"{where}: one training frame", _fig(frame, 16)))
                late_row = f"{where}: one training frame, late in a diverging run"
                rows.append((late_row, _fig(late, 16)))
                rows.append((f"{where}: slide change", _fig(slide, 50)))
                rows.append((f"{where}: slide change, first visit", _fig(first, 50)))
                rows.append((f"{where}: whole lesson, median change", _fig(lesson, 50)))
                worst_row = f"{where}: whole lesson, worst (slide {worst_slide})"
                rows.append((worst_row, _fig(worst, 50)))
                rows.append((f"{where}: first walk, median change", _fig(walk, 50)))
                walk_row = f"{where}: first walk, worst (slide {walk_slide})"
                rows.append((walk_row, _fig(walk_worst, 50)))
                n = len(windows[(wd, ht)].lessons.player.lesson.slides) - 1
                for what, ms, at, pics_, took_ in (
                    ("whole lesson", seen, seen_slide, pics, took),
                    ("first walk", wseen, wseen_slide, wpics, wtook),
                ):
                    row = f"{where}: {what}, slowest to the screen (slide {at})"
                    rows.append((row, f"{ms:.1f} ms (< 50; {pics_} of {n} shown drawn ahead)"))
                    if took_:
                        row = f"{where}: {what}, live paint after a picture (in the pause)"
                        fig = f"median {np.median(took_):.1f}, worst {max(took_):.1f} ms cpu"
                        rows.append((row, fig))
                ended = [p for p in procs if p.poll() is not None]
                if ended:  # the rows above were not all timed beside them
                    raise RuntimeError(f"{len(ended)} busy process(es) ended early")
            finally:
                for p in procs:
                    p.terminate()
                    p.wait(5)
    for w in windows.values():
        w.lessons.close()
        w.close()
    return rows
