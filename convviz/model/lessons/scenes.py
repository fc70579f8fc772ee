"""What each slide puts on screen: the carried-over fields filled in, and checked to fit.

A slide names only what it changes; :func:`build_scene` fills in the rest
from the slide before (``view``, ``input``, ``kernel``, ``edges``,
``learning`` carry over) and checks what only the whole scene can tell: a
step inside the output, builds that do not step past its end, a hidden map
the view shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...engine import WindowSteps, geometry
from .. import presets
from ..learning import LearningSettings, djl_edition, mxnet_edition
from ..session import Options
from ..values import ValueProblem
from .schema import Slide, Where

#: Views whose picture is the sliding window, so a click may step it.
STEPPING_VIEWS = ("window", "matrix")


def cursor(step: int | str, n_steps: int) -> int:
    """A slide's step as the session's cursor: ``"start"`` is -1, ``"end"`` the last cell."""
    if step == "start":
        return -1
    if step == "end":
        return n_steps - 1
    return int(step)


@dataclass(frozen=True)
class Revealed:
    """The grids, options and step a slide's reveal click sets (all filled in)."""

    input: np.ndarray
    kernel: np.ndarray
    options: Options
    step: int | str  # a cell number, "start" or "end"

    def reveal_step(self, n_steps: int) -> int:
        return cursor(self.step, n_steps)

    def steps(self) -> WindowSteps:
        """The window's steps once revealed: what the presenter sees before the class."""
        return self.options.window_steps(self.input, self.kernel)


@dataclass(frozen=True)
class SceneState:
    """The whole state a slide sets, with the carried-over fields filled in."""

    view: str
    input: np.ndarray
    kernel: np.ndarray
    options: Options
    step: int | str  # a cell number, "start" or "end"
    playing: bool
    learning: dict[str, Any] | None  # {"edition": ..., **settings}
    train: bool
    edges: dict[str, Any] | None  # picture / show_kt / limit
    builds: int
    hide: str | None
    revealed: Revealed | None = None  # what the reveal click puts on screen

    @property
    def final_input(self) -> np.ndarray:
        """The input on screen once the slide is fully built (what the next one inherits)."""
        return self.revealed.input if self.revealed is not None else self.input

    @property
    def final_kernel(self) -> np.ndarray:
        return self.revealed.kernel if self.revealed is not None else self.kernel

    def start_step(self, n_steps: int) -> int:
        """The step cursor the slide starts on (before any click)."""
        return -1 if self.hide == "output" else cursor(self.step, n_steps)


@dataclass(frozen=True)
class Lesson:
    """A title and its slides, validated; ``states[i]`` is what slide i sets."""

    name: str
    title: str
    description: str
    slides: tuple[Slide, ...]
    states: tuple[SceneState, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.slides)


def _tuples(v: Any) -> Any:
    """TOML lists as the tuples the settings dataclasses hold."""
    return tuple(_tuples(x) for x in v) if isinstance(v, list) else v


def learning_settings(spec: Mapping[str, Any]) -> LearningSettings:
    """The settings a lesson names: an edition (default MXNet) with fields changed."""
    rest = {k: _tuples(v) for k, v in spec.items() if k != "edition"}
    make = djl_edition if spec.get("edition") == "djl" else mxnet_edition
    return make(**rest)


def build_scene(s: Slide, prev: SceneState | None, file: str) -> SceneState:
    """Fill in what the slide carries over from the one before, and check it all fits."""
    at = Where(file, s.number)
    if prev is None:
        base_in, base_k = presets.fig_621(), presets.fig_621_kernel()
        view, learning, edges = "window", None, None
    else:
        base_in, base_k = prev.final_input, prev.final_kernel
        view, learning, edges = prev.view, prev.learning, prev.edges
    X = s.input.values if s.input is not None else base_in
    K = s.kernel.values if s.kernel is not None else base_k
    view = s.view or view
    if s.learning is not None:
        settings = dict(s.learning)
        if "edition" not in settings and learning is not None:
            settings = {**learning, **settings}
        learning = settings
        try:
            learning_settings(learning)
        except (ValueProblem, TypeError, ValueError) as exc:
            raise at.error(str(exc), "learning") from None
    if s.edges is not None:
        edges = {**(edges or {}), **s.edges}
    opts = s.options or Options()
    step = s.step if s.step is not None else "end"
    revealed = None
    if s.reveal is not None:
        r = s.reveal
        revealed = Revealed(
            input=r["input"].values if "input" in r else X,
            kernel=r["kernel"].values if "kernel" in r else K,
            options=r.get("options", opts),
            step=r.get("step", "end" if s.hide == "output" else step),
        )
    state = SceneState(
        view=view,
        input=X,
        kernel=K,
        options=opts,
        step=step,
        playing=s.playing,
        learning=learning,
        train=s.train,
        edges=edges,
        builds=s.builds,
        hide=s.hide,
        revealed=revealed,
    )
    _check_scene(s, state, at)
    return state


def _check_scene(s: Slide, state: SceneState, at: Where) -> None:
    """The rules only the whole scene can check (sizes, views, how far builds step)."""
    n_steps = n_cells(state.input, state.kernel, state.options, at, "kernel")
    step, view = state.step, state.view
    if isinstance(step, int) and step >= n_steps:
        raise at.error(
            f"is {step}, but the output has only {n_steps} cells (0..{n_steps - 1}).", "step"
        )
    if s.hide in ("edge-map", "edge-map-t") and view != "edges":
        raise at.error(
            f"hides the {s.hide}, which only the edges view shows (this slide shows {view}).",
            "hide",
        )
    if s.hide == "output" and step not in ("start", "end"):
        raise at.error("hides the whole output, so it cannot also set a step.", "step")
    steps = s.builds - (1 if s.hide else 0)
    first = n_steps - 1 if s.hide == "output" else state.start_step(n_steps)
    revealed = state.revealed
    if revealed is not None:
        n_steps = n_cells(revealed.input, revealed.kernel, revealed.options, at, "reveal")
        if isinstance(revealed.step, int) and revealed.step >= n_steps:
            raise at.error(
                f"step is {revealed.step}, but the revealed output has only {n_steps} cells "
                f"(0..{n_steps - 1}).",
                "reveal",
            )
        first = revealed.reveal_step(n_steps)
    if steps > 0:
        if view not in STEPPING_VIEWS:
            raise at.error(
                f"{steps} click(s) would step the animation, which the {view} view does "
                "not show; use builds only with hide here.",
                "builds",
            )
        if first + steps > n_steps - 1:
            left = n_steps - 1 - first
            raise at.error(
                f"{steps} click(s) would step past the last output cell: the output has "
                f"{n_steps} cells and {left} step(s) are left after the start.",
                "builds",
            )


def n_cells(X: np.ndarray, K: np.ndarray, opts: Options, at: Where, fld: str) -> int:
    """How many output cells (window steps) the scene has; LessonError if none fit."""
    try:
        g = geometry(
            X.shape, K.shape, padding=opts.padding, stride=opts.stride, dilation=opts.dilation
        )
    except ValueError as exc:
        raise at.error(str(exc), fld) from None
    return g.output_shape[0] * g.output_shape[1]
