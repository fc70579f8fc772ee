"""The main window: views in tabs, menus and shortcuts. Wiring only.

Each view is a widget in :mod:`convviz.gui.widgets` that renders part of the
shared :class:`~convviz.model.Session`; this module places them, builds the
menus, remembers the window state and starts the engine warm-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QTabWidget,
    QWidget,
)

from ..model import Session
from .presenting import Presenting
from .stage import Stage
from .style import THEME_LABELS, Style
from .view import View
from .widgets.drops import ImageDrops

if TYPE_CHECKING:
    from .workers import Task


#: Views that get a hidden copy to draw the next slide into when it shows the same view
#: (see MainWindow.understudy): the sliding window and the edge maps, whose slides
#: follow one another. (The learning view traces the next run's surface instead; the
#: matrix view's slides are apart.)
UNDERSTUDIED = frozenset({"window", "edges"})


class MainWindow(ImageDrops, QMainWindow):
    """Holds the session, the style and the views; owns no arithmetic."""

    def __init__(
        self,
        *,
        session: Session | None = None,
        zoom: int | None = None,
        theme: str | None = None,
        reset_settings: bool = False,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        if reset_settings:
            self.settings.clear()
        self.session = session if session is not None else Session()
        saved_zoom = int(self.settings.value("zoom", 100))
        saved_theme = str(self.settings.value("theme", "light"))
        self.style_ = Style(
            zoom=zoom if zoom is not None else saved_zoom,
            theme=theme if theme is not None else saved_theme,
        )
        # Zoom and theme given for this launch (the command line) are not
        # remembered until the user changes them in the window.
        self._launch_only: dict[str, object] = {"zoom": zoom, "theme": theme}
        self.engine_ready = False
        self.warm_up: Task | None = None  # the engine's warm-up while it runs
        self.setWindowTitle("convviz — Convolutions for Images (D2L 6.2)")

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.views: dict[str, View] = {}  # by the key a lesson slide names
        self.stages: dict[str, Stage] = {}
        # Hidden copies of some views, made when first needed (see understudy), and
        # what the views were last told to show of their tools and controls.
        self._understudies: dict[str, tuple[Stage, View]] = {}
        self._shown_parts: dict[str, bool] = {}
        self._build_views()
        self._build_menus()
        self.status = QLabel("")
        self._engine_compiled = 0  # loops the warm-up had to compile (not load)
        self.statusBar().addWidget(self.status, 1)
        from .file_actions import FileActions
        from .lesson_controller import LessonController

        self.files = FileActions(self)  # File ▸ Save / Open session, Export
        self.lessons = LessonController(self)  # File ▸ Lessons, the lesson bar, the clicker
        self.presenting = Presenting(self)  # F5 / Esc: only the stage and the slide's words
        # (a slide's picture, drawn with or without the chrome, goes when that changes)
        self.presenting.sig_changed.connect(lambda _on: self.lessons.cover.take_down(paint=False))
        self.presenting.sig_blanked.connect(lambda _on: self.lessons.cover.take_down(paint=False))
        from .presenter_console import ConsoleController

        self.console = ConsoleController(self)  # F6: the presenter console; F7 swaps screens

        geom = self.settings.value("geometry")
        if isinstance(geom, QByteArray) and not geom.isEmpty():
            self.restoreGeometry(geom)
        else:  # first launch: most of the screen, for projection
            avail = self.screen().availableGeometry()
            self.resize(max(1280, avail.width() * 9 // 10), max(800, avail.height() * 9 // 10))
        self.style_.apply()

    # ------------------------------------------------------------- views
    def _build_views(self) -> None:
        """Create each view on its own stage; the lesson drives the typed ones by name."""
        from .widgets.edge_view import EdgeView
        from .widgets.learn_view import LearnView
        from .widgets.matrix_view import MatrixView
        from .widgets.window_view import WindowView

        stages = {key: Stage(self.style_) for key in ("window", "edges", "learn", "matrix")}
        self.window_view = WindowView(self.session, stages["window"].stage_style)
        self.edge_view = EdgeView(self.session, stages["edges"].stage_style)
        self.learn_view = LearnView(self.session, stages["learn"].stage_style)
        self.matrix_view = MatrixView(self.session, stages["matrix"].stage_style)
        self.add_view("window", "Sliding window", self.window_view, stages["window"])
        self.add_view("edges", "Edge maps", self.edge_view, stages["edges"])
        self.add_view("learn", "Learning", self.learn_view, stages["learn"])
        self.add_view("matrix", "As a matrix", self.matrix_view, stages["matrix"])

    def add_view(self, key: str, title: str, view: View, stage: Stage | None = None) -> None:
        """Add a view (a QWidget that is a :class:`View`) on its own stage, which scales it
        to the tab's area (never beyond)."""
        if not isinstance(view, QWidget):
            raise TypeError(f"the view {key!r} is a {type(view).__name__}, not a QWidget")
        if stage is None:
            stage = Stage(self.style_)
        stage.set_content(view)
        self.views[key] = view
        self.stages[key] = stage
        self.tabs.addTab(stage, title)

    def show_view(self, key: str) -> None:
        if key not in self.views:
            raise ValueError(f"No view {key!r}; choose from {', '.join(self.views)}")
        new = self.stages[key]
        old = self.tabs.currentWidget()
        if new is old:
            return
        if isinstance(old, Stage) and old.isVisible():
            # A hidden page keeps the size it had when last shown; Qt shows it at that
            # size and resizes it at the next layout pass (the lesson bar's new height):
            # fitted twice, 6-12 ms each at 4K. Given the area it will have, it is
            # fitted once, on its show.
            with old.leaving():
                old.settle_window()
                if new.geometry() != old.geometry():
                    new.setGeometry(old.geometry())
                self.tabs.setCurrentWidget(new)
            return
        self.tabs.setCurrentWidget(new)

    def prepare_views(self) -> None:
        """Fit the views not shown yet to the current one's area, while the app is idle:
        a view's first fit restyles all of it at the stage's scale (the learning view:
        50 ms of its first 220 ms slide change at 4K), and then its first slide need not."""
        cur = self.current_stage()
        if cur is None or not cur.isVisible():
            return
        for key, stage in self.stages.items():
            if stage is not cur:
                stage.prepare(self.area_for(key))

    def set_views_tools_visible(self, on: bool) -> None:
        """Every view (and understudy) shows or folds its editing tools."""
        self._shown_parts["tools"] = on
        for view in self._all_views():
            view.set_tools_visible(on)

    def set_views_controls_visible(self, on: bool) -> None:
        """Every view (and understudy) shows or hides its controls (presenting)."""
        self._shown_parts["controls"] = on
        for view in self._all_views():
            view.set_controls_visible(on)

    def shown_parts(self) -> tuple[tuple[str, bool], ...]:
        """What the views were last told to show of their tools and controls."""
        return tuple(sorted(self._shown_parts.items()))

    def show_parts_as_views_do(self, view: View) -> None:
        """Show or hide ``view``'s tools and controls as the views were last told to (a
        hidden copy of a view, made later)."""
        if "tools" in self._shown_parts:
            view.set_tools_visible(self._shown_parts["tools"])
        if "controls" in self._shown_parts:
            view.set_controls_visible(self._shown_parts["controls"])

    def _all_views(self) -> list[View]:
        return [*self.views.values(), *(v for _s, v in self._understudies.values())]

    def understudy(self, key: str) -> tuple[Stage, View] | None:
        """A hidden copy of view ``key`` on a stage of its own, for :data:`UNDERSTUDIED`
        views (else None); made on the first call.

        A view on screen cannot be drawn into ahead of the click that changes what it
        shows (the next slide of the same view). The lesson draws that slide into this
        copy instead: its stage shares the real stage's label images and remembered
        fits, and the digits and maps it paints go to the caches every view reads, so
        the click finds them made (slide 7 of the lesson, the edge maps after the edge
        maps, first walk at 4K: 61-70 ms of CPU, 28-32 with the copy drawn ahead). It shows
        only previews, never the session, and is never shown.
        """
        if key not in UNDERSTUDIED:
            return None
        made = self._understudies.get(key)
        if made is not None:
            return made
        from .widgets.edge_view import EdgeView
        from .widgets.window_view import WindowView

        stage = Stage(self.style_, self, twin_of=self.stages[key])
        stage.hide()
        cls = WindowView if key == "window" else EdgeView
        view = cls(Session(), stage.stage_style)
        stage.set_content(view)
        self.show_parts_as_views_do(view)
        self._understudies[key] = (stage, view)
        return stage, view

    def area_for(self, key: str) -> QRect:
        """The area the stage of view ``key`` will have when shown: the current stage's,
        less the lesson bar's growth for that view (it has a height per view, from its
        tallest caption and answer)."""
        cur = self.current_stage()
        area = cur.geometry() if cur is not None else self.stages[key].geometry()
        area.setTop(area.top() + self.lessons.bar.height_change_for(key))
        return area

    def current_stage(self) -> Stage | None:
        page = self.tabs.currentWidget()
        return page if isinstance(page, Stage) else None

    def current_view(self) -> QWidget | None:
        """The view on the current tab (not its stage)."""
        page = self.tabs.currentWidget()
        return page.content if isinstance(page, Stage) else page

    def current_view_key(self) -> str | None:
        cur = self.current_view()
        return next((k for k, v in self.views.items() if v is cur), None)

    def open_lesson(self, name: str) -> bool:
        """Start ``resources/lessons/<name>.toml``; a message says why if it cannot."""
        return self.lessons.open(name)

    # ------------------------------------------------------------- menus
    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.menu_file = mb.addMenu("&File")
        self.menu_edit = mb.addMenu("&Edit")
        self.menu_view = mb.addMenu("&View")

        # pictures for the edge maps; drops go there too
        self.act_open_image = QAction("Open &image…", self, shortcut=QKeySequence("Ctrl+O"))
        self.act_open_image.triggered.connect(lambda: self.open_image())
        self.menu_file.addAction(self.act_open_image)
        self.menu_file.addSeparator()
        self.setAcceptDrops(True)

        quit_ = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_.triggered.connect(self.close)
        self.menu_file.addAction(quit_)

        self.act_undo = QAction("&Undo", self, shortcut=QKeySequence.StandardKey.Undo)
        self.act_undo.triggered.connect(self.session.undo)
        self.act_redo = QAction("&Redo", self)
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_redo.triggered.connect(self.session.redo)
        self.menu_edit.addActions([self.act_undo, self.act_redo])
        self.session.changed.connect(self._on_session_changed)
        self._on_session_changed(frozenset())

        zin = QAction("Zoom &in", self)
        zin.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        zin.triggered.connect(self.style_.zoom_in)
        zout = QAction("Zoom &out", self, shortcut=QKeySequence("Ctrl+-"))
        zout.triggered.connect(self.style_.zoom_out)
        zreset = QAction("&Actual size", self, shortcut=QKeySequence("Ctrl+0"))
        zreset.triggered.connect(lambda: self.style_.set_zoom(100))
        self.menu_view.addActions([zin, zout, zreset])
        self.menu_view.addSeparator()
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name, label in THEME_LABELS.items():
            a = QAction(f"{label} theme", self, checkable=True)
            a.setChecked(self.style_.theme.name == name)
            a.triggered.connect(lambda _=False, n=name: self.style_.set_theme(n))
            group.addAction(a)
            self.theme_actions[name] = a
            self.menu_view.addAction(a)
        self.menu_view.addSeparator()
        self.act_fullscreen = QAction("&Full screen", self, checkable=True)
        self.act_fullscreen.setShortcuts([QKeySequence("F11"), QKeySequence("Ctrl+Shift+F")])
        self.act_fullscreen.triggered.connect(self.toggle_fullscreen)
        self.menu_view.addAction(self.act_fullscreen)
        for a in (zin, zout, zreset, self.act_fullscreen, self.act_undo, self.act_redo):
            a.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.style_.sig_changed.connect(self._on_style_changed)

    def open_image(self, path: str | None = None) -> None:
        """File ▸ Open image…: show the edge maps and read a picture (a dialog if no path)."""
        self.show_view("edges")
        self.edge_view.open_image(path)

    def toggle_fullscreen(self) -> None:
        if self.presenting.active:  # F11 while presenting ends the presentation
            self.presenting.stop()
            return
        if self.isFullScreen():
            self.showNormal()
        else:
            self.enter_fullscreen()
        self.act_fullscreen.setChecked(self.isFullScreen())

    def enter_fullscreen(self) -> None:
        """Full screen even without a window manager (a bare X server, some projectors)."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is not None:
            self.setGeometry(screen.geometry())
        self.showFullScreen()
        self.act_fullscreen.setChecked(True)

    def set_presenting_chrome(self, on: bool) -> None:
        """Presenting (see :mod:`.presenting`): no menu, tabs, status bar or view controls."""
        self.menuBar().setVisible(not on)
        self.lessons.set_presenting(on)
        if on:
            self.tabs.tabBar().setVisible(False)
            self.statusBar().setVisible(False)
            self.set_views_controls_visible(False)
        else:  # back to what View ▸ Hide controls says
            self.lessons.set_controls_hidden(self.lessons.act_hide_controls.isChecked())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.lessons.bar.set_window_height(self.height())

    # ---------------------------------------------------------- handlers
    def _on_session_changed(self, parts: frozenset) -> None:
        self.act_undo.setEnabled(self.session.can_undo)
        self.act_redo.setEnabled(self.session.can_redo)

    def _on_style_changed(self) -> None:
        for name, a in self.theme_actions.items():
            a.setChecked(self.style_.theme.name == name)
        self._remember_style()

    def _remember_style(self) -> None:
        """Keep zoom and theme for the next launch, except a value given for this launch
        only that the user has not changed in the window since."""
        for key, value in (("zoom", self.style_.zoom), ("theme", self.style_.theme.name)):
            if self._launch_only.get(key) == value:
                continue
            self._launch_only[key] = None  # changed in the window: remembered from now on
            self.settings.setValue(key, value)

    # ------------------------------------------------------------ engine
    def start_engine(self) -> None:
        """Warm the engine up on a worker thread; the status bar says when it is ready."""
        from ..engine._jit import cache_is_warm
        from .app import start_warm_up

        if cache_is_warm() is False:  # numba's cache is empty or stale: say so, once
            self.status.setText(
                "Compiling the engine for this computer (once, 5–20 s); the window works meanwhile."
            )
        else:
            self.status.setText("Loading the engine…")
        self.warm_up = start_warm_up(
            self, self._on_engine_ready, self._on_engine_failed, self._on_engine_progress
        )

    def _on_engine_progress(self, done: int, total: int, how: str) -> None:
        if how == "compiled":
            self._engine_compiled += 1
            self.status.setText(
                f"Compiling the engine for this computer (once): {done} of {total} parts done; "
                "the window works meanwhile."
            )

    def _on_engine_ready(self, seconds: float) -> None:
        self.engine_ready = True
        if self._engine_compiled:
            self.status.setText(
                f"Engine compiled in {seconds:.0f} s; later launches load it at once. "
                "Space plays, → steps."
            )
        else:
            self.status.setText("Engine ready. Space plays, → steps.")

    def _on_engine_failed(self, message: str) -> None:
        self.status.setText(f"The engine failed to start: {message}")

    def stop_engine_warm_up(self) -> None:
        """End the warm-up before the window goes away.

        This waits, with no time limit, but only for the loop being compiled
        now: the warm-up stops before the next one (at most a few seconds on a
        first launch), and nothing is destroyed while it runs.
        """
        task = self.warm_up
        if task is None or not task.running:
            return
        task.cancel()
        task.wait()

    def closeEvent(self, event) -> None:
        if not self.files.confirm_close(event):  # unsaved changes: Save / Discard / Cancel
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self._remember_style()
        self.stop_engine_warm_up()
        super().closeEvent(event)
