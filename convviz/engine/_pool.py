"""Blocks of output rows on a few threads, the calling thread doing its share.

Why not numba's ``parallel=True`` (measured on a 2-core machine, see
``benchmarks/bench_engine.py``): its OpenMP layer spin-waits and a parallel
call waits for its slowest thread, so with two other busy processes one
descheduled worker stalled every call (1024² 3×3 at 0.02× of OpenCV); its
workqueue layer aborts the process when two threads enter parallel code at
once; and every parallel variant is a second, slow compile. Here:

- the caller takes blocks from the same counter as the helpers, so a helper
  that the OS does not schedule costs nothing but the block it holds: at
  worst the call runs as a single-threaded one would, plus one block;
- every thread takes its blocks inside one compiled call (an atomic counter,
  ``_kernels._claim``), not one Python call per block: a thread needs the GIL
  only to start and to finish, so a helper descheduled while holding the GIL
  (which stalls every other thread of the process) is rare;
- a job is handed over through a small int64 array, the "box"
  (``_kernels.pool_sync``: atomic steps, no lock, no GIL): after a shared
  call a helper spins there for SPIN_S for the next job, then sleeps on its
  queue, and a call that finds it asleep wakes it. Waking a sleeping thread
  cost 70-80 us on a 2-core VM, and the caller 30 us more, in a 1024^2 3x3
  call of 350 us, and the caller then slept again until the helper had let
  go; with the spin, calls in a row are shared at 0.24 ms (median) against
  0.30 through the queues alone and 0.35 on one thread
  (``benchmarks/bench_engine.py``). A helper enters a job with one atomic
  step that fails once the caller has closed it, so a helper that wakes
  after the caller has done every block does nothing; the caller returns
  only once every helper that entered has left (spinning a while, then
  polling), so none still works on, or holds the GIL for, a call that has
  returned. A helper waits to return to Python until the caller is in its
  compiled loop (the first block claimed), so that the GIL is free then;
- a second thread calling while a job runs (the GUI and a worker at once)
  simply runs its own call serially: nothing is shared but the counter of a
  job, and no call ever waits for another call;
- the pool measures which pays, per kind of call: it starts with the median
  of EXPLORE_CALLS calls each way, then keeps a running mean of
  the time per unit of work of calls run on one thread and of calls shared,
  runs each call the way that is faster now, and every EXPLORE_S seconds
  runs EXPLORE_CALLS calls the other way, whose median time then stands for
  that way (a stale mean kept a way unused for seconds after the load that
  made it slow had ended); while explorations keep finding the other way
  slower, they come less often (up to EXPLORE_MAX_S apart; EXPLORE_S again
  once the means change the choice), and none comes
  while other programs' runnable threads fill every other core. When the helpers
  keep being descheduled (two busy programs on two cores) sharing loses and
  the calls stay on one thread; so over many calls the engine is never much
  slower than a single-threaded run of itself, and idle it uses every core;
- the number of helpers comes from the CPUs this process may run on, not
  from any environment variable.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable

import numpy as np

from . import _kernels

#: Seconds between explorations (EXPLORE_CALLS calls run the way that
#: currently looks slower): as many exploring calls a second as the former one
#: call every 0.5 s. Every 0.5 s, on a busy machine (two busy processes), the
#: slow shared calls made corr2d 0.84x / 0.89x as fast as one thread at 1024^2 /
#: 2048^2 3x3 (at 2048^2 only ~30 calls fall in 0.5 s of the benchmark).
EXPLORE_S = 1.5
#: Longest time between explorations: each one that finds the slower way still
#: slower doubles the time to the next, up to this (back to EXPLORE_S when one
#: finds it faster). On a busy machine the exploring calls were the cost of
#: the pool: at 2048^2 3x3 with two busy processes, 20 exploring calls of ~8 ms
#: against 1.7 ms on one thread, ~6 % of the total; the benchmark's ratio to
#: one thread also varies +-15 % from run to run there (stalls of 10-20 ms).
EXPLORE_MAX_S = 6.0
#: Weight of the newest call in the running mean of the time per unit of work.
ALPHA = 0.2
#: A call counts in the running mean as at most this many times the mean: a
#: thread the OS set aside for a millisecond or two (1-2 in a thousand shared
#: 1024^2 3x3 calls on this VM took 1.6-2.4 ms, the median 0.28) moved the mean
#: of sharing past one thread's at once, and the pool then kept the calls on
#: one thread for seconds at 1.5x the time. A lasting change still moves it
#: within a few calls.
CLIP = 2.0
#: Calls in a row run the way that looked slower, every EXPLORE_S; the median
#: of their times replaces that way's mean (a stale mean, moved by ALPHA once
#: every EXPLORE_S, kept a way that had become faster again unused for seconds
#: after a neighbour's burst of load: 1024^2 7x7 stayed on one thread for about
#: 4 s, at 0.6x the speed of sharing; one call alone was too noisy a figure:
#: at 2048^2 3x3 on a quiet machine the pool shared only 34-69 of ~210 calls
#: although sharing took 1.24 ms against 1.74). On a busy machine this costs
#: EXPLORE_CALLS slow calls in every EXPLORE_S.
EXPLORE_CALLS = 3
#: Calls of a kind the pool runs on one thread that follow one asked and timed
#: call unasked and untimed: asking and timing cost about 17 us a call with the
#: caches cold after a large loop (share 6, perf_counter and record 9, the key
#: 2), 4-5 % of a 1024^2 3x3 call, and made corr2d 0.91-0.96x as fast as a
#: one-thread run of itself where the pool ran it on one thread anyway.
UNTIMED_CALLS = 7
#: The same while other programs fill every other core, so the pool keeps calls
#: on one thread whatever they measure: beside two busy processes the pool's
#: asking and timing left corr2d at 0.97-0.99x of a one-thread run of itself
#: (without the caller's run-queue waits, bench_engine --busy). The next
#: look at the load waits for this many calls (at most 0.5 s at 2048^2 7x7).
UNTIMED_UNDER_LOAD = 63
#: Seconds between looks at other programs' load while calls are shared, or while
#: they run on one thread only because those programs fill every other core: a call's
#: own timing misses what sharing costs on a busy machine (the helper takes the
#: caller's core, so the caller waits after the call), so sharing stops as soon
#: as other programs fill every other core. Measured: with two busy processes
#: starting while 1024^2 3x3 calls were shared, 144 calls in 4 s stayed shared
#: (helpers doing 82 % of the blocks), 0.83x the speed of one thread. A look
#: costs ~70 us (see :func:`others_running`).
LOAD_CHECK_S = 0.25
#: Sharing is preferred only while the helpers do at least this share of the
#: blocks (running mean): a helper that mostly wakes too late to help buys
#: nothing and costs its wake-up and, now and then, a wait for its block. (At
#: 0.25, a few calls in a row that a descheduled helper missed took idle
#: 1024^2 3x3 calls, shared at 0.8x the time of one thread, off sharing.)
MIN_HELP = 0.1
#: Sharing is preferred only when its measured time is below this fraction of
#: one thread's. It was 0.85, for a cost the call's own timing could not see: a
#: helper that ended its part late still held the GIL after the call returned
#: (with two busy processes, 1024^2 3x3 ran at 0.77x of one thread without a
#: margin). Helpers now leave a job inside compiled code before the call
#: returns; at 0.85 idle 1024^2 3x3 calls stayed on one thread in most
#: benchmark rounds although shared ones took 0.82x the time.
MARGIN = 0.95
#: How long a helper spins for the next job after each shared call before it
#: sleeps. Waking a sleeping helper cost 70-80 us on a 2-core VM (and the
#: caller 30 us more to wake it), a fifth of a 1024^2 3x3 call; one still
#: spinning starts at once. Calls in a row (a picture's edge maps, a benchmark
#: loop) come well within this; a lone call leaves one core busy this long.
SPIN_S = 300e-6
#: Time-stamp cycles a second assumed until the pool has measured the rate.
_ASSUMED_HZ = 3e9
#: Seconds between looks while a helper that spun out of time finishes its block.
_POLL_S = 50e-6


class _Costs:
    """Running mean seconds per unit of work, on one thread and shared."""

    __slots__ = (
        "checked",
        "chosen",
        "explore_left",
        "explored",
        "exploring",
        "help",
        "period",
        "serial",
        "shared",
        "trial",
        "untimed",
    )

    def __init__(self) -> None:
        self.serial: float | None = None
        self.shared: float | None = None
        self.help = 1.0  # running mean of the helpers' share of the blocks
        self.explored = time.monotonic()  # when calls last ran the slower way
        self.exploring: bool | None = None  # the way (shared?) being explored, if any
        self.explore_left = 0  # calls still to run that way
        self.trial: list[float] = []  # their times per unit of work
        self.period = EXPLORE_S  # seconds from one exploration to the next
        self.chosen: bool | None = None  # the way the means chose at the last call asked
        self.untimed = 0  # calls still to run on one thread without asking or timing
        self.checked = 0.0  # when other programs' load was last looked at while sharing


def usable_cores() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def others_running(path: str = "/proc/loadavg", tasks: str = "/proc/self/task") -> int:
    """Threads of other programs running or ready to run now (Linux; 0 elsewhere).

    /proc/loadavg's count of runnable threads, less this process's own runnable
    threads (the calling one among them): counting our own, a library's worker
    threads that spin after their calls (OpenCV's, beside corr2d in the
    benchmark) read as two busy programs 97 % of the time on a quiet machine,
    and the pool stopped trying to share 2048^2 calls (1.07-1.31x cv2 in those
    rounds, 1.97-2.41x in rounds that shared). Read only when the pool would try
    sharing again (every EXPLORE_S to EXPLORE_MAX_S seconds).
    """
    try:
        with open(path, "rb") as f:
            running = int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return 0
    return max(0, running - _own_running(tasks))


def _own_running(tasks: str) -> int:
    """This process's threads in state R (at least 1: the caller)."""
    own = 0
    try:
        names = os.listdir(tasks)
    except OSError:
        return 1
    for name in names:
        try:
            with open(os.path.join(tasks, name, "stat"), "rb") as f:
                stat = f.read()
        except OSError:  # the thread ended meanwhile
            continue
        # "pid (comm) S ...": the comm may hold spaces and parentheses
        if stat[stat.rfind(b")") + 2 : stat.rfind(b")") + 3] == b"R":
            own += 1
    return max(own, 1)


# Slots of the box, the int64 array through which the caller and its helpers
# hand a job over (the compiled side is ``_kernels.pool_sync``).
_CLAIM, _BAD = 0, 1  # the loops' ``state``: next block, a value not finite
_BUDGET = 11  # how long a helper spins for the next job, in time-stamp cycles
#: pool_sync's operations.
_WAIT, _ENTER, _PUBLISH, _CLOSE, _LEFT, _AWAKE, _CYCLES = 1, 2, 3, 4, 5, 6, 7
#: Added to _CLOSE's count of helpers when some had not left by the end of its spin.
_STILL_IN = 10000


class _Job:
    """One call: its generation, the function every thread runs, a helper's error."""

    __slots__ = ("error", "gen", "work")

    def __init__(self, gen: int, work: Callable[[np.ndarray], object]) -> None:
        self.gen = gen
        self.work = work  # takes blocks until none is left; safe to run on several threads
        self.error: BaseException | None = None


class RowPool:
    """Run a job's blocks on the calling thread and up to ``helpers`` more threads."""

    def __init__(self, helpers: int) -> None:
        self.helpers = max(0, int(helpers))
        self._busy = threading.Lock()  # one job at a time; a second caller runs serially
        self._start_lock = threading.Lock()
        self._queues: list[queue.SimpleQueue] = []
        self._pid = os.getpid()
        self._costs: dict[object, _Costs] = {}
        self._box = self._new_box()
        self._gen = 0
        self._job: list[_Job | None] = [None]  # the newest job, read by the helpers
        self._tsc: tuple[float, int] | None = None  # (perf_counter, cycles) to calibrate

    def share(self, key: object) -> bool:
        """Whether the next call of this kind should be shared with the helpers."""
        c = self._costs.get(key)
        if c is None:
            c = self._costs[key] = _Costs()
        if c.serial is None or c.shared is None:
            # first EXPLORE_CALLS calls on one thread, then as many shared: the
            # median of each way stands for it (one call alone, preempted, once
            # kept 2048^2 calls shared at 2x one thread's time for a 1.5 s round)
            way = c.serial is not None
            if way and c.exploring is not True and others_running() > self.helpers:
                # other programs fill every other core: no shared trial now (with
                # two busy processes, 1024^2 3x3 shared calls took 0.5-5.5 ms against
                # 0.4 on one thread); sharing counts as slower until an exploration,
                # which waits for a free core, finds otherwise
                c.shared, c.untimed = float("inf"), UNTIMED_UNDER_LOAD
                c.explored = time.monotonic() - c.period + LOAD_CHECK_S  # look again soon
                return False
            if c.exploring is not way:
                c.exploring, c.trial = way, []
            return way
        if c.exploring is not None and c.explore_left > 0:
            c.explore_left -= 1
            return c.exploring
        faster = c.shared < MARGIN * c.serial and c.help >= MIN_HELP
        now = time.monotonic()
        if faster is not c.chosen:
            # the running means changed the choice: the way left is explored again
            # EXPLORE_S after the last exploration at most, however long
            # explorations that confirmed it had made the period (a 6 s period kept
            # idle 1024^2 3x3 calls on one thread, at 1.5-2x the time, for seconds
            # after a moment's load)
            if c.chosen is not None:
                c.period = EXPLORE_S
            c.chosen = faster
        if faster and now - c.checked > LOAD_CHECK_S:
            c.checked = now
            if others_running() > self.helpers:
                # other programs now fill every other core: stop sharing at once;
                # an exploration tries it again once a core is free
                c.shared, c.untimed = float("inf"), UNTIMED_UNDER_LOAD
                c.explored = now - c.period + LOAD_CHECK_S  # look again soon
                return False
        if now - c.explored > c.period:
            if not faster and others_running() > self.helpers:
                # other programs keep every other core busy right now: a helper
                # would wait for one, and the exploring calls with it (they cost
                # 7-9 ms each at 1024^2 3x3 beside two busy processes, against
                # 0.4 on one thread); look again LOAD_CHECK_S later, not a whole
                # period (a neighbour's load comes and goes: waiting up to
                # EXPLORE_MAX_S each time left three quiet 1.5 s benchmark rounds in
                # a row at 1024^2 7x7 all on one thread, 0.71-0.88x cv2)
                c.explored = now - c.period + LOAD_CHECK_S
                c.untimed = UNTIMED_UNDER_LOAD
                return False
            c.explored = now
            c.exploring, c.explore_left, c.trial = not faster, EXPLORE_CALLS - 1, []
            return not faster
        if not faster:
            c.untimed = UNTIMED_CALLS
        return faster

    def settled_on_one_thread(self, key: object) -> bool:
        """True for a call to run on one thread without asking :meth:`share` or being
        timed: the pool chose one thread for this kind of call, and times one call in
        UNTIMED_CALLS + 1 of those (see there why)."""
        c = self._costs.get(key)
        if c is None or not c.untimed:
            return False
        c.untimed -= 1
        return True

    def record(
        self, key: object, shared: bool, seconds: float, work: float, helped: float = 0.0
    ) -> None:
        """Add one call's time (and, shared, the helpers' share of blocks) to the means."""
        c = self._costs.get(key)
        if c is None:  # (not setdefault: that builds a _Costs on every call)
            c = self._costs[key] = _Costs()
        elif not shared and c.exploring is None and c.serial is not None:  # the common call
            c.serial += ALPHA * (min(seconds / max(work, 1e-12), CLIP * c.serial) - c.serial)
            return
        if shared:
            c.help = (1 - ALPHA) * c.help + ALPHA * helped
        per = seconds / max(work, 1e-12)
        old = c.shared if shared else c.serial
        explored = c.exploring
        if explored is shared:  # one of the calls exploring this way
            c.trial.append(per)
            if len(c.trial) < EXPLORE_CALLS:
                return
            new = sorted(c.trial)[len(c.trial) // 2]  # their median stands for this way
            c.exploring, c.trial = None, []
        else:
            new = per if old is None else (1 - ALPHA) * old + ALPHA * min(per, CLIP * old)
            explored = None
        if shared:
            c.shared = new
        else:
            c.serial = new
        if explored is not None and c.serial is not None and c.shared is not None:
            prefer_shared = c.shared < MARGIN * c.serial and c.help >= MIN_HELP
            # found the explored way faster now, or this was the first trial (a new
            # process's first calls pay page faults and a thread's start): look
            # again soon; else wait longer
            first = old is None
            slower = prefer_shared is not explored and not first
            c.period = min(2 * c.period, EXPLORE_MAX_S) if slower else EXPLORE_S

    @staticmethod
    def _new_box() -> np.ndarray:
        box = np.zeros(32, np.int64)
        box[_BUDGET] = int(SPIN_S * _ASSUMED_HZ) if _kernels.SPINS else 0
        return box

    def _ensure_threads(self) -> bool:
        """Start the helper threads if they are not running; True if it did."""
        if self._pid != os.getpid():  # forked: the threads stayed in the parent
            self._queues, self._pid, self._box = [], os.getpid(), self._new_box()
        if len(self._queues) == self.helpers:
            return False
        with self._start_lock:
            while len(self._queues) < self.helpers:
                q: queue.SimpleQueue = queue.SimpleQueue()
                t = threading.Thread(
                    target=_helper,
                    # the generation before this call's: the helper serves this call
                    args=(q, self._box, len(self._queues), self._job, int(self._box[8])),
                    name=f"convviz-rows-{len(self._queues)}",
                )
                t.daemon = True  # never keeps the program alive
                t.start()
                self._queues.append(q)
        return True

    def close(self) -> None:
        """Let the helper threads end once they have served what is queued."""
        with self._start_lock:
            for q in self._queues:
                q.put(None)
            self._queues = []
            self.helpers = 0

    def run(
        self,
        work: Callable[[np.ndarray], int | None],
        nblocks: int,
        key: object = None,
        size: float = 1.0,
    ) -> bool:
        """Run ``work(state)`` on the calling thread and, if sharing pays, on the helpers too.

        ``work`` takes blocks from ``state[0]``, a counter shared by every
        thread that runs it, until none is left, so one call on one thread
        does the whole job; it may set ``state[1]`` (the loops: a value came
        out not finite), which is returned as a bool; it returns how many
        blocks it did (None: not counted). All of it is done on return. Calls
        with the same ``key`` are alike (same loop, similar size): their
        measured times decide whether the next one is shared; ``size`` is the
        call's work in any unit that is the same for all of them.
        """
        t0 = time.perf_counter()
        if self.helpers > 0 and nblocks > 1 and self.share(key):
            return self.run_shared(work, nblocks, key, size, t0)
        state = np.zeros(2, np.int64)
        work(state)
        self.record(key, False, time.perf_counter() - t0, size)
        return bool(state[_BAD])

    def run_shared(
        self,
        work: Callable[[np.ndarray], int | None],
        nblocks: int,
        key: object = None,
        size: float = 1.0,
        t0: float | None = None,
    ) -> bool:
        """:meth:`run` once :meth:`share` has said yes (the caller asked it before
        cutting the job into blocks: a call on one thread runs as one block)."""
        if t0 is None:
            t0 = time.perf_counter()
        if self.helpers == 0 or nblocks < 2 or not self._busy.acquire(blocking=False):
            state = np.zeros(2, np.int64)
            work(state)  # another call holds the helpers: this one runs alone, unrecorded
            return bool(state[_BAD])
        try:
            started = self._ensure_threads()
            box = self._box
            self._gen += 1
            job = self._job[0] = _Job(self._gen, work)
            asleep = _kernels.pool_sync(box, _PUBLISH, job.gen, len(self._queues))
            for k, q in enumerate(self._queues):
                if asleep >> k & 1:
                    q.put(True)  # wake it (one still spinning takes the job at once)
            mine = None
            try:
                mine = work(box)
            finally:
                entered = _kernels.pool_sync(box, _CLOSE, 0, 0)
                if entered >= _STILL_IN:  # a helper still in a block (descheduled?)
                    entered -= _STILL_IN
                    while _kernels.pool_sync(box, _LEFT, entered, 0) > 0:
                        time.sleep(_POLL_S)
                self._job[0] = None
            if job.error is not None:
                raise job.error
            helped = 1.0 - mine / nblocks if isinstance(mine, int) else 1.0
            if not started:  # (starting a thread cost a 1024^2 3x3 call 2.5x its time)
                self.record(key, True, time.perf_counter() - t0, size, helped)
            self._calibrate()
            return bool(box[_BAD])
        finally:
            self._busy.release()

    def _calibrate(self) -> None:
        """The time-stamp counter's rate, for the helpers' spin budget (once, from
        two shared calls at least 20 ms apart; until then ``_ASSUMED_HZ``)."""
        if self._tsc is not None and self._tsc[0] < 0:
            return
        now, cycles = time.perf_counter(), _kernels.pool_sync(self._box, _CYCLES, 0, 0)
        if self._tsc is None:
            self._tsc = (now, cycles)
        elif now - self._tsc[0] > 0.02:
            hz = (cycles - self._tsc[1]) / (now - self._tsc[0])
            if 1e8 < hz < 1e11:
                self._box[_BUDGET] = int(SPIN_S * hz) if _kernels.SPINS else 0
            self._tsc = (-1.0, 0)


def _helper(  # pragma: no cover - runs on helper threads
    q: queue.SimpleQueue, box: np.ndarray, me: int, newest: list, gen: int
) -> None:
    """Serve jobs newer than generation ``gen``: spin briefly for the next one after
    each, else sleep on ``q`` until a caller puts a token (None: the pool closed)."""
    left = 0
    while True:
        g = _kernels.pool_sync(box, _WAIT, gen, me | left << 16)
        left = 0
        if g < 0:  # nothing came while spinning: asleep until a caller puts a token
            if q.get() is None:  # the pool was closed
                return
            _kernels.pool_sync(box, _AWAKE, me, 0)
            continue
        gen = g
        job = newest[0]
        if job is None or job.gen != g or not _kernels.pool_sync(box, _ENTER, g, 0):
            continue  # a late helper skips a job the caller has closed
        left = 1
        try:
            job.work(box)
        except BaseException as exc:  # handed to the caller, which raises it
            job.error = exc
