"""The learning view's training driver: a timer, slices of steps, and the pace.

:class:`TrainingDriver` advances a Qt-free
:class:`~convviz.model.learning.LearningRun` while the learning view shows
it: a QTimer calls ``advance(n)`` every :data:`TICK_MS` with ``n`` adapted so
each slice of training takes at most about :data:`BUDGET_S` (less when
painting is slow or the machine busy), then asks for one redraw in a
separate event, so the window stays responsive and the plots refresh at
most 60 times a second however fast training goes. A pace (steps per
second) holds it back so a short run can be watched.

The driver decides *when* to step; the view decides what a slice means
(diverged, converged, done: :attr:`on_slice`) and draws (:attr:`on_draw`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

from ...model.learning import LearningRun

#: Milliseconds between slices: 17 ms keeps redraws just under 60 a second.
TICK_MS = 17
#: Seconds of training per slice: with the redraw that follows, a key press
#: waits at most a few tens of milliseconds.
BUDGET_S = 0.008
#: The least a slice may be given when frames overrun.
BUDGET_MIN_S = 0.001
#: "Run until converged" gives up after this many steps.
UNTIL_CAP = 10_000_000


class TrainingDriver(QObject):
    """Trains one run towards :attr:`target` steps, a slice per timer tick.

    ``pace()`` gives steps per second (None: as fast as the budget allows)
    and ``threshold()`` the loss at which "until converged" stops; both are
    read at each tick, so a change of the pace takes effect at once.
    """

    def __init__(
        self,
        parent: QObject,
        *,
        pace: Callable[[], float | None],
        threshold: Callable[[], float],
        on_slice: Callable[[], None],
        on_draw: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self.pace = pace
        self.threshold = threshold
        self.on_slice = on_slice  # after each slice: the view may stop() the driver
        self.on_draw = on_draw  # a redraw, in its own event after a slice
        self.run: LearningRun | None = None
        self.training = False
        self.until = False  # "run until converged": stop below the threshold
        self.target = 0  # the step count this press of Train runs to
        self.slices = 0  # slices run by the timer (for tests and the benchmark)
        self._n = 32  # steps per slice, adapted to the budget
        self._budget = BUDGET_S  # seconds per slice, adapted to the frame period
        self._last_tick = 0.0
        self._draw_pending = False
        self._pace_t0 = 0.0
        self._pace_s0 = 0
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    # ------------------------------------------------------------ targets
    def forget(self) -> None:
        """A new run (or this one reset): no target yet."""
        self.target = 0
        self.until = False

    def aim_steps(self, run: LearningRun, steps: int) -> None:
        """Train resumes towards the target, or sets a new one ``steps`` ahead."""
        if self.until or run.steps >= self.target:
            self.until = False
            self.target = run.steps + steps

    def aim_until(self, run: LearningRun) -> None:
        """Until converged: at most :data:`UNTIL_CAP` more steps."""
        self.until = True
        self.target = run.steps + UNTIL_CAP

    @property
    def reached(self) -> bool:
        return self.run is not None and self.run.steps >= self.target

    # ------------------------------------------------------------ running
    def start(self, run: LearningRun) -> None:
        """Train ``run`` now: the first slice at once, then one per tick.

        The first slice is drawn at once too, not in an event of its own: the press
        or the slide that started the run is then painted once, with its first step,
        instead of painted at step 0 and again at step 1 a moment later.
        """
        self.run = run
        self.training = True
        self._last_tick = 0.0
        self.restart_pace()
        self.timer.start()
        self._tick()
        self._draw()

    def hold_ticks(self) -> None:
        """Training, but no slice until :meth:`resume_ticks`: the first frame stays on
        the screen as it is (a slide's picture, while the live slide is painted under
        it)."""
        self.timer.stop()

    def resume_ticks(self) -> None:
        """Slices go on, if training still is."""
        if self.training and not self.timer.isActive():
            self.timer.start()

    def pause(self) -> None:
        """Stop ticking; the target stays, so Train resumes towards it."""
        self.training = False
        self.timer.stop()

    def stop(self) -> None:
        """The run ended (done, converged, diverged): the next Train counts from here."""
        if self.until and self.run is not None:
            self.target = self.run.steps
        self.until = False
        self.pause()

    def restart_pace(self) -> None:
        """Count the pace from now (a new pace, or a new start)."""
        self._pace_t0 = time.perf_counter()
        self._pace_s0 = self.run.steps if self.run is not None else 0

    def drawn(self) -> None:
        """The view drew: a redraw already asked for is no longer due."""
        self._draw_pending = False

    # ----------------------------------------------------------- the timer
    def _tick(self) -> None:
        """One slice of training; the redraw follows as a separate event."""
        run = self.run
        if not self.training or run is None:
            self.timer.stop()
            return
        self._adapt_budget(time.perf_counter())
        want = min(self._n, self.target - run.steps)
        rate = self.pace()
        if rate is not None:
            allowed = int(rate * (time.perf_counter() - self._pace_t0)) + 1
            want = min(want, allowed - (run.steps - self._pace_s0))
        if want <= 0:
            return
        stop_below = self.threshold() if self.until else None
        t0 = time.perf_counter()
        taken = run.advance(want, stop_below=stop_below)
        dt = time.perf_counter() - t0
        if taken and dt > 0:
            self._n = max(1, min(int(taken * self._budget / dt), 4 * self._n, 5_000_000))
        self.slices += 1
        self.on_slice()
        if self.training:
            # Drawn in its own event, so a key press can come between the two.
            if not self._draw_pending:
                self._draw_pending = True
                QTimer.singleShot(0, self, self._draw)
        else:
            self.on_draw()

    def _draw(self) -> None:
        if self._draw_pending:
            self._draw_pending = False
            self.on_draw()

    def _adapt_budget(self, now: float) -> None:
        """Shrink the training slice when whole frames overrun the tick (slow painting,
        a busy machine), grow it back when they fit: input stays served first."""
        if self._last_tick:
            period = now - self._last_tick
            if period > 1.3 * TICK_MS / 1000:
                self._budget = max(BUDGET_MIN_S, self._budget * 0.7)
            elif period < 1.15 * TICK_MS / 1000:
                self._budget = min(BUDGET_S, self._budget * 1.1)
        self._last_tick = now
