"""Learning-panel timings for ``python benchmarks/bench_ui.py``.

The view trains the chapter's 1×2 kernel from its own QTimer, as the app
does, with the live plots on and the event loop running, for about two
seconds at the "fastest" pace. Reported: training steps per second, the
live redraws per second (target ≤ 60 and near it) with the loss plot's
paint events, and the largest lateness of a 5 ms probe timer (target
< 50 ms, so a key press is served in time). The engine alone is measured
too, for comparison. Last, a new loss surface's first paint on a 4K stage,
its contours stroked as joined lines (as drawn) against one stroke per
marching-squares segment (as they were: pyqtgraph's pens wider than 4 px
have round caps, one pair per segment).
"""

from __future__ import annotations

import time

SECONDS = 2.0


class _PaintCounter:
    """Counts paint events of one widget (the loss plot's viewport)."""

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QEvent, QObject

        counter = self

        class Filter(QObject):
            def eventFilter(self, obj, event) -> bool:
                if event.type() == QEvent.Type.Paint:
                    counter.n += 1
                return False

        self.n = 0
        self.filter = Filter()
        widget.installEventFilter(self.filter)


def _train_for(app, view, seconds: float) -> dict[str, float]:
    from PySide6.QtCore import QTimer

    paints = _PaintCounter(view.loss_plot.viewport())
    lateness: list[float] = []
    last = [0.0]

    def probe() -> None:
        now = time.perf_counter()
        lateness.append(now - last[0] - 0.005)
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(probe)
    frames0, steps0 = view.frames, view.run.steps
    t0 = time.perf_counter()
    last[0] = t0
    timer.start()
    view.train()
    while time.perf_counter() - t0 < seconds and view.training:
        app.processEvents()
        time.sleep(0.0005)  # idle like an event loop would, without spinning
    elapsed = time.perf_counter() - t0
    view.pause()
    timer.stop()
    return {
        "steps": (view.run.steps - steps0) / elapsed,
        "frames": (view.frames - frames0) / elapsed,
        "paints": paints.n / elapsed,
        "late_max": max(lateness[1:]) if len(lateness) > 1 else float("nan"),
        "late_p99": sorted(lateness)[int(0.99 * (len(lateness) - 1))] if lateness else 0.0,
        "total": view.run.steps,
        "points": len(view.loss_plot.data()[0]),
    }


def _engine_rate() -> float:
    from convviz.model.learning import LearningData, LearningRun, mxnet_edition

    run = LearningRun(mxnet_edition(), LearningData.chapter())
    run.advance(1)
    t0 = time.perf_counter()
    run.advance(1_000_000)
    return 1_000_000 / (time.perf_counter() - t0)


def _surface_paint_ms(app, joined: bool, n: int = 8) -> float:
    """Median CPU ms of the surface plot's repaint after a new surface, at a 4K scale."""
    import numpy as np
    import pyqtgraph as pg

    from convviz.gui.style import StageStyle, Style
    from convviz.gui.widgets.learn_plots import SurfacePlot

    style = StageStyle(Style())
    style.set_scale(3.8)  # a 4K stage's scale
    plot = SurfacePlot(style)
    plot.resize(950, 1000)
    plot.show()
    app.processEvents()
    times = []
    w1, w2 = np.meshgrid(
        np.linspace(-1.5, 1.5, SurfacePlot.N), np.linspace(-1.2, 1.4, SurfacePlot.N)
    )
    for k in range(n):
        a = 3.0 + k  # a new bowl each time: nothing cached
        Z = a * (w1 - 1) ** 2 + (w2 + 1) ** 2 + 2 * (w1 - 1) * (w2 + 1)
        plot.set_surface(Z, ((-1.5, 1.5), (-1.2, 1.4)), np.array([1.0, -1.0]), np.zeros(2))
        c = plot.contours
        if not joined:
            seg = c.segments
            c.path = pg.arrayToQPath(seg[:, 0::2].ravel(), seg[:, 1::2].ravel(), connect="pairs")
        app.processEvents()
        c.update()
        plot.image.update()
        t = time.thread_time()
        plot.plot.viewport().repaint()
        times.append(time.thread_time() - t)
    plot.close()
    return 1000 * float(np.median(times))


def run(app) -> list[tuple[str, str]]:
    from convviz.gui.style import Style
    from convviz.gui.widgets.learn_view import PACES, LearnView
    from convviz.model import Session

    view = LearnView(Session(), Style())
    view.resize(1600, 900)
    view.show()
    app.processEvents()
    view.combo_pace.setCurrentIndex(list(PACES).index("fastest"))
    view.spin_steps.setValue(100_000_000)
    app.processEvents()
    r = _train_for(app, view, SECONDS)
    view.close()
    joined, pairs = _surface_paint_ms(app, True), _surface_paint_ms(app, False)
    ok_fps = "ok" if r["frames"] <= 61 else "TOO MANY"
    ok_late = "ok" if r["late_max"] < 0.050 else "SLOW"
    return [
        (
            "learn: training with live plots",
            f"{r['steps'] / 1e6:.2f} M steps/s ({r['total']:,} steps in {SECONDS:g} s, "
            f"{r['points']} points plotted)",
        ),
        (
            "learn: model alone (1e6 steps, decimated history)",
            f"{_engine_rate() / 1e6:.2f} M steps/s",
        ),
        (
            "learn: live redraws / loss-plot paints",
            f"{r['frames']:.0f} / {r['paints']:.0f} per s (≤ 60)  {ok_fps}",
        ),
        (
            "learn: event-loop lateness during training",
            f"{r['late_max'] * 1e3:.1f} ms max, {r['late_p99'] * 1e3:.1f} ms p99 (< 50)  {ok_late}",
        ),
        (
            "learn: a new loss surface's first paint at 4K",
            f"{joined:.1f} ms, contours as joined lines; {pairs:.1f} ms as separate "
            f"segments ({pairs / joined:.1f}x)",
        ),
    ]
