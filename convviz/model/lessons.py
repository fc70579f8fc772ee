"""Classroom lessons: the chapter as a click-through demonstration.

A lesson is data, a TOML file in ``resources/lessons/``: a title and a list
of ``[[slide]]`` tables. Each slide has a short title and caption (shown in
large type) and sets part of the app's state::

    [[slide]]
    section = "6.2.1"                  # optional, shown before the title
    title = "Slide the window"
    caption = "Multiply what lines up, then add."
    answer = "..."                     # shown with the reveal (needs hide)
    view = "window"                    # window | edges | learn | matrix
    input = "Fig. 6.2.1 (3×3, 0..8)"   # a preset name, a literal [[0, 1], [2, 3]],
    kernel = [[0, 1], [2, 3]]          #   or {preset = "...", transpose = true}
    options = {bias = 1, padding = 0, stride = 1, dilation = 1, convolution = false}
    step = "start"                     # a cell number from 0, "start" or "end" (default)
    playing = false                    # start the animation playing
    learning = {edition = "mxnet", train = true}   # or djl, plus settings fields
    edges = {picture = "Disc (9×9)", show_kt = false, max_side = 256}
    builds = 4                         # clicks this slide absorbs before moving on
    hide = "result"                    # predict, then reveal with the next click
    reveal = {kernel = [[-1, 1]], options = {convolution = true}, step = 0}
                                       # what the reveal click changes (needs hide)
    notes = "..."                      # for the presenter only

``view``, ``input``, ``kernel``, ``edges`` and ``learning`` carry over to the
following slides until one changes them; ``options``, ``step``, ``playing``,
``train``, ``builds`` and ``hide`` belong to their slide only (options not
named take their defaults). A slide's ``reveal`` sets input, kernel, options
and step on the reveal click (so the products, a flipped kernel or the
answer's grids appear only then); the next slide carries over the revealed
grids. So every slide's state is fixed by the file, whichever way the
presenter reached it.

Each click first reveals what ``hide`` hid, then steps the animation by one
cell, until the slide's ``builds`` are used up; the next click moves on.
``hide`` names go to :attr:`Session.hidden` for the views to respect, and
where the state itself can hold the answer back, it does:

- ``"result"``: the current step's result (its output cell and the "= ...");
- ``"output"``: the whole output; the window stays at the start, the
  reveal jumps to the end;
- ``"edge-map"``: the edge maps with K (on X and on Xᵀ);
- ``"edge-map-t"``: the edge maps with the transposed kernel Kᵀ;
- ``"answer"``: only the answer text waits (the screen is the question;
  a ``reveal`` may then change it).
:class:`LessonPlayer` applies all of it to a :class:`~convviz.model.Session`
through its public methods and announces every move on
:attr:`LessonPlayer.changed`, so the GUI only renders.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from ..engine import geometry
from . import presets
from .edges import PICTURES
from .events import Event
from .images import check_max_side
from .learning import LearningSettings, djl_edition, mxnet_edition
from .session import LIMITS, Options, Session
from .values import ValueProblem, check_array

#: The views a slide may show, in the order the app's tabs have them.
VIEWS = ("window", "edges", "learn", "matrix")
#: Views whose picture is the sliding window, so a click may step it.
STEPPING_VIEWS = ("window", "matrix")
#: What a slide may hide until the next click.
HIDE = ("result", "output", "edge-map", "edge-map-t", "answer")
EDITIONS = ("mxnet", "djl")
#: How the class moves on, said the same way in every caption and prompt.
ADVANCE = "press →"
PREDICT = f"Predict, then {ADVANCE} to reveal."

SLIDE_FIELDS = (
    "section",
    "title",
    "caption",
    "answer",
    "notes",
    "view",
    "input",
    "kernel",
    "options",
    "step",
    "playing",
    "learning",
    "edges",
    "builds",
    "hide",
    "reveal",
)
TOP_FIELDS = ("title", "description", "slide")
OPTION_FIELDS = ("bias", "padding", "stride", "dilation", "convolution")
EDGE_FIELDS = ("picture", "show_kt", "max_side")
REVEAL_FIELDS = ("input", "kernel", "options", "step")

_LESSON_DIR_PARTS = ("lessons",)
#: Larger lesson files are refused unread (the chapter's lesson is 8 kB).
MAX_LESSON_BYTES = 262_144
#: Deeper nesting of [arrays] and {tables} is refused before parsing: TOML
#: nested 1,000 deep would otherwise end in RecursionError inside tomllib.
MAX_LESSON_DEPTH = 16
#: Whole numbers beyond this are refused: no field needs them, and larger ones
#: overflow the float conversions after.
MAX_LESSON_INT = 2**53
#: Longer runs of digits outside strings are refused before parsing.
MAX_TOML_DIGITS = 64


class LessonError(ValueError):
    """A lesson file that cannot be shown; the message names file, slide and field."""

    def __init__(
        self, message: str, *, file: str = "", slide: int | None = None, field: str = ""
    ) -> None:
        where = file
        if slide is not None:
            where = f"{where}, slide {slide}" if where else f"slide {slide}"
        if field:
            message = f"{field}: {message}"
        if len(message) > 600:  # a 200 kB field value is quoted, not echoed
            message = message[:400] + " … " + message[-150:]
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.slide, self.field = file, slide, field


# ------------------------------------------------------------------ data
@dataclass(frozen=True)
class GridSpec:
    """A grid a slide sets: its numbers and where they came from."""

    values: np.ndarray
    source: str  # the preset's name, or "literal"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, GridSpec)
            and self.source == other.source
            and np.array_equal(self.values, other.values)
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Slide:
    """One slide as written in the file (fields it does not name are None)."""

    number: int  # 1-based, as the presenter counts
    title: str
    caption: str
    section: str = ""
    answer: str = ""  # shown once the hidden thing is revealed
    notes: str = ""
    view: str | None = None
    input: GridSpec | None = None
    kernel: GridSpec | None = None
    options: Options | None = None
    step: int | str | None = None
    playing: bool = False
    learning: dict[str, Any] | None = None
    train: bool = False
    edges: dict[str, Any] | None = None
    builds: int = 0
    hide: str | None = None
    reveal: dict[str, Any] | None = None  # parsed: GridSpec / Options / step values

    @property
    def heading(self) -> str:
        return f"{self.section}  {self.title}" if self.section else self.title


@dataclass(frozen=True)
class Revealed:
    """The grids, options and step a slide's reveal click sets (all filled in)."""

    input: np.ndarray
    kernel: np.ndarray
    options: Options
    step: int | str  # a cell number, "start" or "end"

    def reveal_step(self, n_steps: int) -> int:
        if self.step == "start":
            return -1
        if self.step == "end":
            return n_steps - 1
        return int(self.step)


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
        if self.hide == "output" or self.step == "start":
            return -1
        if self.step == "end":
            return n_steps - 1
        return int(self.step)


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


# --------------------------------------------------------------- loading
def lessons_dir() -> Path:
    from ..resources import ROOT

    return ROOT.joinpath(*_LESSON_DIR_PARTS)


def available_lessons() -> list[str]:
    """Names of the shipped lessons (file names without ``.toml``)."""
    d = lessons_dir()
    return sorted(p.stem for p in d.glob("*.toml")) if d.is_dir() else []


def lesson_path(name: str) -> Path:
    """``resources/lessons/<name>.toml``, or a path given directly."""
    p = Path(name)
    if p.suffix == ".toml" and (p.is_absolute() or p.exists()):
        return p
    return lessons_dir() / f"{name}.toml"


def load_lesson(name: str | Path) -> Lesson:
    """Read and validate a lesson by name (``"6.2"``) or path; LessonError says what is wrong."""
    p = lesson_path(str(name))
    if not p.is_file():
        have = ", ".join(available_lessons()) or "none"
        raise LessonError(f"There is no lesson {str(name)!r} (looked for {p}); lessons: {have}.")
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_LESSON_BYTES + 1)  # never more than the limit, whatever its size
        if len(raw) > MAX_LESSON_BYTES:
            raise LessonError(_too_long(p.stat().st_size), file=p.name)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(f"cannot be read ({exc}).", file=p.name) from None
    return parse_lesson(text, file=p.name, name=p.stem)


def parse_lesson(text: str, *, file: str = "lesson.toml", name: str | None = None) -> Lesson:
    """Validate a lesson's TOML text; every error names the file, slide and field.

    Size and nesting are checked before parsing and the numbers right after,
    so every failure is a LessonError, never RecursionError or OverflowError.
    """
    if len(text) > MAX_LESSON_BYTES:
        raise LessonError(_too_long(len(text)), file=file)
    try:
        depth = toml_depth(text)
    except _BadNumber as exc:
        raise LessonError(str(exc), file=file) from None
    if depth > MAX_LESSON_DEPTH:
        raise LessonError(
            f"its [lists] and {{tables}} nest more than {MAX_LESSON_DEPTH} deep; a lesson "
            "needs far fewer.",
            file=file,
        )
    try:
        doc = tomllib.loads(text)
        _check_numbers(doc)
    except _BadNumber as exc:
        raise LessonError(str(exc), file=file) from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"line (\d+)", msg)
        slide = None
        if m:
            upto = text.splitlines()[: int(m.group(1))]
            headers = sum(1 for ln in upto if re.match(r"\s*\[\[\s*slide\s*\]\]", ln))
            slide = headers or None
        raise LessonError(f"not valid TOML ({msg}).", file=file, slide=slide) from None
    except (RecursionError, MemoryError, ValueError) as exc:  # e.g. a 5,000-digit integer
        why = "a number in it is too large" if "digits" in str(exc) else type(exc).__name__
        raise LessonError(f"cannot be read ({why}).", file=file) from None
    _check_keys(doc, TOP_FIELDS, "field", file=file, slide=None)
    title = doc.get("title")
    if not isinstance(title, str) or not title.strip():
        raise LessonError('the lesson needs a title = "..." line.', file=file)
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise LessonError("description must be text.", file=file)
    raw_slides = doc.get("slide")
    if not isinstance(raw_slides, list) or not raw_slides:
        raise LessonError("the lesson has no slides: add [[slide]] tables.", file=file)
    slides: list[Slide] = []
    states: list[SceneState] = []
    prev: SceneState | None = None
    for i, raw in enumerate(raw_slides, start=1):
        if not isinstance(raw, dict):
            raise LessonError("each slide must be a [[slide]] table.", file=file, slide=i)
        s = _parse_slide(raw, i, file)
        st = _scene(s, prev, file)
        slides.append(s)
        states.append(st)
        prev = st
    return Lesson(
        name=name if name is not None else Path(file).stem,
        title=title.strip(),
        description=description.strip(),
        slides=tuple(slides),
        states=tuple(states),
    )


def _too_long(size: int) -> str:
    return (
        f"is {size / 1024:,.0f} kB; a lesson file may be at most {MAX_LESSON_BYTES // 1024} kB "
        "(the chapter's is 8 kB)."
    )


class _BadNumber(ValueError):
    """A number in a lesson no field can hold (found right after parsing)."""


# What changes a TOML scanner's state: quotes, comments, line ends, escapes, brackets;
# and runs of more digits than any number needs (tomllib's number pattern would use
# memory in proportion to them).
_TOML_TOKENS = re.compile(
    r'"""|' + r"'''" + r'|["\'#\n\\\[\]{}]|[0-9_]{' + str(MAX_TOML_DIGITS + 1) + ",}"
)
_QUOTES = ('"', "'", '"""', "'''", "#")


def toml_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest in TOML ``text``, outside strings and comments.

    Raises _BadNumber on a run of more than :data:`MAX_TOML_DIGITS` digits
    outside strings.

    One pass over the characters that matter (linear: the pattern has no
    repetition to backtrack), so a file nested 100,000 deep is measured, and
    refused, before :mod:`tomllib` recurses into it.
    """
    depth = deepest = 0
    state = ""  # inside nothing, a string (its opening quote) or a comment ("#")
    skip = -1  # the position a backslash escapes
    for m in _TOML_TOKENS.finditer(text):
        tok, at = m.group(), m.start()
        if tok[0] in "0123456789_" and not state:
            raise _BadNumber(
                f"holds a number of {len(tok):,} digits, too large: no field needs more "
                f"than {MAX_TOML_DIGITS}."
            )
        if state == "#":
            if tok == "\n":
                state = ""
        elif state:
            if at == skip:
                continue
            if tok == "\\" and state in ('"', '"""'):
                skip = at + 1
            elif tok == state or (tok == "\n" and state in ('"', "'")):
                state = ""
        elif tok in _QUOTES:
            state = tok
        elif tok in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_LESSON_DEPTH:
                    return deepest
        elif tok in "]}":
            depth -= 1
    return deepest


def _check_numbers(doc: Any) -> None:
    """Refuse infinities, NaN and integers beyond :data:`MAX_LESSON_INT` anywhere in ``doc``.

    Iterative, so tables nested by dotted keys cannot exhaust the stack either.
    """
    todo = [doc]
    while todo:
        v = todo.pop()
        if isinstance(v, dict):
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)
        elif isinstance(v, bool):
            continue
        elif isinstance(v, int) and abs(v) > MAX_LESSON_INT:
            raise _BadNumber(
                f"holds a whole number of {len(str(abs(v)))} digits, too large for any field."
            )
        elif isinstance(v, float) and not np.isfinite(v):
            raise _BadNumber(f"holds {v}, which is not a finite number (too large, or NaN).")


def _suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    if len(str(word)) > 64:  # no name is that long; difflib's tables would grow with it
        return ""
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_keys(
    d: Mapping[str, Any],
    allowed: tuple[str, ...],
    what: str,
    *,
    file: str,
    slide: int | None,
    field: str = "",
) -> None:
    for k in d:
        if k not in allowed:
            raise LessonError(
                f"unknown {what} {k!r}{_suggest(k, allowed)}; choose from {', '.join(allowed)}.",
                file=file,
                slide=slide,
                field=field,
            )


def _text(raw: Mapping[str, Any], key: str, n: int, file: str, *, required: bool) -> str:
    v = raw.get(key)
    if v is None:
        if required:
            raise LessonError(f"every slide needs a {key}.", file=file, slide=n, field=key)
        return ""
    if not isinstance(v, str):
        raise LessonError(f"must be text in quotes, not {v!r}.", file=file, slide=n, field=key)
    v = v.strip()
    if required and not v:
        raise LessonError("must not be empty.", file=file, slide=n, field=key)
    return v


def _bool(raw: Mapping[str, Any], key: str, n: int, file: str, fld: str = "") -> bool:
    v = raw.get(key, False)
    if not isinstance(v, bool):
        raise LessonError(
            f"must be true or false, not {v!r}.", file=file, slide=n, field=fld or key
        )
    return v


def _norm(name: str) -> str:
    t = name.translate(str.maketrans({"−": "-", "–": "-", "×": "x"})).casefold()
    return re.sub(r"[^0-9a-z\-]+", "", t)


def find_preset(kind: str, name: str) -> str:
    """The exact preset name for ``name`` (spaces, case, − and × forgiven); KeyError if none."""
    table = presets.INPUTS if kind == "input" else presets.KERNELS
    if name in table:
        return name
    want = _norm(name)
    for k in table:
        if _norm(k) == want:
            return k
    raise KeyError(name)


def _grid(value: Any, kind: str, n: int, file: str) -> GridSpec:
    table = presets.INPUTS if kind == "input" else presets.KERNELS
    transpose = False
    if isinstance(value, dict):
        _check_keys(value, ("preset", "values", "transpose"), "key", file=file, slide=n, field=kind)
        if ("preset" in value) == ("values" in value):
            raise LessonError(
                'give either preset = "..." or values = [[...]], not both or neither.',
                file=file,
                slide=n,
                field=kind,
            )
        transpose = _bool(value, "transpose", n, file, kind)
        value = value.get("preset", value.get("values"))
    if isinstance(value, str):
        try:
            pname = find_preset(kind, value)
        except KeyError:
            raise LessonError(
                f"unknown {kind} preset {value!r}{_suggest(value, list(table))}; "
                f"choose from {', '.join(repr(k) for k in table)} or write the numbers "
                "as [[...], [...]].",
                file=file,
                slide=n,
                field=kind,
            ) from None
        arr = (presets.input_preset if kind == "input" else presets.kernel_preset)(pname)
        source = pname
    elif isinstance(value, list):
        arr = _literal(value, kind, n, file)
        source = "literal"
    else:
        raise LessonError(
            f"must be a preset name or a list of rows such as [[1, -1]], not {value!r}.",
            file=file,
            slide=n,
            field=kind,
        )
    if transpose:
        arr = arr.T.copy()
        source = f"{source} (transposed)"
    lim = LIMITS[kind]
    if max(arr.shape) > lim:
        raise LessonError(
            f"is {arr.shape[0]}×{arr.shape[1]}; the app holds at most {lim}×{lim}.",
            file=file,
            slide=n,
            field=kind,
        )
    arr.flags.writeable = False
    return GridSpec(arr, source)


def _literal(value: list[Any], kind: str, n: int, file: str) -> np.ndarray:
    def bad(msg: str) -> LessonError:
        return LessonError(msg, file=file, slide=n, field=kind)

    rows = value if value and all(isinstance(r, list) for r in value) else [value]
    if not rows or not rows[0]:
        raise bad("is empty; write at least one number, e.g. [[1, -1]].")
    for r, row in enumerate(rows, start=1):
        if not isinstance(row, list):
            raise bad("mixes numbers and rows; write a list of rows, e.g. [[1, -1], [0, 2]].")
        for c, v in enumerate(row, start=1):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise bad(f"row {r}, column {c} is {v!r}, not a number.")
    lens = sorted({len(r) for r in rows})
    if len(lens) > 1:
        raise bad(f"the rows have different lengths ({', '.join(map(str, lens))}).")
    try:
        return check_array(rows, kind)
    except ValueProblem as exc:
        raise bad(str(exc)) from None


def _options(value: Any, n: int, file: str) -> Options:
    if not isinstance(value, dict):
        raise LessonError(
            "must be a table such as {bias = 1, padding = 1}.",
            file=file,
            slide=n,
            field="options",
        )
    _check_keys(value, OPTION_FIELDS, "option", file=file, slide=n, field="options")
    kw: dict[str, Any] = {}
    for k, v in value.items():
        if k == "convolution":
            kw[k] = _bool(value, k, n, file, f"options.{k}")
        elif k == "bias":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise LessonError(
                    f"must be a number, not {v!r}.", file=file, slide=n, field="options.bias"
                )
            kw[k] = float(v)
        else:
            kw[k] = tuple(v) if isinstance(v, list) else v
    try:
        return Options(**kw).validated()
    except (ValueProblem, TypeError, ValueError) as exc:
        raise LessonError(str(exc), file=file, slide=n, field="options") from None


def _step(value: Any, n: int, file: str) -> int | str:
    if value in ("start", "end"):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LessonError(
            f'must be a cell number from 0, "start" or "end", not {value!r}.',
            file=file,
            slide=n,
            field="step",
        )
    return int(value)


def _tuples(v: Any) -> Any:
    """TOML lists as the tuples the settings dataclasses hold."""
    return tuple(_tuples(x) for x in v) if isinstance(v, list) else v


def learning_settings(spec: Mapping[str, Any]) -> LearningSettings:
    """The settings a lesson names: an edition (default MXNet) with fields changed."""
    rest = {k: _tuples(v) for k, v in spec.items() if k != "edition"}
    make = djl_edition if spec.get("edition") == "djl" else mxnet_edition
    return make(**rest)


def _learning(value: Any, n: int, file: str) -> tuple[dict[str, Any], bool]:
    if not isinstance(value, dict):
        raise LessonError(
            'must be a table such as {edition = "mxnet", train = true}.',
            file=file,
            slide=n,
            field="learning",
        )
    out = dict(value)
    train = _bool(out, "train", n, file, "learning.train")
    out.pop("train", None)
    ed = out.get("edition")
    if ed is not None and ed not in EDITIONS:
        raise LessonError(
            f"unknown edition {ed!r}; choose from {', '.join(EDITIONS)}.",
            file=file,
            slide=n,
            field="learning.edition",
        )
    allowed = ("edition", *(f.name for f in fields(LearningSettings)))
    _check_keys(out, allowed, "setting", file=file, slide=n, field="learning")
    return out, train


def _edges(value: Any, n: int, file: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise LessonError(
            'must be a table such as {picture = "...", show_kt = true}.',
            file=file,
            slide=n,
            field="edges",
        )
    _check_keys(value, EDGE_FIELDS, "key", file=file, slide=n, field="edges")
    out = dict(value)
    if "show_kt" in out:
        out["show_kt"] = _bool(out, "show_kt", n, file, "edges.show_kt")
    if "picture" in out and (not isinstance(out["picture"], str) or not out["picture"]):
        raise LessonError(
            f"must be a picture's name, not {out['picture']!r}.",
            file=file,
            slide=n,
            field="edges.picture",
        )
    if "max_side" in out:
        try:
            out["max_side"] = check_max_side(out["max_side"])
        except ValueError as exc:
            raise LessonError(str(exc), file=file, slide=n, field="edges.max_side") from None
    pics = edge_pictures()
    if "picture" in out and out["picture"] not in pics:
        raise LessonError(
            f"unknown picture {out['picture']!r}{_suggest(out['picture'], pics)}; "
            f"choose from {', '.join(repr(p) for p in pics)}.",
            file=file,
            slide=n,
            field="edges.picture",
        )
    return out


def _reveal(value: Any, n: int, file: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise LessonError(
            "must be a table such as {options = {convolution = true}, step = 0}.",
            file=file,
            slide=n,
            field="reveal",
        )
    _check_keys(value, REVEAL_FIELDS, "key", file=file, slide=n, field="reveal")
    out: dict[str, Any] = {}
    for g in ("input", "kernel"):
        if g in value:
            out[g] = _grid(value[g], g, n, file)
    if "options" in value:
        out["options"] = _options(value["options"], n, file)
    if "step" in value:
        out["step"] = _step(value["step"], n, file)
    return out


def edge_pictures() -> list[str]:
    """The names of the pictures the edge view offers."""
    return list(PICTURES)


def _parse_slide(raw: Mapping[str, Any], n: int, file: str) -> Slide:
    _check_keys(raw, SLIDE_FIELDS, "field", file=file, slide=n)
    kw: dict[str, Any] = {
        "number": n,
        "title": _text(raw, "title", n, file, required=True),
        "caption": _text(raw, "caption", n, file, required=True),
        "section": _text(raw, "section", n, file, required=False),
        "answer": _text(raw, "answer", n, file, required=False),
        "notes": _text(raw, "notes", n, file, required=False),
    }
    if kw["answer"] and "hide" not in raw:
        raise LessonError(
            "only a slide that hides something has an answer to reveal; add hide = ...",
            file=file,
            slide=n,
            field="answer",
        )
    if "view" in raw:
        v = raw["view"]
        if v not in VIEWS:
            raise LessonError(
                f"unknown view {v!r}; choose from {', '.join(VIEWS)}.", file=file, slide=n
            )
        kw["view"] = v
    for g in ("input", "kernel"):
        if g in raw:
            kw[g] = _grid(raw[g], g, n, file)
    if "options" in raw:
        kw["options"] = _options(raw["options"], n, file)
    if "step" in raw:
        kw["step"] = _step(raw["step"], n, file)
    kw["playing"] = _bool(raw, "playing", n, file)
    if "learning" in raw:
        kw["learning"], kw["train"] = _learning(raw["learning"], n, file)
    if "edges" in raw:
        kw["edges"] = _edges(raw["edges"], n, file)
    if "hide" in raw:
        h = raw["hide"]
        if h not in HIDE:
            raise LessonError(
                f"cannot hide {h!r}; choose from {', '.join(HIDE)}.",
                file=file,
                slide=n,
                field="hide",
            )
        kw["hide"] = h
    if "reveal" in raw:
        if "hide" not in raw:
            raise LessonError(
                "only a slide that hides something has a reveal click; add hide = ...",
                file=file,
                slide=n,
                field="reveal",
            )
        kw["reveal"] = _reveal(raw["reveal"], n, file)
    builds = raw.get("builds", 1 if "hide" in raw else 0)
    if isinstance(builds, bool) or not isinstance(builds, int) or builds < 0:
        raise LessonError(
            f"must be a whole number of clicks, 0 or more, not {builds!r}.",
            file=file,
            slide=n,
            field="builds",
        )
    if "hide" in raw and builds < 1:
        raise LessonError(
            "a slide that hides something needs at least 1 build (the click that reveals it).",
            file=file,
            slide=n,
            field="builds",
        )
    kw["builds"] = builds
    return Slide(**kw)


def _scene(s: Slide, prev: SceneState | None, file: str) -> SceneState:
    """Fill in what the slide carries over from the one before, and check it all fits."""
    n = s.number
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
        settings = {k: v for k, v in s.learning.items()}
        if "edition" not in settings and learning is not None:
            settings = {**learning, **settings}
        learning = settings
    if s.edges is not None:
        edges = {**(edges or {}), **s.edges}
    if s.learning is not None:
        try:
            learning_settings(learning)  # type: ignore[arg-type]
        except (ValueProblem, TypeError, ValueError) as exc:
            raise LessonError(str(exc), file=file, slide=n, field="learning") from None
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
    n_steps = _n_steps(X, K, opts, file, n, "kernel")
    if isinstance(step, int) and step >= n_steps:
        raise LessonError(
            f"is {step}, but the output has only {n_steps} cells (0..{n_steps - 1}).",
            file=file,
            slide=n,
            field="step",
        )
    if s.hide in ("edge-map", "edge-map-t") and view != "edges":
        raise LessonError(
            f"hides the {s.hide}, which only the edges view shows (this slide shows {view}).",
            file=file,
            slide=n,
            field="hide",
        )
    if s.hide == "output" and step not in ("start", "end"):
        raise LessonError(
            "hides the whole output, so it cannot also set a step.",
            file=file,
            slide=n,
            field="step",
        )
    if s.playing and s.builds:
        raise LessonError(
            "a playing animation cannot also be stepped by builds; drop one of them.",
            file=file,
            slide=n,
            field="playing",
        )
    steps = s.builds - (1 if s.hide else 0)
    first = n_steps - 1 if s.hide == "output" else state.start_step(n_steps)
    if revealed is not None:
        n_steps = _n_steps(revealed.input, revealed.kernel, revealed.options, file, n, "reveal")
        step = revealed.step
        if isinstance(step, int) and step >= n_steps:
            raise LessonError(
                f"step is {step}, but the revealed output has only {n_steps} cells "
                f"(0..{n_steps - 1}).",
                file=file,
                slide=n,
                field="reveal",
            )
        first = revealed.reveal_step(n_steps)
    if steps > 0:
        if view not in STEPPING_VIEWS:
            raise LessonError(
                f"{steps} click(s) would step the animation, which the {view} view does "
                "not show; use builds only with hide here.",
                file=file,
                slide=n,
                field="builds",
            )
        if first + steps > n_steps - 1:
            left = n_steps - 1 - first
            raise LessonError(
                f"{steps} click(s) would step past the last output cell: the output has "
                f"{n_steps} cells and {left} step(s) are left after the start.",
                file=file,
                slide=n,
                field="builds",
            )
    return state


def _n_steps(X: np.ndarray, K: np.ndarray, opts: Options, file: str, n: int, fld: str) -> int:
    """How many output cells (window steps) the scene has; LessonError if none fit."""
    try:
        g = geometry(
            X.shape, K.shape, padding=opts.padding, stride=opts.stride, dilation=opts.dilation
        )
    except ValueError as exc:
        raise LessonError(str(exc), file=file, slide=n, field=fld) from None
    return g.output_shape[0] * g.output_shape[1]


# ---------------------------------------------------------------- player
@dataclass(frozen=True)
class LessonEvent:
    """What the player just did; the GUI renders from it.

    ``kind`` is ``"slide"`` (a slide was (re)entered: show ``state.view``,
    start playing or training if asked), ``"reveal"`` (the hidden thing is
    shown) or ``"build"`` (the animation stepped one cell).
    """

    kind: str
    index: int  # 0-based slide index
    build: int  # clicks used on this slide so far
    slide: Slide
    state: SceneState
    hidden: str | None  # what is hidden now


#: Hooks that push a slide's edge and learning settings into the session's
#: attached states; replaceable so the GUI or tests can adapt them.
EdgeApplier = Callable[[Session, dict[str, Any]], None]
LearningApplier = Callable[[Session, dict[str, Any], bool], None]  # bool: start a run


class LessonPlayer:
    """Walks a :class:`Lesson` slide by slide and click by click over a Session.

    ``next()`` plays the current slide's builds first (reveal, then one
    animation step per click) and then moves to the next slide; ``prev()``
    takes back one build, or returns to the previous slide fully built;
    ``goto(i)`` enters slide ``i``. Each returns the :class:`LessonEvent` it
    also emits on :attr:`changed`, or None when there is nowhere to go.

    The user may edit anything between clicks: a build continues from what
    is on screen (the next click steps whatever window is there), and the
    lesson's own changes never mark the session as modified.
    """

    def __init__(
        self,
        lesson: Lesson,
        session: Session,
        *,
        apply_edges: EdgeApplier | None = None,
        apply_learning: LearningApplier | None = None,
    ) -> None:
        self.lesson = lesson
        self.session = session
        self.changed = Event()  # payload: LessonEvent
        self.apply_edges = apply_edges or apply_edge_settings
        self.apply_learning = apply_learning or apply_learning_settings
        self._index = -1
        self._build = 0
        self._hidden: str | None = None

    # ------------------------------------------------------------ reading
    @property
    def index(self) -> int:
        return self._index

    @property
    def build(self) -> int:
        return self._build

    @property
    def started(self) -> bool:
        return self._index >= 0

    @property
    def slide(self) -> Slide:
        return self.lesson.slides[max(self._index, 0)]

    @property
    def state(self) -> SceneState:
        return self.lesson.states[max(self._index, 0)]

    @property
    def n_slides(self) -> int:
        return len(self.lesson.slides)

    @property
    def hidden(self) -> str | None:
        return self._hidden

    @property
    def builds_left(self) -> int:
        return max(0, self.state.builds - self._build) if self.started else 0

    @property
    def at_end(self) -> bool:
        return self._index == self.n_slides - 1 and self.builds_left == 0

    @property
    def at_start(self) -> bool:
        return self._index <= 0 and self._build == 0

    def counter(self) -> str:
        return f"{max(self._index, 0) + 1} / {self.n_slides}"

    # ------------------------------------------------------------- moving
    def start(self) -> LessonEvent:
        return self.goto(0)

    def next(self) -> LessonEvent | None:
        """One click forward: the next build of this slide, else the next slide."""
        if not self.started:
            return self.goto(0)
        if self._build < self.state.builds:
            return self._do_build()
        if self._index + 1 < self.n_slides:
            return self.goto(self._index + 1)
        return None

    def prev(self) -> LessonEvent | None:
        """One click back: undo a build, else the previous slide as it ended."""
        if not self.started:
            return None
        if self._build > 0:
            return self.goto(self._index, build=self._build - 1)
        if self._index > 0:
            i = self._index - 1
            return self.goto(i, build=self.lesson.states[i].builds)
        return None

    def goto(self, index: int, *, build: int = 0) -> LessonEvent:
        """Enter slide ``index`` (0-based) with ``build`` of its clicks already played."""
        index = int(index)
        if not 0 <= index < self.n_slides:
            raise IndexError(f"slide {index + 1} is outside 1..{self.n_slides}")
        st = self.lesson.states[index]
        build = max(0, min(int(build), st.builds))
        self._index, self._build = index, 0
        with self._quietly():
            self._apply_scene(st)
            for _ in range(build):
                self._build_effect()
        return self._emit("slide")

    # ----------------------------------------------------------- internals
    def _do_build(self) -> LessonEvent:
        with self._quietly():
            kind = self._build_effect()
        return self._emit(kind)

    def _build_effect(self) -> str:
        """Apply one click's effect to the session; return "reveal" or "build"."""
        self._build += 1
        st = self.state
        if self._hidden is not None:
            what, self._hidden = self._hidden, None
            set_hidden(self.session, frozenset())
            r = st.revealed
            if r is not None:
                s = self.session
                s.set_scene(r.input, r.kernel, r.options)
                s.set_step(r.reveal_step(s.n_steps))
            elif what == "output":
                self.session.to_end()
            return "reveal"
        if st.view in STEPPING_VIEWS:
            self.session.step_forward()
        return "build"

    def _apply_scene(self, st: SceneState) -> None:
        s = self.session
        s.set_scene(st.input, st.kernel, st.options)
        s.set_step(st.start_step(s.n_steps))
        if st.edges is not None:
            self.apply_edges(s, dict(st.edges))
        if st.learning is not None:
            self.apply_learning(s, st.learning, st.train)
        self._hidden = st.hide
        set_hidden(s, frozenset({st.hide}) if st.hide else frozenset())

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        """The lesson's own changes are not the user's: keep ``modified`` as it was."""
        was = self.session.modified
        try:
            yield
        finally:
            self.session.modified = was

    def _emit(self, kind: str) -> LessonEvent:
        ev = LessonEvent(kind, self._index, self._build, self.slide, self.state, self._hidden)
        self.changed.emit(ev)
        return ev


# --------------------------------------------- the attached views' states
def set_hidden(session: Session, names: frozenset[str]) -> None:
    """Tell the views what to hide (predict, then reveal), if the session knows how."""
    fn = getattr(session, "set_hidden", None)
    if callable(fn):
        fn(names)


def apply_edge_settings(session: Session, settings: Mapping[str, Any]) -> None:
    """Set the edge view's picture (by name), scale-down limit and show-Kᵀ switch."""
    edges = getattr(session, "edges", None)
    if edges is None:
        return
    edges.looked = True  # the lesson chose the kernel: no first-look default
    if "max_side" in settings:
        edges.set_max_side(settings["max_side"])
    if "picture" in settings and settings["picture"] != edges.name:
        edges.load_preset(settings["picture"])
    if "show_kt" in settings:
        edges.set_show_kt(settings["show_kt"])


def apply_learning_settings(
    session: Session, settings: Mapping[str, Any], fresh_run: bool = False
) -> None:
    """Put an edition's settings (with the slide's changes) on ``session.learning``.

    ``fresh_run`` also starts a new run from them (a slide that trains): the
    loss plot starts over, and the GUI's learning view advances it live.
    """
    learning = getattr(session, "learning", None)
    if learning is None:
        return
    learning.set_settings(learning_settings(settings))
    if fresh_run:
        learning.new_run(session)
