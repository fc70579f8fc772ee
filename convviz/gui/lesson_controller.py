"""The window's controllers for the classroom and for files (wiring only).

:class:`LessonController` runs a lesson: it owns the Qt-free
:class:`~convviz.model.lessons.LessonPlayer`, puts the :class:`LessonBar`
on top of the window, turns a presenter's clicker (→/Page Down: next,
←/Page Up: back) into ``next()``/``prev()``, and on each move shows the
slide's view and starts playing or training when the slide asks. The keys
are caught application-wide while a lesson runs, so they reach the lesson
whichever view has the focus; a field being typed in keeps its arrows.

:class:`FileActions` is File ▸ Save / Save as / Open session and the Export
submenu (PNG, GIF, MP4, CSV, NPY, LaTeX, NumPy and PyTorch code), and asks
about unsaved changes on quit. Its dialogs are attributes, so tests replace
them with functions that answer at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QToolBar,
    QWidget,
)

from ..model import export
from ..model.files import (
    FILE_FILTER,
    SessionFileError,
    apply,
    atomic_write,
    read_session_file,
    save_session,
    with_suffix,
)
from ..model.lessons import (
    LessonError,
    LessonEvent,
    LessonPlayer,
    apply_learning_settings,
    available_lessons,
    load_lesson,
)
from .widgets.lesson_bar import LessonBar

if TYPE_CHECKING:
    from .main_window import MainWindow

#: What a presenter's clicker sends, and what each key does in a lesson.
NEXT_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_PageDown)
PREV_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_PageUp)
#: Widgets whose arrow keys belong to the text being typed.
_TYPING = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


def _typing_in(w: QObject | None) -> bool:
    if isinstance(w, _TYPING):
        return not (isinstance(w, (QTextEdit, QPlainTextEdit)) and w.isReadOnly())
    return isinstance(w, QComboBox) and w.isEditable()


# ===================================================================== lessons
class LessonController(QObject):
    """Runs one lesson at a time over the window's session and views."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.player: LessonPlayer | None = None
        #: Shows a problem to the user: (title, text). Tests replace it.
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(
            window, title, text
        )
        self.bar = LessonBar(window.style_)
        self.toolbar = QToolBar("Lesson", window)
        self.toolbar.setObjectName("lesson_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.addWidget(self.bar)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.toolbar.hide()
        self.bar.sig_next.connect(self.next)
        self.bar.sig_prev.connect(self.prev)
        self.bar.sig_goto.connect(self.goto)
        self.bar.sig_close.connect(self.close)
        self._build_menus()
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        window.destroyed.connect(self._forget_filter)

    def _forget_filter(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _build_menus(self) -> None:
        w = self.window
        self.menu_lessons = QMenu("&Lessons", w)
        for name in available_lessons():
            a = QAction(f"Lesson {name}", self.menu_lessons)
            a.triggered.connect(lambda _=False, n=name: self.open(n))
            self.menu_lessons.addAction(a)
        self.menu_lessons.addSeparator()
        self.act_end = QAction("&End lesson", self.menu_lessons)
        self.act_end.triggered.connect(self.close)
        self.act_end.setEnabled(False)
        self.menu_lessons.addAction(self.act_end)
        first = w.menu_file.actions()[0] if w.menu_file.actions() else None
        w.menu_file.insertMenu(first, self.menu_lessons)  # type: ignore[arg-type]
        w.menu_file.insertSeparator(first)  # type: ignore[arg-type]

        w.menu_view.addSeparator()
        self.act_bar = self.toolbar.toggleViewAction()
        self.act_bar.setText("&Lesson bar")
        w.menu_view.addAction(self.act_bar)
        self.act_hide_controls = QAction("&Hide controls", w, checkable=True)
        self.act_hide_controls.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.act_hide_controls.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.act_hide_controls.setToolTip("Only the pictures and the lesson: for projection")
        self.act_hide_controls.toggled.connect(self.set_controls_hidden)
        w.menu_view.addAction(self.act_hide_controls)
        w.addAction(self.act_hide_controls)

    # ---------------------------------------------------------- the lesson
    @property
    def active(self) -> bool:
        return self.player is not None

    def open(self, name: str) -> bool:
        """Load ``resources/lessons/<name>.toml`` and show its first slide; False on error."""
        try:
            lesson = load_lesson(name)
        except LessonError as exc:
            self.warn("The lesson cannot be opened", str(exc))
            return False
        if self.player is not None:
            self.player.changed.disconnect(self._on_event)
        self.player = LessonPlayer(lesson, self.window.session, apply_learning=self._apply_learning)
        self.player.changed.connect(self._on_event)
        self.bar.set_lesson(lesson)
        for view in self.window.views.values():  # the class needs the grids, not the tools
            fold = getattr(view, "set_tools_visible", None)
            if callable(fold):
                fold(False)
        self.toolbar.show()
        self.act_end.setEnabled(True)
        self.player.start()
        return True

    def close(self) -> None:
        """End the lesson: the bar goes, the session stays as it is for free exploring."""
        if self.player is None:
            return
        self.player.changed.disconnect(self._on_event)
        self.player = None
        self.toolbar.hide()
        self.act_end.setEnabled(False)
        hide = getattr(self.window.session, "set_hidden", None)
        if callable(hide):
            hide(frozenset())

    def next(self) -> None:
        if self.player is not None:
            self._pause_views()
            self.player.next()

    def prev(self) -> None:
        if self.player is not None:
            self._pause_views()
            self.player.prev()

    def goto(self, index: int) -> None:
        if self.player is not None:
            self._pause_views()
            self.player.goto(index)

    def _pause_views(self) -> None:
        for key in ("window", "learn"):
            view = self.window.views.get(key)
            pause = getattr(view, "pause", None)
            if callable(pause):
                pause()

    def _apply_learning(self, session, spec, fresh_run: bool) -> None:
        """The slide's learning settings, then the learning view takes them up."""
        apply_learning_settings(session, spec, fresh_run)
        view = self.window.views.get("learn")
        if view is None:
            return
        # The view keeps its own handle on the run and shows the settings in its
        # form; make it take the new settings and a fresh run from the model.
        view.run = None  # type: ignore[attr-defined]
        view.ensure_run()  # type: ignore[attr-defined]
        show = getattr(view, "_show_settings", None)
        if callable(show):
            show(session.learning.settings)

    def _on_event(self, ev: LessonEvent) -> None:
        assert self.player is not None
        self.bar.show_event(ev, self.player.n_slides)
        if ev.kind != "slide":
            return
        if ev.state.view in self.window.views:
            self.window.show_view(ev.state.view)
        if ev.state.playing and ev.build == 0:
            play = getattr(self.window.views.get("window"), "play", None)
            if callable(play):
                play()
        if ev.state.train and ev.build == 0:
            train = getattr(self.window.views.get("learn"), "train", None)
            if callable(train):
                train()

    # --------------------------------------------------------------- keys
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        t = event.type()
        if self.player is None or t not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key not in NEXT_KEYS and key not in PREV_KEYS:
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if not isinstance(obj, QWidget) or obj.window() is not self.window:
            return False
        if _typing_in(obj) or _typing_in(QApplication.focusWidget()):
            return False
        if t == QEvent.Type.ShortcutOverride:
            event.accept()  # the lesson, not the view's own shortcut, gets this key
            return True
        if key in NEXT_KEYS:
            self.next()
        else:
            self.prev()
        return True

    # ---------------------------------------------------------- projection
    def set_controls_hidden(self, hidden: bool) -> None:
        """Hide what a class does not need to see: tabs, status bar, each view's controls."""
        w = self.window
        w.tabs.tabBar().setVisible(not hidden)
        w.statusBar().setVisible(not hidden)
        for view in w.views.values():
            fn = getattr(view, "set_controls_visible", None)
            if callable(fn):
                fn(not hidden)
        if self.act_hide_controls.isChecked() != hidden:
            self.act_hide_controls.setChecked(hidden)


# ======================================================================= files
class FileActions(QObject):
    """File ▸ Save/Open session and Export; the unsaved-changes question on quit."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.path: Path | None = None
        self._last_dir = ""
        self._close_ok = False
        self._user_close = False
        # Dialogs, replaceable by tests: each answers at once there.
        self.get_save_path: Callable[[str, str, str], str] = self._save_dialog
        self.get_open_path: Callable[[str, str], str] = self._open_dialog
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(
            window, title, text
        )
        self.ask_unsaved: Callable[[Callable[[str], None]], None] = self._ask_unsaved_dialog
        self._build_menus()
        self.session.changed.connect(self._on_session_changed)
        self._update_title()

    # ------------------------------------------------------------- menus
    def _build_menus(self) -> None:
        w = self.window
        m = w.menu_file

        def act(text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
            a = QAction(text, w)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
                a.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            if tip:
                a.setToolTip(tip)
                a.setStatusTip(tip)
            a.triggered.connect(lambda _=False: slot())
            w.addAction(a)  # shortcuts work with the menu bar hidden too
            return a

        self.act_open = act("&Open session…", self.open, "Ctrl+Shift+O")
        self.act_save = act("&Save session", self.save, "Ctrl+S")
        self.act_save_as = act("Save session &as…", self.save_as, "Ctrl+Shift+S")
        self.menu_export = QMenu("&Export", w)
        e = self.menu_export
        self.act_png = act("View as &PNG…", self.export_png)
        self.act_gif = act("Animation as &GIF…", self.export_gif)
        mp4 = "Animation as &MP4…" if export.mp4_available() else "Animation as MP4 (needs ffmpeg)…"
        self.act_mp4 = act(mp4, self.export_mp4)
        self.act_csv = act("Grids as &CSV…", lambda: self.export_grids(".csv"))
        self.act_npy = act("Grids as &NumPy .npy…", lambda: self.export_grids(".npy"))
        self.act_latex = act(
            "Arithmetic as &LaTeX (copy)", self.copy_latex, tip="The current step's sum"
        )
        self.act_np_copy = act("NumPy code (&copy)", lambda: self.copy_code("numpy"))
        self.act_torch_copy = act("PyTorch code (c&opy)", lambda: self.copy_code("torch"))
        self.act_np_file = act("NumPy code as a .py &file…", lambda: self.save_code("numpy"))
        self.act_torch_file = act("PyTorch code as a .py fi&le…", lambda: self.save_code("torch"))
        e.addActions([self.act_png, self.act_gif, self.act_mp4])
        e.addSeparator()
        e.addActions([self.act_csv, self.act_npy])
        e.addSeparator()
        e.addActions([self.act_latex, self.act_np_copy, self.act_torch_copy])
        e.addActions([self.act_np_file, self.act_torch_file])
        # File ▸ Quit is a person asking to leave: it asks about unsaved changes (as does
        # the window's close button); a close() from code, such as a test's, does not.
        self.act_quit = next((a for a in m.actions() if "Quit" in a.text()), None)
        if self.act_quit is not None:
            self.act_quit.triggered.disconnect()
            self.act_quit.triggered.connect(lambda _=False: self.request_quit())
        first = m.actions()[0] if m.actions() else None
        for a in (self.act_open, self.act_save, self.act_save_as):
            m.insertAction(first, a)  # type: ignore[arg-type]
        m.insertMenu(first, self.menu_export)  # type: ignore[arg-type]
        m.insertSeparator(first)  # type: ignore[arg-type]

    # ------------------------------------------------------------ dialogs
    def _start_dir(self, name: str) -> str:
        base = self._last_dir or (str(self.path.parent) if self.path else str(Path.home()))
        return str(Path(base) / name) if name else base

    def _save_dialog(self, caption: str, name: str, filt: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self.window, caption, self._start_dir(name), filt)
        return path

    def _open_dialog(self, caption: str, filt: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self.window, caption, self._start_dir(""), filt)
        return path

    def _ask_unsaved_dialog(self, answer: Callable[[str], None]) -> None:
        """Save / Discard / Cancel, as a window-modal sheet; ``answer`` gets the choice."""
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved changes")
        box.setText("The session has changes that are not saved.")
        box.setInformativeText("Save them before quitting?")
        sb = QMessageBox.StandardButton
        box.setStandardButtons(sb.Save | sb.Discard | sb.Cancel)
        box.setDefaultButton(sb.Save)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        names = {sb.Save: "save", sb.Discard: "discard", sb.Cancel: "cancel"}

        def done(_: int) -> None:
            answer(names.get(box.standardButton(box.clickedButton()), "cancel"))
            box.deleteLater()

        box.finished.connect(done)
        box.open()  # not exec(): the event loop goes on, and so do tests

    def _status(self, text: str) -> None:
        status = getattr(self.window, "status", None)
        if status is not None:
            status.setText(text)

    def _view_key(self) -> str | None:
        return self.window.current_view_key()

    # ------------------------------------------------------------ session
    def save(self) -> bool:
        """Save to the session's file (asking for one the first time); True if saved."""
        if self.path is None:
            return self.save_as()
        return self._save_to(self.path)

    def save_as(self) -> bool:
        name = self.path.name if self.path else "session.convviz.json"
        path = self.get_save_path("Save session", name, FILE_FILTER)
        if not path:
            return False
        return self._save_to(with_suffix(path))

    def _save_to(self, path: Path) -> bool:
        try:
            save_session(self.session, path, view=self._view_key())
        except SessionFileError as exc:
            self.warn("The session was not saved", str(exc))
            return False
        self.path = Path(path)
        self._last_dir = str(self.path.parent)
        self._update_title()
        self._status(f"Saved {self.path.name}.")
        return True

    def open(self, path: str | Path | None = None) -> bool:
        """Open a session file (a dialog when no path); the open session stays on error."""
        if path is None:
            path = self.get_open_path("Open session", FILE_FILTER)
            if not path:
                return False
        p = Path(path)
        try:
            data = read_session_file(p)  # validated before anything changes
        except SessionFileError as exc:
            self.warn("The session cannot be opened", str(exc))
            return False
        lessons = getattr(self.window, "lessons", None)
        if lessons is not None:
            lessons.close()
        apply(self.session, data)
        if data.view and data.view in self.window.views:
            self.window.show_view(data.view)
        self.path = p
        self._last_dir = str(p.parent)
        self._update_title()
        note = " " + " ".join(data.warnings) if data.warnings else ""
        self._status(f"Opened {p.name}.{note}")
        return True

    def _on_session_changed(self, parts: frozenset) -> None:
        self.window.setWindowModified(self.session.modified)

    def _update_title(self) -> None:
        name = self.path.name if self.path else "untitled"
        self.window.setWindowTitle(f"{name}[*] — convviz — Convolutions for Images (D2L 6.2)")
        self.window.setWindowModified(self.session.modified)

    def request_quit(self) -> None:
        """File ▸ Quit: close the window, asking first if there are unsaved changes."""
        self._user_close = True
        try:
            self.window.close()
        finally:
            self._user_close = False

    def confirm_close(self, event: QEvent) -> bool:
        """From closeEvent: True to close now; False (event ignored) to wait or stay open.

        Asks only when a person closes the window (its close button, or File ▸
        Quit) with unsaved changes.
        """
        by_user = event.spontaneous() or self._user_close
        if self._close_ok or not self.session.modified or not by_user:
            return True
        now: list[str] = []
        asking = True

        def answer(choice: str) -> None:
            if asking:  # answered at once (tests)
                now.append(choice)
            elif self._resolve(choice):  # the sheet was answered later
                self._close_ok = True
                self.window.close()
                self._close_ok = False

        self.ask_unsaved(answer)
        asking = False
        if now and self._resolve(now[0]):
            return True
        event.ignore()
        return False

    def _resolve(self, choice: str) -> bool:
        if choice == "save":
            return self.save()
        return choice == "discard"

    # ------------------------------------------------------------- export
    def _ask_path(self, caption: str, name: str, filt: str, suffix: str) -> Path | None:
        path = self.get_save_path(caption, name, filt)
        if not path:
            return None
        p = Path(path)
        if p.suffix.lower() != suffix:
            p = p.with_name(p.name + suffix)
        self._last_dir = str(p.parent)
        return p

    def _run(self, what: str, fn: Callable[[], str]) -> bool:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            message = fn()
        except (ValueError, OSError, export.ExportUnavailable) as exc:
            QApplication.restoreOverrideCursor()
            self.warn(f"{what} failed", str(exc))
            return False
        QApplication.restoreOverrideCursor()
        self._status(message)
        return True

    def export_png(self) -> bool:
        view = self.window.current_view()
        p = self._ask_path("Export the view as PNG", "view.png", "PNG images (*.png)", ".png")
        if p is None or view is None:
            return False

        def go() -> str:
            if not view.grab().save(str(p), "PNG"):
                raise OSError(f"“{p.name}” could not be written.")
            return f"Saved {p.name}."

        return self._run("Export", go)

    def export_gif(self) -> bool:
        p = self._ask_path("Export the animation as GIF", "animation.gif", "GIF (*.gif)", ".gif")
        if p is None:
            return False
        return self._run(
            "Export", lambda: f"Saved {p.name}: {export.save_gif(self.session, p)} frames."
        )

    def export_mp4(self) -> bool:
        if not export.mp4_available():
            self.warn("MP4 is not available", export.MP4_UNAVAILABLE)
            return False
        p = self._ask_path("Export the animation as MP4", "animation.mp4", "MP4 (*.mp4)", ".mp4")
        if p is None:
            return False
        return self._run(
            "Export", lambda: f"Saved {p.name}: {export.save_mp4(self.session, p)} frames."
        )

    def export_grids(self, suffix: str) -> bool:
        kind = "CSV" if suffix == ".csv" else "NumPy"
        p = self._ask_path(
            f"Export the grids as {kind} (one file each: -input, -kernel, -output)",
            f"grids{suffix}",
            f"{kind} (*{suffix})",
            suffix,
        )
        if p is None:
            return False

        def go() -> str:
            paths = export.export_grids(self.session, p)
            return "Saved " + ", ".join(x.name for x in paths) + "."

        return self._run("Export", go)

    def _copy(self, what: str, fn: Callable[[], str]) -> bool:
        def go() -> str:
            QGuiApplication.clipboard().setText(fn())
            return f"{what} copied to the clipboard."

        return self._run("Copy", go)

    def copy_latex(self) -> bool:
        return self._copy("The arithmetic (LaTeX)", lambda: export.session_latex(self.session))

    def _code(self, which: str) -> str:
        fn = export.numpy_snippet if which == "numpy" else export.pytorch_snippet
        return fn(self.session)

    def copy_code(self, which: str) -> bool:
        name = "NumPy" if which == "numpy" else "PyTorch"
        return self._copy(f"The {name} code", lambda: self._code(which))

    def save_code(self, which: str) -> bool:
        name = "scene_numpy.py" if which == "numpy" else "scene_torch.py"
        p = self._ask_path("Save the code", name, "Python (*.py)", ".py")
        if p is None:
            return False

        def go() -> str:
            atomic_write(p, self._code(which).encode("utf-8"))
            return f"Saved {p.name}."

        return self._run("Export", go)
