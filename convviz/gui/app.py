"""Start convviz: parse the command line, build the window, warm the engine up.

The engine's compiled loops cost a fraction of a second to load from numba's
cache in a new process (several seconds to compile if the cache is empty), so
they are made ready on a worker thread *after* the window is on screen. The
GUI thread is marked as one that never waits for a compile: until a loop is
ready, the engine answers it from numpy (see ``convviz/engine/_jit.py``).
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

    sig_progress = Signal(int, int, str)  # payload: loops done, loops in all, "loaded"/"compiled"…
    sig_done = Signal(float)  # payload: seconds it took
    sig_failed = Signal(str)  # payload: the error message

    @Slot()
    def run(self) -> None:
        try:
            from ..engine import warm_up

            self.sig_done.emit(
                warm_up(lambda n, total, _, how: self.sig_progress.emit(n, total, how))
            )
        except Exception as exc:  # pragma: no cover - shown to the user
            self.sig_failed.emit(f"{type(exc).__name__}: {exc}")


def start_warm_up(parent: QObject, on_done, on_failed, on_progress=None) -> QThread:
    """Run :class:`WarmUpWorker` on a new thread; the thread ends itself when done.

    Call it on the GUI thread: it marks that thread as one that never waits
    for a compile.
    """
    from ..engine import never_wait_in_this_thread

    never_wait_in_this_thread()
    thread = QThread(parent)
    worker = WarmUpWorker()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    if on_progress is not None:
        worker.sig_progress.connect(on_progress)
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
    from ..engine import never_wait_in_this_thread

    never_wait_in_this_thread()  # from here on, nothing on this thread waits for numba

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
