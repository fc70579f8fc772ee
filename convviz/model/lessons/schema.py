"""What a lesson file may say: every field declared once, with its type, choices, default and help.

:data:`SLIDE`, :data:`OPTIONS`, :data:`EDGES` and :data:`REVEAL` are the
tables; :func:`parse_table` checks a TOML table against one of them and
returns the parsed values, so unknown keys (with a did-you-mean), wrong
types and values outside the choices are all reported the same way, naming
file, slide and field. The few rules that tie two fields together are
:data:`SLIDE_RULES`; the rules that need the whole scene (the output's
size, the view) are in :mod:`.scenes`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .. import presets
from ..edges import PICTURES
from ..images import check_max_side
from ..learning import LearningSettings
from ..session import LIMITS, Options
from ..values import ValueProblem, check_array

#: The views a slide may show, in the order the app's tabs have them.
VIEWS = ("window", "edges", "learn", "matrix")
#: What a slide may hide until the next click.
HIDE = ("result", "output", "edge-map", "edge-map-t", "answer")
EDITIONS = ("mxnet", "djl")
#: The top level of a lesson file.
TOP_FIELDS = ("title", "description", "slide")
#: How the class moves on, said the same way in every caption and prompt.
ADVANCE = "press →"
PREDICT = f"Predict, then {ADVANCE} to reveal."
#: Cut an echoed value to this many characters in a message.
_MAX_MESSAGE = 600


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
        if len(message) > _MAX_MESSAGE:  # a 200 kB field value is quoted, not echoed
            message = message[:400] + " … " + message[-150:]
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.slide, self.field = file, slide, field


@dataclass(frozen=True)
class Where:
    """The file and slide being read, so a check names only its field."""

    file: str
    slide: int | None = None

    def error(self, message: str, field: str = "") -> LessonError:
        return LessonError(message, file=self.file, slide=self.slide, field=field)


def suggest(word: object, choices: tuple[str, ...] | list[str]) -> str:
    """`` (did you mean 'caption'?)`` for a close choice, else nothing."""
    if len(str(word)) > 64:  # no name is that long; difflib's tables would grow with it
        return ""
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_keys(
    d: Mapping[str, Any], allowed: tuple[str, ...], what: str, at: Where, field: str = ""
) -> None:
    """Refuse a key outside ``allowed``, suggesting the closest."""
    for k in d:
        if k not in allowed:
            raise at.error(
                f"unknown {what} {k!r}{suggest(k, allowed)}; choose from {', '.join(allowed)}.",
                field,
            )


# ------------------------------------------------------------ value kinds
#: A kind reads one TOML value: ``(value, where, field name) -> parsed``, or LessonError.
Kind = Callable[[Any, Where, str], Any]


def text(value: Any, at: Where, name: str) -> str:
    if not isinstance(value, str):
        raise at.error(f"must be text in quotes, not {value!r}.", name)
    return value.strip()


def required_text(value: Any, at: Where, name: str) -> str:
    v = text(value, at, name)
    if not v:
        raise at.error("must not be empty.", name)
    return v


def boolean(value: Any, at: Where, name: str) -> bool:
    if not isinstance(value, bool):
        raise at.error(f"must be true or false, not {value!r}.", name)
    return value


def number(value: Any, at: Where, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise at.error(f"must be a number, not {value!r}.", name)
    return float(value)


def clicks(value: Any, at: Where, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise at.error(f"must be a whole number of clicks, 0 or more, not {value!r}.", name)
    return value


def step(value: Any, at: Where, name: str) -> int | str:
    if value in ("start", "end"):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise at.error(f'must be a cell number from 0, "start" or "end", not {value!r}.', name)
    return int(value)


def pair_or_int(value: Any, at: Where, name: str) -> Any:
    """Padding, stride, dilation: checked by :meth:`Options.validated` (one message)."""
    return tuple(value) if isinstance(value, list) else value


def choice(options: tuple[str, ...], noun: str, verb: str = "unknown") -> Kind:
    """One of ``options``: ``unknown view 'edge'; choose from window, edges, ...``."""

    def parse(value: Any, at: Where, name: str) -> str:
        if value not in options:
            msg = f"unknown {noun} {value!r}" if verb == "unknown" else f"{verb} {value!r}"
            raise at.error(f"{msg}; choose from {', '.join(options)}.", name)
        return value

    return parse


def picture(value: Any, at: Where, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise at.error(f"must be a picture's name, not {value!r}.", name)
    pics = list(PICTURES)
    if value not in pics:
        raise at.error(
            f"unknown picture {value!r}{suggest(value, pics)}; "
            f"choose from {', '.join(repr(p) for p in pics)}.",
            name,
        )
    return value


def max_side(value: Any, at: Where, name: str) -> int:
    try:
        return check_max_side(value)
    except ValueError as exc:
        raise at.error(str(exc), name) from None


# ------------------------------------------------------------------ grids
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


def _norm(name: str) -> str:
    t = name.translate(str.maketrans("−–×", "--x")).casefold()
    return re.sub(r"[^0-9a-z\-]+", "", t)


#: No preset's name is near this long; a longer one is not normalised to be compared
#: (a 60 kB "0,25,25,..." made a list of 30,000 pieces: 20 bytes a character).
MAX_PRESET_NAME = 200


def find_preset(kind: str, name: str) -> str:
    """The exact preset name for ``name`` (spaces, case, − and × forgiven); KeyError if none."""
    table = presets.INPUTS if kind == "input" else presets.KERNELS
    if name in table:
        return name
    if len(name) > MAX_PRESET_NAME:
        raise KeyError(name)
    want = _norm(name)
    for k in table:
        if _norm(k) == want:
            return k
    raise KeyError(name)


def grid(value: Any, at: Where, kind: str, name: str = "") -> GridSpec:
    """``input`` / ``kernel``: a preset's name, literal rows, or {preset|values, transpose}."""
    name = name or kind
    table = presets.INPUTS if kind == "input" else presets.KERNELS
    transpose = False
    if isinstance(value, dict):
        check_keys(value, ("preset", "values", "transpose"), "key", at, name)
        if ("preset" in value) == ("values" in value):
            raise at.error(
                'give either preset = "..." or values = [[...]], not both or neither.', name
            )
        transpose = boolean(value.get("transpose", False), at, name)
        value = value.get("preset", value.get("values"))
    if isinstance(value, str):
        try:
            pname = find_preset(kind, value)
        except KeyError:
            raise at.error(
                f"unknown {kind} preset {value!r}{suggest(value, list(table))}; "
                f"choose from {', '.join(repr(k) for k in table)} or write the numbers "
                "as [[...], [...]].",
                name,
            ) from None
        arr = (presets.input_preset if kind == "input" else presets.kernel_preset)(pname)
        source = pname
    elif isinstance(value, list):
        arr = _literal(value, at, kind, name)
        source = "literal"
    else:
        raise at.error(
            f"must be a preset name or a list of rows such as [[1, -1]], not {value!r}.", name
        )
    if transpose:
        arr = arr.T.copy()
        source = f"{source} (transposed)"
    lim = LIMITS[kind]
    if max(arr.shape) > lim:
        raise at.error(
            f"is {arr.shape[0]}×{arr.shape[1]}; the app holds at most {lim}×{lim}.", name
        )
    arr.flags.writeable = False
    return GridSpec(arr, source)


def _literal(value: list[Any], at: Where, kind: str, name: str) -> np.ndarray:
    rows = value if value and all(isinstance(r, list) for r in value) else [value]
    if not rows or not rows[0]:
        raise at.error("is empty; write at least one number, e.g. [[1, -1]].", name)
    for r, row in enumerate(rows, start=1):
        if not isinstance(row, list):
            raise at.error(
                "mixes numbers and rows; write a list of rows, e.g. [[1, -1], [0, 2]].", name
            )
        for c, v in enumerate(row, start=1):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise at.error(f"row {r}, column {c} is {v!r}, not a number.", name)
    lens = sorted({len(r) for r in rows})
    if len(lens) > 1:
        raise at.error(f"the rows have different lengths ({', '.join(map(str, lens))}).", name)
    try:
        return check_array(rows, kind)
    except ValueProblem as exc:
        raise at.error(str(exc), name) from None


# ----------------------------------------------------------------- tables
@dataclass(frozen=True)
class Field:
    """One key a table may hold: how to read it, its default and what it is for."""

    name: str
    kind: Kind
    help: str
    default: Any = None  # when the key is absent (None: not set; carried over if it carries)
    choices: tuple[str, ...] = ()  # for the help text; the kind enforces them
    carries: bool = False  # the following slides keep it until one changes it
    required: bool = False


def table(
    fields_: tuple[Field, ...],
    what: str,
    example: str,
    build: Callable[[dict[str, Any], Where, str], Any] | None = None,
    *,
    empty_ok: bool = True,
) -> Kind:
    """A kind for a sub-table read with :func:`parse_table` (then ``build``, if given)."""

    def parse(value: Any, at: Where, name: str) -> Any:
        if not isinstance(value, dict) or (not empty_ok and not value):
            raise at.error(f"must be a table such as {example}.", name)
        out = parse_table(value, fields_, what, at, name)
        return build(out, at, name) if build is not None else out

    return parse


def parse_table(
    raw: Mapping[str, Any], fields_: tuple[Field, ...], what: str, at: Where, name: str = ""
) -> dict[str, Any]:
    """The keys ``raw`` sets, each read by its field's kind (absent keys are left out)."""
    check_keys(raw, tuple(f.name for f in fields_), what, at, name)
    out: dict[str, Any] = {}
    for f in fields_:
        if f.name in raw:
            out[f.name] = f.kind(raw[f.name], at, f"{name}.{f.name}" if name else f.name)
    return out


def _options(values: dict[str, Any], at: Where, name: str) -> Options:
    try:
        return Options(**values).validated()
    except (ValueProblem, TypeError, ValueError) as exc:
        raise at.error(str(exc), name) from None


def _option_default(name: str) -> Any:
    return Options.__dataclass_fields__[name].default


OPTIONS: tuple[Field, ...] = (
    Field("bias", number, "added to every output cell (6.2.2)", _option_default("bias")),
    Field("padding", pair_or_int, "zeros around the input", _option_default("padding")),
    Field("stride", pair_or_int, "how far the window moves a step", _option_default("stride")),
    Field("dilation", pair_or_int, "the gap between kernel taps", _option_default("dilation")),
    Field("convolution", boolean, "flip the kernel (6.2.5)", _option_default("convolution")),
)
options = table(OPTIONS, "option", "{bias = 1, padding = 1}", _options)


EDGES: tuple[Field, ...] = (
    Field("picture", picture, "a picture of the edge view, by name", choices=tuple(PICTURES)),
    Field("show_kt", boolean, "also show the maps with the transposed kernel"),
    Field("max_side", max_side, "scale the picture down to this many pixels a side"),
)
edges = table(EDGES, "key", '{picture = "...", show_kt = true}')


def _input(value: Any, at: Where, name: str) -> GridSpec:
    return grid(value, at, "input", name)


def _kernel(value: Any, at: Where, name: str) -> GridSpec:
    return grid(value, at, "kernel", name)


REVEAL: tuple[Field, ...] = (
    Field("input", _input, "the input the reveal shows"),
    Field("kernel", _kernel, "the kernel the reveal shows"),
    Field("options", options, "the options the reveal sets"),
    Field("step", step, 'the cell the window is on after the reveal ("start", "end", 0..)'),
)
reveal = table(REVEAL, "key", "{options = {convolution = true}, step = 0}", empty_ok=False)


def _keys(fields_: tuple[Field, ...]) -> str:
    return ", ".join(f.name for f in fields_)


def learning(value: Any, at: Where, name: str) -> dict[str, Any]:
    """An edition and settings fields (checked against the edition in :mod:`.scenes`)."""
    if not isinstance(value, dict):
        raise at.error('must be a table such as {edition = "mxnet", train = true}.', name)
    out = dict(value)
    out["train"] = boolean(out.get("train", False), at, f"{name}.train")
    if out.get("edition") is not None:
        choice(EDITIONS, "edition")(out["edition"], at, f"{name}.edition")
    allowed = ("edition", "train", *(f.name for f in fields(LearningSettings)))
    check_keys(out, allowed, "setting", at, name)
    return out


#: Every field of a ``[[slide]]`` table, in the order the error messages list them.
SLIDE: tuple[Field, ...] = (
    Field("section", text, "the chapter's section, shown before the title", ""),
    Field("title", required_text, "a short title, shown in large type", required=True),
    Field("caption", required_text, "a sentence or two, shown in large type", required=True),
    Field("answer", text, "shown with the reveal (needs hide)", ""),
    Field("notes", text, "for the presenter only", ""),
    Field("view", choice(VIEWS, "view"), "which view shows", choices=VIEWS, carries=True),
    Field("input", _input, "a preset's name or literal rows", carries=True),
    Field("kernel", _kernel, "a preset's name or literal rows", carries=True),
    Field("options", options, f"a table of {_keys(OPTIONS)} (the rest take defaults)"),
    Field("step", step, 'the start cell: a number from 0, "start" or "end" (default)'),
    Field("playing", boolean, "start the animation playing", False),
    Field("learning", learning, "an edition and its settings; train = true runs it", carries=True),
    Field("edges", edges, f"a table of {_keys(EDGES)}", carries=True),
    Field("builds", clicks, "clicks this slide absorbs (default: 1 with hide, else 0)", 0),
    Field("hide", choice(HIDE, "", "cannot hide"), "held back until the next click", choices=HIDE),
    Field("reveal", reveal, f"the {_keys(REVEAL)} the reveal click sets (needs hide)"),
)
SLIDE_FIELDS = tuple(f.name for f in SLIDE)

#: Rules tying a slide's fields together: (field blamed, broken when, message).
SLIDE_RULES: tuple[tuple[str, Callable[[Mapping[str, Any]], bool], str], ...] = (
    (
        "answer",
        lambda s: bool(s.get("answer")) and "hide" not in s,
        "only a slide that hides something has an answer to reveal; add hide = ...",
    ),
    (
        "reveal",
        lambda s: "reveal" in s and "hide" not in s,
        "only a slide that hides something has a reveal click; add hide = ...",
    ),
    (
        "builds",
        lambda s: "hide" in s and s["builds"] < 1,
        "a slide that hides something needs at least 1 build (the click that reveals it).",
    ),
    (
        "playing",
        lambda s: bool(s.get("playing")) and s["builds"] > 0,
        "a playing animation cannot also be stepped by builds; drop one of them.",
    ),
)


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


def parse_slide(raw: Mapping[str, Any], at: Where) -> Slide:
    """One ``[[slide]]`` table read against :data:`SLIDE` and :data:`SLIDE_RULES`."""
    check_keys(raw, SLIDE_FIELDS, "field", at)
    for f in SLIDE:
        if f.required and f.name not in raw:
            raise at.error(f"every slide needs a {f.name}.", f.name)
    values = parse_table(raw, SLIDE, "field", at)
    values.setdefault("builds", 1 if "hide" in values else 0)
    for name, broken, message in SLIDE_RULES:
        if broken(values):
            raise at.error(message, name)
    train = values["learning"].pop("train") if "learning" in values else False
    kw = {f.name: values.get(f.name, f.default) for f in SLIDE}
    return Slide(number=at.slide or 0, train=train, **kw)


def help_text() -> str:
    """Every slide field with its help, for authors (``python -m convviz.model.lessons``)."""
    lines = []
    for f in SLIDE:
        extra = f"; one of {', '.join(f.choices)}" if f.choices else ""
        extra += " (carries over)" if f.carries else ""
        extra += " (required)" if f.required else ""
        lines.append(f"{f.name:10} {f.help}{extra}")
    return "\n".join(lines)
