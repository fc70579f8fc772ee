"""UI timings, printed in one run: ``python benchmarks/bench_ui.py [stage|window|edges|learn]``.

Each view's measurements live in ``benchmarks/ui_<view>.py`` with a
``run(app) -> list[tuple[str, str]]`` function returning (what, figure)
rows; this script runs them offscreen and prints one table. Targets:
an animation step or an edit repainted in under 16 ms (60 fps), all edge
maps of a 1024x1024 picture in under 33 ms (30 fps).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

SECTIONS = ["ui_stage", "ui_window", "ui_edges", "ui_learn"]


def main(argv: list[str] | None = None) -> int:
    """Run every section, or only those named (``stage``, ``window``, ``edges``, ``learn``)."""
    wanted = argv if argv is not None else sys.argv[1:]
    sections = [f"ui_{w}" for w in wanted] or SECTIONS
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        print(
            f"unknown section(s): {', '.join(unknown)}; choose from "
            f"{', '.join(s[3:] for s in SECTIONS)}",
            file=sys.stderr,
        )
        return 2
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication([])
    from convviz.engine import warm_up

    warm_up()
    rows: list[tuple[str, str]] = []
    for name in sections:
        rows.extend(importlib.import_module(name).run(app))
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  figure")
    print("-" * (width + 20))
    for what, fig in rows:
        print(f"{what:<{width}}  {fig}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
