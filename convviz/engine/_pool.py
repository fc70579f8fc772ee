"""Blocks of output rows on a few threads, the calling thread doing its share.

Why not numba's ``parallel=True`` (measured on a 2-core machine, see
``benchmarks/bench_engine.py``): its OpenMP layer spin-waits and a parallel
call waits for its slowest thread, so with two other busy processes one
descheduled worker stalled every call (1024² 3×3 at 0.02× of OpenCV); its
workqueue layer aborts the process when two threads enter parallel code at
once; and every parallel variant is a second, slow compile. Here:

- the caller takes blocks from the same counter as the helpers, so a helper
  that the OS does not schedule costs nothing but the blocks it already took:
  at worst the call runs as a single-threaded one would, plus one block;
- helpers sleep on a queue between calls (no spinning), and a helper that
  wakes up after the call has finished finds it closed and goes back to sleep;
- a second thread calling while a job runs (the GUI and a worker at once)
  simply runs its own call serially: nothing is shared but the counter of a
  job, and no call ever waits for another call;
- the number of helpers comes from the CPUs this process may run on, not
  from any environment variable.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Callable


def usable_cores() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class _Job:
    """One call's blocks: a shared counter, and who is still working on them."""

    __slots__ = ("active", "closed", "counter", "done", "error", "lock", "nblocks", "ok", "task")

    def __init__(self, task: Callable[[int], bool], nblocks: int) -> None:
        self.task = task
        self.nblocks = nblocks
        self.counter = itertools.count()  # next() is atomic under the GIL
        self.lock = threading.Lock()
        self.active = 0
        self.closed = False
        self.done = threading.Event()
        self.ok = True
        self.error: BaseException | None = None

    def work(self) -> bool:
        ok = True
        task, n, counter = self.task, self.nblocks, self.counter
        while True:
            b = next(counter)
            if b >= n:
                return ok
            ok = task(b) and ok


class RowPool:
    """Run ``task(b)`` for ``b`` in ``range(nblocks)`` on the caller and ``helpers`` threads."""

    def __init__(self, helpers: int) -> None:
        self.helpers = max(0, int(helpers))
        self._busy = threading.Lock()  # one job at a time; a second caller runs serially
        self._start_lock = threading.Lock()
        self._queues: list[queue.SimpleQueue] = []
        self._pid = os.getpid()

    def _ensure_threads(self) -> None:
        if self._pid != os.getpid():  # forked: the threads stayed in the parent
            self._queues, self._pid = [], os.getpid()
        if len(self._queues) == self.helpers:
            return
        with self._start_lock:
            while len(self._queues) < self.helpers:
                q: queue.SimpleQueue = queue.SimpleQueue()
                t = threading.Thread(
                    target=_helper, args=(q,), name=f"convviz-rows-{len(self._queues)}"
                )
                t.daemon = True  # never keeps the program alive
                t.start()
                self._queues.append(q)

    def run(self, task: Callable[[int], bool], nblocks: int) -> bool:
        """All blocks done, on return; True if every ``task`` returned True."""
        if self.helpers == 0 or nblocks < 2 or not self._busy.acquire(blocking=False):
            ok = True
            for b in range(nblocks):
                ok = task(b) and ok
            return ok
        try:
            self._ensure_threads()
            job = _Job(task, nblocks)
            for q in self._queues:
                q.put(job)
            try:
                ok = job.work()
            finally:
                with job.lock:
                    job.closed = True
                    wait = job.active > 0
                if wait:  # only helpers that took blocks are waited for
                    job.done.wait()
            if job.error is not None:
                raise job.error
            return ok and job.ok
        finally:
            self._busy.release()


def _helper(q: queue.SimpleQueue) -> None:  # pragma: no cover - runs on helper threads
    while True:
        job: _Job = q.get()
        with job.lock:
            if job.closed:
                continue
            job.active += 1
        ok = True
        try:
            ok = job.work()
        except BaseException as exc:  # handed to the caller, which raises it
            job.error = exc
            ok = False
        finally:
            with job.lock:
                job.ok = job.ok and ok
                job.active -= 1
                if job.active == 0 and job.closed:
                    job.done.set()
