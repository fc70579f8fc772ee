"""Start convviz: parse the command line, build the window, warm the engine up.

The engine's compiled loops cost a fraction of a second to load from numba's
cache in a new process (several seconds to compile if the cache is empty), so
they are made ready on a worker thread *after* the window is on screen. The
GUI thread is marked as one that never waits for a compile: until a loop is
ready, the engine answers it from numpy (see ``convviz/engine/_jit.py``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QThreadPool

from .style import THEMES, ZOOM_MAX, ZOOM_MIN

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow
    from .workers import Task

#: The views ``--view`` can start on, as the window's tabs name them (a test
#: checks this against the window, so the help cannot fall behind).
VIEWS = {
    "window": "the sliding window, step by step, with each cell's arithmetic (6.2.1)",
    "edges": "edge maps of the chapter's image or a picture (6.2.3)",
    "learn": "a kernel being learned by gradient descent (6.2.4)",
    "matrix": "the same correlation as one matrix product",
}


def _zoom(text: str) -> int:
    """A zoom in percent, refused (not clamped) outside what the window offers."""
    try:
        z = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of percent") from None
    if not ZOOM_MIN <= z <= ZOOM_MAX:
        raise argparse.ArgumentTypeError(f"{z} is outside {ZOOM_MIN}..{ZOOM_MAX} percent")
    return z


def lesson_names() -> list[str]:
    """The shipped lessons' names (``6.2``), read without importing the model."""
    from ..resources import resource

    try:
        return sorted(p.stem for p in resource("lessons").glob("*.toml"))
    except FileNotFoundError:
        return []


def _lesson(text: str) -> str:
    """A shipped lesson's name or an existing ``.toml`` file; its content is checked later,
    in the window, which says what is wrong with it."""
    if text.lower().endswith(".toml"):
        p = Path(text)
        if not p.is_file():
            raise argparse.ArgumentTypeError(f"there is no lesson file {text!r}")
        return str(p.resolve())
    names = lesson_names()
    if text not in names:
        have = ", ".join(names) or "none"
        raise argparse.ArgumentTypeError(
            f"there is no lesson {text!r} (lessons: {have}; or give a .toml file)"
        )
    return text


def build_parser() -> argparse.ArgumentParser:
    views = "\n".join(f"  {k:<8}{v}" for k, v in VIEWS.items())
    p = argparse.ArgumentParser(
        prog="convviz",
        description="See 2-D convolution happen (Dive into Deep Learning, section 6.2).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            f"views:\n{views}\n\n"
            f"lessons: {', '.join(lesson_names()) or 'none found'}"
            " (or a .toml file of your own)\n\n"
            "--zoom and --theme hold for this launch only; the zoom and theme chosen in\n"
            "the window's View menu are remembered for the next one.\n\n"
            "examples:\n"
            "  convviz --lesson 6.2 --fullscreen     the lecture, for the projector\n"
            "  convviz --view edges --zoom 150       edge maps, larger"
        ),
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    p.add_argument("--fullscreen", action="store_true", help="start full screen (F11 toggles)")
    p.add_argument(
        "--present",
        action="store_true",
        help="start presenting a lesson: only the slide on screen, clicker keys (F5 starts, "
        "Esc ends); opens the first lesson if none is given",
    )
    p.add_argument(
        "--zoom",
        type=_zoom,
        metavar="PERCENT",
        help=f"zoom of the whole window, {ZOOM_MIN}..{ZOOM_MAX} (default: as last set in the app)",
    )
    p.add_argument(
        "--theme", choices=list(THEMES), help="colour theme (default: as last set in the app)"
    )
    p.add_argument(
        "--lesson",
        type=_lesson,
        metavar="NAME",
        help="open a lesson at its first slide: a name (6.2) or a .toml file; "
        "the lesson picks the view on each slide, so not with --view",
    )
    p.add_argument(
        "--view", choices=list(VIEWS), metavar="NAME", help=f"start on a view: {', '.join(VIEWS)}"
    )
    p.add_argument(
        "--reset-settings", action="store_true", help="forget the remembered window state"
    )
    return p


def _version() -> str:
    from .. import __version__

    return __version__


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The options, or a usage message and exit status 2 for anything it cannot use."""
    p = build_parser()
    args = p.parse_args(argv)
    if args.view is not None and args.lesson is not None:
        p.error("--view and --lesson cannot be used together: a lesson picks the view per slide")
    return args


def warm_up_engine(progress: Callable[[int, int, str], None]) -> float:
    """Make the engine's loops ready (load or compile); runs on a worker thread.

    ``progress(done, total, how)`` after each loop, ``how`` being "loaded",
    "compiled"…; after :meth:`~.workers.Task.cancel` it raises, which ends the
    warm-up after the loop being prepared now.
    """
    from ..engine import warm_up

    return warm_up(lambda n, total, _name, how: progress(n, total, how))


def start_warm_up(
    parent: QObject,
    on_done: Callable[[float], None],
    on_failed: Callable[[str], None],
    on_progress: Callable[[int, int, str], None] | None = None,
) -> Task:
    """Run :func:`warm_up_engine` on a one-thread pool of its own (an image being read
    meanwhile does not wait for it); ``cancel()`` then ``wait()`` the Task to stop it.

    Call it on the GUI thread: it marks that thread as one that never waits
    for a compile.
    """
    from ..engine import never_wait_in_this_thread
    from .workers import run_with_progress

    never_wait_in_this_thread()
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    task = run_with_progress(warm_up_engine, name="engine warm-up", pool=pool)
    task.setParent(parent)
    if on_progress is not None:
        task.sig_note.connect(on_progress)
    task.sig_done.connect(on_done)
    task.sig_failed.connect(lambda exc: on_failed(f"{type(exc).__name__}: {exc}"))
    return task


def launch(
    args: argparse.Namespace, settings: QSettings | None = None
) -> tuple[QApplication, MainWindow]:
    """Build the window as ``args`` ask and show it; the caller runs the event loop.

    A lesson that cannot be opened leaves the window open on its usual view and
    says why, on stderr and in a message box over the window.
    """
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    # numpy (row, col) arrays must show as rows and columns; set before any item exists.
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    # (Not QT_MAX_CACHED_GLYPH_SIZE above 64: FreeType then draws no text over 64 px,
    # every title of a 4K stage; see widgets/text_sprites.py.)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("convviz")
    app.setOrganizationName("convviz")
    # No application display name: Qt would append it to every window title,
    # which already names convviz.
    from ..engine import never_wait_in_this_thread

    never_wait_in_this_thread()  # from here on, nothing on this thread waits for numba

    from .main_window import MainWindow

    win = MainWindow(
        zoom=args.zoom,
        theme=args.theme,
        reset_settings=args.reset_settings,
        settings=settings,
    )
    if args.view:
        win.show_view(args.view)
    problems = _open_lesson(win, args.lesson) if args.lesson else []
    if args.fullscreen or args.present:
        win.enter_fullscreen()
    else:
        win.show()
    if args.present:
        win.presenting.start()
    win.start_engine()
    if problems:
        from PySide6.QtCore import QTimer

        for title, text in problems:
            print(f"convviz: {title}: {text}", file=sys.stderr)
        title, text = problems[0]
        # Shown once the event loop runs, over the window rather than before it.
        QTimer.singleShot(0, win, lambda: win.lessons.warn(title, text))
    return app, win


def _open_lesson(win: MainWindow, name: str) -> list[tuple[str, str]]:
    """Open the lesson before the window shows (no flash of another view); collect
    what goes wrong instead of showing a dialog before there is a window."""
    problems: list[tuple[str, str]] = []
    warn = win.lessons.warn
    win.lessons.warn = lambda title, text: problems.append((title, text))
    try:
        win.open_lesson(name)
    except Exception as exc:  # a file the loader did not foresee must not stop the app
        problems.append(("The lesson cannot be opened", f"{name}: {type(exc).__name__}: {exc}"))
    finally:
        win.lessons.warn = warn
    return problems


def _smoke_hooks(app: QApplication, win: MainWindow) -> None:
    """For smoke tests of a real process: ``CONVVIZ_SCREENSHOT=<png>`` saves what the
    window shows and writes ``<png>.json`` with its state; ``CONVVIZ_EXIT_AFTER_MS``
    quits on its own."""
    from PySide6.QtCore import QTimer

    if os.environ.get("CONVVIZ_SCREENSHOT"):
        shot = os.environ["CONVVIZ_SCREENSHOT"]
        delay = int(os.environ.get("CONVVIZ_SCREENSHOT_MS", "1500"))

        def save_shot() -> None:  # atomic, so a reader never sees half a file
            player = win.lessons.player
            state = {
                "title": win.windowTitle(),
                "view": win.current_view_key(),
                "lesson": player.lesson.name if player else None,
                "slide": player.index if player else None,
                "zoom": win.style_.zoom,
                "theme": win.style_.theme.name,
                "window": [win.width(), win.height()],
                "screen": list(win.screen().geometry().size().toTuple()),
            }
            tmp = shot + ".part.png"
            if win.grab().save(tmp):
                os.replace(tmp, shot)
            tmp = shot + ".part.json"  # last: once it is there, so is the picture
            Path(tmp).write_text(json.dumps(state), encoding="utf-8")
            os.replace(tmp, shot + ".json")

        QTimer.singleShot(delay, save_shot)
    if os.environ.get("CONVVIZ_EXIT_AFTER_MS"):

        def leave() -> None:  # as the user would: closing waits for the warm-up thread
            app.closeAllWindows()
            app.quit()

        QTimer.singleShot(int(os.environ["CONVVIZ_EXIT_AFTER_MS"]), leave)


#: When the views not shown are fitted to the screen (:meth:`MainWindow.prepare_views`):
#: after the window has taken its full-screen size, long before a first click.
PREPARE_VIEWS_MS = 400


def freeze_startup_objects() -> None:
    """Keep what start-up built out of the collector's full passes (``gc.freeze``).

    A full (generation-2) collection walks every tracked object: with the window,
    pyqtgraph and numpy loaded, ~170k objects and a 50-60 ms pause, and it lands
    inside whatever runs then (in bench_ui a slide change of 91 ms, 54 of them the
    collector). The window and the libraries live as long as the app, so they are
    frozen once, after a collection: later full passes walk ~60k objects, 14-17 ms.
    """
    gc.collect()
    gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    """The ``convviz`` command: exit status 2 with a usage message for bad options."""
    from PySide6.QtCore import QTimer

    args = parse_args(argv if argv is not None else sys.argv[1:])
    app, win = launch(args)
    _smoke_hooks(app, win)
    QTimer.singleShot(0, freeze_startup_objects)  # once the window is up
    QTimer.singleShot(PREPARE_VIEWS_MS, win, win.prepare_views)  # full screen by then
    return app.exec()
