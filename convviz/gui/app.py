"""Start convviz: parse the command line, build the window, warm the engine up.

The engine's compiled loops cost about 0.25 s on their first call in a new
process even with numba's cache warm, so they are warmed on a worker thread
*after* the window is on screen, behind a status-bar message.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import QObject, QThread, Signal, Slot


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="convviz",
        description="See 2-D convolution happen (Dive into Deep Learning, section 6.2).",
    )
    p.add_argument("--fullscreen", action="store_true", help="start full screen (F11 toggles)")
    p.add_argument(
        "--present", action="store_true", help="start presenting a lesson (F5 starts, Esc ends)"
    )
    p.add_argument("--zoom", type=int, metavar="PERCENT", help="zoom of the whole window, 50..400")
    p.add_argument("--theme", choices=["light", "dark", "contrast"], help="colour theme")
    p.add_argument("--lesson", metavar="NAME", help="open a lesson, e.g. 6.2")
    p.add_argument("--view", metavar="NAME", help="start on a view: window, edges, learn")
    p.add_argument(
        "--reset-settings", action="store_true", help="forget the remembered window state"
    )
    return p.parse_args(argv)


class WarmUpWorker(QObject):
    """Compiles (or loads from cache) the engine's loops off the GUI thread."""

    sig_done = Signal(float)  # payload: seconds it took
    sig_failed = Signal(str)  # payload: the error message

    @Slot()
    def run(self) -> None:
        try:
            from ..engine import warm_up

            self.sig_done.emit(warm_up())
        except Exception as exc:  # pragma: no cover - shown to the user
            self.sig_failed.emit(f"{type(exc).__name__}: {exc}")


def start_warm_up(parent: QObject, on_done, on_failed) -> QThread:
    """Run :class:`WarmUpWorker` on a new thread; the thread ends itself when done."""
    thread = QThread(parent)
    worker = WarmUpWorker()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.sig_done.connect(on_done)
    worker.sig_failed.connect(on_failed)
    worker.sig_done.connect(thread.quit)
    worker.sig_failed.connect(thread.quit)
    thread.finished.connect(worker.deleteLater)
    thread._worker = worker  # type: ignore[attr-defined]  # keep it alive
    thread.start()
    return thread


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    # numpy (row, col) arrays must show as rows and columns; set before any item exists.
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("convviz")
    app.setOrganizationName("convviz")
    app.setApplicationDisplayName("convviz")

    from .main_window import MainWindow

    win = MainWindow(
        zoom=args.zoom,
        theme=args.theme,
        reset_settings=args.reset_settings,
    )
    if args.view:
        win.show_view(args.view)
    if args.lesson:
        win.open_lesson(args.lesson)
    if args.fullscreen or args.present:
        win.enter_fullscreen()
    else:
        win.show()
    if args.present:
        win.presenting.start()
    win.start_engine()
    if os.environ.get("CONVVIZ_SCREENSHOT"):  # smoke tests: save what the window shows
        from PySide6.QtCore import QTimer

        shot = os.environ["CONVVIZ_SCREENSHOT"]
        delay = int(os.environ.get("CONVVIZ_SCREENSHOT_MS", "1500"))

        def save_shot() -> None:  # atomic, so a reader never sees half a PNG
            tmp = shot + ".part.png"
            if win.grab().save(tmp):
                os.replace(tmp, shot)

        QTimer.singleShot(delay, save_shot)
    if os.environ.get("CONVVIZ_EXIT_AFTER_MS"):  # smoke tests: quit on their own
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(os.environ["CONVVIZ_EXIT_AFTER_MS"]), app.quit)
    return app.exec()
