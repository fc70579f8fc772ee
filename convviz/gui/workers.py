"""Run a slow function off the GUI thread and hear back on the GUI thread.

::

    task = run_in_thread(load_image, path, 1024)
    task.sig_done.connect(self._on_loaded)      # called with the return value
    task.sig_failed.connect(self._on_failed)    # called with the exception

The function runs on a :class:`QThreadPool`; its outcome is handed to the
:class:`Task` (a QObject living on the GUI thread) through a queued
connection, and only then re-emitted, so every slot connected to a Task runs
on the GUI thread whatever kind of callable it is. A task that is no longer
wanted is :meth:`~Task.cancel`-led: the function still runs to its end (Pillow
cannot be interrupted) but nothing is emitted. The function must not touch Qt
widgets; the engine and the model are fine.

:func:`run_with_progress` also hands the function a ``progress(done, total)``
callback: it reaches the GUI as :attr:`Task.sig_progress` (at most about 20
times a second; a call with a ``note``, ``progress(done, total, note)``, is
also sent whole as :attr:`Task.sig_note`, never dropped), and after
:meth:`~Task.cancel` its next call raises
:class:`~convviz.model.export.Cancelled`, so a long export stops mid-way and
its file is left as it was. :meth:`Task.wait` blocks until the function has
returned (a closing window waits for the step it is in, not for all of them).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from ..model.export import Cancelled

_live: set[Task] = set()  # tasks running now; a Task must outlive its function


class _Relay(QObject):
    """Carries the outcome from the worker thread to the Task (queued)."""

    sig_outcome = Signal(bool, object)  # payload: ok, return value or exception
    sig_progress = Signal(int, int)  # payload: done, total
    sig_note = Signal(int, int, str)  # payload: done, total, note


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict, relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the Task holds it until the outcome arrives
        self._call = (fn, args, kwargs)
        self._relay = relay
        self.returned = threading.Event()  # the function has returned (or raised)

    def run(self) -> None:
        fn, args, kwargs = self._call
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            ok, value = False, exc
        else:
            ok, value = True, result
        finally:
            self.returned.set()
        # The relay is gone only when the application is being torn down: nobody listens.
        with contextlib.suppress(RuntimeError):
            self._relay.sig_outcome.emit(ok, value)


class Task(QObject):
    """One function call on a worker thread; its signals arrive on the GUI thread."""

    sig_done = Signal(object)  # payload: the function's return value
    sig_failed = Signal(object)  # payload: the exception it raised
    sig_finished = Signal()  # payload: none; after sig_done or sig_failed (not if cancelled)
    sig_progress = Signal(int, int)  # payload: done, total (run_with_progress only)
    sig_note = Signal(int, int, str)  # payload: done, total, note (each progress call with one)

    def __init__(self, name: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.cancelled = False
        self.running = True
        self.ok: bool | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self._relay = _Relay()
        self._relay.sig_outcome.connect(self._on_outcome)  # queued: the relay emits off-thread
        self._relay.sig_progress.connect(self._on_progress)
        self._relay.sig_note.connect(self._on_note)
        self._runnable: _Runnable | None = None
        self.done = 0  # the last progress reported
        self.total = 0
        self._last_report = 0.0

    def cancel(self) -> None:
        """Drop the outcome when it comes: no signal will be emitted.

        A function started by :func:`run_with_progress` also stops at its
        next progress call.
        """
        self.cancelled = True

    def wait(self, msecs: int | None = None) -> bool:
        """Block until the function has returned (True), or ``msecs`` passed (False).

        Its signals still need the event loop; a cancelled task sends none.
        """
        runnable = self._runnable
        if runnable is None:
            return True
        return runnable.returned.wait(None if msecs is None else msecs / 1000)

    def report(self, done: int, total: int, note: str = "") -> None:
        """The progress callback handed to the function (runs on the worker thread)."""
        if self.cancelled:
            raise Cancelled("cancelled")
        self.done, self.total = done, total
        now = time.monotonic()
        try:
            if note:
                self._relay.sig_note.emit(done, total, note)
            if done >= total or now - self._last_report >= 0.05:
                self._last_report = now
                self._relay.sig_progress.emit(done, total)
        except RuntimeError:  # the application is closing: stop the work
            raise Cancelled("the application closed") from None

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if not self.cancelled:
            self.sig_progress.emit(done, total)

    @Slot(int, int, str)
    def _on_note(self, done: int, total: int, note: str) -> None:
        if not self.cancelled:
            self.sig_note.emit(done, total, note)

    @Slot(bool, object)
    def _on_outcome(self, ok: bool, value: object) -> None:
        self.running = False
        self._runnable = None
        _live.discard(self)
        self.ok = ok
        if ok:
            self.result = value
        else:
            self.error = value  # type: ignore[assignment]
        if self.cancelled:
            return
        if ok:
            self.sig_done.emit(value)
        else:
            self.sig_failed.emit(value)
        self.sig_finished.emit()


def run_in_thread(
    fn: Callable[..., Any],
    *args: Any,
    name: str = "",
    pool: QThreadPool | None = None,
    **kwargs: Any,
) -> Task:
    """Start ``fn(*args, **kwargs)`` on ``pool`` (the global pool by default); return its Task.

    Call this on the GUI thread and connect to the Task's signals right
    away: the outcome is delivered through the event loop, never before
    this function returns.
    """
    return _start(Task(name or _name_of(fn)), fn, args, kwargs, pool)


def run_with_progress(
    fn: Callable[..., Any],
    *args: Any,
    name: str = "",
    pool: QThreadPool | None = None,
    **kwargs: Any,
) -> Task:
    """Like :func:`run_in_thread`, calling ``fn(*args, progress=task.report, **kwargs)``."""
    task = Task(name or _name_of(fn))
    return _start(task, fn, args, {**kwargs, "progress": task.report}, pool)


def _name_of(fn: Callable[..., Any]) -> str:
    """A function's name for its Task (a functools.partial has none)."""
    return str(getattr(fn, "__name__", "task"))


def _start(
    task: Task, fn: Callable[..., Any], args: tuple, kwargs: dict, pool: QThreadPool | None
) -> Task:
    task._runnable = _Runnable(fn, args, kwargs, task._relay)
    _live.add(task)
    (pool or QThreadPool.globalInstance()).start(task._runnable)
    return task


def running_tasks() -> int:
    """How many tasks have not reported back yet (for tests and a clean exit)."""
    return len(_live)


def wait_for_tasks(msecs: int = 5000, pool: QThreadPool | None = None) -> bool:
    """Block until the pool's functions have returned (their signals still need the loop)."""
    return (pool or QThreadPool.globalInstance()).waitForDone(msecs)
