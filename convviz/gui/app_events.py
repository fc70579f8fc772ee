"""One home for the application-wide key filter that the lesson, the clicker and the
presenter console share: which key events they may take, and how they take one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
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


class AppEventFilter(QObject):
    """A helper object whose ``eventFilter`` sees every event of the application.

    Keys must reach it before the focused widget (an editor would take the
    arrows); the filter is removed when the window goes, because the
    application outlives its windows (tests build many).
    """

    def filter_app_events(self, window: QWidget) -> None:
        """Start filtering; call last in ``__init__``, once ``eventFilter`` can answer."""
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        window.destroyed.connect(self._forget_filter)

    def _forget_filter(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
