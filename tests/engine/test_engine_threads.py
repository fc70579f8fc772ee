"""The engine from several threads at once: the row pool, the compile-free path, every layer.

numba's own threading layers are not used (see ``convviz/engine/_pool.py``):
the workqueue layer aborted the process when the GUI thread and the warm-up
entered parallel code together. These tests run the engine's parallel paths
from three threads at once, in fresh processes, under each layer forced,
and check every result bit for bit.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from convviz.engine import _kernels, _pool

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60  # seconds: only ever reached if something is broken


def run_python(code: str, **env_extra: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(env_extra)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr}"
    return done.stdout


# ------------------------------------------------------------- the row pool
OTHERS_RUNNING = _pool.others_running  # before the fixture below replaces it


@pytest.fixture(autouse=True)
def a_quiet_machine(monkeypatch):
    """The pool's choices below must not depend on what else this machine runs."""
    monkeypatch.setattr(_pool, "others_running", lambda: 0)


def sharing_pool() -> _pool.RowPool:
    """A pool with one helper that shares every call, whatever the timings say."""
    pool = _pool.RowPool(1)
    pool.share = lambda key: True  # type: ignore[method-assign]
    return pool


def blocks_of(n: int, task) -> object:
    """A job's work as the compiled loops do it: take blocks from one shared counter."""
    counter = itertools.count()

    def work(state) -> None:
        while (b := next(counter)) < n:
            task(b)

    return work


def test_the_caller_does_every_block_a_descheduled_helper_has_not_taken():
    """A helper stuck in one block holds back only that block, never the others."""
    pool = sharing_pool()
    caller = threading.get_ident()
    helper_in, release = threading.Event(), threading.Event()
    done: list[tuple[int, bool]] = []

    def task(b: int) -> None:
        mine = threading.get_ident() == caller
        if not mine and not helper_in.is_set():
            helper_in.set()
            assert release.wait(WAIT)  # the OS has descheduled this helper
        elif mine and b == 0:
            assert helper_in.wait(WAIT)  # let the helper take a block first
        done.append((b, mine))
        if sum(m for _, m in done) == 15:
            release.set()

    pool.run(blocks_of(16, task), 16)
    assert sorted(b for b, _ in done) == list(range(16))  # each block once, all before return
    assert sum(not m for _, m in done) == 1  # the helper finished the one block it took


@pytest.fixture(params=["compiled", "pure Python"])
def sync(request):
    """The hand-over steps, compiled and as NUMBA_DISABLE_JIT runs them."""
    return _kernels.pool_sync if request.param == "compiled" else _kernels._pool_sync_python


def test_a_helper_enters_only_the_newest_job_and_only_until_the_caller_closes_it(sync):
    box = _pool.RowPool._new_box()
    box[_pool._BUDGET] = 0  # no spinning: every wait ends at once
    assert sync(box, _pool._PUBLISH, 1, 1) == 0  # job 1; the one helper is not asleep
    assert sync(box, _pool._CLOSE, 0, 0) == 0  # the caller did every block: no helper came
    assert sync(box, _pool._ENTER, 1, 0) == 0  # a helper waking now does nothing
    sync(box, _pool._PUBLISH, 2, 1)
    assert sync(box, _pool._ENTER, 1, 0) == 0  # nor with a job that is gone
    assert sync(box, _pool._ENTER, 2, 0) == 1
    # the caller closes job 2 while the helper is still in a block
    assert sync(box, _pool._CLOSE, 0, 0) == 1 + _pool._STILL_IN
    assert sync(box, _pool._LEFT, 1, 0) == 1
    # the helper leaves, finds nothing newer than job 2, and goes to sleep
    assert sync(box, _pool._WAIT, 2, 0 | 1 << 16) == -1
    assert sync(box, _pool._LEFT, 1, 0) == 0 and box[16] == 1
    assert sync(box, _pool._PUBLISH, 3, 1) == 1  # so the next caller wakes it
    assert sync(box, _pool._WAIT, 2, 0) == 3  # a wait that starts after a publish sees it
    sync(box, _pool._AWAKE, 0, 0)
    assert box[16] == 0


def test_calls_in_a_row_find_the_helper_spinning_and_need_not_wake_it(monkeypatch):
    """Waking a sleeping helper cost 70-80 us; after a shared call it spins a while."""
    pool = sharing_pool()
    caller = threading.get_ident()
    woken = []
    pool._box[_pool._BUDGET] = 1 << 62  # spin until told (the test ends it below)

    def job() -> object:
        helped = threading.Event()

        def task(b: int) -> None:
            if threading.get_ident() != caller:
                helped.set()
            elif b >= 2:
                assert helped.wait(WAIT)  # the caller leaves blocks for the helper

        return blocks_of(64, task)

    pool.run(job(), 64)  # the helper is woken (the first call), helps, then spins
    real_sync = _kernels.pool_sync

    def spy(box, op, a, b):
        got = real_sync(box, op, a, b)
        if op == _pool._PUBLISH:
            woken.append(got)  # the helpers found asleep, to be woken
        return got

    monkeypatch.setattr(_kernels, "pool_sync", spy)
    pool.run(job(), 64)
    pool.run(job(), 64)
    assert woken == [0, 0]  # it took both calls' blocks without being woken
    pool._box[_pool._BUDGET] = 0
    pool.run(blocks_of(2, lambda b: None), 2)  # ends its spin; it sleeps after this call
    pool.close()


def test_a_second_caller_never_waits_for_a_running_call():
    pool = sharing_pool()
    a_started, b_done = threading.Event(), threading.Event()
    b_threads = set()

    def slow(b: int) -> None:
        a_started.set()
        assert b_done.wait(WAIT)

    def quick(b: int) -> None:
        b_threads.add(threading.get_ident())

    a = threading.Thread(target=pool.run, args=(blocks_of(4, slow), 4))
    a.start()
    assert a_started.wait(WAIT)
    pool.run(blocks_of(8, quick), 8)  # ran, on this thread alone, while the first was stuck
    assert b_threads == {threading.get_ident()}
    b_done.set()
    a.join(WAIT)
    assert not a.is_alive()


def test_an_error_in_a_helper_is_raised_by_the_caller():
    pool = sharing_pool()
    caller = threading.get_ident()
    helper_failed = threading.Event()

    def work(state) -> None:
        if threading.get_ident() != caller:
            helper_failed.set()
            raise ZeroDivisionError("in a helper")
        assert helper_failed.wait(WAIT)  # the caller waits until a helper has failed

    with pytest.raises(ZeroDivisionError, match="in a helper"):
        pool.run(work, 8)


def _fake_machine(
    monkeypatch, others: int | None = None
) -> tuple[_pool.RowPool, list[float], list[int]]:
    """A one-helper pool on a machine whose clock the test moves (``clock[0]``) and,
    unless ``others`` is None, whose other programs' runnable threads it sets
    (``others[0]``)."""
    clock, load = [100.0], [0 if others is None else others]
    monkeypatch.setattr(_pool.time, "monotonic", lambda: clock[0])
    if others is not None:
        monkeypatch.setattr(_pool, "others_running", lambda: load[0])
    return _pool.RowPool(1), clock, load


def test_the_pool_runs_each_kind_of_call_the_way_that_is_faster(monkeypatch):
    """Over many calls, no slower than one thread: sharing is used only while it pays."""
    pool, clock, _others = _fake_machine(monkeypatch)
    n = _pool.EXPLORE_CALLS
    for _ in range(n):  # first, one thread is measured, n calls
        assert pool.share("a") is False
        pool.record("a", False, 2.0, 1.0)
    for _ in range(n):  # then sharing
        assert pool.share("a") is True
        pool.record("a", True, 1.0, 1.0, helped=0.5)
    clock[0] += _pool.EXPLORE_S + 0.1
    assert [pool.share("a") for _ in range(n)] == [False] * n  # the slower way again, n calls
    assert [pool.share("a") for _ in range(5)] == [True] * 5
    # the helpers start losing (busy machine): sharing's mean rises past one thread's
    for _ in range(12):
        pool.record("a", True, 4.0, 1.0, helped=0.5)
    assert [pool.share("a") for _ in range(5)] == [False] * 5
    clock[0] += _pool.EXPLORE_S + 0.1
    assert pool.share("a") is True  # and sharing is tried again now and then
    # other kinds of call keep their own figures; work normalises the sizes
    pool.record("b", False, 1.0, 10.0)
    pool.record("b", True, 0.5, 10.0, helped=0.5)
    assert pool.share("b") is True
    # helpers that keep waking too late to take blocks: one thread, however it looks
    for _ in range(10):
        pool.record("b", True, 0.5, 10.0, helped=0.0)
    assert pool.share("b") is False


def test_the_first_figures_are_medians_so_one_preempted_call_decides_nothing(monkeypatch):
    monkeypatch.setattr(_pool.time, "monotonic", lambda: 100.0)
    pool = _pool.RowPool(1)
    ways = []
    times = [(10.0, 1.5), (1.0, 1.4), (1.1, 1.6)]
    assert len(times) == _pool.EXPLORE_CALLS
    for serial, _ in times:
        ways.append(pool.share("a"))
        pool.record("a", False, serial, 1.0)  # the first call was preempted
    for _, shared in times:
        ways.append(pool.share("a"))
        pool.record("a", True, shared, 1.0, helped=0.5)
    assert ways == [False] * _pool.EXPLORE_CALLS + [True] * _pool.EXPLORE_CALLS
    assert pool._costs["a"].serial == pytest.approx(1.1)  # the median, not the 10 s call
    assert [pool.share("a") for _ in range(5)] == [False] * 5  # sharing is slower here


def test_no_exploring_while_other_programs_fill_every_other_core(monkeypatch):
    pool, clock, others = _fake_machine(monkeypatch, others=2)
    pool.record("a", False, 1.0, 1.0)
    pool.record("a", True, 3.0, 1.0, helped=0.5)  # sharing is slower
    for _ in range(4):  # time for an exploration, but both cores are taken
        clock[0] += _pool.EXPLORE_MAX_S + 0.1
        assert not any(pool.share("a") for _ in range(3 * (_pool.UNTIMED_CALLS + 1)))
    others[0] = 1  # a core is free for the helper: sharing is tried again
    clock[0] += _pool.EXPLORE_MAX_S + 0.1
    assert [pool.share("a") for _ in range(_pool.EXPLORE_CALLS)] == [True] * _pool.EXPLORE_CALLS


def test_no_first_shared_trial_while_other_programs_fill_every_other_core(monkeypatch):
    pool, clock, others = _fake_machine(monkeypatch, others=2)
    ways = []
    for _ in range(_pool.EXPLORE_CALLS + 3 * (_pool.UNTIMED_CALLS + 1)):
        shared = pool.share("a") if not pool.settled_on_one_thread("a") else False
        ways.append(shared)
        pool.record("a", shared, 1.0, 1.0)
    assert not any(ways)  # the serial trial, then one thread: no helper was woken
    others[0] = 0  # a core comes free: the next exploration tries sharing
    clock[0] += _pool.EXPLORE_MAX_S + 0.1
    assert [pool.share("a") for _ in range(_pool.EXPLORE_CALLS)] == [True] * _pool.EXPLORE_CALLS
    for _ in range(_pool.EXPLORE_CALLS):
        pool.record("a", True, 0.5, 1.0, helped=0.5)
    assert pool._costs["a"].shared == pytest.approx(0.5)
    assert pool.share("a")  # and sharing, faster now, is kept


def test_sharing_stops_as_soon_as_other_programs_fill_every_other_core(monkeypatch):
    pool, clock, others = _fake_machine(monkeypatch, others=0)
    pool.record("a", False, 1.0, 1.0)
    pool.record("a", True, 0.5, 1.0, helped=0.5)  # sharing is faster
    clock[0] += _pool.LOAD_CHECK_S + 0.01
    assert all(pool.share("a") for _ in range(5))
    others[0] = 2  # two busy programs start: the calls' own times cannot see the cost
    clock[0] += _pool.LOAD_CHECK_S + 0.01
    assert not pool.share("a")
    assert not any(
        pool.share("a") for _ in range(20) if not pool.settled_on_one_thread("a")
    )  # and no exploring while they run
    others[0] = 0
    clock[0] += _pool.EXPLORE_MAX_S + 0.1  # they stopped: sharing is explored again
    assert [pool.share("a") for _ in range(_pool.EXPLORE_CALLS)] == [True] * _pool.EXPLORE_CALLS


def test_a_skipped_exploration_is_tried_again_soon(monkeypatch):
    """Other programs' load comes and goes: the pool looks again LOAD_CHECK_S later."""
    pool, clock, others = _fake_machine(monkeypatch, others=2)
    pool.record("a", False, 1.0, 1.0)
    pool.record("a", True, 3.0, 1.0, helped=0.5)  # sharing was slower
    clock[0] += _pool.EXPLORE_MAX_S + 0.1
    assert not pool.share("a")  # an exploration was due, but every core is taken
    others[0] = 0
    clock[0] += _pool.LOAD_CHECK_S / 2
    assert not any(pool.share("a") for _ in range(_pool.UNTIMED_CALLS + 2))
    clock[0] += _pool.LOAD_CHECK_S
    assert [pool.share("a") for _ in range(_pool.EXPLORE_CALLS)] == [True] * _pool.EXPLORE_CALLS


def test_calls_kept_on_one_thread_by_other_programs_load_are_timed_more_rarely(monkeypatch):
    monkeypatch.setattr(_pool.time, "monotonic", lambda: 100.0)
    monkeypatch.setattr(_pool, "others_running", lambda: 2)
    pool = _pool.RowPool(1)
    for _ in range(_pool.EXPLORE_CALLS):  # the first trial, on one thread
        assert not pool.share("a")
        pool.record("a", False, 1.0, 1.0)
    assert not pool.share("a")  # no shared trial: every other core is taken
    settled = 0
    while pool.settled_on_one_thread("a"):
        settled += 1
    assert settled == _pool.UNTIMED_UNDER_LOAD > _pool.UNTIMED_CALLS


def _tasks(tmp_path, states: str):
    """A /proc/self/task folder whose threads are in these states (one letter each)."""
    d = tmp_path / "task"
    d.mkdir()
    for i, st in enumerate(states):
        (d / str(100 + i)).mkdir()
        (d / str(100 + i) / "stat").write_bytes(f"{100 + i} (a (b) c) {st} 1 2 3\n".encode())
    return str(d)


def test_the_runnable_threads_of_other_programs_come_from_loadavg(tmp_path):
    f = tmp_path / "loadavg"
    me = _tasks(tmp_path, "RS")  # the calling thread runs, a helper sleeps
    f.write_text("4.33 4.08 3.78 5/295 5860\n")
    assert OTHERS_RUNNING(str(f), me) == 4  # five runnable, less the calling thread
    f.write_text("0.00 0.01 0.05 1/80 12\n")
    assert OTHERS_RUNNING(str(f), me) == 0
    f.write_text("garbage\n")
    assert OTHERS_RUNNING(str(f), me) == 0  # cannot tell: as if quiet
    assert OTHERS_RUNNING(str(tmp_path / "missing"), me) == 0  # not Linux
    assert OTHERS_RUNNING(str(f), str(tmp_path / "none")) == 0  # no task list: the caller


def test_this_process_own_runnable_threads_are_not_other_programs(tmp_path):
    """A library's worker threads spinning in this process (OpenCV's after its calls)
    are not other programs: counted as such, the pool stopped sharing on a quiet
    machine."""
    f = tmp_path / "loadavg"
    f.write_text("2.10 1.00 0.50 3/300 999\n")
    assert OTHERS_RUNNING(str(f), _tasks(tmp_path, "RRRS")) == 0


def test_the_real_count_leaves_out_the_calling_thread():
    assert OTHERS_RUNNING() >= 0
    assert _pool._own_running("/proc/self/task") >= 1


def test_calls_settled_on_one_thread_are_timed_one_in_a_few(monkeypatch):
    """Asking and timing cost a large call 4-5 %: once the pool has chosen one
    thread, only one call in UNTIMED_CALLS + 1 asks and is timed."""
    monkeypatch.setattr(_pool.time, "monotonic", lambda: 100.0)
    pool = _pool.RowPool(1)
    assert not pool.settled_on_one_thread("a")  # nothing known yet
    pool.record("a", False, 1.0, 1.0)
    pool.record("a", True, 3.0, 1.0, helped=0.5)  # sharing is slower
    asked = []
    for _ in range(3 * (_pool.UNTIMED_CALLS + 1)):
        if not pool.settled_on_one_thread("a"):
            asked.append(pool.share("a"))
    assert asked == [False] * 3
    # a kind of call that is shared is asked every time
    pool.record("b", False, 3.0, 1.0)
    pool.record("b", True, 1.0, 1.0, helped=0.5)
    assert [pool.settled_on_one_thread("b") or pool.share("b") for _ in range(5)] == [True] * 5


def test_a_few_exploring_calls_bring_sharing_back(monkeypatch):
    """After a neighbour's burst of load, the median of a few exploring calls replaces the old."""
    pool, clock, _others = _fake_machine(monkeypatch)
    pool.record("a", False, 2.0, 1.0)
    pool.record("a", True, 1.0, 1.0, helped=0.5)
    for _ in range(12):  # another program takes the helper's core for a while
        pool.record("a", True, 6.0, 1.0, helped=0.5)
    assert [pool.share("a") for _ in range(5)] == [False] * 5
    clock[0] += _pool.EXPLORE_S + 0.1  # the neighbour has gone meanwhile
    for seconds in [1.0, 9.0, 1.1][: _pool.EXPLORE_CALLS]:  # one of them unlucky
        assert pool.share("a") is True
        pool.record("a", True, seconds, 1.0, helped=0.5)
    assert pool._costs["a"].shared == pytest.approx(1.1)  # the median, not the mean
    assert [pool.share("a") for _ in range(5)] == [True] * 5
    # an ordinary call (not exploring) moves the mean by ALPHA only
    pool.record("a", True, 2.0, 1.0, helped=0.5)
    assert pool._costs["a"].shared == pytest.approx((1 - _pool.ALPHA) * 1.1 + _pool.ALPHA * 2.0)
    assert pool.share("a") is True  # 1.28 s a unit shared, 2.0 on one thread


def test_exploring_on_a_busy_machine_costs_only_the_exploring_calls(monkeypatch):
    """Only exploring calls are shared, and they come less often while sharing stays slower."""
    pool, clock, _others = _fake_machine(monkeypatch)
    pool.record("a", False, 1.0, 1.0)
    pool.record("a", True, 3.0, 1.0, helped=0.5)  # helpers descheduled: sharing is slower
    ways, explorations = [], []
    for step in range(40):  # 40 stretches of EXPLORE_S / 2, 20 calls in each
        clock[0] += _pool.EXPLORE_S / 2 + 0.01
        for _ in range(20):
            shared = pool.share("a")
            ways.append(shared)
            pool.record("a", shared, 3.0 if shared else 1.0, 1.0, helped=0.5)
        if ways[-20]:
            explorations.append(step)
    n = _pool.EXPLORE_CALLS
    assert sum(ways) == n * len(explorations)  # only the exploring calls were shared
    gaps = [b - a for a, b in itertools.pairwise(explorations)]
    assert gaps == sorted(gaps) and gaps[0] < gaps[-1]  # further and further apart
    assert max(gaps) * (_pool.EXPLORE_S / 2 + 0.01) <= _pool.EXPLORE_MAX_S + _pool.EXPLORE_S
    # sharing pays again (the load has gone): the next exploration finds it, and the
    # one after comes EXPLORE_S later
    clock[0] += _pool.EXPLORE_MAX_S + 0.1
    for _ in range(n):
        assert pool.share("a") is True
        pool.record("a", True, 0.5, 1.0, helped=0.5)
    assert pool._costs["a"].period == _pool.EXPLORE_S
    assert [pool.share("a") for _ in range(5)] == [True] * 5


def test_a_kind_of_call_that_runs_on_one_thread_uses_no_helper():
    pool = _pool.RowPool(1)
    pool.record("k", False, 1.0, 1.0)
    pool.record("k", True, 9.0, 1.0)
    pool._costs["k"].explored = _pool.time.monotonic() + 3600  # no exploring in this test
    caller = threading.get_ident()
    where = []
    for _ in range(10):
        pool.run(blocks_of(8, lambda b: where.append(threading.get_ident())), 8, "k")
    assert set(where) == {caller} and len(where) == 80
    assert pool._queues == []  # no helper thread was even started


def test_one_thread_means_no_helpers():
    import convviz.engine as e

    before = e.get_num_threads()
    try:
        e.set_num_threads(1)
        assert e.get_num_threads() == 1
        with pytest.raises(ValueError, match=r"1\.\.64"):
            e.set_num_threads(0)
    finally:
        e.set_num_threads(before)


# --------------------------------------------- three threads, every layer
THREE_THREADS = """
import json, sys, threading
import numpy as np
import convviz.engine as e

rng = np.random.default_rng(1)
cases = [  # each big enough to be cut into blocks on the pool
    (rng.standard_normal((700, 650)).astype(np.float32), rng.standard_normal((3, 3)), {}),
    (rng.standard_normal((400, 420)), rng.standard_normal((7, 7)), {"padding": 2}),
    (rng.standard_normal((600, 600)), rng.standard_normal((3, 4)), {"stride": 2, "dilation": 2}),
    (rng.standard_normal((6, 8)), [[1.0, -1.0]], {}),  # the chapter's, as the GUI thread does
    # float32 7 columns wide: the 7-wide loop
    (rng.standard_normal((500, 530)).astype(np.float32), rng.standard_normal((5, 7)), {}),
]
e.set_num_threads(1)
expected = [e.corr2d(X, K, **kw) for X, K, kw in cases]
e.set_num_threads(2)
from convviz.engine import correlate
correlate.POOL.share = lambda key: True  # every big call shared, however timings look
Xe = np.ones((6, 8)); Xe[:, 2:6] = 0
train_expected = e.train_kernel(Xe, e.corr2d(Xe, [[1, -1]]), [[0.3, 0.1]], steps=20).losses

start = threading.Barrier(3)
bad = []

def gui():   # the GUI thread: never waits for a compile, small grids
    e.never_wait_in_this_thread()
    start.wait()
    for _ in range(60):
        for i in (3, 0):
            if not np.array_equal(e.corr2d(*cases[i][:2], **cases[i][2]), expected[i]):
                bad.append(("gui", i))
        e.window_steps(*cases[3][:2])[5]

def warm():  # the warm-up thread
    start.wait()
    e.warm_up()
    for _ in range(20):
        for i in (1, 4):
            if not np.array_equal(e.corr2d(*cases[i][:2], **cases[i][2]), expected[i]):
                bad.append(("warm", i))

def worker():  # a worker: big pictures and training
    start.wait()
    for _ in range(20):
        for i in (0, 1, 2, 4):
            if not np.array_equal(e.corr2d(*cases[i][:2], **cases[i][2]), expected[i]):
                bad.append(("worker", i))
        losses = e.train_kernel(Xe, e.corr2d(Xe, [[1, -1]]), [[0.3, 0.1]], steps=20).losses
        if not np.allclose(losses, train_expected, rtol=1e-12, atol=0):
            bad.append(("worker", "train"))

threads = [threading.Thread(target=f) for f in (gui, warm, worker)]
for t in threads: t.start()
for t in threads: t.join()
import numba
try:
    layer = numba.threading_layer()
except ValueError:
    layer = "never entered"
print(json.dumps({"bad": bad, "layer": layer}))
"""


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One numba cache for the layers: the first process fills it, the others load it."""
    return str(tmp_path_factory.mktemp("numba-cache"))


@pytest.mark.parametrize("layer", ["omp", "workqueue", "tbb"])
def test_three_threads_at_once_under_each_threading_layer(layer, shared_cache):
    """Exact results, no crash, whichever layer numba is forced to (tbb even when absent).

    The engine never enters numba's threading layer, so a layer that is not
    installed (tbb here) cannot break it either.
    """
    import json

    out = json.loads(
        run_python(THREE_THREADS, NUMBA_THREADING_LAYER=layer, NUMBA_CACHE_DIR=shared_cache)
    )
    assert out == {"bad": [], "layer": "never entered"}


def test_the_call_that_starts_the_helpers_does_not_count_in_the_pools_choice():
    """Starting a thread cost a 1024^2 3x3 call 2.5x its time: counted in the first
    trial of sharing (a median of three), it kept a new pool on one thread."""
    pool = sharing_pool()
    recorded = []
    pool.record = lambda key, shared, *a, **k: recorded.append(shared)  # type: ignore[method-assign]
    pool.run(blocks_of(4, lambda b: None), 4, "k")
    assert recorded == []  # the helpers started in this call
    pool.run(blocks_of(4, lambda b: None), 4, "k")
    assert recorded == [True]
    pool.close()


def test_one_call_the_os_set_aside_does_not_change_the_choice(monkeypatch):
    """1-2 in a thousand shared calls waited 1-2 ms for a descheduled thread."""
    pool, _clock, _others = _fake_machine(monkeypatch)
    pool.record("a", False, 1.0, 1.0)
    pool.record("a", True, 0.5, 1.0, helped=0.5)
    pool.record("a", True, 20.0, 1.0, helped=0.5)  # one call 40x the mean
    assert pool._costs["a"].shared < _pool.MARGIN * pool._costs["a"].serial
    assert pool.share("a") is True
    for _ in range(4):  # a lasting slowdown still moves the mean within a few calls
        pool.record("a", True, 3.0, 1.0, helped=0.5)
    assert pool.share("a") is False


def test_a_choice_the_means_changed_is_explored_again_within_explore_s(monkeypatch):
    pool, clock, _others = _fake_machine(monkeypatch)
    pool.record("a", False, 2.0, 1.0)
    pool.record("a", True, 1.0, 1.0, helped=0.5)
    assert pool.share("a") is True
    for _ in range(3):  # explorations keep confirming sharing: they come rarer
        clock[0] += _pool.EXPLORE_MAX_S + 0.1
        for _ in range(_pool.EXPLORE_CALLS):
            assert pool.share("a") is False
            pool.record("a", False, 2.0, 1.0)
    assert pool._costs["a"].period == _pool.EXPLORE_MAX_S
    explored = pool._costs["a"].explored
    for _ in range(8):  # a moment's load: sharing's mean passes one thread's
        pool.record("a", True, 4.0, 1.0, helped=0.5)
    assert pool.share("a") is False
    clock[0] = explored + _pool.EXPLORE_S + 0.1  # well before EXPLORE_MAX_S
    assert [pool.share("a") for _ in range(_pool.EXPLORE_CALLS)] == [True] * _pool.EXPLORE_CALLS


NO_COUNTER = """
import json
from convviz.engine import _kernels
_kernels._X86 = False  # compiled as on ARM: no pause, no cycle counter
import numpy as np
box = np.zeros(32, np.int64)
waited = _kernels.pool_sync(box, 1, 0, 0)  # no job: must not spin for ever
box[10] = 0
box[9] = 1  # one helper in job 0, not left
closed = _kernels.pool_sync(box, 4, 0, 0)
print(json.dumps([waited, int(box[16]), closed, _kernels.pool_sync(box, 7, 0, 0)]))
"""


def test_without_a_cycle_counter_a_helper_sleeps_at_once_and_never_hangs(tmp_path):
    """Where there is no time-stamp counter (ARM) the pool must not spin for ever."""
    out = run_python(NO_COUNTER, NUMBA_CACHE_DIR=str(tmp_path))
    waited, asleep, closed, cycles = json.loads(out)
    assert (waited, asleep) == (-1, 1)  # it marked itself asleep
    assert closed == 1 + _pool._STILL_IN  # the caller stops spinning too
    assert cycles == 0
