"""One home for the application-wide key filter that the lesson, the clicker and the
presenter console share: which key events they may take, and how they take one."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QMoveEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

#: Widgets whose arrow keys belong to the text being typed.
_TYPING = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)
_KEY_EVENTS = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)


def typing_in(w: QObject | None) -> bool:
    """True if ``w`` is a field being typed into (its keys are not the lesson's)."""
    if isinstance(w, _TYPING):
        return not (isinstance(w, (QTextEdit, QPlainTextEdit)) and w.isReadOnly())
    return isinstance(w, QComboBox) and w.isEditable()


def plain_key(
    obj: QObject, event: QEvent, window: QWidget, *, unless_typing: bool = False
) -> QKeyEvent | None:
    """``event`` if it is a key press (or the shortcut override before it) on a widget of
    ``window`` with no modifier but the keypad's, else None; with ``unless_typing``, also
    None while a text field has the key or the focus."""
    if event.type() not in _KEY_EVENTS:
        return None
    if not isinstance(obj, QWidget) or obj.window() is not window:
        return None
    assert isinstance(event, QKeyEvent)
    if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
        return None
    if unless_typing and (typing_in(obj) or typing_in(QApplication.focusWidget())):
        return None
    return event


def take_key(event: QKeyEvent, action: Callable[[], object]) -> bool:
    """Take a key from :func:`plain_key`: claim its shortcut override, so no view's own
    shortcut fires, and run ``action`` on the press. Returns True (the event is eaten)."""
    if event.type() == QEvent.Type.ShortcutOverride:
        event.accept()
    else:
        action()
    return True


#: The kinds of event an :class:`AppEventFilter` is shown: keys (and their shortcut
#: overrides) and the mouse (presenting shows the cursor on a move), of any object;
#: moves and resizes of the filters' own windows only (a slide change resizes ~130
#: widgets). Tested with ``isinstance``: PySide hands each event over as its own
#: class, and ``event.type()`` builds a Python enum member on every call.
_INPUT = (QKeyEvent, QMouseEvent)
_GEOMETRY = (QMoveEvent, QResizeEvent)


class _Dispatcher(QObject):
    """The application's one Python event filter, passing the few events that matter
    on to every :class:`AppEventFilter`.

    Qt calls an application-wide filter for every event of every object. Three of
    them (lessons, presenting, console), each asking ``event.type()``, cost ~6 ms
    of each slide change at 1080p (profiled: 48k filter calls and 88k ``type()``
    calls over the lesson's 36 changes); one filter that drops what none of them
    wants with an ``isinstance`` costs a fraction of that.
    """

    def __init__(self) -> None:
        super().__init__()
        self.filters: list[AppEventFilter] = []  # newest first, as Qt orders filters
        self.windows: list[QWidget] = []  # the filters' windows, whose geometry they follow

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not isinstance(event, _INPUT) and not (
            isinstance(event, _GEOMETRY) and any(obj is w for w in self.windows)
        ):
            return False
        return any(f.app_event(obj, event) for f in tuple(self.filters))


_dispatcher: _Dispatcher | None = None


class AppEventFilter(QObject):
    """A helper object whose ``app_event`` sees the application's key, mouse, move and
    resize events, before the widget they are for.

    Keys must reach it before the focused widget (an editor would take the
    arrows); the filter is removed when the window goes, because the
    application outlives its windows (tests build many).
    """

    def filter_app_events(self, window: QWidget) -> None:
        """Start filtering; call last in ``__init__``, once ``app_event`` can answer."""
        global _dispatcher
        if _dispatcher is None:
            _dispatcher = _Dispatcher()
            QApplication.instance().installEventFilter(_dispatcher)  # type: ignore[union-attr]
        _dispatcher.filters.insert(0, self)
        _dispatcher.windows.append(window)
        self._filtered_window = window
        window.destroyed.connect(self._forget_filter)

    def app_event(self, obj: QObject, event: QEvent) -> bool:
        """Like ``eventFilter``; True eats the event."""
        return False

    def _forget_filter(self) -> None:
        global _dispatcher
        d = _dispatcher
        if d is None or not any(f is self for f in d.filters):
            return
        d.filters = [f for f in d.filters if f is not self]
        d.windows = [w for w in d.windows if w is not self._filtered_window]
        if not d.filters:  # the last window went: Qt calls no Python filter at all
            _dispatcher = None
            app = QApplication.instance()
            if app is not None and shiboken6.isValid(d):  # both go at interpreter exit
                app.removeEventFilter(d)
