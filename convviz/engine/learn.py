"""Learning a kernel by gradient descent (section 6.2.4), one step or many at a time.

Two losses, one per edition of the chapter:

- ``"squared"``: ``sum((Yhat - Y)**2)``, what the MXNet edition prints (lr 3e-2);
- ``"l2"``: ``0.5 * mean((Yhat - Y)**2)``, DJL's L2Loss (lr 0.40).

Each step is one full-batch gradient step on the single (X, Y) example.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _jit, _kernels
from .correlate import Pair, _as_float, _check_bias, _numpy_corr, _prepare, _run, as_grid, geometry

LOSSES = {"squared": 0, "l2": 1}

#: At most this many steps in one call: their losses are kept (8 bytes each),
#: so the limit bounds memory before anything is allocated.
MAX_STEPS = 10_000_000


def _check_steps(n: object, name: str) -> int:
    """A whole number of steps (an int, or a float such as 10.0), at most :data:`MAX_STEPS`."""
    if isinstance(n, (float, np.floating)) and float(n).is_integer():
        n = int(n)
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, not {n!r}.")
    n = int(n)
    if n < 0:
        raise ValueError(f"{name} must be zero or more, not {n}.")
    if n > MAX_STEPS:
        raise ValueError(f"{name} must be at most {MAX_STEPS:,} in one call, not {n:,}.")
    return n


def _loss_kind(loss: str) -> int:
    try:
        return LOSSES[loss]
    except (KeyError, TypeError):
        raise ValueError(
            f"loss must be one of {', '.join(map(repr, LOSSES))}, not {loss!r}."
        ) from None


def loss_value(Y_hat: object, Y: object, loss: str = "squared") -> float:
    """The loss between a prediction and a target of the same shape."""
    kind = _loss_kind(loss)
    Yh = as_grid(Y_hat, "The prediction", dtype=np.dtype(np.float64))
    Yt = as_grid(Y, "The target Y", dtype=np.dtype(np.float64))
    if Yh.shape != Yt.shape:
        raise ValueError(f"The prediction is {Yh.shape} but the target Y is {Yt.shape}.")
    sq = float(((Yh - Yt) ** 2).sum())
    return sq if kind == 0 else 0.5 * sq / Yt.size


def kernel_grad(
    X: object,
    dY: object,
    kernel_shape: tuple[int, int],
    *,
    padding: Pair = 0,
    stride: Pair = 1,
    dilation: Pair = 1,
) -> np.ndarray:
    """dL/dK given dL/dY for ``Y = corr2d(X, K, ...)``.

    It is itself a correlation of the input with dY, which is why a
    convolutional layer's backward pass costs about what its forward does.
    """
    try:
        kh, kw = (int(v) for v in kernel_shape)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"kernel_shape must be (rows, columns), not {kernel_shape!r}.") from None
    if kh < 1 or kw < 1:
        raise ValueError(f"kernel_shape must be positive, not {kh}x{kw}.")
    X = as_grid(X, "The input X", dtype=np.dtype(np.float64))
    dY = as_grid(dY, "The output gradient dY", dtype=np.dtype(np.float64))
    g = geometry(X.shape, (kh, kw), padding=padding, stride=stride, dilation=dilation)
    if dY.shape != g.output_shape:
        raise ValueError(f"dY must have the output's shape {g.output_shape}, not {dY.shape}.")
    return _numpy_kernel_grad(g, X, dY)


def _numpy_kernel_grad(g, X: np.ndarray, dY: np.ndarray) -> np.ndarray:
    """One ``sum(dY * window)`` per tap: numpy, as fast as a compiled loop here."""
    (kh, kw), (ph, pw) = g.kernel_shape, g.padding
    Xp = np.pad(X, ((ph, ph), (pw, pw))) if ph or pw else X
    (sh, sw), (dh, dw) = g.stride, g.dilation
    oh, ow = dY.shape
    out = np.empty((kh, kw))
    with np.errstate(over="ignore", invalid="ignore"):
        for a in range(kh):
            rows = slice(a * dh, a * dh + sh * (oh - 1) + 1, sh)
            for c in range(kw):
                out[a, c] = np.vdot(dY, Xp[rows, c * dw : c * dw + sw * (ow - 1) + 1 : sw])
    return out


def _numpy_train_steps(Xp, Y, K, b, lr, nsteps, loss_kind, learn_bias, g, losses, kgrad, work):
    """:func:`._kernels.train_steps` in numpy, step for step, for a thread that must
    not wait for its compile (the GUI's, on the chapter's 6x8 example)."""
    oh, ow = Y.shape
    n = oh * ow
    bgrad = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(nsteps):
            _numpy_corr(Xp, K, g, work, 0.0)
            work += b
            work -= Y
            loss = float(np.vdot(work, work))
            if loss_kind == 0:
                scale = 2.0
            else:
                loss = 0.5 * loss / n
                scale = 1.0 / n
            losses[t] = loss
            if not np.isfinite(loss):
                return t, b, bgrad, True
            work *= scale
            gsum = float(work.sum())
            kgrad[...] = _numpy_kernel_grad(g, Xp, work)
            newK = K - lr * kgrad
            if not np.isfinite(newK).all():
                return t, b, bgrad, True
            nb = b - lr * gsum if learn_bias else b
            if not np.isfinite(nb):
                return t, b, bgrad, True
            K[...] = newK
            b = nb
            bgrad = gsum
    return nsteps, b, bgrad, False


def bias_grad(dY: object) -> float:
    """dL/db given dL/dY: the bias touches every output cell once."""
    return float(as_grid(dY, "The output gradient dY", dtype=np.dtype(np.float64)).sum())


class Diverged(ArithmeticError):
    """Training produced a loss or weight that is not a finite number.

    ``losses`` holds the losses of the steps that were taken before it.
    """

    def __init__(self, message: str, losses: np.ndarray | None = None) -> None:
        super().__init__(message)
        self.losses = np.empty(0) if losses is None else losses


class KernelTrainer:
    """Gradient descent on a kernel, run in chunks a UI can pause between.

    ``run(n)`` takes up to ``n`` steps inside one compiled loop and returns
    their losses; ``kernel``, ``bias``, ``grad`` and ``bias_grad`` always
    describe the state after the last step taken. Nothing is kept per step
    here, so a run of any length uses constant memory; callers that want the
    history keep what they need of the returned losses.
    """

    def __init__(
        self,
        X: object,
        Y: object,
        K0: object,
        *,
        lr: float = 3e-2,
        loss: str = "squared",
        b0: float | None = None,
        padding: Pair = 0,
        stride: Pair = 1,
        dilation: Pair = 1,
    ) -> None:
        self._kind = _loss_kind(loss)
        self.loss = loss
        self.lr = _as_float(lr, "The learning rate")
        if not (np.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"The learning rate must be a positive number, not {lr!r}.")
        K0 = as_grid(K0, "The initial kernel K0", dtype=np.dtype(np.float64))
        X64 = as_grid(X, "The input X", dtype=np.dtype(np.float64))
        _, _, Xp, g = _prepare(X64, K0, padding, stride, dilation)
        Yt = as_grid(Y, "The target Y", dtype=np.dtype(np.float64))
        if Yt.shape != g.output_shape:
            raise ValueError(
                f"The target Y is {Yt.shape[0]}x{Yt.shape[1]}, but a "
                f"{K0.shape[0]}x{K0.shape[1]} kernel on this "
                f"{X64.shape[0]}x{X64.shape[1]} input gives "
                f"{g.output_shape[0]}x{g.output_shape[1]}: the initial kernel K0 has "
                "the wrong shape for this target."
            )
        self.geometry = g
        self._Xp = _jit.readonly(np.ascontiguousarray(Xp))
        self._Y = _jit.readonly(Yt)
        # the numpy fallback and the compiled loop see the same padded input
        self._g0 = g.__class__(Xp.shape, g.kernel_shape, (0, 0), g.stride, g.dilation)
        self.learn_bias = b0 is not None
        self.kernel = K0.copy()
        self.bias = _check_bias(b0) if b0 is not None else 0.0
        self.grad = np.zeros_like(self.kernel)
        self.bias_grad = 0.0
        self.steps = 0
        self.last_loss = float("nan")
        self.diverged = False
        self._work = np.empty(g.output_shape)

    def current_loss(self) -> float:
        """The loss of the current kernel and bias, without taking a step."""
        Yhat, _ = _run(self._Xp, self.kernel, self._g0, self.bias)
        with np.errstate(over="ignore", invalid="ignore"):
            r = Yhat - self._Y
            sq = float(np.vdot(r, r))
        return sq if self._kind == 0 else 0.5 * sq / r.size

    def run(self, n: int = 1) -> np.ndarray:
        """Take up to ``n`` steps; return the loss computed in each, before its update.

        Raises :class:`Diverged` when a loss or weight would stop being
        finite; the steps before it count, and the kernel and bias stay at
        their last finite values.
        """
        n = _check_steps(n, "The number of steps")
        if self.diverged:
            raise Diverged("This run has diverged; reset it with a smaller learning rate.")
        losses = np.empty(n)
        if n == 0:
            return losses
        (sh, sw), (dh, dw) = self.geometry.stride, self.geometry.dilation
        grad = np.empty_like(self.kernel)
        if not _jit.ensure("train_steps", np.dtype(np.float64)):  # GUI thread, not compiled yet
            taken, b, bg, diverged = _numpy_train_steps(
                self._Xp,
                self._Y,
                self.kernel,
                self.bias,
                self.lr,
                n,
                self._kind,
                self.learn_bias,
                self._g0,
                losses,
                grad,
                self._work,
            )
        else:
            taken, b, bg, diverged = _kernels.train_steps(
                self._Xp,
                self._Y,
                self.kernel,
                _jit.readonly(self.kernel),
                self.bias,
                self.lr,
                n,
                self._kind,
                self.learn_bias,
                sh,
                sw,
                dh,
                dw,
                losses,
                grad,
                self._work,
            )
        losses = losses[:taken]
        if taken:
            self.bias, self.grad, self.bias_grad = float(b), grad, float(bg)
            self.steps += taken
            self.last_loss = float(losses[-1])
        if diverged:
            self.diverged = True
            raise Diverged(
                f"Training diverged at step {self.steps + 1}: the loss or the weights "
                f"overflowed. Try a smaller learning rate than {self.lr:g}.",
                losses,
            )
        return losses


@dataclass(frozen=True)
class TrainResult:
    kernel: np.ndarray
    bias: float | None
    losses: np.ndarray


def train_kernel(
    X: object,
    Y: object,
    K0: object,
    *,
    lr: float = 3e-2,
    steps: int = 10,
    loss: str = "squared",
    b0: float | None = None,
    padding: Pair = 0,
    stride: Pair = 1,
    dilation: Pair = 1,
) -> TrainResult:
    """Learn a kernel (and a bias when ``b0`` is given) that maps X to Y.

    ``losses[t]`` is the loss computed in step t, before its update, so
    ``losses[1::2]`` are the values both editions print as batches 2, 4, ...
    Raises :class:`Diverged` if the loss overflows.
    """
    steps = _check_steps(steps, "steps")
    t = KernelTrainer(
        X, Y, K0, lr=lr, loss=loss, b0=b0, padding=padding, stride=stride, dilation=dilation
    )
    losses = t.run(steps)
    return TrainResult(t.kernel.copy(), t.bias if t.learn_bias else None, losses)
