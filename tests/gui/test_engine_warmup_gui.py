"""A step asked for while the warm-up compiles is answered at once, from numpy.

numba holds one process-wide lock while it compiles or loads a loop. The
warm-up here holds that lock until the test lets it go, as a real first
launch does for seconds; the GUI thread must step, draw and answer without
ever touching it. Everything waits on events, never on a clock.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from numba.core.compiler_lock import global_compiler_lock
from PySide6.QtCore import Qt

from convviz.engine import _jit, never_wait_in_this_thread
from convviz.gui.main_window import MainWindow

WAIT_S = 120  # only reached if the GUI thread did wait for the lock


@pytest.fixture
def cold_engine(monkeypatch):
    """Every loop looks not yet loaded, and the warm-up's first loop holds numba's lock."""
    ready = set(_jit._ready)
    _jit.forget_all()
    compiling, release = threading.Event(), threading.Event()
    timed_out = []
    real_prepare = _jit.prepare

    def slow_prepare(name, dtype):
        if threading.current_thread() is threading.main_thread():
            pytest.fail("the GUI thread tried to compile")
        if not compiling.is_set():
            with global_compiler_lock:
                compiling.set()
                if not release.wait(WAIT_S):
                    timed_out.append(name)
                return real_prepare(name, dtype)
        return real_prepare(name, dtype)

    monkeypatch.setattr(_jit, "prepare", slow_prepare)
    # and no compiled loop that is not loaded yet is called on the GUI thread (a
    # background compile the GUI asked for may have made one ready meanwhile)
    from convviz.engine import _kernels

    for name in _jit.LOOPS:
        real = getattr(_kernels, name)

        def spy(*args, _real=real, _name=name):
            on_gui = threading.current_thread() is threading.main_thread()
            if on_gui and not _jit.is_ready(_name, args[0].dtype):
                timed_out.append(f"{_name} called on the GUI thread before it was ready")
            return _real(*args)

        monkeypatch.setattr(_kernels, name, spy)
    yield compiling, release, timed_out
    release.set()
    _jit.wait_for_requests(WAIT_S)
    never_wait_in_this_thread(False)
    _jit._ready.update(ready)


def test_a_step_during_the_warm_up_is_answered_without_waiting(qtbot, settings, cold_engine):
    compiling, release, timed_out = cold_engine
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.start_engine()
    qtbot.waitUntil(compiling.is_set, timeout=WAIT_S * 1000)  # the warm-up holds the lock

    view = w.views["window"]
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)  # → : one step, while numba is locked
    qtbot.keyClick(view, Qt.Key.Key_Right)

    assert w.session.step == 1
    assert view.step_label.text() == "Step 2 of 4"
    # Fig. 6.2.1's output, computed without the compiled loops
    np.testing.assert_array_equal(w.session.output, [[19.0, 25.0], [37.0, 43.0]])
    np.testing.assert_array_equal(view.output.values(), [[19.0, 25.0], [37.0, 43.0]])
    assert not w.engine_ready and not release.is_set() and not timed_out

    release.set()  # the warm-up finishes; the compiled loops take over
    qtbot.waitUntil(lambda: w.engine_ready, timeout=WAIT_S * 1000)
    assert not timed_out
    assert _jit.is_ready("block_any", "float64") and _jit.is_ready("block_3x3", "float32")
    assert w.status.text() == "Engine ready. Space plays, → steps."  # a warm cache: no "compiling"
    w.session.set_cell("input", 1, 1, 5.0)  # an edit: the output is computed again, compiled
    np.testing.assert_array_equal(w.session.output, [[22.0, 27.0], [38.0, 43.0]])


def test_the_status_bar_says_compiling_only_when_something_compiles(qtbot, settings, monkeypatch):
    monkeypatch.setattr(_jit, "cache_is_warm", lambda: False)
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w._on_engine_progress(1, 7, "loaded")
    assert "ompil" not in w.status.text()
    w._on_engine_progress(2, 7, "compiled")
    assert w.status.text().startswith("Compiling the engine for this computer (once): 2 of 7")
    w._on_engine_ready(6.4)
    assert w.status.text().startswith("Engine compiled in 6 s; later launches load it at once.")
    w2 = MainWindow(settings=settings)
    qtbot.addWidget(w2)
    w2._on_engine_progress(7, 7, "loaded")
    w2._on_engine_ready(0.3)
    assert "ompil" not in w2.status.text()


def test_closing_during_the_warm_up_stops_it_after_the_current_loop(qtbot, settings, cold_engine):
    """Quitting mid-compile used to destroy a running QThread, which aborts the process."""
    compiling, release, timed_out = cold_engine
    prepared: list[str] = []
    real_prepare = _jit.prepare

    def counting_prepare(name, dtype):
        prepared.append(name)
        return real_prepare(name, dtype)

    _jit.prepare = counting_prepare  # restored by the fixture's monkeypatch
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    w.start_engine()
    qtbot.waitUntil(compiling.is_set, timeout=WAIT_S * 1000)
    task = w.warm_up
    assert task is not None and task.running and not task.wait(0)
    real_cancel = task.cancel

    def cancel_then_release() -> None:  # the current loop finishes once close has asked
        real_cancel()
        release.set()

    task.cancel = cancel_then_release
    w.stop_engine_warm_up()
    assert task.wait(0)  # the warm-up has returned: nothing left running
    assert len(prepared) == 1  # stopped before the next loop, not after all of them
    qtbot.waitUntil(lambda: not task.running)  # its outcome has reached the GUI thread...
    assert task.ok is False and not w.engine_ready and not timed_out  # ...and was dropped
