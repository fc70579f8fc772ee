"""Sliding-window view timings, for ``python benchmarks/bench_ui.py``.

An animation step here is the whole thing a lecturer sees: the Session moves
the window, the view updates the outlines, the output and the arithmetic,
and every widget repaints (``repaint()`` is synchronous). Target: < 16 ms
(60 frames a second) even with a 64×64 input.
"""

from __future__ import annotations

import time

import numpy as np


def _view(app, shape: tuple[int, int]):
    from convviz.gui.style import Style
    from convviz.gui.widgets.window_view import WindowView
    from convviz.model import Session

    s = Session()
    rng = np.random.default_rng(0)
    s.set_grid("input", rng.integers(-9, 10, shape).astype(float))
    s.set_grid("kernel", np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]))
    style = Style()
    v = WindowView(s, style)
    v.resize(1920, 1000)
    v.show()
    app.processEvents()
    s.set_step(0)
    v.repaint()
    app.processEvents()
    return s, v


def _median_ms(app, v, act, n: int) -> float:
    """Median milliseconds of ``act(i)`` plus a synchronous repaint of ``v``; closes ``v``."""
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        act(i)
        v.repaint()
        app.processEvents()
        times.append(time.perf_counter() - t0)
    v.close()
    v.deleteLater()
    app.processEvents()
    return 1000 * float(np.median(times))


def _ms_per_step(app, shape: tuple[int, int], n: int = 60) -> float:
    s, v = _view(app, shape)

    def step(_i: int) -> None:
        if not s.step_forward():
            s.set_step(0)

    return _median_ms(app, v, step, n)


def _ms_per_edit(app, shape: tuple[int, int], n: int = 40) -> float:
    s, v = _view(app, shape)
    s.set_step(s.n_steps // 2)

    def edit(i: int) -> None:
        s.set_cell("input", i % shape[0], (3 * i) % shape[1], float(i % 7) - 3)

    return _median_ms(app, v, edit, n)


def run(app) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for shape in ((6, 8), (32, 32), (64, 64)):
        ms = _ms_per_step(app, shape)
        rows.append(
            (f"window: animation step, {shape[0]}×{shape[1]} input, 3×3 kernel", f"{ms:.1f} ms")
        )
    ms = _ms_per_edit(app, (64, 64))
    rows.append(("window: edit a cell to repaint, 64×64 input", f"{ms:.1f} ms (target < 16)"))
    return rows
