"""Edge-map timings for ``python benchmarks/bench_ui.py``: target < 33 ms per kernel edit.

A kernel edit on a 1024×1024 picture with a 3×3 kernel, measured from the
session call to the end of a synchronous repaint of the whole view: the
engine's float32 correlations, the shared colour limit, the zero checks,
``ImageItem.setImage`` and the paint (colour lookup and drawing).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

SIDE = 1024
REPEATS = 25


def _picture() -> np.ndarray:
    y, x = np.mgrid[:SIDE, :SIDE] / SIDE
    rng = np.random.default_rng(0)
    pic = (
        0.5 + 0.3 * np.sin(12 * x + 5 * y) * np.cos(9 * y) + 0.05 * rng.standard_normal((SIDE,) * 2)
    )
    return np.clip(pic, 0, 1).astype(np.float32)


def _edit_times(app, view, session) -> list[float]:
    times = []
    for i in range(REPEATS):
        value = float(i % 5 - 2) or 0.5
        t0 = time.perf_counter()
        session.set_cell("kernel", 1, 1, value)
        view.repaint_maps()
        times.append(time.perf_counter() - t0)
        app.processEvents()
    return times


def _fmt(times: list[float], target_ms: float | None = 33.0) -> str:
    med = statistics.median(times) * 1e3
    worst = max(times) * 1e3
    ok = "" if target_ms is None else ("  ok" if med < target_ms else "  SLOW")
    return f"{med:.1f} ms median, {worst:.1f} ms worst{ok}"


def run(app) -> list[tuple[str, str]]:
    from PIL import Image

    from convviz.engine import corr2d
    from convviz.gui.style import Style
    from convviz.gui.widgets.edge_view import EdgeView
    from convviz.model import Session
    from convviz.model.images import load_image

    rows: list[tuple[str, str]] = []
    session = Session()
    session.set_grid("kernel", [[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    pic = _picture()
    session.edges.set_picture(pic, "bench")
    style = Style()
    view = EdgeView(session, style)
    view.resize(1600, 950)
    view.show()
    for _ in range(3):
        app.processEvents()

    K = np.asarray(session.kernel, np.float32)
    corr2d(pic, K)
    t = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        corr2d(pic, K)
        t.append(time.perf_counter() - t0)
    rows.append((f"edges: one corr2d, {SIDE}² float32, 3×3 (engine)", _fmt(t, None)))

    rows.append(
        (f"edges: kernel edit → 2 maps shown ({SIDE}², 3×3)", _fmt(_edit_times(app, view, session)))
    )
    view.show_kt.setChecked(True)
    app.processEvents()
    rows.append(
        (
            f"edges: kernel edit → 4 maps shown, with Kᵀ ({SIDE}², 3×3)",
            _fmt(_edit_times(app, view, session)),
        )
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.png"
        Image.fromarray((pic * 255).astype(np.uint8)).save(path)
        rgb = Path(tmp) / "big_rgb.jpg"
        Image.fromarray(np.stack([(pic * 255).astype(np.uint8)] * 3, -1)).save(rgb, quality=90)
        huge = Path(tmp) / "huge.jpg"
        big = np.asarray(Image.fromarray((pic * 255).astype(np.uint8)).resize((4000, 3000)))
        Image.fromarray(np.stack([big] * 3, -1)).save(huge, quality=90)
        for what, p, side in (
            (f"edges: load {SIDE}² grey PNG", path, SIDE),
            (f"edges: load {SIDE}² colour JPEG", rgb, SIDE),
            ("edges: load 4000×3000 colour JPEG, scaled to 1024", huge, SIDE),
        ):
            t = []
            for _ in range(5):
                t0 = time.perf_counter()
                load_image(p, side)
                t.append(time.perf_counter() - t0)
            rows.append((what + " (worker thread)", _fmt(t, None)))

        t0 = time.perf_counter()
        view.load_path(path)
        while view.loading:
            app.processEvents()
        view.repaint_maps()
        rows.append(
            (
                f"edges: open {SIDE}² PNG → all maps on screen",
                f"{(time.perf_counter() - t0) * 1e3:.1f} ms",
            )
        )
    view.close()
    view.deleteLater()
    app.processEvents()
    return rows
