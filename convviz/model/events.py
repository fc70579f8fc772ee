"""A minimal observer, so the model can announce changes without knowing Qt.

One change, one event: a compound change (a lesson slide, a loaded file)
runs inside :meth:`Event.batch` (or :func:`batched` for several models), and
its listeners hear once, at the end, with the union of what changed, never a
half-applied state. napari's ``EmitterGroup.blocker()`` is the model for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any


class Event:
    """Callbacks called in connection order with the payload of :meth:`emit`.

    Payloads are by convention a frozenset naming the parts that changed
    (merged by union inside a batch), nothing (listeners read the model), or
    one value of which only the latest matters.
    """

    def __init__(self) -> None:
        self._slots: list[Callable[..., Any]] = []
        self._depth = 0  # open batches
        self._pending: list[tuple[Any, ...]] = []

    def connect(self, fn: Callable[..., Any]) -> None:
        if fn not in self._slots:
            self._slots.append(fn)

    def disconnect(self, fn: Callable[..., Any]) -> None:
        if fn in self._slots:
            self._slots.remove(fn)

    def emit(self, *args: Any) -> None:
        if self._depth:
            self._pending.append(args)
            return
        for fn in list(self._slots):
            fn(*args)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Hold every emit inside and send one at the end, with what changed merged.

        Nested batches send once, when the outermost ends; the merged event
        is sent even when the block raises, since what changed before the
        error has changed.
        """
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth and self._pending:
                pending, self._pending = self._pending, []
                self.emit(*_merge(pending))


def _merge(pending: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """frozenset payloads by union; anything else: the latest payload."""
    if all(len(a) == 1 and isinstance(a[0], frozenset) for a in pending):
        return (frozenset().union(*(a[0] for a in pending)),)
    return pending[-1]


@contextlib.contextmanager
def batched(*events: Event) -> Iterator[None]:
    """:meth:`Event.batch` for several events at once.

    Sent in reverse order (the last named first), so a listener on a later
    event that emits on an earlier one (the edge maps listen to the session)
    is still merged into the earlier one's single event.
    """
    with contextlib.ExitStack() as stack:
        for ev in events:
            stack.enter_context(ev.batch())
        yield
