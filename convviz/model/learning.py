"""Learning a kernel from (X, Y) alone (section 6.2.4), as a run the GUI can drive.

:class:`LearningSettings` says what to learn and how (the shape, the rate,
the loss, the start); :func:`mxnet_edition` and :func:`djl_edition` are the
two printed runs of the chapter. :class:`LearningRun` wraps the engine's
:class:`~convviz.engine.KernelTrainer`: :meth:`LearningRun.advance` takes
steps and keeps what the panel draws in bounded memory (a decimated history
of the loss and the weights, a summary of the full history, the book-style
log lines), and stops cleanly on divergence or convergence. Nothing here
owns a timer or a thread: the GUI calls ``advance`` from its own.

Every step is one full-batch gradient step on the single example (X, Y).
The loss is a quadratic function of the kernel, ``c * |A w - y|^2`` with A
the matrix of input patches, so the loss surface, the largest stable
learning rate and a good one to suggest are all computed exactly from the
Gram matrix ``A^T A``.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict, deque
from dataclasses import astuple, dataclass, field, fields, replace
from typing import cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..engine import Diverged, KernelTrainer
from . import presets
from .events import Event
from .values import ValueProblem, check_array, format_number, parse_block

LOSSES = ("squared", "l2")
INITS = ("normal", "uniform", "typed", "book")
SOURCES = ("chapter", "current")

LOSS_NAMES = {
    "squared": "squared error, summed (MXNet edition)",
    "l2": "L2 loss: half the mean of squares (DJL edition)",
}
#: Each edition's start, keyed by its loss: back-solved from the printed runs, these
#: reproduce both tables digit for digit (MXNet: 4.949 ... 0.004, K = [0.9895, -0.98737];
#: DJL: 0.12571818 ... 0.049037326 within 2e-5, K = [0.4475, -0.4477]). The books
#: start from an unseeded random kernel, so no seed of ours can give these numbers.
BOOK_STARTS: dict[str, tuple[float, float]] = {
    "squared": (0.006834, 0.012998),
    "l2": (0.002172, -0.007958),
}
#: The shape the book's start is for: the chapter's 1×2 kernel.
BOOK_SHAPE = (1, 2)
MAX_KERNEL = 15
MAX_STEPS = 1_000_000_000
MAX_LR = 1e3
MAX_SCALE = 1e3
#: Points kept for plotting; the stride doubles each time the buffer fills.
MAX_POINTS = 4000
#: The most steps :meth:`LearningRun.extent` looks ahead (its cost is these steps again).
PREVIEW_STEPS = 1000
#: Previews (LearningRun.extent) kept: a lesson's learning slides press Train from the
#: same few starting points each time they are shown.
EXTENTS_KEPT = 16
_extents: OrderedDict[tuple[object, ...], tuple[tuple[float, float], tuple[float, float]]] = (
    OrderedDict()
)
#: Log lines kept (the schedule below writes about 300 per million steps).
MAX_LOG_LINES = 2000
#: A loss this many times the first (or 1, whichever is larger) means divergence:
#: with a stable rate, gradient descent on a quadratic never raises the loss.
BLOWUP = 1e6

#: Fields that define the run; changing one of them means starting again.
RUN_FIELDS = (
    "kernel_shape",
    "lr",
    "loss",
    "learn_bias",
    "init",
    "init_scale",
    "seed",
    "typed_kernel",
    "source",
)


# ------------------------------------------------------------------ settings
@dataclass(frozen=True)
class LearningSettings:
    """What to learn and how; :meth:`validated` checks every field.

    ``steps`` is how many steps one press of Train takes; ``threshold`` is
    the loss at which "run until converged" stops; ``log_scale`` is how the
    loss is plotted. With ``source == "current"`` the learned kernel takes
    the session kernel's shape, since that kernel made Y.
    """

    kernel_shape: tuple[int, int] = (1, 2)
    lr: float = 3e-2
    steps: int = 10
    loss: str = "squared"
    learn_bias: bool = False
    init: str = "uniform"
    init_scale: float = 0.07
    seed: int = 0
    typed_kernel: tuple[tuple[float, ...], ...] = ((0.0, 0.0),)
    log_scale: bool = False
    threshold: float = 1e-6
    source: str = "chapter"

    # ------------------------------------------------------------ checking
    def problems(self) -> list[str]:
        """Every problem with these settings, as sentences a student can act on."""
        out: list[str] = []
        shape = self.kernel_shape
        try:
            kh, kw = (int(v) for v in shape)
            if (kh, kw) != tuple(shape) or not (1 <= kh <= MAX_KERNEL and 1 <= kw <= MAX_KERNEL):
                raise ValueError
        except (TypeError, ValueError):
            out.append(
                f"The kernel must be between 1×1 and {MAX_KERNEL}×{MAX_KERNEL} "
                f"(rows × columns), not {shape!r}."
            )
            kh = kw = -1
        if not _is_number(self.lr) or not (0 < self.lr <= MAX_LR):
            out.append(
                f"The learning rate must be a number above 0 and at most {MAX_LR:g}, "
                f"not {self.lr!r}."
            )
        if not _is_int(self.steps) or not (1 <= self.steps <= MAX_STEPS):
            out.append(
                f"The number of steps must be a whole number from 1 to {MAX_STEPS:,}, "
                f"not {self.steps!r}."
            )
        if self.loss not in LOSSES:
            out.append(
                "The loss must be 'squared' (the sum of squared errors, MXNet edition) or "
                f"'l2' (half the mean of squared errors, DJL edition), not {self.loss!r}."
            )
        if self.init not in INITS:
            out.append(
                "The initial kernel must be 'normal', 'uniform', 'typed' or 'book', "
                f"not {self.init!r}."
            )
        elif self.init == "book" and self.source == "chapter" and kh > 0 and (kh, kw) != BOOK_SHAPE:
            out.append(
                f"The book's start is for its 1×2 kernel, not {kh}×{kw}: choose another "
                "start or the 1×2 kernel."
            )
        if not _is_number(self.init_scale) or not (0 <= self.init_scale <= MAX_SCALE):
            out.append(
                f"The initial scale must be a number from 0 to {MAX_SCALE:g}, "
                f"not {self.init_scale!r}."
            )
        if not _is_int(self.seed) or not (0 <= self.seed < 2**32):
            out.append(f"The seed must be a whole number from 0 to {2**32 - 1}, not {self.seed!r}.")
        try:
            typed = check_array(self.typed_kernel, "The typed initial kernel")
        except ValueProblem as exc:
            out.append(str(exc))
        else:
            typed_for_chapter = self.init == "typed" and self.source == "chapter"
            if typed_for_chapter and kh > 0 and typed.shape != (kh, kw):
                out.append(
                    f"The typed initial kernel is {typed.shape[0]}×{typed.shape[1]} but "
                    f"the kernel to learn is {kh}×{kw}: type {kh * kw} numbers in "
                    f"{kh} row{'s' if kh > 1 else ''}."
                )
        if not _is_number(self.threshold) or not self.threshold > 0:
            out.append(f"The loss threshold must be a number above 0, not {self.threshold!r}.")
        if self.source not in SOURCES:
            out.append(
                "The data must come from 'chapter' (the 6×8 image) or 'current' "
                f"(the session's input and kernel), not {self.source!r}."
            )
        if not isinstance(self.learn_bias, (bool, np.bool_)):
            out.append(f"Learn bias must be True or False, not {self.learn_bias!r}.")
        if not isinstance(self.log_scale, (bool, np.bool_)):
            out.append(f"Log scale must be True or False, not {self.log_scale!r}.")
        return out

    def validated(self) -> LearningSettings:
        """A normalised copy (plain ints, floats, tuples); ValueProblem lists what is wrong."""
        bad = self.problems()
        if bad:
            raise ValueProblem(" ".join(bad))
        return replace(
            self,
            kernel_shape=(int(self.kernel_shape[0]), int(self.kernel_shape[1])),
            lr=float(self.lr),
            steps=int(self.steps),
            init_scale=float(self.init_scale),
            seed=int(self.seed),
            typed_kernel=_as_tuple(check_array(self.typed_kernel, "The typed initial kernel")),
            threshold=float(self.threshold),
            learn_bias=bool(self.learn_bias),
            log_scale=bool(self.log_scale),
        )

    def restart_needed(self, other: LearningSettings) -> bool:
        """True when ``other`` differs in a field that defines the run."""
        return any(getattr(self, f) != getattr(other, f) for f in RUN_FIELDS)

    def changed_fields(self, other: LearningSettings) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]

    # ----------------------------------------------------------- the start
    def initial_kernel(self, shape: tuple[int, int] | None = None) -> np.ndarray:
        """K0 for this seed: the same settings always give the same start."""
        shape = cast(
            "tuple[int, int]", tuple(shape) if shape is not None else tuple(self.kernel_shape)
        )
        if self.init == "typed":
            K0 = check_array(self.typed_kernel, "The typed initial kernel")
            if K0.shape != shape:
                raise ValueProblem(
                    f"The typed initial kernel is {K0.shape[0]}×{K0.shape[1]} but the kernel "
                    f"to learn is {shape[0]}×{shape[1]}."
                )
            return K0
        if self.init == "book":
            if shape != BOOK_SHAPE:
                raise ValueProblem(
                    f"The book's start is for its 1×2 kernel, not {shape[0]}×{shape[1]}: "
                    "choose another start."
                )
            return np.array([BOOK_STARTS[self.loss]], dtype=np.float64)
        rng = np.random.default_rng(int(self.seed))
        s = float(self.init_scale)
        if self.init == "normal":
            return rng.normal(0.0, s, shape) if s > 0 else np.zeros(shape)
        return rng.uniform(-s, s, shape)


def mxnet_edition(**changes: object) -> LearningSettings:
    """The Python (MXNet) edition's run: summed squared error, lr 3e-2, 10 steps.

    Gluon initialises a Conv2D's weight uniformly in ±0.07 by default;
    ``init="book"`` starts where the printed run started, and replays its table.
    """
    s = LearningSettings(
        kernel_shape=(1, 2),
        lr=3e-2,
        steps=10,
        loss="squared",
        learn_bias=False,
        init="uniform",
        init_scale=0.07,
        source="chapter",
    )
    return replace(s, **changes).validated()  # type: ignore[arg-type]


def djl_edition(**changes: object) -> LearningSettings:
    """The Java (DJL) edition's run: L2Loss (half the mean of squares), lr 0.40.

    DJL's NormalInitializer draws from a normal distribution with σ = 0.01;
    ``init="book"`` starts where the printed run started, and replays its table.
    """
    s = LearningSettings(
        kernel_shape=(1, 2),
        lr=0.40,
        steps=10,
        loss="l2",
        learn_bias=False,
        init="normal",
        init_scale=0.01,
        source="chapter",
    )
    return replace(s, **changes).validated()  # type: ignore[arg-type]


EDITIONS = {"MXNet edition": mxnet_edition, "DJL edition": djl_edition}


def parse_kernel_text(text: str) -> tuple[tuple[float, ...], ...]:
    """A typed kernel such as ``1, -1`` or ``[[1, -1]]`` (rows on separate lines)."""
    return _as_tuple(parse_block(text))


def kernel_text(K: object) -> str:
    """The inverse of :func:`parse_kernel_text`, for the settings' text box."""
    a = np.atleast_2d(np.asarray(K, dtype=np.float64))
    return "\n".join(", ".join(format_number(v, 6) for v in row) for row in a)


# ---------------------------------------------------------------------- data
def _correlate(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """corr2d without padding or stride, in numpy: cheap, and no compiled code to wait for."""
    win = sliding_window_view(X, K.shape)
    return np.einsum("ijab,ab->ij", win, K)


@dataclass(frozen=True, eq=False)
class LearningData:
    """The one training example and the kernel that made it."""

    X: np.ndarray
    Y: np.ndarray
    K_true: np.ndarray
    source: str

    @classmethod
    def chapter(cls, kernel_shape: tuple[int, int] = (1, 2)) -> LearningData:
        """Section 6.2.3's image and its edge map under K = [1, −1].

        A larger kernel learns [1, −1] padded with zeros on the right and
        below (so Y is the chapter's edge map cropped to the output's size).
        The image's rows are all alike, so for two rows or more many kernels
        fit Y exactly: the one learned need not be the one shown as true.
        """
        X = presets.edge_image()
        kh, kw = (int(v) for v in kernel_shape)
        if kw < 2:
            raise ValueProblem(
                f"A {kh}×{kw} kernel cannot hold the chapter's [1, −1]: it needs at least "
                "2 columns. Use a 1×2 kernel (the book's) or wider."
            )
        if kh > X.shape[0] or kw > X.shape[1]:
            raise ValueProblem(
                f"The kernel is {kh}×{kw}, larger than the chapter's {X.shape[0]}×{X.shape[1]} "
                "image: there is no output to learn from."
            )
        K = np.zeros((kh, kw))
        K[0, :2] = (1.0, -1.0)
        return cls(X, _correlate(X, K), K, "chapter")

    @classmethod
    def from_grids(cls, X: object, K_target: object) -> LearningData:
        """Y = corr2d(X, K_target): the target kernel is known, then hidden."""
        Xa = check_array(X, "The input X")
        Ka = check_array(K_target, "The target kernel")
        if Ka.shape[0] > Xa.shape[0] or Ka.shape[1] > Xa.shape[1]:
            raise ValueProblem(
                f"The target kernel is {Ka.shape[0]}×{Ka.shape[1]}, larger than the input "
                f"({Xa.shape[0]}×{Xa.shape[1]}): there is no output to learn from. Use a "
                "smaller kernel or a larger input."
            )
        return cls(Xa, _correlate(Xa, Ka), Ka, "current")

    def same_as(self, other: LearningData) -> bool:
        return (
            self.X.shape == other.X.shape
            and self.K_true.shape == other.K_true.shape
            and np.array_equal(self.X, other.X)
            and np.array_equal(self.K_true, other.K_true)
        )


def data_for(settings: LearningSettings, session: object = None) -> LearningData:
    """The example ``settings.source`` names; "current" reads ``session.input``/``.kernel``."""
    if settings.source == "chapter":
        return LearningData.chapter(settings.kernel_shape)
    if session is None:
        raise ValueProblem("The data source 'current' needs a session to read X and K from.")
    return LearningData.from_grids(session.input, session.kernel)  # type: ignore[attr-defined]


class Quadratic:
    """The loss as an exact quadratic in the parameters θ (the kernel, then the bias).

    ``L(θ) = c * |A θ - y|^2`` with A the patches of X (a column of ones for
    the bias), ``c = 1`` for "squared" and ``0.5 / n`` for "l2".
    """

    def __init__(
        self, data: LearningData, kernel_shape: tuple[int, int], loss: str, learn_bias: bool = False
    ) -> None:
        kh, kw = kernel_shape
        A = sliding_window_view(data.X, (kh, kw)).reshape(-1, kh * kw)
        if learn_bias:
            A = np.hstack([A, np.ones((A.shape[0], 1))])
        y = data.Y.ravel()
        self.c = 1.0 if loss == "squared" else 0.5 / y.size
        self.G = A.T @ A
        self.b = A.T @ y
        self.yy = float(y @ y)
        self.n_params = A.shape[1]

    def value(self, theta: np.ndarray) -> np.ndarray:
        """The loss at θ; θ may carry leading batch axes (..., n_params)."""
        t = np.asarray(theta, dtype=np.float64)
        quad = np.einsum("...i,ij,...j->...", t, self.G, t)
        return np.maximum(self.c * (quad - 2.0 * (t @ self.b) + self.yy), 0.0)

    @property
    def curvature(self) -> float:
        """The largest eigenvalue of the loss's Hessian ``2 c A^T A``."""
        return float(2.0 * self.c * np.linalg.eigvalsh(self.G).max())

    def max_stable_lr(self) -> float:
        """Rates at or above this make gradient descent diverge (inf: any rate works)."""
        h = self.curvature
        return 2.0 / h if h > 0 else math.inf

    def suggested_lr(self) -> float:
        """A round rate at most ``1 / curvature``: fast, and the loss falls every step."""
        h = self.curvature
        return _round_down(1.0 / h) if h > 0 else 0.1


# ------------------------------------------------------------------- the run
class _Decimated:
    """Rows (step, loss, params...) at steps that are multiples of a doubling stride.

    Holds at most ``cap`` rows: when full, every other row is dropped and
    the stride doubles, so step 0 is always kept and memory never grows.
    """

    def __init__(self, cap: int, width: int) -> None:
        self.cap = max(4, int(cap))
        self.stride = 1
        self.rows = np.empty((self.cap, width))
        self.n = 0

    def append(self, row: np.ndarray) -> None:
        if self.n == self.cap:
            keep = self.rows[: self.n, 0] % (2 * self.stride) == 0
            kept = self.rows[: self.n][keep]
            self.n = len(kept)
            self.rows[: self.n] = kept
            self.stride *= 2
        self.rows[self.n] = row
        self.n += 1

    def view(self) -> np.ndarray:
        return self.rows[: self.n]


@dataclass
class Summary:
    """The full history in four numbers, however many steps were taken."""

    count: int = 0
    first: float = math.nan
    min: float = math.nan
    min_batch: int = 0
    last: float = math.nan


def format_loss(x: float) -> str:
    return f"{x:.4g}"


def log_line(batch: int, loss: float, loss_kind: str) -> str:
    """One line of the log in the edition's own format, so it reads like the book's.

    MXNet prints ``'batch %d, loss %.3f'``; DJL prints Java's ``Float.toString`` of
    a float32 (the shortest digits that identify it): ``batch 2 loss: 0.12571818``.
    """
    if loss_kind == "l2":
        return f"batch {batch} loss: {_java_float(loss)}"
    return f"batch {batch}, loss {loss:.3f}"


def _java_float(x: float) -> str:
    """Java's Float.toString for ordinary magnitudes: the float32's shortest repr,
    in scientific notation (``1.0E-4``) below 1e-3 or from 1e7, as Java writes it."""
    f = np.float32(x)
    if not np.isfinite(f):
        return "NaN" if np.isnan(f) else ("Infinity" if f > 0 else "-Infinity")
    a = abs(float(f))
    if a == 0 or 1e-3 <= a < 1e7:
        t = np.format_float_positional(f, unique=True, trim="0")
        return t + "0" if t.endswith(".") else t
    m, e = np.format_float_scientific(f, unique=True, trim="0").split("e")
    if "." not in m:
        m += ".0"
    elif m.endswith("."):
        m += "0"
    return f"{m}E{int(e)}"


def _log_batches(lo: int, hi: int) -> np.ndarray:
    """Batch numbers in [lo, hi] the log prints: every 2nd up to 200, then sparser."""
    out = []
    for start, stop, every in (
        (1, 200, 2),
        (201, 10_000, 100),
        (10_001, 1_000_000, 10_000),
        (1_000_001, MAX_STEPS, 1_000_000),
    ):
        a, b = max(lo, start), min(hi, stop)
        if a <= b:
            first = -(-a // every) * every
            if first <= b:
                out.append(np.arange(first, b + 1, every))
    return np.concatenate(out) if out else np.empty(0, np.int64)


class LearningRun:
    """One run of gradient descent on a kernel, advanced in chunks of steps.

    ``steps`` counts the updates taken. The loss computed in step t (before
    its update) is plotted at batch ``t + 1`` as both books number it; the
    weights are plotted against the number of updates (0 is the start).
    """

    def __init__(
        self, settings: LearningSettings, data: LearningData, *, max_points: int = MAX_POINTS
    ) -> None:
        self.settings = settings.validated()
        self.data = data
        self.shape: tuple[int, int] = (
            tuple(data.K_true.shape) if data.source == "current" else self.settings.kernel_shape
        )
        if self.shape[0] > data.X.shape[0] or self.shape[1] > data.X.shape[1]:
            raise ValueProblem(
                f"The kernel is {self.shape[0]}×{self.shape[1]}, larger than the input "
                f"({data.X.shape[0]}×{data.X.shape[1]})."
            )
        if tuple(data.K_true.shape) != self.shape:
            # A kernel of another shape makes an output of another shape: no Y to compare.
            raise ValueProblem(
                f"Y was made by a {data.K_true.shape[0]}×{data.K_true.shape[1]} kernel, so the "
                f"learned kernel must be {data.K_true.shape[0]}×{data.K_true.shape[1]} too, "
                f"not {self.shape[0]}×{self.shape[1]}."
            )
        self.K0 = self.settings.initial_kernel(self.shape)
        self.learn_bias = self.settings.learn_bias
        self.quadratic = Quadratic(data, self.shape, self.settings.loss, self.learn_bias)
        self.max_points = max_points
        self.param_names = [
            f"w[{a},{c}]" for a in range(self.shape[0]) for c in range(self.shape[1])
        ] + (["b"] if self.learn_bias else [])
        self.changed = Event()  # payload: none; read the run's state
        self._start()

    # ------------------------------------------------------------- state
    def _start(self) -> None:
        self.trainer = KernelTrainer(
            self.data.X,
            self.data.Y,
            self.K0,
            lr=self.settings.lr,
            loss=self.settings.loss,
            b0=0.0 if self.learn_bias else None,
        )
        self._hist = _Decimated(self.max_points, 2 + len(self.param_names))
        self.summary = Summary()
        self.log: deque[str] = deque(maxlen=MAX_LOG_LINES)
        self.log_count = 0  # lines ever written, so a viewer can append only new ones
        self._next_log = 2  # the next batch the log prints
        self.diverged = False
        self.converged = False
        self.message = ""
        self.suggested_lr: float | None = None

    def reset(self) -> None:
        """Back to step 0 with the same start: the same seed replays the same run."""
        self._start()
        self.changed.emit()

    @property
    def steps(self) -> int:
        return self.trainer.steps

    @property
    def kernel(self) -> np.ndarray:
        return self.trainer.kernel.copy()

    @property
    def bias(self) -> float | None:
        return self.trainer.bias if self.learn_bias else None

    @property
    def grad(self) -> np.ndarray:
        """dL/dK computed in the last step (zeros before the first)."""
        return self.trainer.grad.copy()

    @property
    def bias_grad(self) -> float | None:
        return self.trainer.bias_grad if self.learn_bias else None

    @property
    def params(self) -> np.ndarray:
        k = self.trainer.kernel.ravel()
        return np.append(k, self.trainer.bias) if self.learn_bias else k.copy()

    @property
    def finished(self) -> bool:
        """Diverged: no step can be taken until a reset."""
        return self.diverged

    @property
    def two_weights(self) -> bool:
        """True when the loss surface over (w1, w2) is the whole story."""
        return len(self.param_names) == 2

    def current_loss(self) -> float:
        """The loss of the current kernel (before the next step), exactly."""
        return float(self.quadratic.value(self.params))

    # ----------------------------------------------------------- stepping
    def _snapshot(self) -> tuple:
        t = self.trainer
        return (t.kernel.copy(), t.bias, t.grad, t.bias_grad, t.steps, t.last_loss)

    def _restore(self, snap: tuple) -> None:
        t = self.trainer
        t.kernel[...] = snap[0]
        t.bias, t.grad, t.bias_grad, t.steps, t.last_loss = snap[1:]
        t.diverged = False

    def _redo(self, snap: tuple, n: int) -> None:
        """Undo a chunk and take only its first ``n`` steps."""
        self._restore(snap)
        if n:
            self.trainer.run(n)

    def advance(self, n: int, *, stop_below: float | None = None) -> int:
        """Take up to ``n`` steps; return how many were taken.

        Stops early when a loss is at or below ``stop_below`` (that step is
        the last; :attr:`converged` says so until the next call) or when the loss blows up
        (:attr:`diverged`, with :attr:`message` and :attr:`suggested_lr`);
        only finite losses ever enter the history.
        """
        n = int(n)
        if n < 0:
            raise ValueError(f"The number of steps must be zero or more, not {n}.")
        taken = 0
        tr = self.trainer
        s = self.summary
        self.converged = False
        while taken < n and not self.diverged and not self.converged:
            t = tr.steps
            stride = self._hist.stride
            record = t % stride == 0
            before = self.params if record else None
            m = min(n - taken, stride - t % stride)
            snap = self._snapshot()
            blew = False
            try:
                losses = tr.run(m)
            except Diverged as exc:
                losses, blew = exc.losses, True
            if not len(losses):
                k_blow = 0 if blew else None
            else:
                bound = BLOWUP * max(s.first if s.count else float(losses[0]), 1.0)
                over = np.flatnonzero(losses > bound)
                k_blow = int(over[0]) if len(over) else (len(losses) if blew else None)
            if stop_below is not None and len(losses) and losses.min() <= stop_below:
                hit = np.flatnonzero(losses <= stop_below)
                if k_blow is None or hit[0] < k_blow:
                    k_blow, blew = None, False
                    self.converged = True
                    if hit[0] + 1 < len(losses):
                        self._redo(snap, int(hit[0]) + 1)
                        losses = losses[: hit[0] + 1]
            if k_blow is not None:
                blew = True
                if k_blow < len(losses):
                    self._redo(snap, k_blow)
                    losses = losses[:k_blow]
            if len(losses):
                self._record(t, losses, before)
            taken += len(losses)
            if blew:
                self._diverge()
            elif self.converged:
                self._converge(stop_below)  # type: ignore[arg-type]
        return taken

    def _record(self, t: int, losses: np.ndarray, before: np.ndarray | None) -> None:
        s = self.summary
        if before is not None:
            self._hist.append(np.concatenate(([t, losses[0]], before)))
        if s.count == 0:
            s.first = s.min = float(losses[0])
            s.min_batch = 1
        k = int(np.argmin(losses))
        if losses[k] < s.min:
            s.min, s.min_batch = float(losses[k]), t + k + 1
        s.count += len(losses)
        s.last = float(losses[-1])
        if self._next_log <= s.count:
            for b in _log_batches(t + 1, t + len(losses)):
                loss = float(losses[b - t - 1])
                self._log(log_line(int(b), loss, self.settings.loss))
            nxt = _log_batches(s.count + 1, 2 * s.count + 2)
            self._next_log = int(nxt[0]) if len(nxt) else MAX_STEPS + 1

    def _log(self, line: str) -> None:
        self.log.append(line)
        self.log_count += 1

    def _diverge(self) -> None:
        self.diverged = True
        q = self.quadratic
        limit = q.max_stable_lr()
        lr = self.settings.lr
        at = self.summary.count + 1
        if lr >= limit:
            self.suggested_lr = q.suggested_lr()
            self.message = (
                f"Training diverged at batch {at}: the loss grew without bound. The learning "
                f"rate {lr:g} is too large — on this data, rates of {limit:.3g} or more "
                f"overshoot further every step. Try {self.suggested_lr:g}."
            )
        else:  # pragma: no cover - only float overflow with a stable rate gets here
            self.suggested_lr = _round_down(lr / 10)
            self.message = (
                f"Training diverged at batch {at}: the numbers overflowed. "
                f"Try a smaller learning rate, such as {self.suggested_lr:g}."
            )
        self._log(
            f"# stopped: diverged at batch {at} (lr {lr:g} too large; try {self.suggested_lr:g})"
        )

    def _converge(self, threshold: float) -> None:
        s = self.summary
        self.message = (
            f"Converged: the loss {format_loss(s.last)} at batch {s.count} is at or below "
            f"{threshold:g}."
        )
        self._log(f"# stopped: loss {format_loss(s.last)} <= {threshold:g} at batch {s.count}")

    # ------------------------------------------------------------ reading
    @property
    def stride(self) -> int:
        """Every how many steps the kept history has a point."""
        return self._hist.stride

    def loss_history(self) -> tuple[np.ndarray, np.ndarray]:
        """(batch numbers, losses) to plot: decimated, always ending at the last loss."""
        h = self._hist.view()
        x, y = h[:, 0] + 1.0, h[:, 1]
        s = self.summary
        if s.count and (not len(x) or x[-1] != s.count):
            x, y = np.append(x, s.count), np.append(y, s.last)
        return x.copy(), y.copy()

    def weight_history(self) -> tuple[np.ndarray, np.ndarray]:
        """(updates, params) to plot: row 0 is the start, the last row the current weights."""
        h = self._hist.view()
        x, W = h[:, 0], h[:, 2:]
        if not len(x) or x[-1] != self.steps:
            x = np.append(x, self.steps)
            W = np.vstack([W, self.params[None, :]])
        return x.copy(), W.copy()

    def extent(self, n: int) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """(lowest, highest) loss and (lowest, highest) weight over the next ``n`` steps,
        taken by a twin of this run (this one does not move); None past
        :data:`PREVIEW_STEPS` or with no step to take.

        A press of Train knows where it is going: its plots can be given the axes of
        the whole press at once instead of growing them (and redrawing them) as the
        loss falls a decade or the weights overshoot.
        """
        n = int(n)
        if not 0 < n <= PREVIEW_STEPS or self.diverged:
            return None
        # The twin's path depends only on these: a slide that presses Train from the
        # same start again (each time it is shown) finds its preview (~10 ms at 1000).
        k = self.trainer.kernel
        key = (
            self.settings,
            _digest(self.data.X),
            _digest(self.data.Y),
            _digest(k),
            self.bias,
            self.steps,
            repr(astuple(self.summary)),
            n,
        )
        if key in _extents:
            _extents.move_to_end(key)
            return _extents[key]
        found = self._extent(n)
        if found is not None:
            _extents[key] = found
            while len(_extents) > EXTENTS_KEPT:
                _extents.popitem(last=False)
        return found

    def _extent(self, n: int) -> tuple[tuple[float, float], tuple[float, float]] | None:
        twin = LearningRun(self.settings, self.data, max_points=PREVIEW_STEPS + 2)
        if self.steps:
            twin.trainer = KernelTrainer(
                self.data.X,
                self.data.Y,
                self.trainer.kernel,
                lr=self.settings.lr,
                loss=self.settings.loss,
                b0=self.trainer.bias if self.learn_bias else None,
            )
            twin.summary = replace(self.summary)
        twin.advance(n)
        _, losses = twin.loss_history()
        _, W = twin.weight_history()
        if not len(losses):
            return None
        return (float(losses.min()), float(losses.max())), (float(W.min()), float(W.max()))

    def descent_path(self) -> np.ndarray:
        """The (w1, w2) points walked so far, start and current point included."""
        return self.weight_history()[1][:, :2]

    def surface_ranges(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """A square window in (w1, w2) around the start, the true kernel and the path."""
        pts = np.vstack([self.K0.ravel()[:2], self.data.K_true.ravel()[:2]])
        lo, hi = pts.min(0), pts.max(0)
        half = max(float((hi - lo).max()) / 2, 0.25) * 1.35
        mid = (lo + hi) / 2
        return (mid[0] - half, mid[0] + half), (mid[1] - half, mid[1] + half)

    def loss_surface(
        self, w1_range: tuple[float, float], w2_range: tuple[float, float], n: int = 101
    ) -> np.ndarray:
        """The loss over an n×n grid of two-weight kernels: ``Z[i, j]`` at
        ``w1 = linspace(*w1_range, n)[j]``, ``w2 = linspace(*w2_range, n)[i]``.

        Exact, from the Gram matrix: rows are w2 and columns w1, as an image
        with w1 across and w2 up shows it.
        """
        if not self.two_weights:
            raise ValueError(
                "The loss surface is drawn for kernels with two weights and no bias "
                f"(such as 1×2); this one has {len(self.param_names)} parameters."
            )
        n = int(n)
        if n < 2:
            raise ValueError(f"The surface needs at least 2 points a side, not {n}.")
        w1 = np.linspace(*w1_range, n)[None, :]
        w2 = np.linspace(*w2_range, n)[:, None]
        # The quadratic written out for two weights: a tenth of the time einsum takes
        # over an n×n×2 stack (0.2 ms, not 1.8, at the panel's 121×121).
        q = self.quadratic
        (g11, g12), (_, g22) = q.G
        b1, b2 = q.b
        quad = (g11 * w1 - 2.0 * b1) * w1 + (g22 * w2 - 2.0 * b2) * w2 + 2.0 * g12 * (w1 * w2)
        return np.maximum(q.c * (quad + q.yy), 0.0)


# --------------------------------------------------------------- the state
@dataclass(eq=False)
class LearningState:
    """The learning panel's settings and its run, kept on the Session.

    Cheap to build: no data, no compiled code until :meth:`new_run`.
    """

    settings: LearningSettings = field(default_factory=mxnet_edition)
    run: LearningRun | None = None
    changed: Event = field(default_factory=Event)  # payload: frozenset of {"settings", "run"}

    def set_settings(self, settings: LearningSettings) -> None:
        new = settings.validated()
        if new != self.settings:
            self.settings = new
            self.changed.emit(frozenset({"settings"}))

    def new_run(self, session: object = None) -> LearningRun:
        """Start a run from the current settings (and the session, for "current" data)."""
        self.run = LearningRun(self.settings, data_for(self.settings, session))
        self.changed.emit(frozenset({"run"}))
        return self.run

    def discard(self) -> None:
        if self.run is not None:
            self.run = None
            self.changed.emit(frozenset({"run"}))


# ----------------------------------------------------------------- helpers
def _digest(a: np.ndarray) -> tuple[object, ...]:
    """An array's shape, type and a hash of its bytes: a key for what was computed from it."""
    a = np.ascontiguousarray(a)
    return a.shape, a.dtype.str, hashlib.blake2b(a.tobytes(), digest_size=16).digest()


def _is_number(v: object) -> bool:
    return (
        isinstance(v, (int, float, np.integer, np.floating))
        and not isinstance(v, (bool, np.bool_))
        and math.isfinite(float(v))
    )


def _is_int(v: object) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _as_tuple(a: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(v) for v in row) for row in np.atleast_2d(a))


def _round_down(x: float) -> float:
    """The largest of 1, 2, 5 × 10^k not above x."""
    if not x > 0 or not math.isfinite(x):
        return 0.1
    e = math.floor(math.log10(x))
    for m in (5, 2, 1):
        v = m * 10.0**e
        if v <= x * (1 + 1e-12):
            return float(f"{v:.12g}")
    return float(f"{10.0 ** (e - 1) * 5:.12g}")  # pragma: no cover
