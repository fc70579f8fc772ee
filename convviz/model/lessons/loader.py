"""Reading a lesson file: its size, nesting and numbers checked before and right after parsing.

Every failure is a :class:`~.schema.LessonError` naming the file (and the
slide and field where there is one), never RecursionError or OverflowError:
size is checked before reading, nesting and digit runs before
:mod:`tomllib` parses, and infinities and huge integers right after.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from .scenes import Lesson, SceneState, build_scene
from .schema import TOP_FIELDS, LessonError, Slide, Where, check_keys, parse_slide

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


# --------------------------------------------------------------- loading
def lessons_dir() -> Path:
    from ...resources import ROOT

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
    check_keys(doc, TOP_FIELDS, "field", Where(file))
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
        s = parse_slide(raw, Where(file, i))
        st = build_scene(s, prev, file)
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
