"""The application's one Python event filter: what it passes on, and that it goes with the
last window (Qt calls an application filter for every event of every object)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from convviz.gui import app_events


class _Seen(app_events.AppEventFilter):
    def __init__(self, window: QWidget) -> None:
        super().__init__()
        self.seen: list[tuple[QObject, QEvent.Type]] = []
        self.eat = False
        self.filter_app_events(window)

    def app_event(self, obj: QObject, event: QEvent) -> bool:
        self.seen.append((obj, event.type()))
        return self.eat


def _window(qtbot) -> tuple[QWidget, QLabel]:
    w = QWidget()
    child = QLabel("x", w)
    qtbot.addWidget(w)
    return w, child


def test_keys_of_any_widget_and_geometry_of_its_window_only(qtbot):
    w, child = _window(qtbot)
    f = _Seen(w)
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(child, key)
    QApplication.sendEvent(child, QResizeEvent(QSize(5, 5), QSize(4, 4)))
    QApplication.sendEvent(w, QResizeEvent(QSize(50, 50), QSize(40, 40)))
    QApplication.sendEvent(child, QEvent(QEvent.Type.LayoutRequest))
    # (Qt also sends the key's shortcut override, and the key on to the parent)
    assert f.seen[0] == (child, QEvent.Type.ShortcutOverride)
    assert (child, QEvent.Type.KeyPress) in f.seen
    assert [o for o, t in f.seen if t == QEvent.Type.Resize] == [w]
    assert all(t != QEvent.Type.LayoutRequest for _, t in f.seen)


def test_newest_filter_first_and_an_eaten_event_goes_no_further(qtbot):
    w, child = _window(qtbot)
    first, second = _Seen(w), _Seen(w)
    second.eat = True
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(child, key)
    assert second.seen and second.seen[0][0] is child
    assert (child, QEvent.Type.KeyPress) in second.seen or second.seen[0][1] == (
        QEvent.Type.ShortcutOverride
    )
    assert first.seen == []


def test_the_filter_goes_with_the_last_window(qtbot):
    w1, _ = _window(qtbot)
    w2, _ = _window(qtbot)
    _Seen(w1), _Seen(w2)
    d = app_events._dispatcher
    assert d is not None and len(d.filters) >= 2
    with qtbot.waitSignal(w1.destroyed):
        w1.deleteLater()
    assert app_events._dispatcher is d and all(x is not w1 for x in d.windows)
    others = [f for f in d.filters if f._filtered_window is not w2]
    with qtbot.waitSignal(w2.destroyed):
        w2.deleteLater()
    if not others:  # no other test's window is alive: the application has no filter left
        assert app_events._dispatcher is None
