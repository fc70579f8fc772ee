"""The presenter console: what the lecturer sees on the laptop while the projector shows the stage.

With two screens, presenting mode (F5) puts the main window's stage full
screen on the projector (the screen the window is not on, or the one chosen
here; F7 swaps) and :class:`PresenterConsole` full screen on the other: the
current slide small, what the next click will do (the next build, or the next
slide's title and grids), the presenter notes, the answer of a
predict-then-reveal slide while the class still predicts, a clock and the
time since the lesson started, and the slide list (a jump reaches the
projector only when chosen: Enter, double-click or "Show"). With one screen
the console is an ordinary window (View ▸ Presenter console, F6).

The console owns no lesson state: it reads the window's
:class:`~convviz.model.lessons.LessonPlayer` and
:class:`~convviz.model.Session` each time either changes, and every move it
asks for goes through the window's :class:`LessonController`. The clicker's
keys drive the lesson from the console too; a field being typed in keeps
its keys. Unplugging the projector brings the stage back to the remaining
screen at the same place in the lesson (:meth:`ConsoleController._on_screen_removed`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QScreen,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..model.lessons import STEPPING_VIEWS, LessonPlayer
from ..model.values import display_number, step_text
from .app_events import AppEventFilter, plain_key, take_key

if TYPE_CHECKING:
    from .main_window import MainWindow

#: What each "hide" keeps from the class, in the console's words.
HIDE_WORDS = {
    "result": "the result of this step",
    "output": "the whole output",
    "edge-map": "the edge maps with K",
    "edge-map-t": "the edge maps with Kᵀ",
    "answer": "the answer",
}
#: While the session changes on its own (a playing animation), the slide
#: thumbnail is grabbed at most this often (a grab of a 1280×800 stage: 13-33 ms).
THUMB_MS = 400
#: After a click, the thumbnail follows this soon (once the stage has redrawn).
THUMB_CLICK_MS = 40
#: A larger grid is summarised by its shape instead of drawn with numbers.
MINI_GRID_MAX = 12


def grid_text(a: np.ndarray) -> str:
    """Rows of numbers, for an answer or a grid too big to draw."""
    if max(a.shape) > MINI_GRID_MAX:
        return f"{a.shape[0]}×{a.shape[1]} values"
    return "\n".join("  ".join(display_number(v, 3) for v in row) for row in a)


def next_click(player: LessonPlayer | None) -> str:
    """What the next click does, in words (the console's "Next" panel heading)."""
    if player is None:
        return "No lesson runs: File ▸ Lessons, or F5 to present."
    if player.hidden is not None:
        return f"Next click reveals {HIDE_WORDS.get(player.hidden, player.hidden)}."
    if player.builds_left > 0 and player.state.view in STEPPING_VIEWS:
        return "Next click steps the window one cell."
    if player.builds_left > 0:
        return "Next click is a build of this slide."
    if player.index + 1 < player.n_slides:
        return f"Next click: slide {player.index + 2} / {player.n_slides}."
    return "End of the lesson: the next click does nothing."


class MiniGrid(QWidget):
    """A small grid of numbers, custom painted (read at arm's length, not projected)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self._values: np.ndarray | None = None
        self._mark: frozenset[tuple[int, int]] = frozenset()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_values(
        self, values: np.ndarray | None, mark: frozenset[tuple[int, int]] = frozenset()
    ) -> None:
        """Show ``values``; the cells in ``mark`` (the next window) get an orange frame."""
        self._values = None if values is None else np.asarray(values, dtype=float)
        self._mark = mark
        self.setVisible(values is not None)
        self.updateGeometry()
        self.update()

    def values(self) -> np.ndarray | None:
        return self._values

    def marked(self) -> frozenset[tuple[int, int]]:
        return self._mark

    def _cell(self) -> int:
        return max(14, self.fontMetrics().horizontalAdvance("−00") + 8)

    def sizeHint(self) -> QSize:
        head = self.fontMetrics().height() + 4
        if self._values is None:
            return QSize(0, 0)
        r, c = self._values.shape
        if max(r, c) > MINI_GRID_MAX:
            return QSize(
                self.fontMetrics().horizontalAdvance(self.title + " 000×000") + 8, head * 2
            )
        cell = self._cell()
        w = max(c * cell, self.fontMetrics().horizontalAdvance(self.title)) + 2
        return QSize(w, head + r * cell + 2)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event) -> None:
        if self._values is None:
            return
        p = QPainter(self)
        pal = self.palette()
        fg = pal.color(pal.ColorRole.WindowText)
        head = self.fontMetrics().height() + 4
        p.setPen(fg)
        p.drawText(QRect(0, 0, self.width(), head), Qt.AlignmentFlag.AlignLeft, self.title)
        a = self._values
        if max(a.shape) > MINI_GRID_MAX:
            p.drawText(0, head + self.fontMetrics().ascent(), f"{a.shape[0]}×{a.shape[1]}")
            return
        cell = self._cell()
        lo, hi = float(a.min()), float(a.max())
        span = hi - lo or 1.0
        for (i, j), v in np.ndenumerate(a):
            rect = QRect(j * cell, head + i * cell, cell, cell)
            g = int(235 - 90 * (v - lo) / span)  # grey ramp, light to mid: numbers stay legible
            p.fillRect(rect, QColor(g, g, g))
            on = (i, j) in self._mark
            pen = QPen(QColor("#D55E00") if on else QColor("#888888"), 3 if on else 1)
            p.setPen(pen)
            p.drawRect(rect.adjusted(1, 1, -2, -2) if on else rect.adjusted(0, 0, -1, -1))
            p.setPen(QColor("#000000"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, display_number(v, 3))
        p.end()


class PresenterConsole(QWidget):
    """The console window; renders the window's lesson and asks its controller to move."""

    sig_projector_chosen = Signal(str)  # payload: the chosen projector screen's name

    def __init__(self, window: MainWindow) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.window_ = window
        self.setWindowTitle("convviz — presenter console")
        self.setObjectName("PresenterConsole")
        self._t0: float | None = None
        self._player_seen: LessonPlayer | None = None
        self._my_notes: dict[int, str] = {}
        self._note_slide: int | None = None
        self._grab_dirty = True

        big = QFont(self.font())
        big.setPointSizeF(max(big.pointSizeF(), 9) * 1.6)
        huge = QFont(big)
        huge.setPointSizeF(big.pointSizeF() * 1.5)
        huge.setBold(True)

        # top strip: counter, clock, elapsed, projector choice
        self.counter = QLabel()
        self.clock = QLabel()
        self.elapsed = QLabel()
        for lab in (self.counter, self.clock, self.elapsed):
            lab.setFont(huge)
        self.btn_reset = QPushButton("Restart timer")
        self.btn_reset.clicked.connect(self.restart_timer)
        self.screens = QComboBox()
        self.screens.setToolTip("The screen the class sees (F7 swaps)")
        self.screens.activated.connect(
            lambda i: self.sig_projector_chosen.emit(str(self.screens.itemData(i)))
        )
        top = QHBoxLayout()
        top.addWidget(self.counter)
        top.addStretch(1)
        top.addWidget(QLabel("Projector:"))
        top.addWidget(self.screens)
        top.addStretch(1)
        top.addWidget(self.clock)
        top.addSpacing(24)
        top.addWidget(self.elapsed)
        top.addWidget(self.btn_reset)

        # left: the current slide, small, as the class sees it
        self.now_title = QLabel()
        self.now_title.setFont(big)
        self.now_title.setWordWrap(True)
        self.thumb = QLabel()
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setMinimumSize(320, 180)
        self.thumb.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.thumb.setStyleSheet("background: #202020;")

        # right: what the next click does
        self.next_what = QLabel()
        self.next_what.setFont(big)
        self.next_what.setWordWrap(True)
        self.next_detail = QLabel()
        self.next_detail.setWordWrap(True)
        self.next_detail.setFont(big)
        self.next_detail.setTextFormat(Qt.TextFormat.PlainText)
        self.next_input = MiniGrid("input X")
        self.next_kernel = MiniGrid("kernel K")
        grids = QHBoxLayout()
        grids.addWidget(self.next_input)
        grids.addWidget(self.next_kernel)
        grids.addStretch(1)

        # the answer the class does not see yet
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.setFont(big)
        self.answer.setTextFormat(Qt.TextFormat.PlainText)
        self.answer.setObjectName("ConsoleAnswer")

        # notes: the lesson's, and the presenter's own (typed here, never a click)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setFont(big)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.my_note = QPlainTextEdit()
        self.my_note.setPlaceholderText("Your note for this slide (kept while the app runs)")
        self.my_note.setMaximumHeight(90)
        self.my_note.textChanged.connect(self._keep_note)

        # the slide list: browsing does not move the projector, choosing does
        self.slide_list = QListWidget()
        self.slide_list.setFont(big)
        self.slide_list.itemActivated.connect(lambda item: self.jump(self.slide_list.row(item)))
        self.goto_box = QSpinBox()
        self.goto_box.setPrefix("slide ")
        self.goto_box.setMinimum(1)
        self.btn_show = QPushButton("Show on projector")
        self.btn_show.clicked.connect(self._show_chosen)
        self.goto_box.lineEdit().returnPressed.connect(self._show_chosen)
        jump = QHBoxLayout()
        jump.addWidget(self.goto_box, 1)
        jump.addWidget(self.btn_show)

        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Now</b> (as the class sees it)"))
        left.addWidget(self.thumb, 3)
        left.addWidget(self.now_title)
        self.answer_heading = self._heading("Answer")
        left.addWidget(self.answer_heading)
        left.addWidget(self.answer)
        left.addWidget(self._heading("Notes"))
        left.addWidget(self.notes)
        left.addWidget(self.my_note)
        left.addStretch(1)
        mid = QVBoxLayout()
        mid.addWidget(self._heading("Next"))
        mid.addWidget(self.next_what)
        mid.addWidget(self.next_detail)
        mid.addLayout(grids)
        mid.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self._heading("Slides (Enter or double-click shows one)"))
        right.addWidget(self.slide_list, 1)
        right.addLayout(jump)

        body = QGridLayout()
        body.addLayout(left, 0, 0)
        body.addLayout(mid, 0, 1)
        body.addLayout(right, 0, 2)
        body.setColumnStretch(0, 5)
        body.setColumnStretch(1, 4)
        body.setColumnStretch(2, 3)
        root = QVBoxLayout(self)
        root.addLayout(top)
        root.addLayout(body, 1)

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)
        self._grab_timer = QTimer(self)
        self._grab_timer.setSingleShot(True)
        self._grab_timer.timeout.connect(self.refresh_thumbnail)
        self.resize(1100, 720)
        self.refresh()

    @staticmethod
    def _heading(text: str) -> QLabel:
        lab = QLabel(f"<b>{text}</b>")
        lab.setTextFormat(Qt.TextFormat.RichText)
        return lab

    # ------------------------------------------------------------ reading
    @property
    def player(self) -> LessonPlayer | None:
        """The window's lesson player: the console keeps no copy of its own."""
        return self.window_.lessons.player

    def refresh(self) -> None:
        """Re-read the lesson and the session; called on every lesson move and edit."""
        p = self.player
        if p is not self._player_seen:  # a new lesson: the slide list and the timer start over
            self._player_seen = p
            self._my_notes.clear()
            self._note_slide = None
            self.slide_list.clear()
            if p is not None:
                for s in p.lesson.slides:
                    sec = f"{s.section}  " if s.section else ""
                    self.slide_list.addItem(f"{s.number}. {sec}{s.title}")
                self.goto_box.setMaximum(p.n_slides)
                self._t0 = time.monotonic()
            else:
                self._t0 = None
        self._show_now(p)
        self._show_next(p)
        self._show_answer(p)
        self._on_tick()
        self.schedule_thumbnail()

    def _show_now(self, p: LessonPlayer | None) -> None:
        if p is None or not p.started:
            self.counter.setText("no lesson")
            self.now_title.setText("")
            self.notes.setText("")
            self._load_note(None)
            return
        s = p.slide
        builds = p.state.builds
        clicks = f"  ·  click {p.build} / {builds}" if builds else ""
        blank = "  ·  BLANKED (B)" if self.window_.presenting.blanked else ""
        self.counter.setText(f"Slide {p.counter()}{clicks}{blank}")
        self.now_title.setText(f"{s.heading}\n{s.caption}")
        self.notes.setText(s.notes or "(no notes for this slide)")
        self._load_note(p.index)
        row = p.index
        if self.slide_list.currentRow() != row:
            self.slide_list.setCurrentRow(row)
        for i in range(self.slide_list.count()):
            f = self.slide_list.item(i).font()
            f.setBold(i == row)
            self.slide_list.item(i).setFont(f)

    def _show_next(self, p: LessonPlayer | None) -> None:
        self.next_what.setText(next_click(p))
        detail, X, K = "", None, None
        mark: frozenset = frozenset()
        if p is not None and p.started:
            s = self.window_.session
            if p.hidden is not None:
                detail = "The class then sees: " + (p.slide.answer or "the hidden values.")
            elif p.builds_left > 0 and p.state.view in STEPPING_VIEWS and s.steps is not None:
                n = s.step + 1
                if 0 <= n < s.n_steps:
                    st = s.steps[n]
                    detail = f"Output cell {st.out_pos}: {step_text(st)}"
                    X, K = s.input, s.applied_kernel
                    mark = frozenset(
                        (int(r), int(c)) for r in st.rows for c in st.cols if r >= 0 and c >= 0
                    )
            elif p.builds_left == 0 and p.index + 1 < p.n_slides:
                nxt, st2 = p.lesson.slides[p.index + 1], p.lesson.states[p.index + 1]
                hide = (
                    f"\nHides {HIDE_WORDS.get(st2.hide, st2.hide)} until a click."
                    if st2.hide
                    else ""
                )
                builds = f"\n{st2.builds} click(s) on it." if st2.builds else ""
                detail = f"{nxt.heading}\n{nxt.caption}\nView: {st2.view}.{builds}{hide}"
                X, K = st2.input, st2.kernel
        self.next_detail.setText(detail)
        self.next_input.set_values(X, mark)
        self.next_kernel.set_values(K)

    def _show_answer(self, p: LessonPlayer | None) -> None:
        if p is None or not p.started or not p.slide.hide:
            self.answer_heading.setText("<b>Answer</b>")
            self.answer.setText("(nothing hidden on this slide)")
            return
        if p.hidden is None:
            self.answer_heading.setText("<b>Answer</b> (revealed: the class sees it)")
            self.answer.setText(p.slide.answer or "(revealed)")
            return
        self.answer_heading.setText("<b>Answer: not yet shown to the class</b>")
        s = self.window_.session
        extra = ""
        revealed = p.state.revealed
        if p.hidden == "result" and revealed is not None:  # the reveal sets the scene
            steps = revealed.steps()
            k = revealed.reveal_step(len(steps))
            if 0 <= k < len(steps):
                extra = f"\nThis step: output{steps[k].out_pos} = {display_number(steps[k].result)}"
        elif p.hidden == "result" and s.steps is not None and 0 <= s.step < s.n_steps:
            st = s.steps[s.step]
            extra = f"\nThis step: output{st.out_pos} = {display_number(st.result)}"
        elif p.hidden == "output" and s.output is not None:
            extra = "\nOutput:\n" + grid_text(s.output)
        self.answer.setText(f"{p.slide.answer}{extra}".strip())

    def _on_tick(self) -> None:
        self.clock.setText(time.strftime("%H:%M"))
        if self._t0 is None:
            self.elapsed.setText("0:00:00")
            return
        sec = int(time.monotonic() - self._t0)
        self.elapsed.setText(f"{sec // 3600}:{sec // 60 % 60:02d}:{sec % 60:02d}")

    def restart_timer(self) -> None:
        self._t0 = time.monotonic() if self.player is not None else None
        self._on_tick()

    # ---------------------------------------------------------- thumbnail
    def schedule_thumbnail(self, *, click: bool = False) -> None:
        """Grab the stage soon: right after a click, batched while an animation plays."""
        if not self.isVisible():
            return
        if click:  # rapid clicks coalesce into one grab after the last
            self._grab_timer.start(THUMB_CLICK_MS)
        elif not self._grab_timer.isActive():
            self._grab_timer.start(THUMB_MS)

    def on_lesson_moved(self) -> None:
        """A click, a jump, a lesson opened or closed: all of it, and the thumbnail soon."""
        self.refresh()
        self.schedule_thumbnail(click=True)

    @property
    def thumbnail_pending(self) -> bool:
        return self._grab_timer.isActive()

    def refresh_thumbnail(self) -> None:
        """The main window as the class sees it, scaled into the "Now" box."""
        w = self.window_
        if not self.isVisible() or not w.isVisible():
            return
        size = self.thumb.size()
        pix = w.grab().scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.thumb.setPixmap(pix)

    def thumbnail(self) -> QPixmap:
        return self.thumb.pixmap()

    # -------------------------------------------------------------- notes
    def _load_note(self, index: int | None) -> None:
        if index == self._note_slide:
            return
        self._note_slide = index
        self.my_note.blockSignals(True)
        self.my_note.setPlainText(self._my_notes.get(index, "") if index is not None else "")
        self.my_note.blockSignals(False)

    def _keep_note(self) -> None:
        if self._note_slide is not None:
            self._my_notes[self._note_slide] = self.my_note.toPlainText()

    # ------------------------------------------------------------ jumping
    def jump(self, index: int) -> None:
        """Show slide ``index`` on the projector (only when the presenter chooses it)."""
        w = self.window_
        if w.lessons.player is None or not 0 <= index < w.lessons.player.n_slides:
            return
        if w.presenting.active:
            w.presenting.set_blanked(False)
        w.lessons.goto(index)

    def _show_chosen(self) -> None:
        self.jump(self.goto_box.value() - 1)

    # -------------------------------------------------------------- screens
    def set_screens(self, screens: list[QScreen], projector: QScreen | None) -> None:
        self.screens.blockSignals(True)
        self.screens.clear()
        for s in screens:
            g = s.geometry()
            self.screens.addItem(f"{s.name() or 'screen'} {g.width()}×{g.height()}", s.name())
        if projector is not None and projector in screens:
            self.screens.setCurrentIndex(screens.index(projector))
        self.screens.setEnabled(len(screens) > 1)
        self.screens.blockSignals(False)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._tick.start()
        self.refresh()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._tick.stop()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.schedule_thumbnail()


def place_full_screen(widget: QWidget, screen: QScreen) -> None:
    """Full screen on ``screen``, without relying on a window manager to move it."""
    if widget.isFullScreen():
        widget.showNormal()
    widget.winId()  # the native window exists, so it can be given a screen
    handle = widget.windowHandle()
    if handle is not None:
        handle.setScreen(screen)
    widget.setGeometry(screen.geometry())
    widget.showFullScreen()
    widget.setGeometry(screen.geometry())


class ConsoleController(AppEventFilter):
    """Places the stage and the console on the screens and drives the console's keys."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.console = PresenterConsole(window)
        # The console has no parent (it is a window of its own), so at exit Python may
        # delete it before the main window: _forget must then leave it alone.
        self._console_alive = True
        self.console.destroyed.connect(self._on_console_destroyed)
        self._projector_name: str | None = None  # the user's choice, if any
        self._home: QScreen | None = None  # the screen the window came from
        self._normal: QRect | None = None  # the window's last geometry, not full screen
        self._restore_to: QRect | None = None  # ... when presenting started
        self._moved = False  # presenting moved the window to another screen
        self._placed = False  # stage and console are on two screens now
        self._auto_shown = False  # presenting showed the console (so it hides it again)

        self.act_console = QAction("Presenter &console", window, checkable=True)
        self.act_console.setShortcut(QKeySequence("F6"))
        self.act_console.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.act_console.setToolTip("Notes, next build, hidden answer, clock and slide list")
        self.act_console.triggered.connect(self.set_console_shown)
        self.act_swap = QAction("S&wap projector and console screens", window)
        self.act_swap.setShortcut(QKeySequence("F7"))
        self.act_swap.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.act_swap.triggered.connect(self.swap)
        window.menu_view.addAction(self.act_console)
        window.menu_view.addAction(self.act_swap)
        for a in (self.act_console, self.act_swap):
            window.addAction(a)
            self.console.addAction(a)

        window.presenting.sig_changed.connect(self._on_presenting_changed)
        window.lessons.sig_moved.connect(self.console.on_lesson_moved)
        window.presenting.sig_blanked.connect(lambda _on: self.console.refresh())
        self._session = window.session
        self._session.changed.connect(self._on_session_changed)
        self.console.sig_projector_chosen.connect(self.choose_projector)
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        app.screenRemoved.connect(self._on_screen_removed)
        app.screenAdded.connect(self._on_screen_added)
        self.filter_app_events(window)

    def _forget_filter(self) -> None:
        self._session.changed.disconnect(self._on_session_changed)  # it may outlive the window
        super()._forget_filter()
        app = QApplication.instance()
        if app is not None:
            try:
                app.screenRemoved.disconnect(self._on_screen_removed)  # type: ignore[attr-defined]
                app.screenAdded.disconnect(self._on_screen_added)  # type: ignore[attr-defined]
            except (RuntimeError, TypeError):
                pass
        if self._console_alive:
            self.console.close()
            self.console.deleteLater()

    def _on_console_destroyed(self) -> None:
        self._console_alive = False

    # -------------------------------------------------------------- screens
    @staticmethod
    def screens(removed: QScreen | None = None) -> list[QScreen]:
        return [s for s in QGuiApplication.screens() if s is not removed]

    def projector_screen(self, removed: QScreen | None = None) -> QScreen | None:
        """The chosen screen if it is there, else the first one the window did not come from."""
        screens = self.screens(removed)
        if len(screens) < 2:
            return None
        for s in screens:
            if self._projector_name is not None and s.name() == self._projector_name:
                return s
        home = self._home if self._home in screens else self.window.screen()
        return next((s for s in screens if s is not home), None)

    def console_screen(self, removed: QScreen | None = None) -> QScreen | None:
        proj = self.projector_screen(removed)
        screens = self.screens(removed)
        if proj is None:
            return None
        if self._home in screens and self._home is not proj:
            return self._home
        return next((s for s in screens if s is not proj), None)

    @property
    def two_screens(self) -> bool:
        """The stage and the console are on two screens now."""
        return self._placed

    def place(self, removed: QScreen | None = None) -> None:
        """Put the stage on the projector and the console on the other screen (presenting)."""
        w = self.window
        if not w.presenting.active:
            return
        proj, cons = self.projector_screen(removed), self.console_screen(removed)
        self.console.set_screens(self.screens(removed), proj)
        if proj is None or cons is None:  # one screen: presenting as without a console
            self._placed = False
            screens = self.screens(removed)
            if screens and (w.screen() is removed or w.screen() not in screens):
                place_full_screen(w, screens[0])
                self._moved = True
            if self._auto_shown:
                self._auto_shown = False
                self.set_console_shown(False)
            return
        if w.screen() is not proj or w.geometry() != proj.geometry():
            place_full_screen(w, proj)
            self._moved = True
        w.act_fullscreen.setChecked(True)
        if not self.console.isVisible():
            self._auto_shown = True
        place_full_screen(self.console, cons)
        self.act_console.setChecked(True)
        self._placed = True
        self.console.raise_()

    def choose_projector(self, name: str) -> None:
        """The class sees screen ``name`` (the console's choice)."""
        self._projector_name = name
        self.place()

    def swap(self) -> None:
        """F7: the projector and the console trade screens."""
        cons = self.console_screen()
        if cons is None:
            return
        self._home = self.projector_screen()  # the console goes where the class looked
        self._projector_name = cons.name()
        self.place()

    def _on_presenting_changed(self, on: bool) -> None:
        w = self.window
        if on:
            self._home = w.screen()
            self._restore_to = self._normal
            self._moved = False
            self.place()
            return
        self._placed = False
        if self._auto_shown:
            self._auto_shown = False
            self.set_console_shown(False)
        screens = self.screens()
        home = self._home if self._home in screens else (screens[0] if screens else None)
        if self._moved and home is not None:  # back where presenting found the window
            if w.isFullScreen():
                place_full_screen(w, home)
            else:
                w.windowHandle().setScreen(home)
                back = self._restore_to
                w.setGeometry(
                    back
                    if back is not None and home.geometry().intersects(back)
                    else home.availableGeometry()
                )
        self._moved = False
        self.console.set_screens(screens, None)

    def _on_screen_removed(self, screen: QScreen) -> None:
        """A screen went away (the projector unplugged): the stage comes back, same slide."""
        if self._home is screen:
            self._home = None
        if self.window.presenting.active:
            self.place(removed=screen)
        elif self.console.isVisible() and self.console.screen() is screen:
            rest = self.screens(screen)
            if rest:
                self.console.windowHandle().setScreen(rest[0])
                self.console.move(rest[0].availableGeometry().topLeft())
        self.console.set_screens(self.screens(screen), self.projector_screen(screen))

    def _on_screen_added(self, screen: QScreen) -> None:
        if self.window.presenting.active:
            self.place()
        else:
            self.console.set_screens(self.screens(), None)

    # -------------------------------------------------------------- console
    def set_console_shown(self, on: bool) -> None:
        """F6 / View ▸ Presenter console: the console as a window (one screen) or full."""
        c = self.console
        if on:
            if not c.isVisible():
                c.set_screens(self.screens(), self.projector_screen())
                c.show()
            c.raise_()
            c.activateWindow()
        else:
            if c.isFullScreen():
                c.showNormal()
            c.hide()
            self._auto_shown = False
        self.act_console.setChecked(c.isVisible())

    def _on_session_changed(self, parts: frozenset) -> None:
        if self.console.isVisible():
            self.console.refresh()

    # ------------------------------------------------------------ the keys
    def app_event(self, obj: QObject, event: QEvent) -> bool:
        """The clicker drives the lesson from the console too; typing keeps its keys."""
        t = event.type()
        if obj is self.window and t in (QEvent.Type.Move, QEvent.Type.Resize):
            w = self.window
            if not w.presenting.active and not w.isFullScreen():
                self._normal = w.geometry()  # where it goes back to after presenting
            return False
        key_event = plain_key(obj, event, self.console, unless_typing=True)
        if key_event is None:
            return False
        action = self._action_for(Qt.Key(key_event.key()))
        return False if action is None else take_key(key_event, action)

    def _action_for(self, key: Qt.Key):
        w = self.window
        if w.presenting.active:
            return w.presenting.key_action(key)
        from .presenting import NEXT_KEYS, PREV_KEYS

        lessons = w.lessons
        if not lessons.active:
            return None
        if key in NEXT_KEYS:
            return lessons.next
        if key in PREV_KEYS:
            return lessons.prev
        if key == Qt.Key.Key_Home:
            return lambda: lessons.goto(0)
        if key == Qt.Key.Key_End:
            return lessons.goto_last
        return None
