"""What the user is looking at: the input and kernel grids, the options, the step.

Everything the app shows is derived from a :class:`Session`; widgets only
call its methods and listen to :attr:`Session.changed`. No Qt here, so the
whole editing and stepping logic is tested without a display.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from ..engine import WindowStep, WindowSteps, window_steps
from . import presets
from .edges import EdgeState
from .events import Event, batched
from .learning import LearningState
from .values import ValueProblem, check_array, check_number, parse_number, shorten

GridName = Literal["input", "kernel"]

#: Largest grids the editor offers (rows and columns alike).
LIMITS: dict[str, int] = {"input": 64, "kernel": 15}
UNDO_DEPTH = 500


@dataclass(frozen=True)
class Options:
    """The layer's settings beside the two grids."""

    bias: float = 0.0
    padding: tuple[int, int] = (0, 0)
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    convolution: bool = False  # True: flip the kernel (section 6.2.5)

    def validated(self) -> Options:
        """A copy with every field checked, typed strictly; ValueProblem says what is wrong.

        A bool must be a bool (``"false"`` is not false) and a count a whole
        number (``2.0`` is refused, not truncated), so a file or a call cannot
        mean something other than what it says.
        """
        if isinstance(self.bias, str):
            raise ValueProblem(f"The bias must be a number, not the text {shorten(self.bias)!r}.")
        bias = check_number(self.bias)
        if not isinstance(self.convolution, (bool, np.bool_)):
            raise ValueProblem(
                f"convolution must be True or False, not {shorten(repr(self.convolution))}."
            )

        def pair(v: object, name: str, lo: int, hi: int) -> tuple[int, int]:
            def whole(x: object) -> bool:
                return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))

            if whole(v):
                p: tuple[object, ...] = (v, v)
            elif isinstance(v, (tuple, list)) and len(v) == 2:
                p = tuple(v)
            else:
                p = ()
            if not p or not all(whole(x) for x in p):
                raise ValueProblem(
                    f"{name} must be a whole number or a pair of whole numbers, "
                    f"not {shorten(repr(v))}."
                )
            if not all(lo <= x <= hi for x in p):  # type: ignore[operator]
                raise ValueProblem(f"{name} must be between {lo} and {hi}, not {shorten(repr(v))}.")
            return int(p[0]), int(p[1])  # type: ignore[call-overload]

        return Options(
            bias=bias,
            padding=pair(self.padding, "Padding", 0, 16),
            stride=pair(self.stride, "Stride", 1, 16),
            dilation=pair(self.dilation, "Dilation", 1, 16),
            convolution=bool(self.convolution),
        )

    def window_steps(self, X: np.ndarray, K: np.ndarray) -> WindowSteps:
        """The window's steps over ``X`` with ``K`` under these settings (ValueError if none)."""
        return window_steps(
            X,
            K,
            bias=self.bias,
            padding=self.padding,
            stride=self.stride,
            dilation=self.dilation,
            flip=self.convolution,
        )


@dataclass(frozen=True)
class _Snapshot:
    input: np.ndarray
    kernel: np.ndarray
    options: Options


class Session:
    """The editable state of the sliding-window view, with undo and a step cursor.

    ``step`` is the output cell the window is on, in row-major order; -1
    means not started (output blank). Cells ``0..step`` count as computed.
    :attr:`changed` is emitted with a frozenset naming what changed, drawn
    from ``{"input", "kernel", "options", "step", "undo", "hidden"}``.
    """

    def __init__(self) -> None:
        self.changed = Event()  # payload: frozenset[str] of parts that changed
        self._input = presets.fig_621()
        self._kernel = presets.fig_621_kernel()
        self._options = Options()
        self._step = -1
        self._undo: list[_Snapshot] = []
        self._redo: list[_Snapshot] = []
        self._gesture_depth = 0
        self._gesture_saved = False
        self._steps: WindowSteps | None = None
        self._output: np.ndarray | None = None
        self._error: str | None = None
        self.modified = False
        self._hidden: frozenset[str] = frozenset()  # what a lesson hides until the next click
        self._recompute()
        # The other views' states attach below (edge maps, learning), one line each.
        self.learning = LearningState()  # settings and run of the learning panel (6.2.4)
        self.edges = EdgeState(self)  # picture and edge maps (6.2.3, exercise 1); lazy

    # ----------------------------------------------------------- reading
    @property
    def input(self) -> np.ndarray:
        v = self._input.view()
        v.flags.writeable = False
        return v

    @property
    def kernel(self) -> np.ndarray:
        v = self._kernel.view()
        v.flags.writeable = False
        return v

    def grid(self, name: GridName) -> np.ndarray:
        return self.input if name == "input" else self.kernel

    @property
    def options(self) -> Options:
        return self._options

    @property
    def applied_kernel(self) -> np.ndarray:
        """The kernel as it slides: flipped in both axes for true convolution."""
        return self._kernel[::-1, ::-1].copy() if self._options.convolution else self.kernel

    @property
    def steps(self) -> WindowSteps | None:
        """The sliding window's steps, or None when :attr:`error` says why not."""
        return self._steps

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def output(self) -> np.ndarray | None:
        """The whole output (with bias), computed by the engine on first use.

        Lazy so that building a Session never runs compiled code: the GUI
        creates one before the engine has warmed up off the GUI thread.
        """
        if self._output is None and self._steps is not None:
            self._output = self._steps.output()
        return self._output

    @property
    def n_steps(self) -> int:
        return len(self._steps) if self._steps is not None else 0

    @property
    def output_shape(self) -> tuple[int, int] | None:
        return self._steps.output_shape if self._steps is not None else None

    @property
    def step(self) -> int:
        return self._step

    @property
    def current(self) -> WindowStep | None:
        if self._steps is None or self._step < 0:
            return None
        return self._steps[self._step]

    def computed_mask(self) -> np.ndarray | None:
        """True for output cells the animation has reached so far."""
        if self.output_shape is None:
            return None
        m = np.zeros(self.output_shape, bool)
        m.ravel()[: self._step + 1] = True
        return m

    def shape_formula(self) -> str:
        """The output-shape formula with this input's numbers in it, per axis."""
        o = self._options
        H, W = self._input.shape
        h, w = self._kernel.shape
        lines = []
        for axis, n, k, p, s, d in (
            ("rows", H, h, o.padding[0], o.stride[0], o.dilation[0]),
            ("columns", W, w, o.padding[1], o.stride[1], o.dilation[1]),
        ):
            if p == 0 and s == 1 and d == 1:
                val = n - k + 1
                lines.append(f"{axis}: {n} − {k} + 1 = {val}")
            else:
                val = (n + 2 * p - d * (k - 1) - 1) // s + 1
                lines.append(f"{axis}: ⌊({n} + 2·{p} − {d}·({k}−1) − 1) / {s}⌋ + 1 = {val}")
        return "\n".join(lines)

    # ----------------------------------------------------------- editing
    def set_cell(self, name: GridName, row: int, col: int, value: float | str) -> None:
        """Set one cell from a number or typed text; ValueProblem leaves it unchanged."""
        v = parse_number(value) if isinstance(value, str) else check_number(value)
        arr = self._grid_ref(name)
        self._check_index(name, row, col)
        if arr[row, col] == v:
            return
        self._save_undo()
        arr[row, col] = v
        self._edited({name})

    def paint(self, name: GridName, cells: Iterable[tuple[int, int]], value: float) -> None:
        """Set many cells to one brush value (one undo step inside a gesture)."""
        v = check_number(value)
        arr = self._grid_ref(name)
        todo = [(r, c) for r, c in cells if 0 <= r < arr.shape[0] and 0 <= c < arr.shape[1]]
        todo = [(r, c) for r, c in todo if arr[r, c] != v]
        if not todo:
            return
        self._save_undo()
        for r, c in todo:
            arr[r, c] = v
        self._edited({name})

    def paste(self, name: GridName, row: int, col: int, block: object) -> tuple[int, int]:
        """Paste a block with its top-left at (row, col), growing the grid up to its limit.

        Returns the block's (rows, cols). A block that would not fit in the
        largest grid raises ValueProblem and nothing changes.
        """
        b = check_array(block, "The pasted block")
        arr = self._grid_ref(name)
        self._check_index(name, row, col)
        need_r, need_c = row + b.shape[0], col + b.shape[1]
        lim = LIMITS[name]
        if need_r > lim or need_c > lim:
            raise ValueProblem(
                f"The pasted block ({b.shape[0]}×{b.shape[1]}) does not fit: the {name} "
                f"can be at most {lim}×{lim}."
            )
        new = arr
        if need_r > arr.shape[0] or need_c > arr.shape[1]:
            new = np.zeros((max(need_r, arr.shape[0]), max(need_c, arr.shape[1])))
            new[: arr.shape[0], : arr.shape[1]] = arr
        new = new.copy()
        new[row:need_r, col:need_c] = b
        self._replace(name, new)
        return b.shape

    def set_grid(self, name: GridName, values: object) -> None:
        """Replace a whole grid (presets, files); ValueProblem leaves it unchanged."""
        self._replace(name, self._checked_grid(name, values))

    def set_scene(self, input: object, kernel: object, options: Options) -> None:
        """Replace both grids and the options as one undo step (lessons, files).

        Everything is checked first: a bad part raises ValueProblem and nothing changes.
        """
        X = self._checked_grid("input", input)
        K = self._checked_grid("kernel", kernel)
        options = options.validated()
        with self.batch():
            self._replace("input", X)
            self._replace("kernel", K)
            self.set_options(**{f: getattr(options, f) for f in Options.__dataclass_fields__})

    @staticmethod
    def _checked_grid(name: GridName, values: object) -> np.ndarray:
        what = "The input" if name == "input" else "The kernel"
        a = check_array(values, what)
        lim = LIMITS[name]
        if max(a.shape) > lim:
            raise ValueProblem(
                f"{what} is {a.shape[0]}×{a.shape[1]}; the editor holds at most {lim}×{lim}."
            )
        return a

    def load_preset(self, name: GridName, preset: str) -> None:
        src = presets.input_preset if name == "input" else presets.kernel_preset
        self.set_grid(name, src(preset))

    def resize(self, name: GridName, rows: int, cols: int) -> None:
        """Change the grid's size, keeping every value that still fits; new cells are 0."""
        lim = LIMITS[name]
        if not (1 <= rows <= lim and 1 <= cols <= lim):
            raise ValueProblem(f"The {name} must be between 1×1 and {lim}×{lim}.")
        arr = self._grid_ref(name)
        if arr.shape == (rows, cols):
            return
        new = np.zeros((rows, cols))
        r, c = min(rows, arr.shape[0]), min(cols, arr.shape[1])
        new[:r, :c] = arr[:r, :c]
        self._replace(name, new)

    def transpose(self, name: GridName) -> None:
        self._replace(name, self._grid_ref(name).T.copy())

    def flip(self, name: GridName, axis: int | None = None) -> None:
        """Mirror the grid: ``axis`` 0 top-bottom, 1 left-right, None both (a 180° turn)."""
        arr = self._grid_ref(name)
        self._replace(name, np.flip(arr, axis=axis).copy())

    def set_options(self, **changes: object) -> None:
        """Change bias, padding, stride, dilation or convolution; checked first."""
        unknown = set(changes) - set(Options.__dataclass_fields__)
        if unknown:
            raise TypeError(f"Unknown option(s): {', '.join(sorted(unknown))}")
        new = replace(self._options, **changes).validated()  # type: ignore[arg-type]
        if new == self._options:
            return
        self._save_undo()
        self._options = new
        self._edited({"options"})

    @contextlib.contextmanager
    def gesture(self) -> Iterator[None]:
        """Group every edit inside into one undo step (a mouse drag, a paste)."""
        self._gesture_depth += 1
        if self._gesture_depth == 1:
            self._gesture_saved = False
        try:
            yield
        finally:
            self._gesture_depth -= 1

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """One undo step, and one event per model for every edit inside.

        For compound changes (a scene, a lesson slide, a loaded file): the
        session, its edge maps and its learning state each announce once, with
        the union of the parts, so no view draws a half-applied state. A drag
        uses :meth:`gesture` instead, so the grid repaints as it goes.
        """
        with batched(self.learning.changed, self.edges.changed, self.changed), self.gesture():
            yield

    # -------------------------------------------------------------- undo
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> bool:
        return self._travel(self._undo, self._redo)

    def redo(self) -> bool:
        return self._travel(self._redo, self._undo)

    def _travel(self, back: list[_Snapshot], forth: list[_Snapshot]) -> bool:
        """Undo and redo mirrored: restore the last of ``back``, keeping now on ``forth``."""
        if not back:
            return False
        forth.append(self._snapshot())
        self._restore(back.pop())
        return True

    # ------------------------------------------------------------ stepping
    def set_step(self, step: int) -> None:
        """Move the window to output cell ``step`` (-1: before the first)."""
        step = max(-1, min(int(step), self.n_steps - 1))
        if step != self._step:
            self._step = step
            self.changed.emit(frozenset({"step"}))

    def step_forward(self) -> bool:
        """Advance one cell; False at the end."""
        if self._step >= self.n_steps - 1:
            return False
        self.set_step(self._step + 1)
        return True

    def step_back(self) -> bool:
        if self._step < 0:
            return False
        self.set_step(self._step - 1)
        return True

    def to_start(self) -> None:
        self.set_step(-1)

    def to_end(self) -> None:
        self.set_step(self.n_steps - 1)

    @property
    def at_end(self) -> bool:
        return self._step >= self.n_steps - 1

    # ------------------------------------------------------------- lessons
    @property
    def hidden(self) -> frozenset[str]:
        """What the views keep hidden for a predict-then-reveal lesson slide.

        Drawn from ``{"result", "output", "edge-map", "edge-map-t"}``: the
        current step's result (output cell and the "= ..." of the arithmetic),
        the whole output, the edge map, the map with the transposed kernel.
        """
        return self._hidden

    def set_hidden(self, names: Iterable[str]) -> None:
        new = frozenset(names)
        if new != self._hidden:
            self._hidden = new
            self.changed.emit(frozenset({"hidden"}))

    # ----------------------------------------------------------- internals
    def _grid_ref(self, name: GridName) -> np.ndarray:
        if name == "input":
            return self._input
        if name == "kernel":
            return self._kernel
        raise ValueError(f"grid must be 'input' or 'kernel', not {name!r}")

    def _check_index(self, name: GridName, row: int, col: int) -> None:
        arr = self._grid_ref(name)
        if not (0 <= row < arr.shape[0] and 0 <= col < arr.shape[1]):
            raise IndexError(f"cell ({row}, {col}) is outside the {name} {arr.shape}")

    def _replace(self, name: GridName, new: np.ndarray) -> None:
        old = self._grid_ref(name)
        if old.shape == new.shape and np.array_equal(old, new):
            return
        self._save_undo()
        if name == "input":
            self._input = np.ascontiguousarray(new, dtype=np.float64)
        else:
            self._kernel = np.ascontiguousarray(new, dtype=np.float64)
        self._edited({name})

    def _snapshot(self) -> _Snapshot:
        return _Snapshot(self._input.copy(), self._kernel.copy(), self._options)

    def _save_undo(self) -> None:
        if self._gesture_depth and self._gesture_saved:
            return
        self._gesture_saved = True
        self._undo.append(self._snapshot())
        del self._undo[:-UNDO_DEPTH]
        self._redo.clear()

    def _restore(self, s: _Snapshot) -> None:
        self._input, self._kernel, self._options = s.input.copy(), s.kernel.copy(), s.options
        self._edited({"input", "kernel", "options", "undo"})

    def _edited(self, parts: set[str]) -> None:
        self.modified = True
        old_step = self._step
        self._recompute()
        if self._step != old_step:
            parts = parts | {"step"}
        self.changed.emit(frozenset(parts))

    def _recompute(self) -> None:
        try:
            self._steps = self._options.window_steps(self._input, self._kernel)
            self._output = None
            self._error = None
        except ValueError as exc:
            self._steps, self._output, self._error = None, None, str(exc)
        # Keep the animation's place when the new output still has that cell.
        self._step = min(self._step, self.n_steps - 1)
