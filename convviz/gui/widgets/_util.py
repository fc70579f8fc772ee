"""Small helpers shared by the views: blocked signals and weak model connections."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from ...model.events import Event


@contextlib.contextmanager
def blocked(*objects: QObject) -> Iterator[None]:
    """Block the objects' signals while the model updates them, so nothing loops."""
    old = [o.blockSignals(True) for o in objects]
    try:
        yield
    finally:
        for o, b in zip(objects, old, strict=True):
            o.blockSignals(b)


def connect_model(event: Event, method: Callable[..., Any]) -> Callable[..., Any]:
    """Connect a widget's bound method to a model :class:`Event` without keeping it alive.

    The model outlives its widgets (tests build several views on one
    session); once the widget is collected or its C++ side deleted, the
    connection removes itself instead of calling into a dead object. Returns
    the callable connected, which ``event.disconnect`` takes.
    """
    ref = weakref.WeakMethod(method)  # type: ignore[arg-type]

    def slot(*args: Any) -> None:
        m = ref()
        if m is None or not _alive(m.__self__):  # type: ignore[attr-defined]
            event.disconnect(slot)
            return
        m(*args)

    event.connect(slot)
    return slot  # for event.disconnect(slot)


def _alive(owner: object) -> bool:
    """False once a QObject's C++ side is deleted (its Python wrapper may live on)."""
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)
