"""Presenting mode: the state and the clicker, in one small place.

F5 (or ``--present``) starts it, Esc ends it. While presenting, the screen
shows only the stage and the slide's title, caption and answer; the cursor
hides after :data:`IDLE_MS` without a mouse move; the keys are the ones
presentation programs and clickers use (:data:`NEXT_KEYS`, :data:`PREV_KEYS`,
:data:`BLANK_KEYS`, Home/End). :class:`Presenting` owns only *whether* we
present and whether the screen is blanked, and emits when that changes; the
window decides what its chrome does (:meth:`MainWindow.set_presenting_chrome`),
so a presenter console for a second screen can follow the same state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from .app_events import AppEventFilter, plain_key, take_key

if TYPE_CHECKING:
    from .main_window import MainWindow

#: Keys that move on / back, as clickers and presentation programs send them.
NEXT_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_N)
PREV_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace, Qt.Key.Key_P)
#: Keys that blank the screen to black and back.
BLANK_KEYS = (Qt.Key.Key_B, Qt.Key.Key_Period)
#: The cursor hides after this long without moving.
IDLE_MS = 1500


class _Blank(QWidget):
    """A black sheet over the whole window (B or "." while presenting)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.setStyleSheet("background: #000000;")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.hide()


class Presenting(AppEventFilter):
    """Whether the window presents, whether the screen is blanked, and the clicker keys."""

    sig_changed = Signal(bool)  # payload: presenting now
    sig_blanked = Signal(bool)  # payload: the screen is black now

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._active = False
        self._blanked = False
        self._was_fullscreen = False
        self._cursor_hidden = False
        self._blank = _Blank(window)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_MS)
        self._idle.timeout.connect(self._hide_cursor)
        self.act_present = QAction("&Present", window, checkable=True)
        self.act_present.setShortcut(QKeySequence("F5"))
        self.act_present.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.act_present.setToolTip("Only the slide on the screen; clicker keys; Esc ends")
        self.act_present.triggered.connect(self.toggle)
        window.menu_view.addSeparator()
        window.menu_view.addAction(self.act_present)
        window.addAction(self.act_present)  # F5 works with the menu bar hidden
        self.filter_app_events(window)

    def _forget_filter(self) -> None:
        super()._forget_filter()
        self._show_cursor()

    # -------------------------------------------------------------- state
    @property
    def active(self) -> bool:
        return self._active

    @property
    def blanked(self) -> bool:
        return self._blanked

    def toggle(self) -> None:
        if self._active:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        """Present: a lesson (the first one if none runs), full screen, no chrome."""
        if self._active:
            self.act_present.setChecked(True)
            return
        w = self.window
        if not w.lessons.active:
            from ..model.lessons import available_lessons

            names = available_lessons()
            if names:
                w.lessons.open(names[0])
        self._active = True
        self.act_present.setChecked(True)
        self._was_fullscreen = w.isFullScreen()
        w.set_presenting_chrome(True)
        if not self._was_fullscreen:
            w.enter_fullscreen()
        self._idle.start()
        self.sig_changed.emit(True)

    def stop(self) -> None:
        if not self._active:
            return
        self.set_blanked(False)
        self._active = False
        self.act_present.setChecked(False)
        w = self.window
        w.set_presenting_chrome(False)
        if not self._was_fullscreen and w.isFullScreen():
            w.showNormal()
            w.act_fullscreen.setChecked(False)
        self._idle.stop()
        self._show_cursor()
        self.sig_changed.emit(False)

    def set_blanked(self, on: bool) -> None:
        on = bool(on) and self._active
        if on == self._blanked:
            return
        self._blanked = on
        if on:
            self._blank.setGeometry(self.window.rect())
            self._blank.raise_()
            self._blank.show()
        else:
            self._blank.hide()
        self.sig_blanked.emit(on)

    # -------------------------------------------------------------- cursor
    def _hide_cursor(self) -> None:
        if self._active and not self._cursor_hidden:
            QApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
            self._cursor_hidden = True

    def _show_cursor(self) -> None:
        if self._cursor_hidden:
            QApplication.restoreOverrideCursor()
            self._cursor_hidden = False

    @property
    def cursor_hidden(self) -> bool:
        return self._cursor_hidden

    # ---------------------------------------------------------------- keys
    def app_event(self, obj: QObject, event: QEvent) -> bool:
        if not self._active:
            return False
        t = event.type()
        if t == QEvent.Type.MouseMove:
            self._show_cursor()
            self._idle.start()
            return False
        if t == QEvent.Type.Resize and obj is self.window:
            self._blank.setGeometry(self.window.rect())
            return False
        key_event = plain_key(obj, event, self.window)
        if key_event is None:
            return False
        action = self._action_for(Qt.Key(key_event.key()))
        return False if action is None else take_key(key_event, action)

    def key_action(self, key: Qt.Key):
        """What ``key`` does while presenting (None: not a clicker key); the console asks."""
        return self._action_for(key) if self._active else None

    def _action_for(self, key: Qt.Key):
        lessons = self.window.lessons
        if key == Qt.Key.Key_Escape:
            return self.stop
        if key in BLANK_KEYS:
            return lambda: self.set_blanked(not self._blanked)
        if not lessons.active:  # no lesson could open: the view keeps its own keys
            return None
        moves = {
            **dict.fromkeys(NEXT_KEYS, lessons.next),
            **dict.fromkeys(PREV_KEYS, lessons.prev),
            Qt.Key.Key_Home: lambda: lessons.goto(0),
            Qt.Key.Key_End: lessons.goto_last,
        }
        move = moves.get(key)
        if move is None:
            return None

        def unblank_and_move() -> None:  # a move always shows the screen again
            self.set_blanked(False)
            move()

        return unblank_and_move
