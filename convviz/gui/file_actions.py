"""File ▸ Save / Save as / Open session and the Export submenu (wiring only).

Export covers PNG, GIF, MP4, CSV, NPY, LaTeX, NumPy and PyTorch code; on
quit it asks about unsaved changes. Its dialogs are attributes, so tests
replace them with functions that answer at once. The work itself (files,
exports) is done by the Qt-free :mod:`convviz.model`.

Opening a session (which may read a picture) and exporting an animation run
on a worker thread behind a progress dialog with Cancel; :attr:`FileActions.task`
is the one running, if any. Every failure, of whatever kind, is shown in a
dialog, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMenu,
    QMessageBox,
    QProgressDialog,
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
from .workers import Task, run_in_thread, run_with_progress

if TYPE_CHECKING:
    from .main_window import MainWindow


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
        self.task: Task | None = None  # the open or export running on a worker, if any
        self.progress: QProgressDialog | None = None
        self._cancel_task: Callable[[], None] = lambda: None
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
        mp4 = "Animation as &MP4…" if export.mp4_available() else "Animation as MP4 (needs PyAV)…"
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
        self.window.status.setText(text)

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

    @property
    def busy(self) -> bool:
        """True while an open or an export runs on the worker."""
        return self.task is not None

    def open(self, path: str | Path | None = None) -> bool:
        """Open a session file (a dialog when no path); True if reading started.

        The file is read and validated on a worker (it may name a picture to
        decode) and applied on the GUI thread only when all of it is good; on
        an error or Cancel the open session stays as it was.
        """
        if path is None:
            path = self.get_open_path("Open session", FILE_FILTER)
            if not path:
                return False
        if self.busy:
            self.warn("Busy", "Wait for the file being read or written, or cancel it.")
            return False
        p = Path(path)
        task = run_in_thread(read_session_file, p, name="read_session_file")
        self._watch(task, f"Reading {p.name}…", "The session cannot be opened", p)
        task.sig_done.connect(lambda data: self._apply_opened(p, data))
        return True

    def _apply_opened(self, p: Path, data) -> None:
        self.window.lessons.close()
        apply(self.session, data)
        if data.view and data.view in self.window.views:
            self.window.show_view(data.view)
        self.path = p
        self._last_dir = str(p.parent)
        self._update_title()
        note = " " + " ".join(data.warnings) if data.warnings else ""
        self._status(f"Opened {p.name}.{note}")

    def _watch(self, task: Task, label: str, failed: str, path: Path) -> None:
        """Show ``task``'s progress with Cancel; report its failure in a dialog."""
        self.task = task
        dlg = QProgressDialog(label, "Cancel", 0, 0, self.window)
        dlg.setWindowTitle("convviz")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(300)  # quick ones never flash a dialog
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        self.progress = dlg

        def progress(done: int, total: int) -> None:
            dlg.setMaximum(total)
            dlg.setValue(min(done, total - 1))  # reaching the maximum would close it early

        def finish() -> None:
            if self.task is task:
                self.task = None
                self.progress = None
            dlg.reset()
            dlg.hide()
            dlg.deleteLater()

        def cancelled() -> None:
            if self.task is not task:
                return
            task.cancel()
            finish()
            self._status(f"Cancelled: {path.name} was left as it was.")

        def failed_with(exc: BaseException) -> None:
            finish()
            self.warn(failed, describe_error(exc, path))

        self._cancel_task = cancelled
        dlg.canceled.connect(cancelled)
        task.sig_progress.connect(progress)
        task.sig_failed.connect(failed_with)
        task.sig_done.connect(lambda _: finish())

    def cancel(self) -> None:
        """Cancel the running open or export (as its dialog's Cancel button does)."""
        self._cancel_task()

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
        """Quick work (text, small files) on the GUI thread; any failure becomes a dialog."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            message = fn()
        except Exception as exc:
            QApplication.restoreOverrideCursor()
            self.warn(f"{what} failed", describe_error(exc))
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
        """Ask for a file, then write the animation as GIF on a worker; True if started."""
        return self._export_animation("GIF", export.save_gif)

    def export_mp4(self) -> bool:
        """The same as MP4 (needs PyAV, the ``mp4`` extra)."""
        if not export.mp4_available():
            self.warn("MP4 is not available", export.MP4_UNAVAILABLE)
            return False
        return self._export_animation("MP4", export.save_mp4)

    def _export_animation(self, kind: str, save: Callable[..., int], **options: object) -> bool:
        if self.busy:
            self.warn("Busy", "Wait for the file being read or written, or cancel it.")
            return False
        try:  # the scene is captured now: the worker never reads the live session
            scene = export.AnimationScene.of(self.session)
            n = scene.n_frames
            if n > export.MAX_FRAMES:
                raise ValueError(
                    f"The animation would have {n} frames; at most {export.MAX_FRAMES} can be "
                    "exported. Use a smaller input, a larger stride or a larger kernel."
                )
        except ValueError as exc:
            self.warn("Export failed", str(exc))
            return False
        ext = "." + kind.lower()
        p = self._ask_path(
            f"Export the animation as {kind}", f"animation{ext}", f"{kind} (*{ext})", ext
        )
        if p is None:
            return False
        task = run_with_progress(save, scene, p, name=f"save_{kind.lower()}", **options)
        self._watch(task, f"Writing {p.name} ({n} frames)…", "Export failed", p)
        task.sig_done.connect(lambda count: self._status(f"Saved {p.name}: {count} frames."))
        return True

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


def describe_error(exc: BaseException, path: Path | None = None) -> str:
    """A failure as a sentence for a dialog: the model's own message, else what and where."""
    if isinstance(exc, OSError) and not isinstance(exc, export.ExportUnavailable):
        where = Path(exc.filename).name if exc.filename else (path.name if path else "")
        why = exc.strerror or str(exc)
        return f"“{where}” could not be written or read: {why}." if where else f"{why}."
    if isinstance(exc, (ValueError, export.ExportUnavailable)):
        return str(exc)
    where = f" with “{path.name}”" if path else ""
    return f"Something went wrong{where}: {type(exc).__name__}: {exc}"
